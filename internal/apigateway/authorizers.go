package apigateway

import (
	"context"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/request"
)

// AuthorizerInput is CreateAuthorizer's request (and names one).
type AuthorizerInput struct {
	RestAPIID                    string   `rest:"uri=restapi_id" json:"-"`
	AuthorizerID                 string   `rest:"uri=authorizer_id" json:"-"`
	Name                         string   `json:"name"`
	Type                         string   `json:"type"`
	ProviderARNs                 []string `json:"providerARNs"`
	AuthType                     string   `json:"authType"`
	AuthorizerURI                string   `json:"authorizerUri"`
	AuthorizerCredentials        string   `json:"authorizerCredentials"`
	IdentitySource               string   `json:"identitySource"`
	IdentityValidationExpression string   `json:"identityValidationExpression"`
	AuthorizerResultTTLInSeconds *int     `json:"authorizerResultTtlInSeconds"`
}

// AuthorizerIDInput names an authorizer.
type AuthorizerIDInput struct {
	RestAPIID    string `rest:"uri=restapi_id" json:"-"`
	AuthorizerID string `rest:"uri=authorizer_id" json:"-"`
}

// AuthorizerOutput is an authorizer in an answer.
type AuthorizerOutput struct {
	Authorizer
	Status int `rest:"status" json:"-"`
}

// AuthorizersOutput is GetAuthorizers' answer.
type AuthorizersOutput struct {
	Items []Authorizer `json:"item"`
}

// CreateAuthorizer adds an authorizer to a REST API.
func (s *Service) CreateAuthorizer(ctx context.Context, in *AuthorizerInput) (*AuthorizerOutput, error) {
	a := &Authorizer{ID: newID(), Name: in.Name, Type: in.Type, ProviderARNs: in.ProviderARNs, AuthType: in.AuthType,
		AuthorizerURI: in.AuthorizerURI, AuthorizerCredentials: in.AuthorizerCredentials, IdentitySource: in.IdentitySource,
		IdentityValidationExpression: in.IdentityValidationExpression, AuthorizerResultTTLInSeconds: in.AuthorizerResultTTLInSeconds}
	if a.AuthorizerResultTTLInSeconds == nil {
		d := 300
		a.AuthorizerResultTTLInSeconds = &d
	}
	if err := checkAuthorizer(a); err != nil {
		return nil, err
	}
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		if doc.Authorizers == nil {
			doc.Authorizers = map[string]*Authorizer{}
		}
		doc.Authorizers[a.ID] = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &AuthorizerOutput{Authorizer: *a, Status: 201}, nil
}

// GetAuthorizer describes an authorizer.
func (s *Service) GetAuthorizer(ctx context.Context, in *AuthorizerIDInput) (*AuthorizerOutput, error) {
	doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.RestAPIID)
	if err != nil {
		return nil, err
	}
	a := doc.Authorizers[in.AuthorizerID]
	if a == nil {
		return nil, notFound("Authorizer")
	}
	return &AuthorizerOutput{Authorizer: *a}, nil
}

// GetAuthorizers lists a REST API's authorizers.
func (s *Service) GetAuthorizers(ctx context.Context, in *RestAPIInput) (*AuthorizersOutput, error) {
	doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.RestAPIID)
	if err != nil {
		return nil, err
	}
	out := &AuthorizersOutput{Items: []Authorizer{}}
	for _, a := range doc.Authorizers {
		out.Items = append(out.Items, *a)
	}
	sort.Slice(out.Items, func(i, j int) bool { return out.Items[i].ID < out.Items[j].ID })
	return out, nil
}

// DeleteAuthorizer removes an authorizer no method uses.
func (s *Service) DeleteAuthorizer(ctx context.Context, in *AuthorizerIDInput) (*Empty, error) {
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		if doc.Authorizers[in.AuthorizerID] == nil {
			return notFound("Authorizer")
		}
		for _, r := range doc.Resources {
			for _, m := range r.ResourceMethods {
				if m.AuthorizerID == in.AuthorizerID {
					return ErrConflict.Errorf("Cannot delete authorizer '%s', is referenced in method: %s/%s", in.AuthorizerID, r.Path, m.HTTPMethod)
				}
			}
		}
		delete(doc.Authorizers, in.AuthorizerID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{Status: 202}, nil
}

// authResult is what a Lambda authorizer answered, cached by identity for its TTL.
type authResult struct {
	PrincipalID    string         `json:"principalId"`
	PolicyDocument policyDocument `json:"policyDocument"`
	Context        map[string]any `json:"context"`
	UsageKey       string         `json:"usageIdentifierKey"`
	expires        time.Time
}

type policyDocument struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Effect   string      `json:"Effect"`
	Action   stringOrSet `json:"Action"`
	Resource stringOrSet `json:"Resource"`
}

