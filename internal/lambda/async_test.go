package lambda_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

const asyncHandler = `
def handler(event, context):
    print("async got", event.get("n"))
    if event.get("fail"):
        raise RuntimeError("failed " + str(event.get("n")))
    return {"n": event.get("n"), "id": context.aws_request_id}
`

// queue makes a queue and returns its URL and ARN.
func makeQueue(t *testing.T, q *sqs.Client, name string, attrs map[string]string) (string, string) {
	t.Helper()
	ctx := context.Background()
	out, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("CreateQueue(%s): %v", name, err)
	}
	a, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
	if err != nil {
		t.Fatal(err)
	}
	return *out.QueueUrl, a.Attributes["QueueArn"]
}

// receive waits (long polls, up to a bound) for n messages on a queue.
func receive(t *testing.T, q *sqs.Client, url string, n int) []sqstypes.Message {
	t.Helper()
	var got []sqstypes.Message
	deadline := time.Now().Add(60 * time.Second) // a hang guard, not a speed bound
	for len(got) < n && time.Now().Before(deadline) {
		out, err := q.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10,
			WaitTimeSeconds: 2, MessageAttributeNames: []string{"All"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			got = append(got, m)
			q.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
		}
	}
	if len(got) < n {
		t.Fatalf("received %d messages on %s; want %d", len(got), url, n)
	}
	return got
}

type record struct {
	Version        string `json:"version"`
	RequestContext struct {
		RequestID              string `json:"requestId"`
		FunctionArn            string `json:"functionArn"`
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	} `json:"requestContext"`
	RequestPayload  map[string]any `json:"requestPayload"`
	ResponseContext struct {
		StatusCode    int    `json:"statusCode"`
		FunctionError string `json:"functionError"`
	} `json:"responseContext"`
	ResponsePayload map[string]any `json:"responsePayload"`
}

