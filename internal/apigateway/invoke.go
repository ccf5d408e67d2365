package apigateway

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

// Invoke URLs: http://<api-id>.execute-api.localhost:<port>/<stage>/<path>, and for clients
// that cannot set a host, http://localhost:<port>/_gureum/execute-api/<api-id>/<stage>/<path>.
const (
	invokeHost   = "*.execute-api.localhost"
	invokePrefix = "/_gureum/execute-api/"
	// maxInvokeBody is API Gateway's payload limit (10 MB).
	maxInvokeBody = 10 << 20
	// cacheTTL is how long a node serves a stage's deployment, a key and its plans from memory
	// before it reads them again (changes made on this node are seen at once).
	cacheTTL = time.Second
)

func (s *Service) endpoints() []service.Endpoint {
	return []service.Endpoint{{Name: "execute-api", Host: invokeHost, Prefix: invokePrefix, Handler: http.HandlerFunc(s.serveInvoke),
		Match: func(_ context.Context, host string) bool { _, ok := domain.InvokeHost(host); return ok }}}
}

// gatewayError is a gateway response: API Gateway's own answer before or instead of the
// integration's, of a response type that the API may customise (PutGatewayResponse).
type gatewayError struct {
	status  int
	typ     string // x-amzn-ErrorType
	message string
	rtype   string // the gateway response type
	key     string // the default body's member: "message", or "Message" for IAM's denials
}

var (
	errMissingToken   = &gatewayError{403, "MissingAuthenticationTokenException", "Missing Authentication Token", "MISSING_AUTHENTICATION_TOKEN", ""}
	errForbidden      = &gatewayError{403, "ForbiddenException", "Forbidden", "ACCESS_DENIED", ""}
	errInvalidKey     = &gatewayError{403, "ForbiddenException", "Forbidden", "INVALID_API_KEY", ""}
	errThrottled      = &gatewayError{429, "TooManyRequestsException", "Too Many Requests", "THROTTLED", ""}
	errQuota          = &gatewayError{429, "LimitExceededException", "Limit Exceeded", "QUOTA_EXCEEDED", ""}
	errInternal       = &gatewayError{500, "InternalServerErrorException", "Internal server error", "API_CONFIGURATION_ERROR", ""}
	errBadGateway     = &gatewayError{502, "InternalServerErrorException", "Internal server error", "DEFAULT_5XX", ""}
	errTimeout        = &gatewayError{504, "InternalServerErrorException", "Endpoint request timed out", "INTEGRATION_TIMEOUT", ""}
	errUnsupportedMT  = &gatewayError{415, "UnsupportedMediaTypeException", "Unsupported Media Type", "UNSUPPORTED_MEDIA_TYPE", ""}
	errNotFound       = &gatewayError{404, "NotFoundException", "Not Found", "RESOURCE_NOT_FOUND", ""}
	errTooLarge       = &gatewayError{413, "RequestTooLongException", "Request Too Long", "REQUEST_TOO_LARGE", ""}
	errBadRequestBody = &gatewayError{400, "BadRequestException", "Invalid request body", "BAD_REQUEST_BODY", ""}
	errUnauthorized   = &gatewayError{401, "UnauthorizedException", "Unauthorized", "UNAUTHORIZED", ""}
)

// deployed is a stage as the data plane serves it: the deployment's snapshot of the API and the
// resource tree indexed for matching.
type deployed struct {
	account  string
	apiID    string
	api      RestAPI
	stage    Stage
	root     *Resource
	children map[string][]*Resource
	// gatewayResponses are the deployment's customised gateway responses by type.
	gatewayResponses map[string]*GatewayResponse
	models           map[string]*Model
	validators       map[string]*RequestValidator
	authorizers      map[string]*Authorizer
	at               time.Time
	// canary serves canaryPercent of the stage's requests (canarySettings); isCanary marks it.
	canary        *deployed
	canaryPercent float64
	isCanary      bool
}

