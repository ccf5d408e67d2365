package dynamodb

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gureum/gureum/internal/dynamodb/attr"
)

func TestParseDynamoJSONLine(t *testing.T) {
	for _, c := range []struct {
		line string
		ok   bool
	}{
		{`{"Item":{"pk":{"S":"a"},"n":{"N":"1e3"}}}`, true},
		{`{"Item":{}}`, true},
		{`{"Item":{"pk":{"S":"a"}}} {}`, false},
		{`{"pk":{"S":"a"}}`, false},
		{`{"Item":{"pk":{"N":"dog"}}}`, false},
		{`{"Item":{"s":{"SS":["a","a"]}}}`, false},
		{`not json`, false},
	} {
		it, err := parseDynamoJSONLine([]byte(c.line))
		if (err == nil) != c.ok {
			t.Errorf("parseDynamoJSONLine(%s) = %v, %v; want ok %v", c.line, it, err, c.ok)
		}
	}
}

func TestCSVItems(t *testing.T) {
	f, err := newCSVFormat("", []string{"pk", "n", "b", "other"}, map[string]attr.Kind{"n": attr.N, "b": attr.B})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	errs := 0
	f.items(strings.NewReader("a,007,YWI=,x\nb,1,,\nc,x,,\nd,1,!!,\ne,1,,,extra\n"), func(it Item, err error) error {
		if err != nil {
			errs++
			return nil
		}
		got = append(got, string(attr.EncodeItem(it)))
		return nil
	})
	want := []string{`{"b":{"B":"YWI="},"n":{"N":"7"},"other":{"S":"x"},"pk":{"S":"a"}}`, `{"n":{"N":"1"},"pk":{"S":"b"}}`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || errs != 3 {
		t.Errorf("items = %v with %d errors; want %v with 3", got, errs, want)
	}
	if _, err := newCSVFormat("ab", nil, nil); err == nil {
		t.Error("newCSVFormat(two-character delimiter) = nil; want an error")
	}
}

// FuzzDynamoJSONImport: any import file is read without panicking, and every item it yields
// encodes and decodes back to an equal item.
func FuzzDynamoJSONImport(f *testing.F) {
	f.Add([]byte(`{"Item":{"pk":{"S":"a"},"l":{"L":[{"N":"1"},{"M":{"x":{"BOOL":true}}}]}}}` + "\n\n" + `{"Item":{"b":{"BS":["YQ=="]}}}`))
	f.Add([]byte(`{"Item":{"n":{"NS":["1","01"]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dynamoJSONItems(bytes.NewReader(data), func(it Item, err error) error {
			if err != nil {
				return nil
			}
			back, err := attr.DecodeItem(attr.EncodeItem(it))
			if err != nil || !attr.Equal(attr.Value{Kind: attr.M, M: it}, attr.Value{Kind: attr.M, M: back}) {
				t.Fatalf("item %v does not survive its encoding: %v, %v", it, back, err)
			}
			return nil
		})
	})
}

// FuzzCSVImport: any CSV file is read without panicking, and every item it yields holds only
// valid values, its number keys canonical.
func FuzzCSVImport(f *testing.F) {
	f.Add([]byte("pk,n,b\na,1,YQ==\n\"q,uoted\",2e3,\n"), ",")
	f.Add([]byte("pk\tn\nx\t-0.50\n"), "\t")
	f.Fuzz(func(t *testing.T, data []byte, delim string) {
		cf, err := newCSVFormat(delim, nil, map[string]attr.Kind{"n": attr.N, "b": attr.B})
		if err != nil {
			return
		}
		cf.items(bytes.NewReader(data), func(it Item, err error) error {
			if err != nil {
				return nil
			}
			if msg := attr.CheckItem(it); msg != "" && !strings.Contains(msg, "empty") {
				t.Fatalf("item %v is invalid: %s", it, msg)
			}
			if v, ok := it["n"]; ok {
				if n, err := attr.ParseNumber(v.S); err != nil || n.String() != v.S {
					t.Fatalf("number key %q is not canonical (%v)", v.S, err)
				}
			}
			return nil
		})
	})
}

// FuzzIonImport: any ION file is read without panicking, and every item it yields is valid and
// survives its DynamoDB JSON encoding.
func FuzzIonImport(f *testing.F) {
	f.Add([]byte("$ion_1_0 {Item:{pk:\"a\",n:6d2,s:$dynamodb_SS::[\"x\"],b:{{YQ==}},l:[null,true,{m:1.5}]}}\n$ion_1_0 {Item:{pk:\"b\"}}\n"))
	f.Add([]byte(`{Item:{'q k':'''long''' '''str''', n:$dynamodb_NS::[1, 0x10]}} // c`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ionItems(bytes.NewReader(data), func(it Item, err error) error {
			if err != nil {
				return nil
			}
			if msg := attr.CheckItem(it); msg != "" {
				t.Fatalf("item %v is invalid: %s", it, msg)
			}
			back, err := attr.DecodeItem(attr.EncodeItem(it))
			if err != nil || !attr.Equal(attr.Value{Kind: attr.M, M: it}, attr.Value{Kind: attr.M, M: back}) {
				t.Fatalf("item %v does not survive its encoding: %v, %v", it, back, err)
			}
			return nil
		})
	})
}
