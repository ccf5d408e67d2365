// Package ion reads and writes the part of Amazon Ion's text format that DynamoDB's exports
// and imports use: each item a struct, S as string, N as decimal, B as blob, BOOL as bool,
// NULL as null, M as struct, L as list, and the sets as lists annotated $dynamodb_SS,
// $dynamodb_NS and $dynamodb_BS (Developer Guide, "DynamoDB table export output format").
// No Go Ion library is served to this project, so this is written by hand; the reader also
// takes the rest of Ion text a person may write (comments, long strings, ints in hex and
// binary, floats, typed nulls, quoted symbols) and refuses what has no DynamoDB type
// (timestamps, symbols as values, s-expressions, clobs).
package ion

import (
	"encoding/base64"
	"sort"
	"strconv"

	"github.com/gureum/gureum/internal/dynamodb/attr"
)

// VersionMarker begins each line DynamoDB writes.
const VersionMarker = "$ion_1_0"

// The annotations of DynamoDB's sets.
const (
	annotSS = "$dynamodb_SS"
	annotNS = "$dynamodb_NS"
	annotBS = "$dynamodb_BS"
)

// AppendItem appends an item as an Ion struct, attributes in name order.
func AppendItem(b []byte, it attr.Item) []byte {
	names := make([]string, 0, len(it))
	for k := range it {
		names = append(names, k)
	}
	sort.Strings(names)
	b = append(b, '{')
	for i, k := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendSymbol(b, k)
		b = append(b, ':')
		b = AppendValue(b, it[k])
	}
	return append(b, '}')
}

// AppendValue appends one attribute value in Ion text.
func AppendValue(b []byte, v attr.Value) []byte {
	switch v.Kind {
	case attr.S:
		return appendString(b, v.S)
	case attr.N:
		return appendDecimal(b, v.S)
	case attr.B:
		return appendBlob(b, v.B)
	case attr.BOOL:
		return strconv.AppendBool(b, v.Bool)
	case attr.M:
		return AppendItem(b, v.M)
	case attr.L:
		b = append(b, '[')
		for i, e := range v.L {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendValue(b, e)
		}
		return append(b, ']')
	case attr.SS, attr.NS:
		annot, elem := annotSS, appendString
		if v.Kind == attr.NS {
			annot, elem = annotNS, appendDecimal
		}
		b = append(append(b, annot...), "::["...)
		for i, e := range v.Set {
			if i > 0 {
				b = append(b, ',')
			}
			b = elem(b, e)
		}
		return append(b, ']')
	case attr.BS:
		b = append(append(b, annotBS...), "::["...)
		for i, e := range v.BSet {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendBlob(b, e)
		}
		return append(b, ']')
	}
	return append(b, "null"...)
}

// appendDecimal writes a canonical DynamoDB number as an Ion decimal: its digits as the
// coefficient and a d exponent where one is needed (103 → 103., 600 → 6d2, 1.5 → 15d-1), so
// the value is exact.
func appendDecimal(b []byte, s string) []byte {
	n, err := attr.ParseNumber(s)
	if err != nil || n.IsZero() {
		return append(b, "0."...)
	}
	if n.Neg {
		b = append(b, '-')
	}
	b = append(b, n.Digits...)
	if e := n.Exp - len(n.Digits); e != 0 {
		return strconv.AppendInt(append(b, 'd'), int64(e), 10)
	}
	return append(b, '.')
}

func appendBlob(b []byte, p []byte) []byte {
	b = append(b, "{{"...)
	b = base64.StdEncoding.AppendEncode(b, p)
	return append(b, "}}"...)
}

// appendString writes a string in double quotes, escaping quotes, backslashes and control
// characters; other characters stay as their UTF-8.
func appendString(b []byte, s string) []byte {
	return appendQuoted(b, s, '"')
}

// AppendSymbol writes a field name: bare when it is an identifier that is not a keyword,
// otherwise in single quotes.
func AppendSymbol(b []byte, s string) []byte {
	if isIdentifier(s) && !isKeyword(s) {
		return append(b, s...)
	}
	return appendQuoted(b, s, '\'')
}

func appendQuoted(b []byte, s string, q byte) []byte {
	const hex = "0123456789abcdef"
	b = append(b, q)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c < 0x20 || c == 0x7f:
			b = append(b, '\\', 'x', hex[c>>4], hex[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, q)
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	// $ followed by digits is a symbol id ($10), not a name; $ion... names are Ion's own.
	return s[0] != '$'
}

func isKeyword(s string) bool {
	switch s {
	case "null", "true", "false", "nan":
		return true
	}
	return false
}
