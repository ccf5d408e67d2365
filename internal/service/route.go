package service

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// MaxRouteSegments is the most path segments a route pattern may have.
const MaxRouteSegments = 16

// routeIndex finds a REST operation by method, then path segment by segment, then predicates.
// It is built once by Index and read-only afterwards.
type routeIndex struct {
	methods map[string]*routeNode
}

// routeNode is one path position: its literal children, its {Label} child, the routes that end
// here and those whose last segment, a {Label+}, takes the rest of the path from here.
type routeNode struct {
	literal map[string]*routeNode
	label   *routeNode
	end     entrySet
	greedy  entrySet
}

// entrySet holds the routes that share their segments. Those that require query parameters are
// found through the request's own parameter names (S3's bucket has some seventy sub-resources, a
// request names one or two), the rest are tried most predicates first.
type entrySet struct {
	all   []*routeEntry
	byKey map[string][]*routeEntry // by the first query parameter each requires
	plain []*routeEntry            // no query predicate; most header predicates first
}

func (s *entrySet) add(e *routeEntry) {
	s.all = append(s.all, e)
	if len(e.query) == 0 {
		s.plain = append(s.plain, e)
		slices.SortStableFunc(s.plain, func(a, b *routeEntry) int { return b.predicates() - a.predicates() })
		return
	}
	if s.byKey == nil {
		s.byKey = map[string][]*routeEntry{}
	}
	s.byKey[e.query[0].key] = append(s.byKey[e.query[0].key], e)
}

// better reports whether a beats b: more predicates, then earlier in the table.
func (a *routeEntry) better(b *routeEntry) bool {
	return b == nil || a.predicates() > b.predicates() || a.predicates() == b.predicates() && a.order < b.order
}

// find returns the most specific route of the set whose predicates the request meets.
func (s *entrySet) find(rawQuery string, h http.Header) *routeEntry {
	var best *routeEntry
	if s.byKey != nil {
		for q := rawQuery; q != ""; {
			var pair string
			pair, q, _ = strings.Cut(q, "&")
			k, _, _ := strings.Cut(pair, "=")
			if strings.ContainsAny(k, "%+") {
				if dk, err := url.QueryUnescape(k); err == nil {
					k = dk
				}
			}
			for _, e := range s.byKey[k] {
				if e.better(best) && e.holds(rawQuery, h) {
					best = e
				}
			}
		}
	}
	for _, e := range s.plain {
		if best != nil && !e.better(best) {
			break
		}
		if e.holds(rawQuery, h) {
			return e
		}
	}
	return best
}

// routeEntry is one operation's route, ready to match.
type routeEntry struct {
	op      *Operation
	order   int // the operation's place in the table
	labels  []routeLabel
	query   []queryPredicate
	headers []string // canonical header names
}

type routeLabel struct {
	seg  int // the segment it takes its value from
	name string
}

type queryPredicate struct {
	key, value string
	valued     bool
}

func (e *routeEntry) predicates() int { return len(e.query) + len(e.headers) }

// holds reports whether the request carries every query parameter and header the route requires.
func (e *routeEntry) holds(rawQuery string, h http.Header) bool {
	for _, q := range e.query {
		if !hasQuery(rawQuery, q) {
			return false
		}
	}
	for _, name := range e.headers {
		if _, ok := h[name]; !ok {
			return false
		}
	}
	return true
}

// hasQuery looks a parameter up in the raw query without parsing it into a map, with
// url.ParseQuery's rules (FuzzQueryPredicate holds it to them): a percent-encoded name or value is
// decoded before it is compared, a pair that does not decode or holds a ";" is skipped, and the
// first value counts, as url.Values.Get's does.
func hasQuery(raw string, p queryPredicate) bool {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" || strings.Contains(pair, ";") {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		if strings.ContainsAny(k, "%+") {
			dk, err := url.QueryUnescape(k)
			if err != nil {
				continue
			}
			k = dk
		}
		if k != p.key {
			continue
		}
		if strings.ContainsAny(v, "%+") {
			dv, err := url.QueryUnescape(v)
			if err != nil {
				continue
			}
			v = dv
		}
		return !p.valued || v == p.value
	}
	return false
}

