package gen

import (
	"fmt"
	"go/format"
	"sort"
	"strings"
)

// role is one thing a service does with one message type.
type role struct {
	api *contract
	t   *msgType
	w   *writer
	r   *reader
}

// roles lists what service i writes and reads, in contract order.
func (m *model) roles(i int) []role {
	var out []role
	for _, c := range m.apis {
		for _, t := range c.types {
			for j := range t.writers {
				if t.writers[j].svc == i {
					out = append(out, role{api: c, t: t, w: &t.writers[j]})
				}
			}
			for _, r := range t.readers {
				if r.svc == i {
					out = append(out, role{api: c, t: t, r: r})
				}
			}
		}
	}
	return out
}

// renderService renders a service's main.go, Dockerfile and config.yaml.
// Contract code sits in its own functions at the end of main.go, away from
// work and version, which plain commits edit.
func renderService(m *model, i int) map[string]string {
	s := m.svcs[i]
	roles := m.roles(i)
	std := []string{"bytes", "fmt", "os"}
	var local []string
	seen := map[string]bool{}
	for _, r := range roles {
		std = append(std, "encoding/json")
		if (r.w != nil && r.w.stream) || (r.r != nil && r.r.stream) {
			std = append(std, "io")
		}
		if !seen[r.api.dir] {
			seen[r.api.dir] = true
			local = append(local, module+"/"+r.api.dir)
		}
	}
	libs := m.liveLibs(s.libs)
	for _, l := range libs {
		local = append(local, module+"/"+l.dir)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "// Command %s is the %s service.\npackage main\n\n", s.name, s.name)
	writeImports(&b, std, local)
	fmt.Fprintf(&b, "\nconst (\n\tservice = %q\n\tversion = \"1.%d.0\"\n)\n", s.name, s.version)
	b.WriteString(`
func main() {
	if err := run(work(len(os.Args))); err != nil {
		fmt.Fprintln(os.Stderr, service+":", err)
		os.Exit(1)
	}
}
`)
	fmt.Fprintf(&b, "\n// work combines the libraries %s is built from.\nfunc work(n int) int {\n\ttotal := n + %d\n", s.name, s.k[0]+s.variant)
	for j, l := range libs {
		if j%2 == 0 {
			fmt.Fprintf(&b, "\ttotal += %s.%s(total)\n", l.name, l.entry())
		} else {
			fmt.Fprintf(&b, "\ttotal += %s.%s(total %% %d)\n", l.name, l.entry(), s.k[1])
		}
	}
	lim := s.k[1] + 7*s.variant
	fmt.Fprintf(&b, "\tif total > %d {\n\t\ttotal %%= %d\n\t}\n", lim, lim)
	if s.variant%4 == 3 {
		fmt.Fprintf(&b, "\ttotal ^= %d\n", s.k[2]+s.variant)
	}
	b.WriteString("\treturn total\n}\n")
	b.WriteString("\n// run publishes and consumes the service's messages.\nfunc run(n int) error {\n\tvar buf bytes.Buffer\n")
	for _, r := range roles {
		fmt.Fprintf(&b, "\tif %s; err != nil {\n\t\treturn err\n\t}\n", callRole(r))
	}
	b.WriteString("\tfmt.Println(service, version, n, buf.Len())\n\treturn nil\n}\n")
	for _, r := range roles {
		if r.w != nil {
			writeWriter(&b, s, r)
		} else {
			writeReader(&b, r)
		}
	}
	return map[string]string{
		s.dir + "/main.go":     gofmt(s.dir, b.String()),
		s.dir + "/Dockerfile":  dockerfile(s, i),
		s.dir + "/config.yaml": configYAML(s),
	}
}

func callRole(r role) string {
	switch {
	case r.w != nil && r.w.stream:
		return fmt.Sprintf("err := publish%s(&buf, n)", r.t.name)
	case r.w != nil:
		return fmt.Sprintf("_, err := encode%s(n)", r.t.name)
	case r.r.stream:
		return fmt.Sprintf("_, err := consume%s(&buf)", r.t.name)
	default:
		return fmt.Sprintf("_, err := decode%s(buf.Bytes())", r.t.name)
	}
}

func writeWriter(b *strings.Builder, s *service, r role) {
	q := r.api.name + "." + r.t.name
	if r.w.stream {
		fmt.Fprintf(b, "\n// publish%s writes one %s for n as JSON.\nfunc publish%s(w io.Writer, n int) error {\n", r.t.name, q, r.t.name)
	} else {
		fmt.Fprintf(b, "\n// encode%s encodes one %s for n as JSON.\nfunc encode%s(n int) ([]byte, error) {\n", r.t.name, q, r.t.name)
	}
	fmt.Fprintf(b, "\tv := %s{\n", q)
	for _, f := range r.t.fields {
		fmt.Fprintf(b, "\t\t%s: %s,\n", f.goName, writeValue(s, f))
	}
	if r.t.items {
		fmt.Fprintf(b, "\t\tItems: []%sItem{{Code: %q, Amount: n}},\n", q, s.name)
	}
	if r.t.meta {
		fmt.Fprintf(b, "\t\tMeta: %sMeta{Source: %q, Attempt: 1},\n", q, s.name)
	}
	b.WriteString("\t}\n")
	if r.w.stream {
		b.WriteString("\treturn json.NewEncoder(w).Encode(v)\n}\n")
	} else {
		b.WriteString("\treturn json.Marshal(v)\n}\n")
	}
}

