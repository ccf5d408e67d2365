package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsefs "github.com/aws/aws-sdk-go-v2/service/efs"
	efstypes "github.com/aws/aws-sdk-go-v2/service/efs/types"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestEFSAWSCLI drives EFS's API with the AWS CLI (botocore's routes, with the trailing slash of
// DescribeTags) and boto3 against the built binary.
func TestEFSAWSCLI(t *testing.T) {
	t.Parallel()
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

// TestEFSKill9KeepsCompletedWrites: a file a function wrote (and synced) before the server was
// killed with SIGKILL is there, with its content, for a function of the restarted server.
func TestEFSKill9KeepsCompletedWrites(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("file systems need the namespace isolation level (root)")
	}
	ctx := context.Background()
	dir := t.TempDir()
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{DataDir: dir})
	cfg := gureumtest.ConfigFor(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey, "")
	fsc, fns := awsefs.NewFromConfig(cfg), awslambda.NewFromConfig(cfg)
	fs, err := fsc.CreateFileSystem(ctx, &awsefs.CreateFileSystemInput{CreationToken: aws.String("k9")})
	if err != nil {
		t.Fatal(err)
	}
	ap, err := fsc.CreateAccessPoint(ctx, &awsefs.CreateAccessPointInput{ClientToken: aws.String("k9"), FileSystemId: fs.FileSystemId,
		PosixUser: &efstypes.PosixUser{Uid: aws.Int64(1001), Gid: aws.Int64(1001)},
		RootDirectory: &efstypes.RootDirectory{Path: aws.String("/k9"),
			CreationInfo: &efstypes.CreationInfo{OwnerUid: aws.Int64(1001), OwnerGid: aws.Int64(1001), Permissions: aws.String("700")}}})
	if err != nil {
		t.Fatal(err)
	}
	create := func(c *awslambda.Client, name, handler string) {
		t.Helper()
		createEFSFunction(t, c, name, handler, ap.AccessPointArn, "/mnt/k9")
	}
	create(fns, "k9-writer", "app.write")
	out, err := fns.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("k9-writer"), Payload: []byte(`{"dir":"/mnt/k9","name":"done.txt","text":"written before the kill"}`)})
	if err != nil || out.FunctionError != nil {
		t.Fatalf("Invoke(writer) = %v, %s", err, out.Payload)
	}
	p.Cmd.Process.Kill()
	p.Cmd.Wait()
	again := gureumtest.StartBinary(t, bin, gureumtest.Options{DataDir: dir})
	fns = awslambda.NewFromConfig(gureumtest.ConfigFor(again.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey, ""))
	create(fns, "k9-reader", "app.read")
	out, err = fns.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("k9-reader"), Payload: []byte(`{"dir":"/mnt/k9","name":"done.txt"}`)})
	if err != nil || out.FunctionError != nil || string(out.Payload) != `"written before the kill"` {
		t.Fatalf("Invoke(reader) after kill -9 = %v, %s", err, out.Payload)
	}
}

// efsApp is a Python module whose write and read handlers write (and fsync) and read a file in
// the file system mounted at the path the event names.
func efsApp(t *testing.T) []byte {
	t.Helper()
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("app.py")
	w.Write([]byte(`import os
def write(event, context):
    with open(event["dir"] + "/" + event["name"], "w") as f:
        f.write(event["text"]); f.flush(); os.fsync(f.fileno())
    return "ok"
def read(event, context):
    return open(event["dir"] + "/" + event["name"]).read()
`))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return zb.Bytes()
}

// createEFSFunction creates a Python function of efsApp mounting an access point at mountPath.
func createEFSFunction(t *testing.T, c *awslambda.Client, name, handler string, accessPointARN *string, mountPath string) {
	t.Helper()
	_, err := c.CreateFunction(context.Background(), &awslambda.CreateFunctionInput{FunctionName: aws.String(name), Runtime: lambdatypes.RuntimePython312,
		Role: aws.String("arn:aws:iam::000000000000:role/fn"), Handler: aws.String(handler), Timeout: aws.Int32(30), Code: &lambdatypes.FunctionCode{ZipFile: efsApp(t)},
		FileSystemConfigs: []lambdatypes.FileSystemConfig{{Arn: accessPointARN, LocalMountPath: aws.String(mountPath)}},
		VpcConfig:         &lambdatypes.VpcConfig{SubnetIds: []string{"subnet-0123456789"}}})
	if err != nil {
		t.Fatalf("CreateFunction(%s): %v", name, err)
	}
}

