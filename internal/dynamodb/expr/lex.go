// Package expr is DynamoDB's expression language, server side: condition and filter expressions,
// key conditions, update expressions and projections, parsed with ExpressionAttributeNames and
// Values into trees that evaluate against items, with DynamoDB's ValidationException texts.
// Written by hand: Go's DynamoDB libraries only build expressions for clients.
package expr

import (
	"fmt"
	"strings"
)

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tName  // #name
	tValue // :value
	tInt   // digits (list indexes)
	tPunct // ( ) [ ] , . = <> < <= > >= + -
)

type token struct {
	kind tokKind
	text string
	pos  int
}

// Error is an invalid expression; Msg is DynamoDB's text after "Invalid <Kind>: ".
type Error struct {
	Kind string // ConditionExpression, UpdateExpression, …; "" when the message stands alone
	Msg  string
}

func (e *Error) Error() string {
	if e.Kind == "" {
		return e.Msg
	}
	return "Invalid " + e.Kind + ": " + e.Msg
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isWord(c byte) bool   { return isLetter(c) || isDigit(c) || c == '_' }

func lex(src string) ([]token, *Error) {
	var out []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case isLetter(c):
			j := i + 1
			for j < len(src) && isWord(src[j]) {
				j++
			}
			out = append(out, token{tIdent, src[i:j], i})
			i = j
		case isDigit(c):
			j := i + 1
			for j < len(src) && isDigit(src[j]) {
				j++
			}
			out = append(out, token{tInt, src[i:j], i})
			i = j
		case c == '#' || c == ':':
			j := i + 1
			for j < len(src) && isWord(src[j]) {
				j++
			}
			if j == i+1 {
				return nil, syntaxErr(src, i, string(c))
			}
			k := tName
			if c == ':' {
				k = tValue
			}
			out = append(out, token{k, src[i:j], i})
			i = j
		case c == '<' || c == '>':
			if i+1 < len(src) && (src[i+1] == '=' || c == '<' && src[i+1] == '>') {
				out = append(out, token{tPunct, src[i : i+2], i})
				i += 2
			} else {
				out = append(out, token{tPunct, src[i : i+1], i})
				i++
			}
		case strings.IndexByte("()[],.=+-", c) >= 0:
			out = append(out, token{tPunct, src[i : i+1], i})
			i++
		default:
			j := i + 1
			for j < len(src) && src[j] >= 0x80 && src[j] < 0xc0 {
				j++
			}
			return nil, syntaxErr(src, i, src[i:j])
		}
	}
	return append(out, token{tEOF, "<EOF>", len(src)}), nil
}

// syntaxErr is DynamoDB's syntax error: the token and the text around it.
func syntaxErr(src string, pos int, tok string) *Error {
	start := pos - 8
	if start < 0 {
		start = 0
	}
	end := pos + len(tok) + 8
	if end > len(src) {
		end = len(src)
	}
	return &Error{Msg: fmt.Sprintf("Syntax error; token: %q, near: %q", tok, src[start:end])}
}
