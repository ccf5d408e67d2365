package cloudformation_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/gureum/gureum/internal/gureumtest"
)

// samCanary is a function deployed gradually (Canary10Percent5Minutes) through CodeDeploy, with
// a PreTraffic hook that reports the status its environment says through
// PutLifecycleEventHookExecutionStatus, as SAM's hook functions do.
const samCanary = `
Transform: AWS::Serverless-2016-10-31
Parameters:
  Verdict:
    Type: String
    Default: Succeeded
Globals:
  Function:
    Runtime: python3.12
    Handler: index.handler
    Timeout: 30
Resources:
  PreTrafficHook:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: CodeDeployHook_preTraffic
      Environment:
        Variables:
          VERDICT: !Ref Verdict
      Policies:
        - Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Action: codedeploy:PutLifecycleEventHookExecutionStatus
              Resource: "*"
      InlineCode: |
        import os, boto3
        def handler(event, context):
            boto3.client("codedeploy").put_lifecycle_event_hook_execution_status(
                deploymentId=event["DeploymentId"],
                lifecycleEventHookExecutionId=event["LifecycleEventHookExecutionId"],
                status=os.environ["VERDICT"])
  Greeter:
    Type: AWS::Serverless::Function
    Properties:
      AutoPublishAlias: live
      InlineCode: |
        def handler(event, context):
            return "v1"
      DeploymentPreference:
        Type: Canary10Percent5Minutes
        Hooks:
          PreTraffic: !Ref PreTrafficHook
Outputs:
  Function:
    Value: !Ref Greeter
`

