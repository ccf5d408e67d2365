// Package router is the single entry for AWS requests. For each request it first offers the
// request to the data-plane endpoints (invoke URLs, function URLs, website endpoints: traffic that
// is not an AWS API call), then picks the service (SigV4 scope with path prefix and protocol,
// X-Amz-Target, Action parameter, S3 addressing), checks the signature's headers, reads a
// non-streaming body under the operation's cap and the in-flight budget, asks the service's codec
// for the operation, authenticates the request (SigV4, one path for every form), decodes the input,
// authorizes every check the operation raises with the request's condition context, calls the
// handler and encodes the output or the error in the protocol's AWS shape. It records metrics and
// writes one log line per request. Handlers never see the http.ResponseWriter.
package router

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/protocol/awsjson"
	"github.com/gureum/gureum/internal/protocol/query"
	"github.com/gureum/gureum/internal/protocol/restjson"
	"github.com/gureum/gureum/internal/protocol/restxml"
	"github.com/gureum/gureum/internal/protocol/rpcv2cbor"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/sigv4"
	"github.com/gureum/gureum/internal/telemetry"
)

// DefaultMaxBody caps a non-streaming request body whose operation declares no cap of its own.
const DefaultMaxBody = service.DefaultMaxBody

// DefaultMaxBodyInflight caps the bytes held by request bodies being read or served at once,
// across all requests. It admits one 70 MB Lambda CreateFunction body with room to spare.
const DefaultMaxBodyInflight = 256 << 20

// Codec turns requests into operations and inputs, and outputs and errors into responses.
type Codec interface {
	Route(r *http.Request, body []byte, svc *service.Service) (*service.Operation, map[string]string, error)
	Decode(r *http.Request, body []byte, labels map[string]string, in any) error
	Encode(w http.ResponseWriter, svc *service.Service, op *service.Operation, out any, requestID string)
	EncodeError(w http.ResponseWriter, svc *service.Service, err error, requestID string) *awserr.Code
}

// Authorizer decides whether a principal may perform every check of a call: an action on a
// resource each (CopyObject reads its source and writes its destination), under the call's
// condition context. A nil principal is an anonymous caller of an operation that allows it.
type Authorizer interface {
	Authorize(ctx context.Context, p *request.Principal, checks []service.Check, cond service.Conditions) error
}

// Config wires a Router.
type Config struct {
	Services   []*service.Service
	Endpoints  []Endpoint // the data plane, offered every request before the services
	Verifier   *sigv4.Verifier
	Authorizer Authorizer
	Metrics    *telemetry.Metrics
	Log        *slog.Logger
	Region     string
	Now        func() time.Time // the clock for condition keys; time.Now when nil
	// MaxBodyInflight caps the bytes of request bodies held at once (0: DefaultMaxBodyInflight).
	// A body that would pass it is refused with the protocol's throttling error.
	MaxBodyInflight int64
	// BodyTimeout bounds how long a client may take to send a non-streaming body (0: no bound).
	BodyTimeout time.Duration
}

// Router is an http.Handler for every AWS service gureum serves.
type Router struct {
	cfg       Config
	bySigning map[string][]*service.Service
	byTarget  map[string]*service.Service
	byAction  map[string]*service.Service // query actions that only one service has
	s3        *service.Service
	anonForms bool         // a query-protocol operation may be called without credentials
	inflight  atomic.Int64 // bytes of request bodies held
}

