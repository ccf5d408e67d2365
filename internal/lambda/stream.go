package lambda

// Response streaming: InvokeWithResponseStream answers with an AWS event stream
// (application/vnd.amazon.eventstream) of PayloadChunk events, one per piece the runtime sent,
// then InvokeComplete; a RESPONSE_STREAM function URL writes the pieces to the client as they
// come, after the http-integration-response prelude (a JSON object and 8 NUL bytes) when the
// function sends one. A runtime that answers without streaming is answered as one piece.

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/lambda/runtimeapi"
	"github.com/gureum/gureum/internal/request"
)

// InvokeWithResponseStreamInput is InvokeWithResponseStream's request.
type InvokeWithResponseStreamInput struct {
	FunctionName   string `rest:"uri=FunctionName" json:"-"`
	InvocationType string `rest:"header=X-Amz-Invocation-Type" json:"-"`
	LogType        string `rest:"header=X-Amz-Log-Type" json:"-"`
	ClientContext  string `rest:"header=X-Amz-Client-Context" json:"-"`
	Qualifier      string `rest:"query=Qualifier" json:"-"`
	Payload        []byte `rest:"payload" json:"-"`
}

// InvokeWithResponseStreamOutput is the event stream.
type InvokeWithResponseStreamOutput struct {
	StatusCode      int       `rest:"status" json:"-"`
	ExecutedVersion string    `rest:"header=X-Amz-Executed-Version" json:"-"`
	ContentType     string    `rest:"header=Content-Type" json:"-"`
	Stream          io.Reader `rest:"payload" json:"-"`
}

// InvokeWithResponseStream runs a function and streams its response as it is produced.
func (s *Service) InvokeWithResponseStream(ctx context.Context, in *InvokeWithResponseStreamInput) (*InvokeWithResponseStreamOutput, error) {
	r, err := s.parseInvokeRef(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	typ := in.InvocationType
	if typ == "" {
		typ = "RequestResponse"
	}
	switch {
	case typ != "RequestResponse" && typ != "DryRun":
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [RequestResponse, DryRun]", typ)
	case in.LogType != "" && in.LogType != "None" && in.LogType != "Tail":
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]", in.LogType)
	case len(in.Payload) > maxSyncPayload:
		return nil, ErrRequestTooLarge.Errorf("Request must be smaller than %d bytes for the InvokeFunction operation", maxSyncPayload)
	case len(in.Payload) > 0 && !jsonish(in.Payload):
		return nil, ErrInvalidRequestContent.Errorf("Could not parse request body into json: Could not parse payload into json: Unexpected character: was expecting a JSON value")
	}
	inv, err := s.resolve(ctx, r)
	if err != nil {
		return nil, err
	}
	if typ == "DryRun" {
		return &InvokeWithResponseStreamOutput{StatusCode: http.StatusNoContent, ExecutedVersion: inv.v.Version}, nil
	}
	es := newEventStream(ctx)
	go func() {
		out, err := s.run(ctx, inv, &InvokeInput{Payload: in.Payload, ClientContext: in.ClientContext, LogType: in.LogType, stream: es}, request.From(ctx).ID)
		es.finish(out, err)
	}()
	select {
	case <-es.begun:
	case <-es.done:
		if es.err != nil {
			return nil, es.err
		}
	}
	return &InvokeWithResponseStreamOutput{StatusCode: http.StatusOK, ExecutedVersion: inv.v.Version,
		ContentType: "application/vnd.amazon.eventstream", Stream: es}, nil
}

// eventStream is a streamed invocation on its way to an InvokeWithResponseStream client: the
// runtime's pieces as PayloadChunk frames, then InvokeComplete. It is the response body: WriteTo
// flushes each frame to the client as it comes.
type eventStream struct {
	ctx    context.Context
	frames chan []byte
	begun  chan struct{}
	done   chan struct{}
	err    error // an API error before the stream began (a throttle, a missing environment)

	mu      sync.Mutex
	started bool
	closed  bool
	pending []byte // a frame partly read by Read
}

func newEventStream(ctx context.Context) *eventStream {
	return &eventStream{ctx: ctx, frames: make(chan []byte, 64), begun: make(chan struct{}), done: make(chan struct{})}
}

// Begin implements runtimeapi.Stream.
func (e *eventStream) Begin(string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.started {
		e.started = true
		close(e.begun)
	}
}

// Write implements runtimeapi.Stream: one PayloadChunk event per piece.
func (e *eventStream) Write(p []byte) (int, error) {
	e.send(eventFrame("PayloadChunk", "application/octet-stream", p))
	return len(p), nil
}

