package eventpattern

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	for i, tc := range matchCases {
		t.Run(fmt.Sprintf("%03d", i), func(t *testing.T) {
			p, err := Compile([]byte(tc.pattern), tc.d)
			if err != nil {
				t.Fatalf("Compile(%s, %v) = %v", tc.pattern, tc.d, err)
			}
			got, err := p.Match([]byte(tc.event))
			if err != nil {
				t.Fatalf("Match(%s) = %v", tc.event, err)
			}
			if got != tc.want {
				t.Errorf("Compile(%s).Match(%s) = %v; want %v", tc.pattern, tc.event, got, tc.want)
			}
		})
	}
}

func TestInvalidPatterns(t *testing.T) {
	for i, tc := range errorCases {
		t.Run(fmt.Sprintf("%03d", i), func(t *testing.T) {
			_, err := Compile([]byte(tc.pattern), tc.d)
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Compile(%s, %v) = %v; want *Error %q", tc.pattern, tc.d, err, tc.reason)
			}
			if perr.Reason != tc.reason {
				t.Errorf("Compile(%s, %v) reason = %q; want %q", tc.pattern, tc.d, perr.Reason, tc.reason)
			}
		})
	}
}

func TestCaseCount(t *testing.T) {
	if n := len(matchCases) + len(errorCases) + len(attributeCases) + len(recordCases); n < 200 {
		t.Errorf("the table has %d cases; want at least 200", n)
	}
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		d    Dialect
		want string
	}{
		{EventBridge, "Event pattern is not valid. Reason: Empty arrays are not allowed"},
		{Lambda, "Invalid filter pattern definition."},
		{SNSBody, "FilterPolicy: Empty arrays are not allowed"},
	}
	for _, tc := range tests {
		_, err := Compile([]byte(`{"a":[]}`), tc.d)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Compile(%v) = %v; want %q", tc.d, err, tc.want)
		}
	}
	_, err := Compile([]byte(`{"a":{"b":["x"]}}`), SNSAttributes)
	if err == nil || err.Error() != reasonNestedAttributes {
		t.Errorf("Compile(nested, SNSAttributes) = %v; want %q", err, reasonNestedAttributes)
	}
}

func TestLimits(t *testing.T) {
	long := `{"a":["` + strings.Repeat("x", 5000) + `"]}`
	if _, err := Compile([]byte(long), EventBridge); err == nil {
		t.Errorf("Compile(5 KB pattern, EventBridge) = nil; want an error")
	}
	if _, err := Compile([]byte(long), SNSBody); err != nil {
		t.Errorf("Compile(5 KB policy, SNSBody) = %v; want nil", err)
	}
	deep := strings.Repeat(`{"a":`, MaxDepth+1) + `["x"]` + strings.Repeat(`}`, MaxDepth+1)
	if _, err := Compile([]byte(deep), SNSBody); err == nil {
		t.Errorf("Compile(deep) = nil; want an error")
	}
	// 10 × 10 × 10 $or branches = 1,000 combinations is the most EventBridge allows.
	or := func(key string, n int) string {
		var b []string
		for i := 0; i < n; i++ {
			b = append(b, fmt.Sprintf(`{"%s%d":["x"]}`, key, i))
		}
		return `[` + strings.Join(b, ",") + `]`
	}
	ok := `{"a":{"$or":` + or("a", 10) + `},"b":{"$or":` + or("b", 10) + `},"c":{"$or":` + or("c", 10) + `}}`
	if _, err := Compile([]byte(ok), EventBridge); err != nil {
		t.Errorf("Compile(1000 combinations) = %v; want nil", err)
	}
	tooMany := `{"a":{"$or":` + or("a", 10) + `},"b":{"$or":` + or("b", 10) + `},"c":{"$or":` + or("c", 11) + `}}`
	if _, err := Compile([]byte(tooMany), EventBridge); err == nil {
		t.Errorf("Compile(1100 combinations) = nil; want an error")
	}
	// SNS DG "Filter policy constraints": 4 values three deep and 3 values two deep are
	// 4 × 3 × 3 × 2 = 72 combinations, within 150.
	sns := `{"key_a":{"key_b":{"key_c":["1","2","3","4"]}},"key_d":{"key_e":["1","2","3"]}}`
	if _, err := Compile([]byte(sns), SNSBody); err != nil {
		t.Errorf("Compile(72 combinations, SNSBody) = %v; want nil", err)
	}
	if _, err := Decode([]byte(strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1))); !errors.Is(err, ErrDepth) {
		t.Errorf("Decode(deep) = %v; want ErrDepth", err)
	}
}

