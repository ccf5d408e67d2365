package schedule

import (
	"testing"
	"time"
)

func TestParseValidity(t *testing.T) {
	good := []string{
		"rate(1 minute)", "rate(5 minutes)", "rate(1 hour)", "rate(2 hours)", "rate(1 day)", "rate(7 days)",
		"cron(0 10 * * ? *)", "cron(15 12 * * ? *)", "cron(0 18 ? * MON-FRI *)", "cron(0 8 1 * ? *)",
		"cron(0/15 * * * ? *)", "cron(0/10 * ? * MON-FRI *)", "cron(0/5 8-17 ? * MON-FRI *)",
		"cron(0 9 ? * 2#1 *)", "cron(0 0 L * ? *)", "cron(0 0 3W * ? *)", "cron(0 0 ? * 6L *)",
		"cron(0 20-2 * * ? *)", "cron(30 1 1,15 JAN-MAR ? 2026-2030)", "cron(0 0 LW * ? *)",
		"at(2026-12-07T17:00:00)",
	}
	for _, s := range good {
		if _, err := Parse(s); err != nil {
			t.Errorf("Parse(%q) = %v; want ok", s, err)
		}
	}
	bad := []string{
		"rate(10 seconds)", "rate(1 minutes)", "rate(10 minute)", "rate(0 minutes)", "rate(-10 minutes)",
		"rate(10 MINUTES)", "rate( 10 minutes )", " rate(10 minutes)", "rate(10)", "rate()", "rate(01 minutes)",
		"cron(0 1 * * * *)", "cron(0 1 ? * ? *)", "cron(0 10 * * ?)", "cron(60 10 * * ? *)", "cron(0 24 * * ? *)",
		"cron(0 0 32 * ? *)", "cron(0 0 ? * 8 *)", "cron(0 0 * 13 ? *)", "cron(0 0 * * ? 1969)",
		"cron(0 0 ? * 2#1,3#2 *)", "cron(0 0 ? * 2#6 *)", "at(2026-12-07 17:00:00)", "cron()", "",
	}
	for _, s := range bad {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) succeeded; want an error", s)
		}
	}
	if _, err := ParseRule("at(2026-12-07T17:00:00)"); err == nil {
		t.Error("ParseRule accepted at(…)")
	}
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestNext(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	tests := []struct {
		expr, after, anchor string
		loc                 *time.Location
		want                string
	}{
		{"rate(1 minute)", "2026-12-07T16:00:30Z", "2026-12-07T16:00:00Z", nil, "2026-12-07T16:01:00Z"},
		{"rate(4 minutes)", "2026-12-07T16:04:00Z", "2026-12-07T16:00:00Z", nil, "2026-12-07T16:08:00Z"},
		{"rate(1 hour)", "2026-12-07T15:00:00Z", "2026-12-07T16:00:00Z", nil, "2026-12-07T16:00:00Z"},
		{"cron(0 10 * * ? *)", "2026-12-07T10:00:00Z", "", nil, "2026-12-08T10:00:00Z"},
		{"cron(0/15 * * * ? *)", "2026-12-07T10:07:00Z", "", nil, "2026-12-07T10:15:00Z"},
		{"cron(0 18 ? * MON-FRI *)", "2026-12-11T18:00:00Z", "", nil, "2026-12-14T18:00:00Z"}, // Fri → Mon
		{"cron(0 9 ? * 2#1 *)", "2026-12-07T10:00:00Z", "", nil, "2027-01-04T09:00:00Z"},      // 1st Monday
		{"cron(0 0 L * ? *)", "2027-02-01T00:00:00Z", "", nil, "2027-02-28T00:00:00Z"},
		{"cron(0 0 L * ? *)", "2028-02-01T00:00:00Z", "", nil, "2028-02-29T00:00:00Z"},
		{"cron(0 0 ? * 6L *)", "2026-12-01T00:00:00Z", "", nil, "2026-12-25T00:00:00Z"},  // last Friday
		{"cron(0 0 1W * ? *)", "2026-07-31T00:00:00Z", "", nil, "2026-08-03T00:00:00Z"},  // Aug 1 is Saturday → Mon 3rd
		{"cron(0 0 15W * ? *)", "2026-11-01T00:00:00Z", "", nil, "2026-11-16T00:00:00Z"}, // Sun 15th → Mon 16th
		{"cron(0 0 LW * ? *)", "2026-05-01T00:00:00Z", "", nil, "2026-05-29T00:00:00Z"},  // May 31 Sunday → Fri 29
		{"cron(0 22-1 * * ? *)", "2026-12-07T23:30:00Z", "", nil, "2026-12-08T00:00:00Z"},
		{"cron(0 0 1 1 ? 2027)", "2027-01-01T00:00:00Z", "", nil, ""},
		{"cron(0 9 * * ? *)", "2026-12-07T00:00:00Z", "", ny, "2026-12-07T14:00:00Z"},
		// 2:30 does not exist on 2027-03-14 in New York: skipped to the next day.
		{"cron(30 2 * * ? *)", "2027-03-13T12:00:00Z", "", ny, "2027-03-15T06:30:00Z"},
		// 1:30 happens twice on 2026-11-01: fires once.
		{"cron(30 1 * * ? *)", "2026-11-01T05:30:00Z", "", ny, "2026-11-02T06:30:00Z"},
		{"at(2026-12-07T17:00:00)", "2026-12-07T16:00:00Z", "", nil, "2026-12-07T17:00:00Z"},
		{"at(2026-12-07T17:00:00)", "2026-12-07T18:00:00Z", "", nil, ""},
		{"at(2026-12-07T12:00:00)", "2026-12-07T16:00:00Z", "", ny, "2026-12-07T17:00:00Z"},
	}
	for _, tt := range tests {
		e, err := Parse(tt.expr)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.expr, err)
		}
		var anchor time.Time
		if tt.anchor != "" {
			anchor = ts(tt.anchor)
		}
		got, ok := e.Next(ts(tt.after), anchor, tt.loc)
		if tt.want == "" {
			if ok {
				t.Errorf("%s.Next(%s) = %v; want none", tt.expr, tt.after, got)
			}
			continue
		}
		if !ok || !got.Equal(ts(tt.want)) {
			t.Errorf("%s.Next(%s) = %v, %v; want %s", tt.expr, tt.after, got.UTC(), ok, tt.want)
		}
	}
}

