package cloudformation_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// shared is a function with a layer from S3 (SAM's LayerVersion) that mounts an EFS access
// point (file system, mount target, access point in the same stack) through its VPC.
const shared = `
Transform: AWS::Serverless-2016-10-31
Resources:
  Files:
    Type: AWS::EFS::FileSystem
    Properties:
      Encrypted: true
      FileSystemTags: [{Key: Name, Value: shared}]
      LifecyclePolicies: [{TransitionToIA: AFTER_30_DAYS}]
      BackupPolicy: {Status: DISABLED}
  Target:
    Type: AWS::EFS::MountTarget
    Properties:
      FileSystemId: !Ref Files
      SubnetId: subnet-0123456789abcdef0
      SecurityGroups: [sg-0123456789abcdef0]
  Point:
    Type: AWS::EFS::AccessPoint
    Properties:
      FileSystemId: !Ref Files
      PosixUser: {Uid: "1001", Gid: "1001"}
      RootDirectory:
        Path: /work
        CreationInfo: {OwnerUid: "1001", OwnerGid: "1001", Permissions: "750"}
  Libs:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: s3://code-LAYERBUCKET/libs.zip
      CompatibleRuntimes: [python3.12]
      RetentionPolicy: Delete
  Writer:
    Type: AWS::Serverless::Function
    DependsOn: Target
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Timeout: 10
      Layers: [!Ref Libs]
      VpcConfig:
        SubnetIds: [subnet-0123456789abcdef0]
        SecurityGroupIds: [sg-0123456789abcdef0]
      FileSystemConfigs:
        - Arn: !GetAtt Point.Arn
          LocalMountPath: /mnt/data
      InlineCode: |
        import greeting
        def handler(event, context):
            with open("/mnt/data/note.txt", "w") as f:
                f.write(greeting.text)
            with open("/mnt/data/note.txt") as f:
                return {"text": f.read()}
Outputs:
  Function:
    Value: !Ref Writer
  FileSystem:
    Value: !Ref Files
  Layer:
    Value: !Ref Libs
`

// TestEFSLayerAndFileSystemConfigs deploys shared: the function has its layer, its VPC and its
// file system, and (as root, where sandboxes mount file systems) writes and reads through it.
func TestEFSLayerAndFileSystemConfigs(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		cfg := c.srv.Config()
		objects := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
		if _, err := objects.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("code-layerbucket")}); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("python/greeting.py")
		w.Write([]byte(`text = "from the layer"` + "\n"))
		zw.Close()
		if _, err := objects.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String("code-layerbucket"), Key: aws.String("libs.zip"), Body: bytes.NewReader(buf.Bytes())}); err != nil {
			t.Fatal(err)
		}
		deploy(t, c, "shared", strings.ReplaceAll(shared, "LAYERBUCKET", "layerbucket"))
		st := stack(t, c, "shared")
		if st.StackStatus != cfntypes.StackStatusCreateComplete {
			failures(t, c, "shared")
			t.Fatalf("status = %s (%s)", st.StackStatus, aws.ToString(st.StackStatusReason))
		}
		o := outputs(st)
		fn := lambda.NewFromConfig(cfg)
		conf, err := fn.GetFunctionConfiguration(bg, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(o["Function"])})
		if err != nil || len(conf.FileSystemConfigs) != 1 || aws.ToString(conf.FileSystemConfigs[0].LocalMountPath) != "/mnt/data" ||
			conf.VpcConfig == nil || len(conf.VpcConfig.SubnetIds) != 1 || len(conf.Layers) != 1 || aws.ToString(conf.Layers[0].Arn) != o["Layer"] {
			t.Fatalf("GetFunctionConfiguration = %+v, %v; want the file system, the VPC and the layer", conf, err)
		}
		fsc := efs.NewFromConfig(cfg)
		lc, err := fsc.DescribeLifecycleConfiguration(bg, &efs.DescribeLifecycleConfigurationInput{FileSystemId: aws.String(o["FileSystem"])})
		if err != nil || len(lc.LifecyclePolicies) != 1 {
			t.Errorf("DescribeLifecycleConfiguration = %+v, %v", lc, err)
		}
		if os.Geteuid() == 0 {
			out, err := fn.Invoke(bg, &lambda.InvokeInput{FunctionName: aws.String(o["Function"]), Payload: []byte(`{}`)})
			var answer struct{ Text string }
			if err != nil || out.FunctionError != nil || json.Unmarshal(out.Payload, &answer) != nil || answer.Text != "from the layer" {
				t.Errorf("Invoke = %+v %s, %v; want the layer's text through the file system", out, payload(out), err)
			}
		}
		if _, err := c.cfn.DeleteStack(bg, &cloudformation.DeleteStackInput{StackName: aws.String("shared")}); err != nil {
			t.Fatal(err)
		}
		if st := stack(t, c, *st.StackId); st.StackStatus != cfntypes.StackStatusDeleteComplete {
			failures(t, c, *st.StackId)
			t.Errorf("after delete: %s", st.StackStatus)
		}
		if fss, err := fsc.DescribeFileSystems(bg, &efs.DescribeFileSystemsInput{}); err != nil || len(fss.FileSystems) != 0 {
			t.Errorf("file systems after delete = %+v, %v", fss, err)
		}
	})
}

func payload(out *lambda.InvokeOutput) string {
	if out == nil {
		return ""
	}
	return string(out.Payload)
}
