package config

import (
	"errors"
	"fmt"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	yamlparser "github.com/goccy/go-yaml/parser"
)

// node is the small YAML tree the config parser walks: goccy/go-yaml's AST
// reduced to what the parser needs, each node with its line.
type node struct {
	kind  nodeKind
	line  int
	value string  // scalars
	null  bool    // an empty or null scalar
	keys  []*node // mappings: keys[i] maps to items[i]
	items []*node // mappings: values; sequences: entries
}

type nodeKind int

const (
	scalarNode nodeKind = iota
	mappingNode
	sequenceNode
)

// parseYAML parses one YAML document into a node tree; nil for an empty
// document. Errors carry the line goccy/go-yaml reports.
func parseYAML(file string, data []byte) (*node, error) {
	f, err := yamlparser.ParseBytes(data, 0)
	if err != nil {
		var se *yaml.SyntaxError
		if errors.As(err, &se) && se.Token != nil {
			return nil, &ParseError{File: file, Line: se.Token.Position.Line, Msg: "invalid YAML: " + se.Message}
		}
		return nil, &ParseError{File: file, Msg: "invalid YAML: " + err.Error()}
	}
	var body ast.Node
	for _, d := range f.Docs {
		if d == nil || d.Body == nil {
			continue
		}
		if body != nil {
			return nil, &ParseError{File: file, Line: line(d.Body), Msg: "only one YAML document is allowed; remove the extra ---"}
		}
		body = d.Body
	}
	if body == nil {
		return nil, nil
	}
	return convert(file, body)
}

func line(n ast.Node) int {
	if t := n.GetToken(); t != nil && t.Position != nil {
		return t.Position.Line
	}
	return 0
}

func convert(file string, n ast.Node) (*node, error) {
	switch n := n.(type) {
	case *ast.AnchorNode:
		return convert(file, n.Value)
	case *ast.TagNode:
		return convert(file, n.Value)
	case *ast.AliasNode, *ast.MergeKeyNode:
		return nil, &ParseError{File: file, Line: line(n), Msg: "YAML aliases and merge keys are not supported here; write the value out"}
	case *ast.MappingNode:
		out := &node{kind: mappingNode, line: line(n)}
		if len(n.Values) > 0 {
			out.line = line(n.Values[0].Key)
		}
		for _, kv := range n.Values {
			if err := addPair(file, out, kv); err != nil {
				return nil, err
			}
		}
		return out, nil
	case *ast.MappingValueNode:
		out := &node{kind: mappingNode, line: line(n.Key)}
		return out, addPair(file, out, n)
	case *ast.SequenceNode:
		out := &node{kind: sequenceNode, line: line(n)}
		for _, v := range n.Values {
			c, err := convert(file, v)
			if err != nil {
				return nil, err
			}
			out.items = append(out.items, c)
		}
		return out, nil
	case *ast.NullNode:
		return &node{kind: scalarNode, line: line(n), null: true}, nil
	case *ast.StringNode:
		return &node{kind: scalarNode, line: line(n), value: n.Value}, nil
	case *ast.LiteralNode:
		return &node{kind: scalarNode, line: line(n), value: n.Value.Value}, nil
	case ast.ScalarNode:
		return &node{kind: scalarNode, line: line(n), value: n.GetToken().Value}, nil
	}
	return nil, &ParseError{File: file, Line: line(n), Msg: fmt.Sprintf("unexpected YAML %s", n.Type())}
}

func addPair(file string, m *node, kv *ast.MappingValueNode) error {
	k, err := convert(file, kv.Key)
	if err != nil {
		return err
	}
	if k.kind != scalarNode {
		return &ParseError{File: file, Line: k.line, Msg: "mapping keys must be plain words"}
	}
	var v *node
	if kv.Value == nil {
		v = &node{kind: scalarNode, line: k.line, null: true}
	} else if v, err = convert(file, kv.Value); err != nil {
		return err
	}
	m.keys = append(m.keys, k)
	m.items = append(m.items, v)
	return nil
}
