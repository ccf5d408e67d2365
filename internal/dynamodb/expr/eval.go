package expr

import (
	"bytes"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gureum/gureum/internal/dynamodb/attr"
)

// Resolve finds a path's value in an item.
func Resolve(it attr.Item, p Path) (attr.Value, bool) {
	v, ok := it[p[0].Name]
	if !ok || p[0].IsIndex {
		return attr.Value{}, false
	}
	for _, e := range p[1:] {
		switch {
		case e.IsIndex && v.Kind == attr.L:
			if e.Index >= len(v.L) {
				return attr.Value{}, false
			}
			v = v.L[e.Index]
		case !e.IsIndex && v.Kind == attr.M:
			if v, ok = v.M[e.Name]; !ok {
				return attr.Value{}, false
			}
		default:
			return attr.Value{}, false
		}
	}
	return v, true
}

// value evaluates an operand of a condition; ok is false when it names nothing.
func value(it attr.Item, o Operand) (attr.Value, bool) {
	switch o := o.(type) {
	case *PathOp:
		return Resolve(it, o.Path)
	case *ValueOp:
		return o.V, true
	case *SizeOp:
		v, ok := value(it, o.X)
		if !ok {
			return v, false
		}
		n := -1
		switch v.Kind {
		case attr.S:
			n = utf8.RuneCountInString(v.S)
		case attr.B:
			n = len(v.B)
		case attr.L:
			n = len(v.L)
		case attr.M:
			n = len(v.M)
		case attr.SS, attr.NS:
			n = len(v.Set)
		case attr.BS:
			n = len(v.BSet)
		}
		if n < 0 {
			return attr.Value{}, false
		}
		return attr.Num(strconv.Itoa(n)), true
	}
	return attr.Value{}, false
}

// Eval decides a condition on an item (nil or empty: no item).
func Eval(c Cond, it attr.Item) bool {
	switch c := c.(type) {
	case *Paren:
		return Eval(c.A, it)
	case *And:
		return Eval(c.A, it) && Eval(c.B, it)
	case *Or:
		return Eval(c.A, it) || Eval(c.B, it)
	case *Not:
		return !Eval(c.A, it)
	case *Compare:
		a, ok1 := value(it, c.A)
		b, ok2 := value(it, c.B)
		if c.Op == "<>" {
			return !ok1 || !ok2 || !attr.Equal(a, b)
		}
		if !ok1 || !ok2 {
			return false
		}
		if c.Op == "=" {
			return attr.Equal(a, b)
		}
		n, ok := attr.Compare(a, b)
		if !ok {
			return false
		}
		switch c.Op {
		case "<":
			return n < 0
		case "<=":
			return n <= 0
		case ">":
			return n > 0
		}
		return n >= 0
	case *Between:
		x, ok1 := value(it, c.X)
		lo, ok2 := value(it, c.Lo)
		hi, ok3 := value(it, c.Hi)
		if !ok1 || !ok2 || !ok3 {
			return false
		}
		a, ok4 := attr.Compare(x, lo)
		b, ok5 := attr.Compare(x, hi)
		return ok4 && ok5 && a >= 0 && b <= 0
	case *In:
		x, ok := value(it, c.X)
		if !ok {
			return false
		}
		for _, o := range c.List {
			if v, ok := value(it, o); ok && attr.Equal(x, v) {
				return true
			}
		}
		return false
	case *Func:
		return evalFunc(c, it)
	}
	return false
}

func evalFunc(c *Func, it attr.Item) bool {
	a, ok := value(it, c.Args[0])
	switch c.Name {
	case "attribute_exists":
		return ok
	case "attribute_not_exists":
		return !ok
	}
	b, ok2 := value(it, c.Args[1])
	if !ok || !ok2 {
		return false
	}
	switch c.Name {
	case "attribute_type":
		return a.Kind.String() == b.S
	case "begins_with":
		switch {
		case a.Kind == attr.S && b.Kind == attr.S:
			return strings.HasPrefix(a.S, b.S)
		case a.Kind == attr.B && b.Kind == attr.B:
			return bytes.HasPrefix(a.B, b.B)
		}
		return false
	case "contains":
		switch a.Kind {
		case attr.S:
			return b.Kind == attr.S && strings.Contains(a.S, b.S)
		case attr.B:
			return b.Kind == attr.B && bytes.Contains(a.B, b.B)
		case attr.SS, attr.NS, attr.BS:
			elem := map[attr.Kind]attr.Kind{attr.SS: attr.S, attr.NS: attr.N, attr.BS: attr.B}[a.Kind]
			if b.Kind != elem {
				return false
			}
			for _, s := range a.Set {
				if attr.Equal(attr.Value{Kind: elem, S: s}, b) {
					return true
				}
			}
			for _, x := range a.BSet {
				if bytes.Equal(x, b.B) {
					return true
				}
			}
		case attr.L:
			for _, e := range a.L {
				if attr.Equal(e, b) {
					return true
				}
			}
		}
	}
	return false
}

