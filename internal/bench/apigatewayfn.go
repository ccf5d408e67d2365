package bench

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	v1types "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	v2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/coder/websocket"
)

// The API Gateway workloads with a function behind them: one Python function, invoked directly
// (Lambda's Invoke), through an HTTP API (v2, payload 2.0) and through a REST API (v1,
// AWS_PROXY); a WebSocket message routed to it, which answers with PostToConnection (boto3 in
// the function); and the memory 10,000 idle WebSocket connections cost the server.
//
// The sides of each comparison do the same work but for what is measured. The direct Invoke and
// the gateways' routes are called by one client, each request signed with SigV4 by the SDK's
// signer (the gateways' routes are AWS_IAM, so the server verifies and authorizes both alike), the
// function gets an event of the same size and answers the same, and each figure is the time from
// the request's start to its answer's last byte. The WebSocket round trip's floor is the same
// function invoked directly with the event of a message on the same live connection: the same
// PostToConnection reaches the same client, timed from the Invoke's start to the client's read.

// benchFunction answers the gateway's events, and a WebSocket message by posting it back to its
// connection through the @connections API.
const benchFunction = `import os
_mgmt = None
def handler(event, context):
    rc = event.get("requestContext") or {}
    if rc.get("eventType") == "MESSAGE":
        global _mgmt
        if _mgmt is None:
            import boto3
            _mgmt = boto3.client("apigatewaymanagementapi", region_name="us-east-1",
                endpoint_url=os.environ["AWS_ENDPOINT_URL"] + "/_gureum/execute-api-v2/" + rc["apiId"] + "/" + rc["stage"])
        body = event["body"]
        _mgmt.post_to_connection(ConnectionId=rc["connectionId"], Data=(rc["connectionId"] if body == "whoami" else body).encode())
        return {"statusCode": 200}
    return {"statusCode": 200, "headers": {"content-type": "text/plain"}, "body": "ok"}
`

// idleConnections is how many idle WebSocket connections the memory figure holds.
const idleConnections = 10000

// functionTargets are what apigatewayFunctions measures.
type functionTargets struct {
	arn, httpURL, restURL, wsURL string
	wsAPI                        string // the WebSocket API's id (its stage: prod)
}

func setUpFunctionAPIs(ctx context.Context, endpoint, keyID, secret string) (functionTargets, error) {
	var t functionTargets
	creds := credentials.NewStaticCredentialsProvider(keyID, secret, "")
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	w, _ := zw.Create("app.py")
	w.Write([]byte(benchFunction))
	zw.Close()
	// The function's role gives it credentials for PostToConnection (IAM is not enforced here).
	ic := iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Credentials: creds, RetryMaxAttempts: 1})
	role, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bench-gateway"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		return t, err
	}
	lc := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Credentials: creds, RetryMaxAttempts: 1})
	fn, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("bench-gateway"), Runtime: ltypes.RuntimePython312,
		Role: role.Role.Arn, Handler: aws.String("app.handler"), Code: &ltypes.FunctionCode{ZipFile: zipped.Bytes()},
		Timeout: aws.Int32(10)})
	if err != nil {
		return t, err
	}
	t.arn = aws.ToString(fn.FunctionArn)
	// API Gateway invokes the function only as its policy allows, as on AWS.
	if _, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("bench-gateway"), StatementId: aws.String("apigateway"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("apigateway.amazonaws.com")}); err != nil {
		return t, err
	}
	v2 := apigatewayv2.New(apigatewayv2.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Credentials: creds, RetryMaxAttempts: 1})
	httpAPI, err := v2.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("bench-http"), ProtocolType: v2types.ProtocolTypeHttp, Target: fn.FunctionArn})
	if err != nil {
		return t, err
	}
	routes, err := v2.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: httpAPI.ApiId})
	if err != nil || len(routes.Items) != 1 {
		return t, fmt.Errorf("the quick-created HTTP API's route: %v", err)
	}
	if _, err := v2.UpdateRoute(ctx, &apigatewayv2.UpdateRouteInput{ApiId: httpAPI.ApiId, RouteId: routes.Items[0].RouteId,
		AuthorizationType: v2types.AuthorizationTypeAwsIam}); err != nil {
		return t, err
	}
	t.httpURL = endpoint + "/_gureum/execute-api-v2/" + aws.ToString(httpAPI.ApiId) + "/hello"
	if t.restURL, err = restProxyAPI(ctx, endpoint, creds, t.arn); err != nil {
		return t, err
	}
	ws, err := v2.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("bench-ws"), ProtocolType: v2types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action")})
	if err != nil {
		return t, err
	}
	it, err := v2.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: ws.ApiId, IntegrationType: v2types.IntegrationTypeAwsProxy, IntegrationUri: fn.FunctionArn})
	if err != nil {
		return t, err
	}
	if _, err := v2.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: ws.ApiId, RouteKey: aws.String("$default"), Target: aws.String("integrations/" + aws.ToString(it.IntegrationId))}); err != nil {
		return t, err
	}
	if _, err := v2.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: ws.ApiId, StageName: aws.String("prod")}); err != nil {
		return t, err
	}
	if _, err := v2.CreateDeployment(ctx, &apigatewayv2.CreateDeploymentInput{ApiId: ws.ApiId, StageName: aws.String("prod")}); err != nil {
		return t, err
	}
	t.wsAPI = aws.ToString(ws.ApiId)
	t.wsURL = "ws" + strings.TrimPrefix(endpoint, "http") + "/_gureum/execute-api-v2/" + t.wsAPI + "/prod"
	return t, nil
}

