package eventpattern

import (
	"sort"
	"strings"
)

// Set matches one event against many patterns (an EventBridge bus's rules, an SNS topic's
// subscriptions). Patterns that require one of a list of exact strings for some field outside
// any $or ("source": ["aws.s3"], the usual rule, or a nested "detail.type") are indexed by
// those strings, so an event is matched in full only against the patterns its own values select
// and against the unindexed rest: the cost follows the event and the few candidates, not the
// number of patterns.
//
// Add is not safe for concurrent use; build a Set, then share it read-only (Match is safe for
// concurrent use), and build a new one when the patterns change.
type Set struct {
	fields   fields // what the patterns read, for Decode
	patterns []*Pattern
	index    map[string]map[string][]int // field path ("detail.type") → exact string → pattern indexes
	keys     []string                    // the indexed paths, in the order first used
	paths    [][]string                  // keys, split
	rest     []int                       // patterns with no index key
}

// preferredKeys are tried first as index keys: the fields EventBridge rules name most.
var preferredKeys = []string{"source", "detail-type"}

// Add adds a pattern; its position (0, 1, …) is what Match reports.
func (s *Set) Add(p *Pattern) int {
	i := len(s.patterns)
	s.patterns = append(s.patterns, p)
	s.fields.add(p.root)
	key, values := s.indexKey(p.root)
	if key == "" {
		s.rest = append(s.rest, i)
		return i
	}
	if s.index == nil {
		s.index = map[string]map[string][]int{}
	}
	byValue, ok := s.index[key]
	if !ok {
		byValue = map[string][]int{}
		s.index[key] = byValue
		s.keys = append(s.keys, key)
		s.paths = append(s.paths, strings.Split(key, "."))
	}
	for _, v := range values {
		if l := byValue[v]; len(l) == 0 || l[len(l)-1] != i {
			byValue[v] = append(l, i)
		}
	}
	return i
}

// Decode decodes a JSON event for matching against this Set's patterns, keeping only the fields
// they read. Match the result with this Set (or its patterns) only.
func (s *Set) Decode(event []byte) (Event, error) { return decodeFor(event, &s.fields) }

// Len is the number of patterns.
func (s *Set) Len() int { return len(s.patterns) }

// indexKey picks a field outside any $or whose values are all exact strings (not IP literals,
// not exists), at most maxIndexDepth deep: of those, the one whose buckets hold the fewest
// patterns so far (so that rules sharing a source spread over their detail-types), preferring
// source, then detail-type, then shallower fields. Its path is dot-joined (pattern keys are
// split at dots, so the join is unambiguous).
func (s *Set) indexKey(root *node) (string, []string) {
	var cands []indexCandidate
	collectCandidates(root, "", 1, &cands)
	var best *indexCandidate
	bestLoad := 0
	for _, want := range [...]string{"source", "detail-type", ""} {
		for k := range cands {
			c := &cands[k]
			if (want != "" && c.key != want) || (want == "" && isPreferred(c.key)) {
				continue
			}
			load := 0
			for _, m := range c.leaf.ms {
				load += len(s.index[c.key][m.s])
			}
			if best == nil || load < bestLoad {
				best, bestLoad = c, load
			}
		}
	}
	if best == nil {
		return "", nil
	}
	values := make([]string, len(best.leaf.ms))
	for i, m := range best.leaf.ms {
		values[i] = m.s
	}
	return best.key, values
}

const maxIndexDepth = 4

type indexCandidate struct {
	key  string
	leaf *leaf
}

// collectCandidates lists n's indexable fields, shallower first.
func collectCandidates(n *node, prefix string, depth int, out *[]indexCandidate) {
	for _, ch := range n.children {
		if indexable(ch) {
			*out = append(*out, indexCandidate{key: prefix + ch.key, leaf: ch.leaf})
		}
	}
	if depth >= maxIndexDepth {
		return
	}
	for _, ch := range n.children {
		if ch.sub != nil && ch.leaf == nil {
			collectCandidates(ch.sub, prefix+ch.key+".", depth+1, out)
		}
	}
}

func isPreferred(key string) bool {
	for _, k := range preferredKeys {
		if k == key {
			return true
		}
	}
	return false
}

func indexable(ch *child) bool {
	return ch.sub == nil && ch.leaf != nil && !ch.leaf.existsTrue && !ch.leaf.existsFalse && allExact(ch.leaf)
}

func allExact(l *leaf) bool {
	for _, m := range l.ms {
		if m.kind != kString {
			return false
		}
	}
	return len(l.ms) > 0
}

// Match appends to dst the positions of the patterns the event matches, in ascending order.
func (s *Set) Match(e Event, dst []int) []int {
	start := len(dst)
	obj, ok := e.v.(map[string]any)
	if !ok { // not an object (an array matches when an element does): no index applies
		for i, p := range s.patterns {
			if p.MatchEvent(e) {
				dst = append(dst, i)
			}
		}
		return dst
	}
	for k, key := range s.keys {
		byValue := s.index[key]
		forEachStringAt(obj, s.paths[k], func(v string) {
			for _, i := range byValue[v] {
				if s.patterns[i].MatchEvent(e) {
					dst = append(dst, i)
				}
			}
		})
	}
	for _, i := range s.rest {
		if s.patterns[i].MatchEvent(e) {
			dst = append(dst, i)
		}
	}
	found := dst[start:]
	if len(found) > 1 {
		sort.Ints(found)
		dst = dst[:start+dedupe(found)]
	}
	return dst
}

// forEachStringAt calls f for the strings at path in v, through arrays at any level.
func forEachStringAt(v any, path []string, f func(string)) {
	if len(path) == 0 {
		forEachString(v, f)
		return
	}
	switch x := v.(type) {
	case map[string]any:
		if e, ok := x[path[0]]; ok {
			forEachStringAt(e, path[1:], f)
		}
	case []any:
		for _, e := range x {
			forEachStringAt(e, path, f)
		}
	}
}

// forEachString calls f for a string value or each string of an array (an event's array
// matches when any element does).
func forEachString(v any, f func(string)) {
	switch x := v.(type) {
	case string:
		f(x)
	case []any:
		for _, e := range x {
			forEachString(e, f)
		}
	}
}

func dedupe(sorted []int) int {
	n := 1
	for _, x := range sorted[1:] {
		if x != sorted[n-1] {
			sorted[n] = x
			n++
		}
	}
	return n
}
