package apigatewayv2_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

// echo is an HTTP server that answers what it was asked, as JSON.
func echo(t testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Upstream", "echo")
		json.NewEncoder(w).Encode(map[string]any{"method": r.Method, "path": r.URL.Path, "query": r.URL.RawQuery, "body": string(body),
			"forwarded": r.Header.Get("X-Forwarded-For") != ""})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// httpAPI makes an HTTP API whose routes (key → integration URI) proxy to HTTP endpoints,
// served by a $default stage that deploys automatically.
func httpAPI(t testing.TB, c *apigatewayv2.Client, routes map[string]string, mod func(*apigatewayv2.CreateApiInput)) string {
	in := &apigatewayv2.CreateApiInput{Name: aws.String("proxy"), ProtocolType: types.ProtocolTypeHttp}
	if mod != nil {
		mod(in)
	}
	api := must(c.CreateApi(bg, in))
	for key, uri := range routes {
		it := must(c.CreateIntegration(bg, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: types.IntegrationTypeHttpProxy,
			IntegrationMethod: aws.String("ANY"), IntegrationUri: aws.String(uri), PayloadFormatVersion: aws.String("1.0")}))
		must(c.CreateRoute(bg, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String(key), Target: aws.String("integrations/" + aws.ToString(it.IntegrationId))}))
	}
	must(c.CreateStage(bg, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)}))
	return aws.ToString(api.ApiId)
}

func decode(t testing.TB, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	return m
}