func TestMatchValueDoesNotChangeTheValue(t *testing.T) {
	p := MustCompile(`{"a":{"b":[1]}}`, SNSBody)
	v := map[string]any{"a.b": 1.0, "c": []any{2.0}}
	if !p.MatchValue(v) {
		t.Errorf("MatchValue(%v) = false; want true", v)
	}
	if _, ok := v["a.b"].(float64); !ok || len(v) != 2 {
		t.Errorf("MatchValue changed its argument: %v", v)
	}
	if !p.MatchValue(map[string]any{"a": map[string]int{"b": 1}}) {
		t.Errorf("MatchValue(typed map) = false; want true")
	}
}

func TestSet(t *testing.T) {
	var s Set
	patterns := []string{
		`{"source":["aws.ec2"]}`,
		`{"source":["aws.s3"],"detail-type":["Object Created"]}`,
		`{"detail-type":["EC2 Instance State-change Notification"],"detail":{"state":["terminated"]}}`,
		`{"detail":{"state":[{"prefix":"term"}]}}`,
		`{"source":["aws.ec2","aws.s3"],"detail":{"state":["running"]}}`,
		`{"$or":[{"source":["aws.ec2"]},{"source":["x"]}]}`,
	}
	for _, p := range patterns {
		s.Add(MustCompile(p, EventBridge))
	}
	e, err := Decode([]byte(ec2Event))
	if err != nil {
		t.Fatal(err)
	}
	got := s.Match(e, nil)
	want := []int{0, 2, 3, 5}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Set.Match(ec2Event) = %v; want %v", got, want)
	}
	for i := range patterns {
		// the index must agree with matching each pattern alone
		alone := s.patterns[i].MatchEvent(e)
		inSet := false
		for _, j := range got {
			inSet = inSet || i == j
		}
		if alone != inSet {
			t.Errorf("pattern %d: alone %v, in the set %v", i, alone, inSet)
		}
	}
}

// TestConcurrentMatch: a compiled pattern and a Set are shared by goroutines (run with -race).
func TestConcurrentMatch(t *testing.T) {
	p := MustCompile(benchPattern, EventBridge)
	var s Set
	s.Add(p)
	s.Add(MustCompile(`{"source":["aws.s3"]}`, EventBridge))
	event := []byte(benchEvent)
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func() {
			ok := true
			for i := 0; i < 200; i++ {
				m, err := p.Match(event)
				e, _ := s.Decode(event)
				ok = ok && m && err == nil && len(s.Match(e, nil)) == 2
			}
			done <- ok
		}()
	}
	for g := 0; g < 4; g++ {
		if !<-done {
			t.Errorf("a concurrent match failed")
		}
	}
}

// TestSetAgreesWithEachPattern: rules sharing a source spread over other keys, and the Set's
// answer is always what matching each pattern alone gives.
func TestSetAgreesWithEachPattern(t *testing.T) {
	var s Set
	var ps []*Pattern
	for i := 0; i < 300; i++ {
		pattern := fmt.Sprintf(`{"source":["aws.s3"],"detail-type":["Type %d","Object Created"],"region":["r%d","ca-central-1"]}`, i%7, i%5)
		if i%3 == 0 {
			pattern = fmt.Sprintf(`{"source":["aws.s3","aws.ec2"],"detail":{"object":{"size":[{"numeric":[">",%d]}]}}}`, i)
		}
		if i%4 == 1 {
			pattern = fmt.Sprintf(`{"detail":{"bucket":{"name":["example-bucket","b%d"]},"object":{"size":[{"numeric":[">",%d]}]}}}`, i, i%7)
		}
		p := MustCompile(pattern, EventBridge)
		ps = append(ps, p)
		s.Add(p)
	}
	for _, ev := range []string{s3Event, ec2Event, benchEvent, `{"source":["aws.s3","x"],"detail-type":"Type 3","region":"r4"}`,
		`{"detail":[{"bucket":{"name":"b5"}},{"bucket":[{"name":"b9"}],"object":{"size":3}}]}`} {
		e, err := s.Decode([]byte(ev))
		if err != nil {
			t.Fatal(err)
		}
		var want []int
		for i, p := range ps {
			if p.MatchEvent(e) {
				want = append(want, i)
			}
		}
		if got := s.Match(e, nil); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("Set.Match(%.40s…) = %v; want %v", ev, got, want)
		}
	}
	for _, key := range []string{"source", "detail-type", "detail.bucket.name"} {
		if len(s.index[key]) == 0 {
			t.Errorf("no rule was indexed by %s: %v", key, s.keys)
		}
	}
	if len(s.rest) != 0 {
		t.Errorf("%d rules were not indexed", len(s.rest))
	}
}
