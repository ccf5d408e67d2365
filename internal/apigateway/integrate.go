package apigateway

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/apigateway/vtl"
)

// integrate calls the method's integration and maps its answer.
func (s *Service) integrate(ctx context.Context, inv *invocation) (*answer, *gatewayError) {
	ig := inv.method.MethodIntegration
	timeout := time.Duration(ig.TimeoutInMillis) * time.Millisecond
	if timeout <= 0 {
		timeout = DefaultTimeout * time.Millisecond
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	switch ig.Type {
	case "MOCK":
		return s.mock(inv)
	case "HTTP_PROXY":
		return s.httpProxy(ctx, inv)
	case "HTTP":
		return s.httpIntegration(ctx, inv)
	case "AWS_PROXY":
		return s.lambdaProxy(ctx, inv)
	case "AWS":
		return s.awsIntegration(ctx, inv)
	}
	return nil, errInternal
}

// contentType is a request's media type, application/json when it names none.
func contentType(h http.Header) string {
	ct := h.Get("Content-Type")
	if ct == "" {
		return "application/json"
	}
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		return mt
	}
	return ct
}

// requestBody is what the integration receives: the request template for the content type
// rendered, or the body passed through as the passthrough behaviour allows.
func (s *Service) requestBody(inv *invocation) ([]byte, *gatewayError) {
	ig := inv.method.MethodIntegration
	ct := contentType(inv.r.Header)
	tmpl, ok := ig.RequestTemplates[ct]
	if !ok {
		switch {
		case ig.PassthroughBehavior == "NEVER",
			ig.PassthroughBehavior == "WHEN_NO_TEMPLATES" && len(ig.RequestTemplates) > 0:
			return nil, errUnsupportedMT
		}
		return inv.body, nil
	}
	out, err := s.render(tmpl, inv, string(inv.body))
	if err != nil {
		return nil, errInternal
	}
	return []byte(out), nil
}

// render evaluates a mapping template for a request, with $input over body.
func (s *Service) render(tmpl string, inv *invocation, body string) (string, error) {
	if strings.TrimSpace(tmpl) == "" {
		return "", nil
	}
	t, err := s.templates.parse(tmpl)
	if err != nil {
		return "", err
	}
	vars := map[string]any{"util": vtl.Util{}, "stageVariables": inv.d.stage.Variables}
	if strings.Contains(tmpl, "input") {
		vars["input"] = &vtl.Input{Body: body, Path: inv.pathParams, Query: firstValues(inv.r.URL.Query()), Header: firstValues(inv.r.Header)}
	}
	if strings.Contains(tmpl, "context") {
		vars["context"] = s.templateContext(inv)
	}
	return t.Render(vars)
}

// templateCache holds parsed mapping templates by their text (a deployment's templates are
// parsed once, not per request).
type templateCache struct{ m sync.Map }

const maxCachedTemplates = 4096

func (c *templateCache) parse(src string) (*vtl.Template, error) {
	if t, ok := c.m.Load(src); ok {
		return t.(*vtl.Template), nil
	}
	t, err := vtl.Parse(src)
	if err != nil {
		return nil, err
	}
	n := 0
	c.m.Range(func(any, any) bool { n++; return n < maxCachedTemplates })
	if n < maxCachedTemplates {
		c.m.Store(src, t)
	}
	return t, nil
}

func firstValues(m map[string][]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, vs := range m {
		if len(vs) > 0 {
			out[k] = vs[0]
		}
	}
	return out
}

