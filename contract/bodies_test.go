package contract

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/deployorder/deployorder/contract/access"
)

// Stand-ins for the packages whose calls bodyDirections reads, under their
// real import paths.
var bodyStubs = map[string]string{
	"io": `package io
type Reader interface{ Read(p []byte) (int, error) }
func ReadAll(r Reader) ([]byte, error) { return nil, nil }`,
	"net/http": `package http
import "io"
type Header map[string][]string
type Request struct{ Body io.Reader }
type Response struct{ Body io.Reader }
type ResponseWriter interface {
	Header() Header
	Write([]byte) (int, error)
	WriteHeader(int)
}`,
	"encoding/json": `package json
import "io"
type Decoder struct{}
func NewDecoder(r io.Reader) *Decoder { return nil }
func (*Decoder) Decode(v any) error { return nil }
type Encoder struct{}
func NewEncoder(w interface{ Write([]byte) (int, error) }) *Encoder { return nil }
func (*Encoder) Encode(v any) error { return nil }
func Unmarshal(data []byte, v any) error { return nil }
func Marshal(v any) ([]byte, error) { return nil, nil }`,
	"google.golang.org/protobuf/proto": `package proto
func Unmarshal(b []byte, m any) error { return nil }`,
	"github.com/gin-gonic/gin": `package gin
type Context struct{}
func (*Context) ShouldBindJSON(v any) error { return nil }
func (*Context) JSON(code int, v any) {}`,
}

type stubImporter struct {
	fset *token.FileSet
	pkgs map[string]*types.Package
}

func (im *stubImporter) Import(path string) (*types.Package, error) {
	if p := im.pkgs[path]; p != nil {
		return p, nil
	}
	f, err := parser.ParseFile(im.fset, path+".go", bodyStubs[path], 0)
	if err != nil {
		return nil, err
	}
	p, err := (&types.Config{Importer: im}).Check(path, im.fset, []*ast.File{f}, nil)
	im.pkgs[path] = p
	return p, err
}

// TestBodyDirections: the direction each decoding and encoding site shows
// for the types it handles.
func TestBodyDirections(t *testing.T) {
	const src = `package svc

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"
	"google.golang.org/protobuf/proto"
)

type Queued struct{ A string }
type Direct struct{ A string }
type ViaDecoder struct{ A string }
type ViaReadAll struct{ A string }
type Stored struct{ A string }
type Both struct{ A string }
type Reply struct{ A string }
type Written struct{ A string }
type Bound struct{ A string }
type GinReply struct{ A string }
type Built struct{ A string }
type Wrapped struct{ A string }

type recorder struct{ http.ResponseWriter }

func handle(w http.ResponseWriter, r *http.Request) {
	var d Direct
	json.NewDecoder(r.Body).Decode(&d)
	dec := json.NewDecoder(r.Body)
	var items []ViaDecoder
	dec.Decode(&items)
	data, _ := io.ReadAll(r.Body)
	var v ViaReadAll
	json.Unmarshal(data, &v)
	var b Both
	json.Unmarshal(data, &b)
	json.NewEncoder(w).Encode(Written{})
	json.NewEncoder(recorder{w}).Encode(Wrapped{})
}

func consume(msg []byte) {
	var q Queued
	proto.Unmarshal(msg, &q)
}

func load(file []byte) {
	var s Stored
	json.Unmarshal(file, &s)
	var b Both
	json.Unmarshal(file, &b)
}

func call(resp *http.Response) {
	var r Reply
	json.NewDecoder(resp.Body).Decode(&r)
	json.Marshal(Built{})
}

func ginHandle(c *gin.Context) {
	var b Bound
	c.ShouldBindJSON(&b)
	c.JSON(200, &GinReply{})
}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "svc.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{}}
	pkg, err := (&types.Config{Importer: &stubImporter{fset, map[string]*types.Package{}}}).Check("example.com/svc", fset, []*ast.File{f}, info)
	if err != nil {
		t.Fatal(err)
	}
	got := bodyDirections(&access.Package{Types: pkg, Files: []*ast.File{f}, Info: info})
	// A package that imports encoding/json alone is read too.
	const plain = `package plain

import (
	"encoding/json"
	"net/http"
)

type Plain struct{ A string }

func handle(r *http.Request) {
	var p Plain
	json.NewDecoder(r.Body).Decode(&p)
}
`
	pf, err := parser.ParseFile(fset, "plain.go", plain, 0)
	if err != nil {
		t.Fatal(err)
	}
	pinfo := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{}}
	ppkg, err := (&types.Config{Importer: &stubImporter{fset, map[string]*types.Package{}}}).Check("example.com/plain", fset, []*ast.File{pf}, pinfo)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range bodyDirections(&access.Package{Types: ppkg, Files: []*ast.File{pf}, Info: pinfo}) {
		got[k] = v
	}
	want := map[string]direction{
		"example.com/svc.Direct":     inRequest,
		"example.com/svc.ViaDecoder": inRequest,
		"example.com/svc.ViaReadAll": inRequest,
		"example.com/svc.Stored":     carriedElsewhere,
		"example.com/svc.Both":       inRequest | carriedElsewhere,
		"example.com/svc.Reply":      inResponse,
		"example.com/svc.Written":    inResponse,
		"example.com/svc.Bound":      inRequest,
		"example.com/svc.GinReply":   inResponse,
		"example.com/svc.Wrapped":    inResponse,
		"example.com/svc.Queued":     carriedElsewhere,
		"example.com/plain.Plain":    inRequest,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("directions (-want +got):\n%s", diff)
	}
}
