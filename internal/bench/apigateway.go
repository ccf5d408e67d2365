package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// The API Gateway workloads: unsigned invokes of a deployed REST API's MOCK methods, one open,
// one behind an API key in a usage plan without a quota (a throttle check in memory), one in a
// plan with a quota (one conditional write to the store per request), beside the same requests
// to a bare net/http handler.

// APIGatewayTargets are the invoke URLs of the benchmark's REST API.
type APIGatewayTargets struct {
	Mock, Keyed, Quota string // URLs
	Key, QuotaKey      string // the API keys of the keyed and the quota-counted methods
}

// SetUpAPIGateway creates the benchmark's REST API on a server: GET /mock, GET /keyed and
// GET /quota (MOCK integrations; the last two need an API key), deployed to "prod", with a key in
// a plan of high throttle limits and no quota, and a key in a plan with a quota too high to reach.
func SetUpAPIGateway(ctx context.Context, endpoint, keyID, secret string) (APIGatewayTargets, error) {
	c := apigateway.New(apigateway.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, ""), RetryMaxAttempts: 1})
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("bench"),
		EndpointConfiguration: &types.EndpointConfiguration{Types: []types.EndpointType{types.EndpointTypeRegional}}})
	if err != nil {
		return APIGatewayTargets{}, err
	}
	for _, m := range []struct {
		path string
		key  bool
	}{{"mock", false}, {"keyed", true}, {"quota", true}} {
		if err := mockMethod(ctx, c, api, m.path, m.key); err != nil {
			return APIGatewayTargets{}, err
		}
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
		return APIGatewayTargets{}, err
	}
	base := endpoint + "/_gureum/execute-api/" + *api.Id + "/prod/"
	t := APIGatewayTargets{Mock: base + "mock", Keyed: base + "keyed", Quota: base + "quota"}
	throttle := &types.ThrottleSettings{RateLimit: 1e6, BurstLimit: 1 << 20}
	if t.Key, err = keyInPlan(ctx, c, *api.Id, "plain", throttle, nil); err != nil {
		return t, err
	}
	t.QuotaKey, err = keyInPlan(ctx, c, *api.Id, "quota", throttle, &types.QuotaSettings{Limit: 1 << 30, Period: types.QuotaPeriodTypeDay})
	return t, err
}

func mockMethod(ctx context.Context, c *apigateway.Client, api *apigateway.CreateRestApiOutput, path string, key bool) error {
	res, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String(path)})
	if err != nil {
		return err
	}
	get := aws.String("GET")
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: get, AuthorizationType: aws.String("NONE"), ApiKeyRequired: key}); err != nil {
		return err
	}
	if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: get, Type: types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}); err != nil {
		return err
	}
	if _, err := c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: get, StatusCode: aws.String("200")}); err != nil {
		return err
	}
	_, err = c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: get, StatusCode: aws.String("200"),
		ResponseTemplates: map[string]string{"application/json": `{"status":"ok"}`}})
	return err
}

func keyInPlan(ctx context.Context, c *apigateway.Client, apiID, name string, throttle *types.ThrottleSettings, quota *types.QuotaSettings) (string, error) {
	value := "bench" + name + "key0123456789abcdef"
	k, err := c.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String(name), Enabled: true, Value: aws.String(value)})
	if err != nil {
		return "", err
	}
	p, err := c.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String(name), Throttle: throttle, Quota: quota,
		ApiStages: []types.ApiStage{{ApiId: aws.String(apiID), Stage: aws.String("prod")}}})
	if err != nil {
		return "", err
	}
	_, err = c.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: p.Id, KeyId: k.Id, KeyType: aws.String("API_KEY")})
	return value, err
}

// Invokes sends unsigned GETs to url (with x-api-key when key is set) from `clients` clients for
// d, each answer required to be 200.
func Invokes(ctx context.Context, url, key string, clients int, d time.Duration) (Latencies, error) {
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	return concurrently(ctx, clients, 1<<62, d, func(ctx context.Context, _ int64) error {
		r, err := http.NewRequestWithContext(ctx, "GET", url, nil)
		if err != nil {
			return err
		}
		if key != "" {
			r.Header.Set("x-api-key", key)
		}
		resp, err := client.Do(r)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("GET %s: %d %s", url, resp.StatusCode, body)
		}
		return nil
	})
}