// Project keeps only the given paths of an item (list elements keep their order, compacted).
func Project(it attr.Item, paths []Path) attr.Item {
	out := attr.Item{}
	for _, p := range paths {
		v, ok := Resolve(it, p)
		if !ok {
			continue
		}
		if len(p) == 1 {
			out[p[0].Name] = v
			continue
		}
		cur, ok := out[p[0].Name]
		if !ok {
			orig := it[p[0].Name]
			cur = attr.Value{Kind: orig.Kind}
			if orig.Kind == attr.M {
				cur.M = map[string]attr.Value{}
			}
		}
		out[p[0].Name] = place(cur, it[p[0].Name], p[1:], v)
	}
	compact(out)
	return out
}

// place puts v at rest within cur (a partial copy of orig); list elements are kept at their
// original index in a sparse marker form, compacted later.
func place(cur, orig attr.Value, rest Path, v attr.Value) attr.Value {
	if len(rest) == 0 {
		return v
	}
	e := rest[0]
	if e.IsIndex {
		if cur.L == nil {
			cur.L = make([]attr.Value, len(orig.L))
		}
		cur.Kind = attr.L
		child := cur.L[e.Index]
		if child.Kind == attr.Invalid {
			child = attr.Value{Kind: orig.L[e.Index].Kind}
			if child.Kind == attr.M {
				child.M = map[string]attr.Value{}
			}
		}
		cur.L[e.Index] = place(child, orig.L[e.Index], rest[1:], v)
		return cur
	}
	cur.Kind = attr.M
	if cur.M == nil {
		cur.M = map[string]attr.Value{}
	}
	child, ok := cur.M[e.Name]
	if !ok {
		child = attr.Value{Kind: orig.M[e.Name].Kind}
		if child.Kind == attr.M {
			child.M = map[string]attr.Value{}
		}
	}
	cur.M[e.Name] = place(child, orig.M[e.Name], rest[1:], v)
	return cur
}

// compact drops the unset elements place left in lists.
func compact(it attr.Item) {
	for k, v := range it {
		it[k] = compactValue(v)
	}
}

func compactValue(v attr.Value) attr.Value {
	if v.Kind == attr.L {
		var l []attr.Value
		for _, e := range v.L {
			if e.Kind != attr.Invalid {
				l = append(l, compactValue(e))
			}
		}
		if l == nil {
			l = []attr.Value{}
		}
		v.L = l
	}
	if v.Kind == attr.M {
		for k, e := range v.M {
			v.M[k] = compactValue(e)
		}
	}
	return v
}

// Update errors that stand alone (no "Invalid UpdateExpression" prefix).
var (
	ErrMissingOperand = &Error{Msg: "The provided expression refers to an attribute that does not exist in the item"}
	ErrBadPath        = &Error{Msg: "The document path provided in the update expression is invalid for update"}
	ErrOperandType    = &Error{Msg: "An operand in the update expression has an incorrect data type"}
)

// Apply runs the update on a copy of item (nil: no item) and returns the new item.
func (u *Update) Apply(item attr.Item) (attr.Item, error) {
	old := item
	if old == nil {
		old = attr.Item{}
	}
	out := attr.CloneItem(old)
	for _, s := range u.Set {
		v, err := setValue(old, s.Val)
		if err != nil {
			return nil, err
		}
		if err := assign(out, s.Path, v); err != nil {
			return nil, err
		}
	}
	for _, a := range u.Add {
		cur, ok := Resolve(out, a.Path)
		v := a.Val
		if ok {
			switch {
			case cur.Kind == attr.N && v.Kind == attr.N:
				n, err := cur.Number().Add(v.Number(), false)
				if err != nil {
					return nil, &Error{Msg: err.Error()}
				}
				v = attr.Num(n.String())
			case cur.Kind == v.Kind && v.Kind != attr.N:
				v = union(cur, v)
			default:
				return nil, ErrOperandType
			}
		}
		if err := assign(out, a.Path, v); err != nil {
			return nil, err
		}
	}
	for _, d := range u.Delete {
		cur, ok := Resolve(out, d.Path)
		if !ok {
			continue
		}
		if cur.Kind != d.Val.Kind {
			return nil, ErrOperandType
		}
		rest := minus(cur, d.Val)
		if len(rest.Set)+len(rest.BSet) == 0 {
			remove(out, d.Path)
		} else if err := assign(out, d.Path, rest); err != nil {
			return nil, err
		}
	}
	removes := append([]Path(nil), u.Remove...)
	sort.SliceStable(removes, func(i, j int) bool { // list indexes from the end, so each means the original
		a, b := removes[i], removes[j]
		return a[len(a)-1].IsIndex && b[len(b)-1].IsIndex && a[len(a)-1].Index > b[len(b)-1].Index
	})
	for _, p := range removes {
		remove(out, p)
	}
	return out, nil
}