// TestEFSSharedRootAcrossNodes: two servers on one PostgreSQL store, each with its own data dir
// but the same --efs-root (standing in for an NFS mount both nodes mount), share the file
// systems' trees: a file a function writes through one node is read by a function invoked on
// the other, and the other node meters it in SizeInBytes.
func TestEFSSharedRootAcrossNodes(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("file systems need the namespace isolation level (root)")
	}
	backends := gureumtest.Backends(t)
	if len(backends) < 2 {
		t.Skip("NOTICE: " + gureumtest.PostgresEnv + " is not set; skipping the two-node test")
	}
	ctx := context.Background()
	root := t.TempDir()
	node := func(cgroup string) *gureumtest.Process {
		return gureumtest.StartBinary(t, bin, gureumtest.Options{Args: append([]string{"--efs-root", root, "--sandbox-cgroup", cgroup}, backends[1].Args...)})
	}
	a, b := node("gureum-efs-a"), node("gureum-efs-b")
	fsA := awsefs.NewFromConfig(a.Config())
	fs, err := fsA.CreateFileSystem(ctx, &awsefs.CreateFileSystemInput{CreationToken: aws.String("shared")})
	if err != nil {
		t.Fatal(err)
	}
	ap, err := fsA.CreateAccessPoint(ctx, &awsefs.CreateAccessPointInput{ClientToken: aws.String("shared"), FileSystemId: fs.FileSystemId,
		PosixUser: &efstypes.PosixUser{Uid: aws.Int64(1002), Gid: aws.Int64(1002)},
		RootDirectory: &efstypes.RootDirectory{Path: aws.String("/shared"),
			CreationInfo: &efstypes.CreationInfo{OwnerUid: aws.Int64(1002), OwnerGid: aws.Int64(1002), Permissions: aws.String("750")}}})
	if err != nil {
		t.Fatal(err)
	}
	fnA, fnB := awslambda.NewFromConfig(a.Config()), awslambda.NewFromConfig(b.Config())
	createEFSFunction(t, fnA, "shared-writer", "app.write", ap.AccessPointArn, "/mnt/shared")
	// Function code is a blob in PostgreSQL, which both nodes share (TestBlobsAcrossNodes).
	createEFSFunction(t, fnA, "shared-reader", "app.read", ap.AccessPointArn, "/mnt/shared")
	invoke := func(c *awslambda.Client, name, payload string) string {
		t.Helper()
		out, err := c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(payload)})
		if err != nil {
			t.Fatalf("Invoke(%s) = %v\nnode b logs:\n%s", name, err, b.Logs.String())
		}
		if out.FunctionError != nil {
			t.Fatalf("Invoke(%s) = %s: %s", name, *out.FunctionError, out.Payload)
		}
		return string(out.Payload)
	}
	invoke(fnA, "shared-writer", `{"dir":"/mnt/shared","name":"from-a.txt","text":"written on node a"}`)
	if got := invoke(fnB, "shared-reader", `{"dir":"/mnt/shared","name":"from-a.txt"}`); got != `"written on node a"` {
		t.Fatalf("Invoke(reader) on node b = %s; want node a's file", got)
	}
	matches, _ := filepath.Glob(filepath.Join(root, "000000000000", *fs.FileSystemId, "shared", "from-a.txt"))
	if len(matches) != 1 {
		t.Errorf("the file is not under --efs-root/<account>/<fs-id>/shared: %v", matches)
	}
	d, err := awsefs.NewFromConfig(b.Config()).DescribeFileSystems(ctx, &awsefs.DescribeFileSystemsInput{FileSystemId: fs.FileSystemId})
	if err != nil || len(d.FileSystems) != 1 || d.FileSystems[0].SizeInBytes == nil || d.FileSystems[0].SizeInBytes.Value < int64(len("written on node a")) {
		t.Errorf("DescribeFileSystems on node b = %+v, %v; want node a's bytes metered", d, err)
	}
	if _, err := os.Stat(filepath.Join(a.DataDir, "efs")); err == nil {
		t.Errorf("node a made %s/efs; want its trees under --efs-root only", a.DataDir)
	}
}

