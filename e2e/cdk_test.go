package e2e

import (
	"archive/zip"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gureum/gureum/internal/gureumtest"
)

// cdkAssets is the part of a CDK cloud assembly's <stack>.assets.json the test publishes.
type cdkAssets struct {
	Files map[string]struct {
		Source struct {
			Path, Packaging string
		}
		Destinations map[string]struct {
			BucketName, ObjectKey string
		}
	}
}

// TestCDKSynthDeploy synthesizes the TypeScript CDK app under testdata/cdk-app (a function, a
// queue and an HTTP API) with the CDK CLI, publishes its file assets to the bucket the default
// synthesizer names (as cdk deploy's asset publishing does), sets the bootstrap version
// parameter the template's rule reads, deploys the template with aws cloudformation deploy and
// calls the API. cdk bootstrap itself does not work yet: the bootstrap template has an
// AWS::ECR::Repository (gureum serves no ECR) and conditional AWS::KMS::Key/Alias.
func TestCDKSynthDeploy(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"aws", "npm", "node", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("NOTICE: %s is not installed; skipping", tool)
		}
	}
	dir := filepath.Join(t.TempDir(), "app")
	if err := os.CopyFS(dir, os.DirFS("testdata/cdk-app")); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("sh", filepath.Join(dir, "install.sh"), dir).CombinedOutput(); err != nil {
		t.Fatalf("install.sh: %v\n%s", err, out)
	}
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{})
	env := append(awsEnv(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey), "AWS_REGION="+gureumtest.Region,
		"CDK_DISABLE_VERSION_CHECK=1", "CDK_DISABLE_CLI_TELEMETRY=1")
	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Env, cmd.Dir = env, dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run(filepath.Join(dir, "node_modules", ".bin", "cdk"), "synth", "--quiet")

	// Publish the assets: directories zipped, to the bucket and key the manifest names.
	var assets cdkAssets
	b, err := os.ReadFile(filepath.Join(dir, "cdk.out", "GureumCdkOrders.assets.json"))
	if err != nil || json.Unmarshal(b, &assets) != nil {
		t.Fatalf("assets manifest: %v %s", err, b)
	}
	subst := strings.NewReplacer("${AWS::AccountId}", gureumtest.AccountID, "${AWS::Region}", gureumtest.Region, "${AWS::Partition}", "aws")
	made := map[string]bool{}
	for hash, a := range assets.Files {
		if a.Source.Packaging != "zip" {
			continue // the template itself, which aws cloudformation deploy sends
		}
		zipPath := filepath.Join(t.TempDir(), hash+".zip")
		zipTree(t, filepath.Join(dir, "cdk.out", a.Source.Path), zipPath)
		for _, d := range a.Destinations {
			bucket := subst.Replace(d.BucketName)
			if !made[bucket] {
				run("aws", "s3", "mb", "s3://"+bucket)
				made[bucket] = true
			}
			run("aws", "s3", "cp", zipPath, "s3://"+bucket+"/"+d.ObjectKey)
		}
	}
	if len(made) == 0 {
		t.Fatalf("the assets manifest has no zip asset: %s", b)
	}
	run("aws", "ssm", "put-parameter", "--name", "/cdk-bootstrap/hnb659fds/version", "--type", "String", "--value", "30")
	out := run("aws", "cloudformation", "deploy", "--template-file", "cdk.out/GureumCdkOrders.template.json", "--stack-name", "GureumCdkOrders",
		"--capabilities", "CAPABILITY_IAM")
	if !strings.Contains(out, "Successfully created/updated stack - GureumCdkOrders") {
		t.Fatalf("aws cloudformation deploy = %s", out)
	}
	outputs := map[string]string{}
	var list []struct{ OutputKey, OutputValue string }
	if err := json.Unmarshal([]byte(run("aws", "cloudformation", "describe-stacks", "--stack-name", "GureumCdkOrders", "--query", "Stacks[0].Outputs",
		"--output", "json")), &list); err != nil {
		t.Fatal(err)
	}
	for _, o := range list {
		outputs[o.OutputKey] = o.OutputValue
	}
	got := run("curl", "-s", "-w", " %{http_code}", "-X", "POST", "-d", `{"order":7}`, p.Endpoint+"/_gureum/execute-api-v2/"+outputs["ApiId"]+"/orders")
	if got != "queued 202" {
		t.Errorf("POST /orders = %q; want the function's \"queued 202\"", got)
	}
	body := run("aws", "sqs", "receive-message", "--endpoint-url", p.Endpoint, "--queue-url", outputs["QueueUrl"], "--wait-time-seconds", "5",
		"--query", "Messages[0].Body", "--output", "text")
	if strings.TrimSpace(body) != `{"order":7}` {
		t.Errorf("the queue's message = %q; want the order the API received", body)
	}
}

// zipTree zips a directory's files into path.
func zipTree(t *testing.T, root, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
}
