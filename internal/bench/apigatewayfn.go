package bench

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
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
// (Lambda's Invoke, signed), through an HTTP API (v2, payload 2.0) and through a REST API (v1,
// AWS_PROXY); a WebSocket message routed to it, which answers with PostToConnection (boto3 in
// the function); and the memory 10,000 idle WebSocket connections cost the server.

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
        _mgmt.post_to_connection(ConnectionId=rc["connectionId"], Data=event["body"].encode())
        return {"statusCode": 200}
    return {"statusCode": 200, "headers": {"content-type": "text/plain"}, "body": "ok"}
`

// idleConnections is how many idle WebSocket connections the memory figure holds.
const idleConnections = 10000

// functionTargets are what apigatewayFunctions measures.
type functionTargets struct {
	arn, httpURL, restURL, wsURL string
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
	t.wsURL = "ws" + strings.TrimPrefix(endpoint, "http") + "/_gureum/execute-api-v2/" + aws.ToString(ws.ApiId) + "/prod"
	return t, nil
}

// restProxyAPI makes a REST API whose GET / runs the function (AWS_PROXY), deployed to prod.
func restProxyAPI(ctx context.Context, endpoint string, creds aws.CredentialsProvider, fnARN string) (string, error) {
	c := apigateway.New(apigateway.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Credentials: creds, RetryMaxAttempts: 1})
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("bench-rest"),
		EndpointConfiguration: &v1types.EndpointConfiguration{Types: []v1types.EndpointType{v1types.EndpointTypeRegional}}})
	if err != nil {
		return "", err
	}
	get := aws.String("GET")
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: get, AuthorizationType: aws.String("NONE")}); err != nil {
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

// directInvokes calls the function with Lambda's Invoke (signed by the SDK) from one client.
func directInvokes(ctx context.Context, endpoint, keyID, secret, arn string, d time.Duration) (Latencies, error) {
	lc := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, "")})
	payload := []byte(`{"version":"2.0","rawPath":"/hello","requestContext":{"http":{"method":"GET"}}}`)
	return concurrently(ctx, 1, 1<<62, d, func(ctx context.Context, _ int64) error {
		out, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(arn), Payload: payload})
		if err == nil && out.FunctionError != nil {
			err = fmt.Errorf("function error %s: %s", aws.ToString(out.FunctionError), out.Payload)
		}
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
	get := func(url string) func(context.Context, time.Duration) (Latencies, error) {
		return func(ctx context.Context, d time.Duration) (Latencies, error) { return Invokes(ctx, url, "", 1, d) }
	}
	workloads := []struct {
		name string
		run  func(context.Context, time.Duration) (Latencies, error)
	}{
		{"function: direct Invoke (SDK, signed)", func(ctx context.Context, d time.Duration) (Latencies, error) {
			return directInvokes(ctx, endpoint, keyID, secret, t.arn, d)
		}},
		{"function: through an HTTP API (v2, payload 2.0)", get(t.httpURL)},
		{"function: through a REST API (v1, AWS_PROXY)", get(t.restURL)},
		{"WebSocket message → function → PostToConnection back", func(ctx context.Context, d time.Duration) (Latencies, error) {
			return wsRoundTrips(ctx, t.wsURL, d)
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
		target := ""
		if i == 3 {
			target = "≤ 1 ms"
		}
		tbl.add("apigateway", w.name+": p50, 1 client", ms(time.Duration(median(p50[i]))), target)
	}
	diff := func(a, b int) string {
		var xs []float64
		for r := range rounds {
			xs = append(xs, p50[a][r]-p50[b][r])
		}
		return us(time.Duration(median(xs)))
	}
	tbl.add("apigateway", "HTTP API overhead over a direct Invoke (p50 difference, median of rounds)", diff(1, 0), "≤ 150 µs")
	tbl.add("apigateway", "REST API overhead over a direct Invoke (p50 difference, median of rounds)", diff(2, 0), "≤ 150 µs")
	before, after, err := idleMemory(ctx, cmd.Process.Pid, t.wsURL, idleConnections)
	if err != nil {
		return fmt.Errorf("idle WebSocket connections: %w", err)
	}
	tbl.add("apigateway", fmt.Sprintf("server memory for %d idle WebSocket connections (RSS growth)", idleConnections),
		fmt.Sprintf("%.0f MiB", float64(after-before)/(1<<20)), "≤ 200 MiB")
	return nil
}