// newDeployed indexes a deployment's resource tree for a stage.
func newDeployed(account, apiID string, api RestAPI, st Stage, dep *deploymentDoc, now time.Time) *deployed {
	d := &deployed{account: account, apiID: apiID, api: api, stage: st, children: map[string][]*Resource{},
		gatewayResponses: dep.API.GatewayResponses, models: dep.API.Models, validators: dep.API.Validators,
		authorizers: dep.API.Authorizers, at: now}
	for _, r := range dep.API.Resources {
		if r.ParentID == "" {
			d.root = r
		} else {
			d.children[r.ParentID] = append(d.children[r.ParentID], r)
		}
	}
	return d
}

// pick chooses the deployment that serves one request: the canary for its share of traffic.
func (d *deployed) pick(draw float64) *deployed {
	if d.canary != nil && draw*100 < d.canaryPercent {
		return d.canary
	}
	return d
}

type routeCache struct {
	mu sync.Mutex
	m  map[string]*deployed // "<api>/<stage>"
}

func (c *routeCache) drop(apiID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.m {
		if strings.HasPrefix(k, apiID+"/") {
			delete(c.m, k)
		}
	}
}

// deployedStage finds a stage's deployment; nil when there is no such API or stage.
func (s *Service) deployedStage(ctx context.Context, apiID, stage string) (*deployed, error) {
	key := apiID + "/" + stage
	now := s.now()
	s.routes.mu.Lock()
	d := s.routes.m[key]
	s.routes.mu.Unlock()
	if d != nil && now.Sub(d.at) < cacheTTL && !now.Before(d.at) {
		return d, nil
	}
	obj, err := s.store.APIObject(ctx, store.KindStage, "", apiID, stage)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var st Stage
	if err := json.Unmarshal(obj.Doc, &st); err != nil {
		return nil, err
	}
	dep, err := s.loadDeployment(ctx, obj.Account, apiID, st.DeploymentID)
	if err != nil {
		return nil, err
	}
	api := dep.API.API
	// The API's current settings (keys' source, endpoint type, binary types) apply at once, as
	// AWS applies them without a redeployment; its resource policy is the deployed one (AWS
	// applies a changed policy when the API is deployed again).
	if cur, err := s.store.APIObject(ctx, store.KindRestAPI, obj.Account, "", apiID); err == nil {
		var doc restAPIDoc
		if json.Unmarshal(cur.Doc, &doc) == nil {
			api = doc.API
			api.Policy = dep.API.API.Policy
		}
	}
	d = newDeployed(obj.Account, apiID, api, st, dep, now)
	if c := st.CanarySettings; c != nil && c.DeploymentID != "" && c.PercentTraffic > 0 {
		cdep, err := s.loadDeployment(ctx, obj.Account, apiID, c.DeploymentID)
		if err != nil {
			return nil, err
		}
		cst := st
		cst.Variables = map[string]string{}
		for k, v := range st.Variables {
			cst.Variables[k] = v
		}
		for k, v := range c.StageVariableOverrides {
			cst.Variables[k] = v
		}
		cdep.API.API.Policy = dep.API.API.Policy
		d.canary = newDeployed(obj.Account, apiID, api, cst, cdep, now)
		d.canary.isCanary = true
		d.canaryPercent = c.PercentTraffic
	}
	s.routes.mu.Lock()
	s.routes.m[key] = d
	s.routes.mu.Unlock()
	return d, nil
}

// match finds the resource for a path's segments as API Gateway does: at each level a literal
// part first, then a {param}, then a greedy {proxy+} that takes the rest.
func (d *deployed) match(segs []string) (*Resource, map[string]string) {
	if d.root == nil {
		return nil, nil
	}
	params := map[string]string{}
	if r := d.walk(d.root, segs, params); r != nil {
		return r, params
	}
	return nil, nil
}

