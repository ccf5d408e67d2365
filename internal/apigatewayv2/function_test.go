package apigatewayv2_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

// pythonFunction creates a Python function from one module's source (handler app.handler) that
// the account's APIs may invoke.
func pythonFunction(t testing.TB, srv *gureumtest.Server, name, source string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("app.py")
	w.Write([]byte(source))
	zw.Close()
	out, err := lambda.NewFromConfig(srv.Config()).CreateFunction(bg, &lambda.CreateFunctionInput{FunctionName: aws.String(name),
		Runtime: ltypes.RuntimePython312, Role: aws.String("arn:aws:iam::000000000000:role/lambda-role"), Handler: aws.String("app.handler"),
		Code: &ltypes.FunctionCode{ZipFile: buf.Bytes()}, Timeout: aws.Int32(10)})
	if err != nil {
		t.Fatalf("CreateFunction(%s): %v", name, err)
	}
	// API Gateway invokes it only as its policy allows, as on AWS: this account's APIs may.
	if _, err := lambda.NewFromConfig(srv.Config()).AddPermission(bg, &lambda.AddPermissionInput{FunctionName: aws.String(name),
		StatementId: aws.String("apigateway"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("apigateway.amazonaws.com"),
		SourceArn: aws.String("arn:aws:execute-api:us-east-1:000000000000:*")}); err != nil {
		t.Fatalf("AddPermission(%s): %v", name, err)
	}
	return aws.ToString(out.FunctionArn)
}

// echoEvent answers the event it got in its body, and sets what its query asks for.
const echoEvent = `import json, base64
def handler(event, context):
    q = event.get("queryStringParameters") or {}
    if q.get("plain"):
        return {"plain": True, "path": event.get("rawPath")}
    resp = {"statusCode": int(q.get("status", "200")), "headers": {"content-type": "application/json", "x-from": "function"},
            "body": json.dumps(event)}
    if q.get("cookie"):
        resp["cookies"] = ["a=1; Path=/", "b=2"]
    if q.get("binary"):
        resp = {"statusCode": 200, "headers": {"content-type": "application/octet-stream"},
                "body": base64.b64encode(bytes([0, 1, 2, 255])).decode(), "isBase64Encoded": True}
    if q.get("redirect"):
        resp = {"statusCode": 302, "headers": {"location": "/elsewhere"}}
    return resp
`

// TestFunctionPayload20: an HTTP API made by quick create calls a Python function with the
// payload 2.0 event and maps its answers back: the full response form with cookies, base64
// bodies, redirects, and a plain value as a 200 JSON body.
func TestFunctionPayload20(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	c := apigatewayv2.NewFromConfig(srv.Config())
	fn := pythonFunction(t, srv, "echo", echoEvent)
	api := must(c.CreateApi(bg, &apigatewayv2.CreateApiInput{Name: aws.String("quick"), ProtocolType: types.ProtocolTypeHttp, Target: aws.String(fn)}))
	id := aws.ToString(api.ApiId)

	status, h, body := get(t, srv, "POST", id, "/orders/7?x=1&x=2&y=3",
		http.Header{"Cookie": {"s=abc; t=def"}, "X-Multi": {"a", "b"}, "Content-Type": {"application/json"}}, `{"n":1}`)
	if status != 200 || h.Get("X-From") != "function" {
		t.Fatalf("POST = %d %v %s", status, h, body)
	}
	var ev struct {
		Version, RouteKey, RawPath, RawQueryString, Body string
		IsBase64Encoded                                  bool
		Cookies                                          []string
		Headers, QueryStringParameters                   map[string]string
		RequestContext                                   struct {
			APIID, Stage, RouteKey, RequestID, AccountID string `json:"-"`
			HTTP                                         struct{ Method, Path, SourceIP string }
		}
	}
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		t.Fatal(err)
	}
	raw := decode(t, body)
	rc := raw["requestContext"].(map[string]any)
	if ev.Version != "2.0" || ev.RouteKey != "$default" || ev.RawPath != "/orders/7" || ev.RawQueryString != "x=1&x=2&y=3" ||
		ev.QueryStringParameters["x"] != "1,2" || ev.Headers["x-multi"] != "a,b" || strings.Join(ev.Cookies, "|") != "s=abc|t=def" ||
		ev.Headers["cookie"] != "" || ev.Body != `{"n":1}` || ev.IsBase64Encoded || ev.RequestContext.HTTP.Method != "POST" ||
		ev.RequestContext.HTTP.Path != "/orders/7" || rc["apiId"] != id || rc["stage"] != "$default" || rc["accountId"] != gureumtest.AccountID ||
		rc["requestId"] == "" || raw["pathParameters"] != nil {
		t.Errorf("event = %s", body)
	}

	_, _, body = get(t, srv, "PUT", id, "/bin", http.Header{"Content-Type": {"application/octet-stream"}}, "\x00\x01\xff")
	if ev := decode(t, body); ev["isBase64Encoded"] != true || ev["body"] != "AAH/" {
		t.Errorf("binary body event = %s", body)
	}
	if status, h, _ := get(t, srv, "GET", id, "/?cookie=1", nil, ""); status != 200 || strings.Join(h.Values("Set-Cookie"), "|") != "a=1; Path=/|b=2" {
		t.Errorf("cookies = %d %v", status, h.Values("Set-Cookie"))
	}
	if status, _, body := get(t, srv, "GET", id, "/?binary=1", nil, ""); status != 200 || body != "\x00\x01\x02\xff" {
		t.Errorf("binary answer = %d %q", status, body)
	}
	req, _ := http.NewRequest("GET", srv.Endpoint+"/_gureum/execute-api-v2/"+id+"/?redirect=1", nil)
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 302 || resp.Header.Get("Location") != "/elsewhere" {
		t.Errorf("redirect = %d %v", resp.StatusCode, resp.Header)
	}
	if status, h, body := get(t, srv, "GET", id, "/p?plain=1", nil, ""); status != 200 || h.Get("Content-Type") != "application/json" || body != `{"plain": true, "path": "/p"}` {
		t.Errorf("plain value = %d %v %s; want 200 application/json with the value", status, h, body)
	}
	if status, _, _ := get(t, srv, "GET", id, "/?status=418", nil, ""); status != 418 {
		t.Errorf("status 418 = %d", status)
	}
}