// TestSAMCanaryDeployment deploys a function, updates its code (the alias's traffic moves to the
// new version through a canary: 10 % first, then all of it), then updates it again with a hook
// that reports Failed: CodeDeploy rolls the alias back and the stack's update rolls back.
func TestSAMCanaryDeployment(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn", "--codedeploy-minute", "200ms"}})
	cfg := srv.Config()
	c := clients{cfn: cloudformation.NewFromConfig(cfg), srv: srv}
	fns, cd := lambda.NewFromConfig(cfg), codedeploy.NewFromConfig(cfg)

	deploy(t, c, "canary", samCanary)
	st := stack(t, c, "canary")
	if st.StackStatus != cfntypes.StackStatusCreateComplete {
		t.Fatalf("create: %s (%s)", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	fn := outputs(st)["Function"]
	alias := func() *lambda.GetAliasOutput {
		a, err := fns.GetAlias(bg, &lambda.GetAliasInput{FunctionName: aws.String(fn), Name: aws.String("live")})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	if v := aws.ToString(alias().FunctionVersion); v != "1" {
		t.Fatalf("alias after create at version %s; want 1", v)
	}

	// An update: the canary holds 10 % on version 2 for five (scaled) minutes, then moves all.
	// ExecuteChangeSet waits for small operations, so the alias is watched meanwhile.
	sawCanary := make(chan bool, 1)
	go func() {
		saw := false
		defer func() { sawCanary <- saw }()
		for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			a, err := fns.GetAlias(bg, &lambda.GetAliasInput{FunctionName: aws.String(fn), Name: aws.String("live")})
			if err != nil {
				return
			}
			if a.RoutingConfig != nil && a.RoutingConfig.AdditionalVersionWeights["2"] == 0.1 && aws.ToString(a.FunctionVersion) == "1" {
				saw = true
			}
			if aws.ToString(a.FunctionVersion) == "2" {
				return
			}
		}
	}()
	deploy(t, c, "canary", strings.Replace(samCanary, `"v1"`, `"v2"`, 1))
	st = stack(t, c, "canary")
	if st.StackStatus != cfntypes.StackStatusUpdateComplete {
		t.Fatalf("update: %s (%s)", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	if !<-sawCanary {
		t.Error("the alias never sent 10 % of its traffic to version 2 alone with version 1")
	}
	if a := alias(); aws.ToString(a.FunctionVersion) != "2" || a.RoutingConfig != nil && len(a.RoutingConfig.AdditionalVersionWeights) > 0 {
		t.Errorf("alias after the deployment = %s %+v; want version 2 alone", aws.ToString(a.FunctionVersion), a.RoutingConfig)
	}
	apps, err := cd.ListApplications(bg, &codedeploy.ListApplicationsInput{})
	if err != nil || len(apps.Applications) != 1 {
		t.Fatalf("ListApplications = %v, %v; want the stack's application", apps, err)
	}
	groups, err := cd.ListDeploymentGroups(bg, &codedeploy.ListDeploymentGroupsInput{ApplicationName: aws.String(apps.Applications[0])})
	if err != nil || len(groups.DeploymentGroups) != 1 {
		t.Fatalf("ListDeploymentGroups = %v, %v", groups, err)
	}
	app, group := apps.Applications[0], groups.DeploymentGroups[0]
	g, err := cd.GetDeploymentGroup(bg, &codedeploy.GetDeploymentGroupInput{ApplicationName: aws.String(app), DeploymentGroupName: aws.String(group)})
	if err != nil || aws.ToString(g.DeploymentGroupInfo.DeploymentConfigName) != "CodeDeployDefault.LambdaCanary10Percent5Minutes" {
		t.Errorf("GetDeploymentGroup = %+v, %v; want the canary configuration", g, err)
	}

	// A failing hook: the deployment fails, the alias stays on version 2, the stack rolls back.
	deploy(t, c, "canary", strings.Replace(samCanary, `"v1"`, `"v3"`, 1),
		cfntypes.Parameter{ParameterKey: aws.String("Verdict"), ParameterValue: aws.String("Failed")})
	st = stack(t, c, "canary")
	if st.StackStatus != cfntypes.StackStatusUpdateRollbackComplete {
		t.Fatalf("update with a failing hook: %s (%s); want UPDATE_ROLLBACK_COMPLETE", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	if a := alias(); aws.ToString(a.FunctionVersion) != "2" || a.RoutingConfig != nil && len(a.RoutingConfig.AdditionalVersionWeights) > 0 {
		t.Errorf("alias after the failed deployment = %s %+v; want version 2 alone", aws.ToString(a.FunctionVersion), a.RoutingConfig)
	}
	out, err := fns.Invoke(bg, &lambda.InvokeInput{FunctionName: aws.String(fn), Qualifier: aws.String("live")})
	if err != nil || string(out.Payload) != `"v2"` {
		t.Errorf("Invoke live = %s, %v; want v2", out.Payload, err)
	}
	ds, err := cd.ListDeployments(bg, &codedeploy.ListDeploymentsInput{ApplicationName: aws.String(app), DeploymentGroupName: aws.String(group)})
	if err != nil || len(ds.Deployments) != 2 {
		t.Fatalf("ListDeployments = %v, %v; want two", ds, err)
	}
	last, err := cd.GetDeployment(bg, &codedeploy.GetDeploymentInput{DeploymentId: aws.String(ds.Deployments[0])})
	if err != nil {
		t.Fatal(err)
	}
	if info := last.DeploymentInfo; info.Status != cdtypes.DeploymentStatusFailed || info.ErrorInformation == nil ||
		info.ErrorInformation.Code != cdtypes.ErrorCodeHookExecutionFailure {
		t.Errorf("last deployment = %s %+v; want Failed HOOK_EXECUTION_FAILURE", info.Status, info.ErrorInformation)
	}
	events, _ := c.cfn.DescribeStackEvents(bg, &cloudformation.DescribeStackEventsInput{StackName: aws.String("canary")})
	found := false
	for _, e := range events.StackEvents {
		if strings.HasPrefix(*e.LogicalResourceId, "GreeterAliaslive") && e.ResourceStatus == cfntypes.ResourceStatusUpdateFailed {
			found = strings.Contains(aws.ToString(e.ResourceStatusReason), "reported the status Failed")
		}
	}
	if !found {
		t.Error("no UPDATE_FAILED event of the alias saying its hook reported Failed")
	}
}
