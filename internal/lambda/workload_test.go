package lambda_test

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

// copyHandler is the partner data-sharing function: for each S3 event in each queue message it
// reads the object with boto3 (the execution role's credentials) and writes a copy into the
// shared bucket; an object named "poison" fails until the function is fixed (FIXED=1).
const copyHandler = `
import json, os, boto3
from botocore.config import Config
s3 = boto3.client("s3", config=Config(s3={"addressing_style": "path"}))
def handler(event, context):
    for r in event["Records"]:
        body = json.loads(r["body"])
        for rec in body.get("Records", []):
            bucket, key = rec["s3"]["bucket"]["name"], rec["s3"]["object"]["key"]
            if "poison" in key and os.environ.get("FIXED") != "1":
                raise ValueError("cannot share " + key)
            data = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            s3.put_object(Bucket="shared", Key=key, Body=data)
            print("copied", key)
    return {}
`

// TestPartnerDataSharingWorkload: a file PUT into a bucket → notification → queue (visibility
// 90 s, retention 4 days, DLQ after 3 receives) → a Python function with reserved concurrency that
// reads the object and writes a copy into another bucket; a file the function fails on three
// times lands in the DLQ, and a redrive moves it back after a fix.
func TestPartnerDataSharingWorkload(t *testing.T) {
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			f := start(t, b.Args...)
			ctx := context.Background()
			cfg := f.srv.Config()
			s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
			q := sqs.NewFromConfig(cfg)
			ic := iam.NewFromConfig(cfg)
			for _, name := range []string{"inbox", "shared"} {
				if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
					t.Fatal(err)
				}
			}
			dlqURL, dlqARN := makeQueue(t, q, "partner-dlq", nil)
			redrive, _ := json.Marshal(map[string]any{"deadLetterTargetArn": dlqARN, "maxReceiveCount": 3})
			url, arn := makeQueue(t, q, "partner", map[string]string{"VisibilityTimeout": "90", "MessageRetentionPeriod": "345600", "RedrivePolicy": string(redrive)})
			t.Cleanup(func() {
				if t.Failed() {
					a, _ := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{"All"}})
					t.Logf("queue: %v", a.Attributes)
					d, _ := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(dlqURL), AttributeNames: []sqstypes.QueueAttributeName{"All"}})
					t.Logf("dlq: %v", d.Attributes)
					if l, err := q.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(dlqARN)}); err == nil {
						for _, r := range l.Results {
							t.Logf("move task: %s moved %d failure %s", aws.ToString(r.Status), r.ApproximateNumberOfMessagesMoved, aws.ToString(r.FailureReason))
						}
					}
					ev, err := cloudwatchlogs.NewFromConfig(cfg).FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/sharer")})
					if err == nil {
						for _, e := range ev.Events {
							t.Log(aws.ToString(e.Message))
						}
					}
				}
			})
			if _, err := s3c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("inbox"),
				NotificationConfiguration: &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{QueueArn: aws.String(arn),
					Events: []s3types.Event{"s3:ObjectCreated:*"}}}}}); err != nil {
				t.Fatal(err)
			}
			trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
			role, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("sharer"), AssumeRolePolicyDocument: aws.String(trust)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("sharer"), PolicyName: aws.String("copy"),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::inbox/*"},
					{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::shared/*"}]}`)}); err != nil {
				t.Fatal(err)
			}
			f.create(t, "sharer", "python3.12", "app.handler", zipOf(t, map[string][]byte{"app.py": []byte(copyHandler)}),
				func(in *lambda.CreateFunctionInput) { in.Role, in.Timeout = role.Role.Arn, aws.Int32(30) })
			if _, err := f.client.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("sharer"), ReservedConcurrentExecutions: aws.Int32(2)}); err != nil {
				t.Fatal(err)
			}
			m, err := f.client.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("sharer"), EventSourceArn: aws.String(arn), BatchSize: aws.Int32(1),
				ScalingConfig: &types.ScalingConfig{MaximumConcurrency: aws.Int32(2)}}) // within the reservation, as AWS advises
			if err != nil {
				t.Fatal(err)
			}
			for _, key := range []string{"report-1.csv", "report-2.csv"} {
				if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("inbox"), Key: aws.String(key), Body: strings.NewReader("data of " + key)}); err != nil {
					t.Fatal(err)
				}
			}
			waitCopy := func(key string) {
				t.Helper()
				for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
					got, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("shared"), Key: aws.String(key)})
					if err == nil {
						body, _ := io.ReadAll(got.Body)
						got.Body.Close()
						if string(body) != "data of "+key {
							t.Fatalf("copy of %s = %q", key, body)
						}
						return
					}
					if time.Now().After(deadline) {
						t.Fatalf("no copy of %s: %v", key, err)
					}
				}
			}
			waitCopy("report-1.csv")
			waitCopy("report-2.csv")

			// The failing file: three receives at a short visibility timeout put it in the DLQ.
			if _, err := q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"VisibilityTimeout": "1"}}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.client.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("sharer"), Timeout: aws.Int32(1)}); err != nil {
				t.Fatal(err)
			}
			// A change of the mapping restarts its pollers' long polls, which took the old visibility.
			if _, err := f.client.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: m.UUID, BatchSize: aws.Int32(1)}); err != nil {
				t.Fatal(err)
			}
			if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("inbox"), Key: aws.String("poison.csv"), Body: strings.NewReader("data of poison.csv")}); err != nil {
				t.Fatal(err)
			}
			dl := receivePeek(t, q, dlqURL)
			if !strings.Contains(dl, "poison.csv") {
				t.Fatalf("DLQ holds %s", dl)
			}
			// The fix, then a redrive moves the message back and the copy is made.
			if _, err := q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"VisibilityTimeout": "90"}}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.client.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("sharer"), Timeout: aws.Int32(30),
				Environment: &types.Environment{Variables: map[string]string{"FIXED": "1"}}}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.client.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: m.UUID, BatchSize: aws.Int32(1)}); err != nil {
				t.Fatal(err)
			}
			if _, err := q.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqARN)}); err != nil {
				t.Fatal(err)
			}
			waitCopy("poison.csv")
			if got, err := f.client.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: m.UUID}); err != nil || aws.ToString(got.State) != "Enabled" {
				t.Errorf("GetEventSourceMapping = %+v, %v", got, err)
			}
		})
	}
}

// receivePeek waits for a message on a queue and returns its body, leaving it there (visible
// again at once).
func receivePeek(t *testing.T, q *sqs.Client, url string) string {
	t.Helper()
	ctx := context.Background()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) > 0 {
			m := out.Messages[0]
			if _, err := q.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0}); err != nil {
				t.Fatal(err)
			}
			return aws.ToString(m.Body)
		}
	}
	t.Fatalf("no message on %s", url)
	return ""
}
