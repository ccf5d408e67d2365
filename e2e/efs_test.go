package e2e

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestEFSAWSCLI drives EFS's API with the AWS CLI (botocore's routes, with the trailing slash of
// DescribeTags) and boto3 against the built binary.
func TestEFSAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("NOTICE: the AWS CLI is not installed; skipping")
	}
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{})
	run := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command("aws", append(args, "--output", "json")...)
		cmd.Env = awsEnv(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		m := map[string]any{}
		if len(strings.TrimSpace(string(out))) > 0 {
			if err := json.Unmarshal(out, &m); err != nil {
				t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		}
		return m
	}
	fs := run("efs", "create-file-system", "--creation-token", "cli", "--tags", "Key=Name,Value=cli-fs")
	id, _ := fs["FileSystemId"].(string)
	if !strings.HasPrefix(id, "fs-") || fs["LifeCycleState"] != "available" {
		t.Fatalf("create-file-system = %v", fs)
	}
	ap := run("efs", "create-access-point", "--file-system-id", id, "--posix-user", "Uid=1000,Gid=1000",
		"--root-directory", "Path=/lambda,CreationInfo={OwnerUid=1000,OwnerGid=1000,Permissions=777}")
	apID, _ := ap["AccessPointId"].(string)
	if !strings.HasPrefix(apID, "fsap-") {
		t.Fatalf("create-access-point = %v", ap)
	}
	mt := run("efs", "create-mount-target", "--file-system-id", id, "--subnet-id", "subnet-0123456789", "--security-groups", "sg-01234567")
	run("efs", "create-tags", "--file-system-id", id, "--tags", "Key=team,Value=data")
	tags := run("efs", "describe-tags", "--file-system-id", id)
	if list, _ := tags["Tags"].([]any); len(list) != 2 {
		t.Errorf("describe-tags = %v", tags)
	}
	d := run("efs", "describe-file-systems", "--file-system-id", id)
	if list, _ := d["FileSystems"].([]any); len(list) != 1 || list[0].(map[string]any)["NumberOfMountTargets"] != float64(1) {
		t.Errorf("describe-file-systems = %v", d)
	}
	run("efs", "put-lifecycle-configuration", "--file-system-id", id, "--lifecycle-policies", "TransitionToIA=AFTER_30_DAYS")
	run("efs", "put-file-system-policy", "--file-system-id", id, "--policy",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"elasticfilesystem:ClientMount","Resource":"*"}]}`)
	run("efs", "delete-mount-target", "--mount-target-id", mt["MountTargetId"].(string))
	run("efs", "delete-access-point", "--access-point-id", apID)

	script := `
import boto3, botocore
efs = boto3.client("efs")
fss = efs.describe_file_systems(CreationToken="cli")["FileSystems"]
assert len(fss) == 1, fss
fid = fss[0]["FileSystemId"]
ap = efs.create_access_point(ClientToken="py", FileSystemId=fid, PosixUser={"Uid": 7, "Gid": 7})
assert efs.describe_access_points(FileSystemId=fid)["AccessPoints"][0]["PosixUser"]["Uid"] == 7
try:
    efs.describe_file_systems(FileSystemId="fs-0123456789abcdef0")
    raise SystemExit("no error")
except efs.exceptions.FileSystemNotFound:
    pass
efs.delete_access_point(AccessPointId=ap["AccessPointId"])
efs.delete_file_system(FileSystemId=fid)
print("ok")
`
	if exec.Command("python3", "-c", "import boto3").Run() != nil {
		t.Skip("NOTICE: python3 with boto3 is not installed; skipping the boto3 part")
	}
	cmd := exec.Command("python3", "-c", script)
	cmd.Env = awsEnv(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Errorf("boto3: %v\n%s", err, out)
	}
}
