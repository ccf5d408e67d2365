package cloudformation_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/gureum/gureum/internal/gureumtest"
)

var bg = context.Background()

type clients struct {
	cfn *cloudformation.Client
	sqs *sqs.Client
	sns *sns.Client
	srv *gureumtest.Server
}

// each runs fn against a fresh server on every store backend.
func each(t *testing.T, fn func(t *testing.T, c clients)) {
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			srv := gureumtest.Start(t, gureumtest.Options{Args: append([]string{"--log-level", "warn"}, b.Args...)})
			cfg := srv.Config()
			fn(t, clients{cloudformation.NewFromConfig(cfg), sqs.NewFromConfig(cfg), sns.NewFromConfig(cfg), srv})
		})
	}
}

func apiError(err error) (code, msg string) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode(), ae.ErrorMessage()
	}
	return fmt.Sprintf("no API error: %v", err), ""
}

// stack describes a stack once its operation has ended, as the SDK's waiters do: an operation
// runs in the background and may still be in progress when its call has answered.
func stack(t *testing.T, c clients, name string) cfntypes.Stack {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		out, err := c.cfn.DescribeStacks(bg, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
		if err != nil {
			t.Fatalf("DescribeStacks(%s): %v", name, err)
		}
		if !strings.HasSuffix(string(out.Stacks[0].StackStatus), "_IN_PROGRESS") || time.Now().After(deadline) {
			return out.Stacks[0]
		}
	}
}

func outputs(s cfntypes.Stack) map[string]string {
	m := map[string]string{}
	for _, o := range s.Outputs {
		m[*o.OutputKey] = *o.OutputValue
	}
	return m
}

const messagingV1 = `
AWSTemplateFormatVersion: "2010-09-09"
Description: a queue subscribed to a topic
Parameters:
  Visibility:
    Type: Number
    Default: 30
    MinValue: 0
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: !Ref Visibility
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: !Sub "${AWS::StackName} topic"
  Sub:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Topic
      Protocol: sqs
      Endpoint: !GetAtt Queue.Arn
      RawMessageDelivery: true
Outputs:
  QueueUrl:
    Value: !Ref Queue
  QueueArn:
    Value: !GetAtt [Queue, Arn]
    Export:
      Name: !Sub "${AWS::StackName}-queue"
  TopicArn:
    Value: !Ref Topic
`