// send queues a frame unless the client has gone (the request's context ended).
func (e *eventStream) send(frame []byte) {
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed {
		return
	}
	select {
	case e.frames <- frame:
	case <-e.ctx.Done():
	}
}

// finish ends the stream with the invocation's outcome.
func (e *eventStream) finish(out *InvokeOutput, err error) {
	switch {
	case err != nil:
		e.err = err
	case out != nil:
		var complete struct {
			ErrorCode    string `json:"ErrorCode,omitempty"`
			ErrorDetails string `json:"ErrorDetails,omitempty"`
			LogResult    string `json:"LogResult,omitempty"`
		}
		complete.LogResult = out.LogResult
		if out.FunctionError != "" {
			var doc struct{ ErrorType, ErrorMessage string }
			json.Unmarshal(out.Payload, &doc)
			complete.ErrorCode, complete.ErrorDetails = doc.ErrorType, doc.ErrorMessage
			if complete.ErrorCode == "" {
				complete.ErrorCode, complete.ErrorDetails = out.FunctionError, string(out.Payload)
			}
		} else if len(out.Payload) > 0 {
			e.Write(out.Payload) // a runtime that did not stream: its answer is one piece
		}
		b, _ := json.Marshal(complete)
		e.send(eventFrame("InvokeComplete", "application/json", b))
	}
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	close(e.frames)
	close(e.done)
}

// WriteTo writes the frames as they come, flushing each to the client.
func (e *eventStream) WriteTo(w io.Writer) (int64, error) {
	var n int64
	flush := func() {}
	if f, ok := w.(http.Flusher); ok {
		flush = f.Flush
	}
	for frame := range e.frames {
		m, err := w.Write(frame)
		n += int64(m)
		if err != nil {
			go drain(e.frames)
			return n, err
		}
		flush()
	}
	return n, nil
}

func drain(ch <-chan []byte) {
	for range ch {
	}
}

// Read serves a reader that is not a writer's destination (io.Copy prefers WriteTo).
func (e *eventStream) Read(p []byte) (int, error) {
	for len(e.pending) == 0 {
		frame, ok := <-e.frames
		if !ok {
			return 0, io.EOF
		}
		e.pending = frame
	}
	n := copy(p, e.pending)
	e.pending = e.pending[n:]
	return n, nil
}

