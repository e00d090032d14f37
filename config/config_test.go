package config

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	src := `# services and paths
services:
  - name: billing-api
    main: cmd/billing
    paths: ["deploy/billing/**", "charts/billing/*.yaml"]
  - name: docs-site
    paths: [site/**]
ignore: ["docs/**", "**/*.md"]
exclude: [tests/apps/**]
contracts:
  - name: metadata-api
    types: [example.com/mono/api.Response, example.com/mono/billing/client.Response]
  - types: [example.com/mono/internal/x.Thing]
ignore_contracts: ["example.com/mono/internal/debug.*"]
external:
  - name: mobile-app
    contracts: ["example.com/mono/api.*", metadata-api]
    consumes: true
  - name: sdk
    contracts: [example.com/mono/api.Request]
    provides: true
launches:
  - {launcher: operator, program: helper, container: sidecar}
  - {launcher: operator, program: proxy, image: "quay.io/org/proxy:*"}
soak: 2d
accept:
  - rule: STOP_CONSUME_BEFORE_STOP_PROVIDE
    element: Response.metadata
    reason: billing reads it from its cache until the next release
    expires: 2026-12-31
  - {rule: PROVIDE_BEFORE_CONSUME, element: "Event.*", reason: "  the consumer is behind a flag  "}
`
	got, err := Parse("deployorder.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Services: []Service{
			{Name: "billing-api", Main: "cmd/billing", Paths: []string{"deploy/billing/**", "charts/billing/*.yaml"}, Line: 3},
			{Name: "docs-site", Paths: []string{"site/**"}, Line: 6},
		},
		Ignore:  []string{"docs/**", "**/*.md"},
		Exclude: []string{"tests/apps/**"},
		Contracts: []Contract{
			{Name: "metadata-api", Types: []string{"example.com/mono/api.Response", "example.com/mono/billing/client.Response"}, Line: 11},
			{Types: []string{"example.com/mono/internal/x.Thing"}, Line: 13},
		},
		IgnoreContracts: []string{"example.com/mono/internal/debug.*"},
		External: []External{
			{Name: "mobile-app", Contracts: []string{"example.com/mono/api.*", "metadata-api"}, Consumes: true, Line: 16},
			{Name: "sdk", Contracts: []string{"example.com/mono/api.Request"}, Provides: true, Line: 19},
		},
		Launches: []Launch{
			{Launcher: "operator", Program: "helper", Container: "sidecar", Line: 23},
			{Launcher: "operator", Program: "proxy", Image: "quay.io/org/proxy:*", Line: 24},
		},
		Soak: 48 * time.Hour,
		Accept: []Accept{
			{Rule: "STOP_CONSUME_BEFORE_STOP_PROVIDE", Element: "Response.metadata", Reason: "billing reads it from its cache until the next release",
				Expires: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), Line: 27},
			{Rule: "PROVIDE_BEFORE_CONSUME", Element: "Event.*", Reason: "the consumer is behind a flag", Line: 31},
		},
	}
	if p, c := got.ExternalParties("metadata-api", "example.com/mono/billing/client.Response"); len(p) != 0 || !cmp.Equal(c, []string{"mobile-app"}) {
		t.Errorf("ExternalParties(metadata-api) = %v, %v; want no provider and mobile-app consuming", p, c)
	}
	if p, c := got.ExternalParties("Request", "example.com/mono/api.Request"); !cmp.Equal(p, []string{"sdk"}) || !cmp.Equal(c, []string{"mobile-app"}) {
		t.Errorf("ExternalParties(Request) = %v, %v; want sdk providing and mobile-app consuming", p, c)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
}

