package lambda_test

import (
	"context"
	"encoding/json"
	"strconv"
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

// orderHandler fails the orders marked bad, reporting them as batch item failures, and logs each
// order it processes (the order-intake workload).
const orderHandler = `
import json
def handler(event, context):
    failures = []
    for r in event["Records"]:
        assert r["eventSource"] == "aws:sqs" and r["attributes"]["ApproximateReceiveCount"]
        order = json.loads(r["body"])
        if order.get("bad"):
            failures.append({"itemIdentifier": r["messageId"]})
        else:
            print("processed", order["id"])
    return {"batchItemFailures": failures}
`

func TestQueueEventSource(t *testing.T) {
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			f := start(t, b.Args...)
			ctx := context.Background()
			q := sqs.NewFromConfig(f.srv.Config())
			dlqURL, dlqARN := makeQueue(t, q, "orders-dlq", nil)
			redrive, _ := json.Marshal(map[string]any{"deadLetterTargetArn": dlqARN, "maxReceiveCount": 1})
			url, arn := makeQueue(t, q, "orders", map[string]string{"VisibilityTimeout": "5", "RedrivePolicy": string(redrive)})
			f.create(t, "orders", "python3.12", "app.handler", zipOf(t, map[string][]byte{"app.py": []byte(orderHandler)}),
				func(in *lambda.CreateFunctionInput) { in.Timeout = aws.Int32(5) })
			f.invoke(t, "orders", `{"Records":[]}`) // warm: a cold start on a loaded machine must not time the first batch out

			// Errors first.
			if _, err := f.client.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("orders"),
				EventSourceArn: aws.String(arn), BatchSize: aws.Int32(20)}); errorCode(err) != "InvalidParameterValueException" {
				t.Errorf("BatchSize 20 without a window = %v", err)
			}
			if _, err := f.client.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("missing"),
				EventSourceArn: aws.String(arn)}); errorCode(err) != "ResourceNotFoundException" {
				t.Errorf("missing function = %v", err)
			}
			if _, err := f.client.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("orders"),
				EventSourceArn: aws.String(arn), ScalingConfig: &types.ScalingConfig{MaximumConcurrency: aws.Int32(1)}}); errorCode(err) != "ValidationException" {
				t.Errorf("MaximumConcurrency 1 = %v", err)
			}
			if _, err := f.client.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("orders"),
				EventSourceArn: aws.String(arn), FilterCriteria: &types.FilterCriteria{Filters: []types.Filter{{Pattern: aws.String(`{"body":`)}}}}); errorCode(err) != "InvalidParameterValueException" {
				t.Errorf("a bad filter = %v", err)
			}
			if _, err := f.client.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("orders"),
				EventSourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:nope")}); errorCode(err) != "InvalidParameterValueException" {
				t.Errorf("a missing queue = %v", err)
			}

			// Send the orders first, with one that the filter drops, then map the queue.
			for i := range 6 {
				body := `{"id":` + strconv.Itoa(i) + `,"kind":"order"}`
				if i == 3 {
					body = `{"id":3,"kind":"order","bad":true}`
				}
				if i == 5 {
					body = `{"id":5,"kind":"ping"}`
				}
				if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body)}); err != nil {
					t.Fatal(err)
				}
			}
			m, err := f.client.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("orders"),
				EventSourceArn: aws.String(arn), BatchSize: aws.Int32(10), FunctionResponseTypes: []types.FunctionResponseType{types.FunctionResponseTypeReportBatchItemFailures},
				ScalingConfig:  &types.ScalingConfig{MaximumConcurrency: aws.Int32(2)},
				FilterCriteria: &types.FilterCriteria{Filters: []types.Filter{{Pattern: aws.String(`{"body":{"kind":["order"]}}`)}}}})
			if err != nil {
				t.Fatalf("CreateEventSourceMapping: %v", err)
			}
			if m.State == nil || *m.State != "Creating" || aws.ToInt32(m.BatchSize) != 10 || !strings.HasSuffix(aws.ToString(m.FunctionArn), ":function:orders") {
				t.Errorf("CreateEventSourceMapping = %+v", m)
			}
			if _, err := f.client.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("orders"),
				EventSourceArn: aws.String(arn)}); errorCode(err) != "ResourceConflictException" {
				t.Errorf("a second mapping = %v", err)
			}
			// The bad order lands in the DLQ after its one receive; the others are deleted.
			dl := receive(t, q, dlqURL, 1)
			if !strings.Contains(aws.ToString(dl[0].Body), `"bad":true`) {
				t.Errorf("DLQ got %s", aws.ToString(dl[0].Body))
			}
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
				a, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
					AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
				if err != nil {
					t.Fatal(err)
				}
				if a.Attributes["ApproximateNumberOfMessages"] == "0" && a.Attributes["ApproximateNumberOfMessagesNotVisible"] == "0" {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the queue still holds messages: %v", a.Attributes)
				}
			}
			// The good orders ran once each (the function's log says so); the filtered one not at all.
			cw := cloudwatchlogs.NewFromConfig(f.srv.Config())
			var text string
			for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
				ev, err := cw.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/orders"), FilterPattern: aws.String("processed")})
				if err != nil {
					continue
				}
				var b strings.Builder
				for _, e := range ev.Events {
					b.WriteString(aws.ToString(e.Message) + "\n")
				}
				if text = b.String(); strings.Count(text, "processed") >= 4 {
					break
				}
			}
			for _, id := range []string{"0", "1", "2", "4"} {
				if n := strings.Count(text, "processed "+id+"\n"); n != 1 {
					t.Errorf("order %s processed %d times; want once:\n%s", id, n, text)
				}
			}
			if strings.Contains(text, "processed 5") || strings.Contains(text, "processed 3") {
				t.Errorf("a filtered or failed order was processed:\n%s", text)
			}
			got, err := f.client.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: m.UUID})
			if err != nil || aws.ToString(got.State) != "Enabled" || aws.ToString(got.LastProcessingResult) != "OK" || got.FilterCriteria == nil ||
				got.ScalingConfig == nil || aws.ToInt32(got.ScalingConfig.MaximumConcurrency) != 2 {
				t.Errorf("GetEventSourceMapping = %+v, %v", got, err)
			}
			list, err := f.client.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{FunctionName: aws.String("orders")})
			if err != nil || len(list.EventSourceMappings) != 1 {
				t.Errorf("ListEventSourceMappings = %+v, %v", list, err)
			}
			if list, _ := f.client.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{EventSourceArn: aws.String(dlqARN)}); len(list.EventSourceMappings) != 0 {
				t.Errorf("ListEventSourceMappings(another source) = %+v", list.EventSourceMappings)
			}
			up, err := f.client.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: m.UUID, Enabled: aws.Bool(false), BatchSize: aws.Int32(5)})
			if err != nil || aws.ToString(up.State) != "Disabled" || aws.ToInt32(up.BatchSize) != 5 {
				t.Errorf("UpdateEventSourceMapping = %+v, %v", up, err)
			}
			del, err := f.client.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: m.UUID})
			if err != nil || aws.ToString(del.State) != "Deleting" {
				t.Errorf("DeleteEventSourceMapping = %+v, %v", del, err)
			}
			if _, err := f.client.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: m.UUID}); errorCode(err) != "ResourceNotFoundException" {
				t.Errorf("Get after Delete = %v", err)
			}
		})
	}
}
