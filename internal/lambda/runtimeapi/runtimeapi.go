// Package runtimeapi serves the Lambda Runtime API (version 2018-06-01) of one execution
// environment: the runtime inside the sandbox long-polls /runtime/invocation/next for an event
// and posts the result to /runtime/invocation/{id}/response or /error; during init it may post
// /runtime/init/error. The platform side calls Invoke and waits for the result.
//
// One Server serves one environment, which has at most one invocation in flight, as on Lambda.
package runtimeapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MaxResponse is the largest response a function may return synchronously (6 MB).
const MaxResponse = 6 * 1024 * 1024

const prefix = "/2018-06-01/runtime/"

// Invocation is an event for the runtime.
type Invocation struct {
	RequestID       string
	Payload         []byte
	Deadline        time.Time
	FunctionARN     string // as invoked, with a qualifier when there was one
	TraceID         string
	ClientContext   string // JSON
	CognitoIdentity string // JSON
	// Stream, when set, takes a successful response as the runtime sends it (a streamed
	// invocation: InvokeWithResponseStream, a RESPONSE_STREAM function URL); Result.Payload is
	// then empty. Without it a response is read whole.
	Stream Stream
}

// Stream receives a streamed response: Begin once with the response's content type before the
// first bytes, then the bytes as they arrive (each Write is one piece the runtime sent).
type Stream interface {
	Begin(contentType string)
	io.Writer
}

// MaxStreamedResponse is the largest streamed response (20 MB).
const MaxStreamedResponse = 20 * 1024 * 1024

// Streamed-response trailers: a runtime that fails mid-stream names the error in them.
const (
	trailerErrorType = "Lambda-Runtime-Function-Error-Type"
	trailerErrorBody = "Lambda-Runtime-Function-Error-Body"
)

// Result is what the runtime answered.
type Result struct {
	Payload []byte
	// ErrorType is set when the runtime posted /error (from Lambda-Runtime-Function-Error-Type or
	// the body's errorType); Payload is then the error document.
	ErrorType string
	// Err is set when the runtime did not answer at all (it exited, or the environment closed).

	// Streamed reports that the response went to the invocation's Stream.
	Streamed bool
}

// ErrClosed is returned by Invoke once the environment has closed.
var ErrClosed = errors.New("runtimeapi: environment closed")

// InitError is the runtime's report of a failed initialization.
type InitError struct {
	Type    string
	Payload []byte
}

func (e *InitError) Error() string { return "init error: " + e.Type }

// Server is one environment's Runtime API.
type Server struct {
	http *http.Server

	mu        sync.Mutex
	pending   chan *Invocation // Invoke → /next
	current   *Invocation      // handed to the runtime, not yet answered
	result    chan Result
	ready     chan struct{} // closed at the runtime's first /next
	readyOnce sync.Once
	initErr   *InitError
	initDone  chan struct{} // closed at /init/error
	closed    chan struct{}
	closeOnce sync.Once
}

// New returns a Server; Serve starts it on a listener.
func New() *Server {
	s := &Server{
		pending:  make(chan *Invocation, 1),
		ready:    make(chan struct{}),
		initDone: make(chan struct{}),
		closed:   make(chan struct{}),
	}
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: time.Minute}
	return s
}

// Serve answers the runtime on ln until Close.
func (s *Server) Serve(ln net.Listener) error {
	err := s.http.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Close ends the environment's API: a waiting Invoke returns ErrClosed, a waiting /next gets
// an error.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.http.Close()
	})
}

// Ready is closed once the runtime has finished its init and asked for the first event.
func (s *Server) Ready() <-chan struct{} { return s.ready }

// InitFailed is closed when the runtime reported an init error; InitErr returns it.
func (s *Server) InitFailed() <-chan struct{} { return s.initDone }

// InitErr is the runtime's init error, if it reported one.
func (s *Server) InitErr() *InitError {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.initErr
}

// Invoke hands an event to the runtime and waits for its answer, for ctx to end, or for the
// environment to close.
func (s *Server) Invoke(ctx context.Context, inv *Invocation) (Result, error) {
	res := make(chan Result, 1)
	s.mu.Lock()
	if s.result != nil {
		s.mu.Unlock()
		return Result{}, errors.New("runtimeapi: an invocation is already in flight")
	}
	s.result = res
	s.mu.Unlock()
	s.pending <- inv
	select {
	case r := <-res:
		return r, nil
	case <-ctx.Done():
		s.abandon()
		return Result{}, ctx.Err()
	case <-s.closed:
		s.abandon()
		return Result{}, ErrClosed
	}
}

