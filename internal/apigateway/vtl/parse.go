// Package vtl is the subset of Apache Velocity (1.7) that API Gateway's mapping templates use:
// references ($a.b.c(…), ${a}, $!a), #set, #if/#elseif/#else, #foreach (with $foreach.hasNext,
// $foreach.index, $velocityCount), #break, ## and #* *# comments, and expressions with
// literals, lists, maps, ranges and Velocity's operators. Written by hand: no Go implementation
// of Velocity exists. Values are nil, bool, int64, float64, string, []any, *Map and Objects that
// the caller supplies ($input, $util, $context).
package vtl

import (
	"fmt"
	"strconv"
	"strings"
)

// Limits on what a template may hold, so hostile templates cost bounded work.
const (
	MaxTemplate = 64 << 10 // bytes
	maxDepth    = 64       // nesting of blocks and expressions
)

type node interface{}

type textNode struct{ s string }

// refNode is a reference: $name followed by property, method and index steps.
type refNode struct {
	name  string
	steps []step
	quiet bool   // $!name
	raw   string // the text, rendered when the reference is undefined and not quiet
}

type step struct {
	name  string // property or method name; "" for an index
	call  bool
	args  []expr
	index expr
}

type setNode struct {
	target *refNode
	value  expr
}

type ifNode struct {
	conds  []expr
	blocks [][]node
	orElse []node
}

type foreachNode struct {
	varName string
	list    expr
	body    []node
}

type breakNode struct{}

type expr interface{}

type litExpr struct{ v any }

type strExpr struct { // a "double-quoted" string, interpolated
	parts []node
}

type listExpr struct{ items []expr }

type rangeExpr struct{ from, to expr }

type mapExpr struct {
	keys []expr
	vals []expr
}

type unaryExpr struct {
	op string
	x  expr
}

type binExpr struct {
	op   string
	l, r expr
}

// Template is a parsed template.
type Template struct{ nodes []node }

// SyntaxError reports where a template could not be parsed.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("vtl: at offset %d: %s", e.Offset, e.Msg) }

type parser struct {
	src   string
	pos   int
	depth int
}

// Parse parses a template.
func Parse(src string) (*Template, error) {
	if len(src) > MaxTemplate {
		return nil, &SyntaxError{0, "template too large"}
	}
	p := &parser{src: src}
	nodes, end, err := p.block()
	if err != nil {
		return nil, err
	}
	if end != "" {
		return nil, p.errorf("unexpected #%s", end)
	}
	return &Template{nodes: nodes}, nil
}

func (p *parser) errorf(format string, args ...any) error {
	return &SyntaxError{p.pos, fmt.Sprintf(format, args...)}
}