// restProxyAPI makes a REST API whose GET / (AWS_IAM) runs the function (AWS_PROXY), deployed to
// prod.
func restProxyAPI(ctx context.Context, endpoint string, creds aws.CredentialsProvider, fnARN string) (string, error) {
	c := apigateway.New(apigateway.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Credentials: creds, RetryMaxAttempts: 1})
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("bench-rest"),
		EndpointConfiguration: &v1types.EndpointConfiguration{Types: []v1types.EndpointType{v1types.EndpointTypeRegional}}})
	if err != nil {
		return "", err
	}
	get := aws.String("GET")
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: get, AuthorizationType: aws.String("AWS_IAM")}); err != nil {
		return "", err
	}
	if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: get, Type: v1types.IntegrationTypeAwsProxy,
		IntegrationHttpMethod: aws.String("POST"), Uri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + fnARN + "/invocations")}); err != nil {
		return "", err
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
		return "", err
	}
	return endpoint + "/_gureum/execute-api/" + aws.ToString(api.Id) + "/prod/", nil
}

// signedClient sends requests signed with SigV4 by the SDK's signer, from one connection pool.
type signedClient struct {
	creds  aws.Credentials
	signer *v4.Signer
	http   *http.Client
}

func newSignedClient(keyID, secret string) *signedClient {
	return &signedClient{creds: aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}, signer: v4.NewSigner(),
		http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}, Timeout: 30 * time.Second}}
}

// do sends a signed request for service and requires a 200 answer, which it reads whole.
func (c *signedClient) do(ctx context.Context, method, url, service string, body []byte) ([]byte, error) {
	r, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	if err := c.signer.SignHTTP(ctx, c.creds, r, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		return nil, err
	}
	resp, err := c.http.Do(r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && (resp.StatusCode != 200 || resp.Header.Get("X-Amz-Function-Error") != "") {
		err = fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, b)
	}
	return b, err
}

// directEvent is what the function gets when invoked directly: a payload 2.0 event of the size
// the HTTP API sends for the same GET.
const directEvent = `{"version":"2.0","routeKey":"$default","rawPath":"/hello","rawQueryString":"",` +
	`"headers":{"accept-encoding":"gzip","authorization":"AWS4-HMAC-SHA256 Credential=AKIAGUREUMBENCH00002/20261208/us-east-1/execute-api/aws4_request, SignedHeaders=accept-encoding;host;x-amz-content-sha256;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000",` +
	`"host":"127.0.0.1:4566","user-agent":"Go-http-client/1.1","x-amz-content-sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",` +
	`"x-amz-date":"20261208T000000Z","x-forwarded-for":"127.0.0.1","x-forwarded-port":"4566","x-forwarded-proto":"http"},` +
	`"requestContext":{"accountId":"000000000000","apiId":"abcdefghij","domainName":"127.0.0.1","domainPrefix":"127","requestId":"abcdefghijklmnop",` +
	`"routeKey":"$default","stage":"$default","time":"08/Dec/2026:00:00:00 +0000","timeEpoch":1796688000000,` +
	`"http":{"method":"GET","path":"/hello","protocol":"HTTP/1.1","sourceIp":"127.0.0.1","userAgent":"Go-http-client/1.1"}},"isBase64Encoded":false}`

