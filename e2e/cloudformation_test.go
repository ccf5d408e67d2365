package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/gureumtest"
)

const cliStack = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Visibility:
    Type: Number
    Default: 30
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: !Ref Visibility
  Topic:
    Type: AWS::SNS::Topic
  Subscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Topic
      Protocol: sqs
      Endpoint: !GetAtt Queue.Arn
Outputs:
  QueueUrl:
    Value: !Ref Queue
`

const cliSAM = `Transform: AWS::Serverless-2016-10-31
Resources:
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Policies:
        - S3ReadPolicy:
            BucketName: artifacts
Outputs:
  Function:
    Value: !Ref Echo
`

// TestCloudFormationDeploy drives the built binary with aws cloudformation deploy (change sets
// and waiters as the CLI uses them) and aws cloudformation package (a local code directory
// zipped into gureum's S3 through AWS_ENDPOINT_URL).
func TestCloudFormationDeploy(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("NOTICE: the AWS CLI is not installed; skipping")
	}
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{})
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		cmd := exec.Command("aws", args...)
		cmd.Env = awsEnv(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
		cmd.Dir = dir
		start := time.Now()
		out, err := cmd.CombinedOutput()
		t.Logf("aws %s: %v", strings.Join(args[:2], " "), time.Since(start).Round(time.Millisecond))
		return string(out), err
	}
	if err := os.WriteFile(filepath.Join(dir, "stack.yaml"), []byte(cliStack), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := run("cloudformation", "deploy", "--template-file", "stack.yaml", "--stack-name", "cli", "--parameter-overrides", "Visibility=45")
	if err != nil || !strings.Contains(out, "Successfully created/updated stack - cli") {
		t.Fatalf("aws cloudformation deploy = %s, %v", out, err)
	}
	out, err = run("cloudformation", "describe-stacks", "--stack-name", "cli", "--query", "Stacks[0].[StackStatus,Outputs[0].OutputValue]", "--output", "text")
	fields := strings.Fields(out)
	if err != nil || len(fields) != 2 || fields[0] != "CREATE_COMPLETE" {
		t.Fatalf("describe-stacks = %s, %v", out, err)
	}
	out, err = run("sqs", "get-queue-attributes", "--endpoint-url", p.Endpoint, "--queue-url", fields[1], "--attribute-names", "VisibilityTimeout", "--query", "Attributes.VisibilityTimeout", "--output", "text")
	if err != nil || strings.TrimSpace(out) != "45" {
		t.Errorf("the stack's queue VisibilityTimeout = %s, %v; want 45", out, err)
	}
	out, err = run("cloudformation", "deploy", "--template-file", "stack.yaml", "--stack-name", "cli", "--parameter-overrides", "Visibility=45")
	if err == nil || !strings.Contains(out, "No changes to deploy. Stack cli is up to date") {
		t.Errorf("deploy without changes = %s, %v; want the CLI's no-changes failure", out, err)
	}
	out, err = run("cloudformation", "deploy", "--template-file", "stack.yaml", "--stack-name", "cli", "--parameter-overrides", "Visibility=60")
	if err != nil || !strings.Contains(out, "Successfully created/updated stack - cli") {
		t.Fatalf("deploy of an update = %s, %v", out, err)
	}

	// package + deploy of a SAM template with a local code directory.
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "src", "app.py"), []byte("def handler(event, context):\n    return {\"echo\": event}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "sam.yaml"), []byte(cliSAM), 0o644)
	if out, err := run("s3", "mb", "s3://artifacts"); err != nil {
		t.Fatalf("aws s3 mb = %s, %v", out, err)
	}
	out, err = run("cloudformation", "package", "--template-file", "sam.yaml", "--s3-bucket", "artifacts", "--output-template-file", "packaged.yaml")
	if err != nil {
		t.Fatalf("aws cloudformation package = %s, %v", out, err)
	}
	out, err = run("cloudformation", "deploy", "--template-file", "packaged.yaml", "--stack-name", "sam", "--capabilities", "CAPABILITY_IAM")
	if err != nil || !strings.Contains(out, "Successfully created/updated stack - sam") {
		t.Fatalf("aws cloudformation deploy (SAM) = %s, %v", out, err)
	}
	fn, err := run("cloudformation", "describe-stacks", "--stack-name", "sam", "--query", "Stacks[0].Outputs[0].OutputValue", "--output", "text")
	if err != nil {
		t.Fatal(fn, err)
	}
	out, err = run("lambda", "invoke", "--function-name", strings.TrimSpace(fn), "--payload", `{"n":1}`, "result.json")
	result, _ := os.ReadFile(filepath.Join(dir, "result.json"))
	var got map[string]any
	if err != nil || json.Unmarshal(result, &got) != nil || got["echo"] == nil {
		t.Fatalf("aws lambda invoke of the stack's function = %s %s, %v", out, result, err)
	}
	out, err = run("cloudformation", "describe-stack-events", "--stack-name", "sam", "--query", "length(StackEvents)")
	if err != nil || strings.TrimSpace(out) == "0" {
		t.Errorf("describe-stack-events = %s, %v", out, err)
	}

	for _, name := range []string{"cli", "sam"} {
		if out, err := run("cloudformation", "delete-stack", "--stack-name", name); err != nil {
			t.Fatalf("delete-stack %s = %s, %v", name, out, err)
		}
		if out, err := run("cloudformation", "wait", "stack-delete-complete", "--stack-name", name); err != nil {
			t.Fatalf("wait stack-delete-complete %s = %s, %v", name, out, err)
		}
	}
	out, err = run("cloudformation", "describe-stacks", "--stack-name", "cli")
	if err == nil || !strings.Contains(out, "Stack with id cli does not exist") {
		t.Errorf("describe-stacks after delete = %s, %v", out, err)
	}
}

const cliCanary = `Transform: AWS::Serverless-2016-10-31
Parameters:
  Verdict:
    Type: String
    Default: Succeeded