// New builds a Router. It refuses a service whose table could not be indexed, and two services
// that claim the same request: each operation's sample request (service.SampleRequest) must
// reach that operation and no other.
func New(cfg Config) (*Router, error) {
	if cfg.MaxBodyInflight == 0 {
		cfg.MaxBodyInflight = DefaultMaxBodyInflight
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	rt := &Router{cfg: cfg, bySigning: map[string][]*service.Service{}, byTarget: map[string]*service.Service{}, byAction: map[string]*service.Service{}}
	dup := map[string]bool{}
	for _, s := range cfg.Services {
		if err := s.Err(); err != nil {
			return nil, err
		}
		rt.bySigning[s.SigningName] = append(rt.bySigning[s.SigningName], s)
		if s.TargetPrefix != "" {
			if other := rt.byTarget[s.TargetPrefix]; other != nil {
				return nil, fmt.Errorf("router: %s and %s both use the X-Amz-Target prefix %s", other.Name, s.Name, s.TargetPrefix)
			}
			rt.byTarget[s.TargetPrefix] = s
		}
		if s.Protocol == service.RESTXML {
			if rt.s3 != nil {
				return nil, fmt.Errorf("router: %s and %s are both REST-XML services; only one may take S3's addressing", rt.s3.Name, s.Name)
			}
			rt.s3 = s
		}
		if s.Protocol == service.Query || s.AlsoQuery {
			for _, op := range s.Operations {
				if _, seen := rt.byAction[op.Name]; seen {
					dup[op.Name] = true
				}
				rt.byAction[op.Name] = s
			}
		}
	}
	for name := range dup {
		delete(rt.byAction, name)
	}
	for _, s := range rt.byAction {
		rt.anonForms = rt.anonForms || s.HasAnonymous()
	}
	for _, svc := range cfg.Services {
		rt.cfg.Endpoints = append(rt.cfg.Endpoints, svc.Endpoints...)
	}
	if err := checkEndpoints(rt.cfg.Endpoints); err != nil {
		return nil, err
	}
	if err := rt.checkClaims(); err != nil {
		return nil, err
	}
	return rt, nil
}

// exchange is one request in flight.
type exchange struct {
	w        *statusWriter
	r        *http.Request
	info     *request.Info
	svc      *service.Service
	codec    Codec
	body     []byte
	read     bool
	signed   bool
	scope    sigv4.Scope // the credential scope, when scoped
	scoped   bool
	checked  *sigv4.Checked // what Precheck found, for Verify
	reserved int64          // bytes of the in-flight budget this request holds
	called   bool           // the handler ran (and may have read a streamed body)
}

// ServeHTTP handles one request: a data-plane endpoint's, or an AWS API call.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	info := &request.Info{ID: request.NewID(), Start: time.Now(), Region: rt.cfg.Region, Host: r.Host, Path: r.URL.Path}
	r = r.WithContext(request.With(r.Context(), info))
	x := &exchange{w: &statusWriter{ResponseWriter: w}, r: r, info: info}
	defer rt.finish(x)
	if ep := rt.endpoint(r); ep != nil {
		info.Service, info.Operation = ep.Name, "Invoke"
		ep.Handler.ServeHTTP(x.w, r)
		return
	}
	if err := rt.serve(x); err != nil {
		rt.fail(x, err)
	}
}

