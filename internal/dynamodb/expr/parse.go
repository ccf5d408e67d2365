package expr

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/dynamodb/attr"
)

// Limits on one expression (DynamoDB's documented ones).
const (
	MaxLength    = 4096
	MaxOperators = 300
	MaxInList    = 100
)

// Env is the ExpressionAttributeNames and Values of one request, shared by its expressions so
// that names and values unused by all of them can be reported.
type Env struct {
	Names      map[string]string
	Values     map[string]attr.Value
	usedNames  map[string]bool
	usedValues map[string]bool
}

// NewEnv returns the environment of a request's expressions.
func NewEnv(names map[string]string, values map[string]attr.Value) *Env {
	return &Env{Names: names, Values: values, usedNames: map[string]bool{}, usedValues: map[string]bool{}}
}

// Unused reports the names, then the values, no expression of the request used, with
// DynamoDB's text.
func (e *Env) Unused() error {
	var names, values []string
	for k := range e.Names {
		if !e.usedNames[k] {
			names = append(names, k)
		}
	}
	for k := range e.Values {
		if !e.usedValues[k] {
			values = append(values, k)
		}
	}
	sort.Strings(names)
	sort.Strings(values)
	if len(names) > 0 {
		return &Error{Msg: "Value provided in ExpressionAttributeNames unused in expressions: keys: {" + strings.Join(names, ", ") + "}"}
	}
	if len(values) > 0 {
		return &Error{Msg: "Value provided in ExpressionAttributeValues unused in expressions: keys: {" + strings.Join(values, ", ") + "}"}
	}
	return nil
}

// PathElem is one step of a document path: a name, or a list index.
type PathElem struct {
	Name    string
	Index   int
	IsIndex bool
}

// Path is a document path.
type Path []PathElem

