package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/bmatcuk/doublestar/v4"
)

// FileName is the config file deployorder looks for at the repository root.
const FileName = "deployorder.yaml"

// Config is the parsed deployorder.yaml. The zero value is the default: no
// declared services, nothing ignored or excluded.
type Config struct {
	Path            string        // the file it was read from; "" when there is none
	Name            string        // Path as messages show it: relative to the repository root when inside it
	Services        []Service     // declared or renamed services
	Ignore          []string      // globs of paths that never affect a deploy
	Exclude         []string      // globs of main package directories that are not services
	Contracts       []Contract    // contract types to add, or to bind into one contract
	IgnoreContracts []string      // globs over "importpath.Type" of types that are never contracts
	External        []External    // parties outside the repository that provide or consume contracts
	Launches        []Launch      // links from launchers to the programs they launch, where the code cannot tell
	Soak            time.Duration // wait before each contract step; 0 for none
	Accept          []Accept      // breaks the team accepts
}

// External is a party outside the repository (users' SDKs, a mobile app, a
// third-party system) that provides or consumes some contracts: removing
// what it consumes is a break, and what it provides needs no provider in
// the repository.
type External struct {
	Name      string   // for people: "mobile-app"
	Contracts []string // globs over contract names and importpath.Type
	Provides  bool     // it writes the contracts' keys (calls the methods)
	Consumes  bool     // it reads them (serves the methods)
	Line      int
}

// Launch declares that a service launches a program of the repository,
// for a launch site whose program the analysis cannot tell from the code:
// a container or command that one of these names.
type Launch struct {
	Launcher  string // the service whose code builds the container or runs the command
	Program   string // the service it launches
	Container string // the container's name, as the launcher's code writes it
	Image     string // a glob over image references (quay.io/org/helper:*), or their names
	Command   string // the command's name: the base name of its first word
	Line      int
}

// Service declares a service, renames a discovered one, or adds owned paths.
type Service struct {
	Name  string   // unique service name
	Main  string   // main package: a directory relative to the root, or an import path; "" for a service without Go code
	Paths []string // extra owned path globs
	Line  int      // line in the config file, for messages
}

// Contract adds Go types as wire contracts. Several types bind into one
// contract when services keep their own copies of one wire format.
type Contract struct {
	Name  string   // contract name; defaults to the single type's name
	Types []string // "importpath.Type"
	Line  int
}

// Accept acknowledges a break: the findings of Rule about the elements
// that Element matches no longer count against the plan, for Reason, until
// the end of the day Expires.
type Accept struct {
	Rule    string    // a rule ID (deployorder rules); the planner checks it against its registry
	Element string    // a glob over elements as findings and edges name them: Response.metadata, Response.*
	Reason  string    // why the break is acceptable; never empty
	Expires time.Time // the last day it applies (a date, UTC midnight); zero for no end
	Line    int
}

// Load reads the config: path if given (it must exist), else
// root/deployorder.yaml if it exists, else the zero Config.
func Load(root, path string) (*Config, error) {
	explicit := path != ""
	if !explicit {
		path = filepath.Join(root, FileName)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if !explicit && errors.Is(err, fs.ErrNotExist) {
			return &Config{}, nil
		}
		return nil, fmt.Errorf("cannot read config: %w; pass an existing file with --config or remove the flag", err)
	}
	name := path
	if rel, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(rel, "..") {
		name = rel
	}
	c, err := Parse(name, data)
	if err != nil {
		return nil, err
	}
	c.Path, c.Name = path, name
	return c, nil
}

