package expr

import (
	"strings"

	"github.com/gureum/gureum/internal/dynamodb/attr"
)

// Update is a parsed update expression.
type Update struct {
	Set    []SetAction
	Remove []Path
	Add    []ValueAction
	Delete []ValueAction
}

// SetAction is SET path = value.
type SetAction struct {
	Path Path
	Val  Operand
}

// ValueAction is ADD or DELETE path :value.
type ValueAction struct {
	Path Path
	Val  attr.Value
}

// Paths lists every path the update writes.
func (u *Update) Paths() []Path {
	var out []Path
	for _, s := range u.Set {
		out = append(out, s.Path)
	}
	out = append(out, u.Remove...)
	for _, a := range u.Add {
		out = append(out, a.Path)
	}
	for _, d := range u.Delete {
		out = append(out, d.Path)
	}
	return out
}

// ParseUpdate parses an update expression.
func ParseUpdate(src string, env *Env) (*Update, error) {
	p, err := newParser("UpdateExpression", src, env)
	if err != nil {
		return nil, err
	}
	u := &Update{}
	seen := map[string]bool{}
	for p.peek().kind != tEOF {
		t := p.next()
		clause := strings.ToUpper(t.text)
		if t.kind != tIdent || (clause != "SET" && clause != "REMOVE" && clause != "ADD" && clause != "DELETE") {
			return nil, p.syntax(t)
		}
		if seen[clause] {
			return nil, p.fail("The %q section can only be used once in an update expression;", clause)
		}
		seen[clause] = true
		for {
			if err := p.action(u, clause); err != nil {
				return nil, err
			}
			if !p.isPunct(",") {
				break
			}
			p.next()
		}
	}
	if err := checkOverlaps(p, u.Paths()); err != nil {
		return nil, err
	}
	return u, nil
}

func (p *parser) action(u *Update, clause string) error {
	path, err := p.path()
	if err != nil {
		return err
	}
	switch clause {
	case "SET":
		if err := p.expect("="); err != nil {
			return err
		}
		v, err := p.setValue()
		if err != nil {
			return err
		}
		u.Set = append(u.Set, SetAction{path, v})
	case "REMOVE":
		u.Remove = append(u.Remove, path)
	case "ADD", "DELETE":
		t := p.next()
		if t.kind != tValue {
			return p.syntax(t)
		}
		v, err := p.value(t)
		if err != nil {
			return err
		}
		ok := v.V.Kind == attr.SS || v.V.Kind == attr.NS || v.V.Kind == attr.BS || clause == "ADD" && v.V.Kind == attr.N
		if !ok {
			return p.fail("Incorrect operand type for operator or function; operator: %s, operand type: %s", clause, longKind(v.V.Kind))
		}
		a := ValueAction{path, v.V}
		if clause == "ADD" {
			u.Add = append(u.Add, a)
		} else {
			u.Delete = append(u.Delete, a)
		}
	}
	return nil
}

func longKind(k attr.Kind) string {
	return map[attr.Kind]string{attr.S: "STRING", attr.N: "NUMBER", attr.B: "BINARY", attr.BOOL: "BOOLEAN", attr.NULL: "NULL",
		attr.M: "MAP", attr.L: "LIST", attr.SS: "STRING SET", attr.NS: "NUMBER SET", attr.BS: "BINARY SET"}[k]
}

// setValue reads operand [+|- operand].
func (p *parser) setValue() (Operand, error) {
	a, err := p.setOperand()
	if err != nil {
		return nil, err
	}
	if p.isPunct("+") || p.isPunct("-") {
		sub := p.next().text == "-"
		if err := p.countOp(); err != nil {
			return nil, err
		}
		b, err := p.setOperand()
		if err != nil {
			return nil, err
		}
		return &Arith{Sub: sub, A: a, B: b}, nil
	}
	return a, nil
}

func (p *parser) setOperand() (Operand, error) {
	t := p.peek()
	if t.kind != tIdent || p.toks[p.i+1].kind != tPunct || p.toks[p.i+1].text != "(" {
		return p.operand()
	}
	p.next()
	switch t.text {
	case "if_not_exists", "list_append":
	case "size", "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains":
		return nil, p.fail("The function is not allowed in an update expression; function: %s", t.text)
	default:
		return nil, p.fail("Invalid function name; function: %s", t.text)
	}
	if err := p.countOp(); err != nil {
		return nil, err
	}
	if err := p.expect("("); err != nil {
		return nil, err
	}
	var args []Operand
	for {
		a, err := p.setOperand()
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		if p.isPunct(",") {
			p.next()
			continue
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		break
	}
	if len(args) != 2 {
		return nil, p.fail("Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d", t.text, len(args))
	}
	if t.text == "list_append" {
		return &ListAppend{args[0], args[1]}, nil
	}
	path, ok := args[0].(*PathOp)
	if !ok {
		return nil, p.fail("Operator or function requires a document path; operator or function: if_not_exists")
	}
	return &IfNotExists{Path: path.Path, Else: args[1]}, nil
}
