package eventpattern

import (
	"sort"
	"strconv"
	"strings"
)

// wildcard is a compiled wildcard pattern: literal segments between `*`s. A pattern with no
// `*` is one segment and must equal the value.
type wildcard struct {
	segs []string // len(segs) = number of `*` + 1
}

// parseWildcard reads AWS's wildcard syntax: `*` is any run of characters, `\*` and `\\` are
// literal, any other backslash and two consecutive `*` are errors (positions in UTF-8 bytes, as
// event-ruler reports them).
func parseWildcard(p string) (*wildcard, string) {
	var segs []string
	var cur strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '*':
			if i+1 < len(p) && p[i+1] == '*' {
				return nil, "Consecutive wildcard characters at pos " + strconv.Itoa(i)
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
// patterns): `*:*:*:*:*:x` keeps a state per `*` alive on ":::::". The search over state sets
// is bounded; a pattern that exhausts it is reported as too complex.
func (w *wildcard) complexity() int {
	// Positions: each literal byte of the pattern, stars as self-loops on the position before
	// the next segment. A state is a position index into the concatenated literal; star[i]
	// says position i is preceded by a `*` (it loops).
	var lit []byte
	var star []bool
	for i, seg := range w.segs {
		for j := 0; j < len(seg); j++ {
			lit = append(lit, seg[j])
			star = append(star, i > 0 && j == 0)
		}
	}
	star = append(star, len(w.segs) > 1 && w.segs[len(w.segs)-1] == "")
	alphabet := map[byte]bool{0: true}
	for _, c := range lit {
		alphabet[c] = true
	}
	type set = string
	key := func(states []int) set {
		var b strings.Builder
		for _, s := range states {
			b.WriteString(strconv.Itoa(s))
			b.WriteByte(',')
		}
		return b.String()
	}
	closure := func(states []int) []int {
		seen := map[int]bool{}
		var out []int
		for _, s := range states {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
		sort.Ints(out)
		return out
	}
	start := closure([]int{0})
	seen := map[set]bool{key(start): true}
	queue := [][]int{start}
	max := 1
	for len(queue) > 0 {
		if len(seen) > 5000 {
			return MaxWildcardComplexity + 1
		}
		cur := queue[0]
		queue = queue[1:]
		for c := range alphabet {
			var next []int
			for _, s := range cur {
				if star[s] {
					next = append(next, s)
				}
				if s < len(lit) && lit[s] == c {
					next = append(next, s+1)
				}
			}
			next = closure(next)
			if len(next) == 0 {
				continue
			}
			if k := key(next); !seen[k] {
				seen[k] = true
				queue = append(queue, next)
				if len(next) > max {
					max = len(next)
				}
			}
		}
	}
	return max
}