// ParseError is a problem at a line of the config file.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Parse parses and validates config data; file names the data in errors.
func Parse(file string, data []byte) (*Config, error) {
	p := &parser{file: file}
	root, err := parseYAML(file, data)
	if err != nil {
		return nil, err
	}
	c := &Config{}
	if root == nil || root.kind == scalarNode && root.null {
		return c, nil
	}
	if root.kind != mappingNode {
		return nil, p.errorf(root, "the file must be a mapping of keys (%s)", strings.Join(topKeys, ", "))
	}
	seen := map[string]int{}
	for i, k := range root.keys {
		v := root.items[i]
		if prev, ok := seen[k.value]; ok {
			return nil, p.errorf(k, "key %q appears twice (first on line %d)", k.value, prev)
		}
		seen[k.value] = k.line
		var err error
		switch k.value {
		case "services":
			c.Services, err = p.services(v)
		case "ignore":
			c.Ignore, err = p.globs(v, "ignore")
		case "exclude":
			c.Exclude, err = p.globs(v, "exclude")
		case "contracts":
			c.Contracts, err = p.contracts(v)
		case "ignore_contracts":
			c.IgnoreContracts, err = p.globs(v, "ignore_contracts")
		case "external":
			c.External, err = p.external(v)
		case "launches":
			c.Launches, err = p.launches(v)
		case "soak":
			c.Soak, err = p.duration(v)
		case "accept":
			c.Accept, err = p.accepts(v)
		default:
			err = p.unknown(k, topKeys)
		}
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

// topKeys are the keys of the file.
var topKeys = []string{"services", "ignore", "exclude", "contracts", "ignore_contracts", "external", "launches", "soak", "accept"}

type parser struct{ file string }

func (p *parser) errorf(n *node, format string, args ...any) error {
	return &ParseError{File: p.file, Line: n.line, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) unknown(k *node, known []string) error {
	msg := fmt.Sprintf("unknown key %q", k.value)
	if s := closest(k.value, known); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return p.errorf(k, "%s (known keys: %s)", msg, strings.Join(known, ", "))
}

func (p *parser) mapping(n *node, what string) error {
	if n.kind != mappingNode {
		return p.errorf(n, "%s must be a mapping", what)
	}
	return nil
}

func (p *parser) str(n *node, what string) (string, error) {
	if n.kind != scalarNode || n.null {
		return "", p.errorf(n, "%s must be a string", what)
	}
	return n.value, nil
}

func (p *parser) strings(n *node, what string) ([]string, error) {
	if n.kind == scalarNode && n.null {
		return nil, nil
	}
	if n.kind != sequenceNode {
		return nil, p.errorf(n, "%s must be a list", what)
	}
	var out []string
	for _, e := range n.items {
		s, err := p.str(e, what+" entries")
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func (p *parser) globs(n *node, what string) ([]string, error) {
	gs, err := p.strings(n, what)
	if err != nil {
		return nil, err
	}
	for i, g := range gs {
		if err := checkGlob(g); err != nil {
			return nil, p.errorf(n.items[i], "%s: bad glob %q: %v", what, g, err)
		}
	}
	return gs, nil
}

func checkGlob(g string) error {
	if g == "" {
		return errors.New("empty pattern")
	}
	if strings.HasPrefix(g, "/") {
		return errors.New("patterns are relative to the repository root; drop the leading /")
	}
	if !doublestar.ValidatePattern(g) {
		return errors.New("unbalanced [ ] or { }, or a trailing \\")
	}
	return nil
}

func (p *parser) services(n *node) ([]Service, error) {
	if n.kind != sequenceNode {
		return nil, p.errorf(n, "services must be a list of {name, main, paths}")
	}
	var out []Service
	byName := map[string]int{}
	for _, e := range n.items {
		if err := p.mapping(e, "each service"); err != nil {
			return nil, err
		}
		s := Service{Line: e.line}
		for i, k := range e.keys {
			v := e.items[i]
			var err error
			switch k.value {
			case "name":
				s.Name, err = p.str(v, "name")
			case "main":
				s.Main, err = p.str(v, "main")
			case "paths":
				s.Paths, err = p.globs(v, "paths")
			default:
				err = p.unknown(k, []string{"name", "main", "paths"})
			}
			if err != nil {
				return nil, err
			}
		}
		if s.Name == "" {
			return nil, p.errorf(e, "a service needs a name")
		}
		if !validName(s.Name) {
			return nil, p.errorf(e, "service name %q: use letters, digits, '-', '_', '.' and '/'", s.Name)
		}
		if s.Main == "" && len(s.Paths) == 0 {
			return nil, p.errorf(e, "service %q needs main (its main package) or paths (the files it owns)", s.Name)
		}
		if prev, ok := byName[s.Name]; ok {
			return nil, p.errorf(e, "duplicate service name %q (first declared on line %d)", s.Name, prev)
		}
		byName[s.Name] = e.line
		out = append(out, s)
	}
	return out, nil
}

func validName(s string) bool {
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_./", r)) {
			return false
		}
	}
	return true
}

func (p *parser) contracts(n *node) ([]Contract, error) {
	if n.kind != sequenceNode {
		return nil, p.errorf(n, "contracts must be a list of {name, types}")
	}
	var out []Contract
	names := map[string]int{}
	for _, e := range n.items {
		if err := p.mapping(e, "each contract"); err != nil {
			return nil, err
		}
		c := Contract{Line: e.line}
		for i, k := range e.keys {
			v := e.items[i]
			var err error
			switch k.value {
			case "name":
				c.Name, err = p.str(v, "name")
			case "types":
				c.Types, err = p.strings(v, "types")
				for j, t := range c.Types {
					if err == nil && !validTypeName(t) {
						err = p.errorf(v.items[j], "contract type %q must be importpath.Type, e.g. example.com/mono/api.Response", t)
					}
				}
			default:
				err = p.unknown(k, []string{"name", "types"})
			}
			if err != nil {
				return nil, err
			}
		}
		if len(c.Types) == 0 {
			return nil, p.errorf(e, "a contract needs types: [importpath.Type, ...]")
		}
		if c.Name == "" && len(c.Types) > 1 {
			return nil, p.errorf(e, "a contract that binds several types needs a name")
		}
		if c.Name != "" {
			if prev, ok := names[c.Name]; ok {
				return nil, p.errorf(e, "duplicate contract name %q (first declared on line %d)", c.Name, prev)
			}
			names[c.Name] = e.line
		}
		out = append(out, c)
	}
	return out, nil
}

func (p *parser) external(n *node) ([]External, error) {
	if n.kind != sequenceNode {
		return nil, p.errorf(n, "external must be a list of {name, contracts, provides, consumes}")
	}
	var out []External
	for _, e := range n.items {
		if err := p.mapping(e, "each external party"); err != nil {
			return nil, err
		}
		x := External{Line: e.line}
		for i, k := range e.keys {
			v := e.items[i]
			var err error
			switch k.value {
			case "name":
				x.Name, err = p.str(v, "name")
			case "contracts":
				x.Contracts, err = p.strings(v, "contracts")
				for j, g := range x.Contracts {
					if err == nil && !doublestar.ValidatePattern(g) {
						err = p.errorf(v.items[j], "contracts: bad glob %q", g)
					}
				}
			case "provides":
				x.Provides, err = p.boolean(v, "provides")
			case "consumes":
				x.Consumes, err = p.boolean(v, "consumes")
			default:
				err = p.unknown(k, []string{"name", "contracts", "provides", "consumes"})
			}
			if err != nil {
				return nil, err
			}
		}
		switch {
		case x.Name == "":
			return nil, p.errorf(e, "an external party needs a name")
		case len(x.Contracts) == 0:
			return nil, p.errorf(e, "external party %q needs contracts: [globs over contract names or importpath.Type]", x.Name)
		case !x.Provides && !x.Consumes:
			return nil, p.errorf(e, "external party %q must provide or consume its contracts: set provides: true or consumes: true", x.Name)
		}
		out = append(out, x)
	}
	return out, nil
}

func (p *parser) launches(n *node) ([]Launch, error) {
	if n.kind != sequenceNode {
		return nil, p.errorf(n, "launches must be a list of {launcher, program, container, image, command}")
	}
	var out []Launch
	for _, e := range n.items {
		if err := p.mapping(e, "each launch"); err != nil {
			return nil, err
		}
		l := Launch{Line: e.line}
		for i, k := range e.keys {
			v := e.items[i]
			var err error
			switch k.value {
			case "launcher":
				l.Launcher, err = p.str(v, "launcher")
			case "program":
				l.Program, err = p.str(v, "program")
			case "container":
				l.Container, err = p.str(v, "container")
			case "image":
				l.Image, err = p.str(v, "image")
				if err == nil && !doublestar.ValidatePattern(l.Image) {
					err = p.errorf(v, "image: bad glob %q: unbalanced [ ] or { }, or a trailing \\", l.Image)
				}
			case "command":
				l.Command, err = p.str(v, "command")
			default:
				err = p.unknown(k, []string{"launcher", "program", "container", "image", "command"})
			}
			if err != nil {
				return nil, err
			}
		}
		switch {
		case l.Launcher == "" || l.Program == "":
			return nil, p.errorf(e, "a launch needs launcher (the service that launches) and program (the service it launches)")
		case l.Container == "" && l.Image == "" && l.Command == "":
			return nil, p.errorf(e, "launch of %q by %q needs container, image or command: what the launcher's code names the program by", l.Program, l.Launcher)
		}
		out = append(out, l)
	}
	return out, nil
}

// MatchLaunches returns the launches declared for a launch site of a
// launcher: those whose container, image or command is one of the site's.
// An image glob matches an image reference or its name.
func (c *Config) MatchLaunches(launcher string, containers, images, commands []string) []Launch {
	var out []Launch
	for _, l := range c.Launches {
		if launcher != "" && l.Launcher != launcher {
			continue
		}
		ok := l.Container != "" && slices.Contains(containers, l.Container) || l.Command != "" && slices.Contains(commands, l.Command)
		if l.Image != "" {
			for _, im := range images {
				if m, _ := doublestar.Match(l.Image, im); m {
					ok = true
				}
			}
		}
		if ok {
			out = append(out, l)
		}
	}
	return out
}

func (p *parser) boolean(n *node, what string) (bool, error) {
	if n.kind == scalarNode && !n.null {
		switch n.value {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, p.errorf(n, "%s must be true or false", what)
}

// ExternalParties returns the names of the external parties that provide
// and that consume a contract, by its name or any of its types.
func (c *Config) ExternalParties(names ...string) (provide, consume []string) {
	for _, x := range c.External {
		if !slices.ContainsFunc(names, func(n string) bool { return MatchAny(x.Contracts, n) }) {
			continue
		}
		if x.Provides {
			provide = append(provide, x.Name)
		}
		if x.Consumes {
			consume = append(consume, x.Name)
		}
	}
	return provide, consume
}

// validTypeName reports whether s looks like importpath.Type.
func validTypeName(s string) bool {
	i := strings.LastIndex(s, ".")
	if i <= 0 || i == len(s)-1 || strings.HasSuffix(s[:i], "/") {
		return false
	}
	for j, r := range s[i+1:] {
		if !(unicode.IsLetter(r) || r == '_' || j > 0 && unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

func (p *parser) duration(n *node) (time.Duration, error) {
	s, err := p.str(n, "soak")
	if err != nil {
		return 0, err
	}
	d, err := ParseDuration(s)
	if err != nil {
		return 0, p.errorf(n, "soak: %v", err)
	}
	return d, nil
}

func (p *parser) accepts(n *node) ([]Accept, error) {
	if n.kind == scalarNode && n.null {
		return nil, nil
	}
	if n.kind != sequenceNode {
		return nil, p.errorf(n, "accept must be a list of {rule, element, reason, expires}")
	}
	var out []Accept
	for _, e := range n.items {
		a, err := p.accept(e)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func (p *parser) accept(e *node) (Accept, error) {
	if err := p.mapping(e, "each accept entry"); err != nil {
		return Accept{}, err
	}
	a := Accept{Line: e.line}
	for i, k := range e.keys {
		v := e.items[i]
		var err error
		switch k.value {
		case "rule":
			a.Rule, err = p.str(v, "rule")
		case "element":
			a.Element, err = p.str(v, "element")
			if err == nil {
				if gerr := checkElementGlob(a.Element); gerr != nil {
					err = p.errorf(v, "accept: bad element glob %q: %v", a.Element, gerr)
				}
			}
		case "reason":
			a.Reason, err = p.str(v, "reason")
			a.Reason = strings.TrimSpace(a.Reason)
		case "expires":
			var s string
			if s, err = p.str(v, "expires"); err == nil {
				if a.Expires, err = time.Parse(time.DateOnly, s); err != nil {
					err = p.errorf(v, "accept: expires %q is not a date; write YYYY-MM-DD, e.g. 2026-12-31", s)
				}
			}
		default:
			err = p.unknown(k, []string{"rule", "element", "reason", "expires"})
		}
		if err != nil {
			return Accept{}, err
		}
	}
	switch {
	case a.Rule == "":
		return Accept{}, p.errorf(e, "an accept entry needs a rule: the ID of the rule whose findings it accepts (deployorder rules lists them)")
	case a.Element == "":
		return Accept{}, p.errorf(e, "an accept entry needs an element: the element the findings are about, or a glob (Response.metadata, Response.*)")
	case a.Reason == "":
		return Accept{}, p.errorf(e, "an accept entry needs a reason: say why the break is acceptable, for the next reader")
	}
	return a, nil
}

// checkElementGlob checks a glob over element names (doublestar syntax,
// as the path globs: * within a name part, ** across /).
func checkElementGlob(g string) error {
	if g == "" {
		return errors.New("empty pattern")
	}
	if !doublestar.ValidatePattern(g) {
		return errors.New("unbalanced [ ] or { }, or a trailing \\")
	}
	return nil
}

// ParseDuration parses a Go duration ("90m", "24h") or whole days ("2d").
func ParseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration; write e.g. 30m, 24h or 2d", s)
	}
	return d, nil
}

// closest returns the known word nearest to s, if it is near enough.
func closest(s string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := editDistance(s, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// MatchAny reports whether path matches one of the globs.
func MatchAny(globs []string, path string) bool {
	for _, g := range globs {
		if ok, _ := doublestar.Match(g, path); ok {
			return true
		}
	}
	return false
}
