package sqs

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/protocol/awsjson"
	"github.com/gureum/gureum/internal/protocol/query"
)

// FuzzQueuePath checks the hand-cut path of plain queue URLs against url.Parse, and that
// parseQueueURL reads the same account and name as splitting that path would.
func FuzzQueuePath(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:4566/000000000000/orders", "https://sqs.us-east-1.amazonaws.com/123456789012/q.fifo",
		"http://h", "http:///a/b", "http://h//a//b/", "HTTP://h/a/b", "http://u@h/a/b", "http://h/a%2Fb/c", "http://h/a/b?x=1", "/a/b", "a b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		want := raw
		if u, err := url.Parse(raw); err == nil {
			want = u.Path
		}
		if got := queuePath(raw); got != want {
			t.Fatalf("queuePath(%q) = %q, url.Parse gives %q", raw, got, want)
		}
		if raw == "" {
			return
		}
		segs := strings.Split(strings.Trim(want, "/"), "/")
		account, name, err := parseQueueURL(context.Background(), raw)
		if len(segs) < 2 || segs[len(segs)-1] == "" {
			if err == nil {
				t.Fatalf("parseQueueURL(%q) = %q, %q; want an error", raw, account, name)
			}
			return
		}
		if wantAcct, wantName := segs[len(segs)-2], segs[len(segs)-1]; err != nil || name != wantName || account != wantAcct && wantAcct != "queue" {
			t.Fatalf("parseQueueURL(%q) = %q, %q, %v; want %q, %q", raw, account, name, err, wantAcct, wantName)
		}
	})
}

// FuzzReceiptHandle parses arbitrary receipt handles: anything that parses must round-trip.
func FuzzReceiptHandle(f *testing.F) {
	f.Add(receipt{queueID: 7, seq: 1 << 40, token: newToken()}.String(), int64(7))
	f.Add("garbage", int64(1))
	f.Add("", int64(0))
	f.Fuzz(func(t *testing.T, h string, queueID int64) {
		r, ok := parseReceipt(h, queueID)
		if !ok {
			return
		}
		if again, ok := parseReceipt(r.String(), queueID); !ok || again != r {
			t.Fatalf("handle %q parsed to %+v, which does not round-trip", h, r)
		}
	})
}

// FuzzQueryInputs decodes arbitrary query-protocol forms into the SQS inputs with nested,
// flattened lists and maps; a decode either succeeds or is a Validation error.
func FuzzQueryInputs(f *testing.F) {
	f.Add("SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=x&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=k&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=Binary&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.BinaryValue=AAE%3D")
	f.Add("Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=30&Tag.1.Key=a&Tag.1.Value=b&QueueName=q")
	f.Add("DelaySeconds=99999999999999999999&MessageAttribute.0.Name=x")
	f.Fuzz(func(t *testing.T, raw string) {
		form, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		for _, in := range []any{&SendMessageBatchInput{}, &CreateQueueInput{}, &SendMessageInput{}, &ReceiveMessageInput{}, &ChangeMessageVisibilityBatchInput{}} {
			if err := query.Unmarshal(form, in); err != nil && awserr.As(err).Kind != awserr.Validation {
				t.Fatalf("Unmarshal(%q) into %T = %v", raw, in, err)
			}
		}
	})
}

// FuzzJSONInputs decodes arbitrary JSON bodies into the SQS inputs, then re-encodes what decoded:
// decoding either succeeds or is a Malformed error (InvalidText for text that is not Unicode), and
// never panics (Blob base64 included).
func FuzzJSONInputs(f *testing.F) {
	f.Add([]byte(`{"QueueUrl":"u","Entries":[{"Id":"a","MessageBody":"x","MessageAttributes":{"b":{"DataType":"Binary","BinaryValue":"AAE="}}}]}`))
	f.Add([]byte(`{"MessageAttributes":{"b":{"BinaryValue":"%%%"}}}`))
	codec := awsjson.Codec{Version: "1.0"}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, in := range []any{&SendMessageBatchInput{}, &SendMessageInput{}, &CreateQueueInput{}} {
			if err := codec.Decode(nil, body, nil, in); err != nil {
				if k := awserr.As(err).Kind; k != awserr.Malformed && k != awserr.InvalidText {
					t.Fatalf("Decode(%q) = %v", body, err)
				}
				continue
			}
			if _, err := json.Marshal(in); err != nil && !bytes.Contains(body, []byte("Binary")) {
				t.Fatalf("re-encoding %T: %v", in, err)
			}
		}
	})
}

// FuzzBatchEntryID checks the hand-written batch entry id check against the rule as a regular
// expression.
func FuzzBatchEntryID(f *testing.F) {
	rule := regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)
	for _, s := range []string{"a", "msg-1_A", "", "a b", "é", strings.Repeat("x", 80), strings.Repeat("x", 81), "a\n", "a.b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if got, want := batchEntryID(id), rule.MatchString(id); got != want {
			t.Fatalf("batchEntryID(%q) = %v, want %v", id, got, want)
		}
	})
}
