package vtl

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Object is a value with properties and methods supplied by the caller ($input, $util).
type Object interface {
	// Get reads a property; ok false when it has none of that name.
	Get(name string) (v any, ok bool)
	// Call calls a method; ok false when it has none of that name.
	Call(name string, args []any) (v any, ok bool, err error)
}

// Map is an insertion-ordered map, as JSON objects and #set maps are.
type Map struct {
	keys []string
	m    map[string]any
}

// NewMap returns an empty map.
func NewMap() *Map { return &Map{m: map[string]any{}} }

// Set puts a key.
func (m *Map) Set(k string, v any) {
	if _, ok := m.m[k]; !ok {
		m.keys = append(m.keys, k)
	}
	m.m[k] = v
}

// Get reads a key.
func (m *Map) Get(k string) (any, bool) { v, ok := m.m[k]; return v, ok }

// Keys lists the keys in order.
func (m *Map) Keys() []string { return m.keys }

// Len is the number of keys.
func (m *Map) Len() int { return len(m.keys) }

func (m *Map) remove(k string) {
	if _, ok := m.m[k]; !ok {
		return
	}
	delete(m.m, k)
	for i, x := range m.keys {
		if x == k {
			m.keys = append(m.keys[:i:i], m.keys[i+1:]...)
			break
		}
	}
}

// Limits on evaluation.
const (
	maxOutput     = 10 << 20 // bytes a template may write (API Gateway caps payloads at 10 MB)
	maxIterations = 100000   // #foreach iterations and range sizes, in total
)

var errBreak = errors.New("#break")

// ErrLimit is returned when a template exceeds an evaluation limit.
var ErrLimit = errors.New("vtl: template exceeds its evaluation limits")

type evaluator struct {
	vars  map[string]any
	out   strings.Builder
	steps int
	depth int
}

// Render evaluates the template with the given top-level variables ($input, $util, $context,
// $stageVariables, …).
func (t *Template) Render(vars map[string]any) (string, error) {
	e := &evaluator{vars: make(map[string]any, len(vars)+4)}
	for k, v := range vars {
		e.vars[k] = v
	}
	err := e.nodes(t.nodes)
	if errors.Is(err, errBreak) {
		err = nil
	}
	return e.out.String(), err
}

// Render parses and evaluates src.
func Render(src string, vars map[string]any) (string, error) {
	t, err := Parse(src)
	if err != nil {
		return "", err
	}
	return t.Render(vars)
}

func (e *evaluator) nodes(ns []node) error {
	for _, n := range ns {
		if err := e.node(n); err != nil {
			return err
		}
		if e.out.Len() > maxOutput {
			return ErrLimit
		}
	}
	return nil
}

func (e *evaluator) node(n node) error {
	switch n := n.(type) {
	case *textNode:
		e.out.WriteString(n.s)
	case *refNode:
		v, err := e.ref(n)
		if err != nil {
			return err
		}
		if v == nil {
			if !n.quiet {
				e.out.WriteString(n.raw)
			}
			return nil
		}
		e.out.WriteString(toString(v))
	case *setNode:
		return e.set(n)
	case *ifNode:
		for i, c := range n.conds {
			v, err := e.eval(c)
			if err != nil {
				return err
			}
			if truthy(v) {
				return e.nodes(n.blocks[i])
			}
		}
		return e.nodes(n.orElse)
	case *foreachNode:
		return e.foreach(n)
	case *breakNode:
		return errBreak
	}
	return nil
}

func (e *evaluator) set(n *setNode) error {
	v, err := e.eval(n.value)
	if err != nil {
		return err
	}
	if len(n.target.steps) == 0 {
		e.vars[n.target.name] = v
		return nil
	}
	// $a.b.c = v: set c on what $a.b is.
	head := &refNode{name: n.target.name, steps: n.target.steps[:len(n.target.steps)-1]}
	obj, err := e.ref(head)
	if err != nil {
		return err
	}
	last := n.target.steps[len(n.target.steps)-1]
	if m, ok := obj.(*Map); ok && !last.call {
		key := last.name
		if last.index != nil {
			k, err := e.eval(last.index)
			if err != nil {
				return err
			}
			key = toString(k)
		}
		m.Set(key, v)
	}
	return nil
}

