package attr

import (
	"bytes"
	"encoding/json"
	"testing"
)

const storedSample = `{"b":{"B":"AAEC"},"bs":{"BS":["AA==","AQ=="]},"f":{"BOOL":false},"l":{"L":[{"N":"1.5"},{"M":{"x\u003c":{"NULL":true}}},{"L":[]}]},` +
	`"m":{"M":{}},"n":{"N":"-12345.678"},"ns":{"NS":["1","2"]},"s":{"S":"caf\u00e9 \"q\" \\ \n"},"ss":{"SS":["a","b"]},"t":{"BOOL":true}}`

// TestDecodeItem: the one-pass reader of stored items reads what encoding/json reads.
func TestDecodeItem(t *testing.T) {
	var want Item
	if err := json.Unmarshal([]byte(storedSample), &want); err != nil {
		t.Fatal(err)
	}
	enc := EncodeItem(want)
	d := storedDecoder{b: enc}
	got, ok := d.item()
	if !ok || d.i != len(enc) {
		t.Fatalf("storedDecoder did not read EncodeItem's output %s", enc)
	}
	if !bytes.Equal(EncodeItem(got), enc) {
		t.Errorf("DecodeItem(%s) re-encodes as %s", enc, EncodeItem(got))
	}
	if it, err := DecodeItem([]byte(` {"a": {"S": "x"}}`)); err != nil || it["a"].S != "x" {
		t.Errorf("DecodeItem(spaced) = %v, %v; want the encoding/json reading", it, err)
	}
}

// FuzzDecodeStored: on any input the one-pass reader does not panic; on EncodeItem's output it
// reads exactly what encoding/json reads.
func FuzzDecodeStored(f *testing.F) {
	f.Add([]byte(storedSample))
	f.Add([]byte(`{"a":{"SS":[]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := storedDecoder{b: data}
		d.item()
		var it Item
		if json.Unmarshal(data, &it) != nil || CheckItem(it) != "" {
			return
		}
		enc := EncodeItem(it)
		got, err := DecodeItem(enc)
		if err != nil || !bytes.Equal(EncodeItem(got), enc) || !Equal(Value{Kind: M, M: got}, Value{Kind: M, M: it}) {
			t.Fatalf("DecodeItem(%s) = %v, %v; want %v", enc, got, err, it)
		}
	})
}

// BenchmarkDecodeItem reads a stored item of about 200 bytes, as a Query does for each item,
// beside encoding/json's reading of the same bytes.
func BenchmarkDecodeItem(b *testing.B) {
	doc := []byte(`{"body":{"S":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},"n":{"N":"12345.678"},"name":{"S":"item 91/0"},"pk":{"S":"p91"},"sk":{"N":"0"},"tags":{"SS":["a","b","c"]}}`)
	b.Run("stored", func(b *testing.B) {
		for b.Loop() {
			DecodeItem(doc)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		for b.Loop() {
			var it Item
			json.Unmarshal(doc, &it)
		}
	})
}