func TestAsyncInvokeDestinations(t *testing.T) {
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			f := start(t, b.Args...)
			ctx := context.Background()
			q := sqs.NewFromConfig(f.srv.Config())
			okURL, okARN := makeQueue(t, q, "on-success", nil)
			failURL, failARN := makeQueue(t, q, "on-failure", nil)
			dlqURL, dlqARN := makeQueue(t, q, "fn-dlq", nil)
			f.create(t, "async", "python3.12", "app.handler", zipOf(t, map[string][]byte{"app.py": []byte(asyncHandler)}),
				func(in *lambda.CreateFunctionInput) {
					in.DeadLetterConfig = &types.DeadLetterConfig{TargetArn: aws.String(dlqARN)}
				})
			put, err := f.client.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("async"),
				MaximumRetryAttempts: aws.Int32(0), DestinationConfig: &types.DestinationConfig{
					OnSuccess: &types.OnSuccess{Destination: aws.String(okARN)}, OnFailure: &types.OnFailure{Destination: aws.String(failARN)}}})
			if err != nil {
				t.Fatalf("PutFunctionEventInvokeConfig: %v", err)
			}
			if !strings.HasSuffix(aws.ToString(put.FunctionArn), ":function:async:$LATEST") || aws.ToInt32(put.MaximumRetryAttempts) != 0 {
				t.Errorf("PutFunctionEventInvokeConfig = %+v", put)
			}
			out := f.invoke(t, "async", `{"n":1}`, func(in *lambda.InvokeInput) { in.InvocationType = types.InvocationTypeEvent })
			if out.StatusCode != 202 {
				t.Fatalf("Event Invoke status = %d", out.StatusCode)
			}
			var rec record
			json.Unmarshal([]byte(*receive(t, q, okURL, 1)[0].Body), &rec)
			if rec.Version != "1.0" || rec.RequestContext.Condition != "Success" || rec.RequestPayload["n"] != 1.0 || rec.ResponsePayload["n"] != 1.0 ||
				rec.ResponseContext.StatusCode != 200 || rec.RequestContext.ApproximateInvokeCount != 1 {
				t.Errorf("success record = %+v", rec)
			}
			// The legacy InvokeAsync takes the same path.
			if _, err := f.client.InvokeAsync(ctx, &lambda.InvokeAsyncInput{FunctionName: aws.String("async"), InvokeArgs: strings.NewReader(`{"n":2}`)}); err != nil {
				t.Fatalf("InvokeAsync: %v", err)
			}
			json.Unmarshal([]byte(*receive(t, q, okURL, 1)[0].Body), &rec)
			if rec.RequestPayload["n"] != 2.0 {
				t.Errorf("InvokeAsync record = %+v", rec)
			}
			// A failure with no retries left goes to OnFailure and to the DLQ.
			f.invoke(t, "async", `{"n":3,"fail":true}`, func(in *lambda.InvokeInput) { in.InvocationType = types.InvocationTypeEvent })
			rec = record{}
			json.Unmarshal([]byte(*receive(t, q, failURL, 1)[0].Body), &rec)
			if rec.RequestContext.Condition != "RetriesExhausted" || rec.ResponseContext.FunctionError != "Unhandled" || rec.RequestContext.ApproximateInvokeCount != 1 {
				t.Errorf("failure record = %+v", rec)
			}
			dl := receive(t, q, dlqURL, 1)[0]
			if aws.ToString(dl.Body) != `{"n":3,"fail":true}` || aws.ToString(dl.MessageAttributes["ErrorMessage"].StringValue) != "failed 3" ||
				aws.ToString(dl.MessageAttributes["RequestID"].StringValue) != rec.RequestContext.RequestID {
				t.Errorf("dead letter = %s %+v", aws.ToString(dl.Body), dl.MessageAttributes)
			}
			// DryRun checks without running.
			if out := f.invoke(t, "async", `{}`, func(in *lambda.InvokeInput) { in.InvocationType = types.InvocationTypeDryRun }); out.StatusCode != 204 {
				t.Errorf("DryRun status = %d", out.StatusCode)
			}
			// Logs: the function's lines with START, END and REPORT in /aws/lambda/async.
			cw := cloudwatchlogs.NewFromConfig(f.srv.Config())
			var text string
			for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
				ev, err := cw.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/async")})
				if err != nil {
					continue
				}
				var b strings.Builder
				for _, e := range ev.Events {
					b.WriteString(aws.ToString(e.Message) + "\n")
				}
				if text = b.String(); strings.Count(text, "REPORT RequestId:") >= 3 {
					break
				}
			}
			for _, want := range []string{"START RequestId: " + rec.RequestContext.RequestID, "async got 3", "END RequestId:", "Billed Duration:", "Init Duration:"} {
				if !strings.Contains(text, want) {
					t.Errorf("log lacks %q:\n%s", want, text)
				}
			}
			streams, err := cw.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("/aws/lambda/async")})
			if err != nil || len(streams.LogStreams) == 0 || !strings.Contains(aws.ToString(streams.LogStreams[0].LogStreamName), "/[$LATEST]") {
				t.Errorf("DescribeLogStreams = %+v, %v", streams, err)
			}
		})
	}
}