func setValue(it attr.Item, o Operand) (attr.Value, error) {
	switch o := o.(type) {
	case *PathOp:
		v, ok := Resolve(it, o.Path)
		if !ok {
			return v, ErrMissingOperand
		}
		return v.Clone(), nil
	case *ValueOp:
		return o.V, nil
	case *IfNotExists:
		if v, ok := Resolve(it, o.Path); ok {
			return v.Clone(), nil
		}
		return setValue(it, o.Else)
	case *ListAppend:
		a, err := setValue(it, o.A)
		if err != nil {
			return a, err
		}
		b, err := setValue(it, o.B)
		if err != nil {
			return b, err
		}
		if a.Kind != attr.L || b.Kind != attr.L {
			return attr.Value{}, ErrOperandType
		}
		l := append(append([]attr.Value{}, a.L...), b.L...)
		return attr.Value{Kind: attr.L, L: l}, nil
	case *Arith:
		a, err := setValue(it, o.A)
		if err != nil {
			return a, err
		}
		b, err := setValue(it, o.B)
		if err != nil {
			return b, err
		}
		if a.Kind != attr.N || b.Kind != attr.N {
			return attr.Value{}, ErrOperandType
		}
		n, err := a.Number().Add(b.Number(), o.Sub)
		if err != nil {
			return attr.Value{}, &Error{Msg: err.Error()}
		}
		return attr.Num(n.String()), nil
	}
	return attr.Value{}, ErrOperandType
}

// assign sets path to v in it; the path's parent must exist.
func assign(it attr.Item, p Path, v attr.Value) error {
	if len(p) == 1 {
		it[p[0].Name] = v
		return nil
	}
	parent, ok := it[p[0].Name]
	if !ok {
		return ErrBadPath
	}
	nv, err := assignIn(parent, p[1:], v)
	if err != nil {
		return err
	}
	it[p[0].Name] = nv
	return nil
}

func assignIn(cur attr.Value, rest Path, v attr.Value) (attr.Value, error) {
	e := rest[0]
	switch {
	case e.IsIndex && cur.Kind == attr.L:
		if len(rest) == 1 {
			if e.Index >= len(cur.L) {
				cur.L = append(cur.L, v)
			} else {
				cur.L[e.Index] = v
			}
			return cur, nil
		}
		if e.Index >= len(cur.L) {
			return cur, ErrBadPath
		}
		nv, err := assignIn(cur.L[e.Index], rest[1:], v)
		cur.L[e.Index] = nv
		return cur, err
	case !e.IsIndex && cur.Kind == attr.M:
		if len(rest) == 1 {
			cur.M[e.Name] = v
			return cur, nil
		}
		child, ok := cur.M[e.Name]
		if !ok {
			return cur, ErrBadPath
		}
		nv, err := assignIn(child, rest[1:], v)
		cur.M[e.Name] = nv
		return cur, err
	}
	return cur, ErrBadPath
}

// remove deletes path from it; a path that names nothing is ignored.
func remove(it attr.Item, p Path) {
	if len(p) == 1 {
		delete(it, p[0].Name)
		return
	}
	parent, ok := Resolve(it, p[:len(p)-1])
	if !ok {
		return
	}
	last := p[len(p)-1]
	switch {
	case last.IsIndex && parent.Kind == attr.L && last.Index < len(parent.L):
		l := append(append([]attr.Value{}, parent.L[:last.Index]...), parent.L[last.Index+1:]...)
		parent.L = l
		assign(it, p[:len(p)-1], parent)
	case !last.IsIndex && parent.Kind == attr.M:
		delete(parent.M, last.Name)
	}
}

func union(a, b attr.Value) attr.Value {
	out := a.Clone()
	for _, s := range b.Set {
		if !Eval(&Func{Name: "contains", Args: []Operand{&ValueOp{V: out}, &ValueOp{V: attr.Value{Kind: elemKind(a.Kind), S: s}}}}, nil) {
			out.Set = append(out.Set, s)
		}
	}
	for _, x := range b.BSet {
		found := false
		for _, y := range out.BSet {
			found = found || bytes.Equal(x, y)
		}
		if !found {
			out.BSet = append(out.BSet, x)
		}
	}
	return out
}

func minus(a, b attr.Value) attr.Value {
	out := attr.Value{Kind: a.Kind}
	for _, s := range a.Set {
		if !Eval(&Func{Name: "contains", Args: []Operand{&ValueOp{V: b}, &ValueOp{V: attr.Value{Kind: elemKind(a.Kind), S: s}}}}, nil) {
			out.Set = append(out.Set, s)
		}
	}
	for _, x := range a.BSet {
		found := false
		for _, y := range b.BSet {
			found = found || bytes.Equal(x, y)
		}
		if !found {
			out.BSet = append(out.BSet, x)
		}
	}
	return out
}

func elemKind(k attr.Kind) attr.Kind {
	return map[attr.Kind]attr.Kind{attr.SS: attr.S, attr.NS: attr.N, attr.BS: attr.B}[k]
}
