package lambda_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsefs "github.com/aws/aws-sdk-go-v2/service/efs"
	efstypes "github.com/aws/aws-sdk-go-v2/service/efs/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

const efsHandler = `
import json, os

def write(event, context):
    path = os.path.join("/mnt/data", event["name"])
    with open(path, "w") as f:
        f.write(event["text"])
        f.flush()
        os.fsync(f.fileno())
    return {"uid": os.getuid(), "owner": os.stat(path).st_uid}

def read(event, context):
    try:
        with open(os.path.join("/mnt/data", event["name"])) as f:
            return {"text": f.read()}
    except FileNotFoundError as e:
        return {"error": "missing"}

def peek(event, context):
    return {"exists": os.path.exists("/mnt/data"), "mnt": sorted(os.listdir("/mnt")) if os.path.exists("/mnt") else []}
`

// TestFunctionsShareAFileSystem: two functions mount one EFS access point; what one writes the
// other reads, the file is owned on the host by the access point's POSIX user, and a function
// without the configuration sees no /mnt/data.
func TestFunctionsShareAFileSystem(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("file systems need the namespace isolation level (root)")
	}
	f := start(t)
	ctx := context.Background()
	fsc := awsefs.NewFromConfig(f.srv.Config())
	fs, err := fsc.CreateFileSystem(ctx, &awsefs.CreateFileSystemInput{CreationToken: aws.String("shared")})
	if err != nil {
		t.Fatal(err)
	}
	ap, err := fsc.CreateAccessPoint(ctx, &awsefs.CreateAccessPointInput{ClientToken: aws.String("fn"), FileSystemId: fs.FileSystemId,
		PosixUser: &efstypes.PosixUser{Uid: aws.Int64(1001), Gid: aws.Int64(1001)},
		RootDirectory: &efstypes.RootDirectory{Path: aws.String("/work"),
			CreationInfo: &efstypes.CreationInfo{OwnerUid: aws.Int64(1001), OwnerGid: aws.Int64(1001), Permissions: aws.String("750")}}})
	if err != nil {
		t.Fatal(err)
	}
	code := zipOf(t, map[string][]byte{"app.py": []byte(efsHandler)})
	mount := func(in *lambda.CreateFunctionInput) {
		in.FileSystemConfigs = []types.FileSystemConfig{{Arn: ap.AccessPointArn, LocalMountPath: aws.String("/mnt/data")}}
		in.VpcConfig = &types.VpcConfig{SubnetIds: []string{"subnet-0123456789"}, SecurityGroupIds: []string{"sg-01234567"}}
	}
	w := f.create(t, "efs-writer", "python3.12", "app.write", code, mount)
	if len(w.FileSystemConfigs) != 1 || w.VpcConfig == nil || len(w.VpcConfig.SubnetIds) != 1 {
		t.Errorf("CreateFunction's configuration = %+v, %+v", w.FileSystemConfigs, w.VpcConfig)
	}
	f.create(t, "efs-reader", "python3.12", "app.read", code, mount)
	f.create(t, "efs-outsider", "python3.12", "app.peek", code)

	var wrote struct{ UID, Owner int }
	out := f.invoke(t, "efs-writer", `{"name":"report.csv","text":"a,b\n1,2\n"}`)
	if json.Unmarshal(out.Payload, &wrote); out.FunctionError != nil || wrote.UID != 65534 || wrote.Owner != 65534 {
		t.Fatalf("writer = %s %s", aws.ToString(out.FunctionError), out.Payload)
	}
	var read struct{ Text string }
	out = f.invoke(t, "efs-reader", `{"name":"report.csv"}`)
	if json.Unmarshal(out.Payload, &read); read.Text != "a,b\n1,2\n" {
		t.Errorf("reader = %s %s", aws.ToString(out.FunctionError), out.Payload)
	}
	host := filepath.Join(f.srv.DataDir, "efs", "000000000000", *fs.FileSystemId, "work", "report.csv")
	fi, err := os.Stat(host)
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != 1001 || st.Gid != 1001 {
		t.Errorf("the file is owned by %d:%d on the host; want the access point's 1001:1001", st.Uid, st.Gid)
	}
	out = f.invoke(t, "efs-outsider", `{}`)
	if !strings.Contains(string(out.Payload), `"exists": false`) {
		t.Errorf("a function without the file system sees %s", out.Payload)
	}

	// Lambda's validation.
	for name, mod := range map[string]func(*lambda.CreateFunctionInput){
		"path outside /mnt": func(in *lambda.CreateFunctionInput) {
			mount(in)
			in.FileSystemConfigs[0].LocalMountPath = aws.String("/data")
		},
		"no VPC": func(in *lambda.CreateFunctionInput) {
			mount(in)
			in.VpcConfig = nil
		},
		"no such access point": func(in *lambda.CreateFunctionInput) {
			mount(in)
			in.FileSystemConfigs[0].Arn = aws.String("arn:aws:elasticfilesystem:us-east-1:000000000000:access-point/fsap-0123456789abcdef0")
		},
		"another account's": func(in *lambda.CreateFunctionInput) {
			mount(in)
			in.FileSystemConfigs[0].Arn = aws.String(strings.Replace(*ap.AccessPointArn, ":000000000000:", ":111111111111:", 1))
		},
	} {
		in := &lambda.CreateFunctionInput{FunctionName: aws.String("efs-bad"), Runtime: types.RuntimePython312, Role: aws.String(role),
			Handler: aws.String("app.read"), Code: &types.FunctionCode{ZipFile: code}}
		mod(in)
		if _, err := f.client.CreateFunction(ctx, in); err == nil {
			t.Errorf("%s: CreateFunction succeeded", name)
		}
	}
}
