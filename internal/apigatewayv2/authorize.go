package apigatewayv2

import (
	"context"
	"encoding/json"
	"errors"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/request"
)

// authorize applies a route's authorization: JWT, a Lambda authorizer (CUSTOM), or AWS_IAM
// (a SigV4 signature for execute-api). What the authorizer found goes into the event.
func (s *Service) authorize(ctx context.Context, api *cachedAPI, ss *servedStage, route *Route, c *call) *gatewayError {
	switch route.AuthorizationType {
	case "JWT":
		a := ss.authorizers[route.AuthorizerID]
		if a == nil {
			return errInternal
		}
		vals, ok := identityValues(a.IdentitySource, c)
		if !ok {
			return errUnauthorized
		}
		token := strings.TrimSpace(vals[0])
		if len(token) > 7 && strings.EqualFold(token[:7], "bearer ") {
			token = strings.TrimSpace(token[7:])
		}
		info, err := s.verifyJWT(ctx, a, token, route.AuthorizationScopes)
		if errors.Is(err, errScopes) {
			return errForbidden
		}
		if err != nil {
			return errUnauthorized
		}
		c.authorizer = &AuthorizerInfo{JWT: info}
	case "CUSTOM":
		a := ss.authorizers[route.AuthorizerID]
		if a == nil {
			return errInternal
		}
		return s.lambdaAuthorize(ctx, api, a, c)
	case "AWS_IAM":
		if s.authn == nil {
			return errForbidden
		}
		p, err := s.authn(ctx, c.r, c.body)
		if err != nil {
			return errForbidden
		}
		arn := c.routeARN(s.region)
		if s.authz != nil {
			if err := s.authz(ctx, p, "execute-api:Invoke", arn); err != nil {
				return errForbidden
			}
		} else if p.Account != api.account {
			return errForbidden
		}
		c.authorizer = &AuthorizerInfo{IAM: &IAMInfo{AccessKey: p.AccessKeyID, AccountID: p.Account, CallerID: p.UserID, UserARN: p.ARN, UserID: p.UserID}}
	}
	return nil
}

// identityValues reads an authorizer's identity sources from a request; ok is false when one is
// missing or empty (the gateway then answers 401 without calling the authorizer).
func identityValues(sources []string, c *call) ([]string, bool) {
	out := make([]string, 0, len(sources))
	for _, src := range sources {
		is, err := parseIdentitySource(src)
		if err != nil {
			return nil, false
		}
		var v string
		switch is.from {
		case "header":
			v = strings.Join(c.r.Header.Values(is.name), ",")
		case "querystring":
			v = strings.Join(queryValues(c.r.URL.RawQuery)[is.name], ",")
		case "$stageVariables":
			v = c.stageVars[is.name]
		case "$context":
			v = contextValue(c, is.name)
		}
		if v == "" {
			return nil, false
		}
		out = append(out, v)
	}
	return out, true
}

// contextValue is one of the $context variables an identity source may name.
func contextValue(c *call, name string) string {
	switch name {
	case "requestId":
		return c.requestID
	case "apiId":
		return c.apiID
	case "stage":
		return c.stage
	case "routeKey":
		return c.routeKey
	case "identity.sourceIp":
		return c.sourceIP
	case "identity.userAgent":
		return c.r.UserAgent()
	case "domainName":
		return c.domainName
	}
	return ""
}

// authEntry is a Lambda authorizer's answer kept for its TTL: a simple yes or no, or a policy.
type authEntry struct {
	simple   bool
	allowed  bool
	policy   *iamPolicy
	context  map[string]any
	expires  time.Time
	apiID    string
	identity string
}

// authCache keeps Lambda authorizers' answers by authorizer and identity, on this node.
type authCache struct {
	mu sync.Mutex
	m  map[string]*authEntry
}

func (c *authCache) get(key string, now time.Time) *authEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.m[key]
	if e != nil && now.After(e.expires) {
		delete(c.m, key)
		e = nil
	}
	return e
}

func (c *authCache) put(key string, e *authEntry) {
	c.mu.Lock()
	if len(c.m) > 100000 {
		clear(c.m)
	}
	c.m[key] = e
	c.mu.Unlock()
}

