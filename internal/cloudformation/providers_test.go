package cloudformation_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

const everything = `
Parameters:
  Prefix:
    Type: String
    Default: data
    AllowedValues: [data, logs]
Conditions:
  WithSchedule: !Equals [!Ref Prefix, data]
Resources:
  Inbox:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 90
      MessageRetentionPeriod: 345600
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt Dead.Arn
        maxReceiveCount: 3
  Dead:
    Type: AWS::SQS::Queue
  InboxPolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Inbox]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: s3.amazonaws.com}
            Action: sqs:SendMessage
            Resource: !GetAtt Inbox.Arn
  Bucket:
    Type: AWS::S3::Bucket
    DependsOn: InboxPolicy
    Properties:
      BucketName: !Sub "${Prefix}-drop-${AWS::AccountId}"
      NotificationConfiguration:
        QueueConfigurations:
          - Event: s3:ObjectCreated:*
            Queue: !GetAtt Inbox.Arn
            Filter:
              S3Key:
                Rules: [{Name: prefix, Value: in/}]
      LifecycleConfiguration:
        Rules:
          - Id: expire
            Status: Enabled
            Prefix: in/
            ExpirationInDays: 30
      WebsiteConfiguration:
        IndexDocument: index.html
      Tags: [{Key: team, Value: data}]
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns: [arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: "2012-10-17"
            Statement: [{Effect: Allow, Action: s3:GetObject, Resource: !Sub "${Bucket.Arn}/*"}]
  ExtraPolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: extra
      Roles: [!Ref Role]
      PolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Action: sqs:SendMessage, Resource: !GetAtt Inbox.Arn}]
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub "/app/${AWS::StackName}"
      RetentionInDays: 7
  Setting:
    Type: AWS::SSM::Parameter
    Properties:
      Name: !Sub "/${AWS::StackName}/bucket"
      Type: String
      Value: !Ref Bucket
  Rule:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: {source: [app.orders]}
      Targets:
        - Id: inbox
          Arn: !GetAtt Inbox.Arn
  Tick:
    Type: AWS::Scheduler::Schedule
    Condition: WithSchedule
    Properties:
      ScheduleExpression: rate(4 minutes)
      FlexibleTimeWindow: {Mode: "OFF"}
      Target:
        Arn: !GetAtt Inbox.Arn
        RoleArn: !GetAtt Role.Arn
Outputs:
  Bucket:
    Value: !Ref Bucket
  Queue:
    Value: !Ref Inbox
  Rule:
    Value: !Ref Rule
  Schedule:
    Condition: WithSchedule
    Value: !Ref Tick
`

