// Package partiql parses the PartiQL statements DynamoDB runs (SELECT, INSERT, UPDATE, DELETE)
// into DynamoDB's own expression trees (package expr), with ? parameters bound from the
// request. Written by hand: no Go PartiQL parser speaks DynamoDB's dialect.
package partiql

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/dynamodb/attr"
	"github.com/gureum/gureum/internal/dynamodb/expr"
)

// MaxLength is the longest statement DynamoDB takes.
const MaxLength = 8192

// Error is a statement DynamoDB refuses; its text is DynamoDB's.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func malformed(format string, args ...any) *Error {
	return &Error{Msg: "Statement wasn't well formed, can't be processed: " + fmt.Sprintf(format, args...)}
}

// Statement is a parsed statement.
type Statement struct {
	Kind       string // SELECT, INSERT, UPDATE, DELETE
	Table      string
	Index      string
	Projection []expr.Path // nil: *
	Where      expr.Cond   // nil: none
	Item       attr.Item   // INSERT's VALUE
	Set        []expr.SetAction
	Remove     []expr.Path
}

type tok struct {
	kind byte // 'i' identifier, 'q' quoted identifier, 's' string, 'n' number, '?' parameter, 'p' punctuation, 0 end
	text string
}

func lex(src string) ([]tok, error) {
	var out []tok
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"' || c == '\'':
			j := i + 1
			var b strings.Builder
			for ; j < len(src); j++ {
				if src[j] == c {
					if j+1 < len(src) && src[j+1] == c {
						b.WriteByte(c)
						j++
						continue
					}
					break
				}
				b.WriteByte(src[j])
			}
			if j >= len(src) {
				return nil, malformed("Unterminated quoted text")
			}
			k := byte('s')
			if c == '"' {
				k = 'q'
			}
			out = append(out, tok{k, b.String()})
			i = j + 1
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_':
			j := i + 1
			for j < len(src) && (src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9' || src[j] == '_') {
				j++
			}
			out = append(out, tok{'i', src[i:j]})
			i = j
		case c >= '0' && c <= '9' || c == '-' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i + 1
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.' || src[j] == 'e' || src[j] == 'E' ||
				(src[j] == '-' || src[j] == '+') && (src[j-1] == 'e' || src[j-1] == 'E')) {
				j++
			}
			out = append(out, tok{'n', src[i:j]})
			i = j
		case c == '?':
			out = append(out, tok{'?', "?"})
			i++
		case strings.HasPrefix(src[i:], "<<") || strings.HasPrefix(src[i:], ">>") || strings.HasPrefix(src[i:], "<=") ||
			strings.HasPrefix(src[i:], ">=") || strings.HasPrefix(src[i:], "<>") || strings.HasPrefix(src[i:], "!="):
			out = append(out, tok{'p', src[i : i+2]})
			i += 2
		case strings.IndexByte("{}[](),.:=<>*", c) >= 0:
			out = append(out, tok{'p', src[i : i+1]})
			i++
		default:
			return nil, malformed("Unexpected character: %q", c)
		}
	}
	return append(out, tok{0, "<EOF>"}), nil
}

type parser struct {
	toks   []tok
	i      int
	params []attr.Value
	used   int
}

func (p *parser) peek() tok { return p.toks[p.i] }
func (p *parser) next() tok {
	t := p.toks[p.i]
	if t.kind != 0 {
		p.i++
	}
	return t
}

func (p *parser) keyword(w string) bool {
	t := p.peek()
	return t.kind == 'i' && strings.EqualFold(t.text, w)
}

func (p *parser) expectKeyword(w string) error {
	if !p.keyword(w) {
		return malformed("Expected %s, found %s", w, p.peek().text)
	}
	p.next()
	return nil
}

func (p *parser) punct(s string) bool {
	t := p.peek()
	return t.kind == 'p' && t.text == s
}

func (p *parser) expect(s string) error {
	if !p.punct(s) {
		return malformed("Expected %s, found %s", s, p.peek().text)
	}
	p.next()
	return nil
}

