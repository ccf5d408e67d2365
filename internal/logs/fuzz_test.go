package logs

import (
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
