package access

// The go/scanner stripper that strip.go replaced, kept as the oracle the
// byte-level one must agree with.

import (
	"go/scanner"
	"go/token"
)

// stripBodiesScanner is stripBodies with go/scanner: correct, and several
// times slower (it makes a token, and a string, of every word).
func stripBodiesScanner(src []byte) []byte {
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
				if end := scanSkipBraces(&s); end >= 0 {
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
			open, close, ok := scanFuncBody(&s, file)
			if ok {
				blank(open, close)
			}
		}
	}
}

// scanFuncBody scans a signature after `func` and, if a body follows, returns
// the offsets of its braces.
func scanFuncBody(s *scanner.Scanner, file *token.File) (open, close int, ok bool) {
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
				scanSkipBraces(s)
				typeBrace = false
				continue
			}
			if parens != 0 {
				continue
			}
			open = file.Offset(pos)
			close = scanSkipBraces(s)
			if close < 0 {
				return 0, 0, false
			}
			return open, file.Offset(token.Pos(close)), true
		}
	}
}

// scanSkipBraces scans to the brace that closes one already opened and returns
// its position, or -1 at the end of the file.
func scanSkipBraces(s *scanner.Scanner) int {
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
