package lambda_test

import (
	"strings"
	"testing"

	gl "github.com/gureum/gureum/internal/lambda"
)

// FuzzFunctionName holds the function-reference parser to its rules: it never panics, and what it
// accepts names a valid function in the caller's account.
func FuzzFunctionName(f *testing.F) {
	for _, s := range []string{"fn", "fn:1", "fn:$LATEST", "000000000000:function:fn", "arn:aws:lambda:us-east-1:000000000000:function:fn:live",
		"arn:aws:lambda:us-east-1:111111111111:function:fn", "a:b:c:d:e:f:g:h:i", ":", "arn:aws:lambda:::function:"} {
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, fn, qualifier string) {
		acct, name, _, err := gl.ParseRef(fn, qualifier)
		if err != nil {
			return
		}
		if acct != "000000000000" || name == "" || len(name) > 64 || strings.ContainsAny(name, ":/ ") {
			t.Errorf("ParseRef(%q, %q) accepted account %q name %q", fn, qualifier, acct, name)
		}
	})
}