// invokeURL is Lambda's Invoke (RequestResponse) of a function.
func invokeURL(endpoint, fn string) string {
	return endpoint + "/2015-03-31/functions/" + url.PathEscape(fn) + "/invocations"
}

// directInvokes calls the function with Lambda's Invoke from one client.
func directInvokes(ctx context.Context, c *signedClient, endpoint, arn string, d time.Duration) (Latencies, error) {
	u := invokeURL(endpoint, arn)
	return concurrently(ctx, 1, 1<<62, d, func(ctx context.Context, _ int64) error {
		_, err := c.do(ctx, "POST", u, "lambda", []byte(directEvent))
		return err
	})
}

// gatewayInvokes sends signed GETs (execute-api) to an AWS_IAM route from one client.
func gatewayInvokes(ctx context.Context, c *signedClient, u string, d time.Duration) (Latencies, error) {
	return concurrently(ctx, 1, 1<<62, d, func(ctx context.Context, _ int64) error {
		_, err := c.do(ctx, "GET", u, "execute-api", nil)
		return err
	})
}

// wsRoundTrips sends messages on one connection and waits for each to come back through the
// function's PostToConnection.
func wsRoundTrips(ctx context.Context, url string, d time.Duration) (Latencies, error) {
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return Latencies{}, err
	}
	defer conn.CloseNow()
	return concurrently(ctx, 1, 1<<62, d, func(ctx context.Context, i int64) error {
		msg := []byte(`{"n":` + strconv.FormatInt(i, 10) + `}`)
		if err := conn.Write(ctx, websocket.MessageText, msg); err != nil {
			return err
		}
		_, got, err := conn.Read(ctx)
		if err == nil && !bytes.Equal(got, msg) {
			err = fmt.Errorf("WebSocket: sent %s, got back %s", msg, got)
		}
		return err
	})
}

// wsFloor is the WebSocket round trip without the WebSocket API in front: on a live connection,
// the function invoked directly with the event of a message on it posts the message to the
// client; each figure runs from the Invoke's start to the client's read (the next Invoke waits
// for the function's answer, untimed).
func wsFloor(ctx context.Context, c *signedClient, endpoint string, t functionTargets, d time.Duration) (Latencies, error) {
	conn, _, err := websocket.Dial(ctx, t.wsURL, nil)
	if err != nil {
		return Latencies{}, err
	}
	defer conn.CloseNow()
	if err := conn.Write(ctx, websocket.MessageText, []byte("whoami")); err != nil {
		return Latencies{}, err
	}
	_, id, err := conn.Read(ctx)
	if err != nil {
		return Latencies{}, err
	}
	u := invokeURL(endpoint, t.arn)
	var all []time.Duration
	start := time.Now()
	for i := 0; time.Since(start) < d; i++ {
		msg := `{"n":` + strconv.Itoa(i) + `}`
		ev, _ := json.Marshal(map[string]any{"body": msg, "isBase64Encoded": false, "requestContext": map[string]any{
			"eventType": "MESSAGE", "routeKey": "$default", "messageDirection": "IN", "connectionId": string(id), "apiId": t.wsAPI, "stage": "prod",
			"requestId": "abcdefghijklmnop", "messageId": "abcdefghijklmnop", "connectedAt": start.UnixMilli(), "requestTimeEpoch": start.UnixMilli(),
			"requestTime": "08/Dec/2026:00:00:00 +0000", "domainName": "127.0.0.1", "extendedRequestId": "abcdefghijklmnop",
			"identity": map[string]any{"sourceIp": "127.0.0.1", "userAgent": "Go-http-client/1.1"}}})
		t0 := time.Now()
		invoked := make(chan error, 1)
		go func() { _, err := c.do(ctx, "POST", u, "lambda", ev); invoked <- err }()
		_, got, err := conn.Read(ctx)
		if err == nil && string(got) != msg {
			err = fmt.Errorf("WebSocket floor: posted %s, got %s", msg, got)
		}
		if err != nil {
			return Latencies{}, err
		}
		all = append(all, time.Since(t0))
		if err := <-invoked; err != nil {
			return Latencies{}, err
		}
	}
	return summarize(all, time.Since(start)), nil
}

