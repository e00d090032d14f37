package access

import "bytes"

var spaces = bytes.Repeat([]byte{' '}, 512)

// stripBodies blanks the bodies of package-level functions (and of function
// literals at package level) and the contents of package-level composite
// literals (tables of data), keeping every newline so that positions stay
// valid. Dependencies are type-checked without bodies, and parsing bodies
// and checking big tables that are then ignored is most of the cost of
// loading them.
//
// It reads the bytes with a small lexer of its own (comments, strings,
// runes, brackets, the keywords it needs and Go's automatic semicolons)
// rather than go/scanner, which makes a token and a string of every word:
// it is the first pass over every file of every dependency.
func stripBodies(src []byte) []byte {
	l := lexer{src: src}
	out := src
	copied := false
	depth := 0 // brace depth outside signatures
	decl := kwNone
	typeBrace := false
	blank := func(open, close int) {
		if !copied {
			out = append([]byte(nil), src...)
			copied = true
		}
		for body := out[open+1 : close]; len(body) > 0; {
			j := bytes.IndexByte(body, '\n')
			if j < 0 {
				j = len(body)
			}
			for seg := body[:j]; len(seg) > 0; {
				seg = seg[copy(seg, spaces):]
			}
			if j < len(body) {
				j++ // the newline stays
			}
			body = body[j:]
		}
	}
	for {
		tok, kw, pos := l.next()
		switch tok {
		case tEOF:
			return out
		case tIdent:
			switch kw {
			case kwType, kwVar, kwConst, kwImport:
				if depth == 0 {
					decl = kw
				}
			case kwStruct, kwInterface:
				typeBrace = true
			case kwFunc:
				if depth != 0 {
					continue
				}
				if decl != kwVar {
					decl = kwFunc
				}
				if open, close, ok := l.funcBody(); ok {
					blank(open, close)
				}
			}
		case tLBrace:
			if depth == 0 && decl == kwVar && !typeBrace {
				// A composite literal in a package-level var: keep its type,
				// drop its elements.
				if end := l.skipBraces(); end >= 0 {
					blank(pos, end)
				}
				continue
			}
			typeBrace = false
			depth++
		case tRBrace:
			depth--
		}
	}
}

// funcBody reads a signature after `func` and, if a body follows, returns
// the offsets of its braces.
func (l *lexer) funcBody() (open, close int, ok bool) {
	parens := 0
	typeBrace := false // a struct or interface keyword: its braces belong to a type
	for {
		tok, kw, pos := l.next()
		switch tok {
		case tEOF:
			return 0, 0, false
		case tLParen, tLBrack:
			parens++
		case tRParen, tRBrack:
			parens--
		case tIdent:
			if kw == kwStruct || kw == kwInterface {
				typeBrace = true
			}
		case tSemi:
			if parens == 0 {
				return 0, 0, false // a declaration without a body
			}
		case tLBrace:
			if typeBrace {
				l.skipBraces()
				typeBrace = false
				continue
			}
			if parens != 0 {
				continue
			}
			close = l.skipBraces()
			if close < 0 {
				return 0, 0, false
			}
			return pos, close, true
		}
	}
}

// skipBraces reads to the brace that closes one already opened and
// returns its offset, or -1 at the end of the file. Inside braces only
// braces, strings, runes and comments matter, so it reads bytes directly:
// most of a file is function bodies.
func (l *lexer) skipBraces() int {
	src := l.src
	depth := 1
	i := l.i
	for i < len(src) {
		switch src[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				l.i, l.semi = i+1, true
				return i
			}
		case '"', '\'':
			q := src[i]
			for i++; i < len(src) && src[i] != q && src[i] != '\n'; i++ {
				if src[i] == '\\' {
					i++
				}
			}
		case '`':
			for i++; i < len(src) && src[i] != '`'; i++ {
			}
		case '/':
			if i+1 < len(src) && src[i+1] == '/' {
				for i += 2; i < len(src) && src[i] != '\n'; i++ {
				}
				continue
			}
			if i+1 < len(src) && src[i+1] == '*' {
				for i += 2; i+1 < len(src) && !(src[i] == '*' && src[i+1] == '/'); i++ {
				}
				i++
			}
		}
		i++
	}
	l.i = len(src)
	return -1
}

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tLit // a number, string or rune
	tOp  // any other operator
	tLBrace
	tRBrace
	tLParen
	tRParen
	tLBrack
	tRBrack
	tSemi // written, or inserted at a newline
)

