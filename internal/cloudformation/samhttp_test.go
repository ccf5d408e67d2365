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
