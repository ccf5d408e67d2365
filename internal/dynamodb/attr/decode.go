package attr

import (
	"encoding/base64"
	"encoding/json"
	"errors"
)

// DecodeItem reads an item stored by EncodeItem. Stored items are read on every GetItem, Query
// and Scan, so it reads EncodeItem's own form (no spaces, canonical numbers, sets as written)
// in one pass; anything else goes through encoding/json, as user input does.
func DecodeItem(data []byte) (Item, error) {
	d := storedDecoder{b: data}
	if it, ok := d.item(); ok && d.i == len(d.b) {
		return it, nil
	}
	var it Item
	err := json.Unmarshal(data, &it)
	return it, err
}

// storedDecoder reads EncodeItem's output; ok false means "not in that form" (never a panic).
type storedDecoder struct {
	b []byte
	i int
}

var errNotStored = errors.New("not a stored item")

func (d *storedDecoder) next(c byte) bool {
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// str reads a JSON string: without escapes a slice of the input, with them through
// encoding/json.
func (d *storedDecoder) str() (string, bool) {
	if !d.next('"') {
		return "", false
	}
	start, esc := d.i, false
	for d.i < len(d.b) {
		switch c := d.b[d.i]; {
		case c == '\\':
			esc = true
			d.i += 2
			continue
		case c < 0x20:
			return "", false
		case c == '"':
			raw := d.b[start:d.i]
			d.i++
			if !esc {
				return string(raw), true
			}
			var s string
			if json.Unmarshal(d.b[start-1:d.i], &s) != nil {
				return "", false
			}
			return s, true
		}
		d.i++
	}
	return "", false
}

func (d *storedDecoder) item() (Item, bool) {
	if !d.next('{') {
		return nil, false
	}
	it := Item{}
	if d.next('}') {
		return it, true
	}
	for {
		name, ok := d.str()
		if !ok || !d.next(':') {
			return nil, false
		}
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		it[name] = v
		if d.next('}') {
			return it, true
		}
		if !d.next(',') {
			return nil, false
		}
	}
}

func (d *storedDecoder) strings() ([]string, bool) {
	if !d.next('[') {
		return nil, false
	}
	var out []string
	if d.next(']') {
		return out, true
	}
	for {
		s, ok := d.str()
		if !ok {
			return nil, false
		}
		out = append(out, s)
		if d.next(']') {
			return out, true
		}
		if !d.next(',') {
			return nil, false
		}
	}
}

func (d *storedDecoder) literal(s string) bool {
	if len(d.b)-d.i >= len(s) && string(d.b[d.i:d.i+len(s)]) == s {
		d.i += len(s)
		return true
	}
	return false
}

// value reads {"T":…} as Value.write writes it.
func (d *storedDecoder) value() (Value, bool) {
	if !d.next('{') {
		return Value{}, false
	}
	kind, ok := d.str()
	if !ok || !d.next(':') {
		return Value{}, false
	}
	v := Value{Kind: KindOf(kind)}
	switch v.Kind {
	case S, N:
		v.S, ok = d.str()
	case B:
		var s string
		if s, ok = d.str(); ok {
			b, err := base64.StdEncoding.DecodeString(s)
			v.B, ok = b, err == nil
		}
	case BOOL:
		if d.literal("true") {
			v.Bool = true
		} else {
			ok = d.literal("false")
		}
	case NULL:
		ok = d.literal("true")
	case M:
		v.M, ok = d.item()
	case L:
		v.L, ok = d.list()
	case SS, NS:
		v.Set, ok = d.strings()
		ok = ok && len(v.Set) > 0
	case BS:
		var l []string
		if l, ok = d.strings(); ok && len(l) > 0 {
			v.BSet = make([][]byte, len(l))
			for i, s := range l {
				b, err := base64.StdEncoding.DecodeString(s)
				if err != nil {
					return Value{}, false
				}
				v.BSet[i] = b
			}
		} else {
			ok = false
		}
	default:
		return Value{}, false
	}
	if !ok || !d.next('}') {
		return Value{}, false
	}
	return v, true
}

func (d *storedDecoder) list() ([]Value, bool) {
	if !d.next('[') {
		return nil, false
	}
	out := []Value{}
	if d.next(']') {
		return out, true
	}
	for {
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		out = append(out, v)
		if d.next(']') {
			return out, true
		}
		if !d.next(',') {
			return nil, false
		}
	}
}
