package lambda_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gureum/gureum/internal/iam/policy"
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

// FuzzAddPermission holds AddPermission's statement builder to its rules: it never panics, and a
// statement it accepts makes a policy that IAM's parser takes as a resource policy.
func FuzzAddPermission(f *testing.F) {
	f.Add("s3", "lambda:InvokeFunction", "s3.amazonaws.com", "arn:aws:s3:::b", "000000000000", "", "", "", true)
	f.Add("x", "lambda:*", "111122223333", "", "", "o-abcdefghij", "tok.en", "NONE", false)
	f.Add("x", "*", "*", "", "", "", "", "AWS_IAM", false)
	f.Add("x", "lambda:GetFunction", "arn:aws:iam::111122223333:role/r", "", "", "", "", "", false)
	f.Add("a b", "sqs:Send", "no body", "arn:", "1", "o-", "\x00", "X", false)
	f.Fuzz(func(t *testing.T, sid, action, principal, sourceArn, sourceAccount, org, token, urlAuth string, via bool) {
		in := &gl.AddPermissionInput{StatementId: sid, Action: action, Principal: principal, SourceArn: sourceArn, SourceAccount: sourceAccount,
			PrincipalOrgID: org, EventSourceToken: token, FunctionUrlAuthType: urlAuth, InvokedViaFunctionUrl: &via}
		st, err := gl.BuildStatement(in, "arn:aws:lambda:us-east-1:000000000000:function:f")
		if err != nil {
			return
		}
		b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{st}})
		if err != nil {
			t.Fatalf("BuildStatement(%+v) does not marshal: %v", in, err)
		}
		if _, err := policy.Parse(string(b), policy.Resource); err != nil {
			t.Errorf("BuildStatement(%+v) = %s, which IAM refuses: %v", in, b, err)
		}
	})
}

// FuzzURLEvent holds the function URL event builder to its rules: it never panics, and what it
// builds is a payload 2.0 event whose rawPath is the request's path under the URL.
func FuzzURLEvent(f *testing.F) {
	f.Add("abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.localhost:8080", "/a/b", "x=1&x=2", "k", "v", []byte("body"))
	f.Add("127.0.0.1:8080", "/_gureum/lambda-url/abc/p%20q", "%zz", "Cookie", "a=1; b", []byte{0xff})
	f.Add("x.lambda-url.us-east-1.localhost", "", ";;", "", "", []byte(nil))
	f.Fuzz(func(t *testing.T, host, path, query, hk, hv string, body []byte) {
		b, ok, err := gl.URLEvent(host, path, query, map[string][]string{hk: {hv}}, body)
		if !ok {
			return
		}
		if err != nil {
			t.Fatalf("URLEvent(%q, %q) = %v", host, path, err)
		}
		var ev struct {
			Version, RawPath string
			RequestContext   struct{ APIID string }
		}
		if err := json.Unmarshal(b, &ev); err != nil || ev.Version != "2.0" || ev.RequestContext.APIID == "" {
			t.Errorf("URLEvent(%q, %q) = %s (%v)", host, path, b, err)
		}
	})
}

// FuzzURLReply holds the reading of a function's answer to a URL request (buffered, and the
// prelude of a streamed one) to its rules: it never panics and yields only valid statuses.
func FuzzURLReply(f *testing.F) {
	for _, s := range []string{`{"statusCode":201,"headers":{"a":"b"},"cookies":["c=1"],"body":"eA==","isBase64Encoded":true}`, `"text"`, `{}`, `{"statusCode":99}`,
		`{"statusCode":200,"multiValueHeaders":{"a":["1","2"]}}`, "not json", "{\"statusCode\":200}\x00\x00\x00\x00\x00\x00\x00\x00body", "\x00\x00\x00\x00\x00\x00\x00\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		if rp, ok := gl.URLReply(payload); ok && (rp.Status < 100 || rp.Status > 599) {
			t.Errorf("URLReply(%q) status %d", payload, rp.Status)
		}
		pre, _, found := gl.SplitPrelude(payload)
		if !found {
			return
		}
		if rp, err := gl.ParsePrelude(pre); err == nil && (rp.Status < 100 || rp.Status > 599) {
			t.Errorf("ParsePrelude(%q) status %d", pre, rp.Status)
		}
	})
}
