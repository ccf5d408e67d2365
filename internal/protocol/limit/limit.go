// Package limit holds the depth and size limits every request decoder applies before it decodes,
// and the cheap scans that enforce them. A decoder that recurses per nesting level (the JSON
// decoders do) would otherwise let one small body exhaust the goroutine's stack, which no recover
// catches, or its memory; the scans look at each byte once and keep no state beyond a counter.
package limit

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of arrays and objects (JSON) or elements (XML) a request
// document may have. AWS documents no general figure; DynamoDB's 32 levels of nested attribute
// values take two JSON levels each ({"M":{…}}), and no other API's shape comes close.
const MaxDepth = 100

// MaxDocument is the largest request document a JSON codec decodes, a backstop for a codec
// called directly: the router caps each operation's body first (service.Operation.MaxBody, 16 MiB
// unless the operation says more, as Lambda's CreateFunction does for its 70 MB of base64).
const MaxDocument = 128 << 20

// ErrTooDeep reports a document nested more deeply than MaxDepth.
var ErrTooDeep = errors.New("limit: document nested too deeply")

// ErrInvalidText reports a JSON document whose text is not Unicode: bytes that are not UTF-8, or a
// \u escape of a surrogate that is not half of a pair. JSON decoders turn both into U+FFFD and go
// on, which would accept and store text other than what the client sent.
var ErrInvalidText = errors.New("limit: text is not valid Unicode")

// JSON checks b before it is decoded: ErrTooDeep when arrays and objects nest more than max levels
// deep, ErrInvalidText when its text is not Unicode, nil otherwise. It does not validate the JSON
// syntax: it counts brackets outside strings, which bounds how deep any JSON decoder reading b can
// recurse before it finds an error, and looks at each escape in the strings.
func JSON(b []byte, max int) error {
	if !utf8.Valid(b) {
		return ErrInvalidText
	}
	// A body that opens fewer brackets in all than the limit and has no backslash (so no \u escape)
	// passes both checks: these vectorised passes cost a fraction of the walk below.
	if bytes.IndexByte(b, '\\') < 0 && bytes.Count(b, openBrace)+bytes.Count(b, openBracket) <= max {
		return nil
	}
	depth, n := 0, len(b)
	for i := 0; i < n; i++ {
		for i < n && !structural[b[i]] {
			i++
		}
		if i == n {
			break
		}
		switch b[i] {
		case '{', '[':
			if depth++; depth > max {
				return ErrTooDeep
			}
		case '}', ']':
			depth--
		case '"':
			end, ok := stringEnd(b, i+1)
			if !ok {
				return ErrInvalidText
			}
			i = end
		}
	}
	return nil
}

var openBrace, openBracket = []byte("{"), []byte("[")

// structural marks the bytes JSON's walk stops at outside strings, stringStop those inside.
var structural, stringStop = func() (out, in [256]bool) {
	for _, c := range "{}[]\"" {
		out[c] = true
	}
	in['"'], in['\\'] = true, true
	return out, in
}()

// hasByte is nonzero when one of x's bytes is c (and may be nonzero for a byte above such a
// byte, which only stops the fast loop early): the "has zero byte" bit trick on x XOR c.
func hasByte(x uint64, c byte) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	y := x ^ ones*uint64(c)
	return (y - ones) &^ y & highs
}

// stringEnd returns the index of the quote that closes the string whose body starts at i (len(b)
// when it is not closed), and false when the string escapes a lone surrogate.
func stringEnd(b []byte, i int) (int, bool) {
	n := len(b)
	for {
		// Eight bytes at a time while none is a quote or a backslash (a message body's long runs),
		// then byte by byte to the one that is.
		for i+8 <= n {
			x := binary.LittleEndian.Uint64(b[i:])
			if hasByte(x, '"')|hasByte(x, '\\') != 0 {
				break
			}
			i += 8
		}
		for i < n && !stringStop[b[i]] {
			i++
		}
		if i >= n || b[i] == '"' {
			return i, true
		}
		if i+1 < n && b[i+1] == 'u' {
			k, ok := escapedSurrogates(b[i:])
			if !ok {
				return 0, false
			}
			i += k
		} else {
			i += 2 // a backslash escapes the next byte
		}
	}
}

// escapedSurrogates looks at the \uXXXX escape b starts with: it returns how many bytes to skip
// (one escape, or two for a surrogate pair) and false when the escape is a surrogate without its
// other half. An escape with malformed hex digits is left to the decoder to refuse.
func escapedSurrogates(b []byte) (int, bool) {
	r, ok := hex4(b[2:])
	if !ok || !utf16.IsSurrogate(r) {
		return 2, true
	}
	if r >= 0xDC00 { // a low surrogate first
		return 0, false
	}
	if len(b) < 12 || b[6] != '\\' || b[7] != 'u' {
		return 0, false
	}
	r2, ok := hex4(b[8:])
	if !ok || r2 < 0xDC00 || r2 > 0xDFFF {
		return 0, false
	}
	return 12, true
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// XMLDepth reads r as XML tokens without decoding them into anything and reports ErrTooDeep when
// elements nest more than max levels deep, or the tokenizer's syntax error. RawToken keeps no
// stack of open elements, so memory stays flat however deep the document tries to go.
func XMLDepth(r io.Reader, max int) error {
	d := xml.NewDecoder(r)
	d.Strict = true
	depth := 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth++; depth > max {
				return ErrTooDeep
			}
		case xml.EndElement:
			depth--
		}
	}
}