func (d *deployed) walk(node *Resource, segs []string, params map[string]string) *Resource {
	if len(segs) == 0 {
		return node
	}
	kids := d.children[node.ID]
	for _, c := range kids {
		if c.PathPart == segs[0] {
			if r := d.walk(c, segs[1:], params); r != nil {
				return r
			}
		}
	}
	for _, c := range kids {
		if isVariable(c.PathPart) && !isGreedy(c.PathPart) && segs[0] != "" {
			name := c.PathPart[1 : len(c.PathPart)-1]
			if r := d.walk(c, segs[1:], params); r != nil {
				params[name] = segs[0]
				return r
			}
		}
	}
	for _, c := range kids {
		if isGreedy(c.PathPart) {
			params[c.PathPart[1:len(c.PathPart)-2]] = strings.Join(segs, "/")
			return c
		}
	}
	return nil
}

// splitInvoke reads the API id, stage and resource path from an invoke request.
func splitInvoke(r *http.Request) (apiID, stage, path string) {
	p := r.URL.EscapedPath()
	if strings.HasPrefix(p, invokePrefix) {
		rest := p[len(invokePrefix):]
		apiID, p, _ = strings.Cut(rest, "/")
		p = "/" + p
	} else {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		apiID, _ = domain.InvokeHost(host)
	}
	rest := strings.TrimPrefix(p, "/")
	stage, path, _ = strings.Cut(rest, "/")
	return apiID, stage, "/" + path
}

// invocation is one data-plane request on its way through the gateway.
type invocation struct {
	r          *http.Request
	body       []byte
	d          *deployed
	resource   *Resource
	method     *Method
	verb       string
	path       string // the resource path as requested (/pets/7)
	pathParams map[string]string
	// gatewayResponses are the deployed API's customised gateway responses.
	gatewayResponses map[string]*GatewayResponse
	authorizer       map[string]any // what a Lambda authorizer returned: principalId and its context
	usageKey         string         // the API key a Lambda authorizer named (apiKeySource AUTHORIZER)
	requestID        string
	gatewayID        string
	apiKey           string
	apiKeyID         string
	caller           *request.Principal // the SigV4-verified caller of an AWS_IAM method
	cacheHit         bool               // answered from the stage's cache
	cacheable        bool               // the method is cached on the stage
	// integrationLatency is how long the integration took (0: none ran), integrationStatus its status.
	integrationLatency time.Duration
	integrationStatus  int
	now                time.Time
	failure            string // why the integration could not run, for the execution log
}

func (s *Service) serveInvoke(w http.ResponseWriter, r *http.Request) {
	inv := &invocation{r: r, requestID: request.From(r.Context()).ID, gatewayID: randomString(16, keyAlphabet[:52]+"0123456789"), now: s.now()}
	if inv.requestID == "" {
		inv.requestID = request.NewID()
	}
	ans, gerr := s.invoke(r.Context(), inv)
	h := w.Header()
	h.Set("x-amzn-RequestId", inv.requestID)
	h.Set("x-amz-apigw-id", inv.gatewayID)
	if gerr != nil {
		ans = s.gatewayResponse(inv, gerr)
		h.Set("x-amzn-ErrorType", gerr.typ)
	}
	for k, vs := range ans.header {
		h[k] = vs
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	w.WriteHeader(ans.status)
	if r.Method != http.MethodHead {
		w.Write(ans.body)
	}
	s.record(inv, ans.status, len(ans.body), gerr)
}

// answer is an integration's answer as the client gets it.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// invoke runs a request through the gateway: route, checks, integration.
func (s *Service) invoke(ctx context.Context, inv *invocation) (*answer, *gatewayError) {
	apiID, stage, path := splitInvoke(inv.r)
	d, err := s.deployedStage(ctx, apiID, stage)
	if err != nil {
		return nil, errInternal
	}
	if d == nil {
		if stage == "" || apiID == "" {
			return nil, errNotFound
		}
		return nil, errForbidden
	}
	d = d.pick(s.draw())
	inv.d = d
	inv.gatewayResponses = d.gatewayResponses
	if gerr := reachable(ctx, &d.api); gerr != nil {
		return nil, gerr
	}
	segs := splitPath(path)
	res, params := d.match(segs)
	if res == nil {
		return nil, errMissingToken
	}
	inv.resource, inv.pathParams, inv.path, inv.verb = res, params, path, inv.r.Method
	m := res.ResourceMethods[inv.r.Method]
	if m == nil {
		m = res.ResourceMethods["ANY"]
	}
	if m == nil || m.MethodIntegration == nil {
		return nil, errMissingToken
	}
	inv.method = m
	// The body is read first: an AWS_IAM method's signature covers its hash.
	body, err := io.ReadAll(io.LimitReader(inv.r.Body, maxInvokeBody+1))
	if err != nil {
		return nil, errBadRequestBody
	}
	if len(body) > maxInvokeBody {
		return nil, errTooLarge
	}
	inv.body = body
	if gerr := s.authorize(ctx, inv); gerr != nil {
		return nil, gerr
	}
	if gerr := s.permit(ctx, inv); gerr != nil {
		return nil, gerr
	}
	if gerr := s.meter(ctx, inv); gerr != nil {
		return nil, gerr
	}
	if gerr := s.validate(inv); gerr != nil {
		return nil, gerr
	}
	hit, key, ttl, gerr := s.fromCache(ctx, inv)
	if gerr != nil || hit != nil {
		return hit, gerr
	}
	inv.cacheable = ttl > 0
	start := s.now()
	ans, gerr := s.integrate(ctx, inv)
	inv.integrationLatency = max(s.now().Sub(start), 1) // an integration ran, however fast
	if gerr == nil {
		inv.integrationStatus = ans.status
		if ttl > 0 {
			s.toCache(inv, key, ttl, ans)
		}
	}
	return ans, gerr
}

// splitPath splits a resource path into its unescaped segments ("/" is none).
func splitPath(path string) []string {
	path = strings.TrimPrefix(path, "/")
	if path == "" {
		return nil
	}
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = unescapePathSegment(s)
	}
	return segs
}

