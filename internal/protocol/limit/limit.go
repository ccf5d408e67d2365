// Package limit holds the depth and size limits every request decoder applies before it decodes,
// and the cheap scans that enforce them. A decoder that recurses per nesting level (the JSON
// decoders do) would otherwise let one small body exhaust the goroutine's stack, which no recover
// catches, or its memory; the scans look at each byte once and keep no state beyond a counter.
package limit

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
)

// MaxDepth is the deepest nesting of arrays and objects (JSON) or elements (XML) a request
// document may have. AWS documents no general figure; DynamoDB's 32 levels of nested attribute
// values take two JSON levels each ({"M":{…}}), and no other API's shape comes close.
const MaxDepth = 100

// MaxDocument is the largest request document a codec decodes: the router's body cap, restated
// here so that a codec called directly holds to it as well.
const MaxDocument = 16 << 20

// ErrTooDeep reports a document nested more deeply than MaxDepth.
var ErrTooDeep = errors.New("limit: document nested too deeply")

// JSONDepth reports whether b nests arrays and objects at most max levels deep. It does not
// validate b: it counts brackets outside strings, which bounds how deep any JSON decoder reading b
// can recurse before it finds an error.
func JSONDepth(b []byte, max int) bool {
	depth := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '{', '[':
			if depth++; depth > max {
				return false
			}
		case '}', ']':
			depth--
		case '"':
			i = stringEnd(b, i+1)
		}
	}
	return true
}

// stringEnd returns the index of the quote that closes the string whose body starts at i (or
// len(b)-1 when it is not closed).
func stringEnd(b []byte, i int) int {
	for {
		j := bytes.IndexAny(b[i:], `"\`)
		if j < 0 {
			return len(b) - 1
		}
		i += j
		if b[i] == '"' {
			return i
		}
		i += 2 // a backslash escapes the next byte
		if i >= len(b) {
			return len(b) - 1
		}
	}
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
