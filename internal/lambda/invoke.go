package lambda

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/lambda/runtimeapi"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/sandbox"
	"github.com/gureum/gureum/internal/store"
)

// maxSyncPayload is the largest synchronous request payload (6 MB).
const maxSyncPayload = 6 * 1024 * 1024

// maxAsyncPayload is the largest asynchronous (Event) request payload.
const maxAsyncPayload = 1024 * 1024

// InvokeInput is Invoke's request.
type InvokeInput struct {
	FunctionName   string `rest:"uri=FunctionName" json:"-"`
	InvocationType string `rest:"header=X-Amz-Invocation-Type" json:"-"`
	LogType        string `rest:"header=X-Amz-Log-Type" json:"-"`
	ClientContext  string `rest:"header=X-Amz-Client-Context" json:"-"`
	Qualifier      string `rest:"query=Qualifier" json:"-"`
	Payload        []byte `rest:"payload" json:"-"`

	stream runtimeapi.Stream // a streamed invocation's destination (stream.go)
}

// InvokeOutput is Invoke's answer: the function's bytes as the body.
type InvokeOutput struct {
	StatusCode      int    `rest:"status" json:"-"`
	FunctionError   string `rest:"header=X-Amz-Function-Error" json:"-"`
	LogResult       string `rest:"header=X-Amz-Log-Result" json:"-"`
	ExecutedVersion string `rest:"header=X-Amz-Executed-Version" json:"-"`
	Payload         []byte `rest:"payload" json:"-"`
}

// Invoke runs a function synchronously (RequestResponse), checks that it could (DryRun), or
// queues it durably (Event: see async.go).
func (s *Service) Invoke(ctx context.Context, in *InvokeInput) (*InvokeOutput, error) {
	r, err := s.parseInvokeRef(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	typ := in.InvocationType
	if typ == "" {
		typ = "RequestResponse"
	}
	switch {
	case typ != "RequestResponse" && typ != "Event" && typ != "DryRun":
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]", typ)
	case in.LogType != "" && in.LogType != "None" && in.LogType != "Tail":
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]", in.LogType)
	case typ == "Event" && len(in.Payload) > maxAsyncPayload:
		return nil, ErrRequestTooLarge.Errorf("Request must be smaller than %d bytes for the InvokeAsync operation", maxAsyncPayload)
	case len(in.Payload) > maxSyncPayload:
		return nil, ErrRequestTooLarge.Errorf("Request must be smaller than %d bytes for the InvokeFunction operation", maxSyncPayload)
	}
	if len(in.Payload) > 0 && !jsonish(in.Payload) {
		return nil, ErrInvalidRequestContent.Errorf("Could not parse request body into json: Could not parse payload into json: Unexpected character: was expecting a JSON value")
	}
	inv, err := s.resolve(ctx, r)
	if err != nil {
		return nil, err
	}
	switch typ {
	case "DryRun":
		return &InvokeOutput{StatusCode: http.StatusNoContent, ExecutedVersion: inv.v.Version}, nil
	case "Event":
		if err := s.enqueue(ctx, r, in.Payload, in.ClientContext, request.From(ctx).ID); err != nil {
			return nil, err
		}
		return &InvokeOutput{StatusCode: http.StatusAccepted}, nil
	}
	return s.run(ctx, inv, in, request.From(ctx).ID)
}

// jsonish cheaply rejects payloads that cannot be JSON (Lambda refuses them before running).
func jsonish(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{', '[', '"', '-', 't', 'f', 'n', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			return true
		}
		return false
	}
	return true
}

// invocation is an invoke resolved to a version.
type invocation struct {
	r        ref
	v        store.FunctionVersion
	c        *FunctionConfiguration
	reserved int
	arn      string // as invoked
}

// resolve finds the version an invoke runs (through an alias's weights) and the function's
// reservation.
func (s *Service) resolve(ctx context.Context, r ref) (*invocation, error) {
	q := r.qualifier
	if q != "" && !isVersion(q) {
		a, err := s.alias(ctx, r.account, r.name, q)
		if err != nil {
			return nil, err
		}
		q = a.pick()
	}
	v, c, err := s.version(ctx, ref{account: r.account, name: r.name, qualifier: q})
	if err != nil {
		return nil, err
	}
	f, err := s.cfg.Store.Function(ctx, r.account, r.name)
	if err != nil {
		return nil, s.storeErr(err, r)
	}
	arn := s.functionARN(r.account, r.name)
	if r.qualifier != "" {
		arn += ":" + r.qualifier
	}
	return &invocation{r: r, v: v, c: c, reserved: f.ReservedConcurrency, arn: arn}, nil
}

// invokeFailure is an error the function's caller sees in the payload (200 with
// X-Amz-Function-Error), not an API error.
type invokeFailure struct {
	typ     string
	payload []byte
}

func timeoutFailure(requestID string, timeout int32) *invokeFailure {
	msg := fmt.Sprintf("RequestId: %s Error: Task timed out after %d.00 seconds", requestID, timeout)
	return &invokeFailure{typ: "Sandbox.Timedout", payload: runtimeapi.ErrorDoc("Sandbox.Timedout", msg)}
}

