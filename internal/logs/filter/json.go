package filter

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// node is a JSON pattern's expression tree: and, or, or a test of one selector.
type node interface {
	eval(doc any) bool
}

type and []node
type or []node

func (n and) eval(doc any) bool {
	for _, x := range n {
		if !x.eval(doc) {
			return false
		}
	}
	return true
}

func (n or) eval(doc any) bool {
	for _, x := range n {
		if x.eval(doc) {
			return true
		}
	}
	return false
}

// step is one selector step: a member name, an index, or a wildcard (".*", "[*]").
type step struct {
	name  string
	index int // -1: a member name
	any   bool
}

// test applies a comparison or a check (IS TRUE, IS NULL, EXISTS, …) to what a selector selects;
// it holds when it holds for any selected value.
type test struct {
	path  []step
	cmp   *cmp
	check string // "TRUE", "FALSE", "NULL", "EXISTS", "NOT EXISTS"
}

func (t *test) eval(doc any) bool {
	vals := selectValues(doc, t.path, nil)
	switch t.check {
	case "EXISTS":
		return len(vals) > 0
	case "NOT EXISTS":
		return len(vals) == 0
	}
	for _, v := range vals {
		switch t.check {
		case "TRUE", "FALSE":
			if b, ok := v.(bool); ok && b == (t.check == "TRUE") {
				return true
			}
		case "NULL":
			if v == nil {
				return true
			}
		default:
			if t.cmp.json(v) {
				return true
			}
		}
	}
	return false
}

// selectValues appends the values path selects in v.
func selectValues(v any, path []step, out []any) []any {
	if len(path) == 0 {
		return append(out, v)
	}
	s := path[0]
	switch x := v.(type) {
	case map[string]any:
		if s.any {
			for _, c := range x {
				out = selectValues(c, path[1:], out)
			}
		} else if c, ok := x[s.name]; ok && s.index < 0 {
			out = selectValues(c, path[1:], out)
		}
	case []any:
		if s.any {
			for _, c := range x {
				out = selectValues(c, path[1:], out)
			}
		} else if s.index >= 0 && s.index < len(x) {
			out = selectValues(x[s.index], path[1:], out)
		}
	}
	return out
}

// jsonPattern matches events that are JSON objects.
type jsonPattern struct{ root node }

func (p *jsonPattern) Match(message string) bool {
	m := strings.TrimSpace(message)
	if m == "" || m[0] != '{' {
		return false
	}
	d := json.NewDecoder(strings.NewReader(m))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err != nil || d.More() {
		return false
	}
	return p.root.eval(doc)
}

func compileJSON(pattern string) (Pattern, error) {
	l := &lexer{src: pattern}
	if t, _ := l.next(); t.text != "{" {
		return nil, l.fail(t.pos, "a JSON pattern starts with {")
	}
	root, err := l.orExpr(0)
	if err != nil {
		return nil, err
	}
	if t, err := l.next(); err != nil || t.text != "}" || t.kind != tPunct {
		if err != nil {
			return nil, err
		}
		return nil, l.fail(t.pos, "expected } or an operator, not "+strconv.Quote(t.text))
	}
	if t, err := l.next(); err != nil || t.kind != tEOF {
		if err != nil {
			return nil, err
		}
		return nil, l.fail(t.pos, "text after the closing }")
	}
	return &jsonPattern{root: root}, nil
}

// maxDepth bounds parentheses, so a hostile pattern cannot exhaust the stack.
const maxDepth = 32

func (l *lexer) orExpr(depth int) (node, error) {
	return l.chain(depth, "||", func() (node, error) {
		return l.chain(depth, "&&", func() (node, error) { return l.unary(depth) })
	})
}

