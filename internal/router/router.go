// Package router is the single entry for AWS requests. For each request it picks the service
// (SigV4 scope, X-Amz-Target, Action parameter, S3 addressing), reads a non-streaming body under a
// size cap, asks the service's codec for the operation, authenticates the request (SigV4, one path
// for every form), decodes the input, authorizes the operation's IAM action, calls the handler and
// encodes the output or the error in the protocol's AWS shape. It records metrics and writes one
// log line per request. Handlers never see the http.ResponseWriter.
package router

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/protocol/awsjson"
	"github.com/gureum/gureum/internal/protocol/query"
	"github.com/gureum/gureum/internal/protocol/restjson"
	"github.com/gureum/gureum/internal/protocol/restxml"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/sigv4"
	"github.com/gureum/gureum/internal/telemetry"
)

// DefaultMaxBody caps non-streaming request bodies (query, JSON, REST-JSON).
const DefaultMaxBody = 16 << 20

// Codec turns requests into operations and inputs, and outputs and errors into responses.
type Codec interface {
	Route(r *http.Request, body []byte, svc *service.Service) (*service.Operation, map[string]string, error)
	Decode(r *http.Request, body []byte, labels map[string]string, in any) error
	Encode(w http.ResponseWriter, svc *service.Service, op *service.Operation, out any, requestID string)
	EncodeError(w http.ResponseWriter, svc *service.Service, err error, requestID string) *awserr.Code
}

// Authorizer decides whether a principal may perform an action on a resource.
type Authorizer interface {
	Authorize(ctx context.Context, p *request.Principal, action, resource string) error
}

// Config wires a Router.
type Config struct {
	Services   []*service.Service
	Verifier   *sigv4.Verifier
	Authorizer Authorizer
	Metrics    *telemetry.Metrics
	Log        *slog.Logger
	Region     string
	MaxBody    int64 // 0 means DefaultMaxBody
	// BodyTimeout bounds how long a client may take to send a non-streaming body (0: no bound).
	BodyTimeout time.Duration
}

// Router is an http.Handler for every AWS service gureum serves.
type Router struct {
	cfg       Config
	bySigning map[string]*service.Service
	byTarget  map[string]*service.Service
	byAction  map[string]*service.Service // query actions that only one service has
	s3        *service.Service
}

