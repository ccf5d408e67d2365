package cloudformation_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

// customLambda is a custom resource backed by a function that answers through the ResponseURL
// (as cfn-response does) and remembers the requests it got in its PhysicalResourceId and Data.
const customLambda = `
Parameters:
  Name:
    Type: String
  Fail:
    Type: String
    Default: "no"
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
  Provider:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Timeout: 30
      Role: !GetAtt Role.Arn
      Code:
        ZipFile: |
          import json, urllib.request
          def handler(event, context):
              props = event["ResourceProperties"]
              status = "FAILED" if props.get("Fail") == "yes" else "SUCCESS"
              old = event.get("OldResourceProperties", {}).get("Name", "")
              body = {"Status": status, "Reason": "asked to fail" if status == "FAILED" else "",
                      "PhysicalResourceId": "greeting-" + props["Name"], "StackId": event["StackId"],
                      "RequestId": event["RequestId"], "LogicalResourceId": event["LogicalResourceId"],
                      "Data": {"Greeting": "hello " + props["Name"], "Was": old, "Type": event["RequestType"]}}
              req = urllib.request.Request(event["ResponseURL"], data=json.dumps(body).encode(), method="PUT")
              urllib.request.urlopen(req).read()
  Greeting:
    Type: Custom::Greeting
    Properties:
      ServiceToken: !GetAtt Provider.Arn
      Name: !Ref Name
      Fail: !Ref Fail
Outputs:
  Greeting:
    Value: !GetAtt Greeting.Greeting
  Was:
    Value: !GetAtt Greeting.Was
  Id:
    Value: !Ref Greeting
`

func param(k, v string) cfntypes.Parameter {
	return cfntypes.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(v)}
}

// TestCustomResourceLambda creates, updates, fails to update and deletes a Lambda-backed custom
// resource: Data reaches Fn::GetAtt, the PhysicalResourceId reaches Ref, an update carries
// OldResourceProperties, and a FAILED answer rolls the stack back with the resource's reason.
func TestCustomResourceLambda(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	c := clients{cfn: cloudformation.NewFromConfig(srv.Config()), srv: srv}
	deploy(t, c, "custom", customLambda, param("Name", "ada"))
	st := stack(t, c, "custom")
	if st.StackStatus != cfntypes.StackStatusCreateComplete {
		t.Fatalf("create: %s (%s)", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	if o := outputs(st); o["Greeting"] != "hello ada" || o["Id"] != "greeting-ada" || o["Was"] != "" {
		t.Errorf("outputs after create = %v", o)
	}
	deploy(t, c, "custom", customLambda, param("Name", "bob"))
	st = stack(t, c, "custom")
	if o := outputs(st); st.StackStatus != cfntypes.StackStatusUpdateComplete || o["Greeting"] != "hello bob" || o["Was"] != "ada" || o["Id"] != "greeting-bob" {
		t.Errorf("after update: %s %v", st.StackStatus, o)
	}
	deploy(t, c, "custom", customLambda, param("Name", "cy"), param("Fail", "yes"))
	st = stack(t, c, "custom")
	if st.StackStatus != cfntypes.StackStatusUpdateRollbackComplete {
		t.Fatalf("failing update: %s (%s); want UPDATE_ROLLBACK_COMPLETE", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	events, _ := c.cfn.DescribeStackEvents(bg, &cloudformation.DescribeStackEventsInput{StackName: aws.String("custom")})
	found := false
	for _, e := range events.StackEvents {
		if *e.LogicalResourceId == "Greeting" && e.ResourceStatus == cfntypes.ResourceStatusUpdateFailed {
			found = strings.Contains(aws.ToString(e.ResourceStatusReason), "Received response status [FAILED] from custom resource. Message returned: asked to fail")
		}
	}
	if !found {
		t.Error("no UPDATE_FAILED event of Greeting with the custom resource's reason")
	}
	if o := outputs(st); o["Greeting"] != "hello bob" {
		t.Errorf("outputs after the rollback = %v; want bob's", o)
	}
	if _, err := c.cfn.DeleteStack(bg, &cloudformation.DeleteStackInput{StackName: aws.String("custom")}); err != nil {
		t.Fatal(err)
	}
	if st := stack(t, c, aws.ToString(st.StackId)); st.StackStatus != cfntypes.StackStatusDeleteComplete {
		t.Errorf("delete: %s (%s)", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
}

const customTopic = `
Parameters:
  Topic:
    Type: String
Resources:
  Thing:
    Type: AWS::CloudFormation::CustomResource
    Properties:
      ServiceToken: !Ref Topic
      Size: 3
Outputs:
  Size:
    Value: !GetAtt Thing.Size
`

// TestCustomResourceTopic has an SNS-backed custom resource answered by the test itself, from the
// message its topic delivers to a queue, at the ResponseURL in it.
func TestCustomResourceTopic(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	cfg := srv.Config()
	c := clients{cfn: cloudformation.NewFromConfig(cfg), sqs: sqs.NewFromConfig(cfg), sns: sns.NewFromConfig(cfg), srv: srv}
	topic, err := c.sns.CreateTopic(bg, &sns.CreateTopicInput{Name: aws.String("provisioner")})
	if err != nil {
		t.Fatal(err)
	}
	q, err := c.sqs.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String("requests")})
	if err != nil {
		t.Fatal(err)
	}
	qa, _ := c.sqs.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
	if _, err := c.sns.Subscribe(bg, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(qa.Attributes["QueueArn"]),
		Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	answer := make(chan string, 1)
	go func() {
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
			m, err := c.sqs.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 1})
			if err != nil || len(m.Messages) == 0 {
				continue
			}
			var ev map[string]any
			json.Unmarshal([]byte(aws.ToString(m.Messages[0].Body)), &ev)
			props, _ := ev["ResourceProperties"].(map[string]any)
			body, _ := json.Marshal(map[string]any{"Status": "SUCCESS", "PhysicalResourceId": "thing-1", "RequestId": ev["RequestId"],
				"Data": map[string]any{"Size": props["Size"]}})
			url, _ := ev["ResponseURL"].(string)
			req, _ := http.NewRequest(http.MethodPut, url, bytes.NewReader(body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				answer <- err.Error()
				return
			}
			resp.Body.Close()
			answer <- resp.Status
			return
		}
		answer <- "no request came"
	}()
	deploy(t, c, "sns-custom", customTopic, param("Topic", aws.ToString(topic.TopicArn)))
	if got := <-answer; got != "200 OK" {
		t.Fatalf("PUT to the ResponseURL = %s; want 200 OK", got)
	}
	st := stack(t, c, "sns-custom")
	if st.StackStatus != cfntypes.StackStatusCreateComplete || outputs(st)["Size"] != "3" {
		t.Fatalf("create: %s (%s) %v", st.StackStatus, aws.ToString(st.StackStatusReason), outputs(st))
	}
}
