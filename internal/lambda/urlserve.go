package lambda

// Function URLs, the data plane: http://<url-id>.lambda-url.<region>.localhost:<port>/ (or
// /_gureum/lambda-url/<url-id>/ on any host) runs the function with an event of API Gateway's
// payload format 2.0 and answers with what it returns. CORS preflights are answered from the
// URL's Cors without running the function; AuthType AWS_IAM requires a SigV4 signature (service
// "lambda") and an allow for lambda:InvokeFunctionUrl and lambda:InvokeFunction (with
// lambda:InvokedViaFunctionUrl, as Lambda has asked since October 2025) from the caller's
// policies or the function's; AuthType NONE requires the function's policy to allow both to
// anyone.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/apigatewayv2"
	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/iam/policy"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/store"
)

// URLAuth authenticates and authorizes function URL requests.
type URLAuth struct {
	// Authenticate verifies a request's SigV4 signature for service "lambda" (nil: AWS_IAM URLs
	// refuse every request).
	Authenticate func(ctx context.Context, r *http.Request, body []byte) (*request.Principal, error)
	// Authorize decides a principal's action on a function, weighing the function's policy and
	// the condition keys given. Nil: IAM is not enforced, and every caller is let through.
	Authorize func(ctx context.Context, p *request.Principal, action, resource, resourcePolicy string, conditions map[string][]string) error
}

// SetURLAuth gives the data plane of function URLs its authentication and authorization.
func (s *Service) SetURLAuth(a URLAuth) { s.urlAuth = a }

// urlPrefix is the path under which function URLs are also addressed without their host names.
const urlPrefix = "/_gureum/lambda-url/"

// urlCacheTTL bounds how long a node serves a URL another node changed or deleted.
const urlCacheTTL = 2 * time.Second

type urlEntry struct {
	idx   urlIndex
	u     storedURL
	until time.Time
}

// URLHandler serves function URLs.
func (s *Service) URLHandler() http.Handler { return http.HandlerFunc(s.serveURL) }

// urlTarget reads the URL id and the path under the URL from a request.
func (s *Service) urlTarget(r *http.Request) (id, path string, ok bool) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if suffix := s.urlHostSuffix(); len(host) > len(suffix) && strings.EqualFold(host[len(host)-len(suffix):], suffix) {
		id = strings.ToLower(host[:len(host)-len(suffix)])
		return id, r.URL.EscapedPath(), !strings.Contains(id, ".")
	}
	rest, found := strings.CutPrefix(r.URL.EscapedPath(), urlPrefix)
	if !found {
		return "", "", false
	}
	id, path, _ = strings.Cut(rest, "/")
	return id, "/" + path, id != ""
}

func (s *Service) lookupURL(ctx context.Context, id string) (*urlEntry, error) {
	if c, ok := s.urlCache.Load(id); ok {
		if e := c.(*urlEntry); s.cfg.Now().Before(e.until) {
			return e, nil
		}
	}
	set, err := s.cfg.Store.FunctionSetting(ctx, "", "", settingURLID, id)
	if err != nil {
		return nil, err
	}
	e := &urlEntry{until: s.cfg.Now().Add(urlCacheTTL)}
	if err := json.Unmarshal(set.Config, &e.idx); err != nil {
		return nil, err
	}
	u, err := s.readURL(ctx, ref{account: e.idx.Account, name: e.idx.Function, qualifier: e.idx.Qualifier})
	if err != nil {
		return nil, err
	}
	if u.ID != id {
		return nil, store.ErrNotFound
	}
	e.u = *u
	s.urlCache.Store(id, e)
	return e, nil
}

// urlError answers as a function URL does when it does not run the function.
func urlError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-ErrorType", strings.ReplaceAll(http.StatusText(status), " ", "")+"Exception")
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]string{"Message": message})
	w.Write(b)
}

