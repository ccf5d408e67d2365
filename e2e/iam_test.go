package e2e

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestDataSharingWithAWSCLIAndBoto3 is issue 23's partner scenario with the tools users run: the
// built binary's `gureum account create` makes the partner's account; the AWS CLI sets up the
// partner's bucket and the role that trusts the first account with an ExternalId, and the
// first account's workload user; boto3 assumes the role (a wrong ExternalId is AccessDenied) and
// puts an object with the assumed credentials, which the AWS CLI then reads as the partner, and a
// tampered session token is refused.
func TestDataSharingWithAWSCLIAndBoto3(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("NOTICE: the AWS CLI is not installed; skipping")
	}
	if exec.Command("python3", "-c", "import boto3").Run() != nil {
		t.Skip("NOTICE: boto3 is not installed; skipping")
	}
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{})
	create := exec.Command(bin.Path, "account", "create", "--name", "partner", "--output", "json", "--endpoint", p.Endpoint)
	create.Env = awsEnv(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
	out, err := create.Output()
	if err != nil {
		t.Fatalf("gureum account create: %v (%s)", err, out)
	}
	var partner struct{ AccountId, AccessKeyId, SecretAccessKey string }
	if err := json.Unmarshal(out, &partner); err != nil {
		t.Fatalf("account create printed %q: %v", out, err)
	}
	aws := func(env []string, args ...string) (string, error) {
		cmd := exec.Command("aws", append(args, "--endpoint-url", p.Endpoint, "--output", "text")...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	must := func(env []string, args ...string) string {
		t.Helper()
		out, err := aws(env, args...)
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, out)
		}
		return out
	}
	asPartner := awsEnv(p.Endpoint, partner.AccessKeyId, partner.SecretAccessKey)
	asFirst := awsEnv(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)

	must(asPartner, "s3api", "create-bucket", "--bucket", "partner-drop")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + gureumtest.AccountID + `:root"},` +
		`"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"ext-42"}}}]}`
	roleARN := must(asPartner, "iam", "create-role", "--role-name", "drop", "--assume-role-policy-document", trust, "--query", "Role.Arn")
	must(asPartner, "iam", "put-role-policy", "--role-name", "drop", "--policy-name", "put",
		"--policy-document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::partner-drop/*"}]}`)
	must(asFirst, "iam", "create-user", "--user-name", "workload")
	must(asFirst, "iam", "put-user-policy", "--user-name", "workload", "--policy-name", "assume",
		"--policy-document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"`+roleARN+`"}]}`)
	keys := strings.Fields(must(asFirst, "iam", "create-access-key", "--user-name", "workload", "--query", "AccessKey.[AccessKeyId,SecretAccessKey]"))
	if len(keys) != 2 {
		t.Fatalf("create-access-key printed %q", keys)
	}

	script := `
import boto3, botocore, os, sys
sts = boto3.client("sts")
try:
    sts.assume_role(RoleArn=sys.argv[1], RoleSessionName="wrong", ExternalId="ext-0")
except botocore.exceptions.ClientError as e:
    print(e.response["Error"]["Code"])
c = sts.assume_role(RoleArn=sys.argv[1], RoleSessionName="nightly", ExternalId="ext-42")["Credentials"]
s3 = boto3.client("s3", aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
    aws_session_token=c["SessionToken"], config=botocore.config.Config(s3={"addressing_style": "path"}))
s3.put_object(Bucket="partner-drop", Key="in/report.csv", Body=b"a,b\n")
print(c["AccessKeyId"][:4], "put")
print(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
`
	cmd := exec.Command("python3", "-c", script, roleARN)
	cmd.Env = awsEnv(p.Endpoint, keys[0], keys[1])
	pyOut, err := cmd.CombinedOutput()
	lines := strings.Split(strings.TrimSpace(string(pyOut)), "\n")
	if err != nil || len(lines) != 3 || lines[0] != "AccessDenied" || lines[1] != "ASIA put" {
		t.Fatalf("boto3 printed %q, %v; want AccessDenied, then a put with ASIA credentials", pyOut, err)
	}
	if got := must(asPartner, "s3api", "list-objects-v2", "--bucket", "partner-drop", "--query", "Contents[].Key"); got != "in/report.csv" {
		t.Errorf("the partner's bucket holds %q; want in/report.csv", got)
	}
	session := strings.Fields(lines[2])
	tampered := []byte(session[2])
	tampered[len(tampered)/2] ^= 1
	forged := append(awsEnv(p.Endpoint, session[0], session[1]), "AWS_SESSION_TOKEN="+string(tampered))
	if out, err := aws(forged, "s3api", "put-object", "--bucket", "partner-drop", "--key", "in/forged.csv"); err == nil {
		t.Errorf("put-object with a tampered session token succeeded: %s", out)
	}
	real := append(awsEnv(p.Endpoint, session[0], session[1]), "AWS_SESSION_TOKEN="+session[2])
	if out, err := aws(real, "s3api", "get-object", "--bucket", "partner-drop", "--key", "in/report.csv", "/dev/null"); err == nil || !strings.Contains(out, "AccessDenied") {
		t.Errorf("get-object with the write-only role = %v %s; want AccessDenied", err, out)
	}
}