// block parses nodes until the end of input or a block keyword (#end, #else, #elseif), which it
// returns without consuming its arguments (#elseif's condition is the caller's).
func (p *parser) block() ([]node, string, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, "", p.errorf("blocks nest too deep")
	}
	var nodes []node
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			nodes = append(nodes, &textNode{text.String()})
			text.Reset()
		}
	}
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '#':
			n, kw, ok, err := p.directive()
			if err != nil {
				return nil, "", err
			}
			if !ok {
				text.WriteByte(c)
				p.pos++
				continue
			}
			flush()
			if kw != "" {
				return nodes, kw, nil
			}
			if n != nil {
				nodes = append(nodes, n)
			}
		case c == '$':
			r, ok, err := p.reference()
			if err != nil {
				return nil, "", err
			}
			if !ok {
				text.WriteByte(c)
				p.pos++
				continue
			}
			flush()
			nodes = append(nodes, r)
		case c == '\\' && p.pos+1 < len(p.src) && (p.src[p.pos+1] == '$' || p.src[p.pos+1] == '#'):
			// \$ and \# escape a reference or directive.
			text.WriteByte(p.src[p.pos+1])
			p.pos += 2
		default:
			text.WriteByte(c)
			p.pos++
		}
	}
	flush()
	return nodes, "", nil
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isIdent(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

func (p *parser) ident() string {
	start := p.pos
	if p.pos < len(p.src) && isIdentStart(p.src[p.pos]) {
		p.pos++
		for p.pos < len(p.src) && isIdent(p.src[p.pos]) {
			p.pos++
		}
	}
	return p.src[start:p.pos]
}

// eatNewline consumes the newline right after a directive, as Velocity does.
func (p *parser) eatNewline() {
	if strings.HasPrefix(p.src[p.pos:], "\r\n") {
		p.pos += 2
	} else if p.pos < len(p.src) && p.src[p.pos] == '\n' {
		p.pos++
	}
}

// directive parses at a '#': ok false when it is plain text.
func (p *parser) directive() (n node, kw string, ok bool, err error) {
	rest := p.src[p.pos+1:]
	switch {
	case strings.HasPrefix(rest, "#"): // line comment
		end := strings.IndexByte(rest, '\n')
		if end < 0 {
			p.pos = len(p.src)
		} else {
			p.pos += 1 + end + 1
		}
		return nil, "", true, nil
	case strings.HasPrefix(rest, "*"): // block comment
		end := strings.Index(rest[1:], "*#")
		if end < 0 {
			return nil, "", false, p.errorf("unterminated comment")
		}
		p.pos += 1 + 1 + end + 2
		return nil, "", true, nil
	}
	save := p.pos
	p.pos++
	braced := false
	if p.pos < len(p.src) && p.src[p.pos] == '{' {
		braced = true
		p.pos++
	}
	name := p.ident()
	if braced {
		if p.pos >= len(p.src) || p.src[p.pos] != '}' {
			p.pos = save
			return nil, "", false, nil
		}
		p.pos++
	}
	switch name {
	case "end", "else":
		p.eatNewline()
		return nil, name, true, nil
	case "elseif":
		return nil, name, true, nil
	case "break", "stop":
		p.eatNewline()
		return &breakNode{}, "", true, nil
	case "set":
		n, err := p.set()
		return n, "", true, err
	case "if":
		n, err := p.ifBlock()
		return n, "", true, err
	case "foreach":
		n, err := p.foreach()
		return n, "", true, err
	}
	p.pos = save
	return nil, "", false, nil
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && strings.IndexByte(" \t\r\n", p.src[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *parser) expect(c byte) error {
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != c {
		return p.errorf("expected %q", c)
	}
	p.pos++
	return nil
}

func (p *parser) set() (node, error) {
	if err := p.expect('('); err != nil {
		return nil, err
	}
	p.skipSpace()
	r, ok, err := p.reference()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, p.errorf("#set needs a reference")
	}
	if err := p.expect('='); err != nil {
		return nil, err
	}
	v, err := p.expr()
	if err != nil {
		return nil, err
	}
	if err := p.expect(')'); err != nil {
		return nil, err
	}
	p.eatNewline()
	return &setNode{target: r, value: v}, nil
}

func (p *parser) cond() (expr, error) {
	if err := p.expect('('); err != nil {
		return nil, err
	}
	e, err := p.expr()
	if err != nil {
		return nil, err
	}
	if err := p.expect(')'); err != nil {
		return nil, err
	}
	p.eatNewline()
	return e, nil
}

func (p *parser) ifBlock() (node, error) {
	n := &ifNode{}
	c, err := p.cond()
	if err != nil {
		return nil, err
	}
	for {
		body, kw, err := p.block()
		if err != nil {
			return nil, err
		}
		n.conds, n.blocks = append(n.conds, c), append(n.blocks, body)
		switch kw {
		case "end":
			return n, nil
		case "elseif":
			if c, err = p.cond(); err != nil {
				return nil, err
			}
		case "else":
			body, kw, err := p.block()
			if err != nil {
				return nil, err
			}
			if kw != "end" {
				return nil, p.errorf("#else needs #end")
			}
			n.orElse = body
			return n, nil
		default:
			return nil, p.errorf("#if needs #end")
		}
	}
}

func (p *parser) foreach() (node, error) {
	if err := p.expect('('); err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '$' {
		return nil, p.errorf("#foreach needs a variable")
	}
	p.pos++
	name := p.ident()
	if name == "" {
		return nil, p.errorf("#foreach needs a variable")
	}
	p.skipSpace()
	if !strings.HasPrefix(p.src[p.pos:], "in") {
		return nil, p.errorf("#foreach needs 'in'")
	}
	p.pos += 2
	list, err := p.expr()
	if err != nil {
		return nil, err
	}
	if err := p.expect(')'); err != nil {
		return nil, err
	}
	p.eatNewline()
	body, kw, err := p.block()
	if err != nil {
		return nil, err
	}
	if kw != "end" {
		return nil, p.errorf("#foreach needs #end")
	}
	return &foreachNode{varName: name, list: list, body: body}, nil
}

// reference parses at a '$': ok false when what follows is not a reference.
func (p *parser) reference() (*refNode, bool, error) {
	if p.pos >= len(p.src) || p.src[p.pos] != '$' {
		return nil, false, nil // #set( at the end of a template, or without a '$'
	}
	start := p.pos
	p.pos++
	r := &refNode{}
	if p.pos < len(p.src) && p.src[p.pos] == '!' {
		r.quiet = true
		p.pos++
	}
	braced := p.pos < len(p.src) && p.src[p.pos] == '{'
	if braced {
		p.pos++
	}
	r.name = p.ident()
	if r.name == "" {
		p.pos = start
		return nil, false, nil
	}
	if err := p.steps(r); err != nil {
		return nil, false, err
	}
	if braced {
		if p.pos >= len(p.src) || p.src[p.pos] != '}' {
			p.pos = start
			return nil, false, nil
		}
		p.pos++
	}
	r.raw = p.src[start:p.pos]
	return r, true, nil
}

// steps parses .prop, .method(args) and [index] after a reference's name.
func (p *parser) steps(r *refNode) error {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case '.':
			if p.pos+1 >= len(p.src) || !isIdentStart(p.src[p.pos+1]) {
				return nil
			}
			p.pos++
			s := step{name: p.ident()}
			if p.pos < len(p.src) && p.src[p.pos] == '(' {
				p.pos++
				args, err := p.args(')')
				if err != nil {
					return err
				}
				s.call, s.args = true, args
			}
			r.steps = append(r.steps, s)
		case '[':
			p.pos++
			e, err := p.expr()
			if err != nil {
				return err
			}
			if err := p.expect(']'); err != nil {
				return err
			}
			r.steps = append(r.steps, step{index: e})
		default:
			return nil
		}
	}
	return nil
}

