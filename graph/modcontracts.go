package graph

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Contracts defined outside the repository: a module the range moves to
// another version may define the gRPC services that the repository's
// services serve and call (a protocol module). deployorder compares only
// the contracts the repository defines, so it says so, instead of
// planning as if nothing changed between them.

// grpcService finds a service a generated gRPC file describes (var
// Foo_ServiceDesc = grpc.ServiceDesc{ServiceName: "pkg.Foo"}: Go name and
// full name); connectProcedure a Connect file's procedures
// ("/pkg.FooService/Method").
var (
	grpcService      = regexp.MustCompile(`var\s+(\w+)_ServiceDesc\s*=\s*grpc\.ServiceDesc\{\s*ServiceName:\s*"([A-Za-z0-9_.]+)"`)
	connectProcedure = regexp.MustCompile(`Procedure\s*=\s*"/([A-Za-z0-9_.]+)/[A-Za-z0-9_]+"`)
)

// moduleContracts returns the finding for a module change whose packages
// define gRPC or Connect services that the repository's code both serves
// (RegisterFooServer, Foo_ServiceDesc, NewFooServiceHandler) and calls
// (NewFooClient, NewFooServiceClient), in a module two services or more
// import; ok is false when there are none. A service only called (a cloud
// provider's API) or only served (a public protocol such as OTLP, which
// outside clients send) has one side outside the repository: no deploy
// order of the repository's services applies to it. gRPC's own services
// (grpc.health.v1.Health and the like) are left out too.
func (im *impactor) moduleContracts(c modChange, services map[string]bool) (Warning, bool) {
	if len(services) < 2 || c.to == "" {
		return Warning{}, false
	}
	type signs struct{ serve, call []string }
	names := map[string]bool{}
	for _, p := range im.w.Packages {
		if p.InRepo || p.Module != c.module || len(im.repoImporters(p.ImportPath)) == 0 {
			continue
		}
		defined := map[string]*signs{} // by the service's full name
		for _, f := range p.GoFiles {
			data, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			for _, m := range grpcService.FindAllSubmatch(data, -1) {
				goName, full := string(m[1]), string(m[2])
				if strings.HasPrefix(full, "grpc.") {
					// gRPC's own protocols (health, reflection, channelz):
					// versioned, and never changed in place.
					continue
				}
				defined[full] = &signs{serve: []string{"Register" + goName + "Server(", goName + "_ServiceDesc"}, call: []string{"New" + goName + "Client("}}
			}
			for _, m := range connectProcedure.FindAllSubmatch(data, -1) {
				full := string(m[1])
				short := full[strings.LastIndex(full, ".")+1:]
				defined[full] = &signs{serve: []string{"New" + short + "Handler("}, call: []string{"New" + short + "Client("}}
			}
		}
		if len(defined) == 0 {
			continue
		}
		served, called := map[string]bool{}, map[string]bool{}
		for _, imp := range im.repoImporters(p.ImportPath) {
			for _, f := range imp.GoFiles {
				data, err := os.ReadFile(filepath.Join(im.w.Root, filepath.FromSlash(f)))
				if err != nil {
					continue
				}
				for full, sg := range defined {
					for _, sign := range sg.serve {
						served[full] = served[full] || bytes.Contains(data, []byte(sign))
					}
					for _, sign := range sg.call {
						called[full] = called[full] || bytes.Contains(data, []byte(sign))
					}
				}
			}
		}
		for full := range defined {
			if served[full] && called[full] {
				names[full] = true
			}
		}
	}
	if len(names) == 0 {
		return Warning{}, false
	}
	list := sortedKeys(names)
	if len(list) > 3 {
		list = append(list[:3:3], fmt.Sprintf("%d more", len(list)-3))
	}
	svcs := sortedKeys(services)
	if len(svcs) > 4 {
		svcs = append(svcs[:3:3], fmt.Sprintf("%d more", len(svcs)-3))
	}
	from := c.from
	if from == "" {
		from = "(none)"
	}
	msg := fmt.Sprintf("the range moves %s from %s to %s, which defines the gRPC services %s that the repository serves and calls, and %s import it; deployorder compares only the contracts this repository defines, so changes to these services' methods and messages are not ordered: compare the two versions (buf breaking) before this deploys",
		c.module, from, c.to, JoinNames(list), JoinNames(svcs))
	return Warning{Code: "MODULE_CONTRACTS", File: c.file, Message: msg,
		Cause: "a module the range moves defines gRPC services the repository serves and calls: their changes are not compared"}, true
}

// repoImporters are the repository's packages that import ip.
func (im *impactor) repoImporters(ip string) []*Package {
	if im.repoImports == nil {
		im.repoImports = map[string][]*Package{}
		for _, k := range sortedKeys(im.w.Packages) {
			if p := im.w.Packages[k]; p.InRepo {
				for _, imp := range p.Imports {
					im.repoImports[imp] = append(im.repoImports[imp], p)
				}
			}
		}
	}
	return im.repoImports[ip]
}

// JoinNames joins names as people list them: "a", "a and b", "a, b and
// c". Findings name services and keys this way.
func JoinNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
