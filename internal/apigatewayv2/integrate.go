package apigatewayv2

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/request"
)

// integrate runs a route's integration and answers what the client gets.
func (s *Service) integrate(ctx context.Context, ss *servedStage, route *Route, c *call) (*reply, *gatewayError) {
	id, ok := strings.CutPrefix(route.Target, "integrations/")
	it := ss.integrations[id]
	if !ok || it == nil {
		return nil, errInternal
	}
	timeout := time.Duration(it.TimeoutInMillis) * time.Millisecond
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var rp *reply
	var gerr *gatewayError
	switch it.IntegrationType {
	case "AWS_PROXY":
		rp, gerr = s.invokeFunction(ctx, it, c)
	case "HTTP_PROXY":
		rp, gerr = s.proxyHTTP(ctx, it, c)
	default:
		return nil, errInternal
	}
	if gerr == nil && len(it.ResponseParameters) > 0 {
		mapResponse(rp, it.ResponseParameters, c)
	}
	return rp, gerr
}

// functionARN is the function an AWS_PROXY integration calls: its URI is the function's ARN, or
// API Gateway's form arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<arn>/invocations.
func functionARN(uri string) string {
	if _, rest, ok := strings.Cut(uri, ":lambda:path/2015-03-31/functions/"); ok {
		return strings.TrimSuffix(rest, "/invocations")
	}
	return uri
}

// sourceARN is the execute-api ARN API Gateway invokes a route's function for, the form a
// function's policy names in its SourceArn: api/stage/VERB/path for an HTTP API's "VERB /path"
// route (the request's verb for ANY), api/stage/routeKey for $default and WebSocket routes.
func sourceARN(region, account, apiID, stage, routeKey, method string) string {
	arn := "arn:aws:execute-api:" + region + ":" + account + ":" + apiID + "/" + stage + "/"
	if verb, path, ok := strings.Cut(routeKey, " "); ok {
		if verb == "ANY" && method != "" {
			verb = method
		}
		return arn + verb + path
	}
	return arn + routeKey
}

// credentialsRole is the role of an integration's or authorizer's credentials ("" when none).
func credentialsRole(c string) string {
	if strings.Contains(c, ":role/") {
		return c
	}
	return ""
}

// invokeFunction calls a function with the request's event in the integration's payload format.
func (s *Service) invokeFunction(ctx context.Context, it *Integration, c *call) (*reply, *gatewayError) {
	if s.functions == nil {
		return nil, errInternal
	}
	var event []byte
	var err error
	if it.PayloadFormatVersion == "1.0" {
		event, err = c.event10()
	} else {
		event, err = c.event20()
	}
	if err != nil {
		return nil, errInternal
	}
	src := request.Source{ARN: sourceARN(s.region, c.account, c.apiID, c.stage, c.routeKey, c.r.Method), Account: c.account, Role: credentialsRole(it.CredentialsArn)}
	out, fnErr, err := s.functions.Invoke(ctx, functionARN(withStageVariables(it.IntegrationURI, c.stageVars)), src, event)
	switch {
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil:
		return nil, errUnavailable
	case err != nil || fnErr != "":
		return nil, errInternal
	}
	var rp *reply
	var ok bool
	if it.PayloadFormatVersion == "1.0" {
		rp, ok = functionReply1(out)
	} else {
		rp, ok = functionReply2(out)
	}
	if !ok {
		return nil, errInternal
	}
	return rp, nil
}

// hopHeaders are not passed through a proxy.
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// proxyHTTP passes a request to an HTTP endpoint: the integration's URI with the route's path
// parameters put in its {name} (or {name+}) places, the request's query string, headers and body.
func (s *Service) proxyHTTP(ctx context.Context, it *Integration, c *call) (*reply, *gatewayError) {
	target := withStageVariables(it.IntegrationURI, c.stageVars)
	for name, v := range c.pathParams {
		escaped := escapePathValue(v)
		target = strings.ReplaceAll(target, "{"+name+"+}", escaped)
		target = strings.ReplaceAll(target, "{"+name+"}", escaped)
	}
	u, err := url.Parse(target)
	if err != nil {
		return nil, errInternal
	}
	if c.r.URL.RawQuery != "" {
		if u.RawQuery != "" {
			u.RawQuery += "&"
		}
		u.RawQuery += c.r.URL.RawQuery
	}
	method := it.IntegrationMethod
	if method == "" || method == "ANY" {
		method = c.r.Method
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(c.body))
	if err != nil {
		return nil, errInternal
	}
	for k, vs := range c.r.Header {
		req.Header[k] = vs
	}
	for _, h := range hopHeaders {
		req.Header.Del(h)
	}
	if len(it.RequestParameters) > 0 {
		mapRequest(req, it.RequestParameters, c)
	}
	req.Header.Set("X-Amzn-Trace-Id", "Root="+c.requestID)
	req.Header.Set("X-Forwarded-For", joinNonEmpty(c.r.Header.Get("X-Forwarded-For"), c.sourceIP))
	req.Header.Set("Forwarded", "by=;for="+c.sourceIP+";host="+c.r.Host+";proto=http")
	resp, err := s.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, errUnavailable
		}
		return nil, &gatewayError{502, "Bad Gateway"}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxInvokeBody+1))
	if err != nil || len(body) > maxInvokeBody {
		return nil, &gatewayError{502, "Bad Gateway"}
	}
	h := resp.Header.Clone()
	for _, name := range hopHeaders {
		h.Del(name)
	}
	h.Del("Content-Length")
	return &reply{status: resp.StatusCode, header: h, body: body}, nil
}

func escapePathValue(v string) string {
	parts := strings.Split(v, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}