// args parses comma-separated expressions up to close.
func (p *parser) args(close byte) ([]expr, error) {
	var out []expr
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == close {
		p.pos++
		return out, nil
	}
	for {
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		p.skipSpace()
		if p.pos >= len(p.src) {
			return nil, p.errorf("expected %q", close)
		}
		if p.src[p.pos] == close {
			p.pos++
			return out, nil
		}
		if p.src[p.pos] != ',' {
			return nil, p.errorf("expected ',' or %q", close)
		}
		p.pos++
	}
}

var binaryLevels = [][]string{
	{"||", "or"},
	{"&&", "and"},
	{"==", "!=", "eq", "ne"},
	{"<=", ">=", "<", ">", "le", "ge", "lt", "gt"},
	{"+", "-"},
	{"*", "/", "%"},
}

func (p *parser) expr() (expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, p.errorf("expression nests too deep")
	}
	return p.binary(0)
}

func (p *parser) binary(level int) (expr, error) {
	if level == len(binaryLevels) {
		return p.unary()
	}
	l, err := p.binary(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		op := p.operator(binaryLevels[level])
		if op == "" {
			return l, nil
		}
		r, err := p.binary(level + 1)
		if err != nil {
			return nil, err
		}
		l = &binExpr{op: op, l: l, r: r}
	}
}

// operator consumes one of ops (word operators only when whole words).
func (p *parser) operator(ops []string) string {
	p.skipSpace()
	rest := p.src[p.pos:]
	for _, op := range ops {
		if !strings.HasPrefix(rest, op) {
			continue
		}
		if isIdentStart(op[0]) && len(rest) > len(op) && isIdent(rest[len(op)]) {
			continue
		}
		if (op == "<" || op == ">") && len(rest) > 1 && rest[1] == '=' {
			continue
		}
		p.pos += len(op)
		return canonicalOp(op)
	}
	return ""
}

func canonicalOp(op string) string {
	switch op {
	case "or":
		return "||"
	case "and":
		return "&&"
	case "eq":
		return "=="
	case "ne":
		return "!="
	case "lt":
		return "<"
	case "gt":
		return ">"
	case "le":
		return "<="
	case "ge":
		return ">="
	}
	return op
}

func (p *parser) unary() (expr, error) {
	p.skipSpace()
	rest := p.src[p.pos:]
	if strings.HasPrefix(rest, "!") && !strings.HasPrefix(rest, "!=") || strings.HasPrefix(rest, "not ") {
		if rest[0] == '!' {
			p.pos++
		} else {
			p.pos += 3
		}
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > maxDepth {
			return nil, p.errorf("expression nests too deep")
		}
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &unaryExpr{op: "!", x: x}, nil
	}
	if strings.HasPrefix(rest, "-") && len(rest) > 1 && rest[1] >= '0' && rest[1] <= '9' {
		p.pos++
		x, err := p.primary()
		if err != nil {
			return nil, err
		}
		return &unaryExpr{op: "-", x: x}, nil
	}
	return p.primary()
}

