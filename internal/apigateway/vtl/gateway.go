package vtl

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
)

// Util is API Gateway's $util.
type Util struct{}

// Get implements Object.
func (Util) Get(string) (any, bool) { return nil, false }

// Call implements Object.
func (Util) Call(name string, args []any) (any, bool, error) {
	s := argString(args, 0)
	switch name {
	case "escapeJavaScript":
		return EscapeJavaScript(s), true, nil
	case "urlEncode":
		return strings.ReplaceAll(url.QueryEscape(s), "%7E", "~"), true, nil
	case "urlDecode":
		d, err := url.QueryUnescape(s)
		if err != nil {
			return nil, true, nil
		}
		return d, true, nil
	case "base64Encode":
		return base64.StdEncoding.EncodeToString([]byte(s)), true, nil
	case "base64Decode":
		d, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, true, nil
		}
		return string(d), true, nil
	case "parseJson":
		v, err := ParseJSON(s)
		if err != nil {
			return nil, true, nil
		}
		return v, true, nil
	}
	return nil, false, nil
}

// EscapeJavaScript escapes a string as Apache Commons Lang 2's StringEscapeUtils.escapeJavaScript,
// which API Gateway's $util.escapeJavaScript is: quotes (both kinds), backslash and slash
// escaped, control characters as \b \t \n \f \r or \u00XX, and everything above 0x7f as \uXXXX.
func EscapeJavaScript(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r > 0xffff:
			// Java strings hold UTF-16: a supplementary character is two escaped surrogates.
			r1, r2 := utf16Pair(r)
			b.WriteString(`\u` + hex4(r1) + `\u` + hex4(r2))
		case r > 0x7f:
			b.WriteString(`\u` + hex4(r))
		case r < 32:
			switch r {
			case '\b':
				b.WriteString(`\b`)
			case '\n':
				b.WriteString(`\n`)
			case '\t':
				b.WriteString(`\t`)
			case '\f':
				b.WriteString(`\f`)
			case '\r':
				b.WriteString(`\r`)
			default:
				b.WriteString(`\u` + hex4(r))
			}
		case r == '\'' || r == '"' || r == '\\' || r == '/':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func hex4(r rune) string {
	h := strings.ToUpper(strconv.FormatInt(int64(r), 16))
	return strings.Repeat("0", 4-len(h)) + h
}

func utf16Pair(r rune) (rune, rune) {
	r -= 0x10000
	return 0xd800 + (r>>10)&0x3ff, 0xdc00 + r&0x3ff
}

// Input is API Gateway's $input for a request (or an integration's response): its body and the
// method request's parameters.
type Input struct {
	Body   string
	Path   map[string]string
	Query  map[string]string
	Header map[string]string

	parsed    any
	parsedErr error
	parsedSet bool
}

func (in *Input) root() (any, error) {
	if !in.parsedSet {
		in.parsedSet = true
		if strings.TrimSpace(in.Body) == "" {
			in.parsed = NewMap()
		} else {
			in.parsed, in.parsedErr = ParseJSON(in.Body)
		}
	}
	return in.parsed, in.parsedErr
}

// Get implements Object.
func (in *Input) Get(name string) (any, bool) {
	if name == "body" {
		return in.Body, true
	}
	return nil, false
}

// Call implements Object: json, path, params, body.
func (in *Input) Call(name string, args []any) (any, bool, error) {
	switch name {
	case "body":
		return in.Body, true, nil
	case "json", "path":
		root, err := in.root()
		if err != nil {
			// API Gateway fails the request on a body that is not JSON.
			return nil, true, err
		}
		v := JSONPath(root, argString(args, 0))
		if name == "json" {
			return ToJSON(v), true, nil
		}
		return v, true, nil
	case "params":
		if len(args) == 0 {
			all := NewMap()
			all.Set("path", mapOf(in.Path))
			all.Set("querystring", mapOf(in.Query))
			all.Set("header", mapOf(in.Header))
			return all, true, nil
		}
		p := argString(args, 0)
		for _, m := range []map[string]string{in.Path, in.Query, in.Header} {
			if v, ok := m[p]; ok {
				return v, true, nil
			}
		}
		return "", true, nil
	}
	return nil, false, nil
}

func mapOf(m map[string]string) *Map {
	out := NewMap()
	for _, k := range sortedKeys(m) {
		out.Set(k, m[k])
	}
	return out
}

// JSONPath evaluates the JSONPath subset that mapping templates use on a decoded document:
// $, .name, ['name'], [n], [*] and .* (the wildcards collect a list).
func JSONPath(root any, path string) any {
	path = strings.TrimSpace(path)
	if !strings.HasPrefix(path, "$") {
		return nil
	}
	cur := []any{root}
	multi := false
	rest := path[1:]
	for rest != "" && len(cur) > 0 {
		var key string
		switch {
		case strings.HasPrefix(rest, "['") || strings.HasPrefix(rest, `["`):
			q := rest[1]
			end := strings.IndexByte(rest[2:], q)
			if end < 0 || !strings.HasPrefix(rest[2+end+1:], "]") {
				return nil
			}
			key, rest = rest[2:2+end], rest[2+end+2:]
		case strings.HasPrefix(rest, "["):
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil
			}
			key, rest = rest[1:end], rest[end+1:]
			if key == "*" {
				cur, multi = children(cur), true
				continue
			}
			n, err := strconv.Atoi(key)
			if err != nil {
				return nil
			}
			cur = indexAll(cur, n)
			continue
		case strings.HasPrefix(rest, "."):
			rest = rest[1:]
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			key, rest = rest[:end], rest[end:]
			if key == "*" {
				cur, multi = children(cur), true
				continue
			}
		default:
			return nil
		}
		next := cur[:0:0]
		for _, c := range cur {
			if m, ok := c.(*Map); ok {
				if v, ok := m.Get(key); ok {
					next = append(next, v)
				}
			}
		}
		cur = next
	}
	if multi {
		return cur
	}
	if len(cur) == 0 {
		return nil
	}
	return cur[0]
}

func children(vs []any) []any {
	var out []any
	for _, v := range vs {
		out = append(out, iterate(v)...)
	}
	return out
}

func indexAll(vs []any, n int) []any {
	var out []any
	for _, v := range vs {
		if l, ok := v.([]any); ok {
			if n < 0 {
				n += len(l)
			}
			if n >= 0 && n < len(l) {
				out = append(out, l[n])
			}
		}
	}
	return out
}