// authorize applies the method's authorization type: AWS_IAM verifies the request's signature
// (permit then decides execute-api:Invoke), CUSTOM runs the Lambda authorizer.
func (s *Service) authorize(ctx context.Context, inv *invocation) *gatewayError {
	switch inv.method.AuthorizationType {
	case "AWS_IAM":
		return s.authenticate(ctx, inv)
	case "CUSTOM":
		return s.customAuthorize(ctx, inv)
	case "COGNITO_USER_POOLS":
		return errUnauthorized
	}
	return nil
}

// meter enforces API keys, usage plans and throttles, most specific first: the key's plan
// (per-method override, else the plan's throttle, then its quota), the stage's method settings,
// then the account.
func (s *Service) meter(ctx context.Context, inv *invocation) *gatewayError {
	d := inv.d
	if inv.method.APIKeyRequired {
		if gerr := s.checkKey(ctx, inv); gerr != nil {
			return gerr
		}
	}
	if ms := stageMethodSetting(d.stage, inv.resource.Path, inv.method.HTTPMethod); ms != nil {
		if !s.limits.Allow("stage:"+d.apiID+"/"+d.stage.StageName+":"+inv.resource.Path+"/"+inv.method.HTTPMethod, ms.ThrottlingRateLimit, ms.ThrottlingBurstLimit, inv.now) {
			return errThrottled
		}
	}
	if !s.limits.Allow("account:"+d.account, s.accountRate, s.accountBurst, inv.now) {
		return errThrottled
	}
	return nil
}

// stageMethodSetting is the stage's method setting for a method: its own, else "*/*".
func stageMethodSetting(st Stage, resourcePath, verb string) *MethodSetting {
	key := strings.ReplaceAll(strings.TrimPrefix(resourcePath, "/"), "/", "~1")
	if ms := st.MethodSettings["~1"+key+"/"+verb]; ms != nil && resourcePath != "/" {
		return ms
	}
	if ms := st.MethodSettings["~1/"+verb]; ms != nil && resourcePath == "/" {
		return ms
	}
	return st.MethodSettings["*/*"]
}

