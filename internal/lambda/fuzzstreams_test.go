package lambda_test

import (
	"encoding/json"
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

// FuzzWindowState holds the reading of a tumbling window's answer to its rules: it never panics,
// and a state it takes is valid JSON other than null (an answer without one fails the batch).
func FuzzWindowState(f *testing.F) {
	for _, s := range []string{`{"state":{"a":"1"}}`, `{"state":null}`, `{}`, `null`, `[]`, `{"state":{"a":`, ``, `{"state":3,"batchItemFailures":[]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		st, ok := gl.WindowState(payload)
		if ok && (!json.Valid(st) || string(st) == "null") {
			t.Errorf("WindowState(%q) = %q", payload, st)
		}
	})
}

// FuzzLane holds the key hash of ParallelizationFactor to its rules: it never panics, it is in
// range, and one record always goes to the same lane.
func FuzzLane(f *testing.F) {
	for _, s := range []string{`{"dynamodb":{"Keys":{"pk":{"S":"a"}}}}`, `{"dynamodb":null}`, `{}`, `x`, ``} {
		f.Add([]byte(s), 3)
	}
	f.Fuzz(func(t *testing.T, data []byte, lanes int) {
		lanes = lanes%10 + 1
		if lanes < 1 {
			lanes += 10
		}
		l := gl.Lane(data, lanes)
		if l < 0 || l >= lanes || gl.Lane(data, lanes) != l {
			t.Errorf("Lane(%q, %d) = %d", data, lanes, l)
		}
	})
}
