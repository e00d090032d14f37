package access

import (
	"go/token"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMissingImportsArePartialNotErrors checks that a package importing
// packages without source still type-checks in part, and that the errors
// that only follow from them (undefined names of the missing packages,
// under their assumed names or aliases) are counted apart from real type
// errors.
func TestMissingImportsArePartialNotErrors(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		errs    int
		partial int
		missing []string
	}{
		{
			name: "only missing",
			src: `package main

import (
	"context"

	"example.com/gone/log"
	yaml "gopkg.in/yaml.v3"
	"github.com/mattn/go-sqlite3"
	"example.com/gone/v2"
)

func main() {
	ctx := context.Background()
	log.Info(ctx, "x")
	_ = yaml.Marshal
	_ = sqlite3.Version
	_ = gone.New()
	var _ context.Context = ctx
}
`,
			partial: 4, missing: []string{"example.com/gone/log", "example.com/gone/v2", "github.com/mattn/go-sqlite3", "gopkg.in/yaml.v3"},
		},
		{
			name: "a real error besides",
			src: `package main

import "example.com/gone/log"

func main() {
	log.Info("x")
	var n int = "oops"
	_ = n
}
`,
			errs: 1, partial: 1, missing: []string{"example.com/gone/log"},
		},
		{
			name: "a field promoted from a type of a missing package",
			src: `package main

import "example.com/gone/retry"

type Retry struct {
	retry.Config
	name string
}

type Local struct{ name string }

func main() {
	r := &Retry{}
	_ = r.MaxRetries
	l := Local{}
	_ = l.MaxRetries
}
`,
			errs: 1, partial: 2, missing: []string{"example.com/gone/retry"},
		},
		{
			name: "an import used only inside an expression of a missing package",
			src: `package main

import (
	"example.com/gone/loop"
	"strings"
)

var conns []loop.Interface[strings.Builder]

func main() { _ = conns }
`,
			partial: 2, missing: []string{"example.com/gone/loop"},
		},
		{
			name: "an import that no module provides is an error",
			src: `package main

import "example.com/typo"

func main() { typo.Run() }
`,
			errs: 1,
		},
		{
			name: "an undefined name of a package that is there is an error",
			src: `package main

import "strings"

func main() { strings.NoSuch() }
`,
			errs: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := memSource(map[string]string{"example.com/m/cmd/app": tt.src, "context": "package context\n\ntype Context interface{}\n\nfunc Background() Context { return nil }\n",
				"strings": "package strings\n"})
			u := NewUniverse("head", token.NewFileSet(), src)
			u.Absent = func(ip string) bool { return ip != "example.com/typo" }
			tp := u.Get("example.com/m/cmd/app")
			if len(tp.Errs) != tt.errs || tp.Partial != tt.partial {
				t.Errorf("errors %q, %d partial; want %d errors, %d partial", tp.Errs, tp.Partial, tt.errs, tt.partial)
			}
			var missing []string
			for _, ip := range []string{"context", "strings", "example.com/gone/log", "example.com/gone/loop", "example.com/gone/retry", "example.com/gone/v2", "github.com/mattn/go-sqlite3", "gopkg.in/yaml.v3"} {
				if u.IsMissing(ip) {
					missing = append(missing, ip)
				}
			}
			if diff := cmp.Diff(tt.missing, missing); diff != "" {
				t.Errorf("missing (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAssumedName(t *testing.T) {
	tests := map[string]string{
		"example.com/x/log":           "log",
		"example.com/x/v2":            "x",
		"gopkg.in/yaml.v3":            "yaml",
		"github.com/mattn/go-sqlite3": "sqlite3",
		"google.golang.org/grpc":      "grpc",
		"github.com/x/grpc-go":        "grpc",
		"v2":                          "v2",
	}
	for ip, want := range tests {
		t.Run(ip, func(t *testing.T) {
			if got := AssumedName(ip); got != want {
				t.Errorf("AssumedName(%q) = %q, want %q", ip, got, want)
			}
		})
	}
}
