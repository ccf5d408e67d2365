package eventpattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Event is a decoded event, normalized for matching: numbers carry their literal and float
// value, and a key with dots ({"a.b": 1}) is merged into the nested form ({"a": {"b": 1}}),
// because AWS matches a pattern's "a.b" and {"a":{"b":…}} against both.
type Event struct{ v any }

// ErrDepth is returned for an event nested deeper than MaxDepth.
var ErrDepth = errors.New("eventpattern: event nested too deeply")

// number is a JSON number of an event or a pattern.
type number struct {
	lit   string  // the literal, as written
	f     float64 // its value, if ok
	ok    bool    // the literal parses to a finite float64
	isInt bool    // the literal has no fraction or exponent
}

func newNumber(lit string) number {
	n := number{lit: lit, isInt: !strings.ContainsAny(lit, ".eE")}
	if f, err := strconv.ParseFloat(lit, 64); err == nil && !math.IsInf(f, 0) {
		n.f, n.ok = f, true
	}
	if n.isInt && (lit == "-0") {
		n.lit = "0"
	}
	return n
}

// equal compares two numbers: integers by their digits (so account ids beyond float64's
// precision stay exact), anything else by value, as event-ruler adds both a literal and a
// numeric matcher for a number (300 matches 300.0).
func (n number) equal(m number) bool {
	if n.isInt && m.isInt {
		return n.lit == m.lit
	}
	if n.ok && m.ok {
		return n.f == m.f
	}
	return n.lit == m.lit
}

// Decode parses a JSON event. Duplicate keys keep the last value, as AWS does.
func Decode(b []byte) (Event, error) { return decodeFor(b, nil) }

// Value wraps an already-decoded value as an Event (see Pattern.MatchValue for the types).
func Value(v any) Event { return Event{v: normalize(v, 0, false)} }

// checkDepth rejects JSON nested deeper than MaxDepth before it is parsed. String bodies are
// skipped with bytes.IndexByte, which is most of an event's bytes.
func checkDepth(b []byte) error {
	depth := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			i = stringEnd(b, i)
		case '[', '{':
			if depth++; depth > MaxDepth {
				return ErrDepth
			}
		case ']', '}':
			depth--
		}
	}
	return nil
}

// stringEnd returns the index of the quote closing the string opened at b[i] (len(b) if none).
func stringEnd(b []byte, i int) int {
	for {
		j := bytes.IndexByte(b[i+1:], '"')
		if j < 0 {
			return len(b)
		}
		i += 1 + j
		backslashes := 0
		for k := i - 1; k >= 0 && b[k] == '\\'; k-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return i
		}
	}
}

// normalize converts numbers to number and merges dotted keys. Values deeper than MaxDepth are
// cut off (they cannot be reached by a pattern, whose depth is bounded too). With own false,
// the caller's slices and maps are copied, never changed.
func normalize(v any, depth int, own bool) any {
	if depth > MaxDepth {
		return nil
	}
	switch x := v.(type) {
	case nil, bool, string, number:
		return x
	case json.Number:
		return newNumber(string(x))
	case float64:
		return floatNumber(x)
	case float32:
		return floatNumber(float64(x))
	case []any:
		out := x
		if !own {
			out = make([]any, len(x))
		}
		for i, e := range x {
			out[i] = normalize(e, depth+1, own)
		}
		return out
	case map[string]any:
		if !own {
			c := make(map[string]any, len(x))
			for k, e := range x {
				c[k] = e
			}
			x = c
		}
		return normalizeObject(x, depth, own)
	}
	return normalizeOther(v, depth)
}

func floatNumber(f float64) number {
	return newNumber(strconv.FormatFloat(f, 'g', -1, 64))
}

// normalizeOther handles Go integer types and typed slices and maps given to Value.
func normalizeOther(v any, depth int) any {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return newNumber(strconv.FormatInt(rv.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return newNumber(strconv.FormatUint(rv.Uint(), 10))
	case reflect.String:
		return rv.String()
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = normalize(rv.Index(i).Interface(), depth+1, false)
		}
		return out
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil
		}
		out := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			out[it.Key().String()] = it.Value().Interface()
		}
		return normalizeObject(out, depth, false)
	}
	return nil
}

// normalizeObject normalizes m's values in place (m is the caller's own or already a copy).
func normalizeObject(m map[string]any, depth int, own bool) any {
	dotted := false
	for k, e := range m {
		m[k] = normalize(e, depth+1, own)
		if strings.IndexByte(k, '.') >= 0 {
			dotted = true
		}
	}
	if !dotted {
		return m
	}
	// Plain keys first, then dotted ones in sorted order, so that the merge is deterministic.
	out := make(map[string]any, len(m))
	var dottedKeys []string
	for k, e := range m {
		if strings.IndexByte(k, '.') < 0 {
			out[k] = e
		} else {
			dottedKeys = append(dottedKeys, k)
		}
	}
	sort.Strings(dottedKeys)
	for _, k := range dottedKeys {
		merge(out, strings.Split(k, "."), m[k])
	}
	return out
}

// merge puts v at path in m. Where a value is already there, both are kept as the elements of
// an array (any element may match, as when AWS flattens both to the same dotted name), and two
// objects are merged.
func merge(m map[string]any, path []string, v any) {
	k := path[0]
	if len(path) > 1 {
		inner, ok := m[k].(map[string]any)
		if !ok {
			inner = map[string]any{}
			if old, had := m[k]; had {
				m[k] = []any{old, inner}
			} else {
				m[k] = inner
			}
		}
		merge(inner, path[1:], v)
		return
	}
	old, had := m[k]
	if !had {
		m[k] = v
		return
	}
	om, ok1 := old.(map[string]any)
	vm, ok2 := v.(map[string]any)
	if ok1 && ok2 {
		for kk, vv := range vm {
			merge(om, []string{kk}, vv)
		}
		return
	}
	m[k] = []any{old, v}
}
