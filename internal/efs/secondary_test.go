package efs_test

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsefs "github.com/aws/aws-sdk-go-v2/service/efs"
	"github.com/aws/aws-sdk-go-v2/service/efs/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/gureum/gureum/internal/gureumtest"
	"github.com/gureum/gureum/internal/sandbox"
)

// TestMain lets the test binary serve as the sandboxes' init step, as gureum's binary does.
func TestMain(m *testing.M) {
	sandbox.Init()
	os.Exit(m.Run())
}

const groupHandler = `
import os
def write(event, context):
    out = {}
    for name in event["paths"]:
        try:
            with open("/mnt/data/" + name, "a") as f:
                f.write("from the function\n")
            out[name] = "ok"
        except PermissionError:
            out[name] = "denied"
    return out
`

// TestSecondaryGidsInAFunction: a function mounting an access point whose POSIX user has
// SecondaryGids may write a file group-owned (and group-writable) by a secondary gid, made by
// another user; a file of a group the user is not in stays closed.
func TestSecondaryGidsInAFunction(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("file systems need the namespace isolation level (root)")
	}
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	fsc, fns := awsefs.NewFromConfig(srv.Config()), lambda.NewFromConfig(srv.Config())
	fs, err := fsc.CreateFileSystem(bg, &awsefs.CreateFileSystemInput{CreationToken: aws.String("groups")})
	if err != nil {
		t.Fatal(err)
	}
	ap, err := fsc.CreateAccessPoint(bg, &awsefs.CreateAccessPointInput{ClientToken: aws.String("groups"), FileSystemId: fs.FileSystemId,
		PosixUser: &types.PosixUser{Uid: aws.Int64(1001), Gid: aws.Int64(1001), SecondaryGids: []int64{3003, 3004}}})
	if err != nil {
		t.Fatal(err)
	}
	// Another user's files in the tree: group 3004's (one of the user's) and group 5005's.
	tree := filepath.Join(srv.DataDir, "efs", "000000000000", *fs.FileSystemId)
	os.MkdirAll(tree, 0o755)
	for name, gid := range map[string]int{"team.txt": 3004, "strangers.txt": 5005} {
		p := filepath.Join(tree, name)
		if err := os.WriteFile(p, []byte("made by 2002\n"), 0o660); err != nil {
			t.Fatal(err)
		}
		os.Chown(p, 2002, gid)
		os.Chmod(p, 0o660)
	}
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("app.py")
	w.Write([]byte(groupHandler))
	zw.Close()
	if _, err := fns.CreateFunction(bg, &lambda.CreateFunctionInput{FunctionName: aws.String("groups"), Runtime: lambdatypes.RuntimePython312,
		Role: aws.String("arn:aws:iam::000000000000:role/fn"), Handler: aws.String("app.write"), Timeout: aws.Int32(30), Code: &lambdatypes.FunctionCode{ZipFile: zb.Bytes()},
		FileSystemConfigs: []lambdatypes.FileSystemConfig{{Arn: ap.AccessPointArn, LocalMountPath: aws.String("/mnt/data")}},
		VpcConfig:         &lambdatypes.VpcConfig{SubnetIds: []string{"subnet-0123456789"}}}); err != nil {
		t.Fatal(err)
	}
	out, err := fns.Invoke(bg, &lambda.InvokeInput{FunctionName: aws.String("groups"), Payload: []byte(`{"paths":["team.txt","strangers.txt"]}`), LogType: lambdatypes.LogTypeTail})
	if err != nil {
		t.Fatalf("Invoke: %v\n%s", err, srv.Logs)
	}
	if out.FunctionError != nil {
		t.Fatalf("Invoke = %s\n%s", out.Payload, logTail(out.LogResult))
	}
	var got map[string]string
	json.Unmarshal(out.Payload, &got)
	if got["team.txt"] != "ok" || got["strangers.txt"] != "denied" {
		t.Errorf("writes = %s; want team.txt ok (secondary gid 3004), strangers.txt denied", out.Payload)
	}
	if b, _ := os.ReadFile(filepath.Join(tree, "team.txt")); string(b) != "made by 2002\nfrom the function\n" {
		t.Errorf("team.txt on the host = %q", b)
	}
}

func logTail(b64 *string) string {
	if b64 == nil {
		return ""
	}
	b, _ := base64.StdEncoding.DecodeString(*b64)
	return string(b)
}