// Parse reads a statement and binds its ? parameters, in order.
func Parse(src string, params []attr.Value) (*Statement, error) {
	if len(src) > MaxLength {
		return nil, &Error{Msg: fmt.Sprintf("1 validation error detected: Value at 'statement' failed to satisfy constraint: Member must have length less than or equal to %d", MaxLength)}
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, params: params}
	var st *Statement
	switch {
	case p.keyword("SELECT"):
		st, err = p.selectStmt()
	case p.keyword("INSERT"):
		st, err = p.insertStmt()
	case p.keyword("UPDATE"):
		st, err = p.updateStmt()
	case p.keyword("DELETE"):
		st, err = p.deleteStmt()
	default:
		return nil, malformed("Expected data manipulation")
	}
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != 0 {
		return nil, malformed("Unexpected token: %s", t.text)
	}
	if p.used != len(params) {
		return nil, &Error{Msg: fmt.Sprintf("Number of parameters in request and statement don't match.")}
	}
	return st, nil
}

func (p *parser) name() (string, error) {
	t := p.next()
	if t.kind != 'i' && t.kind != 'q' {
		return "", malformed("Expected identifier, found %s", t.text)
	}
	return t.text, nil
}

func (p *parser) path() (expr.Path, error) {
	n, err := p.name()
	if err != nil {
		return nil, err
	}
	path := expr.Path{{Name: n}}
	for {
		switch {
		case p.punct("."):
			p.next()
			n, err := p.name()
			if err != nil {
				return nil, err
			}
			path = append(path, expr.PathElem{Name: n})
		case p.punct("["):
			p.next()
			t := p.next()
			i, err := strconv.Atoi(t.text)
			if t.kind != 'n' || err != nil || i < 0 {
				return nil, malformed("Expected a list index, found %s", t.text)
			}
			if err := p.expect("]"); err != nil {
				return nil, err
			}
			path = append(path, expr.PathElem{Index: i, IsIndex: true})
		default:
			return path, nil
		}
	}
}

func (p *parser) table(st *Statement) error {
	var err error
	if st.Table, err = p.name(); err != nil {
		return err
	}
	if p.punct(".") {
		p.next()
		st.Index, err = p.name()
	}
	return err
}

func (p *parser) selectStmt() (*Statement, error) {
	p.next()
	st := &Statement{Kind: "SELECT"}
	if p.punct("*") {
		p.next()
	} else {
		for {
			path, err := p.path()
			if err != nil {
				return nil, err
			}
			st.Projection = append(st.Projection, path)
			if !p.punct(",") {
				break
			}
			p.next()
		}
	}
	if err := p.expectKeyword("FROM"); err != nil {
		return nil, err
	}
	if err := p.table(st); err != nil {
		return nil, err
	}
	return st, p.where(st)
}

func (p *parser) where(st *Statement) error {
	if !p.keyword("WHERE") {
		return nil
	}
	p.next()
	var err error
	st.Where, err = p.or()
	return err
}

func (p *parser) insertStmt() (*Statement, error) {
	p.next()
	st := &Statement{Kind: "INSERT"}
	if err := p.expectKeyword("INTO"); err != nil {
		return nil, err
	}
	if err := p.table(st); err != nil {
		return nil, err
	}
	if err := p.expectKeyword("VALUE"); err != nil {
		return nil, err
	}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	if v.Kind != attr.M {
		return nil, malformed("VALUE must be a tuple")
	}
	st.Item = v.M
	return st, nil
}

func (p *parser) updateStmt() (*Statement, error) {
	p.next()
	st := &Statement{Kind: "UPDATE"}
	if err := p.table(st); err != nil {
		return nil, err
	}
	for p.keyword("SET") || p.keyword("REMOVE") {
		set := p.keyword("SET")
		p.next()
		for {
			path, err := p.path()
			if err != nil {
				return nil, err
			}
			if set {
				if err := p.expect("="); err != nil {
					return nil, err
				}
				v, err := p.operand()
				if err != nil {
					return nil, err
				}
				st.Set = append(st.Set, expr.SetAction{Path: path, Val: v})
			} else {
				st.Remove = append(st.Remove, path)
			}
			if !p.punct(",") {
				break
			}
			p.next()
		}
	}
	if len(st.Set)+len(st.Remove) == 0 {
		return nil, malformed("Expected SET or REMOVE")
	}
	if !p.keyword("WHERE") {
		return nil, malformed("Expected WHERE")
	}
	return st, p.where(st)
}