// TestHTTPProxy: routes chosen by AWS's precedence pass requests to HTTP endpoints, with the
// path parameters put in the integration's URI, on the host form, v1's path form and v2's own.
func TestHTTPProxy(t *testing.T) {
	each(t, func(t *testing.T, c *apigatewayv2.Client, srv *gureumtest.Server) {
		up := echo(t)
		id := httpAPI(t, c, map[string]string{
			"GET /pets/{id}":    up.URL + "/pet/{id}",
			"GET /pets/dog":     up.URL + "/dog",
			"ANY /{proxy+}":     up.URL + "/any/{proxy}",
			"$default":          up.URL + "/default",
			"POST /orders/{id}": up.URL + "/orders/{id}",
		}, nil)
		for _, tc := range []struct{ method, path, want string }{
			{"GET", "/pets/7?x=1", "/pet/7"},
			{"GET", "/pets/dog", "/dog"},
			{"DELETE", "/pets/7", "/any/pets/7"},
			{"GET", "/a/b/c", "/any/a/b/c"},
			{"GET", "/", "/default"},
			{"POST", "/orders/9", "/orders/9"},
		} {
			status, h, body := get(t, srv, tc.method, id, tc.path, nil, "hello")
			if status != 200 || h.Get("X-Upstream") != "echo" || decode(t, body)["path"] != tc.want {
				t.Errorf("%s %s = %d %s; want 200 from %s", tc.method, tc.path, status, body, tc.want)
			}
		}
		if status, _, body := get(t, srv, "GET", id, "/pets/7?x=1", nil, ""); decode(t, body)["query"] != "x=1" || decode(t, body)["forwarded"] != true {
			t.Errorf("GET /pets/7?x=1 = %d %s; want the query string and X-Forwarded-For passed", status, body)
		}
		if status, _, body := get(t, srv, "POST", id, "/orders/1", nil, `{"n":1}`); decode(t, body)["body"] != `{"n":1}` {
			t.Errorf("POST body = %d %s", status, body)
		}

		// The host form and API Gateway v1's path form reach the same API.
		port := srv.Endpoint[strings.LastIndex(srv.Endpoint, ":"):]
		req, _ := http.NewRequest("GET", "http://127.0.0.1"+port+"/pets/dog", nil)
		req.Host = id + ".execute-api.localhost" + port
		if status, _, body := gureumtest.Do(t, req); status != 200 || decode(t, body)["path"] != "/dog" {
			t.Errorf("GET via host = %d %s", status, body)
		}
		req, _ = http.NewRequest("GET", srv.Endpoint+"/_gureum/execute-api/"+id+"/pets/dog", nil)
		if status, _, body := gureumtest.Do(t, req); status != 200 || decode(t, body)["path"] != "/dog" {
			t.Errorf("GET via v1's path form = %d %s", status, body)
		}
		// A REST API (v1) still answers on the shared addresses.
		v1 := apigateway.NewFromConfig(srv.Config())
		rest := must(v1.CreateRestApi(bg, &apigateway.CreateRestApiInput{Name: aws.String("rest")}))
		must(v1.PutMethod(bg, &apigateway.PutMethodInput{RestApiId: rest.Id, ResourceId: rest.RootResourceId, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")}))
		must(v1.PutIntegration(bg, &apigateway.PutIntegrationInput{RestApiId: rest.Id, ResourceId: rest.RootResourceId, HttpMethod: aws.String("GET"),
			Type: "MOCK", RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}))
		must(v1.PutMethodResponse(bg, &apigateway.PutMethodResponseInput{RestApiId: rest.Id, ResourceId: rest.RootResourceId, HttpMethod: aws.String("GET"), StatusCode: aws.String("200")}))
		must(v1.PutIntegrationResponse(bg, &apigateway.PutIntegrationResponseInput{RestApiId: rest.Id, ResourceId: rest.RootResourceId, HttpMethod: aws.String("GET"),
			StatusCode: aws.String("200"), ResponseTemplates: map[string]string{"application/json": `{"v":1}`}}))
		must(v1.CreateDeployment(bg, &apigateway.CreateDeploymentInput{RestApiId: rest.Id, StageName: aws.String("prod")}))
		req, _ = http.NewRequest("GET", "http://127.0.0.1"+port+"/prod/", nil)
		req.Host = aws.ToString(rest.Id) + ".execute-api.localhost" + port
		if status, _, body := gureumtest.Do(t, req); status != 200 || !strings.Contains(body, `"v":1`) {
			t.Errorf("GET a REST API via the shared host = %d %s", status, body)
		}

		// Unknown APIs and stages.
		if status, _, body := get(t, srv, "GET", "nosuchapi0", "/", nil, ""); status != 404 || body != `{"message":"Not Found"}` {
			t.Errorf("GET an unknown API = %d %s; want 404 Not Found", status, body)
		}
	})
}

// TestStagesAndThrottles: a named stage serves its deployment under /<stage>/ (and not the
// API's later changes), with its stage variables; route throttling answers 429.
func TestStagesAndThrottles(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	c := apigatewayv2.NewFromConfig(srv.Config())
	up := echo(t)
	api := must(c.CreateApi(bg, &apigatewayv2.CreateApiInput{Name: aws.String("staged"), ProtocolType: types.ProtocolTypeHttp}))
	it := must(c.CreateIntegration(bg, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: types.IntegrationTypeHttpProxy,
		IntegrationMethod: aws.String("GET"), IntegrationUri: aws.String(up.URL + "/v1"), PayloadFormatVersion: aws.String("1.0")}))
	must(c.CreateRoute(bg, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("GET /a"), Target: aws.String("integrations/" + aws.ToString(it.IntegrationId))}))
	must(c.CreateStage(bg, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("prod"),
		RouteSettings: map[string]types.RouteSettings{"GET /a": {ThrottlingBurstLimit: aws.Int32(2), ThrottlingRateLimit: aws.Float64(0)}}}))
	id := aws.ToString(api.ApiId)
	if status, _, _ := get(t, srv, "GET", id, "/prod/a", nil, ""); status != 404 {
		t.Errorf("GET an undeployed stage = %d; want 404", status)
	}
	must(c.CreateDeployment(bg, &apigatewayv2.CreateDeploymentInput{ApiId: api.ApiId, StageName: aws.String("prod")}))
	must(c.UpdateIntegration(bg, &apigatewayv2.UpdateIntegrationInput{ApiId: api.ApiId, IntegrationId: it.IntegrationId, IntegrationUri: aws.String(up.URL + "/v2")}))
	status, _, body := get(t, srv, "GET", id, "/prod/a", nil, "")
	if status != 200 || decode(t, body)["path"] != "/v1" {
		t.Errorf("GET /prod/a = %d %s; want the deployed integration (/v1)", status, body)
	}
	if status, _, _ := get(t, srv, "GET", id, "/prod/a", nil, ""); status != 200 {
		t.Errorf("second GET = %d; want 200 (burst 2)", status)
	}
	if status, _, body := get(t, srv, "GET", id, "/prod/a", nil, ""); status != 429 || body != `{"message":"Too Many Requests"}` {
		t.Errorf("third GET = %d %s; want 429 Too Many Requests", status, body)
	}
	if status, _, _ := get(t, srv, "GET", id, "/a", nil, ""); status != 404 {
		t.Errorf("GET without a stage and no $default = %d; want 404", status)
	}
}

// TestCORS: the gateway answers preflights from the API's CORS configuration, without a route,
// and adds its headers to answers to allowed origins.
func TestCORS(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	c := apigatewayv2.NewFromConfig(srv.Config())
	up := echo(t)
	id := httpAPI(t, c, map[string]string{"GET /items": up.URL + "/items"}, func(in *apigatewayv2.CreateApiInput) {
		in.CorsConfiguration = &types.Cors{AllowOrigins: []string{"https://app.example"}, AllowMethods: []string{"GET", "POST"},
			AllowHeaders: []string{"content-type", "authorization"}, ExposeHeaders: []string{"x-upstream"}, MaxAge: aws.Int32(300), AllowCredentials: aws.Bool(true)}
	})
	pre := http.Header{"Origin": {"https://app.example"}, "Access-Control-Request-Method": {"POST"}, "Access-Control-Request-Headers": {"Content-Type"}}
	status, h, _ := get(t, srv, "OPTIONS", id, "/items", pre, "")
	if status != 204 || h.Get("Access-Control-Allow-Origin") != "https://app.example" || h.Get("Access-Control-Allow-Methods") != "GET,POST" ||
		h.Get("Access-Control-Max-Age") != "300" || h.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("preflight = %d %v", status, h)
	}
	pre.Set("Origin", "https://evil.example")
	if status, h, _ := get(t, srv, "OPTIONS", id, "/items", pre, ""); status != 204 || h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin = %d %v; want 204 without CORS headers", status, h)
	}
	status, h, _ = get(t, srv, "GET", id, "/items", http.Header{"Origin": {"https://app.example"}}, "")
	if status != 200 || h.Get("Access-Control-Allow-Origin") != "https://app.example" || h.Get("Access-Control-Expose-Headers") != "x-upstream" {
		t.Errorf("GET with Origin = %d %v", status, h)
	}
}

