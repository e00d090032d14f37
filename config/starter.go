package config

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Found is a main package that deployorder discovered, for Starter.
type Found struct {
	Name    string   // its service name
	Dir     string   // its directory relative to the repository root; "." for the root
	Imports []string // the directories of the repository's packages its main imports directly
}

// testLooking maps the directory names that mark a main package as a
// test, example or tool program to what such programs are, for the
// comment above the proposal. The list is short on purpose: a real
// service proposed for exclusion would silently drop out of every plan
// if nobody read the file, so a name goes here only when it almost never
// names a deployed program (not "demo", "integration" or "scripts").
var testLooking = map[string]string{
	"test": "tests", "tests": "tests", "testing": "tests", "e2e": "end-to-end tests",
	"testutil": "test helpers", "testutils": "test helpers",
	"fake": "fakes for tests", "fakes": "fakes for tests", "mock": "mocks for tests", "mocks": "mocks for tests",
	"example": "examples", "examples": "examples",
	"bench": "benchmarks", "benchmark": "benchmarks", "benchmarks": "benchmarks",
	"hack": "development scripts", "tool": "developer tools", "tools": "developer tools",
}

// codeLooking are the directory names that mark the code a main package
// imports as test or example code: a main outside such a directory that
// imports from one (googleforgames/open-match's cmd/scale-backend imports
// examples/scale/backend) is a harness around it. Narrower than
// testLooking: a runtime library may live under pkg/tools or pkg/fake.
var codeLooking = func() map[string]string {
	out := map[string]string{}
	for _, k := range []string{"test", "tests", "e2e", "example", "examples", "bench", "benchmark", "benchmarks"} {
		out[k] = testLooking[k]
	}
	return out
}()

// Proposal is an exclude entry Starter proposes: a glob and the main
// packages it covers.
type Proposal struct {
	Glob  string   // "<dir>/**", the directory escaped for doublestar
	Dir   string   // the directory that names it, e.g. e2e or internal/tools
	Why   string   // what its programs look like, e.g. "end-to-end tests"
	Mains []string // the main package directories it excludes, sorted
	// Via is, for a main outside such a directory, the package directory
	// under one that it imports (Dir is then the main's own directory).
	Via string
}

// Proposals lists the exclude entries Starter proposes, sorted by
// directory: for each main package with a test-looking directory in its
// path (the first one from the root), that directory and everything
// under it; for a main outside one that imports a package under a test or
// example directory (codeLooking), the main's own directory.
func Proposals(found []Found) []Proposal {
	byDir := map[string]*Proposal{}
	for _, f := range found {
		if dir, why, ok := testLookingDir(f.Dir, testLooking); ok {
			if byDir[dir] == nil {
				byDir[dir] = &Proposal{Glob: DirGlob(dir), Dir: dir, Why: why}
			}
			byDir[dir].Mains = append(byDir[dir].Mains, f.Dir)
			continue
		}
		for _, imp := range f.Imports {
			if _, why, ok := testLookingDir(imp, codeLooking); ok && f.Dir != "." && !strings.HasPrefix(imp, f.Dir+"/") {
				byDir[f.Dir] = &Proposal{Glob: DirGlob(f.Dir), Dir: f.Dir, Why: why, Mains: []string{f.Dir}, Via: imp}
				break
			}
		}
	}
	var out []Proposal
	for _, p := range byDir {
		slices.Sort(p.Mains)
		out = append(out, *p)
	}
	slices.SortFunc(out, func(a, b Proposal) int { return strings.Compare(a.Dir, b.Dir) })
	return out
}

// testLookingDir returns the first directory of path, from the root, whose
// name is in names, and what names says its programs are.
func testLookingDir(dir string, names map[string]string) (string, string, bool) {
	parts := strings.Split(dir, "/")
	for i, p := range parts {
		if why, ok := names[strings.ToLower(p)]; ok {
			return strings.Join(parts[:i+1], "/"), why, true
		}
	}
	return "", "", false
}