// New builds a Router.
func New(cfg Config) *Router {
	if cfg.MaxBody == 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	rt := &Router{cfg: cfg, bySigning: map[string]*service.Service{}, byTarget: map[string]*service.Service{}, byAction: map[string]*service.Service{}}
	dup := map[string]bool{}
	for _, s := range cfg.Services {
		rt.bySigning[s.SigningName] = s
		if s.TargetPrefix != "" {
			rt.byTarget[s.TargetPrefix] = s
		}
		if s.Protocol == service.RESTXML {
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
	return rt
}

// exchange is one request in flight.
type exchange struct {
	w     *statusWriter
	r     *http.Request
	info  *request.Info
	svc   *service.Service
	codec Codec
	body  []byte
	read  bool
}

// ServeHTTP handles one AWS request.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	info := &request.Info{ID: request.NewID(), Start: time.Now(), Region: rt.cfg.Region, Host: r.Host, Path: r.URL.Path}
	r = r.WithContext(request.With(r.Context(), info))
	x := &exchange{w: &statusWriter{ResponseWriter: w}, r: r, info: info}
	defer rt.finish(x)
	if err := rt.serve(x); err != nil {
		rt.fail(x, err)
	}
}

func (rt *Router) serve(x *exchange) error {
	if err := rt.pickService(x); err != nil {
		return err
	}
	x.codec = codecFor(x.svc, x.r)
	if x.svc.Protocol != service.RESTXML {
		if err := rt.readBody(x); err != nil {
			return err
		}
	} else {
		virtualHost(x.r)
	}
	op, labels, err := x.codec.Route(x.r, x.body, x.svc)
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
	resource := "*"
	if op.Resource != nil {
		resource = op.Resource(ctx, in)
	}
	if err := rt.cfg.Authorizer.Authorize(ctx, x.info.Principal, op.Action, resource); err != nil {
		return err
	}
	out, err := op.Handler.Call(ctx, in)
	if err != nil {
		return err
	}
	x.codec.Encode(x.w, x.svc, op, out, x.info.ID)
	return nil
}

// pickService finds the service a request is for.
func (rt *Router) pickService(x *exchange) error {
	r := x.r
	if sc, ok := sigv4.ParseScope(r); ok {
		if x.svc = rt.bySigning[sc.Service]; x.svc == nil {
			return awserr.New(awserr.UnknownOperation, "The service %q is not served by this endpoint.", sc.Service)
		}
	} else if t := r.Header.Get("X-Amz-Target"); t != "" {
		prefix, _, _ := strings.Cut(t, ".")
		if x.svc = rt.byTarget[prefix]; x.svc == nil {
			return awserr.New(awserr.UnknownOperation, "X-Amz-Target %q names no service served by this endpoint.", t)
		}
	} else if isForm(r) {
		if err := rt.readBody(x); err != nil {
			return err
		}
		form, err := query.Form(r, x.body)
		if err != nil {
			return err
		}
		if x.svc = rt.byAction[form.Get("Action")]; x.svc == nil {
			return awserr.New(awserr.UnknownOperation, "The action %q is not served by this endpoint.", form.Get("Action"))
		}
	} else if x.svc = rt.s3; x.svc == nil {
		return awserr.New(awserr.MissingAuth, "Request is missing Authentication Token")
	}
	x.info.Service = x.svc.Name
	return nil
}

func isForm(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") ||
		strings.Contains(r.URL.RawQuery, "Action=")
}

// codecFor picks the codec for a service, and for JSON services that still accept the query
// protocol (SQS), by the request's shape.
func codecFor(svc *service.Service, r *http.Request) Codec {
	switch svc.Protocol {
	case service.JSON10, service.JSON11:
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

func (rt *Router) readBody(x *exchange) error {
	if x.read {
		return nil
	}
	max := rt.cfg.MaxBody
	var rc *http.ResponseController
	if rt.cfg.BodyTimeout > 0 {
		rc = http.NewResponseController(x.w)
		if rc.SetReadDeadline(time.Now().Add(rt.cfg.BodyTimeout)) != nil {
			rc = nil
		}
	}
	x.read = true
	if x.r.Body == nil || x.r.Body == http.NoBody {
		return nil
	}
	if x.r.ContentLength > max {
		return awserr.New(awserr.TooLarge, "The request body exceeds the maximum allowed size of %d bytes.", max)
	}
	var buf bytes.Buffer
	if x.r.ContentLength > 0 {
		// ReadFrom wants MinRead bytes of room before each read, the one that finds EOF included:
		// without them it would grow the buffer again once the body is in.
		buf.Grow(int(x.r.ContentLength) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(x.w, x.r.Body, max))
	if err != nil {
		// The connection is in an unknown state: answer and close it. The read deadline stays, so
		// the server's own discard of the unread body cannot block.
		x.w.Header().Set("Connection", "close")
		return awserr.FromRead(err)
	}
	if rc != nil {
		rc.SetReadDeadline(time.Time{})
	}
	x.body = buf.Bytes()
	return nil
}

// authenticate verifies the signature (every form goes through sigv4.Verify) or admits an
// anonymous caller where the operation allows it.
func (rt *Router) authenticate(x *exchange, op *service.Operation) error {
	if !sigv4.Signed(x.r) {
		if op.Anonymous {
			return nil
		}
		return awserr.New(awserr.MissingAuth, "Request is missing Authentication Token")
	}
	s3 := x.svc.Protocol == service.RESTXML
	res, err := rt.cfg.Verifier.Verify(x.r.Context(), x.r, sigv4.Options{
		Service: x.svc.SigningName, S3: s3, Body: x.body, AllowUnsignedTrailer: op.UnsignedTrailer, Payload: x.svc.Payload,
	})
	if err != nil {
		return err
	}
	if res.Body != nil {
		x.r.Body = res.Body
	}
	x.info.Principal = res.Credential.Principal
	return nil
}

func (rt *Router) fail(x *exchange, err error) {
	if x.w.status != 0 {
		return // the response has started; the log line records the error
	}
	e := awserr.As(err)
	if e.Kind == awserr.Internal && e.Code == nil {
		rt.cfg.Log.Error("internal error", "request_id", x.info.ID, "service", x.info.Service, "operation", x.info.Operation, "err", err)
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
