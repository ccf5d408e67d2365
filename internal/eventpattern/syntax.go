package eventpattern

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// syntaxReason describes the first JSON syntax error in a pattern as Jackson, the parser behind
// event-ruler, words it (AWS-validated: "Unrecognized token 'this': was expecting (JSON
// String, Number, Array, Object or token 'null', 'true' or 'false')", "Unexpected character
// (”' (code 39)): was expecting double-quote to start field name"). It runs only for a pattern
// the JSON library has already refused.
func syntaxReason(b []byte) string {
	p := jsonProbe{b: b}
	if p.peek() == 0 {
		return "No content to map due to end-of-input"
	}
	if reason := p.value(0); reason != "" {
		return reason
	}
	if p.peek() != 0 {
		return p.unexpected("expected end of input")
	}
	return "Malformed JSON" // the library refused what this probe accepts
}

type jsonProbe struct {
	b []byte
	i int
}

func (p *jsonProbe) peek() byte {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\n' || p.b[p.i] == '\r') {
		p.i++
	}
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

func (p *jsonProbe) unexpected(expecting string) string {
	r, _ := utf8.DecodeRune(p.b[p.i:])
	return "Unexpected character ('" + string(r) + "' (code " + strconv.Itoa(int(r)) + ")): " + expecting
}

func (p *jsonProbe) endOfInput(kind string) string {
	return "Unexpected end-of-input: expected close marker for " + kind
}

// value checks one value; "" means it is well formed.
func (p *jsonProbe) value(depth int) string {
	if depth > MaxDepth {
		return "Pattern is nested more than " + strconv.Itoa(MaxDepth) + " levels deep"
	}
	switch c := p.peek(); {
	case c == '{':
		return p.container(depth, '}', "Object")
	case c == '[':
		return p.container(depth, ']', "Array")
	case c == '"':
		return p.str()
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.i
		for p.i < len(p.b) && isNumberByte(p.b[p.i]) {
			p.i++
		}
		lit := strings.TrimPrefix(string(p.b[start:p.i]), "-")
		if len(lit) > 1 && lit[0] == '0' && lit[1] >= '0' && lit[1] <= '9' {
			return "Invalid numeric value: Leading zeroes not allowed"
		}
		if _, err := strconv.ParseFloat(string(p.b[start:p.i]), 64); err != nil && !isRangeErr(err) {
			return "Invalid numeric value: " + string(p.b[start:p.i])
		}
		return ""
	case c == 0:
		return "Unexpected end-of-input"
	case isTokenByte(c):
		start := p.i
		for p.i < len(p.b) && isTokenByte(p.b[p.i]) {
			p.i++
		}
		if tok := string(p.b[start:p.i]); tok != "true" && tok != "false" && tok != "null" {
			return "Unrecognized token '" + tok + "': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
		}
		return ""
	}
	return p.unexpected("expected a value")
}

// container checks an object or an array opened at p.i.
func (p *jsonProbe) container(depth int, end byte, kind string) string {
	p.i++
	if p.peek() == end {
		p.i++
		return ""
	}
	for {
		if end == '}' {
			switch p.peek() {
			case '"':
				if reason := p.str(); reason != "" {
					return reason
				}
			case 0:
				return p.endOfInput(kind)
			default:
				return p.unexpected("was expecting double-quote to start field name")
			}
			if c := p.peek(); c != ':' {
				if c == 0 {
					return p.endOfInput(kind)
				}
				return p.unexpected("was expecting a colon to separate field name and value")
			}
			p.i++
		}
		if reason := p.value(depth + 1); reason != "" {
			return reason
		}
		switch p.peek() {
		case ',':
			p.i++
		case end:
			p.i++
			return ""
		case 0:
			return p.endOfInput(kind)
		default:
			return p.unexpected("was expecting comma to separate " + kind + " entries")
		}
	}
}

func (p *jsonProbe) str() string {
	for j := p.i + 1; j < len(p.b); j++ {
		switch c := p.b[j]; {
		case c == '\\':
			j++
		case c == '"':
			p.i = j + 1
			return ""
		case c < 0x20:
			p.i = j
			return "Illegal unquoted character ((CTRL-CHAR, code " + strconv.Itoa(int(c)) + ")): has to be escaped using backslash to be included in string value"
		}
	}
	p.i = len(p.b)
	return "Unexpected end-of-input: was expecting closing quote for a string value"
}

func isNumberByte(c byte) bool {
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

func isTokenByte(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}
