package eventpattern

import (
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

// node is a compiled object of a pattern: its fields (ANDed) and its $or groups (each needs one
// of its branches). Each child has a single key segment: a pattern's "a.b" is the child "a"
// holding the child "b".
type node struct {
	children []*child
	ors      [][]*node
}

// child is one key of a node: a leaf (the field's list of values, ORed), a nested node, or both
// (a pattern may give "a" and "a.b").
type child struct {
	key  string
	leaf *leaf
	sub  *node
}

// leaf is a field's value list.
type leaf struct {
	ms          []matcher
	existsTrue  bool // an {"exists":true} is in the list
	existsFalse bool // an {"exists":false} is in the list
}

// match reports whether the value v (present says whether the field exists at all) satisfies
// the node. An array satisfies it when one element does, so that fields under one array come
// from the same element (event-ruler's array consistency).
func (n *node) match(v any, present bool) bool {
	if arr, ok := v.([]any); ok && present {
		for _, e := range arr {
			if n.match(e, true) {
				return true
			}
		}
		return len(arr) == 0 && n.match(nil, false)
	}
	obj, _ := v.(map[string]any)
	for _, c := range n.children {
		cv, ok := obj[c.key]
		if !c.match(cv, ok) {
			return false
		}
	}
	for _, group := range n.ors {
		if !anyBranch(group, v, present) {
			return false
		}
	}
	return true
}

func anyBranch(group []*node, v any, present bool) bool {
	for _, b := range group {
		if b.match(v, present) {
			return true
		}
	}
	return false
}

func (c *child) match(v any, present bool) bool {
	if c.leaf != nil && !c.leaf.match(v, present) {
		return false
	}
	return c.sub == nil || c.sub.match(v, present)
}

// match tests the field's leaf values: the value itself, or an array's scalar elements
// (objects are not leaves: exists:true needs a leaf, exists:false accepts an object or []).
func (l *leaf) match(v any, present bool) bool {
	if !present {
		return l.existsFalse
	}
	found, matched := l.scan(v, 0)
	if matched {
		return true
	}
	if found {
		return l.existsTrue
	}
	return l.existsFalse
}

// scan walks v's leaves: found says there is one, matched that one satisfies a matcher.
func (l *leaf) scan(v any, depth int) (found, matched bool) {
	switch x := v.(type) {
	case map[string]any:
		return false, false
	case []any:
		if depth > MaxDepth {
			return false, false
		}
		for _, e := range x {
			f, m := l.scan(e, depth+1)
			if m {
				return true, true
			}
			found = found || f
		}
		return found, false
	}
	for i := range l.ms {
		if l.ms[i].match(v) {
			return true, true
		}
	}
	return true, false
}

type kind uint8

const (
	kString kind = iota
	kIP
	kNumber
	kBool
	kNull
	kPrefix
	kPrefixFold
	kSuffix
	kSuffixFold
	kFold
	kNumeric
	kCIDR
	kWildcard
	kNotStrings
	kNotNumbers
	kNotPrefix
	kNotSuffix
	kNotFold
	kNotWildcard
)

// matcher is one value of a leaf's list.
type matcher struct {
	kind  kind
	s     string     // kString, kIP (the literal), kPrefix*, kSuffix*, kFold, kNotPrefix, kNotSuffix
	b     bool       // kBool
	num   number     // kNumber
	ip    netip.Addr // kIP
	cidr  netip.Prefix
	rng   numRange
	strs  []string    // kNotStrings, kNotFold
	nums  []number    // kNotNumbers
	wilds []*wildcard // kWildcard (one), kNotWildcard
}

// numRange is a numeric condition: [lo, hi] with open ends; an absent end is unbounded.
type numRange struct {
	lo, hi         float64
	hasLo, hasHi   bool
	loOpen, hiOpen bool
}

func (r *numRange) contains(f float64) bool {
	if r.hasLo && (f < r.lo || (r.loOpen && f == r.lo)) {
		return false
	}
	if r.hasHi && (f > r.hi || (r.hiOpen && f == r.hi)) {
		return false
	}
	return true
}

// match tests one scalar event value: nil, bool, string or number.
func (m *matcher) match(v any) bool {
	s, isString := v.(string)
	switch m.kind {
	case kString:
		return isString && s == m.s
	case kIP:
		return isString && (s == m.s || sameIP(s, m.ip))
	case kNumber:
		n, ok := v.(number)
		return ok && n.equal(m.num)
	case kBool:
		b, ok := v.(bool)
		return ok && b == m.b
	case kNull:
		return v == nil
	case kPrefix:
		return isString && strings.HasPrefix(s, m.s)
	case kPrefixFold:
		return isString && hasPrefixFold(s, m.s)
	case kSuffix:
		return isString && strings.HasSuffix(s, m.s)
	case kSuffixFold:
		return isString && hasSuffixFold(s, m.s)
	case kFold:
		return isString && strings.EqualFold(s, m.s)
	case kNumeric:
		n, ok := v.(number)
		return ok && n.ok && m.rng.contains(n.f)
	case kCIDR:
		if !isString {
			return false
		}
		a, err := netip.ParseAddr(s)
		return err == nil && a.Zone() == "" && m.cidr.Contains(a.Unmap())
	case kWildcard:
		return isString && m.wilds[0].match(s)
	}
	return m.matchNot(v, s, isString)
}

// matchNot tests the anything-but forms: they match every value, of any type, that is not
// excluded (null and numbers satisfy a string anything-but).
func (m *matcher) matchNot(v any, s string, isString bool) bool {
	switch m.kind {
	case kNotStrings:
		return !isString || !contains(m.strs, s)
	case kNotNumbers:
		n, ok := v.(number)
		if !ok {
			return true
		}
		for _, x := range m.nums {
			if n.equal(x) {
				return false
			}
		}
		return true
	case kNotPrefix:
		if isString {
			for _, x := range m.strs {
				if strings.HasPrefix(s, x) {
					return false
				}
			}
		}
		return true
	case kNotSuffix:
		if isString {
			for _, x := range m.strs {
				if strings.HasSuffix(s, x) {
					return false
				}
			}
		}
		return true
	case kNotFold:
		if !isString {
			return true
		}
		for _, x := range m.strs {
			if strings.EqualFold(s, x) {
				return false
			}
		}
		return true
	case kNotWildcard:
		if !isString {
			return true
		}
		for _, w := range m.wilds {
			if w.match(s) {
				return false
			}
		}
		return true
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sameIP(s string, ip netip.Addr) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Zone() == "" && a.Unmap() == ip
}

// hasPrefixFold is strings.HasPrefix under Unicode simple case folding (as EqualFold).
func hasPrefixFold(s, prefix string) bool {
	for prefix != "" {
		if s == "" {
			return false
		}
		r1, n1 := utf8.DecodeRuneInString(s)
		r2, n2 := utf8.DecodeRuneInString(prefix)
		if !equalRuneFold(r1, r2) {
			return false
		}
		s, prefix = s[n1:], prefix[n2:]
	}
	return true
}

func hasSuffixFold(s, suffix string) bool {
	for suffix != "" {
		if s == "" {
			return false
		}
		r1, n1 := utf8.DecodeLastRuneInString(s)
		r2, n2 := utf8.DecodeLastRuneInString(suffix)
		if !equalRuneFold(r1, r2) {
			return false
		}
		s, suffix = s[:len(s)-n1], suffix[:len(suffix)-n2]
	}
	return true
}

func equalRuneFold(a, b rune) bool {
	if a == b {
		return true
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}