// checkKey finds the request's API key, the plan that covers this stage for it, and applies
// the plan's throttle and quota.
func (s *Service) checkKey(ctx context.Context, inv *invocation) *gatewayError {
	d := inv.d
	value := inv.r.Header.Get("x-api-key")
	if d.api.APIKeySource == "AUTHORIZER" {
		value = inv.usageKey
	}
	if value == "" {
		return errInvalidKey
	}
	ka, err := s.keyAuth(ctx, d.account, value, inv.now)
	if err != nil {
		return errInternal
	}
	if ka == nil || !ka.key.Enabled {
		return errInvalidKey
	}
	plan, as := ka.planFor(d.apiID, d.stage.StageName)
	if plan == nil {
		return errInvalidKey
	}
	inv.apiKey, inv.apiKeyID = value, ka.key.ID
	p := plan.Plan
	method := inv.resource.Path + "/" + inv.method.HTTPMethod
	bucket := "plan:" + p.ID + ":key:" + ka.key.ID + ":"
	if t := as.Throttle[method]; t != nil {
		if !s.limits.Allow(bucket+method, t.RateLimit, t.BurstLimit, inv.now) {
			return errThrottled
		}
	} else if t := p.Throttle; t != nil {
		if !s.limits.Allow(bucket+"*", t.RateLimit, t.BurstLimit, inv.now) {
			return errThrottled
		}
	}
	return s.consume(ctx, plan, ka.key.ID, inv.now)
}

// consume counts a request against the key's quota (or, without one, only in its daily usage).
func (s *Service) consume(ctx context.Context, plan *planDoc, keyID string, now time.Time) *gatewayError {
	q := plan.Plan.Quota
	if q == nil {
		s.usage.add(plan.Plan.ID, keyID, now.UTC().Format(dayLayout))
		return nil
	}
	period := periodStart(q, now)
	limit := q.Limit
	if periodStart(q, time.Unix(plan.Created, 0).UTC()).Equal(period) {
		limit -= q.Offset
	}
	_, ok, err := s.store.ConsumeQuota(ctx, plan.Plan.ID, keyID, period.Format(dayLayout), now.UTC().Format(dayLayout), limit)
	if err != nil {
		return errInternal
	}
	if !ok {
		return errQuota
	}
	return nil
}

// keyAuth is an API key with its usage plans, as the data plane checks them.
type keyAuth struct {
	key   store.APIKey
	plans []*planDoc
	at    time.Time
}

func (ka *keyAuth) planFor(apiID, stage string) (*planDoc, *APIStage) {
	for _, p := range ka.plans {
		for i := range p.Plan.APIStages {
			if as := &p.Plan.APIStages[i]; as.APIID == apiID && as.Stage == stage {
				return p, as
			}
		}
	}
	return nil, nil
}

type keyCache struct {
	mu sync.Mutex
	m  map[string]*keyAuth // "<account>/<value>"
}

// keyAuth reads a key by value with its plans (from memory for up to cacheTTL); nil when the
// account has no such key.
func (s *Service) keyAuth(ctx context.Context, account, value string, now time.Time) (*keyAuth, error) {
	ck := account + "/" + value
	s.keys.mu.Lock()
	ka := s.keys.m[ck]
	s.keys.mu.Unlock()
	if ka != nil && now.Sub(ka.at) < cacheTTL && !now.Before(ka.at) {
		return ka, nil
	}
	k, err := s.store.APIKeyByValue(ctx, account, value)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ids, err := s.store.KeyUsagePlans(ctx, account, k.ID)
	if err != nil {
		return nil, err
	}
	ka = &keyAuth{key: k, at: now}
	for _, id := range ids {
		obj, err := s.store.APIObject(ctx, store.KindUsagePlan, account, "", id)
		if err != nil {
			continue
		}
		var p planDoc
		if json.Unmarshal(obj.Doc, &p) == nil {
			ka.plans = append(ka.plans, &p)
		}
	}
	s.keys.mu.Lock()
	s.keys.m[ck] = ka
	s.keys.mu.Unlock()
	return ka, nil
}

// forgetKeys drops the cached keys and plans (a key or plan changed on this node).
func (c *keyCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
}
