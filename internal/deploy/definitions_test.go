package deploy_test

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gureum/gureum/internal/gureumtest"
)

const definitionsApp = `Transform: AWS::Serverless-2016-10-31
Resources:
  Greetings:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layer/
      CompatibleRuntimes: [python3.12]
  Greet:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: greet-fn
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Timeout: 20
      Layers: [!Ref Greetings]
      Events:
        Hello:
          Type: HttpApi
          Properties:
            ApiId: !Ref Http
            Path: /hello
            Method: get
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionUri: http.yaml
  Rest:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionUri: rest.yaml
  Plain:
    Type: AWS::ApiGateway::RestApi
    Properties:
      BodyS3Location: rest.yaml
  PlainDeployment:
    Type: AWS::ApiGateway::Deployment
    Properties:
      RestApiId: !Ref Plain
      StageName: v1
Outputs:
  Http:
    Value: !Ref Http
  Rest:
    Value: !Ref Rest
  Plain:
    Value: !Ref Plain
`

// restDoc answers GET /ping with a mock integration.
const restDoc = `swagger: "2.0"
info: {title: mock, version: "1"}
paths:
  /ping:
    get:
      responses:
        "200": {description: ok}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: '{"statusCode": 200}'
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: '{"pong": true}'
`

// TestDeployDefinitions deploys APIs whose OpenAPI documents are local files (SAM's
// DefinitionUri and a RestApi's BodyS3Location) and a function using a layer from a local
// directory: gureum deploy uploads them and the APIs are built from the documents in S3.
func TestDeployDefinitions(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	dir := t.TempDir()
	tpl := filepath.Join(dir, "template.yaml")
	write(t, tpl, definitionsApp)
	write(t, filepath.Join(dir, "layer", "python", "greetings.py"), "WORD = 'hello from the layer'\n")
	write(t, filepath.Join(dir, "src", "app.py"), "import greetings\ndef handler(event, context):\n    return {'statusCode': 200, 'body': greetings.WORD}\n")
	fnArn := "arn:aws:lambda:" + gureumtest.Region + ":" + gureumtest.AccountID + ":function:greet-fn"
	write(t, filepath.Join(dir, "http.yaml"), `openapi: "3.0.1"
info: {title: from-s3, version: "1"}
paths:
  /hello:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        payloadFormatVersion: "2.0"
        uri: arn:aws:apigateway:`+gureumtest.Region+`:lambda:path/2015-03-31/functions/`+fnArn+`/invocations
`)
	write(t, filepath.Join(dir, "rest.yaml"), restDoc)
	out, err := run(t, srv, "--template", tpl, "--stack-name", "defs")
	if err != nil {
		t.Fatalf("deploy = %v; output:\n%s", err, out)
	}
	if n := strings.Count(out, "Uploaded s3://"); n != 4 {
		t.Errorf("deploy uploaded %d artifacts; want 4 (layer, code and two documents, rest.yaml once though named twice):\n%s", n, out)
	}
	for _, c := range []struct{ path, want string }{
		{"/_gureum/execute-api-v2/" + outputOf(out, "Http") + "/hello", "hello from the layer"},
		{"/_gureum/execute-api/" + outputOf(out, "Rest") + "/prod/ping", `{"pong": true}`},
		{"/_gureum/execute-api/" + outputOf(out, "Plain") + "/v1/ping", `{"pong": true}`},
	} {
		resp, err := http.Get(srv.Endpoint + c.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || strings.TrimSpace(string(b)) != c.want {
			t.Errorf("GET %s = %d %q; want 200 %q", c.path, resp.StatusCode, b, c.want)
		}
	}
}
