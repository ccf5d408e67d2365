package lambda_test

import (
	"strings"
	"testing"

	gl "github.com/gureum/gureum/internal/lambda"
)

// FuzzStreamARN holds the stream-source recognizer to its rule: it never panics, and what it
// takes for a DynamoDB stream is a dynamodb ARN naming a table's stream.
func FuzzStreamARN(f *testing.F) {
	for _, s := range []string{"arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/2026-01-01T00:00:00.000",
		"arn:aws:sqs:us-east-1:000000000000:q", "arn:aws:dynamodb:us-east-1:000000000000:table/T", "arn:::", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		if gl.IsStreamARN(arn) && (!strings.HasPrefix(arn, "arn:") || !strings.Contains(arn, ":dynamodb:") ||
			!strings.Contains(arn, ":table/") || !strings.Contains(arn, "/stream/")) {
			t.Errorf("IsStreamARN(%q) = true", arn)
		}
	})
}