func TestStackLifecycle(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		out, err := c.cfn.CreateStack(bg, &cloudformation.CreateStackInput{StackName: aws.String("app"), TemplateBody: aws.String(messagingV1)})
		if err != nil {
			t.Fatalf("CreateStack: %v", err)
		}
		if !strings.HasPrefix(*out.StackId, "arn:aws:cloudformation:us-east-1:") {
			t.Errorf("StackId = %s", *out.StackId)
		}
		st := stack(t, c, "app")
		if st.StackStatus != cfntypes.StackStatusCreateComplete {
			t.Fatalf("status = %s (%s); want CREATE_COMPLETE", st.StackStatus, aws.ToString(st.StackStatusReason))
		}
		o := outputs(st)
		attrs, err := c.sqs.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(o["QueueUrl"]), AttributeNames: []sqstypes.QueueAttributeName{"All"}})
		if err != nil {
			t.Fatalf("GetQueueAttributes(%s): %v", o["QueueUrl"], err)
		}
		if attrs.Attributes["VisibilityTimeout"] != "30" || attrs.Attributes["QueueArn"] != o["QueueArn"] {
			t.Errorf("queue attributes = %v; want visibility 30 and the output's ARN", attrs.Attributes)
		}
		// The subscription delivers: a publish reaches the queue raw.
		if _, err := c.sns.Publish(bg, &sns.PublishInput{TopicArn: aws.String(o["TopicArn"]), Message: aws.String("hello")}); err != nil {
			t.Fatal(err)
		}
		msg, err := c.sqs.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: aws.String(o["QueueUrl"]), WaitTimeSeconds: 5})
		if err != nil || len(msg.Messages) != 1 || *msg.Messages[0].Body != "hello" {
			t.Fatalf("ReceiveMessage = %+v, %v; want the raw publication", msg, err)
		}
		exports, err := c.cfn.ListExports(bg, &cloudformation.ListExportsInput{})
		if err != nil || len(exports.Exports) != 1 || *exports.Exports[0].Name != "app-queue" {
			t.Errorf("ListExports = %+v, %v", exports, err)
		}

		// Update: an in-place change of the queue, and the topic's display name.
		_, err = c.cfn.UpdateStack(bg, &cloudformation.UpdateStackInput{StackName: aws.String("app"), UsePreviousTemplate: aws.Bool(true),
			Parameters: []cfntypes.Parameter{{ParameterKey: aws.String("Visibility"), ParameterValue: aws.String("90")}}})
		if err != nil {
			t.Fatalf("UpdateStack: %v", err)
		}
		st = stack(t, c, "app")
		if st.StackStatus != cfntypes.StackStatusUpdateComplete {
			t.Fatalf("status = %s (%s); want UPDATE_COMPLETE", st.StackStatus, aws.ToString(st.StackStatusReason))
		}
		if outputs(st)["QueueUrl"] != o["QueueUrl"] {
			t.Errorf("the queue was replaced (%s → %s); want an in-place update", o["QueueUrl"], outputs(st)["QueueUrl"])
		}
		attrs, _ = c.sqs.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(o["QueueUrl"]), AttributeNames: []sqstypes.QueueAttributeName{"VisibilityTimeout"}})
		if attrs.Attributes["VisibilityTimeout"] != "90" {
			t.Errorf("VisibilityTimeout = %v; want 90", attrs.Attributes)
		}
		_, err = c.cfn.UpdateStack(bg, &cloudformation.UpdateStackInput{StackName: aws.String("app"), UsePreviousTemplate: aws.Bool(true),
			Parameters: []cfntypes.Parameter{{ParameterKey: aws.String("Visibility"), UsePreviousValue: aws.Bool(true)}}})
		if code, msg := apiError(err); code != "ValidationError" || msg != "No updates are to be performed." {
			t.Errorf("UpdateStack(no change) = %s %q; want ValidationError No updates are to be performed.", code, msg)
		}

		events, err := c.cfn.DescribeStackEvents(bg, &cloudformation.DescribeStackEventsInput{StackName: aws.String("app")})
		if err != nil || len(events.StackEvents) == 0 || events.StackEvents[0].ResourceStatus != cfntypes.ResourceStatusUpdateComplete ||
			*events.StackEvents[0].LogicalResourceId != "app" {
			t.Fatalf("DescribeStackEvents = %+v, %v; want the stack's UPDATE_COMPLETE first", events, err)
		}
		res, err := c.cfn.ListStackResources(bg, &cloudformation.ListStackResourcesInput{StackName: aws.String("app")})
		if err != nil || len(res.StackResourceSummaries) != 3 {
			t.Fatalf("ListStackResources = %+v, %v; want 3", res, err)
		}

		if _, err := c.cfn.DeleteStack(bg, &cloudformation.DeleteStackInput{StackName: aws.String("app")}); err != nil {
			t.Fatal(err)
		}
		_, err = c.cfn.DescribeStacks(bg, &cloudformation.DescribeStacksInput{StackName: aws.String("app")})
		if code, msg := apiError(err); code != "ValidationError" || msg != "Stack with id app does not exist" {
			t.Errorf("DescribeStacks(deleted) = %s %q", code, msg)
		}
		gone, err := c.cfn.DescribeStacks(bg, &cloudformation.DescribeStacksInput{StackName: out.StackId})
		if err != nil || gone.Stacks[0].StackStatus != cfntypes.StackStatusDeleteComplete {
			t.Errorf("DescribeStacks(deleted, by id) = %+v, %v; want DELETE_COMPLETE", gone, err)
		}
		if _, err := c.sqs.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(o["QueueUrl"])}); err == nil {
			t.Error("the queue outlived its stack")
		}
	})
}
