package attr

import (
	"encoding/json"
	"testing"
)

func TestItemSize(t *testing.T) {
	for js, want := range map[string]int{
		`{"a":{"S":"xyz"}}`:                     4,
		`{"ab":{"N":"123"}}`:                    2 + 3,
		`{"a":{"BOOL":true},"b":{"NULL":true}}`: 4,
		`{"a":{"L":[{"S":"x"},{"S":"y"}]}}`:     1 + 3 + 2 + 2,
		`{"a":{"M":{"k":{"S":"v"}}}}`:           1 + 3 + 1 + 1 + 1,
		`{"a":{"SS":["x","yy"]}}`:               1 + 3,
		`{"a":{"B":"AAEC"}}`:                    1 + 3,
	} {
		var it Item
		if err := json.Unmarshal([]byte(js), &it); err != nil {
			t.Fatal(err)
		}
		if got := ItemSize(it); got != want {
			t.Errorf("ItemSize(%s) = %d; want %d", js, got, want)
		}
	}
}

func TestInvalidValues(t *testing.T) {
	for js, want := range map[string]string{
		`{"a":{}}`:                        msgEmpty,
		`{"a":{"S":"x","N":"1"}}`:         msgMultiple,
		`{"a":{"NULL":false}}`:            msgNull,
		`{"a":{"SS":[]}}`:                 "One or more parameter values were invalid: An string set  may not be empty",
		`{"a":{"NS":["1","1.0"]}}`:        msgDupes,
		`{"a":{"L":[{"N":"x"}]}}`:         "The parameter cannot be converted to a numeric value: x",
		`{"a":{"M":{"b":{"N":"1e200"}}}}`: msgOverflow,
	} {
		var it Item
		if err := json.Unmarshal([]byte(js), &it); err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		if got := CheckItem(it); got != want {
			t.Errorf("CheckItem(%s) = %q; want %q", js, got, want)
		}
	}
	var it Item
	if err := json.Unmarshal([]byte(`{"a":{"N":123}}`), &it); err == nil {
		t.Errorf("a number sent as a JSON number decoded; want an error (SerializationException)")
	}
}

// FuzzDecodeItem holds the decoder to its encoder: a valid item survives a round trip.
func FuzzDecodeItem(f *testing.F) {
	f.Add(`{"a":{"S":"x"},"b":{"N":"1e3"},"c":{"L":[{"BOOL":true},{"NULL":true}]},"d":{"M":{"e":{"SS":["a"]}}},"f":{"BS":["AA=="]},"g":{"NS":["1"]},"h":{"B":"AQ=="}}`)
	f.Add(`{"a":{}}`)
	f.Fuzz(func(t *testing.T, js string) {
		var it Item
		if json.Unmarshal([]byte(js), &it) != nil || CheckItem(it) != "" {
			return
		}
		back, err := DecodeItem(EncodeItem(it))
		if err != nil {
			t.Fatalf("DecodeItem(EncodeItem(%s)) = %v", js, err)
		}
		if !Equal(Value{Kind: M, M: it}, Value{Kind: M, M: back}) {
			t.Fatalf("round trip of %s = %s", js, EncodeItem(back))
		}
		ItemSize(it)
	})
}

// FuzzParseNumber holds canonical numbers to their value: the canonical text parses to the
// same number and key.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"1", "-0.5", "1e125", "1E-130", "007", ".5", "+3", "1.10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseNumber(s)
		if err != nil {
			return
		}
		m, err := ParseNumber(n.String())
		if err != nil || m.Compare(n) != 0 || m.String() != n.String() {
			t.Fatalf("ParseNumber(%q) = %s; again %s, %v", s, n, m, err)
		}
		if _, err := n.Add(m, true); err != nil {
			t.Fatalf("%s - %s = %v", n, m, err)
		}
	})
}
