package codedeploy_test

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/gureum/gureum/internal/gureumtest"
)

// samAlarmed is a function deployed by a canary whose DeploymentPreference names an alarm on
// the function's Errors.
const samAlarmed = `
Transform: AWS::Serverless-2016-10-31
Resources:
  ErrorsAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmName: alarmed-errors
      Namespace: AWS/Lambda
      MetricName: Errors
      Dimensions:
        - Name: FunctionName
          Value: alarmed
      Statistic: Sum
      Period: 10
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
      TreatMissingData: notBreaching
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: alarmed
      Runtime: python3.12
      Handler: index.handler
      AutoPublishAlias: live
      InlineCode: |
        def handler(event, context):
            return "ok"
      DeploymentPreference:
        Type: Canary10Percent5Minutes
        Alarms:
          - !Ref ErrorsAlarm
`

func deployStack(t *testing.T, c *cloudformation.Client, name, body string, params ...cfntypes.Parameter) {
	t.Helper()
	typ := cfntypes.ChangeSetTypeUpdate
	if _, err := c.DescribeStacks(bg, &cloudformation.DescribeStacksInput{StackName: aws.String(name)}); err != nil {
		typ = cfntypes.ChangeSetTypeCreate
	}
	cs, err := c.CreateChangeSet(bg, &cloudformation.CreateChangeSetInput{StackName: aws.String(name), TemplateBody: aws.String(body),
		ChangeSetName: aws.String("cs" + strconv.FormatInt(time.Now().UnixNano(), 36)), ChangeSetType: typ, Parameters: params,
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam, cfntypes.CapabilityCapabilityAutoExpand}})
	if err != nil {
		t.Fatalf("CreateChangeSet: %v", err)
	}
	desc, err := c.DescribeChangeSet(bg, &cloudformation.DescribeChangeSetInput{ChangeSetName: cs.Id})
	if err != nil || desc.Status != cfntypes.ChangeSetStatusCreateComplete {
		t.Fatalf("DescribeChangeSet = %+v, %v", desc, err)
	}
	if _, err := c.ExecuteChangeSet(bg, &cloudformation.ExecuteChangeSetInput{ChangeSetName: cs.Id}); err != nil {
		t.Fatalf("ExecuteChangeSet: %v", err)
	}
}

