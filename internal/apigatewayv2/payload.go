package apigatewayv2

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"mime"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// HTTPRequest is the event of payload format 2.0, with the field names of aws-lambda-go's
// events.APIGatewayV2HTTPRequest: empty collections are left out, as API Gateway leaves them.
type HTTPRequest struct {
	Version               string             `json:"version"`
	RouteKey              string             `json:"routeKey"`
	RawPath               string             `json:"rawPath"`
	RawQueryString        string             `json:"rawQueryString"`
	Cookies               []string           `json:"cookies,omitempty"`
	Headers               map[string]string  `json:"headers"`
	QueryStringParameters map[string]string  `json:"queryStringParameters,omitempty"`
	PathParameters        map[string]string  `json:"pathParameters,omitempty"`
	RequestContext        HTTPRequestContext `json:"requestContext"`
	StageVariables        map[string]string  `json:"stageVariables,omitempty"`
	Body                  string             `json:"body,omitempty"`
	IsBase64Encoded       bool               `json:"isBase64Encoded"`
}

// HTTPRequestContext is the 2.0 event's requestContext.
type HTTPRequestContext struct {
	AccountID    string          `json:"accountId"`
	APIID        string          `json:"apiId"`
	Authorizer   *AuthorizerInfo `json:"authorizer,omitempty"`
	DomainName   string          `json:"domainName"`
	DomainPrefix string          `json:"domainPrefix"`
	HTTP         HTTPDescription `json:"http"`
	RequestID    string          `json:"requestId"`
	RouteKey     string          `json:"routeKey"`
	Stage        string          `json:"stage"`
	Time         string          `json:"time"`
	TimeEpoch    int64           `json:"timeEpoch"`
}

// HTTPDescription is requestContext.http.
type HTTPDescription struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Protocol  string `json:"protocol"`
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

// AuthorizerInfo is requestContext.authorizer: what the route's authorizer found.
type AuthorizerInfo struct {
	JWT    *JWTInfo       `json:"jwt,omitempty"`
	Lambda map[string]any `json:"lambda,omitempty"`
	IAM    *IAMInfo       `json:"iam,omitempty"`
}

// JWTInfo is a verified token's claims and scopes.
type JWTInfo struct {
	Claims map[string]string `json:"claims"`
	Scopes []string          `json:"scopes"`
}

// IAMInfo is a SigV4 caller.
type IAMInfo struct {
	AccessKey string `json:"accessKey"`
	AccountID string `json:"accountId"`
	CallerID  string `json:"callerId"`
	UserARN   string `json:"userArn"`
	UserID    string `json:"userId"`
}

// ProxyRequest is the event of payload format 1.0 (aws-lambda-go's events.APIGatewayProxyRequest):
// maps with nothing in them are null, as API Gateway sends them.
type ProxyRequest struct {
	Version                         string              `json:"version"`
	Resource                        string              `json:"resource"`
	Path                            string              `json:"path"`
	HTTPMethod                      string              `json:"httpMethod"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	RequestContext                  ProxyContext        `json:"requestContext"`
	PathParameters                  map[string]string   `json:"pathParameters"`
	StageVariables                  map[string]string   `json:"stageVariables"`
	Body                            *string             `json:"body"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

// ProxyContext is the 1.0 event's requestContext.
type ProxyContext struct {
	AccountID         string         `json:"accountId"`
	APIID             string         `json:"apiId"`
	Authorizer        map[string]any `json:"authorizer,omitempty"`
	DomainName        string         `json:"domainName"`
	DomainPrefix      string         `json:"domainPrefix"`
	ExtendedRequestID string         `json:"extendedRequestId"`
	HTTPMethod        string         `json:"httpMethod"`
	Identity          ProxyIdentity  `json:"identity"`
	Path              string         `json:"path"`
	Protocol          string         `json:"protocol"`
	RequestID         string         `json:"requestId"`
	RequestTime       string         `json:"requestTime"`
	RequestTimeEpoch  int64          `json:"requestTimeEpoch"`
	ResourceID        string         `json:"resourceId"`
	ResourcePath      string         `json:"resourcePath"`
	Stage             string         `json:"stage"`
}

// ProxyIdentity is the 1.0 event's caller.
type ProxyIdentity struct {
	AccessKey *string `json:"accessKey"`
	AccountID *string `json:"accountId"`
	Caller    *string `json:"caller"`
	SourceIP  string  `json:"sourceIp"`
	User      *string `json:"user"`
	UserAgent string  `json:"userAgent"`
	UserArn   *string `json:"userArn"`
}

// call is one request through an HTTP API, as the events describe it.
type call struct {
	r           *http.Request
	body        []byte
	requestID   string
	account     string
	apiID       string
	stage       string
	stageVars   map[string]string
	routeKey    string
	rawPath     string // the path as the client sent it (with a named stage's prefix)
	path        string // the path under the stage
	pathParams  map[string]string
	sourceIP    string
	timeEpoch   int64 // milliseconds
	time        string
	authorizer  *AuthorizerInfo
	domainName  string
	routeID     string
	resourceTpl string // the route key's path, for payload 1.0's resource
	webSocket   bool   // a WebSocket API's $connect: its route ARN ends in the route key
}

// isText reports whether a body of a content type goes to a function as text rather than base64.
func isText(contentType string, body []byte) bool {
	if !utf8.Valid(body) {
		return false
	}
	if contentType == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"), strings.HasSuffix(mt, "/json"), strings.HasSuffix(mt, "+json"),
		strings.HasSuffix(mt, "/xml"), strings.HasSuffix(mt, "+xml"), mt == "application/javascript",
		mt == "application/x-www-form-urlencoded", mt == "application/graphql":
		return true
	}
	return false
}

