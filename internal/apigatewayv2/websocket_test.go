package apigatewayv2_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/coder/websocket"

	"github.com/gureum/gureum/internal/gureumtest"
)

const wsHandler = `import json
def handler(event, context):
    rc = event["requestContext"]
    if rc["eventType"] == "CONNECT":
        q = event.get("queryStringParameters") or {}
        return {"statusCode": 403 if q.get("deny") else 200}
    if rc["eventType"] == "DISCONNECT":
        return {"statusCode": 200}
    return {"statusCode": 200, "body": json.dumps({"route": rc["routeKey"], "id": rc["connectionId"], "got": event["body"],
                                                   "who": (rc.get("authorizer") or {}).get("principalId")})}
`

// wsAuthorizer lets in a $connect whose query has token=ok, by an IAM policy on its method ARN.
const wsAuthorizer = `def handler(event, context):
    token = (event.get("queryStringParameters") or {}).get("token")
    effect = "Allow" if token == "ok" and event["methodArn"].endswith("/prod/$connect") else "Deny"
    return {"principalId": "u1", "policyDocument": {"Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}]}}
`

// wsAPI makes a WebSocket API whose $connect, $default and "whoami" routes run one function,
// deployed to the stage "prod".
func wsAPI(t testing.TB, srv *gureumtest.Server) string {
	c := apigatewayv2.NewFromConfig(srv.Config())
	fn := pythonFunction(t, srv, "ws", wsHandler)
	api := must(c.CreateApi(bg, &apigatewayv2.CreateApiInput{Name: aws.String("chat"), ProtocolType: types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action")}))
	it := must(c.CreateIntegration(bg, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: types.IntegrationTypeAwsProxy, IntegrationUri: aws.String(fn)}))
	auth := must(c.CreateAuthorizer(bg, &apigatewayv2.CreateAuthorizerInput{ApiId: api.ApiId, Name: aws.String("token"), AuthorizerType: types.AuthorizerTypeRequest,
		AuthorizerUri: aws.String(pythonFunction(t, srv, "wsauth", wsAuthorizer)), IdentitySource: []string{"route.request.querystring.token"}}))
	for _, key := range []string{"$connect", "$disconnect", "$default", "whoami"} {
		in := &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String(key), Target: aws.String("integrations/" + aws.ToString(it.IntegrationId))}
		if key == "$connect" {
			in.AuthorizationType, in.AuthorizerId = types.AuthorizationTypeCustom, auth.AuthorizerId
		}
		if key == "$default" || key == "whoami" {
			in.RouteResponseSelectionExpression = aws.String("$default")
		}
		must(c.CreateRoute(bg, in))
	}
	must(c.CreateStage(bg, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("prod")}))
	must(c.CreateDeployment(bg, &apigatewayv2.CreateDeploymentInput{ApiId: api.ApiId, StageName: aws.String("prod")}))
	return aws.ToString(api.ApiId)
}

// TestWebSocket: a client connects (through $connect), its messages are routed by the
// selection expression to a function whose answer comes back, and the @connections API
// (SigV4 for execute-api) pushes to it, describes it and closes it.
func TestWebSocket(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	id := wsAPI(t, srv)
	ctx, cancel := context.WithTimeout(bg, 30*time.Second)
	defer cancel()
	base := "ws" + strings.TrimPrefix(srv.Endpoint, "http") + "/_gureum/execute-api-v2/" + id + "/prod"

	for _, q := range []string{"?token=ok&deny=1", "?token=bad"} {
		if _, resp, err := websocket.Dial(ctx, base+q, nil); err == nil || resp == nil || resp.StatusCode != 403 {
			t.Errorf("Dial%s = %v %v; want 403 (from $connect's function, or its authorizer)", q, resp, err)
		}
	}
	if _, resp, err := websocket.Dial(ctx, base, nil); err == nil || resp == nil || resp.StatusCode != 401 {
		t.Errorf("Dial without a token = %v %v; want 401", resp, err)
	}
	conn, _, err := websocket.Dial(ctx, base+"?token=ok", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	roundTrip := func(msg string) map[string]string {
		t.Helper()
		if err := conn.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		_, b, err := conn.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]string
		json.Unmarshal(b, &got)
		return got
	}
	got := roundTrip(`{"action":"whoami"}`)
	if got["route"] != "whoami" || got["got"] != `{"action":"whoami"}` || got["id"] == "" || got["who"] != "u1" {
		t.Errorf("whoami = %v", got)
	}
	connID := got["id"]
	if got := roundTrip(`hello`); got["route"] != "$default" || got["got"] != "hello" || got["id"] != connID {
		t.Errorf("plain message = %v; want $default", got)
	}

	manage := func(method, body string, sign bool) (int, string) {
		req, _ := http.NewRequest(method, srv.Endpoint+"/_gureum/execute-api-v2/"+id+"/prod/@connections/"+connID, strings.NewReader(body))
		if sign {
			gureumtest.Sign(t, req, []byte(body), "execute-api")
		}
		status, _, b := gureumtest.Do(t, req)
		return status, b
	}
	if status, _ := manage("POST", "pushed", false); status != 403 {
		t.Errorf("unsigned PostToConnection = %d; want 403", status)
	}
	if status, body := manage("POST", "pushed", true); status != 200 {
		t.Fatalf("PostToConnection = %d %s", status, body)
	}
	if _, b, err := conn.Read(ctx); err != nil || string(b) != "pushed" {
		t.Errorf("client read = %q %v; want the pushed message", b, err)
	}
	status, body := manage("GET", "", true)
	var info struct {
		ConnectedAt, LastActiveAt string
		Identity                  struct{ SourceIP string }
	}
	if json.Unmarshal([]byte(body), &info); status != 200 || info.ConnectedAt == "" || info.Identity.SourceIP != "127.0.0.1" {
		t.Errorf("GetConnection = %d %s", status, body)
	}
	if status, _ := manage("DELETE", "", true); status != 204 {
		t.Errorf("DeleteConnection = %d; want 204", status)
	}
	if _, _, err := conn.Read(ctx); err == nil {
		t.Error("client read after DeleteConnection succeeded; want the connection closed")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		status, _ := manage("POST", "late", true)
		if status == 410 || time.Now().After(deadline) {
			if status != 410 {
				t.Errorf("PostToConnection after close = %d; want 410 Gone", status)
			}
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
}
