package apigateway

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
)

// TestInvokeMethodInput is TestInvokeMethod's request.
type TestInvokeMethodInput struct {
	RestAPIID           string              `rest:"uri=restapi_id" json:"-"`
	ResourceID          string              `rest:"uri=resource_id" json:"-"`
	HTTPMethod          string              `rest:"uri=http_method" json:"-"`
	PathWithQueryString string              `json:"pathWithQueryString"`
	Body                string              `json:"body"`
	Headers             map[string]string   `json:"headers"`
	MultiValueHeaders   map[string][]string `json:"multiValueHeaders"`
	StageVariables      map[string]string   `json:"stageVariables"`
}

// TestInvokeMethodOutput is TestInvokeMethod's answer.
type TestInvokeMethodOutput struct {
	Status            int                 `json:"status"`
	Body              string              `json:"body"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Log               string              `json:"log"`
	Latency           int64               `json:"latency"`
}

// TestInvokeMethod runs a method of the API as it is now (undeployed), without its
// authorization, API key and throttling checks, and reports the answer.
func (s *Service) TestInvokeMethod(ctx context.Context, in *TestInvokeMethodInput) (*TestInvokeMethodOutput, error) {
	account := callerAccount(ctx)
	doc, _, err := s.loadAPI(ctx, account, in.RestAPIID)
	if err != nil {
		return nil, err
	}
	res, m, err := methodOf(doc, in.ResourceID, in.HTTPMethod)
	if err != nil {
		return nil, err
	}
	if m.MethodIntegration == nil {
		return nil, badRequest("No integration defined for method")
	}
	target := in.PathWithQueryString
	if target == "" {
		target = res.Path
	}
	r := httptest.NewRequest(in.HTTPMethod, "http://"+in.RestAPIID+".execute-api.localhost"+target, bytes.NewReader([]byte(in.Body)))
	for k, vs := range in.MultiValueHeaders {
		r.Header[http.CanonicalHeaderKey(k)] = vs
	}
	for k, v := range in.Headers {
		r.Header.Set(k, v)
	}
	d := &deployed{account: account, apiID: in.RestAPIID, api: doc.API, stage: Stage{StageName: "test-invoke-stage", Variables: in.StageVariables},
		children: map[string][]*Resource{}, models: doc.Models, validators: doc.Validators, gatewayResponses: doc.GatewayResponses}
	path, _, _ := strings.Cut(target, "?")
	start := s.now()
	inv := &invocation{r: r, body: []byte(in.Body), d: d, resource: res, method: m, verb: in.HTTPMethod, path: path,
		pathParams: pathParamsOf(res.Path, path), requestID: newID(), gatewayID: newID(), now: start}
	ans, gerr := (*answer)(nil), s.validate(inv)
	if gerr == nil {
		ans, gerr = s.integrate(ctx, inv)
	}
	if gerr != nil {
		ans = s.gatewayResponse(inv, gerr)
	}
	out := &TestInvokeMethodOutput{Status: ans.status, Body: string(ans.body), Headers: map[string]string{}, MultiValueHeaders: map[string][]string(ans.header),
		Log: executionLog(inv, ans.status), Latency: s.now().Sub(start).Milliseconds()}
	for k, vs := range ans.header {
		out.Headers[k] = vs[len(vs)-1]
	}
	return out, nil
}

// pathParamsOf reads a request path's parameters by the resource path's template.
func pathParamsOf(template, path string) map[string]string {
	ts, ps := splitPath(template), splitPath(path)
	out := map[string]string{}
	for i, t := range ts {
		if i >= len(ps) || !isVariable(t) {
			continue
		}
		if isGreedy(t) {
			out[t[1:len(t)-2]] = strings.Join(ps[i:], "/")
			break
		}
		out[t[1:len(t)-1]] = ps[i]
	}
	return out
}

// executionLog is TestInvokeMethod's log: the request, why its integration failed if it did,
// and its status.
func executionLog(inv *invocation, status int) string {
	log := "Execution log for request " + inv.requestID + "\n"
	if inv.failure != "" {
		log += inv.failure + "\n"
	}
	return log + "Method completed with status: " + http.StatusText(status) + "\n"
}