func (s *Server) abandon() {
	s.mu.Lock()
	s.result, s.current = nil, nil
	s.mu.Unlock()
	select {
	case <-s.pending:
	default:
	}
}

// ServeHTTP routes the Runtime API by hand: its five paths are fixed, and this is the warm path.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, ok := strings.CutPrefix(r.URL.Path, prefix)
	switch {
	case !ok:
		if r.URL.Path == "/2018-06-01/ping" || r.URL.Path == "/ping" {
			io.WriteString(w, "pong")
			return
		}
		apiError(w, http.StatusNotFound, "InvalidURL", "Not found: "+r.URL.Path)
	case p == "invocation/next" && r.Method == http.MethodGet:
		s.next(w, r)
	case p == "init/error" && r.Method == http.MethodPost:
		s.initError(w, r)
	case strings.HasPrefix(p, "invocation/") && r.Method == http.MethodPost:
		id, verb, _ := strings.Cut(strings.TrimPrefix(p, "invocation/"), "/")
		switch verb {
		case "response":
			s.respond(w, r, id, false)
		case "error":
			s.respond(w, r, id, true)
		default:
			apiError(w, http.StatusNotFound, "InvalidURL", "Not found: "+r.URL.Path)
		}
	default:
		apiError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", r.Method+" "+r.URL.Path)
	}
}

func (s *Server) next(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	busy := s.current != nil
	s.mu.Unlock()
	if busy {
		apiError(w, http.StatusForbidden, "InvalidStateTransition", "Transition from Invoking to Invoking is not allowed: respond to the current invocation first.")
		return
	}
	s.readyOnce.Do(func() { close(s.ready) })
	var inv *Invocation
	select {
	case inv = <-s.pending:
	case <-s.closed:
		apiError(w, http.StatusInternalServerError, "EnvironmentClosed", "The environment is shutting down.")
		return
	case <-r.Context().Done():
		return
	}
	s.mu.Lock()
	s.current = inv
	s.mu.Unlock()
	h := w.Header()
	h["Lambda-Runtime-Aws-Request-Id"] = []string{inv.RequestID}
	h["Lambda-Runtime-Deadline-Ms"] = []string{strconv.FormatInt(inv.Deadline.UnixMilli(), 10)}
	h["Lambda-Runtime-Invoked-Function-Arn"] = []string{inv.FunctionARN}
	h["Content-Type"] = []string{"application/json"}
	if inv.TraceID != "" {
		h["Lambda-Runtime-Trace-Id"] = []string{inv.TraceID}
	}
	if inv.ClientContext != "" {
		h["Lambda-Runtime-Client-Context"] = []string{inv.ClientContext}
	}
	if inv.CognitoIdentity != "" {
		h["Lambda-Runtime-Cognito-Identity"] = []string{inv.CognitoIdentity}
	}
	h["Content-Length"] = []string{strconv.Itoa(len(inv.Payload))}
	w.WriteHeader(http.StatusOK)
	w.Write(inv.Payload)
}

func (s *Server) respond(w http.ResponseWriter, r *http.Request, id string, isError bool) {
	if mode := r.Header.Get("Lambda-Runtime-Function-Response-Mode"); mode != "" && !strings.EqualFold(mode, "streaming") {
		apiError(w, http.StatusBadRequest, "Runtime.InvalidResponseModeHeader", "Invalid Lambda-Runtime-Function-Response-Mode: "+mode)
		return
	}
	if !isError {
		s.mu.Lock()
		inv := s.current
		s.mu.Unlock()
		if inv != nil && inv.RequestID == id && inv.Stream != nil {
			s.respondStream(w, r, inv)
			return
		}
	}
	body, tooLarge, err := readLimited(r.Body, MaxResponse)
	if err != nil {
		apiError(w, http.StatusBadRequest, "InvalidRequest", err.Error())
		return
	}
	s.mu.Lock()
	inv, res := s.current, s.result
	if inv == nil || res == nil {
		s.mu.Unlock()
		apiError(w, http.StatusForbidden, "InvalidStateTransition", "No invocation is in flight.")
		return
	}
	if inv.RequestID != id {
		s.mu.Unlock()
		apiError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID: "+id)
		return
	}
	s.current, s.result = nil, nil
	s.mu.Unlock()
	var out Result
	switch {
	case tooLarge:
		out = Result{ErrorType: "Function.ResponseSizeTooLarge", Payload: errorDoc("Function.ResponseSizeTooLarge",
			"Response payload size exceeded maximum allowed payload size ("+strconv.Itoa(MaxResponse)+" bytes).")}
	case isError:
		out = Result{ErrorType: errorType(r, body), Payload: body}
	case r.Trailer.Get(trailerErrorType) != "":
		out = trailerError(r.Trailer)
	default:
		out = Result{Payload: body}
	}
	res <- out
	if tooLarge {
		apiError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "Exceeded maximum allowed payload size ("+strconv.Itoa(MaxResponse)+" bytes).")
		return
	}
	accepted(w)
}

