package filter

import "strings"

// field is one element of a space-delimited pattern: a named field with an optional condition
// (comparisons of that field joined by && and ||, && binding tighter), or "..." for any number
// of fields.
type field struct {
	name     string
	ellipsis bool
	cond     [][]cmp // OR of ANDs; empty: any value
}

func (f *field) match(value string) bool {
	if len(f.cond) == 0 {
		return true
	}
	for _, conj := range f.cond {
		ok := true
		for i := range conj {
			if !conj[i].field(value) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// delimited matches events split into space-delimited fields.
type delimited struct {
	fields   []field
	ellipsis bool
}

func (p *delimited) Match(message string) bool {
	values := splitFields(message)
	if !p.ellipsis {
		if len(values) != len(p.fields) {
			return false
		}
		for i := range p.fields {
			if !p.fields[i].match(values[i]) {
				return false
			}
		}
		return true
	}
	// ok[j]: fields[i:] match values[j:], computed from the last field back.
	n := len(values)
	ok := make([]bool, n+1)
	next := make([]bool, n+1)
	ok[n] = true
	for i := len(p.fields) - 1; i >= 0; i-- {
		f := &p.fields[i]
		next[n] = f.ellipsis && ok[n]
		for j := n - 1; j >= 0; j-- {
			if f.ellipsis {
				next[j] = ok[j] || next[j+1]
			} else {
				next[j] = ok[j+1] && f.match(values[j])
			}
		}
		ok, next = next, ok
	}
	return ok[0]
}

// splitFields splits a message at spaces; text within double quotes or square brackets is one
// field (without them).
func splitFields(message string) []string {
	var out []string
	for i := 0; i < len(message); {
		c := message[i]
		switch {
		case c == ' ' || c == '\t':
			i++
			continue
		case c == '"' || c == '[':
			end := byte('"')
			if c == '[' {
				end = ']'
			}
			j := strings.IndexByte(message[i+1:], end)
			if j >= 0 {
				out = append(out, message[i+1:i+1+j])
				i += j + 2
				continue
			}
		}
		j := strings.IndexAny(message[i:], " \t")
		if j < 0 {
			j = len(message) - i
		}
		out = append(out, message[i:i+j])
		i += j
	}
	return out
}

// maxFields bounds a space-delimited pattern.
const maxFields = 100

func compileDelimited(pattern string) (Pattern, error) {
	l := &lexer{src: pattern}
	l.next() // [
	p := &delimited{}
	for {
		f, err := l.delimitedField()
		if err != nil {
			return nil, err
		}
		p.fields = append(p.fields, f)
		p.ellipsis = p.ellipsis || f.ellipsis
		if len(p.fields) > maxFields {
			return nil, l.fail(l.pos, "too many fields")
		}
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		if t.kind == tPunct && t.text == "]" {
			break
		}
		if t.kind != tPunct || t.text != "," {
			return nil, l.fail(t.pos, "expected , or ] between fields")
		}
	}
	if t, err := l.next(); err != nil || t.kind != tEOF {
		if err != nil {
			return nil, err
		}
		return nil, l.fail(t.pos, "text after the closing ]")
	}
	return p, nil
}

// delimitedField reads "...", a name, or a name with its condition.
func (l *lexer) delimitedField() (field, error) {
	t, err := l.next()
	if err != nil {
		return field{}, err
	}
	if t.kind != tWord {
		return field{}, l.fail(t.pos, "expected a field name")
	}
	if t.text == "..." {
		return field{name: t.text, ellipsis: true}, nil
	}
	if !validName(t.text) {
		return field{}, l.fail(t.pos, "a field name is letters, digits and _: "+t.text)
	}
	f := field{name: t.text}
	var conj []cmp
	for {
		op, err := l.look()
		if err != nil {
			return field{}, err
		}
		if op.kind != tOp || op.text == "&&" || op.text == "||" {
			if len(conj) > 0 || len(f.cond) > 0 {
				return field{}, l.fail(op.pos, "expected an operator after "+f.name)
			}
			return f, nil
		}
		l.next()
		c, err := l.operand(op.text)
		if err != nil {
			return field{}, err
		}
		conj = append(conj, c)
		join, err := l.look()
		if err != nil {
			return field{}, err
		}
		if join.kind != tOp || (join.text != "&&" && join.text != "||") {
			f.cond = append(f.cond, conj)
			return f, nil
		}
		l.next()
		if join.text == "||" {
			f.cond, conj = append(f.cond, conj), nil
		}
		if n, err := l.next(); err != nil || n.text != f.name {
			if err != nil {
				return field{}, err
			}
			return field{}, l.fail(n.pos, "a condition compares its own field, "+f.name)
		}
	}
}

func validName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

// Extract returns the named fields of a message that matches, as a metric filter extracts them
// ("$name" → value); ok is false when the message does not match.
func (p *delimited) Extract(message string) (values map[string]string, ok bool) {
	vals := splitFields(message)
	m, n := len(p.fields), len(vals)
	// can[i][j]: fields[i:] match vals[j:].
	can := make([][]bool, m+1)
	for i := range can {
		can[i] = make([]bool, n+1)
	}
	can[m][n] = true
	for i := m - 1; i >= 0; i-- {
		f := &p.fields[i]
		for j := n; j >= 0; j-- {
			if f.ellipsis {
				can[i][j] = can[i+1][j] || j < n && can[i][j+1]
			} else {
				can[i][j] = j < n && can[i+1][j+1] && f.match(vals[j])
			}
		}
	}
	if !can[0][0] {
		return nil, false
	}
	values = map[string]string{}
	for i, j := 0, 0; i < m; {
		f := &p.fields[i]
		switch {
		case f.ellipsis && can[i+1][j]:
			i++
		case f.ellipsis:
			j++
		default:
			values["$"+f.name] = vals[j]
			i, j = i+1, j+1
		}
	}
	return values, true
}

// Extractor is a pattern that also names the values it matched (space-delimited patterns).
type Extractor interface {
	Pattern
	Extract(message string) (map[string]string, bool)
}
