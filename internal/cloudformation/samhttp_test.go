package cloudformation_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

const samHTTP = `
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Timeout: 10
  HttpApi:
    FailOnWarnings: true
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {"statusCode": 200, "body": event["routeKey"] + " " + event["pathParameters"].get("id", "")}
      Events:
        Get:
          Type: HttpApi
          Properties:
            Path: /hello/{id}
            Method: get
  Items:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {"statusCode": 201, "body": event["httpMethod"] + " " + event["path"]}
      Events:
        Post:
          Type: HttpApi
          Properties:
            ApiId: !Ref Api
            Path: /items
            Method: POST
            PayloadFormatVersion: "1.0"
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageName: v1
      Tags: {team: web}
Outputs:
  Implicit:
    Value: !Ref ServerlessHttpApi
  Explicit:
    Value: !Ref Api
`

// TestSAMHttpApi deploys functions behind the implicit and an explicit HTTP API and calls them.
func TestSAMHttpApi(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		deploy(t, c, "httpsam", samHTTP)
		st := stack(t, c, "httpsam")
		if st.StackStatus != cfntypes.StackStatusCreateComplete {
			failures(t, c, "httpsam")
			t.Fatalf("status = %s (%s)", st.StackStatus, aws.ToString(st.StackStatusReason))
		}
		o := outputs(st)
		if code, body := get(t, c.srv.Endpoint+"/_gureum/execute-api-v2/"+o["Implicit"]+"/hello/7"); code != 200 || body != "GET /hello/{id} 7" {
			t.Errorf("GET /hello/7 = %d %q; want the function's answer", code, body)
		}
		resp, err := httpPost(c.srv.Endpoint + "/_gureum/execute-api-v2/" + o["Explicit"] + "/v1/items")
		if err != nil || resp != "201 POST /items" && resp != "201 POST /v1/items" {
			t.Errorf("POST /v1/items = %s, %v; want the function's 201", resp, err)
		}
	})
}

func httpPost(url string) (string, error) {
	resp, err := http.Post(url, "application/json", strings.NewReader("{}"))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return strconv.Itoa(resp.StatusCode) + " " + string(b), nil
}

const samHTTPAuth = `
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Timeout: 10
Resources:
  Authorizer:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            ok = event.get("headers", {}).get("x-token") == "let-me-in"
            return {"isAuthorized": ok, "context": {"who": "tester"}}
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            who = event["requestContext"].get("authorizer", {}).get("lambda", {}).get("who")
            return {"statusCode": 200, "body": event["routeKey"] + " " + str(who)}
      Events:
        Private:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Path: /private, Method: get}
        Public:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Path: /public, Method: get, Auth: {Authorizer: NONE}}
        Scoped:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Path: /jwt, Method: get, Auth: {Authorizer: Jwt, AuthorizationScopes: [write]}}
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Token
        Authorizers:
          Token:
            FunctionArn: !GetAtt Authorizer.Arn
            AuthorizerPayloadFormatVersion: "2.0"
            EnableSimpleResponses: true
            EnableFunctionDefaultPermissions: true
            Identity: {Headers: [X-Token]}
          Jwt:
            JwtConfiguration: {issuer: "https://issuer.example.com", audience: [aud]}
            IdentitySource: $request.header.Authorization
      Domain:
        DomainName: api.example.test
        CertificateArn: arn:aws:acm:us-east-1:000000000000:certificate/test
        BasePath: [/v1]
Outputs:
  Api:
    Value: !Ref Api
`

// TestSAMHttpApiAuth deploys an HTTP API whose default authorizer is a Lambda function, with a
// route open to all (Authorizer NONE), one behind a JWT authorizer, and a custom domain with a
// base path, and calls it with and without the authorizer's token.
func TestSAMHttpApiAuth(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		deploy(t, c, "httpauth", samHTTPAuth)
		st := stack(t, c, "httpauth")
		if st.StackStatus != cfntypes.StackStatusCreateComplete {
			failures(t, c, "httpauth")
			t.Fatalf("status = %s (%s)", st.StackStatus, aws.ToString(st.StackStatusReason))
		}
		base := c.srv.Endpoint + "/_gureum/execute-api-v2/" + outputs(st)["Api"]
		call := func(url, token string) (int, string) {
			t.Helper()
			req, _ := http.NewRequest("GET", url, nil)
			if token != "" {
				req.Header.Set("X-Token", token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		for _, tc := range []struct {
			url, token string
			code       int
			body       string
		}{
			{base + "/public", "", 200, "GET /public None"},
			{base + "/private", "", 401, ""},
			{base + "/private", "wrong", 403, ""},
			{base + "/private", "let-me-in", 200, "GET /private tester"},
			{base + "/jwt", "let-me-in", 401, ""},
			{c.srv.Endpoint + "/_gureum/execute-api-domain/api.example.test/v1/public", "", 200, "GET /public None"},
			{c.srv.Endpoint + "/_gureum/execute-api-domain/api.example.test/v1/private", "let-me-in", 200, "GET /private tester"},
		} {
			code, body := call(tc.url, tc.token)
			if code != tc.code || tc.body != "" && body != tc.body {
				t.Errorf("GET %s (X-Token %q) = %d %q; want %d %q", strings.TrimPrefix(tc.url, c.srv.Endpoint), tc.token, code, body, tc.code, tc.body)
			}
		}
	})
}