// us writes a duration in microseconds.
func us(d time.Duration) string { return fmt.Sprintf("%.2f µs", float64(d.Nanoseconds())/1000) }

// RunAPIGateway measures the API Gateway workloads and prints a table.
func RunAPIGateway(ctx context.Context, o Options) error {
	dir, err := os.MkdirTemp("", "gureum-bench-apigateway")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var tbl table
	cmd, endpoint, _, err := StartBinary(ctx, o.Binary, dir+"/sqlite", "AKIAGUREUMBENCH00001", "bench-secret")
	if err != nil {
		return err
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	t, err := SetUpAPIGateway(ctx, endpoint, "AKIAGUREUMBENCH00001", "bench-secret")
	if err != nil {
		return err
	}
	floor, stopFloor, err := Floor()
	if err != nil {
		return err
	}
	defer stopFloor()
	type workload struct{ name, url, key, target1, target16 string }
	workloads := []workload{
		{"floor (bare net/http)", floor + "/", "", "", ""},
		{"MOCK integration", t.Mock, "", "", "≥ 10,000 req/s"},
		{"MOCK + API key, plan without quota", t.Keyed, t.Key, "", ""},
		{"MOCK + API key, plan with quota (1 store write)", t.Quota, t.QuotaKey, "", ""},
	}
	for _, w := range workloads {
		Invokes(ctx, w.url, w.key, 1, time.Second/2) // warm up
	}
	// The workloads take turns, round after round, so that a machine whose speed drifts weighs on
	// each alike; each figure is the median round, and each difference the median of the rounds'.
	rounds := max(o.Rounds, 3)
	one := make([][]Latencies, len(workloads))
	many := make([][]Latencies, len(workloads))
	for range rounds {
		for i, w := range workloads {
			l1, err := Invokes(ctx, w.url, w.key, 1, o.Duration)
			if err != nil {
				return fmt.Errorf("%s: %w", w.name, err)
			}
			l16, err := Invokes(ctx, w.url, w.key, 16, o.Duration)
			if err != nil {
				return fmt.Errorf("%s: %w", w.name, err)
			}
			one[i], many[i] = append(one[i], l1), append(many[i], l16)
		}
	}
	p50s := func(i int) []float64 {
		var xs []float64
		for _, l := range one[i] {
			xs = append(xs, float64(l.P50))
		}
		return xs
	}
	for i, w := range workloads {
		var p99, rate []float64
		for r := range rounds {
			p99, rate = append(p99, float64(one[i][r].P99)), append(rate, many[i][r].PerSec)
		}
		tbl.add("apigateway", w.name+": p50, 1 client", ms(time.Duration(median(p50s(i)))), w.target1)
		tbl.add("apigateway", w.name+": p99, 1 client", ms(time.Duration(median(p99))), "")
		tbl.add("apigateway", w.name+": throughput, 16 clients", fmt.Sprintf("%.0f req/s", median(rate)), w.target16)
	}
	diff := func(a, b int) string {
		var xs []float64
		pa, pb := p50s(a), p50s(b)
		for r := range rounds {
			xs = append(xs, pa[r]-pb[r])
		}
		return us(time.Duration(median(xs)))
	}
	tbl.add("apigateway", "API key + usage plan check (keyed p50 − MOCK p50, median of rounds)", diff(2, 1), "≤ 20 µs")
	tbl.add("apigateway", "API key + quota write (quota p50 − MOCK p50, median of rounds)", diff(3, 1), "")
	tbl.add("apigateway", "gateway over the floor (MOCK p50 − floor p50, median of rounds)", diff(1, 0), "")
	if err := apigatewayFunctions(ctx, o, dir, &tbl); err != nil { // apigatewayfn.go
		return err
	}
	return tbl.print(o.Out)
}
