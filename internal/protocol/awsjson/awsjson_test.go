package awsjson

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/protocol/limit"
	"github.com/gureum/gureum/internal/service"
)

func sqsLike() *service.Service {
	invalid := &awserr.Code{Name: "InvalidMessageContents", Status: 400}
	return (&service.Service{Name: "sqs", TargetPrefix: "AmazonSQS", ErrorTypePrefix: "com.amazonaws.sqs#", QueryCompatible: true,
		InvalidText: invalid.Errorf("Invalid characters found."),
		Operations:  []service.Operation{{Name: "SendMessage"}}}).Index()
}

func TestRoute(t *testing.T) {
	svc := sqsLike()
	tests := []struct {
		method, target string
		ok             bool
	}{
		{"POST", "AmazonSQS.SendMessage", true},
		{"POST", "AmazonSQS.Nope", false},
		{"POST", "DynamoDB_20120810.SendMessage", false},
		{"POST", "AmazonSQS", false},
		{"GET", "AmazonSQS.SendMessage", false},
	}
	for _, tt := range tests {
		r, _ := http.NewRequest(tt.method, "/", nil)
		r.Header.Set("X-Amz-Target", tt.target)
		op, _, err := Codec{"1.0"}.Route(r, nil, svc)
		if tt.ok != (err == nil) || (err != nil && awserr.As(err).Kind != awserr.UnknownOperation) {
			t.Errorf("Route(%s %s) = %v, %v", tt.method, tt.target, op, err)
		}
	}
}

type input struct {
	QueueUrl    string
	DelaySecond *int
	Attributes  map[string]string
}

func TestDecode(t *testing.T) {
	tests := []struct {
		body string
		ok   bool
	}{
		{`{"QueueUrl":"u","DelaySecond":3,"Attributes":{"a":"b"},"Unknown":1}`, true},
		{``, true},
		{`   `, true},
		{`{"QueueUrl":5}`, false},
		{`{"QueueUrl":"u"`, false},
		{`{"QueueUrl":"u"} {}`, false},
		{`[]`, false},
	}
	for _, tt := range tests {
		var in input
		err := Codec{"1.0"}.Decode(nil, []byte(tt.body), nil, &in)
		if tt.ok != (err == nil) || (err != nil && awserr.As(err).Kind != awserr.Malformed) {
			t.Errorf("Decode(%q) = %v; ok=%v", tt.body, err, tt.ok)
		}
	}
}

func TestEncodeError(t *testing.T) {
	rec := httptest.NewRecorder()
	code := &awserr.Code{Name: "QueueDoesNotExist", Status: 400, Query: "AWS.SimpleQueueService.NonExistentQueue"}
	Codec{"1.0"}.EncodeError(rec, sqsLike(), code.Errorf("The specified queue does not exist."), "rid")
	var body struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	json.Unmarshal(rec.Body.Bytes(), &body)
	if rec.Code != 400 || body.Type != "com.amazonaws.sqs#QueueDoesNotExist" || body.Message != "The specified queue does not exist." {
		t.Errorf("EncodeError = %d %s", rec.Code, rec.Body)
	}
	if h := rec.Header().Get("x-amzn-query-error"); h != "AWS.SimpleQueueService.NonExistentQueue;Sender" {
		t.Errorf("x-amzn-query-error = %q", h)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/x-amz-json-1.0" {
		t.Errorf("Content-Type = %q", ct)
	}
	rec = httptest.NewRecorder()
	Codec{"1.1"}.EncodeError(rec, sqsLike(), awserr.New(awserr.SignatureMismatch, "bad"), "rid")
	if h := rec.Header().Get("x-amzn-query-error"); h != "SignatureDoesNotMatch;Sender" || rec.Code != 403 {
		t.Errorf("kind error: %d %q %s", rec.Code, h, rec.Body)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"QueueUrl":"u","DelaySecond":3,"Attributes":{"a":"b"}}`))
	f.Add([]byte(`{"DelaySecond":1e999}`))
	f.Add([]byte(strings.Repeat(`{"Attributes":[`, 200)))
	f.Add([]byte(`{"QueueUrl":"\"[[[[","Attributes":{"a":[[[[[[[]]]]]]]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var in input
		if err := (Codec{"1.0"}).Decode(nil, body, nil, &in); err != nil && awserr.As(err).Kind != awserr.Malformed && awserr.As(err).Kind != awserr.InvalidText {
			t.Fatalf("Decode = %v; want nil or Malformed", err)
		}
	})
}

// TestDecodeDeepNesting: two million '[' overflowed the decoder's stack (a fatal error, not a
// panic) and one million took a second and ~700 MiB; both are refused by the depth scan, cheaply.
func TestDecodeDeepNesting(t *testing.T) {
	for _, n := range []int{limit.MaxDepth + 1, 1_000_000, 2_000_000} {
		for _, open := range []string{"[", "{\"a\":"} {
			body := []byte(strings.Repeat(open, n))
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			var in input
			err := Codec{"1.0"}.Decode(nil, body, nil, &in)
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			if awserr.As(err).Kind != awserr.Malformed {
				t.Errorf("Decode(%d × %q) = %v; want Malformed", n, open, err)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
				t.Errorf("Decode(%d × %q) allocated %d bytes", n, open, alloc)
			}
			if took > 20*time.Second { // a hang guard, not a speed test: the allocation bound is the check
				t.Errorf("Decode(%d × %q) took %v", n, open, took)
			}
		}
	}
	var v struct{ A [][][]int }
	if err := (Codec{"1.0"}).Decode(nil, []byte(`{"A":[[[1]]]}`), nil, &v); err != nil {
		t.Errorf("Decode(shallow) = %v", err)
	}
}

// TestDecodeInvalidText: the decoder turned invalid UTF-8 and escaped lone surrogates into U+FFFD
// and accepted them; they are refused, in the service's own words where it has them.
func TestDecodeInvalidText(t *testing.T) {
	for _, body := range []string{
		"{\"QueueUrl\":\"a\xffb\"}",
		`{"QueueUrl":"\ud800"}`,
		`{"Attributes":{"\udc00x":"v"}}`,
		`{"QueueUrl":"\ud83d\u0041"}`,
	} {
		var in input
		err := Codec{"1.0"}.Decode(nil, []byte(body), nil, &in)
		if awserr.As(err).Kind != awserr.InvalidText {
			t.Errorf("Decode(%q) = %v; want InvalidText", body, err)
			continue
		}
		rec := httptest.NewRecorder()
		Codec{"1.0"}.EncodeError(rec, sqsLike(), err, "rid")
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), `"__type":"com.amazonaws.sqs#InvalidMessageContents"`) ||
			rec.Header().Get("x-amzn-query-error") != "InvalidMessageContents;Sender" {
			t.Errorf("EncodeError(%q) = %d %v %s", body, rec.Code, rec.Header(), rec.Body)
		}
		rec = httptest.NewRecorder()
		Codec{"1.0"}.EncodeError(rec, nil, err, "rid")
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), `"__type":"SerializationException"`) {
			t.Errorf("EncodeError(%q) without a service = %d %s", body, rec.Code, rec.Body)
		}
	}
	var in input
	if err := (Codec{"1.0"}).Decode(nil, []byte(`{"QueueUrl":"\ud83d\ude00 é"}`), nil, &in); err != nil || in.QueueUrl != "😀 é" {
		t.Errorf("Decode(a surrogate pair) = %v, %q", err, in.QueueUrl)
	}
}