// TestProviders deploys one resource of most types with their common properties, checks them
// through their services, and deletes them all.
func TestProviders(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		cfg := c.srv.Config()
		_, err := c.cfn.CreateStack(bg, &cloudformation.CreateStackInput{StackName: aws.String("all"), TemplateBody: aws.String(everything),
			Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam}})
		if err != nil {
			t.Fatal(err)
		}
		st := stack(t, c, "all")
		if st.StackStatus != cfntypes.StackStatusCreateComplete {
			events, _ := c.cfn.DescribeStackEvents(bg, &cloudformation.DescribeStackEventsInput{StackName: st.StackId})
			for _, e := range events.StackEvents {
				if strings.HasSuffix(string(e.ResourceStatus), "FAILED") {
					t.Logf("%s %s: %s", *e.LogicalResourceId, e.ResourceStatus, aws.ToString(e.ResourceStatusReason))
				}
			}
			t.Fatalf("status = %s (%s)", st.StackStatus, aws.ToString(st.StackStatusReason))
		}
		o := outputs(st)
		if o["Bucket"] != "data-drop-000000000000" {
			t.Errorf("Bucket = %s", o["Bucket"])
		}
		// The bucket notifies the queue of new objects under in/.
		objects := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
		if _, err := objects.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(o["Bucket"]), Key: aws.String("in/a.csv"), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
		var bodies []string
		for i := 0; i < 3 && !strings.Contains(strings.Join(bodies, ""), "in%2Fa.csv"); i++ { // after S3's s3:TestEvent
			msg, err := c.sqs.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: aws.String(o["Queue"]), WaitTimeSeconds: 5, MaxNumberOfMessages: 10})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range msg.Messages {
				bodies = append(bodies, *m.Body)
			}
		}
		if !strings.Contains(strings.Join(bodies, ""), "in%2Fa.csv") {
			t.Errorf("the bucket's notifications = %v; want the object's event", bodies)
		}
		lc, err := objects.GetBucketLifecycleConfiguration(bg, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(o["Bucket"])})
		if err != nil || len(lc.Rules) != 1 || aws.ToInt32(lc.Rules[0].Expiration.Days) != 30 {
			t.Errorf("lifecycle = %+v, %v", lc, err)
		}
		role, err := awsiam.NewFromConfig(cfg).ListRolePolicies(bg, &awsiam.ListRolePoliciesInput{RoleName: aws.String(roleName(t, c))})
		if err != nil || strings.Join(role.PolicyNames, ",") != "extra,read" {
			t.Errorf("the role's inline policies = %+v, %v; want extra and read", role, err)
		}
		groups, err := cloudwatchlogs.NewFromConfig(cfg).DescribeLogGroups(bg, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/app/all")})
		if err != nil || len(groups.LogGroups) != 1 || aws.ToInt32(groups.LogGroups[0].RetentionInDays) != 7 {
			t.Errorf("log groups = %+v, %v", groups, err)
		}
		p, err := ssm.NewFromConfig(cfg).GetParameter(bg, &ssm.GetParameterInput{Name: aws.String("/all/bucket")})
		if err != nil || *p.Parameter.Value != o["Bucket"] {
			t.Errorf("parameter = %+v, %v", p, err)
		}
		targets, err := eventbridge.NewFromConfig(cfg).ListTargetsByRule(bg, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(o["Rule"])})
		if err != nil || len(targets.Targets) != 1 {
			t.Errorf("rule targets = %+v, %v", targets, err)
		}
		if _, err := scheduler.NewFromConfig(cfg).GetSchedule(bg, &scheduler.GetScheduleInput{Name: aws.String(o["Schedule"])}); err != nil {
			t.Errorf("GetSchedule(%s): %v", o["Schedule"], err)
		}

		// A parameter that turns the condition off removes the schedule (and its output).
		objects.DeleteObject(bg, &s3.DeleteObjectInput{Bucket: aws.String(o["Bucket"]), Key: aws.String("in/a.csv")})
		if _, err := c.cfn.UpdateStack(bg, &cloudformation.UpdateStackInput{StackName: aws.String("all"), UsePreviousTemplate: aws.Bool(true),
			Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam},
			Parameters:   []cfntypes.Parameter{{ParameterKey: aws.String("Prefix"), ParameterValue: aws.String("logs")}}}); err != nil {
			t.Fatal(err)
		}
		st = stack(t, c, "all")
		if st.StackStatus != cfntypes.StackStatusUpdateComplete || outputs(st)["Bucket"] != "logs-drop-000000000000" || outputs(st)["Schedule"] != "" {
			t.Fatalf("after the update: %s (%s) %v; want the bucket replaced under its new name and no schedule", st.StackStatus, aws.ToString(st.StackStatusReason), outputs(st))
		}
		if _, err := objects.HeadBucket(bg, &s3.HeadBucketInput{Bucket: aws.String("data-drop-000000000000")}); err == nil {
			t.Error("the replaced bucket is still there")
		}
		if _, err := scheduler.NewFromConfig(cfg).GetSchedule(bg, &scheduler.GetScheduleInput{Name: aws.String(o["Schedule"])}); err == nil {
			t.Error("the schedule outlived its condition")
		}

		if _, err := c.cfn.DeleteStack(bg, &cloudformation.DeleteStackInput{StackName: aws.String("all")}); err != nil {
			t.Fatal(err)
		}
		gone, _ := c.cfn.DescribeStacks(bg, &cloudformation.DescribeStacksInput{StackName: st.StackId})
		if gone == nil || gone.Stacks[0].StackStatus != cfntypes.StackStatusDeleteComplete {
			t.Fatalf("after delete: %+v", gone)
		}
		roles, _ := awsiam.NewFromConfig(cfg).ListRoles(bg, &awsiam.ListRolesInput{})
		buckets, _ := objects.ListBuckets(bg, &s3.ListBucketsInput{})
		queues, _ := c.sqs.ListQueues(bg, &sqs.ListQueuesInput{})
		if len(roles.Roles) != 0 || len(buckets.Buckets) != 0 || len(queues.QueueUrls) != 0 {
			t.Errorf("left after delete: %d roles, %d buckets, %d queues", len(roles.Roles), len(buckets.Buckets), len(queues.QueueUrls))
		}
	})
}

func roleName(t *testing.T, c clients) string {
	r, err := c.cfn.DescribeStackResource(bg, &cloudformation.DescribeStackResourceInput{StackName: aws.String("all"), LogicalResourceId: aws.String("Role")})
	if err != nil {
		t.Fatal(err)
	}
	return *r.StackResourceDetail.PhysicalResourceId
}