// compileRoute turns an operation's Route into an entry and its path segments.
func compileRoute(op *Operation) (*routeEntry, []string, error) {
	rt := op.Route
	path, rawQuery, _ := strings.Cut(rt.Path, "?")
	if !strings.HasPrefix(path, "/") {
		return nil, nil, fmt.Errorf("%s: route path %q does not start with /", op.Name, rt.Path)
	}
	segs := strings.Split(path[1:], "/")
	if len(segs) > MaxRouteSegments {
		return nil, nil, fmt.Errorf("%s: route path %q has more than %d segments", op.Name, rt.Path, MaxRouteSegments)
	}
	e := &routeEntry{op: op, order: -1}
	for i, seg := range segs {
		name, isLabel := strings.CutPrefix(seg, "{")
		if !isLabel {
			continue
		}
		name, ok := strings.CutSuffix(name, "}")
		if !ok || name == "" {
			return nil, nil, fmt.Errorf("%s: bad label %q in %q", op.Name, seg, rt.Path)
		}
		if g, greedy := strings.CutSuffix(name, "+"); greedy {
			if i != len(segs)-1 {
				return nil, nil, fmt.Errorf("%s: greedy label %q is not the last segment of %q", op.Name, seg, rt.Path)
			}
			name = g
		}
		e.labels = append(e.labels, routeLabel{seg: i, name: name})
	}
	preds := slices.Clone(rt.Query)
	if rawQuery != "" {
		preds = append(preds, strings.Split(rawQuery, "&")...)
	}
	for _, q := range preds {
		k, v, valued := strings.Cut(q, "=")
		if k == "" || k == "x-id" { // botocore's x-id names the operation for logs; it is no predicate
			continue
		}
		e.query = append(e.query, queryPredicate{key: k, value: v, valued: valued})
	}
	for _, h := range rt.Headers {
		e.headers = append(e.headers, http.CanonicalHeaderKey(h))
	}
	return e, segs, nil
}

// buildRoutes indexes the REST routes of ops. Two routes that no request could tell apart (same
// method, same segments, same predicates) are an error.
func buildRoutes(ops []Operation) (*routeIndex, error) {
	idx := &routeIndex{methods: map[string]*routeNode{}}
	for i := range ops {
		op := &ops[i]
		if op.Route.Method == "" {
			continue
		}
		e, segs, err := compileRoute(op)
		if err != nil {
			return nil, err
		}
		e.order = i
		n := idx.methods[op.Route.Method]
		if n == nil {
			n = &routeNode{}
			idx.methods[op.Route.Method] = n
		}
		greedy := false
		for _, seg := range segs {
			switch {
			case strings.HasSuffix(seg, "+}"):
				greedy = true
			case strings.HasPrefix(seg, "{"):
				if n.label == nil {
					n.label = &routeNode{}
				}
				n = n.label
			default:
				if n.literal == nil {
					n.literal = map[string]*routeNode{}
				}
				if n.literal[seg] == nil {
					n.literal[seg] = &routeNode{}
				}
				n = n.literal[seg]
			}
		}
		list := &n.end
		if greedy {
			list = &n.greedy
		}
		for _, other := range list.all {
			if samePredicates(other, e) {
				return nil, fmt.Errorf("routes of %s and %s collide: %s %s", other.op.Name, op.Name, op.Route.Method, op.Route.Path)
			}
		}
		list.add(e)
	}
	return idx, nil
}

func samePredicates(a, b *routeEntry) bool {
	if len(a.query) != len(b.query) || len(a.headers) != len(b.headers) {
		return false
	}
	for _, q := range a.query {
		if !slices.Contains(b.query, q) {
			return false
		}
	}
	for _, h := range a.headers {
		if !slices.Contains(b.headers, h) {
			return false
		}
	}
	return true
}

// matcher carries one request through the index.
type matcher struct {
	rawQuery string
	header   http.Header
	vals     [MaxRouteSegments]string
}

// match walks the path from n, at segment depth, where rest is what is left of the path after
// the slash that ends the previous segment. At every segment a literal child is tried before the
// {Label} child, and both before a {Label+} that takes the rest: AWS's precedence, under which the
// first segment where two routes differ decides. Among routes with the same segments, the one
// with the most predicates that hold wins.
func (m *matcher) match(n *routeNode, rest string, depth int) *routeEntry {
	if depth >= MaxRouteSegments {
		return nil
	}
	part, tail, more := strings.Cut(rest, "/")
	if c := n.literal[part]; c != nil {
		if e := m.next(c, tail, more, depth); e != nil {
			return e
		}
	}
	if n.label != nil && part != "" {
		if e := m.next(n.label, tail, more, depth); e != nil {
			m.vals[depth] = part
			return e
		}
	}
	if rest != "" && len(n.greedy.all) > 0 {
		if e := n.greedy.find(m.rawQuery, m.header); e != nil {
			m.vals[depth] = rest
			return e
		}
	}
	return nil
}

// next continues after a segment matched child c: deeper when the path goes on, or the routes
// that end at c when it does not (a single trailing slash is allowed: "/bucket/" is "/bucket").
func (m *matcher) next(c *routeNode, tail string, more bool, depth int) *routeEntry {
	if more {
		if e := m.match(c, tail, depth+1); e != nil {
			return e
		}
		if tail != "" {
			return nil
		}
	}
	return c.end.find(m.rawQuery, m.header)
}

// find matches a request's method, path, query and headers.
func (idx *routeIndex) find(method, path, rawQuery string, h http.Header) (*Operation, map[string]string) {
	root := idx.methods[method]
	if root == nil || !strings.HasPrefix(path, "/") {
		return nil, nil
	}
	m := matcher{rawQuery: rawQuery, header: h}
	e := m.match(root, path[1:], 0)
	if e == nil {
		return nil, nil
	}
	labels := make(map[string]string, len(e.labels))
	for _, l := range e.labels {
		labels[l.name] = m.vals[l.seg]
	}
	return e.op, labels
}