func stackStatus(t *testing.T, c *cloudformation.Client, name string) (cfntypes.StackStatus, string) {
	t.Helper()
	out, err := c.DescribeStacks(bg, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	if err != nil || len(out.Stacks) != 1 {
		t.Fatalf("DescribeStacks = %v", err)
	}
	return out.Stacks[0].StackStatus, aws.ToString(out.Stacks[0].StackStatusReason)
}

// TestAlarmRollsBack deploys a SAM function with a canary DeploymentPreference watching an
// Errors alarm, then deploys a version that fails: its errors (Lambda's AWS/Lambda metrics)
// fire the alarm during the canary, CodeDeploy stops the deployment (ALARM_ACTIVE) and points
// the alias back at the old version, and the stack's update rolls back.
func TestAlarmRollsBack(t *testing.T) {
	t.Parallel()
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn", "--codedeploy-minute", "2s"}})
	cfg := srv.Config()
	cfn, fns, cd, alarms := cloudformation.NewFromConfig(cfg), lambda.NewFromConfig(cfg), codedeploy.NewFromConfig(cfg), cw.NewFromConfig(cfg)
	deployStack(t, cfn, "alarmed", samAlarmed)
	if st, why := stackStatus(t, cfn, "alarmed"); st != cfntypes.StackStatusCreateComplete {
		t.Fatalf("create: %s (%s)", st, why)
	}
	a, err := fns.GetAlias(bg, &lambda.GetAliasInput{FunctionName: aws.String("alarmed"), Name: aws.String("live")})
	if err != nil {
		t.Fatal(err)
	}
	old := aws.ToString(a.FunctionVersion)

	// Traffic through the alias while the update runs (ExecuteChangeSet waits for it): a tenth
	// of it reaches the failing version during the canary.
	stop := make(chan struct{})
	invoked := make(chan bool, 1)
	var once sync.Once
	halt := func() { once.Do(func() { close(stop) }) }
	t.Cleanup(halt) // before the server stops (cleanups run last first)
	go func() {
		shifted := false
		defer func() { invoked <- shifted }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			out, err := fns.Invoke(bg, &lambda.InvokeInput{FunctionName: aws.String("alarmed"), Qualifier: aws.String("live")})
			if err != nil {
				select {
				case <-stop:
				default:
					t.Errorf("Invoke: %v", err)
				}
				return
			}
			shifted = shifted || aws.ToString(out.ExecutedVersion) != old
		}
	}()
	deployStack(t, cfn, "alarmed", strings.Replace(samAlarmed, `return "ok"`, `raise Exception("the new version fails")`, 1))
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		st, why := stackStatus(t, cfn, "alarmed")
		if !strings.HasSuffix(string(st), "_IN_PROGRESS") {
			if st != cfntypes.StackStatusUpdateRollbackComplete {
				t.Fatalf("update: %s (%s); want UPDATE_ROLLBACK_COMPLETE", st, why)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the update did not end: %s", st)
		}
	}
	halt()
	shifted := <-invoked
	if !shifted {
		t.Errorf("no invocation reached the new version during the canary")
	}
	a, err = fns.GetAlias(bg, &lambda.GetAliasInput{FunctionName: aws.String("alarmed"), Name: aws.String("live")})
	if err != nil || aws.ToString(a.FunctionVersion) != old || a.RoutingConfig != nil && len(a.RoutingConfig.AdditionalVersionWeights) > 0 {
		t.Errorf("alias after the alarm = %+v, %v; want version %s alone", a, err, old)
	}
	ds, err := cd.ListDeployments(bg, &codedeploy.ListDeploymentsInput{})
	if err != nil || len(ds.Deployments) == 0 {
		t.Fatalf("ListDeployments = %v, %v", ds, err)
	}
	var stopped *cdtypes.DeploymentInfo
	for _, id := range ds.Deployments {
		d, err := cd.GetDeployment(bg, &codedeploy.GetDeploymentInput{DeploymentId: aws.String(id)})
		if err == nil && d.DeploymentInfo.ErrorInformation != nil && d.DeploymentInfo.ErrorInformation.Code == cdtypes.ErrorCodeAlarmActive {
			stopped = d.DeploymentInfo
		}
	}
	if stopped == nil || stopped.Status != cdtypes.DeploymentStatusStopped ||
		!strings.Contains(aws.ToString(stopped.ErrorInformation.Message), "alarmed-errors") {
		t.Errorf("no deployment stopped by its alarm: %+v", stopped)
	}
	h, err := alarms.DescribeAlarmHistory(bg, &cw.DescribeAlarmHistoryInput{AlarmName: aws.String("alarmed-errors"), HistoryItemType: cwtypes.HistoryItemTypeStateUpdate})
	if err != nil {
		t.Fatal(err)
	}
	var fired bool
	for _, x := range h.AlarmHistoryItems {
		fired = fired || strings.HasSuffix(aws.ToString(x.HistorySummary), "to ALARM")
	}
	if !fired {
		t.Errorf("alarm history = %+v; want a move to ALARM", h.AlarmHistoryItems)
	}
	st, err := alarms.GetMetricStatistics(bg, &cw.GetMetricStatisticsInput{Namespace: aws.String("AWS/Lambda"), MetricName: aws.String("Invocations"),
		Dimensions: []cwtypes.Dimension{{Name: aws.String("FunctionName"), Value: aws.String("alarmed")}, {Name: aws.String("Resource"), Value: aws.String("alarmed:live")}},
		StartTime:  aws.Time(time.Now().Add(-10 * time.Minute)), EndTime: aws.Time(time.Now().Add(time.Minute)), Period: aws.Int32(3600),
		Statistics: []cwtypes.Statistic{cwtypes.StatisticSum}})
	if err != nil || len(st.Datapoints) != 1 || aws.ToFloat64(st.Datapoints[0].Sum) < 1 {
		t.Errorf("Invocations of alarmed:live = %+v, %v; want the invocations counted", st, err)
	}
}
