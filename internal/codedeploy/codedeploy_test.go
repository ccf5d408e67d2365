package codedeploy_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/gureum/gureum/internal/gureumtest"
	"github.com/gureum/gureum/internal/sandbox"
)

func TestMain(m *testing.M) {
	sandbox.Init()
	os.Exit(m.Run())
}

var bg = context.Background()

func zipped(t *testing.T, src string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("index.py")
	w.Write([]byte(src))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// TestDeploymentSurvivesRestart starts a linear deployment of an alias, stops the server while
// its traffic is part way, and starts it again on the same data: the deployment resumes from its
// record and ends with all traffic on the target version. It also checks the API's refusals.
func TestDeploymentSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	args := []string{"--log-level", "warn", "--codedeploy-minute", "300ms"}
	srv := gureumtest.Start(t, gureumtest.Options{DataDir: dir, Args: args})
	fns, cd := lambda.NewFromConfig(srv.Config()), codedeploy.NewFromConfig(srv.Config())
	_, err := fns.CreateFunction(bg, &lambda.CreateFunctionInput{FunctionName: aws.String("fn"), Runtime: lambdatypes.RuntimePython312,
		Handler: aws.String("index.handler"), Role: aws.String("arn:aws:iam::000000000000:role/r"),
		Code: &lambdatypes.FunctionCode{ZipFile: zipped(t, "def handler(e, c):\n    return 1\n")}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		v, err := fns.PublishVersion(bg, &lambda.PublishVersionInput{FunctionName: aws.String("fn")})
		if err != nil || aws.ToString(v.Version) != string(rune('1'+i)) {
			t.Fatalf("PublishVersion = %v, %v", v, err)
		}
		if _, err := fns.UpdateFunctionCode(bg, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("fn"),
			ZipFile: zipped(t, "def handler(e, c):\n    return 2\n")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := fns.CreateAlias(bg, &lambda.CreateAliasInput{FunctionName: aws.String("fn"), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cd.CreateApplication(bg, &codedeploy.CreateApplicationInput{ApplicationName: aws.String("app"), ComputePlatform: cdtypes.ComputePlatformLambda}); err != nil {
		t.Fatal(err)
	}
	if _, err := cd.CreateApplication(bg, &codedeploy.CreateApplicationInput{ApplicationName: aws.String("app")}); code(err) != "ApplicationAlreadyExistsException" {
		t.Errorf("CreateApplication again = %v; want ApplicationAlreadyExistsException", err)
	}
	if _, err := cd.CreateDeploymentGroup(bg, &codedeploy.CreateDeploymentGroupInput{ApplicationName: aws.String("app"), DeploymentGroupName: aws.String("g"),
		ServiceRoleArn: aws.String("arn:aws:iam::000000000000:role/cd"), DeploymentConfigName: aws.String("CodeDeployDefault.LambdaLinear10PercentEvery1Minute")}); err != nil {
		t.Fatal(err)
	}
	spec := `version: 0.0
Resources:
  - fn:
      Type: AWS::Lambda::Function
      Properties: {Name: fn, Alias: live, CurrentVersion: "1", TargetVersion: "2"}
`
	rev := &cdtypes.RevisionLocation{RevisionType: cdtypes.RevisionLocationTypeAppSpecContent, AppSpecContent: &cdtypes.AppSpecContent{Content: aws.String(spec)}}
	out, err := cd.CreateDeployment(bg, &codedeploy.CreateDeploymentInput{ApplicationName: aws.String("app"), DeploymentGroupName: aws.String("g"), Revision: rev})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cd.CreateDeployment(bg, &codedeploy.CreateDeploymentInput{ApplicationName: aws.String("app"), DeploymentGroupName: aws.String("g"), Revision: rev}); code(err) != "DeploymentLimitExceededException" {
		t.Errorf("a second deployment while one runs = %v; want DeploymentLimitExceededException", err)
	}
	if _, err := cd.PutLifecycleEventHookExecutionStatus(bg, &codedeploy.PutLifecycleEventHookExecutionStatusInput{DeploymentId: out.DeploymentId,
		LifecycleEventHookExecutionId: aws.String("nope"), Status: cdtypes.LifecycleEventStatusSucceeded}); code(err) != "InvalidLifecycleEventHookExecutionIdException" {
		t.Errorf("a status for an unknown hook execution = %v; want InvalidLifecycleEventHookExecutionIdException", err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		a, err := fns.GetAlias(bg, &lambda.GetAliasInput{FunctionName: aws.String("fn"), Name: aws.String("live")})
		if err != nil {
			t.Fatal(err)
		}
		if a.RoutingConfig != nil && a.RoutingConfig.AdditionalVersionWeights["2"] >= 0.2 {
			break
		}
		if time.Now().After(deadline) {
			d, _ := cd.GetDeployment(bg, &codedeploy.GetDeploymentInput{DeploymentId: out.DeploymentId})
			t.Fatalf("the alias's traffic did not start moving: %+v; deployment %+v %+v", a.RoutingConfig, d.DeploymentInfo.Status, aws.ToString(d.DeploymentInfo.ErrorInformation.Message))
		}
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}

	srv = gureumtest.Start(t, gureumtest.Options{DataDir: dir, Args: args})
	fns, cd = lambda.NewFromConfig(srv.Config()), codedeploy.NewFromConfig(srv.Config())
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		d, err := cd.GetDeployment(bg, &codedeploy.GetDeploymentInput{DeploymentId: out.DeploymentId})
		if err != nil {
			t.Fatal(err)
		}
		if d.DeploymentInfo.Status == cdtypes.DeploymentStatusSucceeded {
			break
		}
		if d.DeploymentInfo.Status != cdtypes.DeploymentStatusInProgress || time.Now().After(deadline) {
			t.Fatalf("deployment after the restart: %s %+v; want it to resume and succeed", d.DeploymentInfo.Status, aws.ToString(d.DeploymentInfo.ErrorInformation.Message))
		}
	}
	a, err := fns.GetAlias(bg, &lambda.GetAliasInput{FunctionName: aws.String("fn"), Name: aws.String("live")})
	if err != nil || aws.ToString(a.FunctionVersion) != "2" || a.RoutingConfig != nil && len(a.RoutingConfig.AdditionalVersionWeights) > 0 {
		t.Errorf("alias after the deployment = %+v, %v; want version 2 alone", a, err)
	}
}