// Starter writes a starter deployorder.yaml: the services found, grouped
// by directory, as commented-out entries (a declared main that is later
// deleted would be an error in every plan, so nothing is declared until
// someone means it), and an exclude entry for each Proposal, with a
// comment that names the main packages it covers and why. Nothing is
// excluded without a line that says so. Parse reads the result.
func Starter(found []Found) []byte {
	proposals := Proposals(found)
	excluded := map[string]bool{}
	for _, p := range proposals {
		for _, m := range p.Mains {
			excluded[m] = true
		}
	}
	var services []Found
	for _, f := range found {
		if !excluded[f.Dir] {
			services = append(services, f)
		}
	}
	b := &strings.Builder{}
	b.WriteString(`# deployorder.yaml, written by deployorder init. Every key is optional; the
# README's "Config: deployorder.yaml" describes them all (ignore, contracts,
# soak, accept, ...).
`)
	writeServices(b, services)
	writeExcludes(b, proposals)
	return []byte(b.String())
}

func writeServices(b *strings.Builder, services []Found) {
	if len(services) == 0 {
		b.WriteString("\n# deployorder found no main package to deploy as a service. Declare services\n# without Go code by the paths they own:\n#\n# services:\n#   - name: docs-site\n#     paths: [\"site/**\"]\n")
		return
	}
	fmt.Fprintf(b, `
# deployorder found %s (main packages outside testdata, vendor
# and _ or . directories), each named after its directory. To rename one, or
# to give it paths it owns outside its directory (manifests, charts),
# uncomment "services:" and its entry, and edit it.
#
# services:
`, plural(len(services), "service", "services"))
	byGroup := map[string][]Found{}
	var groups []string
	for _, s := range services {
		g := path.Dir(s.Dir)
		if s.Dir == "." {
			g = ""
		}
		if byGroup[g] == nil {
			groups = append(groups, g)
		}
		byGroup[g] = append(byGroup[g], s)
	}
	slices.Sort(groups)
	for _, g := range groups {
		label := g + "/"
		switch g {
		case ".":
			label = "directly under the repository root" // cmd/, not the root's own main
		case "":
			label = "the repository root"
		}
		fmt.Fprintf(b, "#   # %s\n", comment(label))
		for _, s := range byGroup[g] {
			fmt.Fprintf(b, "#   - name: %s\n#     main: %s\n", yamlString(s.Name), yamlString(s.Dir))
		}
	}
}

func writeExcludes(b *strings.Builder, proposals []Proposal) {
	if len(proposals) == 0 {
		b.WriteString(`
# No main package looked like a test, example or tool program. Main packages
# that are not services can be excluded by their directories:
#
# exclude: ["tests/apps/**"]
`)
		return
	}
	b.WriteString(`
# Main packages that look like test, example or tool programs: deployorder
# init proposes not to plan them as services. Delete an entry to plan its
# programs as services again.
exclude:
`)
	for _, p := range proposals {
		if p.Via != "" {
			under, _, _ := testLookingDir(p.Via, codeLooking)
			fmt.Fprintf(b, "  # %s: its main imports %s, and %s/ usually holds %s\n", comment(p.Dir), comment(p.Via), comment(under), p.Why)
		} else {
			fmt.Fprintf(b, "  # %s: under %s/, which usually holds %s\n", comment(strings.Join(p.Mains, ", ")), comment(p.Dir), p.Why)
		}
		fmt.Fprintf(b, "  - %s\n", yamlString(p.Glob))
	}
}

// DirGlob is the exclude glob of a directory and everything under it, the
// directory's name escaped for doublestar.
func DirGlob(dir string) string { return escapeGlob(dir) + "/**" }

// escapeGlob escapes doublestar's special characters in a literal path.
func escapeGlob(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]{}\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// yamlString writes s as a YAML scalar: plain when it is a word or path
// that YAML reads as that string, else double-quoted (Go's escapes are a
// subset of YAML's).
func yamlString(s string) string {
	if plainYAML.MatchString(s) && !yamlWords[strings.ToLower(s)] {
		return s
	}
	return strconv.Quote(s)
}

var plainYAML = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9._/-]*$`)

// yamlWords are plain scalars YAML reads as something other than a string.
var yamlWords = map[string]bool{"null": true, "true": true, "false": true, "yes": true, "no": true, "on": true, "off": true, "y": true, "n": true}

// comment keeps text from a directory name inside one comment line.
func comment(s string) string {
	if strings.ContainsFunc(s, unicode.IsControl) {
		q := strconv.Quote(s)
		return q[1 : len(q)-1]
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
