package limit

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
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
		if got := JSON([]byte(tt.doc), tt.max); (got == nil) != tt.ok || (got != nil && got != ErrTooDeep) {
			t.Errorf("JSON(%q, %d) = %v; want ok=%v", tt.doc, tt.max, got, tt.ok)
		}
	}
}

func TestJSONText(t *testing.T) {
	tests := []struct {
		doc string
		ok  bool
	}{
		{`{"a":"plain é 한 😀"}`, true},
		{`{"a":"\u00e9\ud83d\ude00\"\\ud800"}`, true},
		{`{"a":"\ud800"}`, false},
		{`{"a":"\uD800x"}`, false},
		{`{"a":"\udc00\ud800"}`, false},
		{`{"a":"\ud800\u0041"}`, false},
		{`{"a":"\ud800\ud800"}`, false},
		{`{"a":"\ud83d\ude00"}`, true},
		{`{"a":"\uzzzz"}`, true}, // malformed, the decoder's to refuse
		{"{\"a\":\"\xff\"}", false},
		{"{\"a\":\"\xed\xa0\x80\"}", false},
	}
	for _, tt := range tests {
		if got := JSON([]byte(tt.doc), 10); (got == nil) != tt.ok || (got != nil && got != ErrInvalidText) {
			t.Errorf("JSON(%q) = %v; want ok=%v", tt.doc, got, tt.ok)
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

// FuzzJSON holds the scan to what it promises: a document it accepts never nests deeper than the
// limit for encoding/json either (measured by walking the decoded value), and its strings decode
// to the text sent, with no U+FFFD the decoder put in place of something it could not read.
func FuzzJSON(f *testing.F) {
	f.Add([]byte(`{"a":[{"b":"[\"]"}]}`), 3)
	f.Add([]byte(strings.Repeat("[", 1000)), 10)
	f.Add([]byte(`["\ud800","\ud83d\ude00","\\ud800"]`), 3)
	f.Add([]byte("[\"\xff\"]"), 3)
	f.Fuzz(func(t *testing.T, b []byte, max int) {
		if max < 0 || max > 64 {
			return
		}
		var v any
		if JSON(b, max) != nil || json.Unmarshal(b, &v) != nil {
			return
		}
		if d := depthOf(v); d > max {
			t.Fatalf("JSON(%q, %d) = nil; decoded depth %d", b, max, d)
		}
		if bytes.Contains(bytes.ToLower(b), []byte(`\ufffd`)) || bytes.ContainsRune(b, utf8.RuneError) {
			return // the client sent a replacement character itself
		}
		if out, _ := json.Marshal(v); bytes.ContainsRune(out, utf8.RuneError) {
			t.Fatalf("JSON(%q) = nil; decoded text %q has a replacement character", b, out)
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

// BenchmarkJSON scans a 10-entry SendMessageBatch body, the hot path's largest common request.
func BenchmarkJSON(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"QueueUrl":"http://localhost:4566/000000000000/bench","Entries":[`)
	for i := 0; i < 10; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`{"Id":"m` + string(rune('0'+i)) + `","MessageBody":"` + strings.Repeat("payload é \\\"quoted\\\" ", 8) + `","MessageAttributes":{"k":{"DataType":"String","StringValue":"v"}}}`)
	}
	sb.WriteString(`]}`)
	body := []byte(sb.String())
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if JSON(body, MaxDepth) != nil {
			b.Fatal("refused")
		}
	}
}