func (p *parser) deleteStmt() (*Statement, error) {
	p.next()
	st := &Statement{Kind: "DELETE"}
	if err := p.expectKeyword("FROM"); err != nil {
		return nil, err
	}
	if err := p.table(st); err != nil {
		return nil, err
	}
	if !p.keyword("WHERE") {
		return nil, malformed("Expected WHERE")
	}
	return st, p.where(st)
}

// value reads a literal or a parameter.
func (p *parser) value() (attr.Value, error) {
	t := p.next()
	switch {
	case t.kind == '?':
		if p.used >= len(p.params) {
			return attr.Value{}, &Error{Msg: "Number of parameters in request and statement don't match."}
		}
		p.used++
		return p.params[p.used-1], nil
	case t.kind == 's':
		return attr.Str(t.text), nil
	case t.kind == 'n':
		n, err := attr.ParseNumber(t.text)
		if err != nil {
			return attr.Value{}, &Error{Msg: err.Error()}
		}
		return attr.Num(n.String()), nil
	case t.kind == 'i' && (strings.EqualFold(t.text, "true") || strings.EqualFold(t.text, "false")):
		return attr.Value{Kind: attr.BOOL, Bool: strings.EqualFold(t.text, "true")}, nil
	case t.kind == 'i' && strings.EqualFold(t.text, "null"):
		return attr.Value{Kind: attr.NULL}, nil
	case t.kind == 'p' && t.text == "{":
		m := attr.Item{}
		for !p.punct("}") {
			k := p.next()
			if k.kind != 's' && k.kind != 'q' {
				return attr.Value{}, malformed("Expected a tuple key, found %s", k.text)
			}
			if err := p.expect(":"); err != nil {
				return attr.Value{}, err
			}
			v, err := p.value()
			if err != nil {
				return attr.Value{}, err
			}
			m[k.text] = v
			if !p.punct(",") {
				break
			}
			p.next()
		}
		return attr.Value{Kind: attr.M, M: m}, p.expect("}")
	case t.kind == 'p' && (t.text == "[" || t.text == "<<"):
		end := map[string]string{"[": "]", "<<": ">>"}[t.text]
		var l []attr.Value
		for !p.punct(end) {
			v, err := p.value()
			if err != nil {
				return attr.Value{}, err
			}
			l = append(l, v)
			if !p.punct(",") {
				break
			}
			p.next()
		}
		if err := p.expect(end); err != nil {
			return attr.Value{}, err
		}
		if end == "]" {
			if l == nil {
				l = []attr.Value{}
			}
			return attr.Value{Kind: attr.L, L: l}, nil
		}
		return set(l)
	}
	return attr.Value{}, malformed("Unexpected token: %s", t.text)
}

func set(l []attr.Value) (attr.Value, error) {
	if len(l) == 0 {
		return attr.Value{}, malformed("A set can not be empty")
	}
	v := attr.Value{}
	switch l[0].Kind {
	case attr.S:
		v.Kind = attr.SS
	case attr.N:
		v.Kind = attr.NS
	case attr.B:
		v.Kind = attr.BS
	default:
		return attr.Value{}, malformed("A set holds strings, numbers or binaries")
	}
	for _, e := range l {
		if e.Kind != l[0].Kind {
			return attr.Value{}, malformed("A set's elements must be of one type")
		}
		if e.Kind == attr.B {
			v.BSet = append(v.BSet, e.B)
		} else {
			v.Set = append(v.Set, e.S)
		}
	}
	return v, nil
}

