package eventpattern

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
)

// Compile parses and validates a pattern (EventBridge EventPattern, a Lambda Filter.Pattern,
// an SNS FilterPolicy) for the dialect. An invalid pattern returns *Error.
func Compile(pattern []byte, d Dialect) (*Pattern, error) {
	c := &compiler{d: d}
	if len(pattern) > MaxPatternBytes(d) {
		return nil, c.fail("Pattern is longer than " + strconv.Itoa(MaxPatternBytes(d)) + " characters")
	}
	if checkDepth(pattern) != nil {
		return nil, c.fail("Pattern is nested more than " + strconv.Itoa(MaxDepth) + " levels deep")
	}
	v, err := decodePattern(pattern)
	if err != nil {
		if errors.Is(err, ErrDepth) {
			return nil, c.fail("Pattern is nested more than " + strconv.Itoa(MaxDepth) + " levels deep")
		}
		return nil, c.fail(syntaxReason(pattern))
	}
	m, ok := v.(*object)
	if !ok {
		return nil, c.fail("Filter is not an object")
	}
	if keys, _ := m.unique(); d.sns() && len(keys) > MaxSNSKeys {
		return nil, c.fail("Filter policy can not have more than 5 keys")
	}
	root, err := c.object(m, 1, false)
	if err != nil {
		return nil, err
	}
	if d.sns() {
		if snsCombinations(m, 1, 1) > MaxSNSCombinations {
			return nil, c.fail("Filter policy is too complex")
		}
	} else if root.combinations() > MaxCombinations {
		return nil, c.fail("Rule is too complex - the $or relationships expand into more than 1000 combinations")
	}
	p := &Pattern{dialect: d, root: root, fields: &fields{}}
	p.fields.add(root)
	return p, nil
}

// MustCompile is Compile for patterns known to be valid; it panics on an error.
func MustCompile(pattern string, d Dialect) *Pattern {
	p, err := Compile([]byte(pattern), d)
	if err != nil {
		panic(err)
	}
	return p
}

type compiler struct {
	d Dialect
}

func (c *compiler) fail(reason string) *Error { return &Error{Dialect: c.d, Reason: reason} }

// reservedInOr are the names event-ruler refuses as field names inside a $or branch.
var reservedInOr = map[string]bool{
	"exact": true, "prefix": true, "suffix": true, "equals-ignore-case": true, "anything-but": true,
	"numeric": true, "exists": true, "cidr": true, "wildcard": true,
}

// object compiles a pattern object, its entries in document order (a later entry for the
// same path replaces an earlier one, as in event-ruler).
func (c *compiler) object(m *object, depth int, inOr bool) (*node, error) {
	if len(m.keys) == 0 {
		return nil, c.fail("Empty objects are not allowed")
	}
	n := &node{}
	for i, k := range m.keys {
		v := m.vals[i]
		if k == "$or" {
			group, err := c.or(v, depth)
			if err != nil {
				return nil, err
			}
			n.ors = append(n.ors, group)
			continue
		}
		if inOr && reservedInOr[k] {
			return nil, c.fail(k + " is Ruler reserved fieldName which cannot be used inside $or.")
		}
		path := strings.Split(k, ".")
		switch x := v.(type) {
		case *object:
			if c.d == SNSAttributes {
				return nil, c.fail(reasonNestedAttributes)
			}
			sub, err := c.object(x, depth+1, inOr)
			if err != nil {
				return nil, err
			}
			n.put(path, nil, sub)
		case []any:
			l, err := c.leaf(x)
			if err != nil {
				return nil, err
			}
			n.put(path, l, nil)
		default:
			return nil, c.fail(strconv.Quote(k) + " must be an object or an array")
		}
	}
	return n, nil
}

func (c *compiler) or(v any, depth int) ([]*node, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, c.fail("It must be an Array followed with $or.")
	}
	var group []*node
	for _, e := range arr {
		m, ok := e.(*object)
		if !ok {
			return nil, c.fail("Only JSON object is allowed in array of $or relationship.")
		}
		b, err := c.object(m, depth+1, true)
		if err != nil {
			return nil, err
		}
		group = append(group, b)
	}
	if len(group) < 2 {
		return nil, c.fail("There must have at least 2 Objects in $or relationship.")
	}
	return group, nil
}

