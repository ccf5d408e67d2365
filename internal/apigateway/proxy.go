package apigateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
)

// ProxyRequest is the Lambda proxy integration's event, payload format 1.0, with the field
// names of aws-lambda-go's events.APIGatewayProxyRequest. Maps with nothing in them are null,
// as API Gateway sends them.
type ProxyRequest struct {
	Resource                        string              `json:"resource"`
	Path                            string              `json:"path"`
	HTTPMethod                      string              `json:"httpMethod"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	PathParameters                  map[string]string   `json:"pathParameters"`
	StageVariables                  map[string]string   `json:"stageVariables"`
	RequestContext                  ProxyRequestContext `json:"requestContext"`
	Body                            *string             `json:"body"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

// ProxyRequestContext is the event's requestContext.
type ProxyRequestContext struct {
	AccountID         string         `json:"accountId"`
	ResourceID        string         `json:"resourceId"`
	OperationName     string         `json:"operationName,omitempty"`
	Stage             string         `json:"stage"`
	DomainName        string         `json:"domainName"`
	DomainPrefix      string         `json:"domainPrefix"`
	RequestID         string         `json:"requestId"`
	ExtendedRequestID string         `json:"extendedRequestId"`
	Protocol          string         `json:"protocol"`
	Identity          ProxyIdentity  `json:"identity"`
	ResourcePath      string         `json:"resourcePath"`
	Path              string         `json:"path"`
	Authorizer        map[string]any `json:"authorizer"`
	HTTPMethod        string         `json:"httpMethod"`
	RequestTime       string         `json:"requestTime"`
	RequestTimeEpoch  int64          `json:"requestTimeEpoch"`
	APIID             string         `json:"apiId"`
}

// ProxyIdentity is the caller as API Gateway knows it.
type ProxyIdentity struct {
	CognitoIdentityPoolID         *string `json:"cognitoIdentityPoolId"`
	AccountID                     *string `json:"accountId"`
	CognitoIdentityID             *string `json:"cognitoIdentityId"`
	Caller                        *string `json:"caller"`
	APIKey                        string  `json:"apiKey"`
	APIKeyID                      string  `json:"apiKeyId"`
	AccessKey                     *string `json:"accessKey"`
	SourceIP                      string  `json:"sourceIp"`
	CognitoAuthenticationType     *string `json:"cognitoAuthenticationType"`
	CognitoAuthenticationProvider *string `json:"cognitoAuthenticationProvider"`
	UserArn                       *string `json:"userArn"`
	UserAgent                     string  `json:"userAgent"`
	User                          *string `json:"user"`
}

// ProxyResponse is what a proxied function answers.
type ProxyResponse struct {
	StatusCode        int                 `json:"statusCode"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

// requestContext is the request as API Gateway describes it to integrations.
func (s *Service) requestContext(inv *invocation) ProxyRequestContext {
	host := inv.r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	prefix, _, _ := strings.Cut(host, ".")
	ip := inv.r.RemoteAddr
	if h, _, err := net.SplitHostPort(ip); err == nil {
		ip = h
	}
	stagePath := "/" + inv.d.stage.StageName + inv.path
	proto := inv.r.Proto
	rc := ProxyRequestContext{
		AccountID: inv.d.account, Stage: inv.d.stage.StageName,
		DomainName: host, DomainPrefix: prefix, RequestID: inv.requestID, ExtendedRequestID: inv.gatewayID, Protocol: proto,
		Identity: ProxyIdentity{APIKey: inv.apiKey, APIKeyID: inv.apiKeyID, SourceIP: ip, UserAgent: inv.r.UserAgent()},
		Path:     stagePath, HTTPMethod: inv.r.Method,
		RequestTime: inv.now.UTC().Format("02/Jan/2006:15:04:05 -0700"), RequestTimeEpoch: inv.now.UnixMilli(), APIID: inv.d.apiID,
	}
	if inv.resource != nil {
		rc.ResourceID, rc.ResourcePath = inv.resource.ID, inv.resource.Path
	}
	if inv.method != nil {
		rc.OperationName = inv.method.OperationName
	}
	if p := inv.caller; p != nil {
		rc.Identity.AccessKey, rc.Identity.AccountID, rc.Identity.Caller = &p.AccessKeyID, &p.Account, &p.UserID
		rc.Identity.User, rc.Identity.UserArn = &p.UserID, &p.ARN
	}
	return rc
}

// proxyEvent builds the payload 1.0 event of a request.
func (s *Service) proxyEvent(inv *invocation) ProxyRequest {
	ev := ProxyRequest{Resource: inv.resource.Path, Path: inv.path, HTTPMethod: inv.r.Method, RequestContext: s.requestContext(inv)}
	ev.RequestContext.Authorizer = inv.authorizer
	if len(inv.r.Header) > 0 {
		ev.Headers, ev.MultiValueHeaders = map[string]string{}, map[string][]string{}
		for k, vs := range inv.r.Header {
			ev.Headers[k] = vs[len(vs)-1]
			ev.MultiValueHeaders[k] = vs
		}
		if inv.r.Host != "" {
			ev.Headers["Host"], ev.MultiValueHeaders["Host"] = inv.r.Host, []string{inv.r.Host}
		}
	}
	if q, err := url.ParseQuery(inv.r.URL.RawQuery); err == nil && len(q) > 0 {
		ev.QueryStringParameters, ev.MultiValueQueryStringParameters = map[string]string{}, map[string][]string(q)
		for k, vs := range q {
			ev.QueryStringParameters[k] = vs[len(vs)-1]
		}
	}
	if len(inv.pathParams) > 0 {
		ev.PathParameters = inv.pathParams
	}
	if len(inv.d.stage.Variables) > 0 {
		ev.StageVariables = inv.d.stage.Variables
	}
	if len(inv.body) > 0 {
		b := string(inv.body)
		if isBinary(inv.d.api.BinaryMediaTypes, inv.r.Header.Get("Content-Type")) {
			b, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(inv.body), true
		}
		ev.Body = &b
	}
	return ev
}

// isBinary reports whether a content type is one of the API's binary media types ("image/*",
// "*/*" match as globs).
func isBinary(types []string, ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.TrimSpace(strings.ToLower(mt))
	for _, t := range types {
		t = strings.ToLower(strings.ReplaceAll(t, "~1", "/"))
		if ok, _ := path.Match(t, mt); ok && mt != "" {
			return true
		}
	}
	return false
}

// lambdaProxy invokes the function with the proxy event and answers what it returns.
func (s *Service) lambdaProxy(ctx context.Context, inv *invocation) (*answer, *gatewayError) {
	if s.functions == nil {
		return nil, errInternal
	}
	fn := lambdaURIRE.FindStringSubmatch(inv.method.MethodIntegration.URI)
	if fn == nil {
		return nil, errInternal
	}
	payload, err := json.Marshal(s.proxyEvent(inv))
	if err != nil {
		return nil, errInternal
	}
	result, fnErr, err := s.functions.Invoke(ctx, fn[1], s.integrationSource(inv), payload)
	switch {
	case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return nil, errTimeout
	case err != nil:
		return nil, inv.invokeFailed(err)
	case fnErr != "":
		return nil, errBadGateway
	}
	return proxyAnswer(result)
}

// proxyAnswer maps a function's proxy response; anything malformed is a 502.
func proxyAnswer(result []byte) (*answer, *gatewayError) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(result, &raw); err != nil {
		return nil, errBadGateway
	}
	for k := range raw {
		switch k {
		case "statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded", "cookies":
		default:
			return nil, errBadGateway // API Gateway refuses unknown fields
		}
	}
	var pr ProxyResponse
	if err := json.Unmarshal(result, &pr); err != nil {
		if sc, ok := raw["statusCode"]; ok {
			// statusCode may be a numeric string.
			if n, err := strconv.Unquote(string(sc)); err == nil {
				if code, err := strconv.Atoi(n); err == nil {
					delete(raw, "statusCode")
					b, _ := json.Marshal(raw)
					if json.Unmarshal(b, &pr) == nil {
						pr.StatusCode = code
						return buildProxyAnswer(pr)
					}
				}
			}
		}
		return nil, errBadGateway
	}
	if _, ok := raw["statusCode"]; !ok {
		return nil, errBadGateway
	}
	return buildProxyAnswer(pr)
}

func buildProxyAnswer(pr ProxyResponse) (*answer, *gatewayError) {
	if pr.StatusCode < 100 || pr.StatusCode > 599 {
		return nil, errBadGateway
	}
	ans := &answer{status: pr.StatusCode, header: http.Header{}, body: []byte(pr.Body)}
	for k, v := range pr.Headers {
		ans.header.Set(k, v)
	}
	for k, vs := range pr.MultiValueHeaders {
		ans.header.Del(k)
		for _, v := range vs {
			ans.header.Add(k, v)
		}
	}
	if pr.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(pr.Body)
		if err != nil {
			return nil, errBadGateway
		}
		ans.body = b
	}
	return ans, nil
}

// unescapePathSegment decodes a path segment's percent escapes (as sent when not decodable).
func unescapePathSegment(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}
