package sigv4

import (
	"context"
	"net/http"
	"strings"
	"testing"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// BenchmarkVerify verifies an AWS JSON 1.0 request signed by aws-sdk-go-v2, as an SQS
// SendMessage arrives: the per-request cost of authentication on the hot path.
func BenchmarkVerify(b *testing.B) {
	body := `{"QueueUrl":"http://127.0.0.1:4566/000000000000/orders","MessageBody":"a single message"}`
	r, _ := http.NewRequest("POST", "http://127.0.0.1:4566/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	r.Header.Set("X-Amz-Target", "AmazonSQS.SendMessage")
	r.Header.Set("Amz-Sdk-Invocation-Id", "1a2b3c4d-0000-4000-8000-000000000000")
	r.Header.Set("Amz-Sdk-Request", "attempt=1; max=1")
	if err := v4.NewSigner().SignHTTP(context.Background(), creds(rootCred), r, sha([]byte(body)), "sqs", "us-east-1", testNow); err != nil {
		b.Fatal(err)
	}
	v := testVerifier()
	opt := Options{Body: []byte(body)}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, r, opt); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLookupHeader checks the allocation-free lookup against http.CanonicalHeaderKey.
func TestLookupHeader(t *testing.T) {
	h := http.Header{}
	for _, k := range []string{"X-Amz-Date", "Content-Type", "Amz-Sdk-Invocation-Id", "X-Amz-Meta-Under_score", "Weird Name"} {
		h[http.CanonicalHeaderKey(k)] = []string{k}
	}
	for _, name := range []string{"x-amz-date", "content-type", "amz-sdk-invocation-id", "x-amz-meta-under_score", "weird name", "missing", "x-AMZ-date"} {
		want, wantOK := h[http.CanonicalHeaderKey(name)]
		got, ok := lookupHeader(h, name)
		if ok != wantOK || strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("lookupHeader(%q) = %q, %v; want %q, %v", name, got, ok, want, wantOK)
		}
	}
}
