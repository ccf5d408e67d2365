package cloudformation_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

const refStack = `
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      Tags:
        - Key: color
          Value: "{{resolve:ssm:/app/color}}"
        - Key: password
          Value: "{{resolve:secretsmanager:db:SecretString:password}}"
        - Key: NAME
          Value: "x-{{resolve:ssm:/app/color:1}}-y"
Outputs:
  Queue:
    Value: !Ref Queue
`

// TestDynamicReferences resolves {{resolve:ssm:…}} and {{resolve:secretsmanager:…}} in a
// resource's properties for the provider, keeps them as written in the stack's template, and
// fails the resource (naming the reference) when a parameter does not exist.
func TestDynamicReferences(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	cfg := srv.Config()
	c := clients{cfn: cloudformation.NewFromConfig(cfg), sqs: sqs.NewFromConfig(cfg), srv: srv}
	if _, err := ssm.NewFromConfig(cfg).PutParameter(bg, &ssm.PutParameterInput{Name: aws.String("/app/color"), Value: aws.String("blue"),
		Type: ssmtypes.ParameterTypeString}); err != nil {
		t.Fatal(err)
	}
	if _, err := secretsmanager.NewFromConfig(cfg).CreateSecret(bg, &secretsmanager.CreateSecretInput{Name: aws.String("db"),
		SecretString: aws.String(`{"password":"hunter2"}`)}); err != nil {
		t.Fatal(err)
	}
	deploy(t, c, "refs", refStack)
	st := stack(t, c, "refs")
	if st.StackStatus != cfntypes.StackStatusCreateComplete {
		t.Fatalf("create: %s (%s)", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	tags, err := c.sqs.ListQueueTags(bg, &sqs.ListQueueTagsInput{QueueUrl: aws.String(outputs(st)["Queue"])})
	if err != nil || tags.Tags["color"] != "blue" || tags.Tags["password"] != "hunter2" || tags.Tags["NAME"] != "x-blue-y" {
		t.Errorf("queue tags = %v, %v; want the references resolved", tags.Tags, err)
	}
	tpl, err := c.cfn.GetTemplate(bg, &cloudformation.GetTemplateInput{StackName: aws.String("refs")})
	if err != nil || strings.Contains(aws.ToString(tpl.TemplateBody), "hunter2") {
		t.Errorf("GetTemplate = %v; want the references as written", err)
	}

	deploy(t, c, "refs-missing", strings.Replace(refStack, "/app/color}}", "/app/missing}}", 1))
	st = stack(t, c, "refs-missing")
	if st.StackStatus != cfntypes.StackStatusRollbackComplete || !strings.Contains(aws.ToString(st.StackStatusReason), "Queue") {
		t.Errorf("a missing parameter: %s (%s); want ROLLBACK_COMPLETE naming Queue", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
}