// String renders a path as DynamoDB's messages do: [a, b, [2]].
func (p Path) String() string {
	parts := make([]string, len(p))
	for i, e := range p {
		if e.IsIndex {
			parts[i] = "[" + strconv.Itoa(e.Index) + "]"
		} else {
			parts[i] = e.Name
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// Operand is a value in an expression: a path, a value, or a function of them.
type Operand interface{ operand() }

type (
	// PathOp is a document path's value in the item.
	PathOp struct{ Path Path }
	// ValueOp is an ExpressionAttributeValue.
	ValueOp struct {
		Ref string
		V   attr.Value
	}
	// SizeOp is size(path).
	SizeOp struct{ X Operand }
	// IfNotExists is if_not_exists(path, operand).
	IfNotExists struct {
		Path Path
		Else Operand
	}
	// ListAppend is list_append(a, b).
	ListAppend struct{ A, B Operand }
	// Arith is a + b or a - b.
	Arith struct {
		Sub  bool
		A, B Operand
	}
)

func (*PathOp) operand()      {}
func (*ValueOp) operand()     {}
func (*SizeOp) operand()      {}
func (*IfNotExists) operand() {}
func (*ListAppend) operand()  {}
func (*Arith) operand()       {}

// Cond is a condition.
type Cond interface{ cond() }

type (
	// Compare is a op b, op one of = <> < <= > >=.
	Compare struct {
		Op   string
		A, B Operand
	}
	// Between is x BETWEEN lo AND hi.
	Between struct{ X, Lo, Hi Operand }
	// In is x IN (list).
	In struct {
		X    Operand
		List []Operand
	}
	// And, Or and Not combine conditions.
	And struct{ A, B Cond }
	Or  struct{ A, B Cond }
	Not struct{ A Cond }
	// Func is a condition function: attribute_exists, attribute_not_exists, attribute_type,
	// begins_with, contains.
	Func struct {
		Name string
		Args []Operand
	}
	// Paren is a parenthesised condition (kept to find redundant parentheses).
	Paren struct{ A Cond }
)

func (*Compare) cond() {}
func (*Between) cond() {}
func (*In) cond()      {}
func (*And) cond()     {}
func (*Or) cond()      {}
func (*Not) cond()     {}
func (*Func) cond()    {}
func (*Paren) cond()   {}

// parser reads one expression.
type parser struct {
	kind string
	src  string
	toks []token
	i    int
	env  *Env
	ops  int
}

func newParser(kind, src string, env *Env) (*parser, error) {
	if strings.TrimSpace(src) == "" {
		return nil, &Error{Kind: kind, Msg: "The expression can not be empty;"}
	}
	if len(src) > MaxLength {
		return nil, &Error{Kind: kind, Msg: fmt.Sprintf("Expression size has exceeded the maximum allowed size; expression size: %d", len(src))}
	}
	toks, err := lex(src)
	if err != nil {
		err.Kind = kind
		return nil, err
	}
	if env == nil {
		env = NewEnv(nil, nil)
	}
	return &parser{kind: kind, src: src, toks: toks, env: env}, nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) fail(msg string, args ...any) *Error {
	return &Error{Kind: p.kind, Msg: fmt.Sprintf(msg, args...)}
}

func (p *parser) syntax(t token) *Error {
	e := syntaxErr(p.src, t.pos, t.text)
	e.Kind = p.kind
	return e
}

func (p *parser) isPunct(s string) bool {
	t := p.peek()
	return t.kind == tPunct && t.text == s
}

func (p *parser) isKeyword(s string) bool {
	t := p.peek()
	return t.kind == tIdent && strings.EqualFold(t.text, s)
}

func (p *parser) expect(s string) error {
	t := p.next()
	if t.kind != tPunct || t.text != s {
		return p.syntax(t)
	}
	return nil
}

func (p *parser) countOp() error {
	p.ops++
	if p.ops > MaxOperators {
		return p.fail("The expression contains too many operators; operator count: %d", p.ops)
	}
	return nil
}

// name reads one name of a path: a bare name or a #placeholder.
func (p *parser) name() (string, error) {
	t := p.next()
	switch t.kind {
	case tIdent:
		switch strings.ToUpper(t.text) {
		case "AND", "OR", "NOT", "BETWEEN", "IN":
			return "", p.syntax(t)
		}
		if reserved(t.text) {
			return "", p.fail("Attribute name is a reserved keyword; reserved keyword: %s", t.text)
		}
		return t.text, nil
	case tName:
		v, ok := p.env.Names[t.text]
		if !ok {
			return "", p.fail("An expression attribute name used in the document path is not defined; attribute name: %s", t.text)
		}
		p.env.usedNames[t.text] = true
		return v, nil
	}
	return "", p.syntax(t)
}

// path reads a document path.
func (p *parser) path() (Path, error) {
	n, err := p.name()
	if err != nil {
		return nil, err
	}
	path := Path{{Name: n}}
	for {
		switch {
		case p.isPunct("."):
			p.next()
			n, err := p.name()
			if err != nil {
				return nil, err
			}
			path = append(path, PathElem{Name: n})
		case p.isPunct("["):
			p.next()
			t := p.next()
			if t.kind != tInt {
				return nil, p.syntax(t)
			}
			i, err := strconv.Atoi(t.text)
			if err != nil {
				return nil, p.fail("List index is not within the allowable range; index: %s", t.text)
			}
			if err := p.expect("]"); err != nil {
				return nil, err
			}
			path = append(path, PathElem{Index: i, IsIndex: true})
		default:
			if len(path) > 32 {
				return nil, p.fail("The document path has too many nesting levels; nesting levels: %d", len(path))
			}
			return path, nil
		}
	}
}

func (p *parser) value(t token) (*ValueOp, error) {
	v, ok := p.env.Values[t.text]
	if !ok {
		return nil, p.fail("An expression attribute value used in expression is not defined; attribute value: %s", t.text)
	}
	p.env.usedValues[t.text] = true
	return &ValueOp{Ref: t.text, V: v}, nil
}

var condFuncs = map[string]int{"attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2, "begins_with": 2, "contains": 2}

// operand reads an operand of a condition: a path, a value, or size(path).
func (p *parser) operand() (Operand, error) {
	t := p.peek()
	switch t.kind {
	case tValue:
		p.next()
		return p.value(t)
	case tIdent:
		if p.toks[p.i+1].kind == tPunct && p.toks[p.i+1].text == "(" {
			return p.funcOperand()
		}
		fallthrough
	case tName:
		path, err := p.path()
		if err != nil {
			return nil, err
		}
		return &PathOp{Path: path}, nil
	}
	return nil, p.syntax(p.next())
}

func (p *parser) funcOperand() (Operand, error) {
	t := p.next()
	switch {
	case t.text == "size":
		args, err := p.args()
		if err != nil {
			return nil, err
		}
		if len(args) != 1 {
			return nil, p.fail("Incorrect number of operands for operator or function; operator or function: size, number of operands: %d", len(args))
		}
		if _, ok := args[0].(*PathOp); !ok {
			return nil, p.fail("Operator or function requires a document path; operator or function: size")
		}
		return &SizeOp{X: args[0]}, nil
	case condFuncs[t.text] > 0 || t.text == "if_not_exists" || t.text == "list_append":
		return nil, p.fail("The function is not allowed to be used this way in an expression; function: %s", t.text)
	}
	return nil, p.fail("Invalid function name; function: %s", t.text)
}

// args reads a parenthesised, comma-separated list of operands.
func (p *parser) args() ([]Operand, error) {
	if err := p.expect("("); err != nil {
		return nil, err
	}
	var out []Operand
	for {
		o, err := p.operand()
		if err != nil {
			return nil, err
		}
		out = append(out, o)
		if p.isPunct(",") {
			p.next()
			continue
		}
		return out, p.expect(")")
	}
}

// ParseCondition parses a condition, filter or key condition expression; kind names it in errors
// ("ConditionExpression").
func ParseCondition(kind, src string, env *Env) (Cond, error) {
	p, err := newParser(kind, src, env)
	if err != nil {
		return nil, err
	}
	c, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.syntax(t)
	}
	return c, nil
}

func (p *parser) or() (Cond, error) {
	a, err := p.and()
	for err == nil && p.isKeyword("OR") {
		p.next()
		if err = p.countOp(); err != nil {
			return nil, err
		}
		var b Cond
		if b, err = p.and(); err == nil {
			a = &Or{a, b}
		}
	}
	return a, err
}

func (p *parser) and() (Cond, error) {
	a, err := p.not()
	for err == nil && p.isKeyword("AND") {
		p.next()
		if err = p.countOp(); err != nil {
			return nil, err
		}
		var b Cond
		if b, err = p.not(); err == nil {
			a = &And{a, b}
		}
	}
	return a, err
}

func (p *parser) not() (Cond, error) {
	if p.isKeyword("NOT") {
		p.next()
		if err := p.countOp(); err != nil {
			return nil, err
		}
		a, err := p.not()
		if err != nil {
			return nil, err
		}
		return &Not{a}, nil
	}
	return p.primary()
}

func (p *parser) primary() (Cond, error) {
	if p.isPunct("(") {
		p.next()
		c, err := p.or()
		if err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		if _, ok := c.(*Paren); ok {
			return nil, p.fail("The expression has redundant parentheses;")
		}
		return &Paren{c}, nil
	}
	t := p.peek()
	if t.kind == tIdent && p.toks[p.i+1].kind == tPunct && p.toks[p.i+1].text == "(" && condFuncs[t.text] > 0 {
		return p.condFunc()
	}
	a, err := p.operand()
	if err != nil {
		return nil, err
	}
	t = p.peek()
	switch {
	case t.kind == tPunct && isComparator(t.text):
		p.next()
		if err := p.countOp(); err != nil {
			return nil, err
		}
		b, err := p.operand()
		if err != nil {
			return nil, err
		}
		if err := p.distinct(t.text, a, b); err != nil {
			return nil, err
		}
		return &Compare{Op: t.text, A: a, B: b}, nil
	case p.isKeyword("BETWEEN"):
		p.next()
		if err := p.countOp(); err != nil {
			return nil, err
		}
		lo, err := p.operand()
		if err != nil {
			return nil, err
		}
		if !p.isKeyword("AND") {
			return nil, p.syntax(p.next())
		}
		p.next()
		hi, err := p.operand()
		if err != nil {
			return nil, err
		}
		return p.between(a, lo, hi)
	case p.isKeyword("IN"):
		p.next()
		if err := p.countOp(); err != nil {
			return nil, err
		}
		list, err := p.args()
		if err != nil {
			return nil, err
		}
		if len(list) > MaxInList {
			return nil, p.fail("The expression contains too many operands for an IN operator; operand count: %d", len(list))
		}
		return &In{X: a, List: list}, nil
	}
	if _, ok := a.(*SizeOp); ok {
		return nil, p.fail("The function is not allowed to be used this way in an expression; function: size")
	}
	return nil, p.syntax(p.next())
}

func isComparator(s string) bool {
	switch s {
	case "=", "<>", "<", "<=", ">", ">=":
		return true
	}
	return false
}

// distinct refuses the same path on both sides of an operator.
func (p *parser) distinct(op string, a, b Operand) error {
	pa, ok1 := a.(*PathOp)
	pb, ok2 := b.(*PathOp)
	if ok1 && ok2 && pa.Path.String() == pb.Path.String() {
		return p.fail("The first operand must be distinct from the remaining operands for this operator or function; operator: %s, first operand: %s", op, pa.Path)
	}
	return nil
}

func (p *parser) between(x, lo, hi Operand) (Cond, error) {
	l, ok1 := lo.(*ValueOp)
	h, ok2 := hi.(*ValueOp)
	if ok1 && ok2 {
		if l.V.Kind != h.V.Kind {
			return nil, p.fail("The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: %s, upper bound operand: AttributeValue: %s", l.V.Brief(), h.V.Brief())
		}
		if c, ok := attr.Compare(l.V, h.V); ok && c > 0 {
			return nil, p.fail("The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: %s, upper bound operand: AttributeValue: %s", l.V.Brief(), h.V.Brief())
		}
	}
	return &Between{X: x, Lo: lo, Hi: hi}, nil
}

var typeNames = "S, SS, N, NS, B, BS, BOOL, NULL, L, M"

func (p *parser) condFunc() (Cond, error) {
	name := p.next().text
	if err := p.countOp(); err != nil {
		return nil, err
	}
	args, err := p.args()
	if err != nil {
		return nil, err
	}
	if len(args) != condFuncs[name] {
		return nil, p.fail("Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d", name, len(args))
	}
	switch name {
	case "attribute_exists", "attribute_not_exists", "attribute_type":
		if _, ok := args[0].(*PathOp); !ok {
			return nil, p.fail("Operator or function requires a document path; operator or function: %s", name)
		}
	}
	switch name {
	case "attribute_type":
		v, ok := args[1].(*ValueOp)
		if !ok || v.V.Kind != attr.S {
			return nil, p.fail("Incorrect operand type for operator or function; operator or function: attribute_type, operand type: %s", kindOf(args[1]))
		}
		if attr.KindOf(v.V.S) == attr.Invalid {
			return nil, p.fail("Invalid attribute type name found; type: %s, valid types: {%s}", v.V.S, typeNames)
		}
	case "begins_with":
		for _, a := range args {
			if v, ok := a.(*ValueOp); ok && v.V.Kind != attr.S && v.V.Kind != attr.B {
				return nil, p.fail("Incorrect operand type for operator or function; operator or function: begins_with, operand type: %s", v.V.Kind)
			}
		}
		if err := p.distinct(name, args[0], args[1]); err != nil {
			return nil, err
		}
	case "contains":
		if err := p.distinct(name, args[0], args[1]); err != nil {
			return nil, err
		}
	}
	return &Func{Name: name, Args: args}, nil
}

func kindOf(o Operand) string {
	if v, ok := o.(*ValueOp); ok {
		return v.V.Kind.String()
	}
	return "PATH"
}

// ParseProjection parses a projection expression: paths separated by commas.
func ParseProjection(src string, env *Env) ([]Path, error) {
	p, err := newParser("ProjectionExpression", src, env)
	if err != nil {
		return nil, err
	}
	var out []Path
	for {
		path, err := p.path()
		if err != nil {
			return nil, err
		}
		out = append(out, path)
		if p.isPunct(",") {
			p.next()
			continue
		}
		if t := p.peek(); t.kind != tEOF {
			return nil, p.syntax(t)
		}
		break
	}
	if err := checkOverlaps(p, out); err != nil {
		return nil, err
	}
	return out, nil
}

// checkOverlaps refuses two paths where one contains the other, or that disagree on whether a
// step is a name or an index.
func checkOverlaps(p *parser, paths []Path) error {
	for i := range paths {
		for j := i + 1; j < len(paths); j++ {
			a, b := paths[i], paths[j]
			n := min(len(a), len(b))
			k := 0
			for k < n && a[k] == b[k] {
				k++
			}
			if k == n {
				return p.fail("Two document paths overlap with each other; must remove or rewrite one of these paths; path one: %s, path two: %s", a, b)
			}
			if a[k].IsIndex != b[k].IsIndex {
				return p.fail("Two document paths conflict with each other; must remove or rewrite one of these paths; path one: %s, path two: %s", a, b)
			}
		}
	}
	return nil
}