// chain parses operands joined by op.
func (l *lexer) chain(depth int, op string, operand func() (node, error)) (node, error) {
	var list []node
	for {
		n, err := operand()
		if err != nil {
			return nil, err
		}
		list = append(list, n)
		t, err := l.look()
		if err != nil {
			return nil, err
		}
		if t.kind != tOp || t.text != op {
			break
		}
		l.next()
	}
	if len(list) == 1 {
		return list[0], nil
	}
	if op == "&&" {
		return and(list), nil
	}
	return or(list), nil
}

func (l *lexer) unary(depth int) (node, error) {
	t, err := l.next()
	if err != nil {
		return nil, err
	}
	if t.kind == tPunct && t.text == "(" {
		if depth >= maxDepth {
			return nil, l.fail(t.pos, "parentheses nested too deep")
		}
		n, err := l.orExpr(depth + 1)
		if err != nil {
			return nil, err
		}
		if c, err := l.next(); err != nil || c.text != ")" || c.kind != tPunct {
			if err != nil {
				return nil, err
			}
			return nil, l.fail(c.pos, "expected )")
		}
		return n, nil
	}
	if t.kind != tWord || !strings.HasPrefix(t.text, "$") {
		return nil, l.fail(t.pos, "expected a selector such as $.field, not "+strconv.Quote(t.text))
	}
	path, err := parseSelector(l, t)
	if err != nil {
		return nil, err
	}
	return l.comparison(path)
}

// comparison reads what follows a selector: an operator and operand, IS …, EXISTS or NOT EXISTS.
func (l *lexer) comparison(path []step) (node, error) {
	t, err := l.next()
	if err != nil {
		return nil, err
	}
	switch {
	case t.kind == tOp && t.text != "&&" && t.text != "||":
		c, err := l.operand(t.text)
		if err != nil {
			return nil, err
		}
		return &test{path: path, cmp: &c}, nil
	case t.kind == tWord && t.text == "IS":
		v, err := l.next()
		if err != nil {
			return nil, err
		}
		if v.kind != tWord || (v.text != "TRUE" && v.text != "FALSE" && v.text != "NULL") {
			return nil, l.fail(v.pos, "IS takes TRUE, FALSE or NULL")
		}
		return &test{path: path, check: v.text}, nil
	case t.kind == tWord && t.text == "EXISTS":
		return &test{path: path, check: "EXISTS"}, nil
	case t.kind == tWord && t.text == "NOT":
		if v, err := l.next(); err != nil || v.text != "EXISTS" {
			if err != nil {
				return nil, err
			}
			return nil, l.fail(v.pos, "NOT takes EXISTS")
		}
		return &test{path: path, check: "NOT EXISTS"}, nil
	}
	return nil, l.fail(t.pos, "expected an operator after the selector")
}

// parseSelector reads $.a.b[0][*].*.
func parseSelector(l *lexer, t token) ([]step, error) {
	s := t.text[1:]
	var path []step
	for s != "" {
		switch s[0] {
		case '.':
			end := strings.IndexAny(s[1:], ".[")
			if end < 0 {
				end = len(s) - 1
			}
			name := s[1 : 1+end]
			if name == "" {
				return nil, l.fail(t.pos, "an empty member name in "+t.text)
			}
			path = append(path, step{name: name, index: -1, any: name == "*"})
			s = s[1+end:]
		case '[':
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return nil, l.fail(t.pos, "unclosed [ in "+t.text)
			}
			idx := s[1:end]
			if idx == "*" {
				path = append(path, step{index: -1, any: true})
			} else if n, err := strconv.Atoi(idx); err == nil && n >= 0 && !bytes.ContainsAny([]byte(idx), "+-") {
				path = append(path, step{index: n})
			} else {
				return nil, l.fail(t.pos, "an index must be a number or *: "+t.text)
			}
			s = s[end+1:]
		default:
			return nil, l.fail(t.pos, "a selector is $ followed by .member or [index]: "+t.text)
		}
	}
	if len(path) == 0 {
		return nil, l.fail(t.pos, "a selector names a member: $.field")
	}
	return path, nil
}
