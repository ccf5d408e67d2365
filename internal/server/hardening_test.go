package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gureum/gureum/internal/gureumtest"
)

// The regression tests of issue 20's findings, as raw HTTP against the real server.

// rawRequest builds a request signed with payloadHash as x-amz-content-sha256 (signed), then sends
// sent as its body.
func rawRequest(t *testing.T, srv *gureumtest.Server, contentType, target, signedBody, sent, payloadHash, service string) *http.Request {
	t.Helper()
	r, _ := http.NewRequest("POST", srv.Endpoint+"/", strings.NewReader(signedBody))
	r.Header.Set("Content-Type", contentType)
	if target != "" {
		r.Header.Set("X-Amz-Target", target)
	}
	if payloadHash == "" {
		sum := sha256.Sum256([]byte(signedBody))
		payloadHash = hex.EncodeToString(sum[:])
	} else {
		r.Header.Set("X-Amz-Content-Sha256", payloadHash)
	}
	creds := aws.Credentials{AccessKeyID: gureumtest.AccessKeyID, SecretAccessKey: gureumtest.SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, payloadHash, service, gureumtest.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	if sent != signedBody {
		r.Body = http.NoBody
		if sent != "" {
			r2, _ := http.NewRequest("POST", srv.Endpoint+"/", strings.NewReader(sent))
			r.Body, r.ContentLength = r2.Body, r2.ContentLength
		}
	}
	return r
}

func createQueue(t *testing.T, srv *gureumtest.Server, name string) string {
	t.Helper()
	out, err := sqs.NewFromConfig(srv.Config()).CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return *out.QueueUrl
}

// TestDeepJSONBody (finding 1): two million '[' ended the process with a stack overflow; one
// million took a second and ~700 MiB. Both get SerializationException, quickly.
func TestDeepJSONBody(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	for _, n := range []int{1_000_000, 2_000_000} {
		body := strings.Repeat("[", n)
		start := time.Now()
		status, _, got := gureumtest.Do(t, rawRequest(t, srv, "application/x-amz-json-1.0", "AmazonSQS.ListQueues", body, body, "", "sqs"))
		if status != 400 || !strings.Contains(got, "SerializationException") {
			t.Errorf("%d × '[' = %d %.200s; want 400 SerializationException", n, status, got)
		}
		if d := time.Since(start); d > 20*time.Second { // a hang guard (it was a crash); speed is for benchmarks
			t.Errorf("%d × '[' took %v", n, d)
		}
	}
	if _, err := sqs.NewFromConfig(srv.Config()).ListQueues(context.Background(), &sqs.ListQueuesInput{}); err != nil {
		t.Errorf("ListQueues after the deep bodies = %v", err)
	}
}

// TestUnsignedPayloadRefused (finding 3): SQS (JSON and query) and STS took UNSIGNED-PAYLOAD, so a
// signed request's body could be swapped in flight: a swapped MessageBody was stored, a query
// body swapped to DeleteQueue passed authentication.
func TestUnsignedPayloadRefused(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	url := createQueue(t, srv, "swap")
	send := `{"QueueUrl":"` + url + `","MessageBody":"hello"}`
	swap := `{"QueueUrl":"` + url + `","MessageBody":"HACKD"}` // as long: Content-Length is signed
	query := "Action=GetQueueUrl&QueueName=swap&Version=2012-11-05&Pad=xxxxxx"
	del := "Action=DeleteQueue&QueueUrl=" + url + "&Version=2012-11-05"
	query = query + strings.Repeat("x", len(del)-len(query))
	sts := "Action=GetCallerIdentity&Version=2011-06-15"
	tests := []struct {
		name, ct, target, signed, sent, service, want string
	}{
		{"SQS JSON, swapped body", "application/x-amz-json-1.0", "AmazonSQS.SendMessage", send, swap, "sqs", "InvalidSignatureException"},
		{"SQS JSON, same body", "application/x-amz-json-1.0", "AmazonSQS.SendMessage", send, send, "sqs", "InvalidSignatureException"},
		{"SQS query, swapped to DeleteQueue", "application/x-www-form-urlencoded", "", query, del, "sqs", "<Code>SignatureDoesNotMatch</Code>"},
		{"STS", "application/x-www-form-urlencoded", "", sts, sts, "sts", "<Code>SignatureDoesNotMatch</Code>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, got := gureumtest.Do(t, rawRequest(t, srv, tt.ct, tt.target, tt.signed, tt.sent, "UNSIGNED-PAYLOAD", tt.service))
			if status != 403 || !strings.Contains(got, tt.want) {
				t.Errorf("got %d %.300s; want 403 %s", status, got, tt.want)
			}
		})
	}
	out, err := sqs.NewFromConfig(srv.Config()).ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &url})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 0 {
		t.Errorf("ReceiveMessage = %q; want no message stored", *out.Messages[0].Body)
	}
	// The same requests with the body's hash signed go through.
	status, _, got := gureumtest.Do(t, rawRequest(t, srv, "application/x-amz-json-1.0", "AmazonSQS.SendMessage", send, send, "", "sqs"))
	if status != 200 {
		t.Errorf("signed SendMessage = %d %s", status, got)
	}
}