// serve runs an AWS API call. What an unauthenticated request can make the server do is bounded
// before any body is read: a signed request's headers are checked first (structure, scope, time,
// a known key), an unsigned one is refused unless an operation allows anonymous callers, and a
// body is then read into a buffer that grows with what arrives, under the operation's cap and
// the in-flight budget.
func (rt *Router) serve(x *exchange) error {
	x.signed = sigv4.Signed(x.r)
	x.scope, x.scoped = sigv4.ParseScope(x.r)
	if x.signed && !x.scoped {
		// Signature material without a credential scope: refused before anything else is read.
		if _, err := rt.cfg.Verifier.Precheck(x.r.Context(), x.r, sigv4.Options{}); err != nil {
			return err
		}
		return awserr.New(awserr.IncompleteSignature, "The request's credential scope cannot be read.")
	}
	if err := rt.pickService(x); err != nil {
		return err
	}
	x.codec = codecFor(x.svc, x.r)
	if x.svc.Protocol != service.RESTXML && hasDotSegment(x.r.URL.Path) {
		return awserr.New(awserr.InvalidRequest, "The request path %q has a dot segment; this service does not accept one.", x.r.URL.Path)
	}
	if x.signed {
		checked, err := rt.cfg.Verifier.Precheck(x.r.Context(), x.r, rt.verifyOptions(x, nil))
		if err != nil {
			return err
		}
		x.checked = checked
	}
	op, labels, err := rt.route(x)
	if err != nil {
		return err
	}
	x.info.Operation = op.Name
	if err := rt.authenticate(x, op); err != nil {
		return err
	}
	if !op.Implemented() {
		return awserr.New(awserr.NotImplemented, "%s %s is not implemented by gureum yet.", x.svc.Name, op.Name)
	}
	in := op.Handler.NewInput()
	if err := x.codec.Decode(x.r, x.body, labels, in); err != nil {
		return err
	}
	ctx := x.r.Context()
	cond := &conditions{rt: rt, x: x, op: op, in: in}
	if err := rt.cfg.Authorizer.Authorize(ctx, x.info.Principal, op.AuthChecks(ctx, in), cond); err != nil {
		return err
	}
	if x.info.Principal == nil {
		ctx = service.WithConditions(ctx, cond) // the service decides an anonymous caller, with these keys
	}
	x.called = true
	out, err := op.Handler.Call(ctx, in)
	if err != nil {
		return err
	}
	x.codec.Encode(x.w, x.svc, op, out, x.info.ID)
	return nil
}

// route finds the operation, reading the body where the operation is named in it (the query
// protocol's Action) or once the operation, and so its body cap, is known.
func (rt *Router) route(x *exchange) (*service.Operation, map[string]string, error) {
	if x.svc.Protocol == service.RESTXML {
		// S3 bodies stream to the handler, capped only where the operation sets a cap.
		virtualHost(x.r)
		op, labels, err := x.codec.Route(x.r, nil, x.svc)
		if err == nil && op.MaxBody > 0 && x.r.Body != nil {
			if x.r.ContentLength > op.MaxBody {
				return nil, nil, tooLarge(x, op.MaxBody)
			}
			x.r.Body = http.MaxBytesReader(x.w, x.r.Body, op.MaxBody)
		}
		return op, labels, err
	}
	_, isQuery := x.codec.(query.Codec)
	if isQuery {
		if !x.signed && !x.svc.HasAnonymous() {
			return nil, nil, missingAuth()
		}
		if err := rt.readBody(x, x.svc.MaxBody()); err != nil {
			return nil, nil, err
		}
	}
	op, labels, err := x.codec.Route(x.r, x.body, x.svc)
	if err != nil {
		return nil, nil, err
	}
	if !x.signed && !op.Anonymous {
		return nil, nil, missingAuth()
	}
	if err := rt.readBody(x, op.BodyLimit()); err != nil {
		return nil, nil, err
	}
	return op, labels, nil
}

func missingAuth() error {
	return awserr.New(awserr.MissingAuth, "Request is missing Authentication Token")
}