func (e *evaluator) foreach(n *foreachNode) error {
	v, err := e.eval(n.list)
	if err != nil {
		return err
	}
	items := iterate(v)
	saved, hadVar := e.vars[n.varName]
	savedLoop := e.vars["foreach"]
	savedCount := e.vars["velocityCount"]
	defer func() {
		if hadVar {
			e.vars[n.varName] = saved
		} else {
			delete(e.vars, n.varName)
		}
		e.vars["foreach"], e.vars["velocityCount"] = savedLoop, savedCount
	}()
	for i, item := range items {
		if e.steps++; e.steps > maxIterations {
			return ErrLimit
		}
		loop := NewMap()
		loop.Set("index", int64(i))
		loop.Set("count", int64(i+1))
		loop.Set("hasNext", i < len(items)-1)
		loop.Set("first", i == 0)
		loop.Set("last", i == len(items)-1)
		e.vars[n.varName], e.vars["foreach"], e.vars["velocityCount"] = item, loop, int64(i+1)
		if err := e.nodes(n.body); err != nil {
			if errors.Is(err, errBreak) {
				return nil
			}
			return err
		}
	}
	return nil
}

// iterate is what #foreach walks: a list's items, a map's values.
func iterate(v any) []any {
	switch v := v.(type) {
	case []any:
		return v
	case *Map:
		out := make([]any, 0, v.Len())
		for _, k := range v.keys {
			out = append(out, v.m[k])
		}
		return out
	case map[string]string:
		keys := sortedKeys(v)
		out := make([]any, 0, len(keys))
		for _, k := range keys {
			out = append(out, v[k])
		}
		return out
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ref evaluates a reference; nil when undefined.
func (e *evaluator) ref(r *refNode) (any, error) {
	v, ok := e.vars[r.name]
	if !ok {
		return nil, nil
	}
	for _, s := range r.steps {
		if v == nil {
			return nil, nil
		}
		var err error
		switch {
		case s.index != nil:
			var idx any
			if idx, err = e.eval(s.index); err != nil {
				return nil, err
			}
			v = index(v, idx)
		case s.call:
			args := make([]any, len(s.args))
			for i, a := range s.args {
				if args[i], err = e.eval(a); err != nil {
					return nil, err
				}
			}
			if v, err = call(v, s.name, args); err != nil {
				return nil, err
			}
		default:
			v = property(v, s.name)
		}
	}
	return v, nil
}

func (e *evaluator) eval(x expr) (any, error) {
	e.depth++
	defer func() { e.depth-- }()
	switch x := x.(type) {
	case *litExpr:
		return x.v, nil
	case *refNode:
		return e.ref(x)
	case *strExpr:
		sub := &evaluator{vars: e.vars, steps: e.steps}
		err := sub.nodes(x.parts)
		e.steps = sub.steps
		return sub.out.String(), err
	case *listExpr:
		out := make([]any, 0, len(x.items))
		for _, it := range x.items {
			v, err := e.eval(it)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case *rangeExpr:
		return e.rangeList(x)
	case *mapExpr:
		m := NewMap()
		for i := range x.keys {
			k, err := e.eval(x.keys[i])
			if err != nil {
				return nil, err
			}
			v, err := e.eval(x.vals[i])
			if err != nil {
				return nil, err
			}
			m.Set(toString(k), v)
		}
		return m, nil
	case *unaryExpr:
		v, err := e.eval(x.x)
		if err != nil {
			return nil, err
		}
		if x.op == "!" {
			return !truthy(v), nil
		}
		return arith("-", int64(0), v), nil
	case *binExpr:
		return e.binary(x)
	}
	return nil, fmt.Errorf("vtl: unknown expression %T", x)
}

func (e *evaluator) rangeList(x *rangeExpr) (any, error) {
	a, err := e.eval(x.from)
	if err != nil {
		return nil, err
	}
	b, err := e.eval(x.to)
	if err != nil {
		return nil, err
	}
	from, ok1 := toInt(a)
	to, ok2 := toInt(b)
	if !ok1 || !ok2 {
		return nil, nil
	}
	n := to - from
	if n < 0 {
		n = -n
	}
	if e.steps += int(min(n, maxIterations+1)); e.steps > maxIterations {
		return nil, ErrLimit
	}
	out := make([]any, 0, n+1)
	for i := int64(0); i <= n; i++ {
		if from <= to {
			out = append(out, from+i)
		} else {
			out = append(out, from-i)
		}
	}
	return out, nil
}

func (e *evaluator) binary(x *binExpr) (any, error) {
	l, err := e.eval(x.l)
	if err != nil {
		return nil, err
	}
	switch x.op { // short-circuit
	case "&&":
		if !truthy(l) {
			return false, nil
		}
		r, err := e.eval(x.r)
		return truthy(r), err
	case "||":
		if truthy(l) {
			return true, nil
		}
		r, err := e.eval(x.r)
		return truthy(r), err
	}
	r, err := e.eval(x.r)
	if err != nil {
		return nil, err
	}
	switch x.op {
	case "==":
		return equal(l, r), nil
	case "!=":
		return !equal(l, r), nil
	case "<", ">", "<=", ">=":
		return compare(x.op, l, r), nil
	}
	return arith(x.op, l, r), nil
}

// truthy is Velocity's condition: false and null are false, everything else true.
func truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	}
	return true
}

func toInt(v any) (int64, bool) {
	switch v := v.(type) {
	case int64:
		return v, true
	case float64:
		return int64(v), true
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		return n, err == nil
	}
	return 0, false
}

func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

func equal(a, b any) bool {
	if fa, ok := toFloat(a); ok {
		if fb, ok := toFloat(b); ok {
			return fa == fb
		}
	}
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	switch a.(type) {
	case string, bool:
		return toString(a) == toString(b)
	}
	return toString(a) == toString(b)
}

func compare(op string, a, b any) bool {
	var c int
	fa, ok1 := toFloat(a)
	fb, ok2 := toFloat(b)
	switch {
	case ok1 && ok2:
		c = cmpFloat(fa, fb)
	default:
		sa, oka := a.(string)
		sb, okb := b.(string)
		if !oka || !okb {
			return false
		}
		c = strings.Compare(sa, sb)
	}
	switch op {
	case "<":
		return c < 0
	case ">":
		return c > 0
	case "<=":
		return c <= 0
	}
	return c >= 0
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// arith is + - * / %: + concatenates when either side is a string; integer division as Java's.
func arith(op string, a, b any) any {
	if op == "+" {
		_, sa := a.(string)
		_, sb := b.(string)
		if sa || sb {
			return toString(a) + toString(b)
		}
	}
	ia, okA := a.(int64)
	ib, okB := b.(int64)
	if okA && okB {
		switch op {
		case "+":
			return ia + ib
		case "-":
			return ia - ib
		case "*":
			return ia * ib
		case "/":
			if ib == 0 || ia == math.MinInt64 && ib == -1 {
				return nil
			}
			return ia / ib
		case "%":
			if ib == 0 || ib == -1 {
				return int64(0)
			}
			return ia % ib
		}
	}
	fa, ok1 := toFloat(a)
	fb, ok2 := toFloat(b)
	if !ok1 || !ok2 {
		return nil
	}
	switch op {
	case "+":
		return fa + fb
	case "-":
		return fa - fb
	case "*":
		return fa * fb
	case "/":
		if fb == 0 {
			return nil
		}
		return fa / fb
	case "%":
		if fb == 0 {
			return nil
		}
		return math.Mod(fa, fb)
	}
	return nil
}