func TestMatchLaunches(t *testing.T) {
	c := &Config{Launches: []Launch{
		{Launcher: "operator", Program: "helper", Container: "sidecar"},
		{Launcher: "operator", Program: "proxy", Image: "quay.io/org/proxy:*"},
		{Launcher: "supervisor", Program: "worker", Command: "worker-bin"},
	}}
	tests := []struct {
		name                         string
		launcher                     string
		containers, images, commands []string
		want                         []string
	}{
		{"by container name", "operator", []string{"sidecar"}, nil, nil, []string{"helper"}},
		{"by image glob", "operator", nil, []string{"quay.io/org/proxy:v1"}, nil, []string{"proxy"}},
		{"by command", "supervisor", nil, nil, []string{"worker-bin"}, []string{"worker"}},
		{"another launcher's link", "supervisor", []string{"sidecar"}, nil, nil, nil},
		{"nothing named", "operator", []string{"main"}, []string{"busybox"}, []string{"sh"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, l := range c.MatchLaunches(tt.launcher, tt.containers, tt.images, tt.commands) {
				got = append(got, l.Program)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("MatchLaunches (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseEmpty(t *testing.T) {
	for _, src := range []string{"", "# only a comment\n", "---\n"} {
		c, err := Parse("deployorder.yaml", []byte(src))
		if err != nil || len(c.Services) != 0 {
			t.Errorf("Parse(%q) = %+v, %v; want an empty config", src, c, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unknown top key", "servces: []\n", `deployorder.yaml:1: unknown key "servces"; did you mean "services"?`},
		{"unknown service key", "services:\n  - name: a\n    mian: cmd/a\n", `deployorder.yaml:3: unknown key "mian"; did you mean "main"?`},
		{"bad glob", "ignore:\n  - docs/**\n  - \"[abc\"\n", `deployorder.yaml:3: ignore: bad glob "[abc"`},
		{"absolute glob", "exclude: [/tests/**]\n", `deployorder.yaml:1: exclude: bad glob "/tests/**": patterns are relative`},
		{"bad yaml", "services:\n  - name: a\n   main: b\n", `deployorder.yaml:3: invalid YAML`},
		{"tab yaml", "services:\n\t- name: a\n", `deployorder.yaml:2: invalid YAML`},
		{"duplicate service", "services:\n  - {name: a, main: x}\n  - {name: a, main: y}\n", `deployorder.yaml:3: duplicate service name "a" (first declared on line 2)`},
		{"service without main or paths", "services:\n  - name: a\n", `deployorder.yaml:2: service "a" needs main`},
		{"service without name", "services:\n  - main: cmd/a\n", `deployorder.yaml:2: a service needs a name`},
		{"services not a list", "services: billing\n", `deployorder.yaml:1: services must be a list`},
		{"bad contract type", "contracts:\n  - types: [Response]\n", `deployorder.yaml:2: contract type "Response" must be importpath.Type`},
		{"bound contract without name", "contracts:\n  - types: [a/b.X, c/d.X]\n", `deployorder.yaml:2: a contract that binds several types needs a name`},
		{"bad soak", "soak: forever\n", `deployorder.yaml:1: soak: "forever" is not a duration`},
		{"duplicate key", "ignore: []\nignore: []\n", `deployorder.yaml:2: invalid YAML: mapping key "ignore" already defined`},
		{"not a mapping", "- a\n- b\n", `deployorder.yaml:1: the file must be a mapping`},
		{"external without a role", "external:\n  - name: app\n    contracts: [x.Y]\n", `deployorder.yaml:2: external party "app" must provide or consume its contracts`},
		{"external without contracts", "external:\n  - name: app\n    consumes: true\n", `deployorder.yaml:2: external party "app" needs contracts`},
		{"external bad bool", "external:\n  - {name: app, contracts: [x], consumes: yes}\n", `deployorder.yaml:2: consumes must be true or false`},
		{"external unknown key", "external:\n  - {name: app, contract: [x]}\n", `deployorder.yaml:2: unknown key "contract"; did you mean "contracts"?`},
		{"accept not a list", "accept: STOP\n", `deployorder.yaml:1: accept must be a list of {rule, element, reason, expires}`},
		{"accept entry not a mapping", "accept:\n  - STOP\n", `deployorder.yaml:2: each accept entry must be a mapping`},
		{"accept unknown key", "accept:\n  - rule: R\n    element: A.b\n    reason: r\n    expire: 2026-01-01\n",
			`deployorder.yaml:5: unknown key "expire"; did you mean "expires"? (known keys: rule, element, reason, expires)`},
		{"accept without rule", "accept:\n  - element: A.b\n    reason: r\n", `deployorder.yaml:2: an accept entry needs a rule`},
		{"accept without element", "accept:\n  - rule: R\n    reason: r\n", `deployorder.yaml:2: an accept entry needs an element`},
		{"accept without reason", "accept:\n  - rule: R\n    element: A.b\n", `deployorder.yaml:2: an accept entry needs a reason`},
		{"accept with a blank reason", "accept:\n  - rule: R\n    element: A.b\n    reason: \"  \"\n", `deployorder.yaml:2: an accept entry needs a reason`},
		{"accept with a bad glob", "accept:\n  - rule: R\n    element: \"A.[b\"\n    reason: r\n", `deployorder.yaml:3: accept: bad element glob "A.[b": unbalanced`},
		{"accept with a bad date", "accept:\n  - rule: R\n    element: A.b\n    reason: r\n    expires: 2026-13-01\n",
			`deployorder.yaml:5: accept: expires "2026-13-01" is not a date; write YYYY-MM-DD`},
		{"accept with a date and time", "accept:\n  - rule: R\n    element: A.b\n    reason: r\n    expires: 2026-12-01T10:00:00Z\n",
			`deployorder.yaml:5: accept: expires "2026-12-01T10:00:00Z" is not a date`},
		{"accept rule not a string", "accept:\n  - rule: [R]\n    element: A.b\n    reason: r\n", `deployorder.yaml:2: rule must be a string`},
		{"launch without program", "launches:\n  - {launcher: op, container: c}\n", `deployorder.yaml:2: a launch needs launcher (the service that launches) and program`},
		{"launch without a name to match", "launches:\n  - {launcher: op, program: p}\n", `deployorder.yaml:2: launch of "p" by "op" needs container, image or command`},
		{"launch bad image glob", "launches:\n  - {launcher: op, program: p, image: \"a/[b\"}\n", `deployorder.yaml:2: image: bad glob "a/[b"`},
		{"launch unknown key", "launches:\n  - {launcher: op, program: p, containr: c}\n", `deployorder.yaml:2: unknown key "containr"; did you mean "container"?`},
		{"launches not a list", "launches: op\n", `deployorder.yaml:1: launches must be a list`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("deployorder.yaml", []byte(tt.src))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Parse error = %v\nwant prefix %s", err, tt.want)
			}
		})
	}
}

func TestMatchAny(t *testing.T) {
	globs := []string{"docs/**", "**/*.md", "deploy/{a,b}/*.yaml"}
	for path, want := range map[string]bool{
		"docs/x/y.txt":        true,
		"README.md":           true,
		"svc/notes/README.md": true,
		"deploy/a/k.yaml":     true,
		"deploy/c/k.yaml":     false,
		"cmd/api/main.go":     false,
	} {
		if got := MatchAny(globs, path); got != want {
			t.Errorf("MatchAny(%q) = %v, want %v", path, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("services:\n  - name: a\n    main: cmd/a\n"))
	f.Add([]byte("ignore: [\"[\"]\nsoak: 1d\n"))
	f.Add([]byte("contracts:\n  - name: x\n    types: [a/b.C]\n"))
	f.Add([]byte("{"))
	f.Add([]byte("accept:\n  - {rule: R, element: \"A.*\", reason: r, expires: 2026-01-02}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("f.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		names := map[string]bool{}
		for _, s := range c.Services {
			if s.Name == "" || names[s.Name] {
				t.Fatalf("accepted an empty or duplicate service name: %+v", c.Services)
			}
			names[s.Name] = true
		}
		for _, a := range c.Accept {
			if a.Rule == "" || a.Element == "" || strings.TrimSpace(a.Reason) == "" || a.Line == 0 {
				t.Fatalf("accepted an accept entry without rule, element, reason or line: %+v", a)
			}
		}
	})
}