Resources:
  PreTrafficHook:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: CodeDeployHook_cliPreTraffic
      Runtime: python3.12
      Handler: index.handler
      Timeout: 30
      Environment:
        Variables:
          VERDICT: !Ref Verdict
      Policies:
        - Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Action: codedeploy:PutLifecycleEventHookExecutionStatus
              Resource: "*"
      InlineCode: |
        import os, boto3
        def handler(event, context):
            boto3.client("codedeploy").put_lifecycle_event_hook_execution_status(
                deploymentId=event["DeploymentId"],
                lifecycleEventHookExecutionId=event["LifecycleEventHookExecutionId"],
                status=os.environ["VERDICT"])
  Api:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      AutoPublishAlias: live
      InlineCode: |
        def handler(event, context):
            return "VERSION"
      DeploymentPreference:
        Type: Canary10Percent5Minutes
        Hooks:
          PreTraffic: !Ref PreTrafficHook
`

// TestCloudFormationCanaryRollback deploys a SAM function with a canary DeploymentPreference
// through aws cloudformation deploy, then a new version whose PreTraffic hook reports Failed:
// the CLI reports the failed update and the stack rests in UPDATE_ROLLBACK_COMPLETE.
func TestCloudFormationCanaryRollback(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("NOTICE: the AWS CLI is not installed; skipping")
	}
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{Args: []string{"--codedeploy-minute", "100ms"}})
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		cmd := exec.Command("aws", args...)
		cmd.Env = awsEnv(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
		cmd.Dir = dir
		start := time.Now()
		out, err := cmd.CombinedOutput()
		t.Logf("aws %s: %v", strings.Join(args[:2], " "), time.Since(start).Round(time.Millisecond))
		return string(out), err
	}
	write := func(version string) {
		if err := os.WriteFile(filepath.Join(dir, "canary.yaml"), []byte(strings.Replace(cliCanary, "VERSION", version, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("v1")
	out, err := run("cloudformation", "deploy", "--template-file", "canary.yaml", "--stack-name", "canary", "--capabilities", "CAPABILITY_IAM")
	if err != nil || !strings.Contains(out, "Successfully created/updated stack - canary") {
		t.Fatalf("aws cloudformation deploy = %s, %v", out, err)
	}
	write("v2")
	out, err = run("cloudformation", "deploy", "--template-file", "canary.yaml", "--stack-name", "canary", "--capabilities", "CAPABILITY_IAM",
		"--parameter-overrides", "Verdict=Failed")
	if err == nil || !strings.Contains(out, "Failed to create/update the stack") {
		t.Fatalf("deploy with a failing hook = %s, %v; want the CLI's failure", out, err)
	}
	out, err = run("cloudformation", "describe-stacks", "--stack-name", "canary", "--query", "Stacks[0].StackStatus", "--output", "text")
	if err != nil || strings.TrimSpace(out) != "UPDATE_ROLLBACK_COMPLETE" {
		t.Errorf("status after the failed canary = %s, %v; want UPDATE_ROLLBACK_COMPLETE", out, err)
	}
}

const cliDefinitions = `Transform: AWS::Serverless-2016-10-31
Resources:
  Words:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layer/
  Greet:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: cli-greet
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Timeout: 20
      Layers: [!Ref Words]
      Events:
        Hello:
          Type: HttpApi
          Properties: {ApiId: !Ref Http, Path: /hello, Method: get}
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionUri: s3://defs/http.yaml
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