// templateContext is $context.
func (s *Service) templateContext(inv *invocation) *vtl.Map {
	c := vtl.NewMap()
	rc := s.requestContext(inv)
	for _, kv := range [][2]string{{"accountId", rc.AccountID}, {"apiId", rc.APIID}, {"domainName", rc.DomainName},
		{"domainPrefix", rc.DomainPrefix}, {"extendedRequestId", rc.ExtendedRequestID}, {"httpMethod", rc.HTTPMethod},
		{"path", rc.Path}, {"protocol", rc.Protocol}, {"requestId", rc.RequestID}, {"requestTime", rc.RequestTime},
		{"resourceId", rc.ResourceID}, {"resourcePath", rc.ResourcePath}, {"stage", rc.Stage}} {
		c.Set(kv[0], kv[1])
	}
	c.Set("requestTimeEpoch", rc.RequestTimeEpoch)
	id := vtl.NewMap()
	id.Set("sourceIp", rc.Identity.SourceIP)
	id.Set("userAgent", rc.Identity.UserAgent)
	id.Set("apiKey", rc.Identity.APIKey)
	id.Set("apiKeyId", rc.Identity.APIKeyID)
	id.Set("accountId", deref(rc.Identity.AccountID))
	id.Set("caller", deref(rc.Identity.Caller))
	id.Set("user", deref(rc.Identity.User))
	id.Set("userArn", deref(rc.Identity.UserArn))
	id.Set("accessKey", deref(rc.Identity.AccessKey))
	c.Set("identity", id)
	if inv.authorizer != nil {
		a := vtl.NewMap()
		keys := make([]string, 0, len(inv.authorizer))
		for k := range inv.authorizer {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			switch v := inv.authorizer[k].(type) {
			case float64:
				a.Set(k, v)
			default:
				a.Set(k, fmt.Sprint(v))
			}
		}
		c.Set("authorizer", a)
	}
	return c
}

// mock answers from the integration responses alone: the request template's statusCode picks one.
func (s *Service) mock(inv *invocation) (*answer, *gatewayError) {
	body, gerr := s.requestBody(inv)
	if gerr != nil {
		return nil, gerr
	}
	status := "200"
	var out struct {
		StatusCode json.Number `json:"statusCode"`
	}
	if len(bytes.TrimSpace(body)) > 0 && json.Unmarshal(body, &out) == nil && out.StatusCode != "" {
		status = out.StatusCode.String()
	}
	return s.mapResponse(inv, status, status, nil, "")
}

// mapResponse picks the integration response whose selection pattern matches selector (the
// status code, or a Lambda error message), else the default one, and renders its template.
func (s *Service) mapResponse(inv *invocation, selector, status string, header http.Header, body string) (*answer, *gatewayError) {
	ir := selectResponse(inv.method.MethodIntegration.IntegrationResponses, selector)
	if ir == nil {
		return nil, errInternal
	}
	code, _ := strconv.Atoi(ir.StatusCode)
	ans := &answer{status: code, header: http.Header{}, body: []byte(body)}
	if len(ir.ResponseTemplates) > 0 {
		ct, tmpl := pickTemplate(ir.ResponseTemplates, inv.r.Header.Get("Accept"))
		out, err := s.render(tmpl, inv, body)
		if err != nil {
			return nil, errInternal
		}
		ans.body = []byte(out)
		ans.header.Set("Content-Type", ct)
	}
	for name, src := range ir.ResponseParameters {
		h, ok := strings.CutPrefix(name, "method.response.header.")
		if !ok {
			continue
		}
		switch {
		case strings.HasPrefix(src, "'") && strings.HasSuffix(src, "'") && len(src) >= 2:
			ans.header.Set(h, src[1:len(src)-1])
		case strings.HasPrefix(src, "integration.response.header.") && header != nil:
			ans.header.Set(h, header.Get(strings.TrimPrefix(src, "integration.response.header.")))
		}
	}
	return ans, nil
}

// selectResponse is API Gateway's choice of integration response: a selection pattern (a
// regular expression matched against the whole selector), else the one without a pattern.
func selectResponse(irs map[string]*IntegrationResponse, selector string) *IntegrationResponse {
	codes := make([]string, 0, len(irs))
	for c := range irs {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	var fallback *IntegrationResponse
	for _, c := range codes {
		ir := irs[c]
		if ir.SelectionPattern == "" || ir.SelectionPattern == "-" {
			if fallback == nil {
				fallback = ir
			}
			continue
		}
		if re, err := regexp.Compile("^(?:" + ir.SelectionPattern + ")$"); err == nil && re.MatchString(selector) {
			return ir
		}
	}
	return fallback
}

// pickTemplate chooses a response template by the Accept header, else application/json, else
// the first by name.
func pickTemplate(templates map[string]string, accept string) (string, string) {
	for _, a := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(a), ";")
		if t, ok := templates[mt]; ok {
			return mt, t
		}
	}
	if t, ok := templates["application/json"]; ok {
		return "application/json", t
	}
	names := make([]string, 0, len(templates))
	for n := range templates {
		names = append(names, n)
	}
	sort.Strings(names)
	return names[0], templates[names[0]]
}

var httpClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// endpointURL is the integration's URI with its {path} variables filled from the method's path
// parameters (through the integration's request parameters when it maps them).
func endpointURL(inv *invocation, withQuery bool) string {
	ig := inv.method.MethodIntegration
	u := ig.URI
	for name, v := range inv.pathParams {
		src := v
		if m, ok := ig.RequestParameters["integration.request.path."+name]; ok {
			if p, ok := strings.CutPrefix(m, "method.request.path."); ok {
				src = inv.pathParams[p]
			}
		}
		escaped := strings.ReplaceAll(url.PathEscape(src), "%2F", "/")
		u = strings.ReplaceAll(u, "{"+name+"}", escaped)
		u = strings.ReplaceAll(u, "{"+name+"+}", escaped)
	}
	if withQuery && inv.r.URL.RawQuery != "" {
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + inv.r.URL.RawQuery
	}
	return u
}

// hopHeaders are not forwarded by a proxy.
var hopHeaders = map[string]bool{"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Te": true,
	"Trailer": true, "Transfer-Encoding": true, "Upgrade": true, "Host": true, "Content-Length": true}

// httpProxy passes the request through to the endpoint and its answer back.
func (s *Service) httpProxy(ctx context.Context, inv *invocation) (*answer, *gatewayError) {
	ig := inv.method.MethodIntegration
	verb := ig.HTTPMethod
	if verb == "ANY" {
		verb = inv.r.Method
	}
	req, err := http.NewRequestWithContext(ctx, verb, endpointURL(inv, true), bytes.NewReader(inv.body))
	if err != nil {
		return nil, errInternal
	}
	for k, vs := range inv.r.Header {
		if !hopHeaders[k] {
			req.Header[k] = vs
		}
	}
	return s.doHTTP(ctx, req, func(resp *http.Response, body []byte) (*answer, *gatewayError) {
		h := http.Header{}
		for k, vs := range resp.Header {
			if !hopHeaders[k] {
				h[k] = vs
			}
		}
		return &answer{status: resp.StatusCode, header: h, body: body}, nil
	})
}

func (s *Service) doHTTP(ctx context.Context, req *http.Request, then func(*http.Response, []byte) (*answer, *gatewayError)) (*answer, *gatewayError) {
	resp, err := httpClient.Do(req)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, errTimeout
		}
		return nil, errInternal
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxInvokeBody+1))
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, errTimeout
		}
		return nil, errBadGateway
	}
	if len(body) > maxInvokeBody {
		return nil, errBadGateway
	}
	return then(resp, body)
}

// httpIntegration calls an HTTP endpoint with the mapped request and maps its answer.
func (s *Service) httpIntegration(ctx context.Context, inv *invocation) (*answer, *gatewayError) {
	body, gerr := s.requestBody(inv)
	if gerr != nil {
		return nil, gerr
	}
	ig := inv.method.MethodIntegration
	req, err := http.NewRequestWithContext(ctx, ig.HTTPMethod, endpointURL(inv, false), bytes.NewReader(body))
	if err != nil {
		return nil, errInternal
	}
	applyRequestParameters(req, inv)
	return s.doHTTP(ctx, req, func(resp *http.Response, rb []byte) (*answer, *gatewayError) {
		code := strconv.Itoa(resp.StatusCode)
		return s.mapResponse(inv, code, code, resp.Header, string(rb))
	})
}

// applyRequestParameters sets the integration request's headers and query parameters from the
// method request's ("method.request.header.X") or literals ("'value'").
func applyRequestParameters(req *http.Request, inv *invocation) {
	q := req.URL.Query()
	for dst, src := range inv.method.MethodIntegration.RequestParameters {
		v, ok := requestParameter(inv, src)
		if !ok {
			continue
		}
		if h, ok := strings.CutPrefix(dst, "integration.request.header."); ok {
			req.Header.Set(h, v)
		} else if k, ok := strings.CutPrefix(dst, "integration.request.querystring."); ok {
			q.Set(k, v)
		}
	}
	req.URL.RawQuery = q.Encode()
}