// TestFunctionPayload10 calls a function with payload format 1.0 from a route with a path
// parameter, on a named stage with stage variables.
func TestFunctionPayload10(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	c := apigatewayv2.NewFromConfig(srv.Config())
	fn := pythonFunction(t, srv, "echo10", echoEvent)
	api := must(c.CreateApi(bg, &apigatewayv2.CreateApiInput{Name: aws.String("v10"), ProtocolType: types.ProtocolTypeHttp}))
	it := must(c.CreateIntegration(bg, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: types.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + fn + "/invocations"), PayloadFormatVersion: aws.String("1.0")}))
	must(c.CreateRoute(bg, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("GET /items/{id}"), Target: aws.String("integrations/" + aws.ToString(it.IntegrationId))}))
	must(c.CreateStage(bg, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("dev"), AutoDeploy: aws.Bool(true),
		StageVariables: map[string]string{"color": "blue"}}))
	status, _, body := get(t, srv, "GET", aws.ToString(api.ApiId), "/dev/items/42?a=1&a=2", http.Header{"X-Multi": {"p", "q"}}, "")
	if status != 200 {
		t.Fatalf("GET = %d %s", status, body)
	}
	ev := decode(t, body)
	mvq, _ := ev["multiValueQueryStringParameters"].(map[string]any)
	if ev["version"] != "1.0" || ev["resource"] != "/items/{id}" || ev["path"] != "/dev/items/42" || ev["httpMethod"] != "GET" ||
		ev["pathParameters"].(map[string]any)["id"] != "42" || ev["stageVariables"].(map[string]any)["color"] != "blue" ||
		ev["queryStringParameters"].(map[string]any)["a"] != "2" || len(mvq["a"].([]any)) != 2 || ev["body"] != nil {
		t.Errorf("1.0 event = %s", body)
	}
	if status, _, body := get(t, srv, "GET", aws.ToString(api.ApiId), "/dev/items/42?plain=1", nil, ""); status != 500 || body != `{"message":"Internal Server Error"}` {
		t.Errorf("1.0 answer without statusCode = %d %s; want 500", status, body)
	}
}

