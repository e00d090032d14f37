package access

import (
	"go/scanner"
	"go/token"
)

// stripBodies blanks the bodies of package-level functions (and of function
// literals at package level) and the contents of package-level composite
// literals (tables of data), keeping every newline so that positions stay
// valid. Dependencies are type-checked without bodies, and parsing bodies
// and checking big tables that are then ignored is most of the cost of
// loading the standard library.
func stripBodies(src []byte) []byte {
	var s scanner.Scanner
	file := token.NewFileSet().AddFile("", -1, len(src))
	s.Init(file, src, nil, 0)
	out := src
	copied := false
	depth := 0 // brace depth outside signatures
	decl := token.ILLEGAL
	typeBrace := false
	blank := func(open, close int) {
		if !copied {
			out = append([]byte(nil), src...)
			copied = true
		}
		for i := open + 1; i < close; i++ {
			if out[i] != '\n' {
				out[i] = ' '
			}
		}
	}
	for {
		pos, tok, _ := s.Scan()
		switch tok {
		case token.EOF:
			return out
		case token.TYPE, token.VAR, token.CONST, token.IMPORT:
			if depth == 0 {
				decl = tok
			}
		case token.STRUCT, token.INTERFACE:
			typeBrace = true
		case token.LBRACE:
			if depth == 0 && decl == token.VAR && !typeBrace {
				// A composite literal in a package-level var: keep its type,
				// drop its elements.
				if end := skipBraces(&s); end >= 0 {
					blank(file.Offset(pos), file.Offset(token.Pos(end)))
				}
				continue
			}
			typeBrace = false
			depth++
		case token.RBRACE:
			depth--
		case token.FUNC:
			if depth != 0 {
				continue
			}
			if decl != token.VAR {
				decl = token.FUNC
			}
			open, close, ok := funcBody(&s, file)
			if ok {
				blank(open, close)
			}
		}
	}
}

// funcBody scans a signature after `func` and, if a body follows, returns
// the offsets of its braces.
func funcBody(s *scanner.Scanner, file *token.File) (open, close int, ok bool) {
	parens := 0
	typeBrace := false // a struct or interface keyword: its braces belong to a type
	for {
		pos, tok, _ := s.Scan()
		switch tok {
		case token.EOF:
			return 0, 0, false
		case token.LPAREN, token.LBRACK:
			parens++
		case token.RPAREN, token.RBRACK:
			parens--
		case token.STRUCT, token.INTERFACE:
			typeBrace = true
		case token.SEMICOLON:
			if parens == 0 {
				return 0, 0, false // a declaration without a body
			}
		case token.LBRACE:
			if typeBrace {
				skipBraces(s)
				typeBrace = false
				continue
			}
			if parens != 0 {
				continue
			}
			open = file.Offset(pos)
			close = skipBraces(s)
			if close < 0 {
				return 0, 0, false
			}
			return open, file.Offset(token.Pos(close)), true
		}
	}
}

// skipBraces scans to the brace that closes one already opened and returns
// its position, or -1 at the end of the file.
func skipBraces(s *scanner.Scanner) int {
	depth := 1
	for {
		pos, tok, _ := s.Scan()
		switch tok {
		case token.EOF:
			return -1
		case token.LBRACE:
			depth++
		case token.RBRACE:
			depth--
			if depth == 0 {
				return int(pos)
			}
		}
	}
}