type keyword int

const (
	kwNone keyword = iota
	kwFunc
	kwType
	kwVar
	kwConst
	kwImport
	kwStruct
	kwInterface
	kwSemi // break, continue, fallthrough, return: a newline after them is a semicolon
)

// lexer reads Go tokens as far as stripBodies needs them.
type lexer struct {
	src  []byte
	i    int
	semi bool // a newline now ends a statement (the last token allows it)
}

// next returns the next token, its keyword (for identifiers) and its
// offset.
func (l *lexer) next() (tokKind, keyword, int) {
	src := l.src
	for l.i < len(src) {
		c := src[l.i]
		start := l.i
		switch {
		case c == '\n':
			l.i++
			if l.semi {
				l.semi = false
				return tSemi, kwNone, start
			}
		case c == ' ' || c == '\t' || c == '\r':
			l.i++
		case c == '/' && l.i+1 < len(src) && src[l.i+1] == '/':
			for l.i < len(src) && src[l.i] != '\n' {
				l.i++
			}
		case c == '/' && l.i+1 < len(src) && src[l.i+1] == '*':
			l.i += 2
			newline := false
			for l.i < len(src) && !(src[l.i] == '*' && l.i+1 < len(src) && src[l.i+1] == '/') {
				if src[l.i] == '\n' {
					newline = true
				}
				l.i++
			}
			l.i += 2
			if l.i > len(src) {
				l.i = len(src)
			}
			if newline && l.semi {
				l.semi = false
				return tSemi, kwNone, start
			}
		case isLetter(c) || c >= 0x80: // identifiers may have letters of any script
			for l.i < len(src) && (isLetter(src[l.i]) || isDigit(src[l.i]) || src[l.i] >= 0x80) {
				l.i++
			}
			kw := keywordOf(src[start:l.i])
			l.semi = kw == kwNone || kw == kwSemi
			return tIdent, kw, start
		case isDigit(c) || c == '.' && l.i+1 < len(src) && isDigit(src[l.i+1]):
			// An exponent's sign reads as an operator, which is as good here.
			for l.i < len(src) && (isLetter(src[l.i]) || isDigit(src[l.i]) || src[l.i] == '.') {
				l.i++
			}
			l.semi = true
			return tLit, kwNone, start
		case c == '"' || c == '\'':
			l.i++
			for l.i < len(src) && src[l.i] != c && src[l.i] != '\n' {
				if src[l.i] == '\\' {
					l.i++
				}
				l.i++
			}
			if l.i < len(src) && src[l.i] == c {
				l.i++
			}
			l.semi = true
			return tLit, kwNone, start
		case c == '`':
			l.i++
			for l.i < len(src) && src[l.i] != '`' {
				l.i++
			}
			if l.i < len(src) {
				l.i++
			}
			l.semi = true
			return tLit, kwNone, start
		default:
			l.i++
			l.semi = false
			switch c {
			case '{':
				return tLBrace, kwNone, start
			case '}':
				l.semi = true
				return tRBrace, kwNone, start
			case '(':
				return tLParen, kwNone, start
			case ')':
				l.semi = true
				return tRParen, kwNone, start
			case '[':
				return tLBrack, kwNone, start
			case ']':
				l.semi = true
				return tRBrack, kwNone, start
			case ';':
				return tSemi, kwNone, start
			case '+', '-':
				if l.i < len(src) && src[l.i] == c {
					l.i++
					l.semi = true // ++ and --
				}
			}
			return tOp, kwNone, start
		}
	}
	return tEOF, kwNone, len(src)
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }

func keywordOf(w []byte) keyword {
	switch string(w) {
	case "func":
		return kwFunc
	case "type":
		return kwType
	case "var":
		return kwVar
	case "const":
		return kwConst
	case "import":
		return kwImport
	case "struct":
		return kwStruct
	case "interface":
		return kwInterface
	case "break", "continue", "fallthrough", "return":
		return kwSemi
	}
	return kwNone
}
