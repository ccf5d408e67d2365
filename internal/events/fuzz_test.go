package events

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzPutEventsEntry decodes PutEvents input as the codec would and checks each entry: no input
// panics, and an accepted entry's envelope is valid JSON.
func FuzzPutEventsEntry(f *testing.F) {
	f.Add([]byte(`{"Entries":[{"Source":"s","DetailType":"d","Detail":"{\"a\":1}","Resources":["r"],"Time":1700000000.5}]}`))
	f.Add([]byte(`{"Entries":[{"Source":"aws.x","DetailType":"d","Detail":"[]"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var in PutEventsInput
		if json.Unmarshal(b, &in) != nil {
			return
		}
		for i := range in.Entries {
			e := &in.Entries[i]
			entrySize(e)
			if code, _ := entryError(e); code != "" {
				continue
			}
			env := envelope{Version: "0", Source: *e.Source, DetailType: *e.DetailType, Resources: e.Resources, Detail: json.RawMessage(*e.Detail)}
			if out := env.encode(); !json.Valid(out) {
				t.Fatalf("envelope %s is not JSON", out)
			}
		}
	})
}

// FuzzTargetARN holds the target ARN checks to their contract: no ARN panics, an accepted one
// names a service EventBridge delivers to, and an accepted log group's name has no colon.
func FuzzTargetARN(f *testing.F) {
	for _, s := range []string{"arn:aws:sqs:us-east-1:000000000000:q", "arn:aws:sns:r:000000000000:t.fifo", "arn:aws:lambda:r:000000000000:function:f:alias",
		"arn:aws:events:r:000000000000:event-bus/b", "arn:aws:logs:r:000000000000:log-group:/a/b:*", "arn:aws:kinesis:r:000000000000:stream/s", "arn:aws:s3:::b", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		if !deliverable(arn) {
			return
		}
		switch svc := serviceOf(arn); svc {
		case "sqs", "sns", "lambda", "events":
		case "logs":
			if _, g, ok := logGroupOf(arn); !ok || strings.ContainsRune(g, ':') || g == "" {
				t.Fatalf("deliverable(%q) but its log group reads as %q, %v", arn, g, ok)
			}
		default:
			t.Fatalf("deliverable(%q): service %q", arn, svc)
		}
	})
}