// eventBody is a request body as an event carries it.
func eventBody(r *http.Request, body []byte) (string, bool) {
	if len(body) == 0 {
		return "", false
	}
	if isText(r.Header.Get("Content-Type"), body) {
		return string(body), false
	}
	return base64.StdEncoding.EncodeToString(body), true
}

// event20 builds the payload 2.0 event of a request through an HTTP API.
func (c *call) event20() ([]byte, error) {
	ev := NewHTTPRequest(c.r, c.body, c.sourceIP)
	ev.RouteKey, ev.RawPath, ev.PathParameters, ev.StageVariables = c.routeKey, c.rawPath, c.pathParams, nonEmpty(c.stageVars)
	ev.RequestContext = c.context20()
	return json.Marshal(ev)
}

// NewHTTPRequest is the part of a payload 2.0 event that comes from the request itself, as API
// Gateway's HTTP APIs and Lambda's function URLs both build it: header names lowercased with
// repeated values joined by commas, cookies apart, host, content-length and the x-forwarded-*
// headers (x-forwarded-for ending in sourceIP), query parameters joined by commas, the body as
// text or base64. The caller sets the route key, raw path, path parameters, stage variables and
// request context.
func NewHTTPRequest(r *http.Request, body []byte, sourceIP string) HTTPRequest {
	ev := HTTPRequest{Version: "2.0", RawQueryString: r.URL.RawQuery, Headers: map[string]string{}}
	for name, vs := range r.Header {
		lower := strings.ToLower(name)
		if lower == "cookie" {
			for _, v := range vs {
				for _, ck := range strings.Split(v, ";") {
					if ck = strings.TrimSpace(ck); ck != "" {
						ev.Cookies = append(ev.Cookies, ck)
					}
				}
			}
			continue
		}
		ev.Headers[lower] = strings.Join(vs, ",")
	}
	ev.Headers["host"] = r.Host
	if r.ContentLength > 0 {
		ev.Headers["content-length"] = strconv.FormatInt(r.ContentLength, 10)
	}
	ev.Headers["x-forwarded-for"] = joinNonEmpty(ev.Headers["x-forwarded-for"], sourceIP)
	ev.Headers["x-forwarded-proto"], ev.Headers["x-forwarded-port"] = "http", "80"
	if r.TLS != nil {
		ev.Headers["x-forwarded-proto"], ev.Headers["x-forwarded-port"] = "https", "443"
	}
	if _, port, err := net.SplitHostPort(r.Host); err == nil {
		ev.Headers["x-forwarded-port"] = port
	}
	if q := queryValues(r.URL.RawQuery); len(q) > 0 {
		ev.QueryStringParameters = map[string]string{}
		for k, vs := range q {
			ev.QueryStringParameters[k] = strings.Join(vs, ",")
		}
	}
	ev.Body, ev.IsBase64Encoded = eventBody(r, body)
	return ev
}

func (c *call) context20() HTTPRequestContext {
	return HTTPRequestContext{AccountID: c.account, APIID: c.apiID, Authorizer: c.authorizer, DomainName: c.domainName,
		DomainPrefix: domainPrefix(c.domainName), RequestID: c.requestID, RouteKey: c.routeKey, Stage: c.stage,
		Time: c.time, TimeEpoch: c.timeEpoch,
		HTTP: HTTPDescription{Method: c.r.Method, Path: c.rawPath, Protocol: c.r.Proto, SourceIP: c.sourceIP, UserAgent: c.r.UserAgent()}}
}