// TestLambdaAuthorizer: a Lambda REQUEST authorizer with simple responses lets a request in or
// not by its identity, its context reaches the function, and its answer is cached by identity.
func TestLambdaAuthorizer(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	c := apigatewayv2.NewFromConfig(srv.Config())
	fn := pythonFunction(t, srv, "echoauth", echoEvent)
	authFn := pythonFunction(t, srv, "auth", `calls = 0
def handler(event, context):
    global calls
    calls += 1
    token = event["identitySource"][0]
    return {"isAuthorized": token == "letmein", "context": {"user": "ann", "calls": calls, "arn": event["routeArn"]}}
`)
	api := must(c.CreateApi(bg, &apigatewayv2.CreateApiInput{Name: aws.String("authd"), ProtocolType: types.ProtocolTypeHttp, Target: aws.String(fn)}))
	auth := must(c.CreateAuthorizer(bg, &apigatewayv2.CreateAuthorizerInput{ApiId: api.ApiId, Name: aws.String("lambda"), AuthorizerType: types.AuthorizerTypeRequest,
		AuthorizerUri: aws.String(authFn), AuthorizerPayloadFormatVersion: aws.String("2.0"), EnableSimpleResponses: aws.Bool(true),
		IdentitySource: []string{"$request.header.Authorization"}, AuthorizerResultTtlInSeconds: aws.Int32(300)}))
	it := must(c.CreateIntegration(bg, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: types.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String(fn), PayloadFormatVersion: aws.String("2.0")}))
	must(c.CreateRoute(bg, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("GET /private"), AuthorizationType: types.AuthorizationTypeCustom,
		AuthorizerId: auth.AuthorizerId, Target: aws.String("integrations/" + aws.ToString(it.IntegrationId))}))
	id := aws.ToString(api.ApiId)
	if status, _, body := get(t, srv, "GET", id, "/private", nil, ""); status != 401 || body != `{"message":"Unauthorized"}` {
		t.Errorf("GET without identity = %d %s; want 401", status, body)
	}
	if status, _, body := get(t, srv, "GET", id, "/private", http.Header{"Authorization": {"nope"}}, ""); status != 403 || body != `{"message":"Forbidden"}` {
		t.Errorf("GET refused = %d %s; want 403", status, body)
	}
	var first map[string]any
	for i := range 2 {
		status, _, body := get(t, srv, "GET", id, "/private", http.Header{"Authorization": {"letmein"}}, "")
		if status != 200 {
			t.Fatalf("GET allowed = %d %s", status, body)
		}
		lambdaCtx := decode(t, body)["requestContext"].(map[string]any)["authorizer"].(map[string]any)["lambda"].(map[string]any)
		if lambdaCtx["user"] != "ann" || !strings.HasSuffix(lambdaCtx["arn"].(string), ":"+id+"/$default/GET/private") {
			t.Errorf("authorizer context = %v", lambdaCtx)
		}
		if i == 0 {
			first = lambdaCtx
		} else if lambdaCtx["calls"] != first["calls"] {
			t.Errorf("second call's context = %v; want the cached %v", lambdaCtx, first)
		}
	}
	if status, _, _ := get(t, srv, "GET", id, "/public", nil, ""); status != 200 {
		t.Errorf("GET a route without authorization = %d; want 200", status)
	}
}
