package eventpattern

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"

	sjson "github.com/segmentio/encoding/json"
)

// FuzzCompile holds the compiler to never panicking, in every dialect, and a compiled pattern to
// matching the table's events without panicking.
func FuzzCompile(f *testing.F) {
	for _, tc := range matchCases {
		f.Add([]byte(tc.pattern))
	}
	for _, tc := range errorCases {
		f.Add([]byte(tc.pattern))
	}
	events := make([]Event, 0, 4)
	for _, s := range []string{ec2Event, numericEvent, s3Event, arrayEvent} {
		e, err := Decode([]byte(s))
		if err != nil {
			f.Fatal(err)
		}
		events = append(events, e)
	}
	f.Fuzz(func(t *testing.T, pattern []byte) {
		for _, d := range []Dialect{EventBridge, Lambda, SNSAttributes, SNSBody} {
			p, err := Compile(pattern, d)
			if err != nil {
				if perr, ok := err.(*Error); !ok || perr.Reason == "" || perr.Reason == "Malformed JSON" {
					t.Fatalf("Compile(%q, %v) = %T %v; want *Error with a reason", pattern, d, err, err)
				}
				continue
			}
			for _, e := range events {
				p.MatchEvent(e)
			}
		}
	})
}

// FuzzMatch holds matching to never panicking on any event, and the Set's index to giving the
// answer the pattern gives alone.
func FuzzMatch(f *testing.F) {
	for _, tc := range matchCases {
		f.Add([]byte(tc.pattern), []byte(tc.event))
	}
	f.Fuzz(func(t *testing.T, pattern, event []byte) {
		p, err := Compile(pattern, EventBridge)
		if err != nil {
			return
		}
		e, err := Decode(event)
		if err != nil {
			return
		}
		// In a Set with a few of the table's patterns, each answers as it does alone.
		var s Set
		ps := []*Pattern{p}
		for i := 0; i < len(matchCases); i += 37 {
			ps = append(ps, MustCompile(matchCases[i].pattern, matchCases[i].d))
		}
		for _, q := range ps {
			s.Add(q)
		}
		got := map[int]bool{}
		for _, i := range s.Match(e, nil) {
			got[i] = true
		}
		for i, q := range ps {
			if alone := q.MatchEvent(e); alone != got[i] {
				t.Fatalf("pattern %d, event %s: alone %v, in a Set %v", i, event, alone, got[i])
			}
		}
		p.MatchRecord(e, "body")
	})
}

// FuzzWildcard checks the hand-written wildcard matcher against a regular expression built
// from the same pattern.
func FuzzWildcard(f *testing.F) {
	f.Add("/Users/*/doc.txt", "/Users/u/d/doc.txt")
	f.Add("a*b*c", "a-c-b-c")
	f.Add(`a\*b*`, "a*bc")
	f.Add("*", "")
	f.Fuzz(func(t *testing.T, pattern, value string) {
		w, reason := parseWildcard(pattern)
		if reason != "" {
			return
		}
		var re strings.Builder
		re.WriteString(`(?s)\A`)
		for i, seg := range w.segs {
			if i > 0 {
				re.WriteString(".*")
			}
			re.WriteString(regexp.QuoteMeta(seg))
		}
		re.WriteString(`\z`)
		rx, err := regexp.Compile(re.String())
		if err != nil {
			return // invalid UTF-8 in a literal
		}
		if got, want := w.match(value), rx.MatchString(value); got != want {
			t.Fatalf("wildcard %q on %q = %v; the regular expression says %v", pattern, value, got, want)
		}
		w.complexity()
	})
}

// FuzzDecode holds the event scanner to the JSON library: decoding everything gives what the
// library's decoder gives, and decoding for a pattern's fields gives the same match.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{ec2Event, numericEvent, s3Event, arrayEvent, benchEvent, `{"a\"b":"\u00e9\n","c.d":[1,-2.5e3,true,null,{}]}`} {
		f.Add([]byte(s), []byte(`{"detail":{"state":["terminated"]}}`))
	}
	f.Fuzz(func(t *testing.T, event, pattern []byte) {
		got, err := Decode(event)
		var v any
		rest, perr := sjson.Parse(event, &v, sjson.UseNumber)
		if perr == nil && len(strings.TrimLeft(string(rest), " \t\r\n")) > 0 {
			perr = ErrSyntax
		}
		if (err == nil) != (perr == nil) {
			if !errors.Is(err, ErrDepth) {
				t.Fatalf("Decode(%q) = %v; the library says %v", event, err, perr)
			}
			return
		}
		if err != nil {
			return
		}
		if want := Value(v); !reflect.DeepEqual(got.v, want.v) {
			t.Fatalf("Decode(%q) = %#v; the library gives %#v", event, got.v, want.v)
		}
		p, err := Compile(pattern, EventBridge)
		if err != nil {
			return
		}
		if m, err := p.Match(event); err != nil || m != p.MatchEvent(got) {
			t.Fatalf("pattern %s, event %s: Match = %v, %v; MatchEvent of the full decoding = %v", pattern, event, m, err, !m)
		}
	})
}
