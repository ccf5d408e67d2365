package eventpattern

import (
	"strconv"
	"strings"
	"unicode/utf8"

	sjson "github.com/segmentio/encoding/json"
)

// syntaxReason describes the first JSON syntax error in a pattern as Jackson, the parser behind
// event-ruler, words it (AWS-validated: "Unrecognized token 'this': was expecting (JSON
// String, Number, Array, Object or token 'null', 'true' or 'false')", "Unexpected character
// (”' (code 39)): was expecting double-quote to start field name"). It runs only for a pattern
// the JSON library has already refused.
func syntaxReason(b []byte) string {
	p := jsonProbe{b: b}
	if p.peek() == eof {
		return "No content to map due to end-of-input"
	}
	if reason := p.value(0); reason != "" {
		return reason
	}
	if p.peek() != eof {
		return p.unexpected("expected end of input")
	}
	return "Malformed JSON" // the library refused what this probe accepts
}

type jsonProbe struct {
	b []byte
	i int
}

// peek returns the next byte after white space, or eof.
func (p *jsonProbe) peek() int {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\n' || p.b[p.i] == '\r') {
		p.i++
	}
	if p.i < len(p.b) {
		return int(p.b[p.i])
	}
	return eof
}

const eof = -1

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
		if !sjson.Valid(p.b[start:p.i]) {
			return "Invalid numeric value: " + string(p.b[start:p.i])
		}
		return ""
	case c == eof:
		return "Unexpected end-of-input"
	case isTokenByte(byte(c)):
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
func (p *jsonProbe) container(depth int, end int, kind string) string {
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
			case eof:
				return p.endOfInput(kind)
			default:
				return p.unexpected("was expecting double-quote to start field name")
			}
			if c := p.peek(); c != ':' {
				if c == eof {
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
		case eof:
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
			if reason := p.escape(j + 1); reason != "" {
				return reason
			}
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

// escape checks the escape sequence whose letter is at b[j].
func (p *jsonProbe) escape(j int) string {
	if j >= len(p.b) {
		return "Unexpected end-of-input in character escape sequence"
	}
	switch c := p.b[j]; c {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return ""
	case 'u':
		for k := j + 1; k <= j+4; k++ {
			if k >= len(p.b) {
				return "Unexpected end-of-input in character escape sequence"
			}
			if h := p.b[k]; !((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F')) {
				p.i = k
				return p.unexpected("expected a hex-digit for character escape sequence")
			}
		}
		return ""
	default:
		r, _ := utf8.DecodeRune(p.b[j:])
		return "Unrecognized character escape '" + string(r) + "' (code " + strconv.Itoa(int(r)) + ")"
	}
}
