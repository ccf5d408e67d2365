package lambda

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/blob"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/sandbox"
	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/sqlite"
)

// TestAsyncRetriesOnAnInjectedClock drives asynchronous invocations through the real outbox on a
// fake clock: a failing function is retried after Lambda's one-minute backoff, not before, then
// its record goes to the OnFailure function; an event older than its maximum age is not run.
func TestAsyncRetriesOnAnInjectedClock(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	blobs, err := blob.NewFiles(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.New(sandbox.Config{Level: sandbox.Namespace, Auto: true, StateDir: filepath.Join(dir, "sandbox")})
	if err != nil {
		t.Fatal(err)
	}
	clock := background.NewFakeClock(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC))
	runner := background.New(background.Config{Leases: st, Clock: clock})
	outbox := background.NewOutbox(runner, st, nil, background.OutboxOptions{})
	s := New(Config{Store: st, Blobs: blobs, Sandboxes: sb, Region: "us-east-1", DataDir: filepath.Join(dir, "functions"),
		Clock: clock, Outbox: st, Dispatcher: outbox})
	defer s.Stop()
	ctx = request.With(ctx, &request.Info{ID: "req-1", Principal: &request.Principal{Account: "000000000000"}})

	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("app.py")
	w.Write([]byte("def handler(event, context):\n    raise ValueError('always')\n"))
	zw.Close()
	for _, name := range []string{"flaky", "sink"} {
		if _, err := s.CreateFunction(ctx, &CreateFunctionInput{FunctionName: name, Runtime: "python3.12", Role: "arn:aws:iam::000000000000:role/r",
			Handler: "app.handler", Code: &FunctionCode{ZipFile: zb.Bytes()}}); err != nil {
			t.Fatalf("CreateFunction(%s): %v", name, err)
		}
	}
	sink := "arn:aws:lambda:us-east-1:000000000000:function:sink"
	one := int32(1)
	if _, err := s.PutFunctionEventInvokeConfig(ctx, &PutFunctionEventInvokeConfigInput{FunctionName: "flaky", MaximumRetryAttempts: &one,
		DestinationConfig: &DestinationConfig{OnFailure: &OnDestination{Destination: &sink}}}); err != nil {
		t.Fatal(err)
	}
	pending := func() []store.Delivery {
		t.Helper()
		ds, err := st.Deliveries(ctx, false, 100)
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	deliver := func() int {
		t.Helper()
		n, err := outbox.DeliverDue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if out, err := s.Invoke(ctx, &InvokeInput{FunctionName: "flaky", InvocationType: "Event", Payload: []byte(`{"k":1}`)}); err != nil || out.StatusCode != 202 {
		t.Fatalf("Invoke(Event) = %+v, %v", out, err)
	}
	if n := deliver(); n != 1 { // the first run fails
		t.Fatalf("first delivery claimed %d", n)
	}
	ds := pending()
	if len(ds) != 1 || !ds[0].NotBefore.Equal(clock.Now().Add(time.Minute)) {
		t.Fatalf("after a failure: %+v; want one retry due in a minute", ds)
	}
	clock.Advance(59 * time.Second)
	if n := deliver(); n != 0 {
		t.Fatalf("a retry ran %d s early", 1)
	}
	clock.Advance(time.Second)
	if n := deliver(); n != 1 { // the retry fails too: retries are spent
		t.Fatalf("retry claimed %d", n)
	}
	ds = pending()
	if len(ds) != 1 || ds[0].Target != sink {
		t.Fatalf("after the retry: %+v; want the record on its way to the sink", ds)
	}
	var ev asyncEvent
	json.Unmarshal(ds[0].Payload, &ev)
	var rec struct {
		RequestContext struct {
			RequestID              string `json:"requestId"`
			Condition              string `json:"condition"`
			ApproximateInvokeCount int    `json:"approximateInvokeCount"`
		} `json:"requestContext"`
		RequestPayload  map[string]any             `json:"requestPayload"`
		ResponsePayload struct{ ErrorType string } `json:"responsePayload"`
	}
	json.Unmarshal(ev.Payload, &rec)
	if rec.RequestContext.Condition != "RetriesExhausted" || rec.RequestContext.ApproximateInvokeCount != 2 || rec.RequestContext.RequestID != "req-1" ||
		rec.RequestPayload["k"] != 1.0 || rec.ResponsePayload.ErrorType != "ValueError" {
		t.Errorf("OnFailure record = %s", ev.Payload)
	}
	if err := st.DeliveryDone(ctx, ds[0].ID); err != nil { // not run: the sink fails too, with no destination
		t.Fatal(err)
	}

	// An event past its maximum age is not run: its record says so.
	age := int32(60)
	if _, err := s.UpdateFunctionEventInvokeConfig(ctx, &PutFunctionEventInvokeConfigInput{FunctionName: "flaky", MaximumEventAgeInSeconds: &age}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Invoke(ctx, &InvokeInput{FunctionName: "flaky", InvocationType: "Event", Payload: []byte(`{"k":2}`)}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(61 * time.Second)
	deliver()
	ds = pending()
	if len(ds) != 1 || ds[0].Target != sink {
		t.Fatalf("after the age: %+v", ds)
	}
	json.Unmarshal(ds[0].Payload, &ev)
	json.Unmarshal(ev.Payload, &rec)
	if rec.RequestContext.Condition != "EventAgeExceeded" || rec.RequestContext.ApproximateInvokeCount != 0 {
		t.Errorf("EventAgeExceeded record = %s", ev.Payload)
	}
}
