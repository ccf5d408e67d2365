package cloudformation_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// TestTemplateChecks: what gureum cannot make, or a template that does not hold together, is
// refused by name before anything is made.
func TestTemplateChecks(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		cases := []struct{ body, code, msg string }{
			{"Resources:\n  T:\n    Type: AWS::EC2::VPC\n  Q:\n    Type: AWS::SQS::Queue\n", "ValidationError", "Unrecognized resource types: [AWS::EC2::VPC]"},
			{"Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Bogus: 1\n", "ValidationError", "Q (AWS::SQS::Queue) property Bogus"},
			{"Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    DependsOn: Nope\n", "ValidationError", "Unresolved resource dependencies [Nope]"},
			{"Resources:\n  A:\n    Type: AWS::SQS::Queue\n    DependsOn: B\n  B:\n    Type: AWS::SQS::Queue\n    DependsOn: A\n", "ValidationError", ""},
			{"Parameters:\n  P:\n    Type: String\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n", "ValidationError", "Parameters: [P] must have values"},
			{"Parameters:\n  P:\n    Type: String\n    Default: x\n    AllowedValues: [a, b]\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n", "ValidationError", "Parameter 'P' must be one of AllowedValues"},
			{"Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n", "InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_IAM]"},
			{"Resources: [", "ValidationError", "Template format error"},
			{"Resources: {}", "ValidationError", "At least one Resources member must be defined."},
		}
		for i, tc := range cases {
			_, err := c.cfn.CreateStack(bg, &cloudformation.CreateStackInput{StackName: aws.String("bad"), TemplateBody: aws.String(tc.body)})
			code, msg := apiError(err)
			if code != tc.code || !strings.Contains(msg, tc.msg) {
				t.Errorf("case %d: CreateStack = %s %q; want %s containing %q", i, code, msg, tc.code, tc.msg)
			}
		}
		if _, err := c.cfn.DescribeStacks(bg, &cloudformation.DescribeStacksInput{StackName: aws.String("bad")}); err == nil {
			t.Error("a refused template left a stack")
		}
		v, err := c.cfn.ValidateTemplate(bg, &cloudformation.ValidateTemplateInput{TemplateBody: aws.String(messagingV1)})
		if err != nil || len(v.Parameters) != 1 || *v.Parameters[0].ParameterKey != "Visibility" || aws.ToString(v.Description) != "a queue subscribed to a topic" {
			t.Errorf("ValidateTemplate = %+v, %v", v, err)
		}
		sum, err := c.cfn.GetTemplateSummary(bg, &cloudformation.GetTemplateSummaryInput{TemplateBody: aws.String(samAPI)})
		if err != nil || strings.Join(sum.DeclaredTransforms, ",") != "AWS::Serverless-2016-10-31" || len(sum.ResourceTypes) == 0 {
			t.Errorf("GetTemplateSummary(SAM) = %+v, %v", sum, err)
		}
	})
}

const exporter = `
Resources:
  Q:
    Type: AWS::SQS::Queue
Outputs:
  Arn:
    Value: !GetAtt Q.Arn
    Export: {Name: shared-queue}
`

const importer = `
Resources:
  T:
    Type: AWS::SNS::Topic
  S:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref T
      Protocol: sqs
      Endpoint: !ImportValue shared-queue
`

