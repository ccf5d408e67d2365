package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestKill9KeepsAcceptedAsyncInvokes queues asynchronous invokes of a function that cannot run
// yet (reserved concurrency 0: each attempt is throttled and recorded for a retry), kills the
// server with SIGKILL, restarts it on the same data, lets the function run, and checks that
// every accepted (202) event ran: its OnSuccess record reaches a queue.
func TestKill9KeepsAcceptedAsyncInvokes(t *testing.T) {
	t.Parallel()
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			p := gureumtest.StartBinary(t, bin, gureumtest.Options{DataDir: dir, Args: b.Args})
			fn, q := lambda.NewFromConfig(p.Config()), sqs.NewFromConfig(p.Config())
			_, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("async-done")})
			if err != nil {
				t.Fatal(err)
			}
			var zb bytes.Buffer
			zw := zip.NewWriter(&zb)
			w, _ := zw.Create("app.py")
			w.Write([]byte("def handler(event, context):\n    return {\"n\": event[\"n\"]}\n"))
			zw.Close()
			if _, err := fn.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("later"), Runtime: ltypes.RuntimePython312,
				Role: aws.String("arn:aws:iam::000000000000:role/r"), Handler: aws.String("app.handler"), Code: &ltypes.FunctionCode{ZipFile: zb.Bytes()}}); err != nil {
				t.Fatal(err)
			}
			if _, err := fn.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("later"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
				t.Fatal(err)
			}
			if _, err := fn.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("later"),
				DestinationConfig: &ltypes.DestinationConfig{OnSuccess: &ltypes.OnSuccess{Destination: aws.String("arn:aws:sqs:us-east-1:000000000000:async-done")}}}); err != nil {
				t.Fatal(err)
			}
			const n = 20
			for i := range n {
				out, err := fn.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("later"), InvocationType: ltypes.InvocationTypeEvent,
					Payload: []byte(fmt.Sprintf(`{"n":%d}`, i))})
				if err != nil || out.StatusCode != 202 {
					t.Fatalf("Event Invoke %d: %v", i, err)
				}
			}
			p.Cmd.Process.Kill()
			p.Cmd.Wait()

			again := gureumtest.StartBinary(t, bin, gureumtest.Options{DataDir: dir, Args: b.Args})
			fn, q = lambda.NewFromConfig(again.Config()), sqs.NewFromConfig(again.Config())
			if _, err := fn.DeleteFunctionConcurrency(ctx, &lambda.DeleteFunctionConcurrencyInput{FunctionName: aws.String("later")}); err != nil {
				t.Fatal(err)
			}
			url, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("async-done")})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[float64]bool{}
			for deadline := time.Now().Add(120 * time.Second); len(seen) < n && time.Now().Before(deadline); { // a hang guard
				got, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 2})
				if err != nil {
					t.Fatal(err)
				}
				var handles []sqstypes.DeleteMessageBatchRequestEntry
				for i, m := range got.Messages {
					var rec struct {
						RequestPayload struct{ N float64 }        `json:"requestPayload"`
						RequestContext struct{ Condition string } `json:"requestContext"`
					}
					if json.Unmarshal([]byte(aws.ToString(m.Body)), &rec) == nil && rec.RequestContext.Condition == "Success" {
						seen[rec.RequestPayload.N] = true
					}
					handles = append(handles, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), ReceiptHandle: m.ReceiptHandle})
				}
				if len(handles) > 0 {
					q.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: url.QueueUrl, Entries: handles})
				}
			}
			if len(seen) != n {
				t.Fatalf("%d of %d accepted events ran after the restart", len(seen), n)
			}
		})
	}
}
