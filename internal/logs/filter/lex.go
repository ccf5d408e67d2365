package filter

import (
	"strings"
	"unicode/utf8"
)

// kind is a token's kind.
type kind int

const (
	tEOF    kind = iota
	tPunct       // { } ( ) [ ] ,
	tOp          // = != < <= > >= && ||
	tString      // "…", unquoted
	tRegex       // %…%, without the percent signs
	tWord        // anything else: a selector, a number, a bare value, a keyword, ...
)

type token struct {
	kind kind
	text string
	pos  int
}

// lexer splits the structured patterns (JSON and space-delimited) into tokens.
type lexer struct {
	src  string
	pos  int
	peek *token
}

func (l *lexer) fail(pos int, reason string) *Error {
	return &Error{Pattern: l.src, Pos: pos, Reason: reason}
}

// next returns the next token.
func (l *lexer) next() (token, error) {
	if l.peek != nil {
		t := *l.peek
		l.peek = nil
		return t, nil
	}
	return l.scan()
}

// look returns the next token without taking it.
func (l *lexer) look() (token, error) {
	if l.peek == nil {
		t, err := l.scan()
		if err != nil {
			return t, err
		}
		l.peek = &t
	}
	return *l.peek, nil
}

func (l *lexer) scan() (token, error) {
	for l.pos < len(l.src) && isSpace(l.src[l.pos]) {
		l.pos++
	}
	start := l.pos
	if l.pos >= len(l.src) {
		return token{kind: tEOF, pos: start}, nil
	}
	c := l.src[l.pos]
	switch {
	case strings.IndexByte("{}()[],", c) >= 0:
		l.pos++
		return token{tPunct, string(c), start}, nil
	case c == '"':
		s, err := l.quoted()
		return token{tString, s, start}, err
	case c == '%':
		end := strings.IndexByte(l.src[l.pos+1:], '%')
		if end < 0 {
			return token{}, l.fail(start, "unterminated regular expression")
		}
		l.pos += end + 2
		return token{tRegex, l.src[start+1 : l.pos-1], start}, nil
	}
	for _, op := range []string{"!=", "<=", ">=", "&&", "||", "=", "<", ">"} {
		if strings.HasPrefix(l.src[l.pos:], op) {
			l.pos += len(op)
			return token{tOp, op, start}, nil
		}
	}
	for l.pos < len(l.src) && !isSpace(l.src[l.pos]) && strings.IndexByte(`{}(),"=!<>&|%`, l.src[l.pos]) < 0 {
		if l.src[l.pos] == ']' || l.src[l.pos] == '[' {
			if l.src[start] != '$' { // a selector's index; elsewhere brackets end the word
				break
			}
		}
		l.pos++
	}
	if l.pos == start {
		return token{}, l.fail(start, "unexpected character "+quoteRune(l.src[start:]))
	}
	return token{tWord, l.src[start:l.pos], start}, nil
}

// quoted reads a double-quoted string with backslash escapes.
func (l *lexer) quoted() (string, error) {
	start := l.pos
	var b strings.Builder
	for i := l.pos + 1; i < len(l.src); i++ {
		switch l.src[i] {
		case '\\':
			if i+1 >= len(l.src) {
				return "", l.fail(start, "unterminated string")
			}
			i++
			b.WriteByte(l.src[i])
		case '"':
			l.pos = i + 1
			return b.String(), nil
		default:
			b.WriteByte(l.src[i])
		}
	}
	return "", l.fail(start, "unterminated string")
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func quoteRune(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	return "'" + string(r) + "'"
}