// stringOrSet is an IAM policy element that is a string or a list of them.
type stringOrSet []string

func (s *stringOrSet) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

type authCache struct {
	mu sync.Mutex
	m  map[string]*authResult
}

// methodARN is the execute-api ARN of the invoked method.
// integrationSource is what API Gateway invokes a method's function for: the method's
// execute-api ARN by its resource's path (arn:aws:execute-api:region:account:api/stage/VERB/path,
// the form a function's policy names in its SourceArn), and the integration's credentials role.
func (s *Service) integrationSource(inv *invocation) request.Source {
	path := inv.path
	if inv.resource != nil {
		path = inv.resource.Path
	}
	src := request.Source{ARN: "arn:aws:execute-api:" + s.region + ":" + inv.d.account + ":" + inv.d.apiID + "/" + inv.d.stage.StageName + "/" +
		inv.r.Method + "/" + strings.TrimPrefix(path, "/"), Account: inv.d.account}
	if inv.method != nil && inv.method.MethodIntegration != nil {
		src.Role = credentialsRole(inv.method.MethodIntegration.Credentials)
	}
	return src
}

// credentialsRole is the role of an integration's or authorizer's credentials ("" when there is
// none, or they pass the caller's own through).
func credentialsRole(c string) string {
	if strings.Contains(c, ":role/") {
		return c
	}
	return ""
}

// invokeFailed records in the execution log why the gateway could not invoke a function (a
// function policy that does not allow it is a configuration error, as on AWS) and answers the
// client's 500.
func (inv *invocation) invokeFailed(err error) *gatewayError {
	if awserr.As(err).Kind == awserr.AccessDenied {
		inv.failure = "Execution failed due to configuration error: Invalid permissions on Lambda function"
	} else {
		inv.failure = "Execution failed due to configuration error: " + err.Error()
	}
	return errInternal
}

func (s *Service) methodARN(inv *invocation) string {
	return "arn:aws:execute-api:" + s.region + ":" + inv.d.account + ":" + inv.d.apiID + "/" + inv.d.stage.StageName + "/" +
		inv.r.Method + "/" + strings.TrimPrefix(inv.path, "/")
}

var (
	errAuthorizerConfig  = &gatewayError{500, "AuthorizerConfigurationException", "null", "AUTHORIZER_CONFIGURATION_ERROR", ""}
	errAuthorizerFailure = &gatewayError{500, "AuthorizerFailureException", "null", "AUTHORIZER_FAILURE", ""}
	errDenied            = &gatewayError{403, "AccessDeniedException", "User is not authorized to access this resource with an explicit deny", "ACCESS_DENIED", ""}
	errNotAllowed        = &gatewayError{403, "AccessDeniedException", "User is not authorized to access this resource", "ACCESS_DENIED", ""}
)

// customAuthorize runs the method's Lambda authorizer (or takes its cached answer) and
// evaluates the policy it returned for the method's ARN.
func (s *Service) customAuthorize(ctx context.Context, inv *invocation) *gatewayError {
	a := inv.d.authorizers[inv.method.AuthorizerID]
	if a == nil || a.Type == "COGNITO_USER_POOLS" || s.functions == nil {
		return errAuthorizerConfig
	}
	identity, ok := s.identity(inv, a)
	if !ok {
		return errUnauthorized
	}
	res, gerr := s.authorizerResult(ctx, inv, a, identity)
	if gerr != nil {
		return gerr
	}
	if gerr := evaluatePolicy(res.PolicyDocument, s.methodARN(inv)); gerr != nil {
		return gerr
	}
	inv.authorizer = map[string]any{"principalId": res.PrincipalID}
	for k, v := range res.Context {
		inv.authorizer[k] = v
	}
	inv.usageKey = res.UsageKey
	return nil
}

// identity reads an authorizer's identity sources; false when one is missing or the token
// fails the validation expression.
func (s *Service) identity(inv *invocation, a *Authorizer) (string, bool) {
	var vals []string
	for _, src := range strings.Split(a.IdentitySource, ",") {
		src = strings.TrimSpace(src)
		if src == "" {
			continue
		}
		v, ok := requestParameter(inv, src)
		if !ok || v == "" {
			return "", false
		}
		vals = append(vals, v)
	}
	if len(vals) == 0 && a.Type == "TOKEN" {
		return "", false
	}
	if a.Type == "TOKEN" && a.IdentityValidationExpression != "" {
		if re, err := regexp.Compile("^(?:" + a.IdentityValidationExpression + ")$"); err != nil || !re.MatchString(vals[0]) {
			return "", false
		}
	}
	return strings.Join(vals, "\x00"), true
}