func (s *Service) serveURL(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	info := request.From(ctx)
	w.Header().Set("x-amzn-RequestId", info.ID)
	id, path, ok := s.urlTarget(r)
	if !ok || s.cfg.Store == nil {
		urlError(w, http.StatusNotFound, "Not Found")
		return
	}
	e, err := s.lookupURL(ctx, id)
	if err != nil {
		urlError(w, http.StatusForbidden, "Forbidden")
		return
	}
	cfg := &e.u.Config
	if cfg.Cors != nil && corsPreflight(w, r, cfg.Cors) {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSyncPayload+1))
	if err != nil {
		urlError(w, http.StatusBadRequest, "Bad Request")
		return
	}
	if len(body) > maxSyncPayload {
		urlError(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return
	}
	caller, status := s.authorizeURL(ctx, r, body, e)
	if status != 0 {
		urlError(w, status, http.StatusText(status))
		return
	}
	ev, err := s.urlEvent(r, body, e, path, caller, info)
	if err != nil {
		urlError(w, http.StatusBadRequest, "Bad Request")
		return
	}
	fr := ref{account: e.idx.Account, name: e.idx.Function, qualifier: e.idx.Qualifier}
	inv, err := s.resolve(ctx, fr)
	if err != nil {
		urlError(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	if cfg.InvokeMode == "RESPONSE_STREAM" {
		s.streamURL(w, r, inv, ev, info.ID, cfg.Cors)
		return
	}
	out, err := s.run(ctx, inv, &InvokeInput{Payload: ev}, info.ID)
	if err != nil {
		if ae := awserr.As(err); ae != nil && ae.Code == ErrTooManyRequests {
			urlError(w, http.StatusTooManyRequests, "Rate Exceeded.")
			return
		}
		urlError(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	rp, ok := URLReply(out.Payload)
	if out.FunctionError != "" || !ok {
		urlError(w, http.StatusBadGateway, "Internal Server Error")
		return
	}
	writeURLReply(w, r, rp, cfg.Cors)
}

// authorizeURL decides a request to a URL: the caller (nil for AuthType NONE) or the status that
// refuses it.
func (s *Service) authorizeURL(ctx context.Context, r *http.Request, body []byte, e *urlEntry) (*request.Principal, int) {
	arn := e.u.Config.FunctionArn
	conds := map[string][]string{"lambda:FunctionUrlAuthType": {e.u.Config.AuthType}, "lambda:InvokedViaFunctionUrl": {"true"}}
	var caller *request.Principal
	if e.u.Config.AuthType == "AWS_IAM" {
		if s.urlAuth.Authenticate == nil {
			return nil, http.StatusForbidden
		}
		p, err := s.urlAuth.Authenticate(ctx, r, body)
		if err != nil {
			return nil, http.StatusForbidden
		}
		caller = p
	}
	if s.urlAuth.Authorize == nil {
		return caller, 0
	}
	_, doc, err := s.ResourcePolicy(ctx, arn)
	if err != nil {
		return nil, http.StatusInternalServerError
	}
	for _, action := range []string{"lambda:InvokeFunctionUrl", "lambda:InvokeFunction"} {
		if caller != nil {
			err = s.urlAuth.Authorize(ctx, caller, action, arn, doc, conds)
		} else {
			err = anonymousAllowed(action, arn, e.idx.Account, doc, conds, s.cfg.Now())
		}
		if err != nil {
			return nil, http.StatusForbidden
		}
	}
	return caller, 0
}

var errNotAllowed = errors.New("not allowed")

// anonymousAllowed decides an anonymous caller's action with the function's policy alone.
func anonymousAllowed(action, arn, owner, doc string, conds map[string][]string, now time.Time) error {
	if doc == "" {
		return errNotAllowed
	}
	pol, err := policy.Parse(doc, policy.Resource)
	if err != nil {
		return err
	}
	req := &policy.Request{Principal: policy.Principal{Type: "Anonymous", ARN: "*"}, Action: action, Resource: arn, ResourceAccount: owner}
	for k, v := range conds {
		req.Set(k, v...)
	}
	req.Set("aws:CurrentTime", now.UTC().Format(time.RFC3339))
	if policy.Evaluate(req, &policy.Policies{Resource: pol}).Decision != policy.Allowed {
		return errNotAllowed
	}
	return nil
}

// urlEvent builds the payload 2.0 event of a URL request, as Lambda does: header names
// lowercased with repeated values joined by commas, cookies apart, routeKey and stage
// "$default", the URL id as apiId and domainPrefix.
func (s *Service) urlEvent(r *http.Request, body []byte, e *urlEntry, path string, caller *request.Principal, info *request.Info) ([]byte, error) {
	now := s.cfg.Now()
	sourceIP := r.RemoteAddr
	if h, _, err := net.SplitHostPort(sourceIP); err == nil {
		sourceIP = h
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	rawPath := path
	if p, err := url.PathUnescape(path); err == nil {
		rawPath = p
	}
	ev := apigatewayv2.NewHTTPRequest(r, body, sourceIP)
	ev.RouteKey, ev.RawPath = "$default", rawPath
	ev.RequestContext = apigatewayv2.HTTPRequestContext{AccountID: "anonymous", APIID: e.u.ID,
		DomainName: host, DomainPrefix: e.u.ID, RequestID: info.ID, RouteKey: "$default", Stage: "$default",
		Time: now.UTC().Format("02/Jan/2006:15:04:05 -0700"), TimeEpoch: now.UnixMilli(),
		HTTP: apigatewayv2.HTTPDescription{Method: r.Method, Path: rawPath, Protocol: r.Proto, SourceIP: sourceIP, UserAgent: r.UserAgent()}}
	if caller != nil {
		ev.RequestContext.AccountID = caller.Account
		ev.RequestContext.Authorizer = &apigatewayv2.AuthorizerInfo{IAM: &apigatewayv2.IAMInfo{AccessKey: caller.AccessKeyID,
			AccountID: caller.Account, CallerID: caller.UserID, UserARN: caller.ARN, UserID: caller.UserID}}
	}
	return json.Marshal(ev)
}

// Reply is a function's answer to a URL request as the client gets it.
type Reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// URLReply reads a function's answer to a URL request by API Gateway's payload 2.0 rules
// (apigatewayv2.FunctionReply2): an object with a statusCode is a response (headers,
// multiValueHeaders, cookies, body, isBase64Encoded); any other JSON value is a 200 with that
// value as an application/json body; anything else is no answer (ok false). A response without
// a Content-Type is application/json, as Lambda answers it.
func URLReply(payload []byte) (*Reply, bool) {
	status, header, body, ok := apigatewayv2.FunctionReply2(payload)
	if !ok {
		return nil, false
	}
	if header.Get("Content-Type") == "" {
		header.Set("Content-Type", "application/json")
	}
	return &Reply{Status: status, Header: header, Body: body}, true
}

func writeURLReply(w http.ResponseWriter, r *http.Request, rp *Reply, cors *Cors) {
	h := w.Header()
	for k, vs := range rp.Header {
		if strings.EqualFold(k, "Content-Length") || strings.EqualFold(k, "Transfer-Encoding") {
			continue
		}
		h[http.CanonicalHeaderKey(k)] = vs
	}
	corsHeaders(h, r, cors)
	h.Set("Content-Length", strconv.Itoa(len(rp.Body)))
	w.WriteHeader(rp.Status)
	w.Write(rp.Body)
}

// corsAllows reports whether the URL's Cors allows an origin, and the value to echo.
func corsOrigin(c *Cors, origin string) (string, bool) {
	if origin == "" {
		return "", false
	}
	for _, o := range c.AllowOrigins {
		if o == "*" || strings.EqualFold(o, origin) {
			return origin, true
		}
	}
	return "", false
}

// corsHeaders sets the CORS headers of an answer: the URL's settings replace the function's own.
func corsHeaders(h http.Header, r *http.Request, c *Cors) {
	if c == nil {
		return
	}
	for k := range h {
		if strings.HasPrefix(strings.ToLower(k), "access-control-") {
			delete(h, k)
		}
	}
	origin, ok := corsOrigin(c, r.Header.Get("Origin"))
	if !ok {
		return
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	if len(c.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ","))
	}
	if c.AllowCredentials != nil && *c.AllowCredentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
}

// corsPreflight answers an OPTIONS preflight from the URL's Cors, without running the function;
// it reports whether the request was one.
func corsPreflight(w http.ResponseWriter, r *http.Request, c *Cors) bool {
	if r.Method != http.MethodOptions || r.Header.Get("Origin") == "" || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	h := w.Header()
	origin, ok := corsOrigin(c, r.Header.Get("Origin"))
	method := strings.ToUpper(r.Header.Get("Access-Control-Request-Method"))
	methodOK := false
	for _, m := range c.AllowMethods {
		methodOK = methodOK || m == "*" || strings.EqualFold(m, method)
	}
	if ok && methodOK {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Methods", strings.ToUpper(strings.Join(c.AllowMethods, ",")))
		if len(c.AllowHeaders) > 0 {
			h.Set("Access-Control-Allow-Headers", strings.Join(c.AllowHeaders, ","))
		}
		if c.MaxAge != nil {
			h.Set("Access-Control-Max-Age", strconv.Itoa(int(*c.MaxAge)))
		}
		if c.AllowCredentials != nil && *c.AllowCredentials {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
		if len(c.ExposeHeaders) > 0 {
			h.Set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ","))
		}
	}
	h.Add("Vary", "Origin")
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return true
}