func (s *Server) initError(w http.ResponseWriter, r *http.Request) {
	body, _, err := readLimited(r.Body, MaxResponse)
	if err != nil {
		apiError(w, http.StatusBadRequest, "InvalidRequest", err.Error())
		return
	}
	s.mu.Lock()
	select {
	case <-s.ready:
		s.mu.Unlock()
		apiError(w, http.StatusForbidden, "InvalidStateTransition", "Transition from Ready to InitError is not allowed.")
		return
	default:
	}
	if s.initErr != nil {
		s.mu.Unlock()
		apiError(w, http.StatusForbidden, "InvalidStateTransition", "Transition from InitError to InitError is not allowed.")
		return
	}
	s.initErr = &InitError{Type: errorType(r, body), Payload: body}
	close(s.initDone)
	s.mu.Unlock()
	accepted(w)
}

// errorType is the runtime's error type: the header, else the document's errorType.
func errorType(r *http.Request, body []byte) string {
	if t := r.Header.Get("Lambda-Runtime-Function-Error-Type"); t != "" {
		return t
	}
	var doc struct {
		ErrorType string `json:"errorType"`
	}
	if json.Unmarshal(body, &doc) == nil && doc.ErrorType != "" {
		return doc.ErrorType
	}
	return "Runtime.UnknownReason"
}

func readLimited(r io.Reader, limit int) ([]byte, bool, error) {
	b, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, false, err
	}
	if len(b) > limit {
		io.Copy(io.Discard, r)
		return nil, true, nil
	}
	return b, false, nil
}

var acceptedBody = []byte(`{"status":"OK"}` + "\n")

func accepted(w http.ResponseWriter) {
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{strconv.Itoa(len(acceptedBody))}
	w.WriteHeader(http.StatusAccepted)
	w.Write(acceptedBody)
}

func apiError(w http.ResponseWriter, status int, typ, msg string) {
	body := errorDoc(typ, msg)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

// errorDoc is Lambda's error document.
func errorDoc(typ, msg string) []byte {
	b, _ := json.Marshal(struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}{msg, typ})
	return b
}

// ErrorDoc is Lambda's error document {"errorMessage","errorType"}.
func ErrorDoc(typ, msg string) []byte { return errorDoc(typ, msg) }

// respondStream passes a streamed response to the invocation's Stream as it arrives; a failure
// the runtime reports in the trailers, or a response past 20 MB, ends it as an error.
func (s *Server) respondStream(w http.ResponseWriter, r *http.Request, inv *Invocation) {
	s.mu.Lock()
	res := s.result
	if s.current != inv || res == nil {
		s.mu.Unlock()
		apiError(w, http.StatusForbidden, "InvalidStateTransition", "No invocation is in flight.")
		return
	}
	s.current, s.result = nil, nil
	s.mu.Unlock()
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		ct = "application/octet-stream"
	}
	inv.Stream.Begin(ct)
	buf := make([]byte, 32<<10)
	total := 0
	out := Result{Streamed: true}
	for {
		n, err := r.Body.Read(buf)
		if n > 0 {
			total += n
			if total > MaxStreamedResponse {
				out = Result{Streamed: true, ErrorType: "Function.ResponseSizeTooLarge", Payload: errorDoc("Function.ResponseSizeTooLarge",
					"Response payload size exceeded maximum allowed payload size ("+strconv.Itoa(MaxStreamedResponse)+" bytes).")}
				io.Copy(io.Discard, r.Body)
				break
			}
			inv.Stream.Write(buf[:n])
		}
		if err == io.EOF {
			if r.Trailer.Get(trailerErrorType) != "" {
				out = trailerError(r.Trailer)
				out.Streamed = true
			}
			break
		}
		if err != nil {
			out = Result{Streamed: true, ErrorType: "Runtime.StreamError", Payload: errorDoc("Runtime.StreamError", err.Error())}
			break
		}
	}
	res <- out
	accepted(w)
}

// trailerError is the error a runtime reported in a response's trailers.
func trailerError(t http.Header) Result {
	out := Result{ErrorType: t.Get(trailerErrorType)}
	if b, err := base64.StdEncoding.DecodeString(t.Get(trailerErrorBody)); err == nil && len(b) > 0 {
		out.Payload = b
	} else {
		out.Payload = errorDoc(out.ErrorType, "The function's response stream failed.")
	}
	return out
}