// TestDuplicateCredentials (finding 4): with two Authorization headers the first won, with a
// repeated Signature= the last won. Both are refused now, as is header and query auth together.
func TestDuplicateCredentials(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	signed := func() *http.Request {
		return rawRequest(t, srv, "application/x-www-form-urlencoded", "", body, body, "", "sts")
	}
	tests := []struct {
		name   string
		edit   func(r *http.Request)
		status int
		want   string
	}{
		{"valid then garbage", func(r *http.Request) { r.Header.Add("Authorization", "garbage") }, 400, "<Code>IncompleteSignature</Code>"},
		{"repeated Signature", func(r *http.Request) {
			a := r.Header.Get("Authorization")
			i := strings.Index(a, "Signature=")
			r.Header.Set("Authorization", a[:i]+"Signature=0000, "+a[i:])
		}, 400, "<Code>IncompleteSignature</Code>"},
		{"header and query", func(r *http.Request) {
			r.URL.RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=x"
		}, 400, "<Code>InvalidRequest</Code>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := signed()
			tt.edit(r)
			status, _, got := gureumtest.Do(t, r)
			if status != tt.status || !strings.Contains(got, tt.want) {
				t.Errorf("got %d %.300s; want %d %s", status, got, tt.status, tt.want)
			}
		})
	}
}

// TestJSONInvalidText (finding 6): in a JSON MessageBody, invalid UTF-8 became U+FFFD and a lone
// \ud800 escape was accepted; the query protocol answered InvalidMessageContents, and so does JSON.
func TestJSONInvalidText(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	url := createQueue(t, srv, "text")
	for _, msg := range []string{"a\xffb", `\ud800`, `x\udc00`, `\ud800\u0041`} {
		body := `{"QueueUrl":"` + url + `","MessageBody":"` + msg + `"}`
		status, h, got := gureumtest.Do(t, rawRequest(t, srv, "application/x-amz-json-1.0", "AmazonSQS.SendMessage", body, body, "", "sqs"))
		if status != 400 || !strings.Contains(got, `"__type":"com.amazonaws.sqs#InvalidMessageContents"`) ||
			!strings.Contains(got, "Invalid characters found.") || h.Get("x-amzn-query-error") != "InvalidMessageContents;Sender" {
			t.Errorf("MessageBody %q = %d %v %s; want 400 InvalidMessageContents", msg, status, h, got)
		}
	}
	attr := `{"QueueUrl":"` + url + `","MessageBody":"ok","MessageAttributes":{"a":{"DataType":"String","StringValue":"\udfff"}}}`
	if status, _, got := gureumtest.Do(t, rawRequest(t, srv, "application/x-amz-json-1.0", "AmazonSQS.SendMessage", attr, attr, "", "sqs")); status != 400 || !strings.Contains(got, "InvalidMessageContents") {
		t.Errorf("attribute with a lone surrogate = %d %s", status, got)
	}
	query := "Action=SendMessage&Version=2012-11-05&QueueUrl=" + url + "&MessageBody=%ED%A0%80"
	if status, _, got := form(t, srv, query, "sqs", nil); status != 400 || !strings.Contains(got, "<Code>InvalidMessageContents</Code>") {
		t.Errorf("query MessageBody with an encoded surrogate = %d %s", status, got)
	}
	ok := `{"QueueUrl":"` + url + `","MessageBody":"\ud83d\ude00 é"}`
	if status, _, got := gureumtest.Do(t, rawRequest(t, srv, "application/x-amz-json-1.0", "AmazonSQS.SendMessage", ok, ok, "", "sqs")); status != 200 {
		t.Errorf("valid surrogate pair = %d %s", status, got)
	}
}

// TestHealthDegradedWhenWritesFail: /_gureum/health said ok while every write failed. With the
// WAL gone under it (the store's own test of a failed sync), writes fail and health says why.
func TestHealthDegradedWhenWritesFail(t *testing.T) {
	dir := t.TempDir()
	srv := gureumtest.Start(t, gureumtest.Options{DataDir: dir})
	health := func() (int, map[string]any) {
		r, _ := http.NewRequest("GET", srv.Endpoint+"/_gureum/health", nil)
		status, _, body := gureumtest.Do(t, r)
		var h map[string]any
		json.Unmarshal([]byte(body), &h)
		return status, h
	}
	if status, h := health(); status != 200 || h["status"] != "ok" {
		t.Fatalf("health = %d %v; want 200 ok", status, h)
	}
	createQueue(t, srv, "before")
	if err := os.Remove(filepath.Join(dir, "gureum.db-wal")); err != nil {
		t.Fatal(err)
	}
	c := sqs.NewFromConfig(srv.Config(), func(o *sqs.Options) { o.RetryMaxAttempts = 1 })
	if _, err := c.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("after")}); err == nil {
		t.Fatal("CreateQueue with the WAL gone succeeded")
	}
	status, h := health()
	if reason, _ := h["reason"].(string); status != 503 || h["status"] != "degraded" || !strings.Contains(reason, "cannot write") {
		t.Errorf("health = %d %v; want 503 degraded with the reason", status, h)
	}
}