// TestParameterMapping: an HTTP_PROXY integration's request parameters rewrite the path, headers
// and query string sent upstream (with stage variables in its URI), and its response parameters
// change the answer's status and headers.
func TestParameterMapping(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	c := apigatewayv2.NewFromConfig(srv.Config())
	seen := make(chan *http.Request, 1)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r
		w.Header().Set("X-Secret", "s")
		w.Header().Set("X-Upstream", "u")
	}))
	defer up.Close()
	api := must(c.CreateApi(bg, &apigatewayv2.CreateApiInput{Name: aws.String("mapped"), ProtocolType: types.ProtocolTypeHttp}))
	it := must(c.CreateIntegration(bg, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: types.IntegrationTypeHttpProxy,
		IntegrationMethod: aws.String("GET"), IntegrationUri: aws.String("http://${stageVariables.host}/ignored"), PayloadFormatVersion: aws.String("1.0"),
		RequestParameters: map[string]string{"overwrite:path": "/v2/items/${request.path.id}", "append:header.x-user": "$request.header.x-name",
			"remove:header.x-drop": "''", "overwrite:querystring.stage": "$context.stage", "remove:querystring.secret": "''"},
		ResponseParameters: map[string]map[string]string{"200": {"overwrite:statuscode": "202", "remove:header.x-secret": "''", "append:header.x-was": "$response.header.x-upstream"}}}))
	if _, err := c.CreateIntegration(bg, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: types.IntegrationTypeHttpProxy,
		IntegrationMethod: aws.String("GET"), IntegrationUri: aws.String(up.URL), RequestParameters: map[string]string{"rewrite:everything": "x"}}); code(err) != "BadRequestException" {
		t.Errorf("CreateIntegration(bad mapping) = %v; want BadRequestException", err)
	}
	must(c.CreateRoute(bg, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("GET /items/{id}"), Target: aws.String("integrations/" + aws.ToString(it.IntegrationId))}))
	must(c.CreateStage(bg, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true),
		StageVariables: map[string]string{"host": strings.TrimPrefix(up.URL, "http://")}}))
	status, h, _ := get(t, srv, "GET", aws.ToString(api.ApiId), "/items/5?secret=1&keep=2", http.Header{"X-Name": {"ann"}, "X-Drop": {"d"}}, "")
	r := <-seen
	if r.URL.Path != "/v2/items/5" || r.Header.Get("X-User") != "ann" || r.Header.Get("X-Drop") != "" ||
		r.URL.Query().Get("stage") != "$default" || r.URL.Query().Has("secret") || r.URL.Query().Get("keep") != "2" {
		t.Errorf("upstream got %s %s %v", r.Method, r.URL, r.Header)
	}
	if status != 202 || h.Get("X-Secret") != "" || h.Get("X-Was") != "u" {
		t.Errorf("answer = %d %v; want 202 without X-Secret, with X-Was", status, h)
	}
}

// TestIAMRoute: an AWS_IAM route takes requests signed with SigV4 for execute-api only.
func TestIAMRoute(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	c := apigatewayv2.NewFromConfig(srv.Config())
	up := echo(t)
	id := httpAPI(t, c, map[string]string{"GET /open": up.URL}, nil)
	it := must(c.CreateIntegration(bg, &apigatewayv2.CreateIntegrationInput{ApiId: aws.String(id), IntegrationType: types.IntegrationTypeHttpProxy,
		IntegrationMethod: aws.String("ANY"), IntegrationUri: aws.String(up.URL + "/iam"), PayloadFormatVersion: aws.String("1.0")}))
	must(c.CreateRoute(bg, &apigatewayv2.CreateRouteInput{ApiId: aws.String(id), RouteKey: aws.String("POST /iam"), AuthorizationType: types.AuthorizationTypeAwsIam,
		Target: aws.String("integrations/" + aws.ToString(it.IntegrationId))}))
	send := func(service string, body string) int {
		req, _ := http.NewRequest("POST", srv.Endpoint+"/_gureum/execute-api-v2/"+id+"/iam", strings.NewReader(body))
		if service != "" {
			gureumtest.Sign(t, req, []byte(body), service)
		}
		status, _, _ := gureumtest.Do(t, req)
		return status
	}
	if status := send("", "x"); status != 403 {
		t.Errorf("unsigned = %d; want 403", status)
	}
	if status := send("lambda", "x"); status != 403 {
		t.Errorf("signed for another service = %d; want 403", status)
	}
	if status := send("execute-api", "x"); status != 200 {
		t.Errorf("signed for execute-api = %d; want 200", status)
	}
}