// idleMemory opens n WebSocket connections and answers the server's resident memory before and
// after, once they are idle.
func idleMemory(ctx context.Context, pid int, url string, n int) (before, after int64, err error) {
	if before, err = rss(pid); err != nil {
		return 0, 0, err
	}
	conns := make([]*websocket.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.CloseNow()
		}
	}()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for range n {
		c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: client})
		if err != nil {
			return 0, 0, fmt.Errorf("connection %d: %w", len(conns)+1, err)
		}
		conns = append(conns, c)
	}
	time.Sleep(2 * time.Second) // idle
	after, err = rss(pid)
	return before, after, err
}

// rss is a process's resident memory in bytes (Linux's /proc).
func rss(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS for %d", pid)
}

// apigatewayFunctions measures the workloads with a function behind the gateway and adds them
// to tbl.
func apigatewayFunctions(ctx context.Context, o Options, dir string, tbl *table) error {
	const keyID, secret = "AKIAGUREUMBENCH00002", "bench-secret"
	cmd, endpoint, _, err := StartBinary(ctx, o.Binary, dir+"/functions", keyID, secret, "--max-connections", strconv.Itoa(idleConnections+1000), "--iam-enforcement=false")
	if err != nil {
		return err
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	t, err := setUpFunctionAPIs(ctx, endpoint, keyID, secret)
	if err != nil {
		return err
	}
	c := newSignedClient(keyID, secret)
	get := func(url string) func(context.Context, time.Duration) (Latencies, error) {
		return func(ctx context.Context, d time.Duration) (Latencies, error) { return gatewayInvokes(ctx, c, url, d) }
	}
	workloads := []struct {
		name string
		run  func(context.Context, time.Duration) (Latencies, error)
	}{
		{"function: direct Invoke (SigV4, payload 2.0 event)", func(ctx context.Context, d time.Duration) (Latencies, error) {
			return directInvokes(ctx, c, endpoint, t.arn, d)
		}},
		{"function: through an HTTP API (v2, AWS_IAM route, SigV4)", get(t.httpURL)},
		{"function: through a REST API (v1, AWS_IAM method, SigV4)", get(t.restURL)},
		{"WebSocket message → function → PostToConnection back", func(ctx context.Context, d time.Duration) (Latencies, error) {
			return wsRoundTrips(ctx, t.wsURL, d)
		}},
		{"WebSocket floor: direct Invoke of the message's event → PostToConnection", func(ctx context.Context, d time.Duration) (Latencies, error) {
			return wsFloor(ctx, c, endpoint, t, d)
		}},
	}
	for _, w := range workloads {
		if _, err := w.run(ctx, time.Second); err != nil { // warm up (the function's first start, boto3's import)
			return fmt.Errorf("%s: %w", w.name, err)
		}
	}
	rounds := max(o.Rounds, 3)
	p50 := make([][]float64, len(workloads))
	for range rounds {
		for i, w := range workloads {
			l, err := w.run(ctx, o.Duration)
			if err != nil {
				return fmt.Errorf("%s: %w", w.name, err)
			}
			p50[i] = append(p50[i], float64(l.P50))
		}
	}
	for i, w := range workloads {
		tbl.add("apigateway", w.name+": p50, 1 client", ms(time.Duration(median(p50[i]))), "")
	}
	diff := func(a, b int) string {
		var xs []float64
		for r := range rounds {
			xs = append(xs, p50[a][r]-p50[b][r])
		}
		return us(time.Duration(median(xs)))
	}
	tbl.add("apigateway", "HTTP API overhead over a direct Invoke (p50 difference, median of rounds)", diff(1, 0), "≤ 150 µs")
	tbl.add("apigateway", "REST API overhead over a direct Invoke (p50 difference, median of rounds)", diff(2, 0), "≤ 200 µs")
	tbl.add("apigateway", "WebSocket API overhead over its floor (p50 difference, median of rounds)", diff(3, 4), "")
	tbl.add("apigateway", "WebSocket round trip beside its floor (p50, median of rounds)",
		ms(time.Duration(median(p50[3])))+" / "+ms(time.Duration(median(p50[4]))), "≤ 1 ms")
	before, after, err := idleMemory(ctx, cmd.Process.Pid, t.wsURL, idleConnections)
	if err != nil {
		return fmt.Errorf("idle WebSocket connections: %w", err)
	}
	tbl.add("apigateway", fmt.Sprintf("server memory for %d idle WebSocket connections (RSS growth)", idleConnections),
		fmt.Sprintf("%.0f MiB", float64(after-before)/(1<<20)), "≤ 200 MiB")
	return nil
}
