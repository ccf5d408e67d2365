package cloudformation_test

import (
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/gureum/gureum/internal/sandbox"
)

func TestMain(m *testing.M) {
	sandbox.Init()
	os.Exit(m.Run())
}

const samAPI = `
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Timeout: 10
Parameters:
  Greeting:
    Type: String
    Default: hello
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      AutoPublishAlias: live
      Environment:
        Variables:
          GREETING: !Ref Greeting
      InlineCode: |
        import json, os
        def handler(event, context):
            return {"statusCode": 200, "body": json.dumps({"greeting": os.environ["GREETING"], "id": event["pathParameters"]["id"]})}
      Events:
        Get:
          Type: Api
          Properties:
            Path: /hello/{id}
            Method: get
Outputs:
  ApiId:
    Value: !Ref ServerlessRestApi
  Alias:
    Value: !Ref Hello.Alias
`

// deploy runs a change set as aws cloudformation deploy does: create it, check it, execute it.
func deploy(t *testing.T, c clients, name, body string, params ...cfntypes.Parameter) *cloudformation.DescribeChangeSetOutput {
	t.Helper()
	typ := cfntypes.ChangeSetTypeUpdate
	if _, err := c.cfn.DescribeStacks(bg, &cloudformation.DescribeStacksInput{StackName: aws.String(name)}); err != nil {
		typ = cfntypes.ChangeSetTypeCreate
	}
	cs, err := c.cfn.CreateChangeSet(bg, &cloudformation.CreateChangeSetInput{StackName: aws.String(name), TemplateBody: aws.String(body),
		ChangeSetName: aws.String("cs" + strconv.FormatInt(time.Now().UnixNano(), 36)), ChangeSetType: typ, Parameters: params,
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam}})
	if err != nil {
		t.Fatalf("CreateChangeSet: %v", err)
	}
	desc, err := c.cfn.DescribeChangeSet(bg, &cloudformation.DescribeChangeSetInput{ChangeSetName: cs.Id})
	if err != nil {
		t.Fatalf("DescribeChangeSet: %v", err)
	}
	if desc.Status != cfntypes.ChangeSetStatusCreateComplete {
		return desc
	}
	if _, err := c.cfn.ExecuteChangeSet(bg, &cloudformation.ExecuteChangeSetInput{ChangeSetName: cs.Id}); err != nil {
		t.Fatalf("ExecuteChangeSet: %v", err)
	}
	return desc
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestSAMFunctionBehindAPI deploys a SAM function behind an implicit REST API through change
// sets, calls it, changes its code's environment (a new version behind the alias) and deletes it.
func TestSAMFunctionBehindAPI(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		desc := deploy(t, c, "web", samAPI)
		if len(desc.Changes) != 8 {
			var ids []string
			for _, ch := range desc.Changes {
				ids = append(ids, *ch.ResourceChange.LogicalResourceId)
			}
			t.Errorf("change set adds %d resources %v; want the 8 of the translator's expansion", len(desc.Changes), ids)
		}
		st := stack(t, c, "web")
		if st.StackStatus != cfntypes.StackStatusCreateComplete {
			t.Fatalf("status = %s (%s); want CREATE_COMPLETE", st.StackStatus, aws.ToString(st.StackStatusReason))
		}
		o := outputs(st)
		url := c.srv.Endpoint + "/_gureum/execute-api/" + o["ApiId"] + "/Prod/hello/42"
		code, body := get(t, url)
		if code != 200 || body != `{"greeting": "hello", "id": "42"}` {
			t.Fatalf("GET %s = %d %s; want the function's answer", url, code, body)
		}
		if !strings.HasSuffix(o["Alias"], ":function:"+strings.Split(o["Alias"], ":")[6]+":live") {
			t.Errorf("Alias output = %s; want the alias ARN", o["Alias"])
		}

		// New code publishes a new version behind the alias (a parameter in the environment
		// alone would not: the translator hashes the code into the version's id).
		v2 := strings.Replace(samAPI, `"greeting": os.environ["GREETING"]`, `"greeting": os.environ["GREETING"] + "!"`, 1)
		desc = deploy(t, c, "web", v2, cfntypes.Parameter{ParameterKey: aws.String("Greeting"), ParameterValue: aws.String("hi")})
		var actions []string
		for _, ch := range desc.Changes {
			actions = append(actions, string(ch.ResourceChange.Action)+" "+*ch.ResourceChange.LogicalResourceId)
		}
		if st := stack(t, c, "web"); st.StackStatus != cfntypes.StackStatusUpdateComplete {
			t.Fatalf("after the update status = %s (%s), changes %v", st.StackStatus, aws.ToString(st.StackStatusReason), actions)
		}
		if code, body := get(t, url); code != 200 || body != `{"greeting": "hi!", "id": "42"}` {
			t.Fatalf("GET after the update = %d %s; want the new greeting", code, body)
		}
		if desc := deploy(t, c, "web", v2, cfntypes.Parameter{ParameterKey: aws.String("Greeting"), UsePreviousValue: aws.Bool(true)}); desc.Status != cfntypes.ChangeSetStatusFailed ||
			aws.ToString(desc.StatusReason) != "No updates are to be performed." || desc.ExecutionStatus != cfntypes.ExecutionStatusUnavailable {
			t.Errorf("unchanged change set = %s %s %q; want FAILED UNAVAILABLE No updates are to be performed.", desc.Status, desc.ExecutionStatus, aws.ToString(desc.StatusReason))
		}

		if _, err := c.cfn.DeleteStack(bg, &cloudformation.DeleteStackInput{StackName: aws.String("web")}); err != nil {
			t.Fatal(err)
		}
		if code, _ := get(t, url); code == 200 {
			t.Error("the API answers after its stack was deleted")
		}
		fns, err := lambda.NewFromConfig(c.srv.Config()).ListFunctions(bg, &lambda.ListFunctionsInput{})
		if err != nil || len(fns.Functions) != 0 {
			t.Errorf("ListFunctions after delete = %d, %v; want none", len(fns.Functions), err)
		}
	})
}

