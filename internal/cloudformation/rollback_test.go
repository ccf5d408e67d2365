package cloudformation_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

const failing = `
Resources:
  Good:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: good-queue
  Bad:
    Type: AWS::SQS::Queue
    DependsOn: Good
    Properties:
      QueueName: bad-queue
      VisibilityTimeout: 99999
`

// TestFailedCreateRollsBack: a resource the service refuses fails the create; what was made is
// deleted, and the events say which resource failed and why.
func TestFailedCreateRollsBack(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		out, err := c.cfn.CreateStack(bg, &cloudformation.CreateStackInput{StackName: aws.String("broken"), TemplateBody: aws.String(failing)})
		if err != nil {
			t.Fatal(err)
		}
		st := stack(t, c, "broken")
		if st.StackStatus != cfntypes.StackStatusRollbackComplete {
			t.Fatalf("status = %s; want ROLLBACK_COMPLETE", st.StackStatus)
		}
		if _, err := c.sqs.GetQueueUrl(bg, &sqs.GetQueueUrlInput{QueueName: aws.String("good-queue")}); err == nil {
			t.Error("the queue made before the failure outlived the rollback")
		}
		events, err := c.cfn.DescribeStackEvents(bg, &cloudformation.DescribeStackEventsInput{StackName: out.StackId})
		if err != nil {
			t.Fatal(err)
		}
		var seq []string
		var badReason string
		for i := len(events.StackEvents) - 1; i >= 0; i-- {
			e := events.StackEvents[i]
			seq = append(seq, *e.LogicalResourceId+" "+string(e.ResourceStatus))
			if *e.LogicalResourceId == "Bad" && e.ResourceStatus == cfntypes.ResourceStatusCreateFailed {
				badReason = aws.ToString(e.ResourceStatusReason)
			}
		}
		want := []string{"broken CREATE_IN_PROGRESS", "Good CREATE_IN_PROGRESS", "Good CREATE_IN_PROGRESS", "Good CREATE_COMPLETE",
			"Bad CREATE_IN_PROGRESS", "Bad CREATE_FAILED", "broken ROLLBACK_IN_PROGRESS", "Bad DELETE_COMPLETE",
			"Good DELETE_IN_PROGRESS", "Good DELETE_COMPLETE", "broken ROLLBACK_COMPLETE"}
		if strings.Join(seq, "\n") != strings.Join(want, "\n") {
			t.Errorf("events, oldest first:\n%s\nwant:\n%s", strings.Join(seq, "\n"), strings.Join(want, "\n"))
		}
		if !strings.Contains(badReason, "VisibilityTimeout") {
			t.Errorf("Bad's CREATE_FAILED reason = %q; want SQS's words about VisibilityTimeout", badReason)
		}
		// A stack in ROLLBACK_COMPLETE cannot be updated, only deleted.
		_, err = c.cfn.UpdateStack(bg, &cloudformation.UpdateStackInput{StackName: aws.String("broken"), TemplateBody: aws.String(failing)})
		if code, msg := apiError(err); code != "ValidationError" || !strings.Contains(msg, "ROLLBACK_COMPLETE state and can not be updated") {
			t.Errorf("UpdateStack(ROLLBACK_COMPLETE) = %s %q", code, msg)
		}
		if _, err := c.cfn.DeleteStack(bg, &cloudformation.DeleteStackInput{StackName: aws.String("broken")}); err != nil {
			t.Fatal(err)
		}
	})
}

const updateV1 = `
Resources:
  Keep:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 30
`

const updateV2Failing = `
Resources:
  Keep:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
  Topic:
    Type: AWS::SNS::Topic
  Bad:
    Type: AWS::SQS::Queue
    DependsOn: [Keep, Topic]
    Properties:
      MessageRetentionPeriod: 1
`

// TestFailedUpdateRollsBack: an update whose last resource fails puts back the first
// resource's attributes and deletes the one it added, ending in UPDATE_ROLLBACK_COMPLETE.
func TestFailedUpdateRollsBack(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		if _, err := c.cfn.CreateStack(bg, &cloudformation.CreateStackInput{StackName: aws.String("up"), TemplateBody: aws.String(updateV1)}); err != nil {
			t.Fatal(err)
		}
		res, err := c.cfn.DescribeStackResource(bg, &cloudformation.DescribeStackResourceInput{StackName: aws.String("up"), LogicalResourceId: aws.String("Keep")})
		if err != nil {
			t.Fatal(err)
		}
		url := res.StackResourceDetail.PhysicalResourceId
		if _, err := c.cfn.UpdateStack(bg, &cloudformation.UpdateStackInput{StackName: aws.String("up"), TemplateBody: aws.String(updateV2Failing)}); err != nil {
			t.Fatal(err)
		}
		st := stack(t, c, "up")
		if st.StackStatus != cfntypes.StackStatusUpdateRollbackComplete || !strings.Contains(aws.ToString(st.StackStatusReason), "[Bad]") {
			t.Fatalf("status = %s (%s); want UPDATE_ROLLBACK_COMPLETE naming Bad", st.StackStatus, aws.ToString(st.StackStatusReason))
		}
		a, err := c.sqs.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: url, AttributeNames: []sqstypes.QueueAttributeName{"VisibilityTimeout"}})
		if err != nil || a.Attributes["VisibilityTimeout"] != "30" {
			t.Errorf("Keep's VisibilityTimeout after the rollback = %v, %v; want 30 again", a, err)
		}
		topics, _ := c.sns.ListTopics(bg, nil)
		if len(topics.Topics) != 0 {
			t.Errorf("topics after the rollback = %d; want the added one deleted", len(topics.Topics))
		}
		list, err := c.cfn.ListStackResources(bg, &cloudformation.ListStackResourcesInput{StackName: aws.String("up")})
		if err != nil || len(list.StackResourceSummaries) != 1 {
			t.Errorf("ListStackResources = %+v, %v; want Keep alone", list, err)
		}
		tpl, _ := c.cfn.GetTemplate(bg, &cloudformation.GetTemplateInput{StackName: aws.String("up")})
		if aws.ToString(tpl.TemplateBody) != updateV1 {
			t.Errorf("GetTemplate after the rollback = %q; want the first template", aws.ToString(tpl.TemplateBody))
		}
		// The stack can be updated again.
		if _, err := c.cfn.UpdateStack(bg, &cloudformation.UpdateStackInput{StackName: aws.String("up"),
			TemplateBody: aws.String(strings.Replace(updateV1, "30", "45", 1))}); err != nil {
			t.Fatal(err)
		}
		if st := stack(t, c, "up"); st.StackStatus != cfntypes.StackStatusUpdateComplete {
			t.Errorf("status = %s; want UPDATE_COMPLETE", st.StackStatus)
		}
	})
}