func requestParameter(inv *invocation, src string) (string, bool) {
	switch {
	case len(src) >= 2 && strings.HasPrefix(src, "'") && strings.HasSuffix(src, "'"):
		return src[1 : len(src)-1], true
	case strings.HasPrefix(src, "method.request.header."):
		return inv.r.Header.Get(src[len("method.request.header."):]), true
	case strings.HasPrefix(src, "method.request.querystring."):
		return inv.r.URL.Query().Get(src[len("method.request.querystring."):]), true
	case strings.HasPrefix(src, "method.request.multivalueheader."):
		return inv.r.Header.Get(src[len("method.request.multivalueheader."):]), true
	case strings.HasPrefix(src, "method.request.path."):
		v, ok := inv.pathParams[src[len("method.request.path."):]]
		return v, ok
	case strings.HasPrefix(src, "stageVariables."):
		v, ok := inv.d.stage.Variables[src[len("stageVariables."):]]
		return v, ok
	}
	return "", false
}

var sqsURIRE = regexp.MustCompile(`^arn:aws:apigateway:([a-z0-9-]+):sqs:path/(\d{12})/([A-Za-z0-9_.-]+)$`)

// awsIntegration calls an AWS service: SQS (path/<account>/<queue>, the request template
// producing Action=SendMessage&MessageBody=…) or Lambda without the proxy event.
func (s *Service) awsIntegration(ctx context.Context, inv *invocation) (*answer, *gatewayError) {
	ig := inv.method.MethodIntegration
	body, gerr := s.requestBody(inv)
	if gerr != nil {
		return nil, gerr
	}
	if m := sqsURIRE.FindStringSubmatch(ig.URI); m != nil {
		return s.sendToQueue(ctx, inv, "arn:aws:sqs:"+m[1]+":"+m[2]+":"+m[3], body)
	}
	if m := lambdaURIRE.FindStringSubmatch(ig.URI); m != nil {
		return s.lambdaIntegration(ctx, inv, m[1], body)
	}
	return nil, errInternal
}

// sendToQueue runs the SQS action the template produced and maps SQS's JSON answer.
func (s *Service) sendToQueue(ctx context.Context, inv *invocation, queueARN string, body []byte) (*answer, *gatewayError) {
	if s.queues == nil {
		return nil, errInternal
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("Action") != "SendMessage" {
		resp := `{"Error":{"Code":"InvalidAction","Message":"The action or operation requested is invalid.","Type":"Sender"}}`
		return s.mapResponse(inv, "400", "400", nil, resp)
	}
	msg := form.Get("MessageBody")
	id, err := s.queues.Enqueue(ctx, queueARN, msg, nil, form.Get("MessageGroupId"), form.Get("MessageDeduplicationId"))
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, errTimeout
		}
		b, _ := json.Marshal(map[string]any{"Error": map[string]string{"Code": "AWS.SimpleQueueService.NonExistentQueue", "Message": err.Error(), "Type": "Sender"}})
		return s.mapResponse(inv, "400", "400", nil, string(b))
	}
	sum := md5.Sum([]byte(msg))
	b, _ := json.Marshal(map[string]any{"SendMessageResponse": map[string]any{
		"ResponseMetadata": map[string]string{"RequestId": inv.requestID},
		"SendMessageResult": map[string]any{"MD5OfMessageAttributes": nil, "MD5OfMessageBody": hex.EncodeToString(sum[:]),
			"MD5OfMessageSystemAttributes": nil, "MessageId": id, "SequenceNumber": nil},
	}})
	return s.mapResponse(inv, "200", "200", nil, string(b))
}

// lambdaIntegration invokes a function with the mapped request: a function error's
// errorMessage selects the integration response.
func (s *Service) lambdaIntegration(ctx context.Context, inv *invocation, fn string, body []byte) (*answer, *gatewayError) {
	if s.functions == nil {
		return nil, errInternal
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	result, fnErr, err := s.functions.Invoke(ctx, fn, s.integrationSource(inv), body)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, errTimeout
		}
		return nil, inv.invokeFailed(err)
	}
	selector := ""
	if fnErr != "" {
		var e struct {
			ErrorMessage string `json:"errorMessage"`
		}
		json.Unmarshal(result, &e)
		selector = e.ErrorMessage
	}
	return s.mapResponse(inv, selector, "200", nil, string(result))
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