// TestExportsAndProtection: an imported export keeps its stack from deletion, a second export of
// the name fails, termination protection refuses a delete, and change sets are listed and deleted.
func TestExportsAndProtection(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		for name, body := range map[string]string{"exp": exporter} {
			if _, err := c.cfn.CreateStack(bg, &cloudformation.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(body),
				EnableTerminationProtection: aws.Bool(true)}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := c.cfn.CreateStack(bg, &cloudformation.CreateStackInput{StackName: aws.String("imp"), TemplateBody: aws.String(importer)}); err != nil {
			t.Fatal(err)
		}
		if st := stack(t, c, "imp"); st.StackStatus != cfntypes.StackStatusCreateComplete {
			t.Fatalf("importer: %s (%s)", st.StackStatus, aws.ToString(st.StackStatusReason))
		}
		imports, err := c.cfn.ListImports(bg, &cloudformation.ListImportsInput{ExportName: aws.String("shared-queue")})
		if err != nil || strings.Join(imports.Imports, ",") != "imp" {
			t.Errorf("ListImports = %+v, %v; want imp", imports, err)
		}
		_, err = c.cfn.DeleteStack(bg, &cloudformation.DeleteStackInput{StackName: aws.String("exp")})
		if code, msg := apiError(err); code != "ValidationError" || !strings.Contains(msg, "TerminationProtection") {
			t.Errorf("DeleteStack(protected) = %s %q", code, msg)
		}
		if _, err := c.cfn.UpdateTerminationProtection(bg, &cloudformation.UpdateTerminationProtectionInput{StackName: aws.String("exp"),
			EnableTerminationProtection: aws.Bool(false)}); err != nil {
			t.Fatal(err)
		}
		_, err = c.cfn.DeleteStack(bg, &cloudformation.DeleteStackInput{StackName: aws.String("exp")})
		if code, msg := apiError(err); code != "ValidationError" || msg != "Export shared-queue cannot be deleted as it is in use by imp" {
			t.Errorf("DeleteStack(exported and imported) = %s %q", code, msg)
		}
		if _, err := c.cfn.CreateStack(bg, &cloudformation.CreateStackInput{StackName: aws.String("twin"), TemplateBody: aws.String(exporter)}); err != nil {
			t.Fatal(err)
		}
		if st := stack(t, c, "twin"); st.StackStatus != cfntypes.StackStatusRollbackComplete || !strings.Contains(aws.ToString(st.StackStatusReason), "already exported by stack exp") {
			t.Errorf("a second export of the name: %s (%s)", st.StackStatus, aws.ToString(st.StackStatusReason))
		}

		cs, err := c.cfn.CreateChangeSet(bg, &cloudformation.CreateChangeSetInput{StackName: aws.String("imp"), ChangeSetName: aws.String("grow"),
			TemplateBody: aws.String(importer + "  Q2:\n    Type: AWS::SQS::Queue\n")})
		if err != nil {
			t.Fatal(err)
		}
		list, err := c.cfn.ListChangeSets(bg, &cloudformation.ListChangeSetsInput{StackName: aws.String("imp")})
		if err != nil || len(list.Summaries) != 1 || list.Summaries[0].Status != cfntypes.ChangeSetStatusCreateComplete {
			t.Errorf("ListChangeSets = %+v, %v", list, err)
		}
		d, _ := c.cfn.DescribeChangeSet(bg, &cloudformation.DescribeChangeSetInput{ChangeSetName: cs.Id})
		if len(d.Changes) != 1 || d.Changes[0].ResourceChange.Action != cfntypes.ChangeActionAdd || *d.Changes[0].ResourceChange.LogicalResourceId != "Q2" {
			t.Errorf("changes = %+v; want Q2 added", d.Changes)
		}
		if _, err := c.cfn.DeleteChangeSet(bg, &cloudformation.DeleteChangeSetInput{ChangeSetName: aws.String("grow"), StackName: aws.String("imp")}); err != nil {
			t.Fatal(err)
		}
		_, err = c.cfn.DescribeChangeSet(bg, &cloudformation.DescribeChangeSetInput{ChangeSetName: cs.Id})
		if code, _ := apiError(err); code != "ChangeSetNotFound" {
			t.Errorf("DescribeChangeSet(deleted) = %s; want ChangeSetNotFound", code)
		}
		for _, name := range []string{"imp", "exp", "twin"} {
			if _, err := c.cfn.DeleteStack(bg, &cloudformation.DeleteStackInput{StackName: aws.String(name)}); err != nil {
				t.Errorf("DeleteStack(%s): %v", name, err)
			}
		}
	})
}

// TestStackPolicy: a stack policy that denies replacing a resource fails an update that would
// replace it, and the stack rolls back; what it allows goes through.
func TestStackPolicy(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		v1 := "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: orders\n      VisibilityTimeout: 30\n"
		policy := `{"Statement":[{"Effect":"Allow","Action":"Update:*","Principal":"*","Resource":"*"},
			{"Effect":"Deny","Action":"Update:Replace","Principal":"*","Resource":"LogicalResourceId/Q"}]}`
		if _, err := c.cfn.CreateStack(bg, &cloudformation.CreateStackInput{StackName: aws.String("guarded"), TemplateBody: aws.String(v1),
			StackPolicyBody: aws.String(policy)}); err != nil {
			t.Fatal(err)
		}
		got, err := c.cfn.GetStackPolicy(bg, &cloudformation.GetStackPolicyInput{StackName: aws.String("guarded")})
		if err != nil || aws.ToString(got.StackPolicyBody) != policy {
			t.Errorf("GetStackPolicy = %+v, %v", got, err)
		}
		if _, err := c.cfn.UpdateStack(bg, &cloudformation.UpdateStackInput{StackName: aws.String("guarded"),
			TemplateBody: aws.String(strings.Replace(v1, "30", "60", 1))}); err != nil {
			t.Fatal(err)
		}
		if st := stack(t, c, "guarded"); st.StackStatus != cfntypes.StackStatusUpdateComplete {
			t.Errorf("an allowed modification: %s (%s)", st.StackStatus, aws.ToString(st.StackStatusReason))
		}
		if _, err := c.cfn.UpdateStack(bg, &cloudformation.UpdateStackInput{StackName: aws.String("guarded"),
			TemplateBody: aws.String(strings.Replace(v1, "orders", "orders2", 1))}); err != nil {
			t.Fatal(err)
		}
		st := stack(t, c, "guarded")
		if st.StackStatus != cfntypes.StackStatusUpdateRollbackComplete {
			t.Fatalf("a denied replacement: %s (%s); want UPDATE_ROLLBACK_COMPLETE", st.StackStatus, aws.ToString(st.StackStatusReason))
		}
		events, _ := c.cfn.DescribeStackEvents(bg, &cloudformation.DescribeStackEventsInput{StackName: aws.String("guarded")})
		found := false
		for _, e := range events.StackEvents {
			found = found || e.ResourceStatus == cfntypes.ResourceStatusUpdateFailed && strings.Contains(aws.ToString(e.ResourceStatusReason), "Action denied by stack policy")
		}
		if !found {
			t.Error("no UPDATE_FAILED event saying the stack policy denied it")
		}
		_, err = c.cfn.SetStackPolicy(bg, &cloudformation.SetStackPolicyInput{StackName: aws.String("guarded"), StackPolicyBody: aws.String("{")})
		if code, _ := apiError(err); code != "ValidationError" {
			t.Errorf("SetStackPolicy(bad JSON) = %s; want ValidationError", code)
		}
	})
}
