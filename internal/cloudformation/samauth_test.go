package cloudformation_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

const samAuth = `
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
Resources:
  Keyed:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        ApiKeyRequired: true
        UsagePlan:
          CreateUsagePlan: SHARED
          Quota: {Limit: 100, Period: DAY}
        ResourcePolicy:
          CustomStatements:
            - Effect: Allow
              Principal: "*"
              Action: execute-api:Invoke
              Resource: execute-api:/*
  Other:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Auth:
        ApiKeyRequired: true
        UsagePlan:
          CreateUsagePlan: SHARED
          Quota: {Limit: 100, Period: DAY}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {"statusCode": 200, "body": "ok"}
      Events:
        A:
          Type: Api
          Properties: {RestApiId: !Ref Keyed, Path: /a, Method: get}
        B:
          Type: Api
          Properties: {RestApiId: !Ref Other, Path: /b, Method: get}
Outputs:
  Keyed:
    Value: !Ref Keyed
  Key:
    Value: !Ref ServerlessApiKey
  Plan:
    Value: !Ref ServerlessUsagePlan
`

// TestSAMApiAuth deploys two APIs that require a key under one SHARED usage plan, one with a
// resource policy: a call needs the shared key.
func TestSAMApiAuth(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		deploy(t, c, "auth", samAuth)
		st := stack(t, c, "auth")
		if st.StackStatus != cfntypes.StackStatusCreateComplete {
			failures(t, c, "auth")
			t.Fatalf("status = %s (%s)", st.StackStatus, aws.ToString(st.StackStatusReason))
		}
		o := outputs(st)
		gw := apigateway.NewFromConfig(c.srv.Config())
		plan, err := gw.GetUsagePlan(bg, &apigateway.GetUsagePlanInput{UsagePlanId: aws.String(o["Plan"])})
		if err != nil || len(plan.ApiStages) != 2 || plan.Quota == nil || plan.Quota.Limit != 100 {
			t.Errorf("GetUsagePlan = %+v, %v; want both APIs' stages and the quota", plan, err)
		}
		api, err := gw.GetRestApi(bg, &apigateway.GetRestApiInput{RestApiId: aws.String(o["Keyed"])})
		if err != nil || !strings.Contains(aws.ToString(api.Policy), "execute-api:Invoke") {
			t.Errorf("GetRestApi = %+v, %v; want the resource policy", api, err)
		}
		key, err := gw.GetApiKey(bg, &apigateway.GetApiKeyInput{ApiKey: aws.String(o["Key"]), IncludeValue: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		url := c.srv.Endpoint + "/_gureum/execute-api/" + o["Keyed"] + "/prod/a"
		if code, _ := get(t, url); code != 403 {
			t.Errorf("GET without a key = %d; want 403", code)
		}
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("x-api-key", aws.ToString(key.Value))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET with the shared key = %d; want 200", resp.StatusCode)
		}
	})
}
