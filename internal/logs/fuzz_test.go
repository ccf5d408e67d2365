package logs

import (
	"strings"
	"testing"

	"github.com/gureum/gureum/internal/store"
)

// FuzzTokens holds the nextToken parsers to their contract: any text is accepted or refused
// without a panic, and an accepted event token is one eventToken writes back unchanged.
func FuzzTokens(f *testing.F) {
	for _, s := range []string{"f/1700000000000/42", "b/-1/0", "f/1/2/3", "x/1/2", "", encodeToken("12/name"), "!!"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		if dir, c, err := parseEventToken(tok); err == nil {
			again, c2, err := parseEventToken(eventToken(dir, c))
			if err != nil || again != dir || c2 != c {
				t.Fatalf("parseEventToken(%q) = %c %v; its own token reads back as %c %v, %v", tok, dir, c, again, c2, err)
			}
		}
		for _, byTime := range []bool{false, true} {
			q := store.LogStreamQuery{ByLastEvent: byTime}
			streamCursor(&q, tok)
		}
		decodeToken(tok)
	})
}

// FuzzGroupRef holds refOf, which reads a log group's account and name from a logGroupIdentifier,
// to its contract: no identifier panics, and a group ARN built from what it read (the forms
// DescribeLogGroups answers, with and without ":*") reads back the same.
func FuzzGroupRef(f *testing.F) {
	for _, s := range []string{"", "g", "/aws/lambda/f", "arn:aws:logs:us-east-1:111122223333:log-group:g", "arn:aws:logs:r:a:log-group:g:*",
		"arn:aws:logs:r:a:log-group", "arn:", "arn:aws:sqs:r:a:q", "arn:aws:logs:r:a:log-group:g:log-stream:s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		account, name := refOf("000000000000", "", id)
		if strings.ContainsRune(name, ':') || strings.ContainsRune(account, ':') {
			return // not a group ARN the service writes: groupNamed's name check refuses it
		}
		for _, arn := range []string{"arn:aws:logs:us-east-1:" + account + ":log-group:" + name, "arn:aws:logs:us-east-1:" + account + ":log-group:" + name + ":*"} {
			if a, n := refOf("x", "", arn); a != account || n != name {
				t.Fatalf("refOf(%q) = %q, %q; %q reads back as %q, %q", id, account, name, arn, a, n)
			}
		}
	})
}
