package scalar

import (
	"encoding/json"
	"testing"
	"time"
)

func TestEpoch(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{`1700000000`, time.Unix(1700000000, 0), true},
		{`1700000000.25`, time.Unix(1700000000, 250e6), true},
		{`"2023-11-14T22:13:20Z"`, time.Unix(1700000000, 0), true},
		{`1e13`, time.Time{}, false},
		{`"yesterday"`, time.Time{}, false},
		{`true`, time.Time{}, false},
	} {
		var e Epoch
		err := json.Unmarshal([]byte(c.in), &e)
		if (err == nil) != c.ok || (c.ok && !time.Time(e).Equal(c.want)) {
			t.Errorf("Unmarshal(%s) = %v, %v; want %v, ok %v", c.in, time.Time(e), err, c.want, c.ok)
		}
	}
	b, _ := json.Marshal(EpochOf(time.Unix(1700000000, 250e6)))
	if string(b) != "1700000000.25" {
		t.Errorf("Marshal = %s; want 1700000000.25", b)
	}
	if EpochOf(time.Time{}) != nil {
		t.Error("EpochOf(zero) is not nil")
	}
}

// FuzzEpoch: whatever it is given, Epoch's decoder does not panic, and what it reads it writes
// back as a number that reads to the same millisecond.
func FuzzEpoch(f *testing.F) {
	for _, s := range []string{`0`, `1700000000.123`, `-1.5`, `"2023-11-14T22:13:20.5+09:00"`, `1e12`, `null`, `"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var e Epoch
		if json.Unmarshal([]byte(s), &e) != nil {
			return
		}
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var back Epoch
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s read back from %s: %v", b, s, err)
		}
		if got, want := time.Time(back).UnixMilli(), time.Time(e).UnixMilli(); got != want {
			t.Fatalf("%s: wrote %s, read back %d ms; want %d", s, b, got, want)
		}
	})
}
