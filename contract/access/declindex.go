package access

// declIndex lists the package-level names a file declares (functions,
// types, variables, constants; "_" and init included) and the receiver
// types of its methods, read with stripBodies' lexer: Prepare parses a
// dependency's file only when it declares a name that checked code needs,
// or a method of a type it needs. ok is false when the text does not read
// as a file of declarations should: the file is then parsed anyway.
func declIndex(src []byte) (names, recvs []string, ok bool) {
	l := lexer{src: src}
	tok, _, _ := l.next()
	for tok == tSemi {
		tok, _, _ = l.next()
	}
	if tok != tIdent { // package
		return nil, nil, false
	}
	if tok, _, _ = l.next(); tok != tIdent { // its name
		return nil, nil, false
	}
	ident := func(pos int) string {
		end := pos
		for end < len(src) && (isLetter(src[end]) || isDigit(src[end]) || src[end] >= 0x80) {
			end++
		}
		return string(src[pos:end])
	}
	for {
		tok, kw, _ := l.next()
		switch tok {
		case tEOF:
			return names, recvs, true
		case tSemi:
			continue
		case tIdent:
		default:
			return nil, nil, false
		}
		switch kw {
		case kwImport:
			if !l.skipDecl() {
				return nil, nil, false
			}
		case kwFunc:
			tok, _, pos := l.next()
			if tok == tLParen {
				r, ok := l.receiver(ident)
				if !ok {
					return nil, nil, false
				}
				recvs = append(recvs, r)
				tok, _, _ = l.next() // the method's name
				if tok != tIdent {
					return nil, nil, false
				}
			} else if tok == tIdent {
				names = append(names, ident(pos))
			} else {
				return nil, nil, false
			}
			if !l.skipDecl() {
				return nil, nil, false
			}
		case kwType, kwVar, kwConst:
			tok, _, pos := l.next()
			group := tok == tLParen
			if group {
				tok, _, pos = l.next()
			}
			for {
				for group && tok == tSemi {
					tok, _, pos = l.next()
				}
				if group && tok == tRParen {
					break
				}
				if tok != tIdent {
					return nil, nil, false
				}
				names = append(names, ident(pos))
				if kw != kwType {
					// var a, b, c T = ...
					for {
						save := l
						t, _, p := l.next()
						if t != tOp || src[p] != ',' {
							l = save
							break
						}
						if t, _, p = l.next(); t != tIdent {
							return nil, nil, false
						}
						names = append(names, ident(p))
					}
				}
				end, ok := l.skipSpec()
				if !ok {
					return nil, nil, false
				}
				if !group {
					break
				}
				if end == tRParen {
					break
				}
				tok, _, pos = l.next()
			}
		default:
			return nil, nil, false
		}
	}
}

// receiver reads a method's receiver after its "(": the type's name is
// the last identifier before a "[" (type parameters) or the ")".
func (l *lexer) receiver(ident func(int) string) (string, bool) {
	name := ""
	for {
		tok, _, pos := l.next()
		switch tok {
		case tIdent:
			name = ident(pos)
		case tLBrack:
			if l.skipTo(tRBrack) {
				continue
			}
			return "", false
		case tRParen:
			return name, name != ""
		case tOp:
		default:
			return "", false
		}
	}
}

// skipTo skips to the bracket that closes one just read.
func (l *lexer) skipTo(close tokKind) bool {
	depth := 1
	for {
		tok, _, _ := l.next()
		switch tok {
		case tEOF:
			return false
		case tLParen, tLBrack, tLBrace:
			depth++
		case tRParen, tRBrack, tRBrace:
			depth--
			if depth == 0 {
				return tok == close
			}
		}
	}
}

// skipDecl skips the rest of a declaration, to the semicolon that ends it
// outside brackets.
func (l *lexer) skipDecl() bool {
	end, ok := l.skipSpec()
	return ok && end != tRParen
}

// skipSpec skips the rest of one spec of a declaration: to a semicolon
// outside brackets, or the ")" that closes the group (returned as end).
func (l *lexer) skipSpec() (end tokKind, ok bool) {
	depth := 0
	for {
		tok, _, _ := l.next()
		switch tok {
		case tEOF:
			return tEOF, depth == 0
		case tLParen, tLBrack, tLBrace:
			depth++
		case tRParen, tRBrack, tRBrace:
			if depth == 0 && tok == tRParen {
				return tRParen, true
			}
			if depth--; depth < 0 {
				return tEOF, false
			}
		case tSemi:
			if depth == 0 {
				return tSemi, true
			}
		}
	}
}