// eventFrame encodes one event of an AWS event stream: the prelude (total and header lengths and
// their CRC-32), the string headers :event-type, :content-type and :message-type, the payload,
// and the message's CRC-32.
func eventFrame(eventType, contentType string, payload []byte) []byte {
	var hdr []byte
	for _, h := range [][2]string{{":event-type", eventType}, {":content-type", contentType}, {":message-type", "event"}} {
		hdr = append(hdr, byte(len(h[0])))
		hdr = append(hdr, h[0]...)
		hdr = append(hdr, 7) // string
		hdr = binary.BigEndian.AppendUint16(hdr, uint16(len(h[1])))
		hdr = append(hdr, h[1]...)
	}
	total := 12 + len(hdr) + len(payload) + 4
	b := make([]byte, 0, total)
	b = binary.BigEndian.AppendUint32(b, uint32(total))
	b = binary.BigEndian.AppendUint32(b, uint32(len(hdr)))
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	b = append(b, hdr...)
	b = append(b, payload...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

// integrationResponse is the content type of a streamed function URL answer that starts with
// a prelude.
const integrationResponse = "application/vnd.awslambda.http-integration-response"

// maxPrelude bounds the prelude of a streamed function URL answer.
const maxPrelude = 64 << 10

// preludeEnd separates the prelude from the body.
var preludeEnd = []byte{0, 0, 0, 0, 0, 0, 0, 0}

// SplitPrelude finds the end of a streamed answer's prelude in what has arrived so far: the
// prelude, the body bytes after it, and whether the 8 NUL bytes that end it have come.
func SplitPrelude(b []byte) (prelude, rest []byte, found bool) {
	i := bytes.Index(b, preludeEnd)
	if i < 0 {
		return nil, nil, false
	}
	return b[:i], b[i+len(preludeEnd):], true
}

// ParsePrelude reads a prelude: a JSON object with statusCode (200 when absent), headers and
// cookies, as the response a function URL sends before the body.
func ParsePrelude(p []byte) (*Reply, error) {
	var pre struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Cookies    []string          `json:"cookies"`
	}
	if len(bytes.TrimSpace(p)) > 0 {
		if err := json.Unmarshal(p, &pre); err != nil {
			return nil, err
		}
	}
	if pre.StatusCode == 0 {
		pre.StatusCode = http.StatusOK
	}
	if pre.StatusCode < 100 || pre.StatusCode > 599 {
		return nil, errors.New("prelude: status code " + strconv.Itoa(pre.StatusCode))
	}
	rp := &Reply{Status: pre.StatusCode, Header: http.Header{}}
	for k, v := range pre.Headers {
		rp.Header.Set(k, v)
	}
	for _, c := range pre.Cookies {
		rp.Header.Add("Set-Cookie", c)
	}
	return rp, nil
}

// urlStream writes a RESPONSE_STREAM URL's answer to the client as the runtime sends it.
type urlStream struct {
	w    http.ResponseWriter
	r    *http.Request
	cors *Cors

	mu       sync.Mutex
	begun    bool
	prelude  bool   // the stream starts with a prelude not yet read whole
	held     []byte // the prelude so far
	headered bool   // the status and headers are written
	failed   bool   // the prelude was bad: the client got a 502
	closed   bool
}

// Begin implements runtimeapi.Stream.
func (u *urlStream) Begin(contentType string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.begun = true
	if contentType == integrationResponse {
		u.prelude = true
		return
	}
	u.w.Header().Set("Content-Type", contentType)
	u.writeHead(http.StatusOK)
}

func (u *urlStream) writeHead(status int) {
	corsHeaders(u.w.Header(), u.r, u.cors)
	u.w.WriteHeader(status)
	u.headered = true
	if f, ok := u.w.(http.Flusher); ok {
		f.Flush()
	}
}

// Write implements runtimeapi.Stream.
func (u *urlStream) Write(p []byte) (int, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.closed || u.failed {
		return len(p), nil
	}
	body := p
	if u.prelude {
		u.held = append(u.held, p...)
		pre, rest, found := SplitPrelude(u.held)
		if !found {
			if len(u.held) > maxPrelude {
				u.fail()
			}
			return len(p), nil
		}
		rp, err := ParsePrelude(pre)
		if err != nil {
			u.fail()
			return len(p), nil
		}
		u.prelude = false
		for k, vs := range rp.Header {
			u.w.Header()[k] = vs
		}
		if u.w.Header().Get("Content-Type") == "" {
			u.w.Header().Set("Content-Type", "application/octet-stream")
		}
		u.writeHead(rp.Status)
		body, u.held = rest, nil
	}
	if len(body) > 0 {
		u.w.Write(body)
		if f, ok := u.w.(http.Flusher); ok {
			f.Flush()
		}
	}
	return len(p), nil
}

func (u *urlStream) fail() {
	u.failed = true
	urlError(u.w, http.StatusBadGateway, "Internal Server Error")
}

// end closes the stream once the invocation is over: what arrives later is dropped.
func (u *urlStream) end() (begun, answered bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.closed = true
	if u.begun && u.prelude && !u.failed { // the prelude never ended: the body is empty
		u.failed = true
		if rp, err := ParsePrelude(u.held); err == nil {
			for k, vs := range rp.Header {
				u.w.Header()[k] = vs
			}
			u.writeHead(rp.Status)
		} else {
			urlError(u.w, http.StatusBadGateway, "Internal Server Error")
		}
	}
	return u.begun, u.headered || u.failed
}

// streamURL runs a RESPONSE_STREAM URL's function and streams its answer to the client.
func (s *Service) streamURL(w http.ResponseWriter, r *http.Request, inv *invocation, ev []byte, requestID string, cors *Cors) {
	us := &urlStream{w: w, r: r, cors: cors}
	out, err := s.run(r.Context(), inv, &InvokeInput{Payload: ev, stream: us}, requestID)
	begun, answered := us.end()
	switch {
	case answered:
		return
	case err != nil:
		if ae := awserr.As(err); ae != nil && ae.Code == ErrTooManyRequests {
			urlError(w, http.StatusTooManyRequests, "Rate Exceeded.")
			return
		}
		urlError(w, http.StatusInternalServerError, "Internal Server Error")
	case begun: // streaming began but nothing came: an empty 200
		us.mu.Lock()
		us.writeHead(http.StatusOK)
		us.mu.Unlock()
	case out.FunctionError != "":
		urlError(w, http.StatusBadGateway, "Internal Server Error")
	default:
		rp, ok := URLReply(out.Payload)
		if !ok {
			urlError(w, http.StatusBadGateway, "Internal Server Error")
			return
		}
		writeURLReply(w, r, rp, cors)
	}
}

var _ runtimeapi.Stream = (*eventStream)(nil)
var _ runtimeapi.Stream = (*urlStream)(nil)