// TestEFSEveryOperationAWSCLI drives every EFS operation gureum implements with the AWS CLI
// against the built binary and checks what each answers, errors included.
func TestEFSEveryOperationAWSCLI(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("NOTICE: the AWS CLI is not installed; skipping")
	}
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{})
	call := func(args ...string) (map[string]any, string, error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "aws", append(append([]string{"efs"}, args...), "--output", "json")...)
		cmd.Env = awsEnv(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
		cmd.WaitDelay = 5 * time.Second // the CLI is a shim's child: a kill may not reach it
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if ctx.Err() != nil {
			t.Fatalf("aws efs %s did not finish in 3 minutes\n%s\nserver logs:\n%s", strings.Join(args, " "), stderr.String(), p.Logs.String())
		}
		m := map[string]any{}
		if len(bytes.TrimSpace(stdout.Bytes())) > 0 {
			if jerr := json.Unmarshal(stdout.Bytes(), &m); jerr != nil {
				t.Fatalf("aws efs %s: %v\n%s", strings.Join(args, " "), jerr, stdout.String())
			}
		}
		return m, stderr.String(), err
	}
	run := func(args ...string) map[string]any {
		t.Helper()
		m, stderr, err := call(args...)
		if err != nil {
			t.Fatalf("aws efs %s: %v\n%s", strings.Join(args, " "), err, stderr)
		}
		return m
	}
	fails := func(code string, args ...string) {
		t.Helper()
		if _, stderr, err := call(args...); err == nil || !strings.Contains(stderr, "("+code+")") {
			t.Errorf("aws efs %s = %v, %q; want %s", strings.Join(args, " "), err, stderr, code)
		}
	}
	str := func(m map[string]any, path ...string) string {
		var v any = m
		for _, k := range path {
			switch x := v.(type) {
			case map[string]any:
				v = x[k]
			case []any:
				i := 0
				fmt.Sscan(k, &i)
				if i >= len(x) {
					return ""
				}
				v = x[i]
			default:
				return ""
			}
		}
		return fmt.Sprint(v)
	}

	// File systems.
	fs := run("create-file-system", "--creation-token", "every", "--performance-mode", "generalPurpose",
		"--throughput-mode", "bursting", "--encrypted", "--tags", "Key=Name,Value=every-fs")
	id := str(fs, "FileSystemId")
	if !regexp.MustCompile(`^fs-[0-9a-f]{17}$`).MatchString(id) || str(fs, "LifeCycleState") != "available" || str(fs, "Encrypted") != "true" ||
		str(fs, "Name") != "every-fs" || str(fs, "PerformanceMode") != "generalPurpose" || str(fs, "CreationToken") != "every" ||
		str(fs, "FileSystemArn") != "arn:aws:elasticfilesystem:us-east-1:000000000000:file-system/"+id {
		t.Errorf("create-file-system = %v", fs)
	}
	fails("FileSystemAlreadyExists", "create-file-system", "--creation-token", "every")
	d := run("describe-file-systems", "--creation-token", "every")
	if str(d, "FileSystems", "0", "FileSystemId") != id || str(d, "FileSystems", "0", "SizeInBytes", "Value") == "" {
		t.Errorf("describe-file-systems --creation-token = %v", d)
	}
	fails("FileSystemNotFound", "describe-file-systems", "--file-system-id", "fs-0123456789abcdef0")
	u := run("update-file-system", "--file-system-id", id, "--throughput-mode", "provisioned", "--provisioned-throughput-in-mibps", "16")
	if str(u, "ThroughputMode") != "provisioned" || str(u, "ProvisionedThroughputInMibps") != "16" {
		t.Errorf("update-file-system = %v", u)
	}
	prot := run("update-file-system-protection", "--file-system-id", id, "--replication-overwrite-protection", "DISABLED")
	if str(prot, "ReplicationOverwriteProtection") != "DISABLED" {
		t.Errorf("update-file-system-protection = %v", prot)
	}
	if d := run("describe-file-systems", "--file-system-id", id); str(d, "FileSystems", "0", "FileSystemProtection", "ReplicationOverwriteProtection") != "DISABLED" ||
		str(d, "FileSystems", "0", "ThroughputMode") != "provisioned" {
		t.Errorf("describe-file-systems after the updates = %v", d)
	}

	// Access points.
	ap := run("create-access-point", "--file-system-id", id, "--client-token", "every-ap", "--posix-user", "Uid=1000,Gid=1000,SecondaryGids=2000,2001",
		"--root-directory", "Path=/data,CreationInfo={OwnerUid=1000,OwnerGid=1000,Permissions=750}", "--tags", "Key=Name,Value=every-ap")
	apID := str(ap, "AccessPointId")
	if !regexp.MustCompile(`^fsap-[0-9a-f]{17}$`).MatchString(apID) || str(ap, "FileSystemId") != id || str(ap, "PosixUser", "Uid") != "1000" ||
		str(ap, "PosixUser", "SecondaryGids", "1") != "2001" || str(ap, "RootDirectory", "Path") != "/data" ||
		str(ap, "RootDirectory", "CreationInfo", "Permissions") != "750" || str(ap, "Name") != "every-ap" || str(ap, "LifeCycleState") != "available" {
		t.Errorf("create-access-point = %v", ap)
	}
	if l := run("describe-access-points", "--file-system-id", id); str(l, "AccessPoints", "0", "AccessPointId") != apID || str(l, "AccessPoints", "1") != "" {
		t.Errorf("describe-access-points --file-system-id = %v", l)
	}
	if l := run("describe-access-points", "--access-point-id", apID); str(l, "AccessPoints", "0", "AccessPointArn") != str(ap, "AccessPointArn") {
		t.Errorf("describe-access-points --access-point-id = %v", l)
	}
	fails("AccessPointNotFound", "describe-access-points", "--access-point-id", "fsap-0123456789abcdef0")

	// Mount targets.
	mt := run("create-mount-target", "--file-system-id", id, "--subnet-id", "subnet-0123456789abcdef0", "--security-groups", "sg-01234567", "sg-89abcdef")
	mtID := str(mt, "MountTargetId")
	if !strings.HasPrefix(mtID, "fsmt-") || str(mt, "FileSystemId") != id || str(mt, "SubnetId") != "subnet-0123456789abcdef0" {
		t.Errorf("create-mount-target = %v", mt)
	}
	if l := run("describe-mount-targets", "--file-system-id", id); str(l, "MountTargets", "0", "MountTargetId") != mtID {
		t.Errorf("describe-mount-targets = %v", l)
	}
	if l := run("describe-mount-targets", "--access-point-id", apID); str(l, "MountTargets", "0", "MountTargetId") != mtID {
		t.Errorf("describe-mount-targets --access-point-id = %v", l)
	}
	if sg := run("describe-mount-target-security-groups", "--mount-target-id", mtID); str(sg, "SecurityGroups", "1") != "sg-89abcdef" {
		t.Errorf("describe-mount-target-security-groups = %v", sg)
	}
	run("modify-mount-target-security-groups", "--mount-target-id", mtID, "--security-groups", "sg-0fedcba9")
	if sg := run("describe-mount-target-security-groups", "--mount-target-id", mtID); str(sg, "SecurityGroups", "0") != "sg-0fedcba9" || str(sg, "SecurityGroups", "1") != "" {
		t.Errorf("describe-mount-target-security-groups after modify = %v", sg)
	}
	fails("FileSystemInUse", "delete-file-system", "--file-system-id", id)

	// Tags, through both APIs.
	run("create-tags", "--file-system-id", id, "--tags", "Key=team,Value=data", "Key=stage,Value=test")
	run("delete-tags", "--file-system-id", id, "--tag-keys", "stage")
	if tags := run("describe-tags", "--file-system-id", id); len(tags["Tags"].([]any)) != 2 {
		t.Errorf("describe-tags = %v; want Name and team", tags)
	}
	run("tag-resource", "--resource-id", apID, "--tags", "Key=owner,Value=ops")
	run("untag-resource", "--resource-id", apID, "--tag-keys", "Name")
	if tags := run("list-tags-for-resource", "--resource-id", apID); str(tags, "Tags", "0", "Key") != "owner" || str(tags, "Tags", "1") != "" {
		t.Errorf("list-tags-for-resource(access point) = %v; want owner alone", tags)
	}
	if tags := run("list-tags-for-resource", "--resource-id", id); len(tags["Tags"].([]any)) != 2 {
		t.Errorf("list-tags-for-resource(file system) = %v", tags)
	}

	// Policies.
	fails("PolicyNotFound", "describe-file-system-policy", "--file-system-id", id)
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["elasticfilesystem:ClientMount","elasticfilesystem:ClientWrite"],"Resource":"*"}]}`
	if got := run("put-file-system-policy", "--file-system-id", id, "--policy", pol); str(got, "FileSystemId") != id || !strings.Contains(str(got, "Policy"), "ClientWrite") {
		t.Errorf("put-file-system-policy = %v", got)
	}
	if got := run("describe-file-system-policy", "--file-system-id", id); !strings.Contains(str(got, "Policy"), "ClientMount") {
		t.Errorf("describe-file-system-policy = %v", got)
	}
	fails("InvalidPolicyException", "put-file-system-policy", "--file-system-id", id, "--policy", `{"Statement":"nope"}`)
	run("delete-file-system-policy", "--file-system-id", id)
	fails("PolicyNotFound", "describe-file-system-policy", "--file-system-id", id)
	lc := run("put-lifecycle-configuration", "--file-system-id", id, "--lifecycle-policies", "TransitionToIA=AFTER_30_DAYS", "TransitionToPrimaryStorageClass=AFTER_1_ACCESS")
	if str(lc, "LifecyclePolicies", "0", "TransitionToIA") != "AFTER_30_DAYS" || str(lc, "LifecyclePolicies", "1", "TransitionToPrimaryStorageClass") != "AFTER_1_ACCESS" {
		t.Errorf("put-lifecycle-configuration = %v", lc)
	}
	if got := run("describe-lifecycle-configuration", "--file-system-id", id); str(got, "LifecyclePolicies", "0", "TransitionToIA") != "AFTER_30_DAYS" {
		t.Errorf("describe-lifecycle-configuration = %v", got)
	}
	if got := run("put-backup-policy", "--file-system-id", id, "--backup-policy", "Status=ENABLED"); str(got, "BackupPolicy", "Status") != "ENABLED" {
		t.Errorf("put-backup-policy = %v", got)
	}
	if got := run("describe-backup-policy", "--file-system-id", id); str(got, "BackupPolicy", "Status") != "ENABLED" {
		t.Errorf("describe-backup-policy = %v", got)
	}

	// Deletions, in the order EFS requires them.
	run("delete-mount-target", "--mount-target-id", mtID)
	fails("MountTargetNotFound", "describe-mount-target-security-groups", "--mount-target-id", mtID)
	run("delete-access-point", "--access-point-id", apID)
	fails("AccessPointNotFound", "delete-access-point", "--access-point-id", apID)
	run("delete-file-system", "--file-system-id", id)
	fails("FileSystemNotFound", "describe-file-systems", "--file-system-id", id)
	if d := run("describe-file-systems"); str(d, "FileSystems", "0") != "" {
		t.Errorf("describe-file-systems after the deletion = %v", d)
	}
}