func (p *parser) primary() (expr, error) {
	p.skipSpace()
	if p.pos >= len(p.src) {
		return nil, p.errorf("expected an expression")
	}
	c := p.src[p.pos]
	switch {
	case c == '$':
		r, ok, err := p.reference()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, p.errorf("invalid reference")
		}
		return r, nil
	case c == '(':
		p.pos++
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		return e, p.expect(')')
	case c == '"':
		return p.doubleQuoted()
	case c == '\'':
		end := strings.IndexByte(p.src[p.pos+1:], '\'')
		if end < 0 {
			return nil, p.errorf("unterminated string")
		}
		s := p.src[p.pos+1 : p.pos+1+end]
		p.pos += end + 2
		return &litExpr{s}, nil
	case c == '[':
		return p.list()
	case c == '{':
		return p.mapLit()
	case c >= '0' && c <= '9':
		return p.number()
	}
	for _, w := range []struct {
		s string
		v any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if strings.HasPrefix(p.src[p.pos:], w.s) {
			p.pos += len(w.s)
			return &litExpr{w.v}, nil
		}
	}
	return nil, p.errorf("unexpected %q", c)
}

func (p *parser) number() (expr, error) {
	start := p.pos
	for p.pos < len(p.src) && (p.src[p.pos] >= '0' && p.src[p.pos] <= '9') {
		p.pos++
	}
	if p.pos+1 < len(p.src) && p.src[p.pos] == '.' && p.src[p.pos+1] >= '0' && p.src[p.pos+1] <= '9' {
		p.pos++
		for p.pos < len(p.src) && (p.src[p.pos] >= '0' && p.src[p.pos] <= '9') {
			p.pos++
		}
		f, err := strconv.ParseFloat(p.src[start:p.pos], 64)
		if err != nil {
			return nil, p.errorf("bad number")
		}
		return &litExpr{f}, nil
	}
	n, err := strconv.ParseInt(p.src[start:p.pos], 10, 64)
	if err != nil {
		return nil, p.errorf("bad number")
	}
	return &litExpr{n}, nil
}

// doubleQuoted parses a "string" whose references and directives are interpolated.
func (p *parser) doubleQuoted() (expr, error) {
	end := p.pos + 1
	for end < len(p.src) && p.src[end] != '"' {
		end++
	}
	if end >= len(p.src) {
		return nil, p.errorf("unterminated string")
	}
	inner := p.src[p.pos+1 : end]
	p.pos = end + 1
	if !strings.ContainsAny(inner, "$#") {
		return &litExpr{inner}, nil
	}
	sub := &parser{src: inner, depth: p.depth}
	nodes, kw, err := sub.block()
	if err != nil {
		return nil, err
	}
	if kw != "" {
		return nil, p.errorf("unexpected #%s in a string", kw)
	}
	return &strExpr{parts: nodes}, nil
}

func (p *parser) list() (expr, error) {
	p.pos++
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		return &listExpr{}, nil
	}
	first, err := p.expr()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if strings.HasPrefix(p.src[p.pos:], "..") { // a range: [a..b]
		p.pos += 2
		to, err := p.expr()
		if err != nil {
			return nil, err
		}
		return &rangeExpr{from: first, to: to}, p.expect(']')
	}
	l := &listExpr{items: []expr{first}}
	for {
		p.skipSpace()
		if p.pos >= len(p.src) {
			return nil, p.errorf("expected ']'")
		}
		switch p.src[p.pos] {
		case ']':
			p.pos++
			return l, nil
		case ',':
			p.pos++
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			l.items = append(l.items, e)
		default:
			return nil, p.errorf("expected ',' or ']'")
		}
	}
}

func (p *parser) mapLit() (expr, error) {
	p.pos++
	m := &mapExpr{}
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		return m, nil
	}
	for {
		k, err := p.expr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(':'); err != nil {
			return nil, err
		}
		v, err := p.expr()
		if err != nil {
			return nil, err
		}
		m.keys, m.vals = append(m.keys, k), append(m.vals, v)
		p.skipSpace()
		if p.pos < len(p.src) && p.src[p.pos] == '}' {
			p.pos++
			return m, nil
		}
		if err := p.expect(','); err != nil {
			return nil, err
		}
	}
}
