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

// FuzzBatchItemFailures holds the reading of a function's batchItemFailures answer to its rules:
// it never panics, reports only ids of the batch, and fails the whole batch rather than guess.
func FuzzBatchItemFailures(f *testing.F) {
	for _, s := range []string{`{"batchItemFailures":[{"itemIdentifier":"a"}]}`, `{"batchItemFailures":[]}`, `{}`, `null`, `"x"`,
		`{"batchItemFailures":[{"itemIdentifier":"zz"}]}`, `{"batchItemFailures":[{}]}`, `{"batchItemFailures":"no"}`, ``} {
		f.Add([]byte(s))
	}
	ids := []string{"a", "b", "c"}
	f.Fuzz(func(t *testing.T, payload []byte) {
		failed, ok := gl.BatchFailures(payload, ids)
		if !ok {
			return
		}
		for id := range failed {
			if id != "a" && id != "b" && id != "c" {
				t.Errorf("BatchFailures(%q) reported %q, not in the batch", payload, id)
			}
		}
	})
}

// FuzzLayerVersionARN holds the layer version ARN parser to its rules.
func FuzzLayerVersionARN(f *testing.F) {
	for _, s := range []string{"arn:aws:lambda:us-east-1:000000000000:layer:base:1", "arn:aws:lambda:us-east-1:000000000000:layer:base", ":::::::", "arn:aws:lambda:x:y:layer:a:0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		acct, name, v, ok := gl.ParseLayerVersionARN(arn)
		if ok && (v < 1 || name == "" || len(name) > 64 || strings.ContainsAny(name, ":/ ") || strings.Contains(acct, ":")) {
			t.Errorf("ParseLayerVersionARN(%q) = %q %q %d", arn, acct, name, v)
		}
	})
}

// FuzzAsyncEvent: an outbox delivery's payload that is not an event is an error, never a panic.
func FuzzAsyncEvent(f *testing.F) {
	f.Add([]byte(`{"id":"r","account":"000000000000","function":"fn","payload":{},"received":"2026-12-07T12:00:00Z","attempts":1}`))
	f.Add([]byte(`{"payload":`))
	f.Fuzz(func(t *testing.T, b []byte) { gl.DecodeAsyncEvent(b) })
}
