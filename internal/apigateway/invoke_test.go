package apigateway

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store/sqlite"
)

const account = "123456789012"

// function is a Lambda function as the Invoker reaches it: it records the events it gets and
// answers with reply.
type function struct {
	mu     sync.Mutex
	events [][]byte
	reply  func(event []byte) ([]byte, string, error)
}

func (f *function) Invoke(ctx context.Context, arn string, _ request.Source, payload []byte) ([]byte, string, error) {
	f.mu.Lock()
	f.events = append(f.events, payload)
	f.mu.Unlock()
	return f.reply(payload)
}

type fixture struct {
	db    *sqlite.DB
	s     *Service
	clock *background.FakeClock
	ctx   context.Context
	fn    *function
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "g.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clock := background.NewFakeClock(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	fn := &function{reply: func([]byte) ([]byte, string, error) { return []byte(`{"statusCode":200,"body":"ok"}`), "", nil }}
	s := New(Deps{Env: service.Env{Region: "us-east-1", Clock: clock}, Store: db, Functions: fn})
	ctx := request.With(context.Background(), &request.Info{Principal: &request.Principal{Account: account, Root: true}})
	return &fixture{db: db, s: s, clock: clock, ctx: ctx, fn: fn}
}

// ok returns v, and fails the test (by a panic the test reports) on an error.
func ok[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// api builds a REST API with one method at path (parts created as needed) and deploys it.
func (f *fixture) api(t testing.TB, path, verb string, ig PutIntegrationInput, keyRequired bool) string {
	t.Helper()
	api := ok(f.s.CreateRestApi(f.ctx, &CreateRestApiInput{Name: "t", EndpointConfiguration: &EndpointConfiguration{Types: []string{"REGIONAL"}}}))
	parent := api.RootResourceID
	for _, part := range strings.Split(strings.Trim(path, "/"), "/") {
		if part == "" {
			continue
		}
		parent = ok(f.s.CreateResource(f.ctx, &CreateResourceInput{RestAPIID: api.ID, ParentID: parent, PathPart: part})).ID
	}
	ok(f.s.PutMethod(f.ctx, &PutMethodInput{RestAPIID: api.ID, ResourceID: parent, HTTPMethod: verb, AuthorizationType: "NONE", APIKeyRequired: keyRequired}))
	ig.RestAPIID, ig.ResourceID, ig.HTTPMethod = api.ID, parent, verb
	ok(f.s.PutIntegration(f.ctx, &ig))
	if ig.Type == "MOCK" {
		ok(f.s.PutMethodResponse(f.ctx, &MethodResponseInput{RestAPIID: api.ID, ResourceID: parent, HTTPMethod: verb, StatusCode: "200"}))
		ok(f.s.PutIntegrationResponse(f.ctx, &IntegrationResponseInput{RestAPIID: api.ID, ResourceID: parent, HTTPMethod: verb, StatusCode: "200",
			ResponseTemplates: map[string]string{"application/json": `{"ok":true}`}}))
	}
	ok(f.s.CreateDeployment(f.ctx, &CreateDeploymentInput{RestAPIID: api.ID, StageName: "prod", Variables: map[string]string{"v": "1"}}))
	return api.ID
}

func (f *fixture) do(method, target, key, body string) (int, http.Header, string) {
	req := httptest.NewRequest(method, "http://localhost"+target, strings.NewReader(body))
	req.RemoteAddr = "192.0.2.7:5555"
	if key != "" {
		req.Header.Set("x-api-key", key)
	}
	rec := httptest.NewRecorder()
	f.s.serveInvoke(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, rec.Result().Header, string(b)
}

var lambdaURI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations"

// TestProxyEvent checks the payload 1.0 event against aws-lambda-go's type: every field the
// function gets decodes into events.APIGatewayProxyRequest with the values API Gateway sends.
func TestProxyEvent(t *testing.T) {
	f := newFixture(t)
	f.fn.reply = func([]byte) ([]byte, string, error) {
		return []byte(`{"statusCode":201,"headers":{"X-A":"1"},"multiValueHeaders":{"Set-Cookie":["a=1","b=2"]},"body":"created"}`), "", nil
	}
	id := f.api(t, "/pets/{id}/{proxy+}", "ANY", PutIntegrationInput{Type: "AWS_PROXY", IntegrationHTTPMethod: "POST", URI: lambdaURI}, false)
	req := httptest.NewRequest("POST", "http://"+id+".execute-api.localhost:4566/prod/pets/7/a/b?x=1&x=2&y=3", strings.NewReader(`{"n":1}`))
	req.RemoteAddr = "192.0.2.7:5555"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Add("X-Multi", "p")
	req.Header.Add("X-Multi", "q")
	rec := httptest.NewRecorder()
	f.s.serveInvoke(rec, req)
	if rec.Code != 201 || rec.Body.String() != "created" || rec.Header().Get("X-A") != "1" || len(rec.Header().Values("Set-Cookie")) != 2 {
		t.Fatalf("proxy answer = %d %q %v", rec.Code, rec.Body.String(), rec.Header())
	}
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(f.fn.events[0], &ev); err != nil {
		t.Fatal(err)
	}
	rc := ev.RequestContext
	want := events.APIGatewayProxyRequest{
		Resource: "/pets/{id}/{proxy+}", Path: "/pets/7/a/b", HTTPMethod: "POST",
		QueryStringParameters:           map[string]string{"x": "2", "y": "3"},
		MultiValueQueryStringParameters: map[string][]string{"x": {"1", "2"}, "y": {"3"}},
		PathParameters:                  map[string]string{"id": "7", "proxy": "a/b"},
		StageVariables:                  map[string]string{"v": "1"},
		Body:                            `{"n":1}`,
	}
	got := ev
	got.Headers, got.MultiValueHeaders, got.RequestContext = nil, nil, events.APIGatewayProxyRequestContext{}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("event (-want +got):\n%s", diff)
	}
	if ev.Headers["X-Multi"] != "q" || !cmp.Equal(ev.MultiValueHeaders["X-Multi"], []string{"p", "q"}) || ev.Headers["Host"] != id+".execute-api.localhost:4566" {
		t.Errorf("headers = %v / %v", ev.Headers, ev.MultiValueHeaders)
	}
	if rc.AccountID != account || rc.APIID != id || rc.Stage != "prod" || rc.ResourcePath != "/pets/{id}/{proxy+}" || rc.Path != "/prod/pets/7/a/b" ||
		rc.HTTPMethod != "POST" || rc.Identity.SourceIP != "192.0.2.7" || rc.DomainPrefix != id || rc.RequestID == "" ||
		rc.RequestTimeEpoch != f.clock.Now().UnixMilli() || rc.ResourceID == "" {
		t.Errorf("requestContext = %+v", rc)
	}
	// No query, no body: those fields are null, as API Gateway sends them.
	f.do("GET", "/_gureum/execute-api/"+id+"/prod/pets/1/z", "", "")
	var raw map[string]json.RawMessage
	json.Unmarshal(f.fn.events[1], &raw)
	for _, k := range []string{"queryStringParameters", "multiValueQueryStringParameters", "body"} {
		if string(raw[k]) != "null" {
			t.Errorf("%s = %s; want null", k, raw[k])
		}
	}
}

func TestProxyAnswers(t *testing.T) {
	f := newFixture(t)
	id := f.api(t, "/f", "GET", PutIntegrationInput{Type: "AWS_PROXY", IntegrationHTTPMethod: "POST", URI: lambdaURI}, false)
	for _, tt := range []struct {
		reply, fnErr string
		status       int
		body         string
	}{
		{`{"statusCode":200,"body":"aGk=","isBase64Encoded":true}`, "", 200, "hi"},
		{`{"statusCode":"204"}`, "", 204, ""},
		{`not json`, "", 502, `{"message":"Internal server error"}`},
		{`{"body":"no status"}`, "", 502, `{"message":"Internal server error"}`},
		{`{"statusCode":200,"extra":1}`, "", 502, `{"message":"Internal server error"}`},
		{`{"errorMessage":"boom"}`, "Unhandled", 502, `{"message":"Internal server error"}`},
	} {
		f.fn.reply = func([]byte) ([]byte, string, error) { return []byte(tt.reply), tt.fnErr, nil }
		status, _, body := f.do("GET", "/_gureum/execute-api/"+id+"/prod/f", "", "")
		if status != tt.status || body != tt.body {
			t.Errorf("reply %s = %d %q; want %d %q", tt.reply, status, body, tt.status, tt.body)
		}
	}
}

func TestRouteMatching(t *testing.T) {
	f := newFixture(t)
	api := ok(f.s.CreateRestApi(f.ctx, &CreateRestApiInput{Name: "r"}))
	add := func(parent, part string, verbs ...string) string {
		r := ok(f.s.CreateResource(f.ctx, &CreateResourceInput{RestAPIID: api.ID, ParentID: parent, PathPart: part}))
		for _, v := range verbs {
			ok(f.s.PutMethod(f.ctx, &PutMethodInput{RestAPIID: api.ID, ResourceID: r.ID, HTTPMethod: v, AuthorizationType: "NONE"}))
			ok(f.s.PutIntegration(f.ctx, &PutIntegrationInput{RestAPIID: api.ID, ResourceID: r.ID, HTTPMethod: v, Type: "MOCK"}))
			ok(f.s.PutMethodResponse(f.ctx, &MethodResponseInput{RestAPIID: api.ID, ResourceID: r.ID, HTTPMethod: v, StatusCode: "200"}))
			ok(f.s.PutIntegrationResponse(f.ctx, &IntegrationResponseInput{RestAPIID: api.ID, ResourceID: r.ID, HTTPMethod: v, StatusCode: "200",
				ResponseTemplates: map[string]string{"application/json": v + " $context.resourcePath $input.params('id')$input.params('proxy')"}}))
		}
		return r.ID
	}
	pets := add(api.RootResourceID, "pets", "GET")
	add(pets, "{id}", "GET", "ANY")
	add(pets, "mine", "GET")
	add(api.RootResourceID, "{proxy+}", "ANY")
	ok(f.s.CreateDeployment(f.ctx, &CreateDeploymentInput{RestAPIID: api.ID, StageName: "s"}))
	for _, tt := range []struct{ method, path, want string }{
		{"GET", "/pets", "GET /pets "},
		{"GET", "/pets/mine", "GET /pets/mine "},
		{"GET", "/pets/42", "GET /pets/{id} 42"},
		{"DELETE", "/pets/42", "ANY /pets/{id} 42"},
		{"GET", "/pets/42/toys", "ANY /{proxy+} pets/42/toys"},
		{"PUT", "/other", "ANY /{proxy+} other"},
	} {
		status, _, body := f.do(tt.method, "/_gureum/execute-api/"+api.ID+"/s"+tt.path, "", "")
		if status != 200 || body != tt.want {
			t.Errorf("%s %s = %d %q; want %q", tt.method, tt.path, status, body, tt.want)
		}
	}
	if status, h, body := f.do("POST", "/_gureum/execute-api/"+api.ID+"/s/pets", "", ""); status != 403 || body != `{"message":"Missing Authentication Token"}` || h.Get("x-amzn-ErrorType") != "MissingAuthenticationTokenException" {
		t.Errorf("POST /pets = %d %s", status, body)
	}
	if status, _, _ := f.do("GET", "/_gureum/execute-api/"+api.ID+"/nostage/pets", "", ""); status != 403 {
		t.Errorf("unknown stage = %d; want 403", status)
	}
}

// keyedAPI is a MOCK API behind an API key in a plan with the given throttle and quota.
func (f *fixture) keyedAPI(t testing.TB, throttle *ThrottleSettings, quota *QuotaSettings) (apiID, key, keyID, planID string) {
	t.Helper()
	apiID = f.api(t, "/status", "GET", PutIntegrationInput{Type: "MOCK", RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}, true)
	k := ok(f.s.CreateApiKey(f.ctx, &CreateApiKeyInput{Name: "k", Enabled: true}))
	p := ok(f.s.CreateUsagePlan(f.ctx, &CreateUsagePlanInput{Name: "p", APIStages: []APIStage{{APIID: apiID, Stage: "prod"}}, Throttle: throttle, Quota: quota}))
	ok(f.s.CreateUsagePlanKey(f.ctx, &CreateUsagePlanKeyInput{UsagePlanID: p.ID, KeyID: k.ID, KeyType: "API_KEY"}))
	return apiID, k.Value, k.ID, p.ID
}

// hammer makes n calls from 16 concurrent clients and counts the answers by status.
func (f *fixture) hammer(apiID, key string, n int) map[int]int {
	var mu sync.Mutex
	counts := map[int]int{}
	var next atomic.Int64
	var wg sync.WaitGroup
	for c := 0; c < 16; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				status, _, _ := f.do("GET", "/_gureum/execute-api/"+apiID+"/prod/status", key, "")
				mu.Lock()
				counts[status]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return counts
}

func TestQuotaExactUnderConcurrency(t *testing.T) {
	f := newFixture(t)
	apiID, key, keyID, planID := f.keyedAPI(t, nil, &QuotaSettings{Limit: 50, Period: "DAY"})
	if got := f.hammer(apiID, key, 80); got[200] != 50 || got[429] != 30 {
		t.Fatalf("80 calls on a quota of 50 = %v; want 50 × 200, 30 × 429", got)
	}
	// The next UTC day starts a new period.
	f.clock.Advance(14 * time.Hour)
	if got := f.hammer(apiID, key, 10); got[200] != 10 {
		t.Fatalf("the next day = %v; want 10 × 200", got)
	}
	u := ok(f.s.GetUsage(f.ctx, &GetUsageInput{UsagePlanID: planID, StartDate: "2026-12-07", EndDate: "2026-12-08"}))
	if want := [][2]int64{{50, 0}, {10, 40}}; !cmp.Equal(u.Items[keyID], want) {
		t.Errorf("GetUsage = %v; want %v", u.Items, want)
	}
}

func TestQuotaPeriods(t *testing.T) {
	mon := time.Date(2026, 12, 7, 13, 0, 0, 0, time.UTC) // a Monday
	for _, tt := range []struct{ period, want string }{{"DAY", "2026-12-07"}, {"WEEK", "2026-12-06"}, {"MONTH", "2026-12-01"}} {
		if got := periodStart(&QuotaSettings{Period: tt.period}, mon).Format(dayLayout); got != tt.want {
			t.Errorf("periodStart(%s) = %s; want %s", tt.period, got, tt.want)
		}
	}
}

func TestThrottleTokenBucket(t *testing.T) {
	f := newFixture(t)
	apiID, key, _, _ := f.keyedAPI(t, &ThrottleSettings{RateLimit: 10, BurstLimit: 20}, nil)
	if got := f.hammer(apiID, key, 30); got[200] != 20 || got[429] != 10 {
		t.Fatalf("30 calls at once on burst 20 = %v; want 20 × 200, 10 × 429", got)
	}
	status, _, body := f.do("GET", "/_gureum/execute-api/"+apiID+"/prod/status", key, "")
	if status != 429 || body != `{"message":"Too Many Requests"}` {
		t.Errorf("throttled = %d %s", status, body)
	}
	f.clock.Advance(500 * time.Millisecond) // refills 5 tokens
	if got := f.hammer(apiID, key, 8); got[200] != 5 || got[429] != 3 {
		t.Fatalf("after 0.5 s at rate 10 = %v; want 5 × 200", got)
	}
}

func TestPerMethodThrottleOverride(t *testing.T) {
	f := newFixture(t)
	apiID, key, _, planID := f.keyedAPI(t, &ThrottleSettings{RateLimit: 100, BurstLimit: 100}, nil)
	ok(f.s.UpdateUsagePlan(f.ctx, &UsagePlanUpdateInput{UsagePlanID: planID, PatchOperations: []PatchOperation{
		{Op: "replace", Path: "/apiStages/" + apiID + ":prod/throttle/~1status/GET/burstLimit", Value: "2"},
		{Op: "replace", Path: "/apiStages/" + apiID + ":prod/throttle/~1status/GET/rateLimit", Value: "1"},
	}}))
	if got := f.hammer(apiID, key, 5); got[200] != 2 {
		t.Fatalf("burst 2 on /status GET = %v; want 2 × 200", got)
	}
}

func TestStageMethodThrottle(t *testing.T) {
	f := newFixture(t)
	apiID := f.api(t, "/m", "GET", PutIntegrationInput{Type: "MOCK"}, false)
	ok(f.s.UpdateStage(f.ctx, &StageUpdateInput{RestAPIID: apiID, StageName: "prod", PatchOperations: []PatchOperation{
		{Op: "replace", Path: "/*/*/throttling/burstLimit", Value: "3"},
		{Op: "replace", Path: "/*/*/throttling/rateLimit", Value: "1"},
	}}))
	n := 0
	for i := 0; i < 5; i++ {
		if status, _, _ := f.do("GET", "/_gureum/execute-api/"+apiID+"/prod/m", "", ""); status == 200 {
			n++
		}
	}
	if n != 3 {
		t.Errorf("stage burst 3 let %d of 5 through", n)
	}
}

func TestImportApiKeys(t *testing.T) {
	f := newFixture(t)
	out := ok(f.s.ImportApiKeys(f.ctx, &ImportApiKeysInput{Format: "csv",
		Body: []byte("Name,Key,Description,Enabled\nalpha,alphaalphaalphaalpha01,first,true\nbeta,betabetabetabetabeta02,,false\n")}))
	if len(out.IDs) != 2 || len(out.Warnings) != 0 {
		t.Fatalf("ImportApiKeys = %+v", out)
	}
	keys := ok(f.s.GetApiKeys(f.ctx, &APIKeysInput{IncludeValues: true, NameQuery: "be"}))
	if len(keys.Items) != 1 || keys.Items[0].Value != "betabetabetabetabeta02" || keys.Items[0].Enabled {
		t.Errorf("GetApiKeys(name=be) = %+v", keys.Items)
	}
	if _, err := f.s.ImportApiKeys(f.ctx, &ImportApiKeysInput{Format: "csv", FailOnWarnings: true,
		Body: []byte("Name,Key\nalpha,alphaalphaalphaalpha01\n")}); err == nil {
		t.Error("importing a taken value with failonwarnings = nil error")
	}
}

func FuzzProxyAnswer(f *testing.F) {
	for _, s := range []string{`{"statusCode":200,"body":"x"}`, `{"statusCode":"201","headers":{"a":"b"}}`, `{"statusCode":200,"isBase64Encoded":true,"body":"!!"}`, `[]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ans, gerr := proxyAnswer(b)
		if (ans == nil) == (gerr == nil) {
			t.Fatalf("proxyAnswer(%q) = %v, %v", b, ans, gerr)
		}
		if ans != nil && (ans.status < 100 || ans.status > 599) {
			t.Fatalf("status %d", ans.status)
		}
	})
}

func FuzzImportCSV(f *testing.F) {
	f.Add([]byte("Name,Key,Enabled\na,b,true\n"))
	f.Add([]byte("key\n\"unterminated"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := readKeyCSV(b)
		if err == nil {
			for _, r := range rows {
				_ = fmt.Sprint(r)
			}
		}
	})
}

func TestGatewayResponses(t *testing.T) {
	f := newFixture(t)
	apiID, _, _, _ := f.keyedAPI(t, nil, nil)
	ok(f.s.PutGatewayResponse(f.ctx, &GatewayResponseInput{RestAPIID: apiID, ResponseType: "INVALID_API_KEY", StatusCode: "401",
		ResponseParameters: map[string]string{"gatewayresponse.header.WWW-Authenticate": "'ApiKey'"},
		ResponseTemplates:  map[string]string{"application/json": `{"error":$context.error.messageString,"type":"$context.error.responseType"}`}}))
	ok(f.s.PutGatewayResponse(f.ctx, &GatewayResponseInput{RestAPIID: apiID, ResponseType: "DEFAULT_4XX",
		ResponseParameters: map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}}))
	// Gateway responses take effect with a deployment.
	if status, _, _ := f.do("GET", "/_gureum/execute-api/"+apiID+"/prod/status", "", ""); status != 403 {
		t.Errorf("before redeploying = %d; want 403", status)
	}
	ok(f.s.CreateDeployment(f.ctx, &CreateDeploymentInput{RestAPIID: apiID, StageName: "prod"}))
	f.s.routes.drop(apiID)
	status, h, body := f.do("GET", "/_gureum/execute-api/"+apiID+"/prod/status", "", "")
	if status != 401 || h.Get("WWW-Authenticate") != "ApiKey" || body != `{"error":"Forbidden","type":"INVALID_API_KEY"}` {
		t.Errorf("customised INVALID_API_KEY = %d %v %s", status, h, body)
	}
	status, h, body = f.do("GET", "/_gureum/execute-api/"+apiID+"/prod/nowhere", "", "")
	if status != 403 || h.Get("Access-Control-Allow-Origin") != "*" || body != `{"message":"Missing Authentication Token"}` {
		t.Errorf("DEFAULT_4XX for a missing token = %d %v %s", status, h, body)
	}
	all := ok(f.s.GetGatewayResponses(f.ctx, &RestAPIInput{RestAPIID: apiID}))
	if len(all.Items) != len(defaultStatus) {
		t.Errorf("GetGatewayResponses = %d items; want %d", len(all.Items), len(defaultStatus))
	}
	th := ok(f.s.GetGatewayResponse(f.ctx, &GatewayResponseInput{RestAPIID: apiID, ResponseType: "THROTTLED"}))
	if th.StatusCode != "429" || !th.DefaultResponse {
		t.Errorf("GetGatewayResponse(THROTTLED) = %+v", th)
	}
}

func TestRequestValidation(t *testing.T) {
	f := newFixture(t)
	api := ok(f.s.CreateRestApi(f.ctx, &CreateRestApiInput{Name: "v"}))
	models := ok(f.s.GetModels(f.ctx, &RestAPIInput{RestAPIID: api.ID}))
	if len(models.Items) != 2 || models.Items[0].Name != "Empty" || models.Items[1].Name != "Error" {
		t.Errorf("a new API's models = %+v; want Empty and Error", models.Items)
	}
	ok(f.s.CreateModel(f.ctx, &ModelInput{RestAPIID: api.ID, Name: "Order", ContentType: "application/json",
		Schema: `{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","required":["item","qty"],"properties":{"item":{"type":"string"},"qty":{"type":"integer","minimum":1}}}`}))
	if _, err := f.s.CreateModel(f.ctx, &ModelInput{RestAPIID: api.ID, Name: "Bad", ContentType: "application/json", Schema: `{"type": 7}`}); err == nil {
		t.Error("CreateModel(invalid schema) = nil error")
	}
	v := ok(f.s.CreateRequestValidator(f.ctx, &RequestValidatorInput{RestAPIID: api.ID, Name: "all", ValidateRequestBody: true, ValidateRequestParameters: true}))
	res := ok(f.s.CreateResource(f.ctx, &CreateResourceInput{RestAPIID: api.ID, ParentID: api.RootResourceID, PathPart: "order"}))
	ok(f.s.PutMethod(f.ctx, &PutMethodInput{RestAPIID: api.ID, ResourceID: res.ID, HTTPMethod: "POST", AuthorizationType: "NONE",
		RequestValidatorID: v.ID, RequestModels: map[string]string{"application/json": "Order"},
		RequestParameters: map[string]bool{"method.request.querystring.channel": true, "method.request.header.X-Opt": false}}))
	ok(f.s.PutIntegration(f.ctx, &PutIntegrationInput{RestAPIID: api.ID, ResourceID: res.ID, HTTPMethod: "POST", Type: "MOCK"}))
	ok(f.s.PutMethodResponse(f.ctx, &MethodResponseInput{RestAPIID: api.ID, ResourceID: res.ID, HTTPMethod: "POST", StatusCode: "200"}))
	ok(f.s.PutIntegrationResponse(f.ctx, &IntegrationResponseInput{RestAPIID: api.ID, ResourceID: res.ID, HTTPMethod: "POST", StatusCode: "200"}))
	ok(f.s.CreateDeployment(f.ctx, &CreateDeploymentInput{RestAPIID: api.ID, StageName: "s"}))
	base := "/_gureum/execute-api/" + api.ID + "/s/order"
	for _, tt := range []struct {
		query, body string
		status      int
		msg         string
	}{
		{"", `{"item":"a","qty":1}`, 400, `{"message":"Missing required request parameters: [channel]"}`},
		{"?channel=web", `{"item":"a"}`, 400, `{"message":"Invalid request body"}`},
		{"?channel=web", `{"item":"a","qty":0}`, 400, `{"message":"Invalid request body"}`},
		{"?channel=web", `not json`, 400, `{"message":"Invalid request body"}`},
		{"?channel=web", `{"item":"a","qty":2}`, 200, ``},
	} {
		status, h, body := f.do("POST", base+tt.query, "", tt.body)
		if status != tt.status || tt.msg != "" && body != tt.msg {
			t.Errorf("POST %s %s = %d %s; want %d %s", tt.query, tt.body, status, body, tt.status, tt.msg)
		}
		if status == 400 && h.Get("x-amzn-ErrorType") != "BadRequestException" {
			t.Errorf("x-amzn-ErrorType = %q", h.Get("x-amzn-ErrorType"))
		}
	}
}

func TestLambdaAuthorizer(t *testing.T) {
	f := newFixture(t)
	var authCalls atomic.Int32
	f.fn.reply = func(ev []byte) ([]byte, string, error) {
		var e struct{ Type, AuthorizationToken, MethodArn string }
		json.Unmarshal(ev, &e)
		if e.Type == "" { // the integration
			return []byte(`{"statusCode":200,"body":"` + strings.ReplaceAll(string(ev), `"`, `'`) + `"}`), "", nil
		}
		authCalls.Add(1)
		switch e.AuthorizationToken {
		case "allow":
			return []byte(`{"principalId":"user-1","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"` +
				strings.SplitN(e.MethodArn, "/", 2)[0] + `/*"}]},"context":{"tier":"gold"}}`), "", nil
		case "deny":
			return []byte(`{"principalId":"user-2","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Deny","Resource":"*"}]}}`), "", nil
		}
		return []byte(`{"errorMessage":"Unauthorized"}`), "Unhandled", nil
	}
	api := ok(f.s.CreateRestApi(f.ctx, &CreateRestApiInput{Name: "a"}))
	auth := ok(f.s.CreateAuthorizer(f.ctx, &AuthorizerInput{RestAPIID: api.ID, Name: "tok", Type: "TOKEN", AuthorizerURI: lambdaURI}))
	if auth.IdentitySource != "method.request.header.Authorization" || *auth.AuthorizerResultTTLInSeconds != 300 {
		t.Errorf("CreateAuthorizer = %+v", auth)
	}
	res := ok(f.s.CreateResource(f.ctx, &CreateResourceInput{RestAPIID: api.ID, ParentID: api.RootResourceID, PathPart: "me"}))
	ok(f.s.PutMethod(f.ctx, &PutMethodInput{RestAPIID: api.ID, ResourceID: res.ID, HTTPMethod: "GET", AuthorizationType: "CUSTOM", AuthorizerID: auth.ID}))
	ok(f.s.PutIntegration(f.ctx, &PutIntegrationInput{RestAPIID: api.ID, ResourceID: res.ID, HTTPMethod: "GET", Type: "AWS_PROXY", IntegrationHTTPMethod: "POST", URI: lambdaURI}))
	ok(f.s.CreateDeployment(f.ctx, &CreateDeploymentInput{RestAPIID: api.ID, StageName: "s"}))
	call := func(token string) (int, string) {
		req := httptest.NewRequest("GET", "http://localhost/_gureum/execute-api/"+api.ID+"/s/me", nil)
		if token != "" {
			req.Header.Set("Authorization", token)
		}
		rec := httptest.NewRecorder()
		f.s.serveInvoke(rec, req)
		return rec.Code, rec.Body.String()
	}
	if status, body := call("allow"); status != 200 || !strings.Contains(body, `'authorizer':{'principalId':'user-1','tier':'gold'}`) {
		t.Errorf("allowed = %d %s", status, body)
	}
	call("allow")
	if n := authCalls.Load(); n != 1 {
		t.Errorf("the authorizer ran %d times for one token within its TTL; want 1", n)
	}
	if status, body := call("deny"); status != 403 || body != `{"message":"User is not authorized to access this resource with an explicit deny"}` {
		t.Errorf("denied = %d %s", status, body)
	}
	if status, body := call("nope"); status != 401 || body != `{"message":"Unauthorized"}` {
		t.Errorf("unauthorized = %d %s", status, body)
	}
	if status, _ := call(""); status != 401 {
		t.Errorf("no token = %d; want 401", status)
	}
	f.clock.Advance(301 * time.Second)
	call("allow")
	if n := authCalls.Load(); n != 4 {
		t.Errorf("after the TTL the authorizer ran %d times in all; want 4", n)
	}
}

const statusOpenAPI = `openapi: "3.0.1"
info:
  title: status
paths:
  /status:
    get:
      security:
        - api_key: []
      responses:
        "200":
          description: ok
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: '{"statusCode": 200}'
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: '{"status":"ok"}'
components:
  securitySchemes:
    api_key:
      type: apiKey
      name: x-api-key
      in: header
`

// TestOpenAPIImport imports the status API from OpenAPI (YAML) and gets the same behaviour as
// the API built call by call; the export carries the integration back out.
func TestOpenAPIImport(t *testing.T) {
	f := newFixture(t)
	api := ok(f.s.ImportRestApi(f.ctx, &ImportInput{Body: []byte(statusOpenAPI), Mode: "import"}))
	ok(f.s.CreateDeployment(f.ctx, &CreateDeploymentInput{RestAPIID: api.ID, StageName: "prod"}))
	k := ok(f.s.CreateApiKey(f.ctx, &CreateApiKeyInput{Name: "k", Enabled: true}))
	p := ok(f.s.CreateUsagePlan(f.ctx, &CreateUsagePlanInput{Name: "p", APIStages: []APIStage{{APIID: api.ID, Stage: "prod"}}, Quota: &QuotaSettings{Limit: 2, Period: "DAY"}}))
	ok(f.s.CreateUsagePlanKey(f.ctx, &CreateUsagePlanKeyInput{UsagePlanID: p.ID, KeyID: k.ID, KeyType: "API_KEY"}))
	target := "/_gureum/execute-api/" + api.ID + "/prod/status"
	if status, _, _ := f.do("GET", target, "", ""); status != 403 {
		t.Errorf("no key = %d; want 403", status)
	}
	for i, want := range []int{200, 200, 429} {
		if status, _, body := f.do("GET", target, k.Value, ""); status != want || want == 200 && body != `{"status":"ok"}` {
			t.Errorf("call %d = %d %s; want %d", i+1, status, body, want)
		}
	}
	exp := ok(f.s.GetExport(f.ctx, &ExportInput{RestAPIID: api.ID, StageName: "prod", ExportType: "oas30", Parameters: "integrations"}))
	var def map[string]any
	if err := json.Unmarshal(exp.Body, &def); err != nil {
		t.Fatal(err)
	}
	op := def["paths"].(map[string]any)["/status"].(map[string]any)["get"].(map[string]any)
	if op["x-amazon-apigateway-integration"].(map[string]any)["type"] != "mock" || op["security"] == nil {
		t.Errorf("export = %s", exp.Body)
	}
	// The export imports again into an API that behaves the same.
	again := ok(f.s.ImportRestApi(f.ctx, &ImportInput{Body: exp.Body}))
	doc, _, _ := f.s.loadAPI(f.ctx, account, again.ID)
	r, _ := ensurePath(doc, "/status")
	if m := r.ResourceMethods["GET"]; m == nil || !m.APIKeyRequired || m.MethodIntegration.Type != "MOCK" {
		t.Errorf("re-imported method = %+v", m)
	}
	if _, err := f.s.ImportRestApi(f.ctx, &ImportInput{Body: []byte(`{"nope": 1}`)}); err == nil {
		t.Error("ImportRestApi(not a definition) = nil error")
	}
}

func FuzzImportDefinition(f *testing.F) {
	f.Add([]byte(statusOpenAPI))
	f.Add([]byte(`{"swagger":"2.0","info":{"title":"t"},"paths":{"/{a}/{b+}":{"x-amazon-apigateway-any-method":{}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		def, err := parseDefinition(b)
		if err != nil {
			return
		}
		root := &Resource{ID: "root", Path: "/"}
		doc := &restAPIDoc{API: RestAPI{RootResourceID: "root"}, Resources: map[string]*Resource{"root": root}}
		applyDefinition(doc, def) // must not panic
	})
}

func TestTestInvokeMethod(t *testing.T) {
	f := newFixture(t)
	apiID := f.api(t, "/items/{id}", "GET", PutIntegrationInput{Type: "MOCK", RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}, true)
	doc, _, _ := f.s.loadAPI(f.ctx, account, apiID)
	r, _ := ensurePath(doc, "/items/{id}")
	ok(f.s.PutIntegrationResponse(f.ctx, &IntegrationResponseInput{RestAPIID: apiID, ResourceID: r.ID, HTTPMethod: "GET", StatusCode: "200",
		ResponseTemplates: map[string]string{"application/json": `{"id":"$input.params('id')","v":"$stageVariables.v"}`}}))
	out := ok(f.s.TestInvokeMethod(f.ctx, &TestInvokeMethodInput{RestAPIID: apiID, ResourceID: r.ID, HTTPMethod: "GET",
		PathWithQueryString: "/items/9?x=1", StageVariables: map[string]string{"v": "t"}}))
	if out.Status != 200 || out.Body != `{"id":"9","v":"t"}` || out.Headers["Content-Type"] != "application/json" {
		t.Errorf("TestInvokeMethod = %+v", out)
	}
}

func TestUpdates(t *testing.T) {
	f := newFixture(t)
	apiID := f.api(t, "/x", "GET", PutIntegrationInput{Type: "MOCK"}, false)
	doc, _, _ := f.s.loadAPI(f.ctx, account, apiID)
	r, _ := ensurePath(doc, "/x")
	ir := ok(f.s.UpdateIntegrationResponse(f.ctx, &MethodUpdateInput{RestAPIID: apiID, ResourceID: r.ID, HTTPMethod: "GET", StatusCode: "200",
		PatchOperations: []PatchOperation{{Op: "replace", Path: "/responseTemplates/application~1json", Value: `{"v":2}`}}}))
	if ir.ResponseTemplates["application/json"] != `{"v":2}` {
		t.Errorf("UpdateIntegrationResponse = %+v", ir)
	}
	if _, err := f.s.UpdateModel(f.ctx, &ModelUpdateInput{RestAPIID: apiID, ModelName: "Empty", PatchOperations: []PatchOperation{{Op: "replace", Path: "/schema", Value: `{"type":3}`}}}); err == nil {
		t.Error("UpdateModel(invalid schema) = nil error")
	}
	acct := ok(f.s.GetAccount(f.ctx, &AccountInput{}))
	if acct.ThrottleSettings.RateLimit != 10000 || acct.ThrottleSettings.BurstLimit != 5000 {
		t.Errorf("GetAccount = %+v", acct.ThrottleSettings)
	}
}

func TestHTTPIntegrations(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Backend", "yes")
		w.WriteHeader(207)
		fmt.Fprintf(w, `{"method":%q,"path":%q,"query":%q,"body":%q,"trace":%q}`, r.Method, r.URL.Path, r.URL.RawQuery, b, r.Header.Get("X-Trace"))
	}))
	defer backend.Close()
	f := newFixture(t)
	proxyID := f.api(t, "/svc/{proxy+}", "ANY", PutIntegrationInput{Type: "HTTP_PROXY", IntegrationHTTPMethod: "ANY", URI: backend.URL + "/up/{proxy}",
		RequestParameters: map[string]string{"integration.request.path.proxy": "method.request.path.proxy"}}, false)
	status, h, body := f.do("PUT", "/_gureum/execute-api/"+proxyID+"/prod/svc/a/b?q=1", "", `{"x":1}`)
	if status != 207 || h.Get("X-Backend") != "yes" || body != `{"method":"PUT","path":"/up/a/b","query":"q=1","body":"{\"x\":1}","trace":""}` {
		t.Errorf("HTTP_PROXY = %d %v %s", status, h, body)
	}
	httpID := f.api(t, "/h", "POST", PutIntegrationInput{Type: "HTTP", IntegrationHTTPMethod: "POST", URI: backend.URL + "/in",
		RequestParameters: map[string]string{"integration.request.header.X-Trace": "'t-1'"},
		RequestTemplates:  map[string]string{"application/json": `{"wrapped":$input.json('$')}`}}, false)
	doc, _, _ := f.s.loadAPI(f.ctx, account, httpID)
	r, _ := ensurePath(doc, "/h")
	ok(f.s.PutMethodResponse(f.ctx, &MethodResponseInput{RestAPIID: httpID, ResourceID: r.ID, HTTPMethod: "POST", StatusCode: "201"}))
	ok(f.s.PutIntegrationResponse(f.ctx, &IntegrationResponseInput{RestAPIID: httpID, ResourceID: r.ID, HTTPMethod: "POST", StatusCode: "201", SelectionPattern: "2\\d\\d",
		ResponseTemplates: map[string]string{"application/json": `{"got":$input.json('$.body'),"trace":"$input.path('$.trace')"}`}}))
	ok(f.s.CreateDeployment(f.ctx, &CreateDeploymentInput{RestAPIID: httpID, StageName: "prod"}))
	f.s.routes.drop(httpID)
	status, _, body = f.do("POST", "/_gureum/execute-api/"+httpID+"/prod/h", "", `{"a":1}`)
	if status != 201 || body != `{"got":"{\"wrapped\":{\"a\":1}}","trace":"t-1"}` {
		t.Errorf("HTTP = %d %s", status, body)
	}
}