func writeValue(s *service, f *field) string {
	switch f.kind {
	case kString:
		return fmt.Sprintf("%q + fmt.Sprint(n)", s.name+"-")
	case kInt:
		return fmt.Sprintf("n + %d", len(f.tag))
	case kFloat:
		return "float64(n) * 1.5"
	default:
		return "n%2 == 0"
	}
}

func writeReader(b *strings.Builder, r role) {
	q := r.api.name + "." + r.t.name
	if r.r.stream {
		fmt.Fprintf(b, "\n// consume%s reads one %s and sums the fields this service uses.\nfunc consume%s(r io.Reader) (int, error) {\n", r.t.name, q, r.t.name)
		fmt.Fprintf(b, "\tvar v %s\n\tif err := json.NewDecoder(r).Decode(&v); err != nil {\n\t\treturn 0, err\n\t}\n", q)
	} else {
		fmt.Fprintf(b, "\n// decode%s decodes one %s and sums the fields this service uses.\nfunc decode%s(data []byte) (int, error) {\n", r.t.name, q, r.t.name)
		fmt.Fprintf(b, "\tvar v %s\n\tif err := json.Unmarshal(data, &v); err != nil {\n\t\treturn 0, err\n\t}\n", q)
	}
	b.WriteString("\ttotal := 0\n")
	for _, f := range r.r.reads {
		switch f.kind {
		case kString:
			fmt.Fprintf(b, "\ttotal += len(v.%s)\n", f.goName)
		case kInt:
			fmt.Fprintf(b, "\ttotal += v.%s\n", f.goName)
		case kFloat:
			fmt.Fprintf(b, "\ttotal += int(v.%s)\n", f.goName)
		default:
			fmt.Fprintf(b, "\tif v.%s {\n\t\ttotal++\n\t}\n", f.goName)
		}
	}
	if r.r.items {
		b.WriteString("\tfor _, it := range v.Items {\n\t\ttotal += it.Amount + len(it.Code)\n\t}\n")
	}
	if r.r.meta {
		b.WriteString("\ttotal += len(v.Meta.Source) + v.Meta.Attempt\n")
	}
	b.WriteString("\treturn total, nil\n}\n")
}

func dockerfile(s *service, i int) string {
	levels := []string{"info", "debug", "warn"}
	return fmt.Sprintf(`# syntax=docker/dockerfile:1
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/%[1]s ./%[2]s

FROM gcr.io/distroless/static-debian12
COPY --from=build /out/%[1]s /%[1]s
ENV GOMAXPROCS=%[3]d LOG_LEVEL=%[4]s
EXPOSE %[5]d
USER nonroot
ENTRYPOINT ["/%[1]s"]
`, s.name, s.dir, 2+s.docker%4, levels[s.docker%3], 8000+i)
}

func configYAML(s *service) string {
	return fmt.Sprintf("service: %s\nreplicas: %d\ntimeout: %ds\nrollout:\n  max_surge: %d\n  max_unavailable: 0\n",
		s.name, 2+s.config%5, 5+5*(s.config%7), 1+s.config%3)
}

// liveLibs returns the libraries at the given indices that still exist.
func (m *model) liveLibs(ids []int) []*lib {
	var out []*lib
	for _, id := range ids {
		if l := m.libs[id]; !l.gone {
			out = append(out, l)
		}
	}
	return out
}

// writeImports writes an import block: standard packages, then module ones.
func writeImports(b *strings.Builder, std, local []string) {
	std, local = dedupe(std), dedupe(local)
	switch all := append(std, local...); len(all) {
	case 0:
		return
	case 1:
		fmt.Fprintf(b, "import %q\n", all[0])
		return
	}
	b.WriteString("import (\n")
	for _, p := range std {
		fmt.Fprintf(b, "\t%q\n", p)
	}
	if len(std) > 0 && len(local) > 0 {
		b.WriteString("\n")
	}
	for _, p := range local {
		fmt.Fprintf(b, "\t%q\n", p)
	}
	b.WriteString(")\n")
}

func dedupe(xs []string) []string {
	sort.Strings(xs)
	var out []string
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// gofmt formats generated source. A failure is a bug in a template.
func gofmt(dir, src string) string {
	out, err := format.Source([]byte(src))
	if err != nil {
		panic(fmt.Sprintf("generated code in %s does not parse: %v\n%s", dir, err, src))
	}
	return string(out)
}