// put places a leaf or a nested node at a dotted path below n. A second leaf for the same path
// replaces the first (AWS: the last one wins); nested nodes merge.
func (n *node) put(path []string, l *leaf, sub *node) {
	for len(path) > 1 {
		ch := n.child(path[0])
		if ch.sub == nil {
			ch.sub = &node{}
		}
		n, path = ch.sub, path[1:]
	}
	ch := n.child(path[0])
	if l != nil {
		ch.leaf = l
	}
	if sub != nil {
		if ch.sub == nil {
			ch.sub = sub
			return
		}
		for _, sc := range sub.children {
			if sc.leaf != nil {
				ch.sub.put([]string{sc.key}, sc.leaf, nil)
			}
			if sc.sub != nil {
				ch.sub.put([]string{sc.key}, nil, sc.sub)
			}
		}
		ch.sub.ors = append(ch.sub.ors, sub.ors...)
	}
}

func (n *node) child(key string) *child {
	for _, ch := range n.children {
		if ch.key == key {
			return ch
		}
	}
	ch := &child{key: key}
	n.children = append(n.children, ch)
	return ch
}

// combinations is the number of branches the pattern expands into when each $or is
// multiplied out (event-ruler compiles one sub-rule per branch).
func (n *node) combinations() int {
	total := 1
	for _, ch := range n.children {
		if ch.sub != nil {
			total = capMul(total, ch.sub.combinations())
		}
	}
	for _, group := range n.ors {
		sum := 0
		for _, b := range group {
			sum = capAdd(sum, b.combinations())
		}
		total = capMul(total, sum)
	}
	return total
}

// snsCombinations counts as SNS does (SNS DG "Filter policy constraints"): the product of each
// key's number of values times its nesting depth, $or branches summed.
func snsCombinations(o *object, depth, combos int) int {
	keys, m := o.unique()
	for _, k := range keys {
		switch v := m[k].(type) {
		case *object:
			combos = snsCombinations(v, depth+1, combos)
		case []any:
			if k != "$or" {
				combos = capMul(combos, capMul(len(v), depth))
				continue
			}
			sum := 0
			for _, b := range v {
				if bm, ok := b.(*object); ok {
					sum = capAdd(sum, snsCombinations(bm, depth, combos))
				}
			}
			combos = sum
		}
	}
	return combos
}

const capCount = 1 << 30

func capMul(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a > capCount/b {
		return capCount
	}
	return a * b
}

func capAdd(a, b int) int {
	if a+b > capCount {
		return capCount
	}
	return a + b
}

// leaf compiles a field's list of values.
func (c *compiler) leaf(arr []any) (*leaf, error) {
	if len(arr) == 0 {
		return nil, c.fail("Empty arrays are not allowed")
	}
	l := &leaf{}
	complexity := 0
	for _, e := range arr {
		switch x := e.(type) {
		case string:
			l.ms = append(l.ms, stringMatcher(x))
		case number:
			l.ms = append(l.ms, matcher{kind: kNumber, num: x})
		case bool:
			l.ms = append(l.ms, matcher{kind: kBool, b: x})
		case nil:
			l.ms = append(l.ms, matcher{kind: kNull})
		case *object:
			m, err := c.expr(x, l)
			if err != nil {
				return nil, err
			}
			if m == nil { // exists
				continue
			}
			for _, w := range m.wilds {
				complexity += w.complexity()
			}
			l.ms = append(l.ms, *m)
		default:
			return nil, c.fail("Match value must be String, number, true, false, or null")
		}
	}
	if complexity > MaxWildcardComplexity {
		return nil, c.fail("Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character")
	}
	return l, nil
}

// stringMatcher is an exact string; a string that is an IP address matches the address in any
// of its spellings, as event-ruler turns such a string into an IP range.
func stringMatcher(s string) matcher {
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return matcher{kind: kIP, s: s, ip: a.Unmap()}
	}
	return matcher{kind: kString, s: s}
}
