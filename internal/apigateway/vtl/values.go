package vtl

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"
)

// toString renders a value as Velocity does (Java's toString).
func toString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		if v == float64(int64(v)) && v < 1e15 && v > -1e15 {
			return strconv.FormatFloat(v, 'f', 1, 64)
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = toString(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *Map:
		parts := make([]string, 0, v.Len())
		for _, k := range v.keys {
			parts = append(parts, k+"="+toString(v.m[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case map[string]string:
		keys := sortedKeys(v)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, k+"="+v[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case interface{ String() string }:
		return v.String()
	}
	return ""
}

// property reads $v.name: a map's key, an Object's property, or a getter (size, length, empty).
func property(v any, name string) any {
	switch v := v.(type) {
	case *Map:
		if x, ok := v.m[name]; ok {
			return x
		}
	case map[string]string:
		if x, ok := v[name]; ok {
			return x
		}
		return nil
	case Object:
		if x, ok := v.Get(name); ok {
			return x
		}
		x, _, _ := v.Call(name, nil)
		return x
	}
	// Java bean getters: $list.size is $list.getSize(), which lists lack; $s.empty is isEmpty().
	if name == "empty" {
		r, _ := call(v, "isEmpty", nil)
		return r
	}
	return nil
}

// index reads $v[i]: a list's item or a map's key.
func index(v, i any) any {
	switch v := v.(type) {
	case []any:
		n, ok := toInt(i)
		if !ok || n < 0 || n >= int64(len(v)) {
			return nil
		}
		return v[n]
	case *Map, map[string]string:
		return property(v, toString(i))
	}
	return nil
}

// call calls $v.name(args): an Object's method or the Java methods of strings, lists and maps
// that templates use.
func call(v any, name string, args []any) (any, error) {
	switch v := v.(type) {
	case Object:
		r, _, err := v.Call(name, args)
		return r, err
	case string:
		return stringMethod(v, name, args), nil
	case []any:
		return listMethod(v, name, args), nil
	case *Map:
		return mapMethod(v, name, args), nil
	case map[string]string:
		m := NewMap()
		for _, k := range sortedKeys(v) {
			m.Set(k, v[k])
		}
		return mapMethod(m, name, args), nil
	case int64, float64, bool:
		if name == "toString" {
			return toString(v), nil
		}
	}
	return nil, nil
}

func argString(args []any, i int) string {
	if i < len(args) {
		return toString(args[i])
	}
	return ""
}

func argInt(args []any, i int) (int, bool) {
	if i >= len(args) {
		return 0, false
	}
	n, ok := toInt(args[i])
	return int(n), ok
}

func stringMethod(s, name string, args []any) any {
	switch name {
	case "length":
		return int64(len([]rune(s)))
	case "isEmpty":
		return s == ""
	case "toLowerCase":
		return strings.ToLower(s)
	case "toUpperCase":
		return strings.ToUpper(s)
	case "trim":
		return strings.TrimSpace(s)
	case "contains":
		return strings.Contains(s, argString(args, 0))
	case "startsWith":
		return strings.HasPrefix(s, argString(args, 0))
	case "endsWith":
		return strings.HasSuffix(s, argString(args, 0))
	case "equals":
		return len(args) == 1 && equal(s, args[0])
	case "equalsIgnoreCase":
		return strings.EqualFold(s, argString(args, 0))
	case "indexOf":
		return int64(strings.Index(s, argString(args, 0)))
	case "replace", "replaceAll":
		return strings.ReplaceAll(s, argString(args, 0), argString(args, 1))
	case "toString":
		return s
	case "split":
		parts := strings.Split(s, argString(args, 0))
		out := make([]any, len(parts))
		for i, p := range parts {
			out[i] = p
		}
		return out
	case "substring":
		r := []rune(s)
		from, ok := argInt(args, 0)
		to, ok2 := argInt(args, 1)
		if !ok2 {
			to = len(r)
		}
		if !ok || from < 0 || to > len(r) || from > to {
			return nil
		}
		return string(r[from:to])
	case "charAt":
		r := []rune(s)
		i, ok := argInt(args, 0)
		if !ok || i < 0 || i >= len(r) {
			return nil
		}
		return string(r[i])
	}
	return nil
}

func listMethod(l []any, name string, args []any) any {
	switch name {
	case "size":
		return int64(len(l))
	case "isEmpty":
		return len(l) == 0
	case "get":
		if len(args) == 1 {
			return index(l, args[0])
		}
	case "contains":
		for _, x := range l {
			if len(args) == 1 && equal(x, args[0]) {
				return true
			}
		}
		return false
	}
	return nil
}

func mapMethod(m *Map, name string, args []any) any {
	switch name {
	case "size":
		return int64(m.Len())
	case "isEmpty":
		return m.Len() == 0
	case "get":
		x, _ := m.Get(argString(args, 0))
		return x
	case "containsKey":
		_, ok := m.Get(argString(args, 0))
		return ok
	case "keySet":
		out := make([]any, 0, m.Len())
		for _, k := range m.keys {
			out = append(out, k)
		}
		return out
	case "values", "entrySet":
		return iterate(m)
	case "put":
		if len(args) == 2 {
			prev, _ := m.Get(toString(args[0]))
			m.Set(toString(args[0]), args[1])
			return prev
		}
	case "remove":
		prev, _ := m.Get(argString(args, 0))
		m.remove(argString(args, 0))
		return prev
	}
	return nil
}

// ParseJSON decodes JSON text into template values: objects as *Map (keys in order), arrays as
// []any, integers as int64 and other numbers as float64.
func ParseJSON(text string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &json.SyntaxError{}
	}
	return v, nil
}

func decodeValue(dec *json.Decoder, depth int) (any, error) {
	if depth > 200 {
		return nil, ErrLimit
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			out := []any{}
			for dec.More() {
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				out = append(out, v)
			}
			_, err := dec.Token()
			return out, err
		}
		m := NewMap()
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := decodeValue(dec, depth+1)
			if err != nil {
				return nil, err
			}
			m.Set(k.(string), v)
		}
		_, err := dec.Token()
		return m, err
	case json.Number:
		if n, err := t.Int64(); err == nil {
			return n, nil
		}
		f, err := t.Float64()
		return f, err
	}
	return tok, nil
}

// ToJSON encodes a template value as compact JSON.
func ToJSON(v any) string {
	var b bytes.Buffer
	writeJSON(&b, v)
	return b.String()
}

func writeJSON(b *bytes.Buffer, v any) {
	switch v := v.(type) {
	case *Map:
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			writeJSON(b, v.m[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, x := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, x)
		}
		b.WriteByte(']')
	case float64:
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	case string:
		writeString(b, v)
	default:
		x, err := json.Marshal(v)
		if err != nil {
			b.WriteString("null")
			return
		}
		b.Write(x)
	}
}

// writeString writes a JSON string without escaping <, > and & (API Gateway does not).
func writeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	b.Truncate(b.Len() - 1) // Encode's newline
}
