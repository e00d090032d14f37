package planner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/deployorder/deployorder/change"
	"github.com/deployorder/deployorder/contract"
	"github.com/deployorder/deployorder/graph"
)

// The rule tests describe the elements of a range as data: each element
// with its providers and consumers at base and head, in a small notation.

// el is an element of contract "T" (JSON) unless kind and contract are set;
// for a process kind (env, flag, annotation) contract is the launched
// program.
type el struct {
	kind     contract.Kind
	contract string
	key      string
	name     string // Go field name
	base     string // "p: svc svc; c: svc svc[guard=k]"; "-" when the element does not exist at base
	head     string
	nested   []string // contract types inside its value
	request  bool     // the contract's types travel only in requests (contract.Contract.Request)
}

// res builds a contract analysis from elements: every element is changed
// when its two sides differ.
func res(els ...el) *contract.Result {
	out := &contract.Result{}
	byName := map[string]*contract.Contract{}
	for _, x := range els {
		kind, name := x.kind, x.contract
		if kind == "" {
			kind = contract.JSON
		}
		if name == "" {
			name = "T"
		}
		c := byName[name]
		if c == nil {
			c = &contract.Contract{ID: "example.com/api." + name, Name: name, Kind: kind, Types: []string{"example.com/api." + name}}
			if kind.IsProcess() { // contract names the launched program
				c.ID, c.Name, c.Types = string(kind)+":"+name, name+" "+string(kind), nil
			}
			byName[name] = c
			out.Contracts = append(out.Contracts, c)
		}
		c.Request = c.Request || x.request
		e := &contract.Element{Key: x.key, Name: x.name, Nested: x.nested}
		for i, spec := range []string{x.base, x.head} {
			side := contract.Sides[i]
			e.Providers[side], e.Consumers[side] = contract.Roles{}, contract.Roles{}
			if spec == "-" {
				continue
			}
			e.Type[side] = "string"
			e.Decl[side] = contract.Pos{File: "api/api.go", Line: 10 + i}
			parseRoles(spec, side, e)
		}
		e.Changed = x.base != x.head
		c.Elements = append(c.Elements, e)
		for _, side := range contract.Sides {
			for _, r := range []contract.Roles{e.Providers[side], e.Consumers[side]} {
				for svc := range r {
					if !slices.Contains(c.Importers[side], svc) {
						c.Importers[side] = append(c.Importers[side], svc)
						slices.Sort(c.Importers[side])
					}
				}
			}
		}
	}
	return out
}

// parseRoles reads "p: a b; c: x y[guard=k1,k2] z[optional]" into an
// element's side.
func parseRoles(spec string, side contract.Side, e *contract.Element) {
	for _, part := range strings.Split(spec, ";") {
		role, list, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok {
			continue
		}
		for _, svc := range strings.Fields(list) {
			var guards []string
			optional, required := false, false
			if name, mods, ok := strings.Cut(svc, "["); ok {
				svc = name
				mods = strings.TrimSuffix(mods, "]")
				if g, ok := strings.CutPrefix(mods, "guard="); ok {
					guards = strings.Split(g, ",")
				}
				optional = mods == "optional"
				required = mods == "required"
			}
			place := contract.Place{Pos: contract.Pos{File: "cmd/" + svc + "/main.go", Line: 20 + int(side)}, Func: "main." + svc, Guards: guards, Optional: optional, Required: required}
			switch role {
			case "p":
				e.Providers[side][svc] = append(e.Providers[side][svc], place)
			case "c":
				e.Consumers[side][svc] = append(e.Consumers[side][svc], place)
			}
		}
	}
}

// checked runs the rules with every service that appears deployable.
func checked(r *contract.Result) *checker {
	set := map[string]bool{}
	for _, c := range r.Contracts {
		for _, e := range c.Elements {
			for _, side := range contract.Sides {
				for _, roles := range []contract.Roles{e.Providers[side], e.Consumers[side]} {
					for s := range roles {
						set[s] = true
					}
				}
			}
		}
		for _, side := range contract.Sides {
			for _, s := range c.Importers[side] {
				set[s] = true
			}
		}
	}
	return check(r, sortedSet(set))
}

// constraintStrings shows constraints as "from>to RULE key" (with
// " tolerant" for a non-critical one).
func constraintStrings(cs []Constraint) []string {
	var out []string
	for _, c := range cs {
		s := fmt.Sprintf("%s>%s %s %s", c.From, c.To, c.Rule, c.Key)
		if !c.Critical {
			s += " tolerant"
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// findingStrings shows findings as "severity CODE message", or
// "severity CODE element: message" for a finding about an element.
func findingStrings(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		about := ""
		if f.Element != "" {
			about = f.Element + ": "
		}
		out = append(out, fmt.Sprintf("%s %s %s%s", f.Severity, f.Code, about, f.Message))
	}
	slices.Sort(out)
	return out
}

// input is a plan's input for a range of one commit that changes the given
// services, with the given contract analysis.
func input(services []string, r *contract.Result) Input {
	sha := strings.Repeat("c", 40)
	rg := &change.Range{Spec: "HEAD", Head: strings.Repeat("b", 40), Base: strings.Repeat("a", 40),
		Commits: []change.Commit{{SHA: sha, Subject: "change"}}}
	im := &graph.Impact{Commits: map[string][]string{sha: services}}
	for _, s := range services {
		im.Services = append(im.Services, &graph.ServiceImpact{Service: &graph.Service{Name: s, Main: "example.com/" + s}, Status: graph.Changed})
	}
	im.Services = append(im.Services, &graph.ServiceImpact{Service: &graph.Service{Name: "zz-idle"}, Status: graph.Unchanged})
	return Input{Range: rg, Impact: im, Contracts: r}
}
