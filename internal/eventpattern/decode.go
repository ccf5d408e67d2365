package eventpattern

import (
	"bytes"
	"errors"
	"strings"
	"unicode/utf8"

	sjson "github.com/segmentio/encoding/json"
)

// fields is the tree of event fields some patterns read. Decoding for it materializes only
// those fields (event-ruler likewise skips the fields no rule names): an event's other fields
// cost a scan, not an allocation. A nil *fields reads everything.
type fields struct {
	sub map[string]*fields
}

// add merges the fields a node reads into f.
func (f *fields) add(n *node) {
	for _, ch := range n.children {
		if f.sub == nil {
			f.sub = map[string]*fields{}
		}
		cf := f.sub[ch.key]
		if cf == nil {
			cf = &fields{}
			f.sub[ch.key] = cf
		}
		if ch.sub != nil {
			cf.add(ch.sub)
		}
	}
	for _, group := range n.ors {
		for _, b := range group {
			f.add(b)
		}
	}
}

// child is the subtree for an event key, which may be dotted ("a.b" is a's b).
func (f *fields) child(key []byte) (*fields, bool) {
	if f == nil {
		return nil, true
	}
	if c, ok := f.sub[string(key)]; ok {
		return c, true
	}
	if !strings.Contains(string(key), ".") {
		return nil, false
	}
	for _, seg := range strings.Split(string(key), ".") {
		c, ok := f.sub[seg]
		if !ok {
			return nil, false
		}
		f = c
	}
	return f, true
}

// ErrSyntax is returned for an event that is not JSON.
var ErrSyntax = errors.New("eventpattern: the event is not valid JSON")

// decodeFor decodes the JSON event b, keeping only what f names. It checks b with the JSON
// library, then reads it with a scanner of its own that allocates only for the fields kept: the
// library's decoder materializes every field (16 µs for a 1 KB event against 2–3 µs), and its
// tokenizer spent more time than this scanner needs in all. FuzzDecode holds the scanner to the
// library's full decoding.
func decodeFor(b []byte, f *fields) (Event, error) {
	// The scanner runs first: it bounds the nesting of everything it reads (MaxDepth), and the
	// library's check, which recurses, reads no deeper than the scanner did before it stops.
	s := scanner{b: b}
	v := s.value(f)
	if s.err != nil {
		return Event{}, s.err
	}
	if !sjson.Valid(b) {
		return Event{}, ErrSyntax
	}
	if s.dotted {
		v = normalize(v, 0, true)
	}
	return Event{v: v}, nil
}

// scanner reads JSON already known to be valid.
type scanner struct {
	b       []byte
	i       int
	depth   int
	err     error
	dotted  bool // a key kept has a dot: the value needs normalize's merging
	ordered bool // objects become *object (patterns), not maps
}

// object is a pattern's JSON object: its entries in document order, a repeated key included,
// so that the compiler sees them as event-ruler's streaming parser does (errors in document
// order; of a repeated key, the last one wins).
type object struct {
	keys []string
	vals []any
}

// unique returns the object's keys once each, with their last values, in first-seen order.
func (o *object) unique() ([]string, map[string]any) {
	m := make(map[string]any, len(o.keys))
	var keys []string
	for i, k := range o.keys {
		if _, ok := m[k]; !ok {
			keys = append(keys, k)
		}
		m[k] = o.vals[i]
	}
	return keys, m
}

// decodePattern parses a pattern: objects as *object, numbers as number.
func decodePattern(b []byte) (any, error) {
	if err := checkDepth(b); err != nil {
		return nil, err
	}
	if !sjson.Valid(b) {
		return nil, ErrSyntax
	}
	s := scanner{b: b, ordered: true}
	v := s.value(nil)
	return v, s.err
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next byte after white space, 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) value(f *fields) any {
	switch c := s.peek(); c {
	case '{':
		return s.object(f)
	case '[':
		return s.array(f)
	case '"':
		return s.str()
	case 't':
		s.i += 4
		return true
	case 'f':
		s.i += 5
		return false
	case 'n':
		s.i += 4
		return nil
	case 0:
		s.fail(ErrSyntax)
		return nil
	}
	start := s.i
	s.scalarEnd()
	if s.i == start { // a delimiter where a value belongs: invalid JSON
		s.fail(ErrSyntax)
		return nil
	}
	return newNumber(string(s.b[start:s.i]))
}

