package ion

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/gureum/gureum/internal/dynamodb/attr"
)

func item(t *testing.T, ddbJSON string) attr.Item {
	t.Helper()
	var it attr.Item
	if err := json.Unmarshal([]byte(ddbJSON), &it); err != nil {
		t.Fatal(err)
	}
	return it
}

// read reads the values of an Ion text, with their errors.
func read(text string) ([]attr.Value, []error) {
	var vals []attr.Value
	var errs []error
	Values([]byte(text), func(v attr.Value, err error) error {
		if err != nil {
			errs = append(errs, err)
		} else {
			vals = append(vals, v)
		}
		return nil
	})
	return vals, errs
}

// TestDocumentedExample writes the item of the Developer Guide's Ion export example as the
// guide shows it, and reads the guide's text back as the same item.
func TestDocumentedExample(t *testing.T) {
	it := item(t, `{"Authors":{"SS":["Author1","Author2"]},"Dimensions":{"S":"8.5 x 11.0 x 1.5"},"ISBN":{"S":"333-3333333333"},
		"Id":{"N":"103"},"InPublication":{"BOOL":false},"PageCount":{"N":"600"},"Price":{"N":"2000"},"ProductCategory":{"S":"Book"},"Title":{"S":"Book 103 Title"}}`)
	want := `{Authors:$dynamodb_SS::["Author1","Author2"],Dimensions:"8.5 x 11.0 x 1.5",ISBN:"333-3333333333",Id:103.,InPublication:false,PageCount:6d2,Price:2d3,ProductCategory:"Book",Title:"Book 103 Title"}`
	if got := string(AppendItem(nil, it)); got != want {
		t.Errorf("AppendItem = %s\nwant %s", got, want)
	}
	doc := "$ion_1_0 {\n    Item:{\n        Authors:$dynamodb_SS::[\"Author1\",\"Author2\"],\n        Dimensions:\"8.5 x 11.0 x 1.5\",\n" +
		"        ISBN:\"333-3333333333\",\n        Id:103.,\n        InPublication:false,\n        PageCount:6d2,\n        Price:2d3,\n" +
		"        ProductCategory:\"Book\",\n        Title:\"Book 103 Title\"\n    }\n}\n"
	vals, errs := read(doc)
	if len(errs) > 0 || len(vals) != 1 {
		t.Fatalf("Values = %v, %v; want one value", vals, errs)
	}
	if got := vals[0].M["Item"]; !attr.Equal(got, attr.Value{Kind: attr.M, M: it}) {
		t.Errorf("Values = %s; want %s", attr.EncodeItem(got.M), attr.EncodeItem(it))
	}
}

// TestRoundTrip writes every type and reads it back.
func TestRoundTrip(t *testing.T) {
	it := item(t, `{"s":{"S":"q\"uo\\te\n\u0001 é 한"},"n1":{"N":"-0.000123"},"n2":{"N":"12345678901234567890123456789012345678"},
		"n3":{"N":"1e125"},"n4":{"N":"0"},"b":{"B":"AAEC/w=="},"e":{"B":""},"t":{"BOOL":true},"z":{"NULL":true},
		"m":{"M":{"a b":{"S":"x"},"null":{"N":"1"},"":{"S":"empty name"},"it's":{"L":[]}}},
		"l":{"L":[{"N":"1"},{"L":[{"S":"deep"}]},{"M":{}}]},"ss":{"SS":["a","b"]},"ns":{"NS":["1.5","-2"]},"bs":{"BS":["AA==","AQ=="]}}`)
	text := VersionMarker + " " + string(AppendItem([]byte("{Item:"), it)) + "}\n"
	vals, errs := read(text + text)
	if len(errs) > 0 || len(vals) != 2 {
		t.Fatalf("Values(%s) = %d values, %v; want 2", text, len(vals), errs)
	}
	for _, v := range vals {
		if got := v.M["Item"]; !attr.Equal(got, attr.Value{Kind: attr.M, M: it}) {
			t.Errorf("read back %s\nwant %s", attr.EncodeItem(got.M), attr.EncodeItem(it))
		}
	}
}

