package lambda_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// TestAPIGatewayInvokesFunction: a REST API's {proxy+} resource with an AWS_PROXY integration runs
// a Python function in process and maps its answer back (the web app and status API workloads).
func TestAPIGatewayInvokesFunction(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	code := zipOf(t, map[string][]byte{"app.py": []byte(`import json
def handler(event, context):
    return {"statusCode": 201, "headers": {"X-From": "function"},
            "body": json.dumps({"path": event["path"], "method": event["httpMethod"], "q": event["queryStringParameters"]})}
`)})
	fn := f.create(t, "web", "python3.12", "app.handler", code)
	// API Gateway invokes the function only as its policy allows, as on AWS.
	if _, err := f.client.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("web"), StatementId: aws.String("apigateway"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("apigateway.amazonaws.com"),
		SourceArn: aws.String("arn:aws:execute-api:us-east-1:000000000000:*/*/*/*")}); err != nil {
		t.Fatal(err)
	}
	gw := apigateway.NewFromConfig(f.srv.Config())
	api, err := gw.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("web")})
	if err != nil {
		t.Fatal(err)
	}
	res, err := gw.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("{proxy+}")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gw.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("ANY"), AuthorizationType: aws.String("NONE")}); err != nil {
		t.Fatal(err)
	}
	uri := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + aws.ToString(fn.FunctionArn) + "/invocations"
	if _, err := gw.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("ANY"),
		Type: "AWS_PROXY", IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(uri)}); err != nil {
		t.Fatal(err)
	}
	if _, err := gw.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(f.srv.Endpoint + "/_gureum/execute-api/" + aws.ToString(api.Id) + "/prod/orders/7?x=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var got struct {
		Path, Method string
		Q            map[string]string
	}
	if resp.StatusCode != 201 || resp.Header.Get("X-From") != "function" || json.Unmarshal(body, &got) != nil ||
		got.Path != "/orders/7" || got.Method != "GET" || got.Q["x"] != "1" {
		t.Errorf("GET through the API = %d %v %s; want 201 from the function with the proxy event", resp.StatusCode, resp.Header, strings.TrimSpace(string(body)))
	}
}
