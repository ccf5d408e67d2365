package template

import (
	"encoding/base64"
	"fmt"
	"math/big"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// NoValue is what a Ref to AWS::NoValue evaluates to: the property or list entry holding it is
// removed.
type NoValue struct{}

// Unknown stands for a value not known yet (an attribute of a resource not created), when a
// change set is planned; a function given one yields one.
type Unknown struct{}

// Resolver answers what a template's functions need from the stack and the account.
type Resolver interface {
	// Ref is a resource's Ref value; Unknown{} when it is not created yet.
	Ref(logical string) (any, error)
	// GetAtt is a resource's attribute; Unknown{} when it is not created yet.
	GetAtt(logical, attr string) (any, error)
	// Import is an export's value (Fn::ImportValue).
	Import(name string) (any, error)
}

// Evaluator evaluates a template's functions against its parameters, mappings, conditions and
// resources.
type Evaluator struct {
	Params     map[string]any // parameter values: string, or []any of strings for list types
	Pseudo     map[string]any // AWS::Region, AWS::AccountId, …
	Mappings   map[string]any
	Conditions map[string]any // the template's Conditions section
	Resources  map[string]any // the template's Resources section, to tell resources from parameters
	Resolver   Resolver
	Region     string

	conds map[string]bool
	busy  map[string]bool
	depth int
}

// Eval evaluates every function in v, returning a new value; AWS::NoValue removes what holds it.
func (e *Evaluator) Eval(v any) (any, error) {
	e.depth++
	defer func() { e.depth-- }()
	if e.depth > 300 {
		return nil, errorf("Template error: functions nest deeper than 300 levels")
	}
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					return e.call(k, arg)
				}
				if name, ok := arg.(string); ok && k == "Condition" {
					if _, isCond := e.Conditions[name]; isCond {
						return e.Condition(name)
					}
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, el := range x {
			r, err := e.Eval(el)
			if err != nil {
				return nil, err
			}
			if _, drop := r.(NoValue); !drop {
				out[k] = r
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(x))
		for _, el := range x {
			r, err := e.Eval(el)
			if err != nil {
				return nil, err
			}
			if _, drop := r.(NoValue); !drop {
				out = append(out, r)
			}
		}
		return out, nil
	}
	return v, nil
}

// HasUnknown reports whether v holds an Unknown anywhere.
func HasUnknown(v any) bool {
	switch x := v.(type) {
	case Unknown:
		return true
	case map[string]any:
		for _, el := range x {
			if HasUnknown(el) {
				return true
			}
		}
	case []any:
		for _, el := range x {
			if HasUnknown(el) {
				return true
			}
		}
	}
	return false
}

func (e *Evaluator) call(fn string, arg any) (any, error) {
	switch fn {
	case "Ref":
		return e.ref(arg)
	case "Fn::If":
		return e.fnIf(arg)
	case "Fn::Sub":
		return e.sub(arg)
	case "Fn::GetAtt":
		return e.getAtt(arg)
	}
	a, err := e.Eval(arg)
	if err != nil {
		return nil, err
	}
	if HasUnknown(a) && fn != "Fn::ToJsonString" {
		return Unknown{}, nil
	}
	switch fn {
	case "Fn::Join":
		return join(a)
	case "Fn::Select":
		return selectFn(a)
	case "Fn::Split":
		return split(a)
	case "Fn::FindInMap":
		return e.findInMap(a)
	case "Fn::Base64":
		s, ok := String(a)
		if !ok {
			return nil, errorf("Template error: Fn::Base64 requires a string")
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "Fn::GetAZs":
		r := e.Region
		if s, _ := String(a); s != "" {
			r = s
		}
		return []any{r + "a", r + "b", r + "c"}, nil
	case "Fn::Cidr":
		return cidr(a)
	case "Fn::ImportValue":
		s, ok := String(a)
		if !ok || e.Resolver == nil {
			return nil, errorf("Template error: Fn::ImportValue requires a string")
		}
		return e.Resolver.Import(s)
	case "Fn::Length":
		l, ok := a.([]any)
		if !ok {
			return nil, errorf("Template error: Fn::Length requires a list")
		}
		return int64(len(l)), nil
	case "Fn::ToJsonString":
		if HasUnknown(a) {
			return Unknown{}, nil
		}
		return JSON(a), nil
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Fn::Contains":
		return e.condFn(fn, a)
	}
	return nil, errorf("Template format error: Unrecognized function %s", fn)
}

func (e *Evaluator) ref(arg any) (any, error) {
	name, ok := arg.(string)
	if !ok {
		return nil, errorf("Template error: Ref requires a string, not %s", JSON(arg))
	}
	if name == "AWS::NoValue" {
		return NoValue{}, nil
	}
	if v, ok := e.Pseudo[name]; ok {
		return v, nil
	}
	if v, ok := e.Params[name]; ok {
		return v, nil
	}
	if _, ok := e.Resources[name]; ok && e.Resolver != nil {
		return e.Resolver.Ref(name)
	}
	return nil, errorf("Template format error: Unresolved resource dependencies [%s] in the Resources block of the template", name)
}

func (e *Evaluator) getAtt(arg any) (any, error) {
	var res, attr string
	switch x := arg.(type) {
	case string:
		res, attr, _ = strings.Cut(x, ".")
	case []any:
		if len(x) == 2 {
			res, _ = x[0].(string)
			a, err := e.Eval(x[1])
			if err != nil {
				return nil, err
			}
			attr, _ = String(a)
		}
	}
	if res == "" || attr == "" {
		return nil, errorf("Template error: every Fn::GetAtt object requires two non-empty parameters")
	}
	if _, ok := e.Resources[res]; !ok || e.Resolver == nil {
		return nil, errorf("Template error: instance of Fn::GetAtt references undefined resource %s", res)
	}
	return e.Resolver.GetAtt(res, attr)
}

func (e *Evaluator) fnIf(arg any) (any, error) {
	l, ok := arg.([]any)
	if !ok || len(l) != 3 {
		return nil, errorf("Template error: Fn::If requires a list argument with three elements")
	}
	name, ok := l[0].(string)
	if !ok {
		return nil, errorf("Template error: Fn::If requires a condition name as its first element")
	}
	c, err := e.Condition(name)
	if err != nil {
		return nil, err
	}
	if c {
		return e.Eval(l[1])
	}
	return e.Eval(l[2])
}

// Condition evaluates one of the template's conditions (once; they may refer to each other).
func (e *Evaluator) Condition(name string) (bool, error) {
	if v, ok := e.conds[name]; ok {
		return v, nil
	}
	def, ok := e.Conditions[name]
	if !ok {
		return false, errorf("Template format error: Unresolved condition dependency %s in Fn::If", name)
	}
	if e.busy[name] {
		return false, errorf("Template error: circular condition dependency %s", name)
	}
	if e.busy == nil {
		e.busy, e.conds = map[string]bool{}, map[string]bool{}
	}
	e.busy[name] = true
	defer delete(e.busy, name)
	v, err := e.condValue(def)
	if err != nil {
		return false, err
	}
	e.conds[name] = v
	return v, nil
}

// condValue evaluates a condition's definition: a condition function or {"Condition": name}.
func (e *Evaluator) condValue(def any) (bool, error) {
	if m, ok := def.(map[string]any); ok && len(m) == 1 {
		if n, ok := m["Condition"].(string); ok {
			return e.Condition(n)
		}
	}
	v, err := e.Eval(def)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		if s, isStr := v.(string); isStr && (s == "true" || s == "false") {
			return s == "true", nil
		}
		return false, errorf("Template error: a condition must evaluate to a boolean, not %s", JSON(v))
	}
	return b, nil
}

func (e *Evaluator) condFn(fn string, a any) (any, error) {
	l, ok := a.([]any)
	if !ok {
		return nil, errorf("Template error: %s requires a list argument", fn)
	}
	switch fn {
	case "Fn::Equals":
		if len(l) != 2 {
			return nil, errorf("Template error: Fn::Equals requires a list argument with two elements")
		}
		x, _ := String(l[0])
		y, _ := String(l[1])
		if _, ok := l[0].([]any); ok {
			x = JSON(l[0])
		}
		if _, ok := l[1].([]any); ok {
			y = JSON(l[1])
		}
		return x == y, nil
	case "Fn::Contains":
		if len(l) != 2 {
			return nil, errorf("Template error: Fn::Contains requires a list argument with two elements")
		}
		list, _ := l[0].([]any)
		want, _ := String(l[1])
		for _, el := range list {
			if s, _ := String(el); s == want {
				return true, nil
			}
		}
		return false, nil
	}
	var bs []bool
	for _, el := range l {
		b, ok := el.(bool)
		if !ok {
			return nil, errorf("Template error: %s takes conditions, not %s", fn, JSON(el))
		}
		bs = append(bs, b)
	}
	switch fn {
	case "Fn::Not":
		if len(bs) != 1 {
			return nil, errorf("Template error: Fn::Not requires a list argument with one element")
		}
		return !bs[0], nil
	case "Fn::And":
		if len(bs) < 2 || len(bs) > 10 {
			return nil, errorf("Template error: Fn::And requires a list argument with between 2 and 10 elements")
		}
		for _, b := range bs {
			if !b {
				return false, nil
			}
		}
		return true, nil
	default: // Fn::Or
		if len(bs) < 2 || len(bs) > 10 {
			return nil, errorf("Template error: Fn::Or requires a list argument with between 2 and 10 elements")
		}
		for _, b := range bs {
			if b {
				return true, nil
			}
		}
		return false, nil
	}
}

func join(a any) (any, error) {
	l, ok := a.([]any)
	if !ok || len(l) != 2 {
		return nil, errorf("Template error: Fn::Join requires a list argument with two elements")
	}
	sep, ok := l[0].(string)
	items, ok2 := l[1].([]any)
	if !ok || !ok2 {
		return nil, errorf("Template error: Fn::Join requires a delimiter and a list of strings")
	}
	parts := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := String(it)
		if !ok {
			return nil, errorf("Template error: every Fn::Join object requires its list to hold strings, not %s", JSON(it))
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, sep), nil
}

func selectFn(a any) (any, error) {
	l, ok := a.([]any)
	if !ok || len(l) != 2 {
		return nil, errorf("Template error: Fn::Select requires a list argument with two elements")
	}
	is, _ := String(l[0])
	i, err := strconv.Atoi(is)
	items, ok := l[1].([]any)
	if err != nil || !ok {
		return nil, errorf("Template error: Fn::Select requires an index and a list")
	}
	if i < 0 || i >= len(items) {
		return nil, errorf("Template error: Fn::Select cannot select nonexistent value at index %d", i)
	}
	return items[i], nil
}

func split(a any) (any, error) {
	l, ok := a.([]any)
	if !ok || len(l) != 2 {
		return nil, errorf("Template error: Fn::Split requires a list argument with two elements")
	}
	sep, ok := l[0].(string)
	s, ok2 := String(l[1])
	if !ok || !ok2 || sep == "" {
		return nil, errorf("Template error: Fn::Split requires a delimiter and a string")
	}
	var out []any
	for _, p := range strings.Split(s, sep) {
		out = append(out, p)
	}
	return out, nil
}

func (e *Evaluator) findInMap(a any) (any, error) {
	l, ok := a.([]any)
	if !ok || len(l) < 3 || len(l) > 4 {
		return nil, errorf("Template error: Fn::FindInMap requires a list argument with three elements")
	}
	var def any
	hasDef := false
	if len(l) == 4 {
		if m, ok := l[3].(map[string]any); ok {
			def, hasDef = m["DefaultValue"]
		}
	}
	keys := make([]string, 3)
	for i := range keys {
		keys[i], _ = String(l[i])
	}
	m, ok := e.Mappings[keys[0]].(map[string]any)
	if !ok {
		if hasDef {
			return def, nil
		}
		return nil, errorf("Template error: Mapping named '%s' is not present in the 'Mappings' section of template.", keys[0])
	}
	top, ok := m[keys[1]].(map[string]any)
	if !ok {
		if hasDef {
			return def, nil
		}
		return nil, errorf("Template error: Unable to get mapping for %s::%s::%s", keys[0], keys[1], keys[2])
	}
	v, ok := top[keys[2]]
	if !ok {
		if hasDef {
			return def, nil
		}
		return nil, errorf("Template error: Unable to get mapping for %s::%s::%s", keys[0], keys[1], keys[2])
	}
	return v, nil
}

func cidr(a any) (any, error) {
	l, ok := a.([]any)
	if !ok || len(l) != 3 {
		return nil, errorf("Template error: Fn::Cidr requires a list argument with three elements")
	}
	block, _ := String(l[0])
	cs, _ := String(l[1])
	bs, _ := String(l[2])
	count, err1 := strconv.Atoi(cs)
	bits, err2 := strconv.Atoi(bs)
	p, err3 := netip.ParsePrefix(block)
	if err1 != nil || err2 != nil || err3 != nil || count < 1 || count > 256 {
		return nil, errorf("Template error: Fn::Cidr requires an address block, a count from 1 to 256 and a number of subnet bits")
	}
	p = p.Masked()
	total := p.Addr().BitLen()
	newLen := total - bits
	if bits < 0 || newLen < p.Bits() || newLen > total {
		return nil, errorf("Template error: Fn::Cidr: %d subnet bits do not fit in %s", bits, block)
	}
	if newLen-p.Bits() < 63 && count > 1<<(newLen-p.Bits()) {
		return nil, errorf("Template error: Fn::Cidr: %s holds fewer than %d subnets of %d bits", block, count, bits)
	}
	base := new(big.Int).SetBytes(p.Addr().AsSlice())
	step := new(big.Int).Lsh(big.NewInt(1), uint(bits))
	out := make([]any, 0, count)
	for i := 0; i < count; i++ {
		n := new(big.Int).Add(base, new(big.Int).Mul(step, big.NewInt(int64(i))))
		buf := make([]byte, total/8)
		n.FillBytes(buf)
		addr, _ := netip.AddrFromSlice(buf)
		out = append(out, netip.PrefixFrom(addr, newLen).String())
	}
	return out, nil
}

// sub evaluates Fn::Sub, in its string form or its [string, variables] form.
func (e *Evaluator) sub(arg any) (any, error) {
	var text string
	vars := map[string]any{}
	switch x := arg.(type) {
	case string:
		text = x
	case []any:
		if len(x) != 2 {
			return nil, errorf("Template error: Fn::Sub requires a string or a list of a string and a map")
		}
		s, ok := x[0].(string)
		m, ok2 := x[1].(map[string]any)
		if !ok || !ok2 {
			return nil, errorf("Template error: Fn::Sub requires a string or a list of a string and a map")
		}
		text = s
		for k, v := range m {
			r, err := e.Eval(v)
			if err != nil {
				return nil, err
			}
			vars[k] = r
		}
	default:
		return nil, errorf("Template error: Fn::Sub requires a string or a list of a string and a map")
	}
	parts, err := ParseSub(text)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	for _, p := range parts {
		if !p.Var {
			b.WriteString(p.Text)
			continue
		}
		var v any
		if val, ok := vars[p.Text]; ok {
			v = val
		} else if res, attr, dotted := strings.Cut(p.Text, "."); dotted && !strings.HasPrefix(p.Text, "AWS::") {
			v, err = e.getAtt([]any{res, attr})
		} else {
			v, err = e.ref(p.Text)
		}
		if err != nil {
			return nil, err
		}
		if _, ok := v.(Unknown); ok {
			return Unknown{}, nil
		}
		s, ok := String(v)
		if !ok {
			return nil, errorf("Template error: variable %s in Fn::Sub expression does not resolve to a string", p.Text)
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// SubPart is a piece of a Fn::Sub string: literal text, or a variable's name.
type SubPart struct {
	Text string
	Var  bool
}

// ParseSub splits a Fn::Sub string into literal text and ${Var} references; ${!Literal} is the
// literal text ${Literal}.
func ParseSub(s string) ([]SubPart, error) {
	var out []SubPart
	var lit strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			lit.WriteString(s)
			break
		}
		lit.WriteString(s[:i])
		rest := s[i+2:]
		j := strings.IndexByte(rest, '}')
		if j < 0 {
			lit.WriteString(s[i:])
			break
		}
		name := rest[:j]
		s = rest[j+1:]
		if strings.HasPrefix(name, "!") {
			lit.WriteString("${" + name[1:] + "}")
			continue
		}
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, errorf("Template error: variable names in Fn::Sub syntax must contain at least one character")
		}
		if lit.Len() > 0 {
			out = append(out, SubPart{Text: lit.String()})
			lit.Reset()
		}
		out = append(out, SubPart{Text: name, Var: true})
	}
	if lit.Len() > 0 {
		out = append(out, SubPart{Text: lit.String()})
	}
	return out, nil
}

// Refs lists the names a value refers to through Ref, Fn::GetAtt and Fn::Sub (resources,
// parameters and pseudo parameters alike), sorted and once each.
func Refs(v any) []string {
	set := map[string]bool{}
	collectRefs(v, set)
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func collectRefs(v any, set map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			if r, ok := x["Ref"].(string); ok {
				set[r] = true
				return
			}
			if g, ok := x["Fn::GetAtt"]; ok {
				switch a := g.(type) {
				case []any:
					if len(a) > 0 {
						if s, ok := a[0].(string); ok {
							set[s] = true
						}
					}
					for _, el := range a[1:] {
						collectRefs(el, set)
					}
				case string:
					r, _, _ := strings.Cut(a, ".")
					set[r] = true
				}
				return
			}
			if s, ok := x["Fn::Sub"]; ok {
				var text string
				var vars map[string]any
				switch a := s.(type) {
				case string:
					text = a
				case []any:
					if len(a) == 2 {
						text, _ = a[0].(string)
						vars, _ = a[1].(map[string]any)
						collectRefs(a[1], set)
					}
				}
				parts, _ := ParseSub(text)
				for _, p := range parts {
					if p.Var {
						if _, local := vars[p.Text]; !local {
							r, _, _ := strings.Cut(p.Text, ".")
							if strings.HasPrefix(p.Text, "AWS::") {
								r = p.Text
							}
							set[r] = true
						}
					}
				}
				return
			}
		}
		for _, el := range x {
			collectRefs(el, set)
		}
	case []any:
		for _, el := range x {
			collectRefs(el, set)
		}
	}
}

// Order sorts resources so that each comes after those it depends on; deps maps a resource to
// its dependencies (names outside the set are ignored). A cycle is an error naming it.
func Order(deps map[string][]string) ([]string, error) {
	names := make([]string, 0, len(deps))
	for n := range deps {
		names = append(names, n)
	}
	sort.Strings(names)
	state := map[string]int{} // 1 visiting, 2 done
	var out []string
	var visit func(n string, path []string) error
	visit = func(n string, path []string) error {
		switch state[n] {
		case 2:
			return nil
		case 1:
			return errorf("Template error: Circular dependency between resources: [%s]", strings.Join(append(path, n), ", "))
		}
		state[n] = 1
		ds := append([]string(nil), deps[n]...)
		sort.Strings(ds)
		for _, d := range ds {
			if _, ok := deps[d]; ok {
				if err := visit(d, append(path, n)); err != nil {
					return err
				}
			}
		}
		state[n] = 2
		out = append(out, n)
		return nil
	}
	for _, n := range names {
		if err := visit(n, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Fmt renders any value for a message.
func Fmt(v any) string { return fmt.Sprint(v) }