func TestEventInvokeConfigOperations(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	f.create(t, "cfg", "python3.12", "app.handler", zipOf(t, map[string][]byte{"app.py": []byte(asyncHandler)}))
	if _, err := f.client.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String("cfg")}); errorCode(err) != "ResourceNotFoundException" {
		t.Errorf("Get before Put = %v", err)
	}
	if _, err := f.client.UpdateFunctionEventInvokeConfig(ctx, &lambda.UpdateFunctionEventInvokeConfigInput{FunctionName: aws.String("cfg"), MaximumRetryAttempts: aws.Int32(1)}); errorCode(err) != "ResourceNotFoundException" {
		t.Errorf("Update before Put = %v", err)
	}
	for _, bad := range []*lambda.PutFunctionEventInvokeConfigInput{
		{FunctionName: aws.String("cfg"), MaximumRetryAttempts: aws.Int32(3)},
		{FunctionName: aws.String("cfg"), MaximumEventAgeInSeconds: aws.Int32(59)},
		{FunctionName: aws.String("cfg"), MaximumEventAgeInSeconds: aws.Int32(21601)},
	} {
		if _, err := f.client.PutFunctionEventInvokeConfig(ctx, bad); errorCode(err) != "ValidationException" {
			t.Errorf("Put(%+v) = %v; want ValidationException", bad, err)
		}
	}
	if _, err := f.client.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("cfg"),
		DestinationConfig: &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String("arn:aws:s3:::bucket")}}}); errorCode(err) != "InvalidParameterValueException" {
		t.Errorf("Put(an S3 destination) = %v", err)
	}
	if _, err := f.client.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("missing")}); errorCode(err) != "ResourceNotFoundException" {
		t.Errorf("Put(missing function) = %v", err)
	}
	if _, err := f.client.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("cfg"), Qualifier: aws.String("7")}); errorCode(err) != "ResourceNotFoundException" {
		t.Errorf("Put(missing version) = %v", err)
	}
	if _, err := f.client.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("cfg"),
		MaximumRetryAttempts: aws.Int32(1), MaximumEventAgeInSeconds: aws.Int32(600)}); err != nil {
		t.Fatal(err)
	}
	up, err := f.client.UpdateFunctionEventInvokeConfig(ctx, &lambda.UpdateFunctionEventInvokeConfigInput{FunctionName: aws.String("cfg"), MaximumRetryAttempts: aws.Int32(2)})
	if err != nil || aws.ToInt32(up.MaximumRetryAttempts) != 2 || aws.ToInt32(up.MaximumEventAgeInSeconds) != 600 {
		t.Errorf("Update = %+v, %v", up, err)
	}
	if _, err := f.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("cfg")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("cfg"), Qualifier: aws.String("1"),
		MaximumRetryAttempts: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	got, err := f.client.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String("cfg"), Qualifier: aws.String("1")})
	if err != nil || aws.ToInt32(got.MaximumRetryAttempts) != 0 || !strings.HasSuffix(aws.ToString(got.FunctionArn), ":cfg:1") || got.LastModified == nil {
		t.Errorf("Get(1) = %+v, %v", got, err)
	}
	list, err := f.client.ListFunctionEventInvokeConfigs(ctx, &lambda.ListFunctionEventInvokeConfigsInput{FunctionName: aws.String("cfg")})
	if err != nil || len(list.FunctionEventInvokeConfigs) != 2 {
		t.Fatalf("List = %+v, %v", list, err)
	}
	page, err := f.client.ListFunctionEventInvokeConfigs(ctx, &lambda.ListFunctionEventInvokeConfigsInput{FunctionName: aws.String("cfg"), MaxItems: aws.Int32(1)})
	if err != nil || len(page.FunctionEventInvokeConfigs) != 1 || page.NextMarker == nil {
		t.Errorf("List(MaxItems 1) = %+v, %v", page, err)
	}
	if _, err := f.client.DeleteFunctionEventInvokeConfig(ctx, &lambda.DeleteFunctionEventInvokeConfigInput{FunctionName: aws.String("cfg"), Qualifier: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.DeleteFunctionEventInvokeConfig(ctx, &lambda.DeleteFunctionEventInvokeConfigInput{FunctionName: aws.String("cfg"), Qualifier: aws.String("1")}); errorCode(err) != "ResourceNotFoundException" {
		t.Errorf("Delete twice = %v", err)
	}
	// Event invokes of a function that does not exist, or too large, are refused before they are queued.
	if _, err := f.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("missing"), InvocationType: types.InvocationTypeEvent}); errorCode(err) != "ResourceNotFoundException" {
		t.Errorf("Event Invoke(missing) = %v", err)
	}
	big := `{"x":"` + strings.Repeat("a", 1<<20) + `"}`
	if _, err := f.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("cfg"), InvocationType: types.InvocationTypeEvent, Payload: []byte(big)}); errorCode(err) != "RequestTooLargeException" {
		t.Errorf("Event Invoke(too large) = %v", err)
	}
}
