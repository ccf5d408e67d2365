package apigateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/gureum/gureum/internal/gureumtest"
)

var bg = context.Background()

// each runs fn against a fresh server on every store backend.
func each(t *testing.T, fn func(t *testing.T, c *apigateway.Client, srv *gureumtest.Server)) {
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			srv := gureumtest.Start(t, gureumtest.Options{Args: append([]string{"--log-level", "warn"}, b.Args...)})
			fn(t, apigateway.NewFromConfig(srv.Config()), srv)
		})
	}
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return fmt.Sprintf("no API error: %v", err)
}

// must returns v, and fails the test (by a panic the test reports) on an error.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// call invokes a deployed API through the path form of the invoke URL.
func call(t *testing.T, srv *gureumtest.Server, method, apiID, stagePath, apiKey, body string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.Endpoint+"/_gureum/execute-api/"+apiID+"/"+stagePath, strings.NewReader(body))
	if apiKey != "" {
		req.Header.Set("x-api-key", apiKey)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// mockAPI creates a REST API with GET /status (MOCK, API key required) deployed to "prod".
func mockAPI(t *testing.T, c *apigateway.Client, keyRequired bool) (apiID, resourceID string) {
	t.Helper()
	api := must(c.CreateRestApi(bg, &apigateway.CreateRestApiInput{Name: aws.String("status"),
		EndpointConfiguration: &types.EndpointConfiguration{Types: []types.EndpointType{types.EndpointTypeRegional}}}))
	res := must(c.CreateResource(bg, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("status")}))
	must(c.PutMethod(bg, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"),
		AuthorizationType: aws.String("NONE"), ApiKeyRequired: keyRequired}))
	must(c.PutIntegration(bg, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"),
		Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}))
	must(c.PutMethodResponse(bg, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"), StatusCode: aws.String("200")}))
	must(c.PutIntegrationResponse(bg, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"),
		StatusCode: aws.String("200"), ResponseTemplates: map[string]string{"application/json": `{"status":"ok","stage":"$context.stage","key":"$context.identity.apiKeyId"}`},
		ResponseParameters: map[string]string{"method.response.header.X-Status": "'green'"}}))
	must(c.PutMethodResponse(bg, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"), StatusCode: aws.String("200")}))
	must(c.CreateDeployment(bg, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}))
	return *api.Id, *res.Id
}

func TestControlPlane(t *testing.T) {
	each(t, func(t *testing.T, c *apigateway.Client, srv *gureumtest.Server) {
		api := must(c.CreateRestApi(bg, &apigateway.CreateRestApiInput{Name: aws.String("private"), ApiKeySource: types.ApiKeySourceTypeHeader,
			EndpointConfiguration: &types.EndpointConfiguration{Types: []types.EndpointType{types.EndpointTypePrivate}, VpcEndpointIds: []string{"vpce-0123456789abcdef0"}},
			BinaryMediaTypes:      []string{"image/png"}, Policy: aws.String(vpcePolicy("Allow", "StringEquals", "vpce-0123456789abcdef0"))}))
		if len(*api.Id) != 10 || strings.ToLower(*api.Id) != *api.Id || api.EndpointConfiguration.VpcEndpointIds[0] != "vpce-0123456789abcdef0" || api.CreatedDate == nil {
			t.Errorf("CreateRestApi = %+v", api)
		}
		_, err := c.CreateRestApi(bg, &apigateway.CreateRestApiInput{Name: aws.String("x"),
			EndpointConfiguration: &types.EndpointConfiguration{Types: []types.EndpointType{types.EndpointTypeRegional}, VpcEndpointIds: []string{"vpce-1"}}})
		if code(err) != "BadRequestException" {
			t.Errorf("CreateRestApi(REGIONAL with VPC endpoints) = %v; want BadRequestException", err)
		}
		up := must(c.UpdateRestApi(bg, &apigateway.UpdateRestApiInput{RestApiId: api.Id, PatchOperations: []types.PatchOperation{
			{Op: types.OpReplace, Path: aws.String("/name"), Value: aws.String("renamed")},
			{Op: types.OpAdd, Path: aws.String("/binaryMediaTypes/image~1jpeg")},
			{Op: types.OpReplace, Path: aws.String("/apiKeySource"), Value: aws.String("AUTHORIZER")},
		}}))
		if *up.Name != "renamed" || len(up.BinaryMediaTypes) != 2 || up.ApiKeySource != types.ApiKeySourceTypeAuthorizer {
			t.Errorf("UpdateRestApi = %+v", up)
		}
		_, err = c.UpdateRestApi(bg, &apigateway.UpdateRestApiInput{RestApiId: api.Id, PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/nope"), Value: aws.String("x")}}})
		if code(err) != "BadRequestException" {
			t.Errorf("UpdateRestApi(unknown path) = %v", err)
		}
		if _, err := c.GetRestApi(bg, &apigateway.GetRestApiInput{RestApiId: aws.String("nosuchapi0")}); code(err) != "NotFoundException" {
			t.Errorf("GetRestApi(missing) = %v; want NotFoundException", err)
		}
		root := api.RootResourceId
		items := must(c.CreateResource(bg, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: root, PathPart: aws.String("items")}))
		item := must(c.CreateResource(bg, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: items.Id, PathPart: aws.String("{id}")}))
		if *item.Path != "/items/{id}" {
			t.Errorf("CreateResource path = %s", *item.Path)
		}
		if _, err := c.CreateResource(bg, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: root, PathPart: aws.String("items")}); code(err) != "ConflictException" {
			t.Errorf("CreateResource(duplicate) = %v; want ConflictException", err)
		}
		if _, err := c.CreateResource(bg, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: items.Id, PathPart: aws.String("{proxy+}")}); code(err) != "BadRequestException" {
			t.Errorf("CreateResource(second variable sibling) = %v; want BadRequestException", err)
		}
		rs := must(c.GetResources(bg, &apigateway.GetResourcesInput{RestApiId: api.Id}))
		if len(rs.Items) != 3 {
			t.Errorf("GetResources = %d items; want 3", len(rs.Items))
		}
		m := must(c.PutMethod(bg, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: item.Id, HttpMethod: aws.String("ANY"),
			AuthorizationType: aws.String("AWS_IAM"), ApiKeyRequired: true, RequestParameters: map[string]bool{"method.request.header.X-Trace": false}}))
		if !*m.ApiKeyRequired || *m.AuthorizationType != "AWS_IAM" {
			t.Errorf("PutMethod = %+v", m)
		}
		if _, err := c.PutMethod(bg, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: item.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("BOGUS")}); code(err) != "BadRequestException" {
			t.Errorf("PutMethod(bad authorization type) = %v", err)
		}
		if _, err := c.CreateDeployment(bg, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); code(err) != "BadRequestException" {
			t.Errorf("CreateDeployment(method without integration) = %v; want BadRequestException", err)
		}
		ig := must(c.PutIntegration(bg, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: item.Id, HttpMethod: aws.String("ANY"),
			Type: types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"),
			Uri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:items/invocations")}))
		if ig.TimeoutInMillis != 29000 || *ig.PassthroughBehavior != "WHEN_NO_MATCH" {
			t.Errorf("PutIntegration = %+v", ig)
		}
		dep := must(c.CreateDeployment(bg, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod"), Variables: map[string]string{"table": "items"}}))
		st := must(c.UpdateStage(bg, &apigateway.UpdateStageInput{RestApiId: api.Id, StageName: aws.String("prod"), PatchOperations: []types.PatchOperation{
			{Op: types.OpReplace, Path: aws.String("/variables/env"), Value: aws.String("test")},
			{Op: types.OpReplace, Path: aws.String("/*/*/throttling/rateLimit"), Value: aws.String("100")},
			{Op: types.OpReplace, Path: aws.String("/*/*/throttling/burstLimit"), Value: aws.String("50")},
		}}))
		if *st.DeploymentId != *dep.Id || st.Variables["env"] != "test" || st.Variables["table"] != "items" || st.MethodSettings["*/*"].ThrottlingBurstLimit != 50 {
			t.Errorf("UpdateStage = %+v", st)
		}
		if _, err := c.CreateStage(bg, &apigateway.CreateStageInput{RestApiId: api.Id, StageName: aws.String("prod"), DeploymentId: dep.Id}); code(err) != "ConflictException" {
			t.Errorf("CreateStage(existing) = %v; want ConflictException", err)
		}
		if _, err := c.DeleteDeployment(bg, &apigateway.DeleteDeploymentInput{RestApiId: api.Id, DeploymentId: dep.Id}); code(err) != "BadRequestException" {
			t.Errorf("DeleteDeployment(in use) = %v; want BadRequestException", err)
		}
		must(c.TagResource(bg, &apigateway.TagResourceInput{ResourceArn: aws.String("arn:aws:apigateway:us-east-1::/restapis/" + *api.Id), Tags: map[string]string{"team": "a"}}))
		tags := must(c.GetTags(bg, &apigateway.GetTagsInput{ResourceArn: aws.String("arn:aws:apigateway:us-east-1::/restapis/" + *api.Id)}))
		if tags.Tags["team"] != "a" {
			t.Errorf("GetTags = %v", tags.Tags)
		}
		// A PRIVATE API does not answer on the public listener.
		if status, _, _ := call(t, srv, "GET", *api.Id, "prod/items/1", "", ""); status != 403 {
			t.Errorf("invoking a PRIVATE API publicly = %d; want 403", status)
		}
		must(c.DeleteRestApi(bg, &apigateway.DeleteRestApiInput{RestApiId: api.Id}))
		if _, err := c.GetStage(bg, &apigateway.GetStageInput{RestApiId: api.Id, StageName: aws.String("prod")}); code(err) != "NotFoundException" {
			t.Errorf("GetStage after DeleteRestApi = %v", err)
		}
	})
}

// TestStatusAPIWorkload is the reference workload: a status API behind an API key and a usage
// plan with a quota of N; the N+1st call gets 429, a disabled key 403, GetUsage shows N.
func TestStatusAPIWorkload(t *testing.T) {
	each(t, func(t *testing.T, c *apigateway.Client, srv *gureumtest.Server) {
		apiID, _ := mockAPI(t, c, true)
		key := must(c.CreateApiKey(bg, &apigateway.CreateApiKeyInput{Name: aws.String("client"), Enabled: true}))
		if len(*key.Value) < 20 {
			t.Errorf("generated key value %q", *key.Value)
		}
		const n = 3
		plan := must(c.CreateUsagePlan(bg, &apigateway.CreateUsagePlanInput{Name: aws.String("basic"),
			ApiStages: []types.ApiStage{{ApiId: aws.String(apiID), Stage: aws.String("prod")}},
			Throttle:  &types.ThrottleSettings{RateLimit: 100, BurstLimit: 100},
			Quota:     &types.QuotaSettings{Limit: n, Period: types.QuotaPeriodTypeDay}}))
		must(c.CreateUsagePlanKey(bg, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: plan.Id, KeyId: key.Id, KeyType: aws.String("API_KEY")}))

		if status, h, body := call(t, srv, "GET", apiID, "prod/status", "", ""); status != 403 || body != `{"message":"Forbidden"}` || h.Get("x-amzn-ErrorType") != "ForbiddenException" {
			t.Errorf("no key = %d %s %v", status, body, h)
		}
		if status, _, _ := call(t, srv, "GET", apiID, "prod/status", "not-a-key-not-a-key-0", ""); status != 403 {
			t.Errorf("unknown key = %d; want 403", status)
		}
		for i := 0; i < n; i++ {
			status, h, body := call(t, srv, "GET", apiID, "prod/status", *key.Value, "")
			want := `{"status":"ok","stage":"prod","key":"` + *key.Id + `"}`
			if status != 200 || body != want || h.Get("X-Status") != "green" || h.Get("x-amzn-RequestId") == "" || h.Get("x-amz-apigw-id") == "" {
				t.Fatalf("call %d = %d %s %v; want 200 %s", i+1, status, body, h, want)
			}
		}
		if status, h, body := call(t, srv, "GET", apiID, "prod/status", *key.Value, ""); status != 429 || body != `{"message":"Limit Exceeded"}` || h.Get("x-amzn-ErrorType") != "LimitExceededException" {
			t.Errorf("call %d = %d %s; want 429 Limit Exceeded", n+1, status, body)
		}
		today := time.Now().UTC().Format("2006-01-02")
		usage := must(c.GetUsage(bg, &apigateway.GetUsageInput{UsagePlanId: plan.Id, StartDate: aws.String(today), EndDate: aws.String(today)}))
		if got := usage.Items[*key.Id]; len(got) != 1 || got[0][0] != n || got[0][1] != 0 {
			t.Errorf("GetUsage = %v; want [[%d 0]]", usage.Items, n)
		}
		granted := must(c.UpdateUsage(bg, &apigateway.UpdateUsageInput{UsagePlanId: plan.Id, KeyId: key.Id,
			PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/remaining"), Value: aws.String("1")}}}))
		if got := granted.Items[*key.Id]; len(got) != 1 || got[0][1] != 1 {
			t.Errorf("UpdateUsage = %v; want 1 remaining", granted.Items)
		}
		if status, _, _ := call(t, srv, "GET", apiID, "prod/status", *key.Value, ""); status != 200 {
			t.Errorf("call after UpdateUsage = %d; want 200", status)
		}
		must(c.UpdateApiKey(bg, &apigateway.UpdateApiKeyInput{ApiKey: key.Id, PatchOperations: []types.PatchOperation{
			{Op: types.OpReplace, Path: aws.String("/enabled"), Value: aws.String("false")}}}))
		if status, _, body := call(t, srv, "GET", apiID, "prod/status", *key.Value, ""); status != 403 || body != `{"message":"Forbidden"}` {
			t.Errorf("disabled key = %d %s; want 403", status, body)
		}
		keys := must(c.GetApiKeys(bg, &apigateway.GetApiKeysInput{IncludeValues: aws.Bool(true)}))
		if len(keys.Items) != 1 || *keys.Items[0].Value != *key.Value || keys.Items[0].Enabled {
			t.Errorf("GetApiKeys = %+v", keys.Items)
		}
		if status, _, _ := call(t, srv, "GET", apiID, "prod/nowhere", *key.Value, ""); status != 403 {
			t.Errorf("unmatched path = %d; want 403", status)
		}
	})
}

// TestOrderIntake is the other workload: POST /order sends the body to a queue through an AWS
// service integration with a VTL template.
func TestOrderIntake(t *testing.T) {
	each(t, func(t *testing.T, c *apigateway.Client, srv *gureumtest.Server) {
		q := sqs.NewFromConfig(srv.Config())
		qurl := must(q.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String("orders")})).QueueUrl
		api := must(c.CreateRestApi(bg, &apigateway.CreateRestApiInput{Name: aws.String("orders")}))
		res := must(c.CreateResource(bg, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("order")}))
		must(c.PutMethod(bg, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("POST"), AuthorizationType: aws.String("NONE")}))
		must(c.PutIntegration(bg, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("POST"),
			Type: types.IntegrationTypeAws, IntegrationHttpMethod: aws.String("POST"),
			Uri:               aws.String("arn:aws:apigateway:us-east-1:sqs:path/000000000000/orders"),
			RequestParameters: map[string]string{"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"},
			RequestTemplates:  map[string]string{"application/json": `Action=SendMessage&MessageBody=$util.urlEncode($input.body)`}}))
		must(c.PutMethodResponse(bg, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("POST"), StatusCode: aws.String("200")}))
		must(c.PutIntegrationResponse(bg, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("POST"), StatusCode: aws.String("200"),
			ResponseTemplates: map[string]string{"application/json": `{"orderId": "$input.path('$.SendMessageResponse.SendMessageResult.MessageId')"}`}}))
		must(c.CreateDeployment(bg, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("v1")}))

		// The host form of the invoke URL.
		req, _ := http.NewRequest("POST", srv.Endpoint+"/v1/order", strings.NewReader(`{"item":"book","qty":2}`))
		req.Host = *api.Id + ".execute-api.localhost"
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var out struct{ OrderID string }
		if resp.StatusCode != 200 || json.Unmarshal(b, &out) != nil || out.OrderID == "" {
			t.Fatalf("POST /order = %d %s", resp.StatusCode, b)
		}
		msgs := must(q.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: qurl, WaitTimeSeconds: 1}))
		if len(msgs.Messages) != 1 || *msgs.Messages[0].Body != `{"item":"book","qty":2}` || *msgs.Messages[0].MessageId != out.OrderID {
			t.Errorf("queue holds %+v; want the order", msgs.Messages)
		}
	})
}
