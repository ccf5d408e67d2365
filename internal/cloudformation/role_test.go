package cloudformation_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gureum/gureum/internal/gureumtest"
)

const roleStack = `
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Topic:
    Type: AWS::SNS::Topic
    DependsOn: Queue
`

// TestStackRole makes a stack as its service role (RoleARN): what the role's policies allow is
// made, what they do not fails the stack; a role that does not trust CloudFormation cannot be
// assumed and the call fails.
func TestStackRole(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	cfg := srv.Config()
	c := clients{cfn: cloudformation.NewFromConfig(cfg), srv: srv}
	ic := iam.NewFromConfig(cfg)
	role := func(name, service string) string {
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + service + `"},"Action":"sts:AssumeRole"}]}`
		out, err := ic.CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ic.PutRolePolicy(bg, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("queues"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`)}); err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Role.Arn)
	}
	deployer, other := role("deployer", "cloudformation.amazonaws.com"), role("other", "lambda.amazonaws.com")

	_, err := c.cfn.CreateStack(bg, &cloudformation.CreateStackInput{StackName: aws.String("untrusted"), TemplateBody: aws.String(roleStack), RoleARN: aws.String(other)})
	if code, msg := apiError(err); code != "ValidationError" || msg != "Role "+other+" is invalid or cannot be assumed" {
		t.Errorf("CreateStack with a role that does not trust CloudFormation = %s %q", code, msg)
	}
	if _, err := c.cfn.CreateStack(bg, &cloudformation.CreateStackInput{StackName: aws.String("as-role"), TemplateBody: aws.String(roleStack),
		RoleARN: aws.String(deployer)}); err != nil {
		t.Fatal(err)
	}
	st := stack(t, c, "as-role")
	if st.StackStatus != cfntypes.StackStatusRollbackComplete || aws.ToString(st.RoleARN) != deployer {
		t.Fatalf("stack as a role allowed only SQS = %s (%s), role %s; want ROLLBACK_COMPLETE", st.StackStatus, aws.ToString(st.StackStatusReason), aws.ToString(st.RoleARN))
	}
	events, _ := c.cfn.DescribeStackEvents(bg, &cloudformation.DescribeStackEventsInput{StackName: st.StackId})
	var queue, topic string
	for _, e := range events.StackEvents {
		switch {
		case *e.LogicalResourceId == "Queue" && e.ResourceStatus == cfntypes.ResourceStatusCreateComplete:
			queue = "made"
		case *e.LogicalResourceId == "Topic" && e.ResourceStatus == cfntypes.ResourceStatusCreateFailed:
			topic = aws.ToString(e.ResourceStatusReason)
		}
	}
	if queue != "made" || !strings.Contains(topic, "assumed-role/deployer/AWSCloudFormation") {
		t.Errorf("queue %q, topic's failure %q; want the queue made and the topic refused to the role's session", queue, topic)
	}
}
