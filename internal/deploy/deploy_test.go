package deploy_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/gureum/gureum/internal/deploy"
	"github.com/gureum/gureum/internal/gureumtest"
	"github.com/gureum/gureum/internal/sandbox"
)

func TestMain(m *testing.M) {
	sandbox.Init()
	os.Exit(m.Run())
}

const app = `
Transform: AWS::Serverless-2016-10-31
Parameters:
  Greeting:
    Type: String
    Default: hello
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
          GREETING: !Ref Greeting
          QUEUE: !Ref Queue
Outputs:
  FunctionName:
    Value: !Ref Fn
  QueueUrl:
    Value: !Ref Queue
  Greeting:
    Value: !Ref Greeting
`

// failing adds a queue the service refuses (MessageRetentionPeriod below 60), so the update
// rolls back.
var failing = strings.Replace(app, "Outputs:", `  Bad:
    Type: AWS::SQS::Queue
    DependsOn: Fn
    Properties:
      MessageRetentionPeriod: 1
Outputs:`, 1)

// run runs gureum-deploy's Main (what `gureum deploy` executes) against srv.
func run(t *testing.T, srv *gureumtest.Server, args ...string) (string, error) {
	t.Helper()
	env := map[string]string{"AWS_ACCESS_KEY_ID": gureumtest.AccessKeyID, "AWS_SECRET_ACCESS_KEY": gureumtest.SecretAccessKey,
		"AWS_ENDPOINT_URL": srv.Endpoint, "AWS_REGION": gureumtest.Region}
	var out bytes.Buffer
	err := deploy.Main(context.Background(), append(args, "--poll", "50ms"), func(k string) string { return env[k] }, &out, &out)
	return out.String(), err
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDeploy deploys a SAM function from a local directory plus a queue, updates it, deploys it
// again unchanged, and then a template that fails and rolls back.
func TestDeploy(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	dir := t.TempDir()
	tpl := filepath.Join(dir, "template.yaml")
	write(t, tpl, app)
	write(t, filepath.Join(dir, "src", "app.py"), "import os\ndef handler(event, context):\n    return os.environ['GREETING'] + ' ' + event['name']\n")
	out, err := run(t, srv, "--template", tpl, "--stack-name", "app")
	if err != nil {
		t.Fatalf("deploy = %v; output:\n%s", err, out)
	}
	for _, want := range []string{"Made the bucket gureum-deploy-" + gureumtest.AccountID + "-" + gureumtest.Region, "Uploaded s3://",
		"CREATE_COMPLETE", "AWS::SQS::Queue", "Successfully deployed stack app (CREATE_COMPLETE)", "Greeting = hello", "QueueUrl = http"} {
		if !strings.Contains(out, want) {
			t.Errorf("deploy output lacks %q:\n%s", want, out)
		}
	}
	fn := outputOf(out, "FunctionName")
	if got := invoke(t, srv, fn); got != `"hello world"` {
		t.Errorf("Invoke(%s) = %s; want \"hello world\"", fn, got)
	}

	// An update: new code and a parameter.
	write(t, filepath.Join(dir, "src", "app.py"), "import os\ndef handler(event, context):\n    return os.environ['GREETING'] + ', ' + event['name'] + '!'\n")
	out, err = run(t, srv, "--template", tpl, "--stack-name", "app", "--parameter-overrides", "Greeting=hi")
	if err != nil {
		t.Fatalf("update = %v; output:\n%s", err, out)
	}
	if !strings.Contains(out, "Successfully deployed stack app (UPDATE_COMPLETE)") || !strings.Contains(out, "Greeting = hi") {
		t.Errorf("update output:\n%s", out)
	}
	if got := invoke(t, srv, fn); got != `"hi, world!"` {
		t.Errorf("Invoke after the update = %s; want \"hi, world!\"", got)
	}

	// The same again: nothing to change, a success that says so.
	out, err = run(t, srv, "--template", tpl, "--stack-name", "app", "--parameter-overrides", "Greeting=hi")
	if err != nil || !strings.Contains(out, "No changes to deploy") || strings.Contains(out, "Uploaded") {
		t.Errorf("unchanged deploy = %v; want success with no upload, output:\n%s", err, out)
	}

	// A failing update rolls back and exits non-zero.
	write(t, tpl, failing)
	out, err = run(t, srv, "--template", tpl, "--stack-name", "app", "--parameter-overrides", "Greeting=hi")
	if !errors.Is(err, deploy.ErrFailed) || !strings.Contains(err.Error(), "UPDATE_ROLLBACK_COMPLETE") {
		t.Errorf("failing deploy = %v; want ErrFailed with UPDATE_ROLLBACK_COMPLETE, output:\n%s", err, out)
	}
	if !strings.Contains(out, "CREATE_FAILED") || !strings.Contains(out, "Bad") {
		t.Errorf("failing deploy's events lack Bad's CREATE_FAILED:\n%s", out)
	}
	if got := invoke(t, srv, fn); got != `"hi, world!"` {
		t.Errorf("Invoke after the rollback = %s; want the update's answer", got)
	}

	// A failing create rolls back to ROLLBACK_COMPLETE; the next deploy replaces the stack.
	bad := filepath.Join(dir, "bad.yaml")
	write(t, bad, "Resources:\n  Bad:\n    Type: AWS::SQS::Queue\n    Properties:\n      MessageRetentionPeriod: 1\n")
	if out, err := run(t, srv, "--template", bad, "--stack-name", "broken"); !errors.Is(err, deploy.ErrFailed) || !strings.Contains(err.Error(), "ROLLBACK_COMPLETE") {
		t.Errorf("failing create = %v; want ErrFailed with ROLLBACK_COMPLETE, output:\n%s", err, out)
	}
	write(t, bad, "Resources:\n  Good:\n    Type: AWS::SQS::Queue\n")
	if out, err := run(t, srv, "--template", bad, "--stack-name", "broken"); err != nil || !strings.Contains(out, "deleting it to create it again") {
		t.Errorf("deploy over ROLLBACK_COMPLETE = %v; output:\n%s", err, out)
	}

	// --no-execute leaves the change set unexecuted.
	if out, err := run(t, srv, "--template", bad, "--stack-name", "later", "--no-execute"); err != nil || !strings.Contains(out, "not executed") {
		t.Errorf("--no-execute = %v; output:\n%s", err, out)
	}
}

func outputOf(out, key string) string {
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), " = "); ok && k == key {
			return v
		}
	}
	return ""
}

func invoke(t *testing.T, srv *gureumtest.Server, fn string) string {
	t.Helper()
	out, err := lambda.NewFromConfig(srv.Config()).Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(fn),
		Payload: []byte(`{"name":"world"}`)})
	if err != nil {
		t.Fatalf("Invoke(%s): %v", fn, err)
	}
	return string(out.Payload)
}