func (s *scanner) fail(err error) {
	if s.err == nil {
		s.err = err
	}
	s.i = len(s.b)
}

func (s *scanner) enter() bool {
	if s.depth++; s.depth > MaxDepth {
		s.fail(ErrDepth)
		return false
	}
	s.i++
	return true
}

func (s *scanner) object(f *fields) any {
	if s.ordered {
		return s.orderedObject()
	}
	m := map[string]any{}
	if !s.enter() {
		return m
	}
	for {
		switch s.peek() {
		case '}':
			s.i++
			s.depth--
			return m
		case ',':
			s.i++
			continue
		case '"':
		default:
			s.fail(ErrSyntax)
			return m
		}
		key := s.strBytes()
		if s.peek() != ':' {
			s.fail(ErrSyntax)
			return m
		}
		s.i++
		if sub, want := f.child(key); want {
			s.dotted = s.dotted || bytes.IndexByte(key, '.') >= 0
			m[string(key)] = s.value(sub)
		} else {
			s.skip()
		}
	}
}

func (s *scanner) orderedObject() any {
	o := &object{}
	if !s.enter() {
		return o
	}
	for {
		switch s.peek() {
		case '}':
			s.i++
			s.depth--
			return o
		case ',':
			s.i++
			continue
		case '"':
		default:
			s.fail(ErrSyntax)
			return o
		}
		key := s.str()
		if s.peek() != ':' {
			s.fail(ErrSyntax)
			return o
		}
		s.i++
		o.keys = append(o.keys, key)
		o.vals = append(o.vals, s.value(nil))
	}
}

func (s *scanner) array(f *fields) any {
	arr := []any{}
	if !s.enter() {
		return arr
	}
	for {
		switch s.peek() {
		case ']':
			s.i++
			s.depth--
			return arr
		case ',':
			s.i++
		case 0:
			s.fail(ErrSyntax)
			return arr
		default:
			arr = append(arr, s.value(f))
		}
	}
}

// str reads a string value.
func (s *scanner) str() string { return string(s.strBytes()) }

// strBytes reads a string at s.i; unescaped strings are a slice of the input.
func (s *scanner) strBytes() []byte {
	start := s.i + 1
	slow := false // escapes, or bytes the library would replace with U+FFFD
	for j := start; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '\\':
			slow = true
			j++
		case c >= utf8.RuneSelf && !slow:
			_, n := utf8.DecodeRune(s.b[j:])
			slow = n == 1
			j += n - 1
		case c == '"':
			s.i = j + 1
			if !slow {
				return s.b[start:j]
			}
			var out string
			if err := sjson.Unmarshal(s.b[start-1:j+1], &out); err != nil {
				s.fail(ErrSyntax)
				return nil
			}
			return []byte(out)
		}
	}
	s.fail(ErrSyntax)
	return nil
}

// scalarEnd moves past a number or literal.
func (s *scanner) scalarEnd() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return
		}
		s.i++
	}
}

// skip passes over the value at s.i.
func (s *scanner) skip() {
	switch s.peek() {
	case '"':
		s.skipString()
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				s.skipString()
				continue
			case '{', '[':
				if depth++; s.depth+depth > MaxDepth {
					s.fail(ErrDepth)
					return
				}
			case '}', ']':
				depth--
			}
			s.i++
			if depth == 0 {
				return
			}
		}
	default:
		s.scalarEnd()
	}
}

func (s *scanner) skipString() {
	end := stringEnd(s.b, s.i)
	if end >= len(s.b) {
		s.fail(ErrSyntax)
		return
	}
	s.i = end + 1
}
