package lambda

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/gureum/gureum/internal/request"
)

// ColdStart starts an environment for a function of runtime rt whose code is unpacked in code,
// runs one invoke in it and ends it, returning the time from start to the answer.
func ColdStart(s *Service, rt, handler, code string, payload []byte) (time.Duration, []byte, error) {
	c := &FunctionConfiguration{FunctionName: "bench", Runtime: rt, Handler: handler, MemorySize: 1769, Timeout: 10, Version: latest}
	s.runtimes.load()
	start := time.Now()
	e, err := s.launchCode(context.Background(), envKey{function: "bench"}, c, code, "")
	if err != nil {
		return 0, nil, err
	}
	defer e.kill()
	ctx := context.Background()
	if f := e.awaitInit(ctx, "cold", 10); f != nil {
		return 0, f.payload, nil
	}
	inv := &invocation{c: c, arn: "arn:aws:lambda:us-east-1:000000000000:function:bench"}
	res, f := s.exchange(ctx, e, inv, &InvokeInput{Payload: payload}, "cold", time.Now().Add(10*time.Second))
	d := time.Since(start)
	if f != nil {
		return d, f.payload, nil
	}
	return d, res.Payload, nil
}

// ParseRef exposes the function-reference parser to the fuzz target.
func ParseRef(fn, qualifier string) (string, string, string, error) {
	r, err := New(Config{}).parseRef(context.Background(), fn, qualifier)
	return r.account, r.name, r.qualifier, err
}

// BatchFailures exposes the reading of a function's batchItemFailures to the fuzz target: the
// ids reported failed among ids, or ok false when the answer fails the whole batch.
func BatchFailures(payload []byte, ids []string) (map[string]bool, bool) {
	m := &EventSourceMappingConfiguration{FunctionResponseTypes: []string{"ReportBatchItemFailures"}}
	records := make([]sqsRecord, len(ids))
	for i, id := range ids {
		records[i].MessageID = id
	}
	failed := batchFailures(m, payload, records)
	return failed, failed != nil
}

// ParseLayerVersionARN exposes the layer version ARN parser to the fuzz target.
func ParseLayerVersionARN(arn string) (string, string, int64, bool) { return parseLayerVersionARN(arn) }

// DecodeAsyncEvent decodes an outbox delivery's asynchronous event as the handler does.
func DecodeAsyncEvent(b []byte) error {
	var ev asyncEvent
	return json.Unmarshal(b, &ev)
}

// URLEvent builds the payload 2.0 event of a function URL request as the data plane does, with the
// URL id and path read from the request as served.
func URLEvent(host, path, rawQuery string, header map[string][]string, body []byte) ([]byte, bool, error) {
	s := New(Config{Region: "us-east-1"})
	r := &http.Request{Method: "POST", Proto: "HTTP/1.1", Host: host, URL: &url.URL{Path: path, RawQuery: rawQuery}, Header: header, RemoteAddr: "127.0.0.1:1"}
	id, p, ok := s.urlTarget(r)
	if !ok {
		return nil, false, nil
	}
	e := &urlEntry{u: storedURL{ID: id, Config: FunctionUrlConfig{AuthType: "NONE"}}}
	b, err := s.urlEvent(r, body, e, p, nil, &request.Info{ID: "req"})
	return b, true, err
}

// IsStreamARN exposes isStreamARN to FuzzStreamARN.
var IsStreamARN = isStreamARN

// WindowState exposes the reading of a tumbling window's state from a function's answer to the
// fuzz target.
func WindowState(payload []byte) (json.RawMessage, bool) {
	w := &windowRun{}
	ok := w.take(payload)
	return w.state, ok
}

// Lane exposes the lane of a stream record (its data as GetRecords answers it) to the fuzz target.
func Lane(data []byte, lanes int) int {
	return laneOf(StreamRecord{Data: data}, lanes)
}