func exitFailure(requestID string, sb *sandbox.Sandbox) *invokeFailure {
	how := "exit status 0"
	if err := sb.Err(); err != nil {
		how = strings.TrimPrefix(err.Error(), "exit status ")
		if !strings.HasPrefix(how, "signal:") {
			how = "exit status " + how
		}
	}
	msg := fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %s", requestID, how)
	return &invokeFailure{typ: "Runtime.ExitError", payload: runtimeapi.ErrorDoc("Runtime.ExitError", msg)}
}

// run admits the invoke, takes or starts an environment and runs the event in it.
func (s *Service) run(ctx context.Context, inv *invocation, in *InvokeInput, requestID string) (*InvokeOutput, error) {
	fnKey := inv.r.account + "/" + inv.r.name
	if err := s.counter.acquire(fnKey, inv.reserved); err != nil {
		s.recordUsage(ctx, inv, 0, false, true)
		return nil, err
	}
	defer s.counter.release(fnKey)
	key := envKey{inv.r.account, inv.r.name, inv.v.Version, inv.v.RevisionID}
	e, err := s.workers.get(key)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	timeout := time.Duration(inv.c.Timeout) * time.Second
	cold := e == nil
	if cold {
		if e, err = s.launch(ctx, key, inv.v, inv.c); err != nil {
			s.workers.discard(nil)
			return nil, err
		}
	}
	var fail *invokeFailure
	var res runtimeapi.Result
	var initD time.Duration
	// The init phase has its own 10 s (initPhase); the function's timeout counts from its end.
	begun := start
	if cold {
		fail, begun = e.initPhase(ctx, requestID, inv.c.Timeout)
		initD = time.Since(start)
	}
	deadline := begun.Add(timeout)
	dctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	if fail == nil {
		res, fail = s.exchange(dctx, e, inv, in, requestID, deadline)
	}
	if fail != nil {
		s.workers.discard(e)
	} else {
		s.workers.put(e)
	}
	out := &InvokeOutput{StatusCode: http.StatusOK, ExecutedVersion: inv.v.Version, Payload: res.Payload}
	if fail != nil {
		out.FunctionError, out.Payload = "Unhandled", fail.payload
	} else if res.ErrorType != "" {
		out.FunctionError = "Unhandled"
	}
	if in.LogType == "Tail" || s.shipper != nil {
		e.log.settle()
	}
	logged := e.log.take()
	if fail != nil && fail.typ == "Sandbox.Timedout" {
		// Lambda's own line in the function's log: "<timestamp> <request id> Task timed out after N.NN seconds".
		line := fmt.Sprintf("%s %s Task timed out after %.2f seconds\n", time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
			requestID, float64(inv.c.Timeout))
		logged = append([]byte(nil), logged...)
		if len(logged) > 0 && logged[len(logged)-1] != '\n' {
			logged = append(logged, '\n')
		}
		logged = append(logged, line...)
	}
	if in.LogType == "Tail" {
		out.LogResult = tail(requestID, inv.v.Version, logged, time.Since(start), inv.c.MemorySize)
	}
	took := time.Since(start)
	status := "success"
	switch {
	case fail != nil && fail.typ == "Sandbox.Timedout":
		status = "timeout"
	case fail != nil || res.ErrorType != "":
		status = "error"
	}
	s.shipInvoke(inv, e, requestID, logged, start, took-initD, initD, status)
	s.recordUsage(ctx, inv, took, out.FunctionError != "", false)
	return out, nil
}

// exchange hands the event to a ready environment and waits for the answer, the deadline or the
// runtime's exit.
func (s *Service) exchange(ctx context.Context, e *env, inv *invocation, in *InvokeInput, requestID string, deadline time.Time) (runtimeapi.Result, *invokeFailure) {
	payload := in.Payload
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	ev := &runtimeapi.Invocation{RequestID: requestID, Payload: payload, Deadline: deadline, FunctionARN: inv.arn,
		TraceID: "Root=1-" + strconv.FormatInt(time.Now().Unix(), 16) + "-" + randomHex(24) + ";Parent=" + randomHex(16) + ";Sampled=0",
		Stream:  in.stream}
	if in.ClientContext != "" {
		if b, err := base64.StdEncoding.DecodeString(in.ClientContext); err == nil {
			ev.ClientContext = string(b)
		}
	}
	res, err := e.api.Invoke(ctx, ev)
	switch {
	case err == nil:
		return res, nil
	case ctx.Err() != nil:
		return res, timeoutFailure(requestID, inv.c.Timeout)
	default:
		<-e.sb.Done()
		return res, exitFailure(requestID, e.sb)
	}
}

// tail is X-Amz-Log-Result: the last 4 KB of the invoke's log with Lambda's START, END and
// REPORT lines, base64.
func tail(requestID, version string, log []byte, d time.Duration, memory int32) string {
	var b strings.Builder
	fmt.Fprintf(&b, "START RequestId: %s Version: %s\n", requestID, version)
	b.Write(log)
	ms := float64(d.Microseconds()) / 1000
	fmt.Fprintf(&b, "END RequestId: %s\nREPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t\n",
		requestID, requestID, ms, int(ms+0.999), memory, memory)
	out := b.String()
	if len(out) > 4096 {
		out = out[len(out)-4096:]
	}
	return base64.StdEncoding.EncodeToString([]byte(out))
}

func hexOfBase64(s string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	return hex.EncodeToString(b), err
}
