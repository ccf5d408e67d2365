package cloudformation_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gureum/gureum/internal/gureumtest"
)

// userClient makes an IAM user with an inline policy and returns a CloudFormation client
// signed with its key.
func userClient(t *testing.T, c clients, name, policy string) *cloudformation.Client {
	t.Helper()
	admin := awsiam.NewFromConfig(c.srv.Config())
	if _, err := admin.CreateUser(bg, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.PutUserPolicy(bg, &awsiam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	key, err := admin.CreateAccessKey(bg, &awsiam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return cloudformation.NewFromConfig(gureumtest.ConfigFor(c.srv.Endpoint, *key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey, ""))
}

// TestStackActsAsItsCreator: a stack makes its resources with its creator's permissions, so a
// user allowed CloudFormation but not SQS gets a rolled-back stack that says why, and a user
// without CloudFormation is refused at the door.
func TestStackActsAsItsCreator(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		cfnOnly := userClient(t, c, "deployer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloudformation:*","Resource":"*"}]}`)
		tpl := "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"
		if _, err := cfnOnly.CreateStack(bg, &cloudformation.CreateStackInput{StackName: aws.String("denied"), TemplateBody: aws.String(tpl)}); err != nil {
			t.Fatal(err)
		}
		out, err := cfnOnly.DescribeStackEvents(bg, &cloudformation.DescribeStackEventsInput{StackName: aws.String("denied")})
		if err != nil {
			t.Fatal(err)
		}
		var reason string
		for _, e := range out.StackEvents {
			if *e.LogicalResourceId == "Q" && e.ResourceStatus == cfntypes.ResourceStatusCreateFailed {
				reason = aws.ToString(e.ResourceStatusReason)
			}
		}
		if !strings.Contains(reason, "AccessDenied") || !strings.Contains(reason, "sqs:CreateQueue") {
			t.Errorf("Q's CREATE_FAILED reason = %q; want SQS's AccessDenied for sqs:CreateQueue", reason)
		}
		if st := stack(t, c, "denied"); st.StackStatus != cfntypes.StackStatusRollbackComplete {
			t.Errorf("status = %s; want ROLLBACK_COMPLETE", st.StackStatus)
		}

		both := userClient(t, c, "builder", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudformation:*","sqs:*"],"Resource":"*"}]}`)
		if _, err := both.CreateStack(bg, &cloudformation.CreateStackInput{StackName: aws.String("allowed"), TemplateBody: aws.String(tpl)}); err != nil {
			t.Fatal(err)
		}
		if st := stack(t, c, "allowed"); st.StackStatus != cfntypes.StackStatusCreateComplete {
			t.Errorf("status = %s (%s); want CREATE_COMPLETE", st.StackStatus, aws.ToString(st.StackStatusReason))
		}

		sqsOnly := userClient(t, c, "outsider", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`)
		_, err = sqsOnly.CreateStack(bg, &cloudformation.CreateStackInput{StackName: aws.String("nope"), TemplateBody: aws.String(tpl)})
		if code, _ := apiError(err); code != "AccessDenied" {
			t.Errorf("CreateStack without cloudformation:CreateStack = %s; want AccessDenied", code)
		}
		_, err = sqsOnly.DescribeStacks(bg, &cloudformation.DescribeStacksInput{StackName: aws.String("allowed")})
		if code, _ := apiError(err); code != "AccessDenied" {
			t.Errorf("DescribeStacks without cloudformation:DescribeStacks = %s; want AccessDenied", code)
		}
	})
}