// dropAPI forgets an API's cached answers.
func (c *authCache) dropAPI(apiID string) {
	c.mu.Lock()
	for k, e := range c.m {
		if e.apiID == apiID {
			delete(c.m, k)
		}
	}
	c.mu.Unlock()
}

// lambdaAuthorize calls a Lambda REQUEST authorizer (or takes its cached answer for the same
// identity) and applies it: a simple response's isAuthorized, or an IAM policy's decision on the
// route's ARN. Its context goes into the event.
func (s *Service) lambdaAuthorize(ctx context.Context, api *cachedAPI, a *Authorizer, c *call) *gatewayError {
	vals, ok := identityValues(a.IdentitySource, c)
	if !ok && len(a.IdentitySource) > 0 {
		return errUnauthorized
	}
	ttl := 0
	if a.AuthorizerResultTTLInSeconds != nil {
		ttl = *a.AuthorizerResultTTLInSeconds
	}
	now := s.now()
	key := api.doc.API.APIID + "\x00" + a.AuthorizerID + "\x00" + strings.Join(vals, "\x00")
	e := (*authEntry)(nil)
	if ttl > 0 {
		e = s.authCache.get(key, now)
	}
	if e == nil {
		var gerr *gatewayError
		if e, gerr = s.callAuthorizer(ctx, a, c, vals); gerr != nil {
			return gerr
		}
		if ttl > 0 {
			e.expires, e.apiID = now.Add(time.Duration(ttl)*time.Second), api.doc.API.APIID
			s.authCache.put(key, e)
		}
	}
	allowed := e.allowed
	if !e.simple {
		allowed = e.policy.allows(c.routeARN(s.region))
	}
	if !allowed {
		return errForbidden
	}
	c.authorizer = &AuthorizerInfo{Lambda: e.context}
	return nil
}

// routeARN is the ARN a Lambda authorizer's policy is decided on.
func (c *call) routeARN(region string) string {
	if c.webSocket {
		return "arn:aws:execute-api:" + region + ":" + c.account + ":" + c.apiID + "/" + c.stage + "/" + c.routeKey
	}
	return "arn:aws:execute-api:" + region + ":" + c.account + ":" + c.apiID + "/" + c.stage + "/" + c.r.Method + c.path
}

