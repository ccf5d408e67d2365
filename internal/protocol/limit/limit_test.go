package limit

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestJSONDepth(t *testing.T) {
	tests := []struct {
		doc string
		max int
		ok  bool
	}{
		{`{}`, 1, true},
		{`{"a":[1]}`, 1, false},
		{`{"a":[1]}`, 2, true},
		{`{"a":"[[[[[[["}`, 1, true},
		{`{"a":"\"[[[["}`, 1, true},
		{`{"a\\":[[[]]]}`, 3, false},
		{`{"a":"\`, 1, true},
		{`"`, 0, true},
		{`]]]]][[`, 2, true},
		{strings.Repeat("[", 101), MaxDepth, false},
		{strings.Repeat("[", 100) + strings.Repeat("]", 100), MaxDepth, true},
	}
	for _, tt := range tests {
		if got := JSONDepth([]byte(tt.doc), tt.max); got != tt.ok {
			t.Errorf("JSONDepth(%q, %d) = %v; want %v", tt.doc, tt.max, got, tt.ok)
		}
	}
}

func TestXMLDepth(t *testing.T) {
	tests := []struct {
		doc  string
		want error
	}{
		{`<a><b/><c>x</c></a>`, nil},
		{strings.Repeat("<a>", 3) + strings.Repeat("</a>", 3), nil},
		{strings.Repeat("<a>", 4), ErrTooDeep},
		{`<a><!-- <b><c><d><e> --></a>`, nil},
		{`<a><![CDATA[<b><c><d><e>]]></a>`, nil},
	}
	for _, tt := range tests {
		if got := XMLDepth(strings.NewReader(tt.doc), 3); got != tt.want {
			t.Errorf("XMLDepth(%q) = %v; want %v", tt.doc, got, tt.want)
		}
	}
}

// FuzzJSONDepth holds the scan to what it promises: a document it accepts never nests deeper
// than the limit for encoding/json either (measured by walking the decoded value).
func FuzzJSONDepth(f *testing.F) {
	f.Add([]byte(`{"a":[{"b":"[\"]"}]}`), 3)
	f.Add([]byte(strings.Repeat("[", 1000)), 10)
	f.Fuzz(func(t *testing.T, b []byte, max int) {
		if max < 0 || max > 64 {
			return
		}
		var v any
		if !JSONDepth(b, max) || json.Unmarshal(b, &v) != nil {
			return
		}
		if d := depthOf(v); d > max {
			t.Fatalf("JSONDepth(%q, %d) = true; decoded depth %d", b, max, d)
		}
	})
}

func depthOf(v any) int {
	d := 0
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			d = max(d, depthOf(e))
		}
		return d + 1
	case map[string]any:
		for _, e := range v {
			d = max(d, depthOf(e))
		}
		return d + 1
	}
	return 0
}

func FuzzXMLDepth(f *testing.F) {
	f.Add([]byte(`<a><b/></a>`))
	f.Add(bytes.Repeat([]byte("<a>"), 1000))
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := XMLDepth(bytes.NewReader(b), 10); err != nil && err != ErrTooDeep && !strings.Contains(err.Error(), "XML syntax error") {
			t.Fatalf("XMLDepth = %v", err)
		}
	})
}