func (p *parser) operand() (expr.Operand, error) {
	t := p.peek()
	if t.kind == 'i' && !isLiteralWord(t.text) || t.kind == 'q' {
		if p.toks[p.i+1].kind == 'p' && p.toks[p.i+1].text == "(" && strings.EqualFold(t.text, "size") {
			p.next()
			p.next()
			path, err := p.path()
			if err != nil {
				return nil, err
			}
			return &expr.SizeOp{X: &expr.PathOp{Path: path}}, p.expect(")")
		}
		path, err := p.path()
		if err != nil {
			return nil, err
		}
		return &expr.PathOp{Path: path}, nil
	}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	return &expr.ValueOp{V: v}, nil
}

func isLiteralWord(w string) bool {
	switch strings.ToLower(w) {
	case "true", "false", "null":
		return true
	}
	return false
}

func (p *parser) or() (expr.Cond, error) {
	a, err := p.and()
	for err == nil && p.keyword("OR") {
		p.next()
		var b expr.Cond
		if b, err = p.and(); err == nil {
			a = &expr.Or{A: a, B: b}
		}
	}
	return a, err
}

func (p *parser) and() (expr.Cond, error) {
	a, err := p.not()
	for err == nil && p.keyword("AND") {
		p.next()
		var b expr.Cond
		if b, err = p.not(); err == nil {
			a = &expr.And{A: a, B: b}
		}
	}
	return a, err
}

func (p *parser) not() (expr.Cond, error) {
	if p.keyword("NOT") {
		p.next()
		a, err := p.not()
		return &expr.Not{A: a}, err
	}
	return p.primary()
}

var condFuncs = map[string]string{"begins_with": "begins_with", "contains": "contains", "attribute_type": "attribute_type"}

func (p *parser) primary() (expr.Cond, error) {
	if p.punct("(") {
		p.next()
		c, err := p.or()
		if err != nil {
			return nil, err
		}
		return &expr.Paren{A: c}, p.expect(")")
	}
	t := p.peek()
	if fn, ok := condFuncs[strings.ToLower(t.text)]; ok && t.kind == 'i' && p.toks[p.i+1].text == "(" {
		p.next()
		p.next()
		var args []expr.Operand
		for {
			a, err := p.operand()
			if err != nil {
				return nil, err
			}
			args = append(args, a)
			if !p.punct(",") {
				break
			}
			p.next()
		}
		if len(args) != 2 {
			return nil, malformed("%s takes 2 arguments", fn)
		}
		return &expr.Func{Name: fn, Args: args}, p.expect(")")
	}
	a, err := p.operand()
	if err != nil {
		return nil, err
	}
	switch {
	case p.keyword("IS"):
		p.next()
		neg := p.keyword("NOT")
		if neg {
			p.next()
		}
		if err := p.expectKeyword("MISSING"); err != nil {
			return nil, err
		}
		fn := "attribute_not_exists"
		if neg {
			fn = "attribute_exists"
		}
		return &expr.Func{Name: fn, Args: []expr.Operand{a}}, nil
	case p.keyword("BETWEEN"):
		p.next()
		lo, err := p.operand()
		if err != nil {
			return nil, err
		}
		if err := p.expectKeyword("AND"); err != nil {
			return nil, err
		}
		hi, err := p.operand()
		return &expr.Between{X: a, Lo: lo, Hi: hi}, err
	case p.keyword("IN"):
		p.next()
		if err := p.expect("["); err != nil {
			return nil, err
		}
		var list []expr.Operand
		for {
			o, err := p.operand()
			if err != nil {
				return nil, err
			}
			list = append(list, o)
			if !p.punct(",") {
				break
			}
			p.next()
		}
		return &expr.In{X: a, List: list}, p.expect("]")
	}
	op := p.next()
	switch op.text {
	case "=", "<>", "<", "<=", ">", ">=", "!=":
	default:
		return nil, malformed("Expected a comparison, found %s", op.text)
	}
	if op.text == "!=" {
		op.text = "<>"
	}
	b, err := p.operand()
	return &expr.Compare{Op: op.text, A: a, B: b}, err
}