// TestReadIon reads Ion a person may write and refuses what has no DynamoDB type.
func TestReadIon(t *testing.T) {
	ok := []struct{ text, want string }{
		{`{a:1}`, `{"a":{"N":"1"}}`},
		{`{a:0x1F, b:0b101, c:-1_000, d:1.5e3, e:15d-1, f:1.50, g:-0.}`, `{"a":{"N":"31"},"b":{"N":"5"},"c":{"N":"-1000"},"d":{"N":"1500"},"e":{"N":"1.5"},"f":{"N":"1.5"},"g":{"N":"0"}}`},
		{`{'quoted field':"x", "string field":'''long ''' /* c */ '''string''', // comment
		  t:null.string, u:anno::true,}`, `{"quoted field":{"S":"x"},"string field":{"S":"long string"},"t":{"NULL":true},"u":{"BOOL":true}}`},
		{`{b:{{ AAEC /w== }}, e:"\x41\u00e9\U0001F600\0"}`, `{"b":{"B":"AAEC/w=="},"e":{"S":"Aé😀\u0000"}}`},
		{`$ion_symbol_table::{symbols:["a"]} {l:[1,[2],{}],}`, `{"l":{"L":[{"N":"1"},{"L":[{"N":"2"}]},{"M":{}}]}}`},
	}
	for _, c := range ok {
		vals, errs := read(c.text)
		if len(errs) > 0 || len(vals) != 1 {
			t.Errorf("Values(%q) = %v, %v; want one value", c.text, vals, errs)
			continue
		}
		if got := string(attr.EncodeItem(vals[0].M)); got != c.want {
			t.Errorf("Values(%q) = %s; want %s", c.text, got, c.want)
		}
	}
	bad := []string{
		`{a:2007-02-23T12:14Z}`, `{a:sym}`, `{a:'sym'}`, `{a:(1 2)}`, `{a:{{"clob"}}}`, `{a:nan}`, `{a:+inf}`,
		`{a:01}`, `{a:1__0}`, `{a:"open}`, `{a:1 b:2}`, `{a:1,a:2}`, `{a:$dynamodb_SS::[1]}`, `{a:"\q"}`,
		`{a:"\uD800"}`, `{a:{{!!}}}`, `{a:[1,2}`, `{a`, `{a:1e200}`, `{a:null.foo}`, `[` + strings.Repeat("[", 200),
		`/* open`, `{:1}`,
	}
	for _, text := range bad {
		if _, errs := read(text); len(errs) == 0 {
			t.Errorf("Values(%q) took it; want an error", text)
		} else if se := (*SyntaxError)(nil); !errors.As(errs[0], &se) {
			t.Errorf("Values(%q) = %v; want a *SyntaxError", text, errs[0])
		}
	}
	// A bad line is reported and the next line is still read.
	vals, errs := read("{a:1 b}\n{a:2}\n")
	if len(errs) != 1 || len(vals) != 1 || vals[0].M["a"].S != "2" {
		t.Errorf("Values after a bad line = %v, %v; want the second line's value", vals, errs)
	}
	// A set with duplicates or none is read, and Check reports DynamoDB's text.
	vals, _ = read(`{a:$dynamodb_NS::[1, 1.0]} {b:$dynamodb_SS::[]}`)
	if len(vals) != 2 || vals[0].M["a"].Check() != "Input collection contains duplicates" || vals[1].M["b"].Check() == "" {
		t.Errorf("sets = %v; want their faults reported by Check", vals)
	}
}

// FuzzValues reads arbitrary text: it never panics, and what it reads it writes back to text
// that reads as the same values.
func FuzzValues(f *testing.F) {
	for _, s := range []string{
		`$ion_1_0 {Item:{Authors:$dynamodb_SS::["Author1","Author2"],Id:103.,PageCount:6d2,b:{{AAEC}},n:null,l:[1,{}]}}`,
		`{a:0x1F, b:'''x''' '''y''', c:-1_0.5d-3, /* c */ 'q':null.int}`, `{a:"\u00e9\x00"}`, `[[[[`, `{a:$dynamodb_BS::[{{AA==}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		vals, _ := read(string(data))
		for _, v := range vals {
			if v.Kind != attr.M || v.Check() != "" {
				continue
			}
			text := AppendItem(nil, v.M)
			again, errs := read(string(text))
			if len(errs) > 0 || len(again) != 1 || !attr.Equal(again[0], v) {
				t.Fatalf("%s read back as %v, %v", text, again, errs)
			}
		}
	})
}