// hasDotSegment reports whether a path has a "." or ".." segment, which services other than S3
// do not address anything with (S3 keys keep them byte-exact).
func hasDotSegment(path string) bool {
	for rest := path; rest != ""; {
		var seg string
		seg, rest, _ = strings.Cut(rest, "/")
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// codecFor picks the codec for a service, and for JSON services that still accept the query
// protocol (SQS), by the request's shape.
func codecFor(svc *service.Service, r *http.Request) Codec {
	switch svc.Protocol {
	case service.JSON10, service.JSON11:
		if svc.AlsoCBOR && rpcv2cbor.Is(r) {
			return rpcv2cbor.Codec{}
		}
		if svc.AlsoQuery && r.Header.Get("X-Amz-Target") == "" && !strings.Contains(r.Header.Get("Content-Type"), "json") {
			return query.Codec{}
		}
		if svc.Protocol == service.JSON10 {
			return awsjson.Codec{Version: "1.0"}
		}
		return awsjson.Codec{Version: "1.1"}
	case service.RESTXML:
		return restxml.Codec{}
	case service.RESTJSON:
		return restjson.Codec{}
	}
	return query.Codec{}
}

// errorCodec renders errors for requests that reached no service, in the shape the client expects.
func errorCodec(r *http.Request) Codec {
	if r.Header.Get("X-Amz-Target") != "" || strings.Contains(r.Header.Get("Content-Type"), "json") {
		return awsjson.Codec{Version: "1.0"}
	}
	return query.Codec{}
}

func (rt *Router) fail(x *exchange, err error) {
	if x.w.status != 0 {
		return // the response has started; the log line records the error
	}
	e := awserr.As(err)
	if e.Kind == awserr.Internal && e.Code == nil {
		rt.cfg.Log.Error("internal error", "request_id", x.info.ID, "service", x.info.Service, "operation", x.info.Operation, "err", err)
	}
	if !x.read && !x.called && x.r.ContentLength != 0 {
		// Refused before its body was read: close rather than have the server read the body
		// through (it would wait for a client that may never send it).
		x.closeConn()
	}
	codec := x.codec
	if codec == nil {
		codec = errorCodec(x.r)
	}
	code := codec.EncodeError(x.w, x.svc, err, x.info.ID)
	x.w.code = code.Name
}

// finish recovers from a handler panic, then records metrics and the log line.
func (rt *Router) finish(x *exchange) {
	if v := recover(); v != nil {
		if v == http.ErrAbortHandler {
			panic(v)
		}
		rt.cfg.Log.Error("panic", "request_id", x.info.ID, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		rt.fail(x, fmt.Errorf("panic: %v", v))
	}
	rt.release(x)
	d := time.Since(x.info.Start)
	status := x.w.status
	if status == 0 {
		status = http.StatusOK
	}
	svc, op := x.info.Service, x.info.Operation
	if svc == "" {
		svc = "unknown"
	}
	if op == "" {
		op = "unknown"
	}
	if rt.cfg.Metrics != nil {
		rt.cfg.Metrics.Request(svc, op, status, d)
	}
	if !rt.cfg.Log.Enabled(x.r.Context(), slog.LevelInfo) {
		return
	}
	principal := ""
	if p := x.info.Principal; p != nil {
		principal = p.ARN
	}
	attrs := []slog.Attr{
		slog.String("request_id", x.info.ID), slog.String("service", svc), slog.String("operation", op),
		slog.String("principal", principal), slog.Int("status", status), slog.Duration("latency", d),
		slog.String("remote", remoteIP(x.r)),
	}
	if x.w.code != "" {
		attrs = append(attrs, slog.String("error", x.w.code))
	}
	rt.cfg.Log.LogAttrs(x.r.Context(), slog.LevelInfo, "request", attrs...)
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// virtualHost rewrites a virtual-hosted S3 request (bucket.localhost:4566, bucket.s3.<host>) to
// path style. Signatures are checked against the path as sent, which the verifier reads from the
// request line, so the rewrite does not disturb them.
func virtualHost(r *http.Request) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	var bucket string
	if b, ok := strings.CutSuffix(host, ".localhost"); ok && b != "" {
		bucket = b
	} else if i := strings.Index(host, ".s3."); i > 0 {
		bucket = host[:i]
	} else if i := strings.Index(host, ".s3-"); i > 0 {
		bucket = host[:i]
	}
	if bucket == "" || net.ParseIP(host) != nil {
		return
	}
	r.URL.Path = "/" + bucket + r.URL.Path
	if r.URL.RawPath != "" {
		r.URL.RawPath = "/" + bucket + r.URL.RawPath
	}
}

// statusWriter remembers the status and the rendered error code.
type statusWriter struct {
	http.ResponseWriter
	status int
	code   string
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush lets streamed responses reach the client as they are written.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap exposes the underlying writer to http.ResponseController.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