const cliRestDoc = `swagger: "2.0"
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

// TestCloudFormationPackageDefinitions packages OpenAPI documents (SAM's DefinitionUri, a
// RestApi's BodyS3Location) and a layer directory with aws cloudformation package, deploys the
// result with aws cloudformation deploy, and calls the APIs built from the documents in S3. The
// CLI v1 does not package an HttpApi's DefinitionUri (the SAM CLI and gureum deploy do), so that
// document is copied to S3 first.
func TestCloudFormationPackageDefinitions(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("NOTICE: the AWS CLI is not installed; skipping")
	}
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{})
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		cmd := exec.Command("aws", args...)
		cmd.Env = awsEnv(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	fnArn := "arn:aws:lambda:" + gureumtest.Region + ":" + gureumtest.AccountID + ":function:cli-greet"
	files := map[string]string{
		"template.yaml":         cliDefinitions,
		"rest.yaml":             cliRestDoc,
		"layer/python/words.py": "WORD = 'packaged layer'\n",
		"src/app.py":            "import words\ndef handler(event, context):\n    return {'statusCode': 200, 'body': words.WORD}\n",
		"http.yaml": `openapi: "3.0.1"
info: {title: from-s3, version: "1"}
paths:
  /hello:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        payloadFormatVersion: "2.0"
        uri: arn:aws:apigateway:` + gureumtest.Region + `:lambda:path/2015-03-31/functions/` + fnArn + `/invocations
`,
	}
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := run("s3", "mb", "s3://defs"); err != nil {
		t.Fatalf("aws s3 mb = %s, %v", out, err)
	}
	if out, err := run("s3", "cp", "http.yaml", "s3://defs/http.yaml"); err != nil {
		t.Fatalf("aws s3 cp = %s, %v", out, err)
	}
	out, err := run("cloudformation", "package", "--template-file", "template.yaml", "--s3-bucket", "defs", "--output-template-file", "packaged.yaml")
	if err != nil {
		t.Fatalf("aws cloudformation package = %s, %v", out, err)
	}
	packaged, _ := os.ReadFile(filepath.Join(dir, "packaged.yaml"))
	for _, want := range []string{"DefinitionUri: s3://defs/", "ContentUri: s3://defs/", "Bucket: defs"} {
		if !strings.Contains(string(packaged), want) {
			t.Errorf("packaged template lacks %q:\n%s", want, packaged)
		}
	}
	out, err = run("cloudformation", "deploy", "--template-file", "packaged.yaml", "--stack-name", "defs", "--capabilities", "CAPABILITY_IAM")
	if err != nil || !strings.Contains(out, "Successfully created/updated stack - defs") {
		t.Fatalf("aws cloudformation deploy = %s, %v", out, err)
	}
	out, err = run("cloudformation", "describe-stacks", "--stack-name", "defs", "--query", "Stacks[0].Outputs", "--output", "json")
	var outputs []struct{ OutputKey, OutputValue string }
	if err != nil || json.Unmarshal([]byte(out), &outputs) != nil {
		t.Fatalf("describe-stacks = %s, %v", out, err)
	}
	ids := map[string]string{}
	for _, o := range outputs {
		ids[o.OutputKey] = o.OutputValue
	}
	for _, c := range []struct{ path, want string }{
		{"/_gureum/execute-api-v2/" + ids["Http"] + "/hello", "packaged layer"},
		{"/_gureum/execute-api/" + ids["Rest"] + "/prod/ping", `{"pong": true}`},
		{"/_gureum/execute-api/" + ids["Plain"] + "/v1/ping", `{"pong": true}`},
	} {
		out, err := exec.Command("curl", "-s", "-w", " %{http_code}", p.Endpoint+c.path).Output()
		if err != nil || strings.TrimSpace(string(out)) != c.want+" 200" {
			t.Errorf("curl %s = %q, %v; want %q and 200", c.path, out, err, c.want)
		}
	}
}
