package apigatewayv2

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/gureum/gureum/internal/apigateway/domain"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
)

const (
	// invokePrefix is the path form of v2 invoke URLs: /_gureum/execute-api-v2/<api-id>/….
	invokePrefix = "/_gureum/execute-api-v2/"
	// sharedPrefix is API Gateway v1's path form, which v2 APIs answer too (Claim).
	sharedPrefix = "/_gureum/execute-api/"
	// maxInvokeBody is API Gateway's payload limit (10 MB).
	maxInvokeBody = 10 << 20
	// cacheTTL is how long a node serves an API from memory before it reads it again (changes
	// made on this node are seen at once).
	cacheTTL = time.Second
)

func (s *Service) endpoints() []service.Endpoint {
	return []service.Endpoint{
		{Name: "execute-api-v2", Prefix: invokePrefix, Handler: http.HandlerFunc(s.serve)},
		{Name: "execute-api-domain", Prefix: domainPathPrefix, Handler: http.HandlerFunc(s.serveDomain)},
		{Name: "execute-api-domain-host", Match: s.domains.Match, Handler: http.HandlerFunc(s.serveDomainHost)},
	}
}

// Claim returns the handler of the invoke addresses API Gateway's two generations share (the
// host <api-id>.execute-api.localhost and the path /_gureum/execute-api/<api-id>/): a request
// for an HTTP or WebSocket API is served here, any other goes to next (the REST APIs' data plane),
// which also serves custom domains' mappings to REST APIs. Call it once, before serving.
func (s *Service) Claim(next http.Handler) http.Handler {
	s.restPlane = next
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := splitTarget(r)
		if id != "" {
			if api, err := s.apis.get(r.Context(), s, id); err == nil && api != nil {
				s.serve(w, r)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// splitTarget finds the API a request addresses and the path after it (with the stage, if any).
func splitTarget(r *http.Request) (apiID, rest string) {
	p := r.URL.EscapedPath()
	for _, prefix := range []string{invokePrefix, sharedPrefix} {
		if tail, ok := strings.CutPrefix(p, prefix); ok {
			apiID, rest, _ = strings.Cut(tail, "/")
			return apiID, "/" + rest
		}
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	apiID, _ = domain.InvokeHost(host)
	return apiID, p
}

// gatewayError is the gateway's own answer: {"message": …} with a status.
type gatewayError struct {
	status  int
	message string
}

func (e *gatewayError) Error() string { return e.message }

var (
	errNotFound     = &gatewayError{404, "Not Found"}
	errUnauthorized = &gatewayError{401, "Unauthorized"}
	errForbidden    = &gatewayError{403, "Forbidden"}
	errThrottled    = &gatewayError{429, "Too Many Requests"}
	errTooLarge     = &gatewayError{413, "Request Entity Too Large"}
	errInternal     = &gatewayError{500, "Internal Server Error"}
	errUnavailable  = &gatewayError{503, "Service Unavailable"}
)

func writeGatewayError(w http.ResponseWriter, e *gatewayError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	b, _ := json.Marshal(map[string]string{"message": e.message})
	w.Write(b)
}

// cachedAPI is an API as the data plane serves it, read at most cacheTTL ago.
type cachedAPI struct {
	account string
	doc     *apiDoc
	loaded  time.Time
	mu      sync.Mutex
	stages  map[string]*servedStage // by stage name, built on first use
}

// servedStage is a stage as its requests see it: its deployment's routes, integrations and
// authorizers (the API's own for a stage that deploys automatically).
type servedStage struct {
	stage        *Stage
	routes       *routeTable
	byKey        map[string]*Route
	integrations map[string]*Integration
	authorizers  map[string]*Authorizer
	cors         *Cors
}

// apiCache holds the APIs this node served lately; nil entries remember an id that is no API.
type apiCache struct {
	mu sync.Mutex
	m  map[string]*cachedAPI
}

func (c *apiCache) drop(id string) {
	c.mu.Lock()
	delete(c.m, id)
	c.mu.Unlock()
}

// get answers an API by id (nil when there is none), from memory when read within cacheTTL.
func (c *apiCache) get(ctx context.Context, s *Service, id string) (*cachedAPI, error) {
	now := s.now()
	c.mu.Lock()
	a, ok := c.m[id]
	c.mu.Unlock()
	if ok && now.Sub(a.loaded) < cacheTTL {
		if a.doc == nil {
			return nil, nil
		}
		return a, nil
	}
	obj, err := s.store.APIObject(ctx, kindAPI, "", "", id)
	a = &cachedAPI{loaded: now, stages: map[string]*servedStage{}}
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		var doc apiDoc
		if err := json.Unmarshal(obj.Doc, &doc); err != nil {
			return nil, err
		}
		a.doc, a.account = &doc, obj.Account
	}
	c.mu.Lock()
	if len(c.m) > 10000 {
		clear(c.m)
	}
	c.m[id] = a
	c.mu.Unlock()
	if a.doc == nil {
		return nil, nil
	}
	return a, nil
}

// stage answers a stage of a cached API as its requests see it; nil when there is no such stage
// or it has nothing deployed.
func (a *cachedAPI) stage(ctx context.Context, s *Service, name string) (*servedStage, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if ss, ok := a.stages[name]; ok {
		return ss, nil
	}
	st := a.doc.Stages[name]
	if st == nil {
		return nil, nil
	}
	snap := snapshot{Routes: a.doc.Routes, Integrations: a.doc.Integrations, Authorizers: a.doc.Authorizers, Cors: a.doc.API.CorsConfiguration}
	if !st.AutoDeploy {
		if st.DeploymentID == "" {
			a.stages[name] = nil
			return nil, nil
		}
		obj, err := s.store.APIObject(ctx, kindDeployment, a.account, a.doc.API.APIID, st.DeploymentID)
		if errors.Is(err, store.ErrNotFound) {
			a.stages[name] = nil
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		var d deploymentDoc
		if err := json.Unmarshal(obj.Doc, &d); err != nil {
			return nil, err
		}
		snap = d.Snapshot
	}
	ss := &servedStage{stage: st, routes: newRouteTable(snap.Routes), byKey: map[string]*Route{},
		integrations: snap.Integrations, authorizers: snap.Authorizers, cors: snap.Cors}
	for _, r := range snap.Routes {
		ss.byKey[r.RouteKey] = r
	}
	a.stages[name] = ss
	return ss, nil
}

// serve answers a request to an HTTP or WebSocket API.
func (s *Service) serve(w http.ResponseWriter, r *http.Request) {
	requestID := request.From(r.Context()).ID
	if requestID == "" {
		requestID = request.NewID()
	}
	w.Header().Set("Apigw-Requestid", requestID)
	apiID, rest := splitTarget(r)
	api, err := s.apis.get(r.Context(), s, apiID)
	if err != nil {
		writeGatewayError(w, errInternal)
		return
	}
	if api == nil || api.doc.API.DisableExecuteAPIEndpoint {
		writeGatewayError(w, errNotFound)
		return
	}
	if api.doc.API.ProtocolType == protocolWebSocket {
		s.serveWebSocket(w, r, api, rest, requestID)
		return
	}
	stageName, path, ok := pickStage(api.doc, rest)
	if !ok {
		writeGatewayError(w, errNotFound)
		return
	}
	s.serveHTTP(w, r, api, stageName, path, stageName != defaultStage, requestID)
}

// pickStage finds the stage of an HTTP API a path addresses: a named stage by its first segment,
// else $default with the whole path.
func pickStage(doc *apiDoc, rest string) (stage, path string, ok bool) {
	first, tail, _ := strings.Cut(strings.TrimPrefix(rest, "/"), "/")
	if first != "" && first != defaultStage && doc.Stages[unescape(first)] != nil {
		return unescape(first), "/" + tail, true
	}
	if doc.Stages[defaultStage] != nil {
		return defaultStage, rest, true
	}
	return "", "", false
}

// serveHTTP answers a request to an HTTP API: stage, CORS preflight, route, throttles,
// authorizer, integration.
// The path is the one under the stage; stageInPath says the client's path began with the
// stage's name (the event's rawPath keeps it, as AWS's does).
func (s *Service) serveHTTP(w http.ResponseWriter, r *http.Request, api *cachedAPI, stageName, path string, stageInPath bool, requestID string) {
	ctx := r.Context()
	ss, err := api.stage(ctx, s, stageName)
	if err != nil {
		writeGatewayError(w, errInternal)
		return
	}
	if ss == nil {
		writeGatewayError(w, errNotFound)
		return
	}
	if ss.cors != nil && isPreflight(r) {
		answerPreflight(w, r, ss.cors)
		return
	}
	route, params := ss.routes.match(r.Method, splitPath(path))
	if route == nil {
		writeReply(w, r, ss.cors, &reply{status: 404, header: jsonHeader(), body: []byte(`{"message":"Not Found"}`)})
		return
	}
	now := s.now()
	c := &call{r: r, requestID: requestID, account: api.account, apiID: api.doc.API.APIID, stage: stageName,
		stageVars: ss.stage.StageVariables, routeKey: route.RouteKey, path: path, rawPath: path, pathParams: params,
		sourceIP: sourceIP(r), timeEpoch: now.UnixMilli(), time: now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
		domainName: hostOnly(r.Host), routeID: route.RouteID}
	if stageInPath {
		c.rawPath = "/" + stageName + path
	}
	if _, p, ok := strings.Cut(route.RouteKey, " "); ok {
		c.resourceTpl = p
	}
	if gerr := s.throttle(api, ss, route, now); gerr != nil {
		writeReply(w, r, ss.cors, errorReply(gerr))
		return
	}
	if r.ContentLength > maxInvokeBody {
		writeReply(w, r, ss.cors, errorReply(errTooLarge))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxInvokeBody+1))
	if err != nil {
		return
	}
	if len(body) > maxInvokeBody {
		writeReply(w, r, ss.cors, errorReply(errTooLarge))
		return
	}
	c.body = body
	if gerr := s.authorize(ctx, api, ss, route, c); gerr != nil {
		writeReply(w, r, ss.cors, errorReply(gerr))
		return
	}
	rp, gerr := s.integrate(ctx, ss, route, c)
	if gerr != nil {
		rp = errorReply(gerr)
	}
	writeReply(w, r, ss.cors, rp)
}

func jsonHeader() http.Header { return http.Header{"Content-Type": {"application/json"}} }

func errorReply(e *gatewayError) *reply {
	b, _ := json.Marshal(map[string]string{"message": e.message})
	return &reply{status: e.status, header: jsonHeader(), body: b}
}

// writeReply sends a reply with the API's CORS headers for the request's origin.
func writeReply(w http.ResponseWriter, r *http.Request, cors *Cors, rp *reply) {
	h := w.Header()
	for k, vs := range rp.header {
		h[k] = vs
	}
	if cors != nil {
		addCORSHeaders(h, r, cors)
	}
	w.WriteHeader(rp.status)
	if r.Method != http.MethodHead {
		w.Write(rp.body)
	}
}

func sourceIP(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

func hostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}