// event10 builds the payload 1.0 event.
func (c *call) event10() ([]byte, error) {
	ev := ProxyRequest{Version: "1.0", Resource: c.resourceTpl, Path: c.rawPath, HTTPMethod: c.r.Method,
		PathParameters: c.pathParams, StageVariables: nonEmpty(c.stageVars),
		RequestContext: ProxyContext{AccountID: c.account, APIID: c.apiID, DomainName: c.domainName, DomainPrefix: domainPrefix(c.domainName),
			ExtendedRequestID: c.requestID, HTTPMethod: c.r.Method, Path: c.rawPath, Protocol: c.r.Proto, RequestID: c.requestID,
			RequestTime: c.time, RequestTimeEpoch: c.timeEpoch, ResourceID: c.routeKey, ResourcePath: c.resourceTpl, Stage: c.stage,
			Identity: ProxyIdentity{SourceIP: c.sourceIP, UserAgent: c.r.UserAgent()}}}
	if a := c.authorizer; a != nil {
		ev.RequestContext.Authorizer = map[string]any{}
		if a.JWT != nil {
			ev.RequestContext.Authorizer["claims"], ev.RequestContext.Authorizer["scopes"] = a.JWT.Claims, a.JWT.Scopes
		}
		for k, v := range a.Lambda {
			ev.RequestContext.Authorizer[k] = v
		}
	}
	if len(c.r.Header) > 0 {
		ev.Headers, ev.MultiValueHeaders = map[string]string{}, map[string][]string{}
		for name, vs := range c.r.Header {
			ev.Headers[name], ev.MultiValueHeaders[name] = vs[len(vs)-1], vs
		}
		ev.Headers["Host"], ev.MultiValueHeaders["Host"] = c.r.Host, []string{c.r.Host}
	}
	if q := queryValues(c.r.URL.RawQuery); len(q) > 0 {
		ev.QueryStringParameters, ev.MultiValueQueryStringParameters = map[string]string{}, q
		for k, vs := range q {
			ev.QueryStringParameters[k] = vs[len(vs)-1]
		}
	}
	if body, b64 := eventBody(c.r, c.body); len(c.body) > 0 {
		ev.Body, ev.IsBase64Encoded = &body, b64
	}
	return json.Marshal(ev)
}

func queryValues(raw string) url.Values {
	if raw == "" {
		return nil
	}
	q, _ := url.ParseQuery(raw)
	return q
}

func nonEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

func joinNonEmpty(a, b string) string {
	if a == "" {
		return b
	}
	return a + ", " + b
}

func domainPrefix(domain string) string {
	if i := strings.IndexByte(domain, '.'); i > 0 {
		return domain[:i]
	}
	return domain
}

// reply is an integration's answer as the client gets it.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// functionReply2 reads a function's answer under payload 2.0: an object with a statusCode is a
// response (headers, multiValueHeaders, cookies, body, isBase64Encoded); any other JSON value is
// a 200 with that value as an application/json body; anything else is a 500.
func functionReply2(payload []byte) (*reply, bool) {
	trimmed := bytes.TrimSpace(payload)
	if !json.Valid(trimmed) {
		return nil, false
	}
	var probe map[string]json.RawMessage
	if json.Unmarshal(trimmed, &probe) != nil || probe["statusCode"] == nil {
		return &reply{status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: trimmed}, true
	}
	var resp struct {
		StatusCode        int                 `json:"statusCode"`
		Headers           map[string]string   `json:"headers"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
		Cookies           []string            `json:"cookies"`
		Body              string              `json:"body"`
		IsBase64Encoded   bool                `json:"isBase64Encoded"`
	}
	if json.Unmarshal(trimmed, &resp) != nil {
		return nil, false
	}
	return buildReply(resp.StatusCode, resp.Headers, resp.MultiValueHeaders, resp.Cookies, resp.Body, resp.IsBase64Encoded)
}

// FunctionReply2 is functionReply2 for another package: Lambda's function URLs read their
// function's answer by the same payload 2.0 rules.
func FunctionReply2(payload []byte) (status int, header http.Header, body []byte, ok bool) {
	rp, ok := functionReply2(payload)
	if !ok {
		return 0, nil, nil, false
	}
	return rp.status, rp.header, rp.body, true
}

// functionReply1 reads a function's answer under payload 1.0, which must be a response object.
func functionReply1(payload []byte) (*reply, bool) {
	var resp struct {
		StatusCode        *int                `json:"statusCode"`
		Headers           map[string]string   `json:"headers"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
		Body              string              `json:"body"`
		IsBase64Encoded   bool                `json:"isBase64Encoded"`
	}
	if json.Unmarshal(payload, &resp) != nil || resp.StatusCode == nil {
		return nil, false
	}
	return buildReply(*resp.StatusCode, resp.Headers, resp.MultiValueHeaders, nil, resp.Body, resp.IsBase64Encoded)
}

func buildReply(status int, headers map[string]string, multi map[string][]string, cookies []string, body string, b64 bool) (*reply, bool) {
	if status < 100 || status > 599 {
		return nil, false
	}
	rp := &reply{status: status, header: http.Header{}}
	names := make([]string, 0, len(multi))
	for k := range multi {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range multi[k] {
			rp.header.Add(k, v)
		}
	}
	for k, v := range headers {
		rp.header.Set(k, v)
	}
	for _, ck := range cookies {
		rp.header.Add("Set-Cookie", ck)
	}
	if b64 {
		b, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return nil, false
		}
		rp.body = b
	} else {
		rp.body = []byte(body)
	}
	return rp, true
}
