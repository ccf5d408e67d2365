package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestSQSMoveTaskMovesWhenNodeDies starts a slow message-move task on one server, kills that
// server with SIGKILL, and checks that a second server on the same PostgreSQL database takes the
// task over once its lease expires and completes it, with the same handle.
func TestSQSMoveTaskMovesWhenNodeDies(t *testing.T) {
	t.Parallel()
	backends := gureumtest.Backends(t)
	if len(backends) < 2 {
		t.Skip("NOTICE: " + gureumtest.PostgresEnv + " is not set; skipping the two-node test")
	}
	pg := backends[1]
	ctx := context.Background()
	a := gureumtest.StartBinary(t, bin, gureumtest.Options{Args: pg.Args})
	ca := sqs.NewFromConfig(a.Config())
	if _, err := ca.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("moves-dlq")}); err != nil {
		t.Fatal(err)
	}
	src, err := ca.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("moves-src"), Attributes: map[string]string{"VisibilityTimeout": "0",
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:moves-dlq","maxReceiveCount":1}`}})
	if err != nil {
		t.Fatal(err)
	}
	const dlqArn, n = "arn:aws:sqs:us-east-1:000000000000:moves-dlq", 60
	for i := 0; i < n; i += 10 {
		var entries []types.SendMessageBatchRequestEntry
		for j := range 10 {
			entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(j)), MessageBody: aws.String(fmt.Sprint("m", i+j))})
		}
		if _, err := ca.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: src.QueueUrl, Entries: entries}); err != nil {
			t.Fatal(err)
		}
	}
	for { // each receive moves what the last one received to the dead-letter queue
		got, err := ca.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: src.QueueUrl, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Messages) == 0 {
			break
		}
	}
	start, err := ca.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqArn), MaxNumberOfMessagesPerSecond: aws.Int32(10)})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // node A runs it (node B is not up yet)
	b := gureumtest.StartBinary(t, bin, gureumtest.Options{Args: pg.Args})
	a.Cmd.Process.Kill()
	a.Cmd.Wait()
	killed := time.Now()
	cb := sqs.NewFromConfig(b.Config())
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		l, err := cb.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(dlqArn)})
		if err != nil {
			t.Fatal(err)
		}
		task := l.Results[0]
		if *task.Status == "RUNNING" && *task.TaskHandle != *start.TaskHandle {
			t.Fatalf("running task's handle = %s; want %s", *task.TaskHandle, *start.TaskHandle)
		}
		if *task.Status != "RUNNING" {
			// The count is approximate: node A may have died between a move and its report.
			if *task.Status != "COMPLETED" || task.ApproximateNumberOfMessagesMoved == 0 {
				t.Fatalf("task = %s with %d moved; want COMPLETED", *task.Status, task.ApproximateNumberOfMessagesMoved)
			}
			attrs, err := cb.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(strings.Replace(*src.QueueUrl, a.Endpoint, b.Endpoint, 1)),
				AttributeNames: []types.QueueAttributeName{"ApproximateNumberOfMessages"}})
			if err != nil || attrs.Attributes["ApproximateNumberOfMessages"] != fmt.Sprint(n) {
				t.Fatalf("source queue after the move = %v, %v; want %d messages", attrs, err, n)
			}
			t.Logf("node B completed the task %v after node A was killed", time.Since(killed).Round(time.Millisecond))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the task was still RUNNING with %d moved a minute after its node died", task.ApproximateNumberOfMessagesMoved)
		}
	}
}