func TestLastCoalesces(t *testing.T) {
	e, _ := Parse("rate(1 minute)")
	anchor := ts("2026-12-07T16:00:00Z")
	got, ok := e.Last(ts("2026-12-07T16:01:00Z"), ts("2026-12-07T16:10:30Z"), anchor, nil)
	if !ok || !got.Equal(ts("2026-12-07T16:10:00Z")) {
		t.Errorf("Last = %v, %v; want 16:10", got, ok)
	}
	c, _ := Parse("cron(0/5 * * * ? *)")
	got, ok = c.Last(ts("2026-12-07T16:01:00Z"), ts("2026-12-07T16:12:00Z"), time.Time{}, nil)
	if !ok || !got.Equal(ts("2026-12-07T16:10:00Z")) {
		t.Errorf("cron Last = %v, %v; want 16:10", got, ok)
	}
	if _, ok := c.Last(ts("2026-12-07T16:01:00Z"), ts("2026-12-07T16:04:00Z"), time.Time{}, nil); ok {
		t.Error("Last found a fire where none was due")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"rate(1 minute)", "cron(0 9 ? * 2#1 *)", "cron(0 0 LW * ? *)", "at(2026-12-07T17:00:00)", "cron(0/5 20-2 1W JAN-DEC ? 1970-2199/3)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			return
		}
		after := ts("2026-12-07T16:00:00Z")
		if n, ok := e.Next(after, after, nil); ok && !n.After(after) && e.Kind() != Rate {
			t.Fatalf("%q.Next(%v) = %v, not after", s, after, n)
		}
	})
}

func TestLastAfterALongGap(t *testing.T) {
	c, _ := Parse("cron(* * * * ? *)")
	got, ok := c.Last(ts("1970-01-01T00:00:00Z"), ts("2026-12-07T16:00:30Z"), time.Time{}, nil)
	if !ok || !got.Equal(ts("2026-12-07T16:00:00Z")) {
		t.Errorf("Last over 56 years = %v, %v", got, ok)
	}
	y, _ := Parse("cron(0 0 1 1 ? *)")
	got, ok = y.Last(ts("2020-06-01T00:00:00Z"), ts("2026-12-07T16:00:00Z"), time.Time{}, nil)
	if !ok || !got.Equal(ts("2026-01-01T00:00:00Z")) {
		t.Errorf("yearly Last = %v, %v", got, ok)
	}
}