const samQueue = `
Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {"batchItemFailures": []}
      Policies:
        - SQSPollerPolicy:
            QueueName: !GetAtt Jobs.QueueName
      Events:
        Work:
          Type: SQS
          Properties:
            Queue: !GetAtt Jobs.Arn
            BatchSize: 5
Outputs:
  Queue:
    Value: !Ref Jobs
`

// TestSAMFunctionBehindQueue deploys a function behind an SQS event: where Lambda serves event
// source mappings the function drains the queue; where it does not, the stack rolls back and
// says which operation is missing.
func TestSAMFunctionBehindQueue(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		deploy(t, c, "jobs", samQueue)
		st := stack(t, c, "jobs")
		_, esmErr := lambda.NewFromConfig(c.srv.Config()).ListEventSourceMappings(bg, &lambda.ListEventSourceMappingsInput{})
		if code, _ := apiError(esmErr); code == "NotImplemented" {
			if st.StackStatus != cfntypes.StackStatusRollbackComplete || !strings.Contains(aws.ToString(st.StackStatusReason), "WorkerWork") {
				t.Fatalf("status = %s (%s); want ROLLBACK_COMPLETE naming WorkerWork", st.StackStatus, aws.ToString(st.StackStatusReason))
			}
			events, _ := c.cfn.DescribeStackEvents(bg, &cloudformation.DescribeStackEventsInput{StackName: st.StackId})
			found := false
			for _, e := range events.StackEvents {
				if *e.LogicalResourceId == "WorkerWork" && e.ResourceStatus == cfntypes.ResourceStatusCreateFailed {
					found = strings.Contains(aws.ToString(e.ResourceStatusReason), "CreateEventSourceMapping is not served")
				}
			}
			if !found {
				t.Errorf("no CREATE_FAILED event of WorkerWork saying what is missing: %+v", events.StackEvents)
			}
			return
		}
		if st.StackStatus != cfntypes.StackStatusCreateComplete {
			t.Fatalf("status = %s (%s); want CREATE_COMPLETE", st.StackStatus, aws.ToString(st.StackStatusReason))
		}
		q := outputs(st)["Queue"]
		if _, err := c.sqs.SendMessage(bg, &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String("job")}); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			a, err := c.sqs.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(q),
				AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
			if err == nil && a.Attributes["ApproximateNumberOfMessages"] == "0" && a.Attributes["ApproximateNumberOfMessagesNotVisible"] == "0" {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the function did not drain the queue: %v %v", a, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}