func (s *Service) authorizerResult(ctx context.Context, inv *invocation, a *Authorizer, identity string) (*authResult, *gatewayError) {
	ttl := time.Duration(*a.AuthorizerResultTTLInSeconds) * time.Second
	key := inv.d.apiID + "/" + a.ID + "/" + identity
	if ttl > 0 && identity != "" {
		s.auths.mu.Lock()
		res := s.auths.m[key]
		s.auths.mu.Unlock()
		if res != nil && inv.now.Before(res.expires) {
			return res, nil
		}
	}
	event := map[string]any{"type": a.Type, "methodArn": s.methodARN(inv)}
	if a.Type == "TOKEN" {
		event["authorizationToken"] = strings.Split(identity, "\x00")[0]
	} else {
		ev := s.proxyEvent(inv)
		b, _ := json.Marshal(ev)
		json.Unmarshal(b, &event)
		event["type"], event["methodArn"] = "REQUEST", s.methodARN(inv)
		delete(event, "body")
		delete(event, "isBase64Encoded")
	}
	payload, _ := json.Marshal(event)
	fn := lambdaURIRE.FindStringSubmatch(a.AuthorizerURI)
	src := request.Source{ARN: "arn:aws:execute-api:" + s.region + ":" + inv.d.account + ":" + inv.d.apiID + "/authorizers/" + a.ID,
		Account: inv.d.account, Role: credentialsRole(a.AuthorizerCredentials)}
	out, fnErr, err := s.functions.Invoke(ctx, fn[1], src, payload)
	if err != nil {
		if inv.invokeFailed(err); awserr.As(err).Kind == awserr.AccessDenied {
			return nil, errAuthorizerConfig // AWS: the authorizer's function does not allow the gateway
		}
		return nil, errAuthorizerFailure
	}
	if fnErr != "" {
		var e struct {
			ErrorMessage string `json:"errorMessage"`
		}
		if json.Unmarshal(out, &e) == nil && e.ErrorMessage == "Unauthorized" {
			return nil, errUnauthorized
		}
		return nil, errAuthorizerFailure
	}
	var res authResult
	if err := json.Unmarshal(out, &res); err != nil || res.PrincipalID == "" || len(res.PolicyDocument.Statement) == 0 {
		return nil, errAuthorizerConfig
	}
	if ttl > 0 && identity != "" {
		res.expires = inv.now.Add(ttl)
		s.auths.mu.Lock()
		if len(s.auths.m) > 10000 {
			clear(s.auths.m)
		}
		s.auths.m[key] = &res
		s.auths.mu.Unlock()
	}
	return &res, nil
}

// evaluatePolicy applies an authorizer's policy to a method ARN: an explicit Deny wins, else
// an Allow is needed.
func evaluatePolicy(doc policyDocument, arn string) *gatewayError {
	allowed := false
	for _, st := range doc.Statement {
		if !matchesAny(st.Action, "execute-api:Invoke") || !matchesAny(st.Resource, arn) {
			continue
		}
		switch st.Effect {
		case "Deny":
			return errDenied
		case "Allow":
			allowed = true
		}
	}
	if !allowed {
		return errNotAllowed
	}
	return nil
}

// matchesAny matches IAM patterns (* and ? wildcards) against a value.
func matchesAny(patterns []string, v string) bool {
	for _, p := range patterns {
		if wildcard(p, v) {
			return true
		}
	}
	return false
}

func wildcard(p, v string) bool {
	// path.Match treats "/" specially; IAM's * crosses it: escape the rest and use a regexp.
	if !strings.ContainsAny(p, "*?") {
		return p == v
	}
	var b strings.Builder
	b.WriteString("^")
	for _, part := range strings.SplitAfter(p, "") {
		switch part {
		case "*":
			b.WriteString(".*")
		case "?":
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(part))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	return err == nil && re.MatchString(v)
}

// checkAuthorizer holds an authorizer to AWS's rules (filling TOKEN's default identity source).
func checkAuthorizer(a *Authorizer) error {
	switch a.Type {
	case "TOKEN", "REQUEST":
		if !lambdaURIRE.MatchString(a.AuthorizerURI) {
			return badRequest("Invalid Authorizer URI: %s", a.AuthorizerURI)
		}
		if a.Type == "TOKEN" && a.IdentitySource == "" {
			a.IdentitySource = "method.request.header.Authorization"
		}
	case "COGNITO_USER_POOLS":
		if len(a.ProviderARNs) == 0 {
			return badRequest("ProviderARNs need to be specified for COGNITO_USER_POOLS authorizers")
		}
	default:
		return badRequest("Invalid authorizer type specified: %s", a.Type)
	}
	if a.IdentityValidationExpression != "" {
		if _, err := regexp.Compile(a.IdentityValidationExpression); err != nil {
			return badRequest("Invalid identity validation expression specified")
		}
	}
	if t := a.AuthorizerResultTTLInSeconds; t != nil && (*t < 0 || *t > 3600) {
		return badRequest("Invalid authorizer result TTL specified, must be between 0 and 3600")
	}
	return nil
}