// callAuthorizer runs the authorizer function with the event of its payload format.
func (s *Service) callAuthorizer(ctx context.Context, a *Authorizer, c *call, identity []string) (*authEntry, *gatewayError) {
	if s.functions == nil {
		return nil, errInternal
	}
	var event []byte
	if a.AuthorizerPayloadFormatVersion == "2.0" {
		ev := authorizerEvent20{Version: "2.0", Type: "REQUEST", RouteArn: c.routeARN(s.region), IdentitySource: identity,
			RouteKey: c.routeKey, RawPath: c.rawPath, RawQueryString: c.r.URL.RawQuery, Headers: map[string]string{},
			PathParameters: c.pathParams, StageVariables: nonEmpty(c.stageVars), RequestContext: c.context20()}
		for name, vs := range c.r.Header {
			if strings.EqualFold(name, "cookie") {
				for _, v := range vs {
					for _, ck := range strings.Split(v, ";") {
						if ck = strings.TrimSpace(ck); ck != "" {
							ev.Cookies = append(ev.Cookies, ck)
						}
					}
				}
				continue
			}
			ev.Headers[strings.ToLower(name)] = strings.Join(vs, ",")
		}
		if q := queryValues(c.r.URL.RawQuery); len(q) > 0 {
			ev.QueryStringParameters = map[string]string{}
			for k, vs := range q {
				ev.QueryStringParameters[k] = strings.Join(vs, ",")
			}
		}
		event, _ = json.Marshal(ev)
	} else {
		proxy, err := c.event10()
		if err != nil {
			return nil, errInternal
		}
		var ev map[string]any
		json.Unmarshal(proxy, &ev)
		ev["type"], ev["methodArn"], ev["identitySource"] = "REQUEST", c.routeARN(s.region), strings.Join(identity, ",")
		delete(ev, "body")
		delete(ev, "isBase64Encoded")
		event, _ = json.Marshal(ev)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	src := request.Source{ARN: "arn:aws:execute-api:" + s.region + ":" + c.account + ":" + c.apiID + "/authorizers/" + a.AuthorizerID,
		Account: c.account, Role: credentialsRole(a.AuthorizerCredentialsArn)}
	out, fnErr, err := s.functions.Invoke(ctx, functionARN(a.AuthorizerURI), src, event)
	if err != nil || fnErr != "" {
		return nil, errInternal
	}
	if a.EnableSimpleResponses {
		var resp struct {
			IsAuthorized *bool          `json:"isAuthorized"`
			Context      map[string]any `json:"context"`
		}
		if json.Unmarshal(out, &resp) != nil || resp.IsAuthorized == nil {
			return nil, errInternal
		}
		return &authEntry{simple: true, allowed: *resp.IsAuthorized, context: resp.Context}, nil
	}
	var resp struct {
		PrincipalID    string         `json:"principalId"`
		PolicyDocument *iamPolicy     `json:"policyDocument"`
		Context        map[string]any `json:"context"`
	}
	if json.Unmarshal(out, &resp) != nil || resp.PolicyDocument == nil {
		return nil, errInternal
	}
	ctxMap := resp.Context
	if resp.PrincipalID != "" {
		if ctxMap == nil {
			ctxMap = map[string]any{}
		}
		ctxMap["principalId"] = resp.PrincipalID
	}
	return &authEntry{policy: resp.PolicyDocument, context: ctxMap}, nil
}

// authorizerEvent20 is a Lambda authorizer's event of payload format 2.0 (aws-lambda-go's
// events.APIGatewayV2CustomAuthorizerV2Request).
type authorizerEvent20 struct {
	Version               string             `json:"version"`
	Type                  string             `json:"type"`
	RouteArn              string             `json:"routeArn"`
	IdentitySource        []string           `json:"identitySource"`
	RouteKey              string             `json:"routeKey"`
	RawPath               string             `json:"rawPath"`
	RawQueryString        string             `json:"rawQueryString"`
	Cookies               []string           `json:"cookies,omitempty"`
	Headers               map[string]string  `json:"headers"`
	QueryStringParameters map[string]string  `json:"queryStringParameters,omitempty"`
	RequestContext        HTTPRequestContext `json:"requestContext"`
	PathParameters        map[string]string  `json:"pathParameters,omitempty"`
	StageVariables        map[string]string  `json:"stageVariables,omitempty"`
}

// iamPolicy is the policy a Lambda authorizer answers: its statements on execute-api:Invoke
// decide the route's ARN (an explicit Deny wins; otherwise an Allow is needed).
type iamPolicy struct {
	Statement statements `json:"Statement"`
}

type statement struct {
	Effect   string      `json:"Effect"`
	Action   stringOrArr `json:"Action"`
	Resource stringOrArr `json:"Resource"`
}

// statements takes one statement or a list.
type statements []statement

func (s *statements) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '{' {
		var one statement
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = statements{one}
		return nil
	}
	return json.Unmarshal(b, (*[]statement)(s))
}

// stringOrArr takes a string or a list of strings.
type stringOrArr []string

func (s *stringOrArr) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = stringOrArr{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(s))
}

func (p *iamPolicy) allows(arn string) bool {
	allowed := false
	for _, st := range p.Statement {
		if !matchAny(st.Action, "execute-api:Invoke") || !matchAny(st.Resource, arn) {
			continue
		}
		switch st.Effect {
		case "Deny":
			return false
		case "Allow":
			allowed = true
		}
	}
	return allowed
}

// matchAny matches a value against IAM patterns ("*" any run, "?" one character).
func matchAny(patterns []string, v string) bool {
	for _, p := range patterns {
		if globMatch(p, v) {
			return true
		}
	}
	return false
}

// globMatch is IAM's wildcard match, where "*" also crosses "/" (path.Match's does not, so the
// value's "/"s are swapped for a byte neither side holds).
func globMatch(pattern, v string) bool {
	const sep = "\x00"
	if strings.Contains(pattern, sep) || strings.Contains(v, sep) || strings.ContainsAny(pattern, "[\\") {
		return pattern == v
	}
	ok, err := path.Match(strings.ReplaceAll(pattern, "/", sep), strings.ReplaceAll(v, "/", sep))
	return err == nil && ok
}
