package cli_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gureum/gureum/internal/cli"
	"github.com/gureum/gureum/internal/gureumtest"
)

// TestDeployCommand runs `gureum deploy` through cli.Run, which runs gureum-deploy (built here
// beside the test binary, as make build puts it beside gureum): a SAM function from a local
// directory plus a queue deploys and prints its outputs; a template that fails rolls back and
// exits non-zero. internal/deploy's tests cover updates, empty change sets and the rest.
func TestDeployCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds gureum-deploy")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tool := filepath.Join(filepath.Dir(exe), "gureum-deploy"+filepath.Ext(exe)) // as toolBinary names it
	build := exec.Command("go", "build", "-o", tool, "github.com/gureum/gureum/cmd/gureum-deploy")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build gureum-deploy: %v\n%s", err, out)
	}
	srv := gureumtest.Start(t, gureumtest.Options{})
	t.Setenv("AWS_ACCESS_KEY_ID", gureumtest.AccessKeyID) // gureum-deploy reads its own process's environment
	t.Setenv("AWS_SECRET_ACCESS_KEY", gureumtest.SecretAccessKey)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "src"), 0o755)
	os.WriteFile(filepath.Join(dir, "src", "app.py"), []byte("def handler(event, context):\n    return 'ok'\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(`Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
Outputs:
  QueueArn:
    Value: !GetAtt Queue.Arn
`), 0o644)
	os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte("Resources:\n  Bad:\n    Type: AWS::SQS::Queue\n    Properties:\n      MessageRetentionPeriod: 1\n"), 0o644)
	deploy := func(template, stack string) (string, error) {
		var out bytes.Buffer
		err := cli.Run(context.Background(), []string{"deploy", "--template", filepath.Join(dir, template), "--stack-name", stack,
			"--endpoint", srv.Endpoint, "--region", gureumtest.Region}, os.Getenv, &out, &out)
		return out.String(), err
	}
	out, err := deploy("template.yaml", "app")
	if err != nil || !strings.Contains(out, "Successfully deployed stack app (CREATE_COMPLETE)") ||
		!strings.Contains(out, "QueueArn = arn:aws:sqs:"+gureumtest.Region+":"+gureumtest.AccountID+":app-Queue-") {
		t.Errorf("gureum deploy = %v; want CREATE_COMPLETE and the queue's ARN, output:\n%s", err, out)
	}
	if out, err := deploy("bad.yaml", "bad"); err == nil || !strings.Contains(out, "ROLLBACK_COMPLETE") || !strings.Contains(out, "CREATE_FAILED") {
		t.Errorf("gureum deploy of a failing template = %v; want a non-zero exit after ROLLBACK_COMPLETE, output:\n%s", err, out)
	}
}
