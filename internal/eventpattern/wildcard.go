package eventpattern

import (
	"strconv"
	"strings"
)

// wildcard is a compiled wildcard pattern: literal segments between `*`s. A pattern with no
// `*` is one segment and must equal the value.
type wildcard struct {
	segs []string // len(segs) = number of `*` + 1
}

// parseWildcard reads AWS's wildcard syntax: `*` is any run of characters, `\*` and `\\` are
// literal, any other backslash and two consecutive `*` are errors (positions in UTF-8 bytes).
func parseWildcard(p string) (*wildcard, string) {
	var segs []string
	var cur strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '*':
			if i+1 < len(p) && p[i+1] == '*' {
				// AWS reports the second `*` (AWS-validated: "arn:aws:events:us-east-1:**" → 26).
				return nil, "Consecutive wildcard characters at pos " + strconv.Itoa(i+1)
			}
			segs = append(segs, cur.String())
			cur.Reset()
		case '\\':
			if i+1 < len(p) && (p[i+1] == '*' || p[i+1] == '\\') {
				cur.WriteByte(p[i+1])
				i++
				continue
			}
			return nil, "Invalid escape character at pos " + strconv.Itoa(i)
		default:
			cur.WriteByte(c)
		}
	}
	return &wildcard{segs: append(segs, cur.String())}, ""
}

// match is the classic greedy glob match with backtracking to the last `*`: O(len(s)·len(p))
// at worst, linear for the patterns the complexity limit lets through.
func (w *wildcard) match(s string) bool {
	segs := w.segs
	if len(segs) == 1 {
		return s == segs[0]
	}
	if !strings.HasPrefix(s, segs[0]) {
		return false
	}
	s = s[len(segs[0]):]
	last := segs[len(segs)-1]
	if len(s) < len(last) || !strings.HasSuffix(s, last) {
		return false
	}
	s = s[:len(s)-len(last)]
	for _, seg := range segs[1 : len(segs)-1] {
		i := strings.Index(s, seg)
		if i < 0 {
			return false
		}
		s = s[i+len(seg):]
	}
	return true
}

// complexity is the most states of the pattern's automaton that one input can keep alive at
// once (event-ruler's MachineComplexityEvaluator counts the same for a rule's wildcard
// patterns): `*:*:*:*:*:x` keeps a state per `*` alive on ":::::", and `*aaaa` four on "aaa".
// The search over the reachable state sets stops at the first set larger than
// MaxWildcardComplexity, and a pattern whose sets outnumber maxStateSets counts as too complex.
func (w *wildcard) complexity() int {
	if len(w.segs) == 1 {
		return 1
	}
	// A state is a position in the concatenated literal (the number of literal bytes matched);
	// star[p] says a `*` sits at position p, so the state loops on any byte.
	var lit []byte
	star := make([]bool, 0, 64)
	for i, seg := range w.segs {
		if i > 0 && seg == "" { // a trailing `*`
			continue
		}
		for j := 0; j < len(seg); j++ {
			lit = append(lit, seg[j])
			star = append(star, i > 0 && j == 0)
		}
	}
	star = append(star, w.segs[len(w.segs)-1] == "")
	var alphabet []byte
	var seenByte [256]bool
	seenByte[0] = true
	alphabet = append(alphabet, 0) // any byte not in the pattern
	for _, c := range lit {
		if !seenByte[c] {
			seenByte[c] = true
			alphabet = append(alphabet, c)
		}
	}
	start := stateSet{0}
	seen := map[stateSet]bool{start: true}
	queue := []stateSet{start}
	sizes := map[stateSet]int{start: 1}
	most := 1
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, c := range alphabet {
			var next stateSet
			n := 0
			for k := 0; k < sizes[cur]; k++ {
				p := int(cur[k])
				if star[p] {
					n = addState(&next, n, p)
				}
				if p < len(lit) && lit[p] == c {
					n = addState(&next, n, p+1)
				}
				if n > MaxWildcardComplexity {
					return n
				}
			}
			if n == 0 || seen[next] {
				continue
			}
			if len(seen) >= maxStateSets {
				return MaxWildcardComplexity + 1
			}
			seen[next], sizes[next] = true, n
			queue = append(queue, next)
			most = max(most, n)
		}
	}
	return most
}

// stateSet is a sorted set of automaton states, as many as complexity needs to look at.
type stateSet [MaxWildcardComplexity + 1]int32

// maxStateSets bounds the work of complexity: enough for a 4,096-byte pattern of ordinary shape.
const maxStateSets = 50000

// addState adds p to the sorted set s of n states and returns the new size; a set that would
// outgrow s reports MaxWildcardComplexity+1.
func addState(s *stateSet, n, p int) int {
	for k := 0; k < n; k++ {
		if int(s[k]) == p {
			return n
		}
	}
	if n == len(s) {
		return n + 1
	}
	k := n
	for k > 0 && int(s[k-1]) > p {
		s[k] = s[k-1]
		k--
	}
	s[k] = int32(p)
	return n + 1
}
