package sqs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/gureum/gureum/internal/gureumtest"
)

// each runs fn against a fresh server on every store backend.
func each(t *testing.T, fn func(t *testing.T, c *sqs.Client, srv *gureumtest.Server)) {
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			srv := gureumtest.Start(t, gureumtest.Options{Args: append([]string{"--log-level", "warn"}, b.Args...)})
			fn(t, sqs.NewFromConfig(srv.Config()), srv)
		})
	}
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return fmt.Sprintf("no API error: %v", err)
}

var bg = context.Background()

func create(t *testing.T, c *sqs.Client, name string, attrs map[string]string) string {
	t.Helper()
	out, err := c.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("CreateQueue(%s): %v", name, err)
	}
	return *out.QueueUrl
}

func TestQueueLifecycle(t *testing.T) {
	each(t, func(t *testing.T, c *sqs.Client, srv *gureumtest.Server) {
		url := create(t, c, "orders", map[string]string{"VisibilityTimeout": "90", "MessageRetentionPeriod": "345600"})
		if want := srv.Endpoint + "/000000000000/orders"; url != want {
			t.Errorf("QueueUrl = %s; want %s", url, want)
		}
		if again := create(t, c, "orders", map[string]string{"VisibilityTimeout": "90"}); again != url {
			t.Errorf("CreateQueue(same attributes) = %s; want the existing URL", again)
		}
		_, err := c.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String("orders"), Attributes: map[string]string{"VisibilityTimeout": "10"}})
		if code(err) != "QueueAlreadyExists" {
			t.Errorf("CreateQueue(different attributes) = %v; want QueueAlreadyExists", err)
		}
		for _, bad := range []string{"", "has space", strings.Repeat("x", 81), "ünïcode"} {
			if _, err := c.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String(bad)}); err == nil {
				t.Errorf("CreateQueue(%q) succeeded", bad)
			}
		}
		_, err = c.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String("q2"), Attributes: map[string]string{"VisibilityTimeout": "99999"}})
		if code(err) != "InvalidAttributeValue" {
			t.Errorf("CreateQueue(VisibilityTimeout 99999) = %v; want InvalidAttributeValue", err)
		}
		_, err = c.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String("q2"), Attributes: map[string]string{"Colour": "blue"}})
		if code(err) != "InvalidAttributeName" {
			t.Errorf("CreateQueue(unknown attribute) = %v; want InvalidAttributeName", err)
		}
		got, err := c.GetQueueUrl(bg, &sqs.GetQueueUrlInput{QueueName: aws.String("orders")})
		if err != nil || *got.QueueUrl != url {
			t.Errorf("GetQueueUrl = %v, %v", got, err)
		}
		if _, err := c.GetQueueUrl(bg, &sqs.GetQueueUrlInput{QueueName: aws.String("nope")}); code(err) != "AWS.SimpleQueueService.NonExistentQueue" {
			t.Errorf("GetQueueUrl(missing) = %v; want AWS.SimpleQueueService.NonExistentQueue", err)
		}
		var qdne *types.QueueDoesNotExist
		if _, err := c.GetQueueUrl(bg, &sqs.GetQueueUrlInput{QueueName: aws.String("nope")}); !errors.As(err, &qdne) {
			t.Errorf("GetQueueUrl(missing) = %T; want *types.QueueDoesNotExist", err)
		}

		attrs, err := c.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{"All"}})
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range map[string]string{"VisibilityTimeout": "90", "MessageRetentionPeriod": "345600", "DelaySeconds": "0",
			"MaximumMessageSize": "1048576", "QueueArn": "arn:aws:sqs:us-east-1:000000000000:orders", "ApproximateNumberOfMessages": "0"} {
			if attrs.Attributes[k] != v {
				t.Errorf("attribute %s = %q; want %q", k, attrs.Attributes[k], v)
			}
		}
		if attrs.Attributes["CreatedTimestamp"] == "" || attrs.Attributes["LastModifiedTimestamp"] == "" {
			t.Errorf("timestamps missing: %v", attrs.Attributes)
		}
		_, err = c.SetQueueAttributes(bg, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"DelaySeconds": "5", "ReceiveMessageWaitTimeSeconds": "2"}})
		if err != nil {
			t.Fatal(err)
		}
		one, _ := c.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{"DelaySeconds"}})
		if len(one.Attributes) != 1 || one.Attributes["DelaySeconds"] != "5" {
			t.Errorf("GetQueueAttributes(DelaySeconds) = %v", one.Attributes)
		}
		if _, err := c.SetQueueAttributes(bg, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"MessageRetentionPeriod": "10"}}); code(err) != "InvalidAttributeValue" {
			t.Errorf("SetQueueAttributes(retention 10) = %v; want InvalidAttributeValue", err)
		}

		if _, err := c.TagQueue(bg, &sqs.TagQueueInput{QueueUrl: aws.String(url), Tags: map[string]string{"team": "core", "env": "dev"}}); err != nil {
			t.Fatal(err)
		}
		c.UntagQueue(bg, &sqs.UntagQueueInput{QueueUrl: aws.String(url), TagKeys: []string{"env"}})
		tags, err := c.ListQueueTags(bg, &sqs.ListQueueTagsInput{QueueUrl: aws.String(url)})
		if err != nil || len(tags.Tags) != 1 || tags.Tags["team"] != "core" {
			t.Errorf("ListQueueTags = %v, %v", tags, err)
		}

		for i := 0; i < 5; i++ {
			create(t, c, fmt.Sprintf("batch-%d", i), nil)
		}
		var pages [][]string
		var token *string
		for {
			l, err := c.ListQueues(bg, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("batch-"), MaxResults: aws.Int32(2), NextToken: token})
			if err != nil {
				t.Fatal(err)
			}
			pages = append(pages, l.QueueUrls)
			if token = l.NextToken; token == nil {
				break
			}
		}
		if len(pages) != 3 || len(pages[0]) != 2 || len(pages[2]) != 1 {
			t.Errorf("ListQueues pages = %v; want 2+2+1", pages)
		}

		if _, err := c.DeleteQueue(bg, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url)}); code(err) != "AWS.SimpleQueueService.NonExistentQueue" {
			t.Errorf("GetQueueAttributes(deleted) = %v", err)
		}
		if _, err := c.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String("orders")}); code(err) != "AWS.SimpleQueueService.QueueDeletedRecently" {
			t.Errorf("CreateQueue(just deleted) = %v; want QueueDeletedRecently", err)
		}
	})
}

func TestSendReceiveDelete(t *testing.T) {
	each(t, func(t *testing.T, c *sqs.Client, srv *gureumtest.Server) {
		url := create(t, c, "work", nil)
		sent, err := c.SendMessage(bg, &sqs.SendMessageInput{
			QueueUrl: aws.String(url), MessageBody: aws.String("hello, 구름 ☁"),
			MessageAttributes: map[string]types.MessageAttributeValue{
				"s":   {DataType: aws.String("String"), StringValue: aws.String("v")},
				"n":   {DataType: aws.String("Number.int"), StringValue: aws.String("42")},
				"bin": {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2, 255}},
			},
			MessageSystemAttributes: map[string]types.MessageSystemAttributeValue{
				"AWSTraceHeader": {DataType: aws.String("String"), StringValue: aws.String("Root=1-5759e988-bd862e3fe1be46a994272793")},
			},
		})
		if err != nil { // the SDK verifies MD5OfMessageBody
			t.Fatalf("SendMessage: %v", err)
		}
		if sent.MD5OfMessageAttributes == nil || sent.MD5OfMessageSystemAttributes == nil || sent.SequenceNumber != nil {
			t.Errorf("SendMessage = %+v", sent)
		}
		got, err := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"}, MessageAttributeNames: []string{"All"}})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		if len(got.Messages) != 1 {
			t.Fatalf("received %d messages", len(got.Messages))
		}
		m := got.Messages[0]
		if *m.Body != "hello, 구름 ☁" || *m.MessageId != *sent.MessageId || *m.MD5OfMessageAttributes != *sent.MD5OfMessageAttributes ||
			string(m.MessageAttributes["bin"].BinaryValue) != "\x00\x01\x02\xff" || *m.MessageAttributes["n"].StringValue != "42" {
			t.Errorf("received %+v", m)
		}
		if m.Attributes["ApproximateReceiveCount"] != "1" || m.Attributes["SenderId"] != "000000000000" || m.Attributes["SentTimestamp"] == "" ||
			m.Attributes["AWSTraceHeader"] != "Root=1-5759e988-bd862e3fe1be46a994272793" {
			t.Errorf("system attributes %v", m.Attributes)
		}
		some, _ := c.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{"ApproximateNumberOfMessagesNotVisible"}})
		if some.Attributes["ApproximateNumberOfMessagesNotVisible"] != "1" {
			t.Errorf("not visible = %v", some.Attributes)
		}
		// A visibility change to 0 makes it visible again; the next receive gets a new handle.
		if _, err := c.ChangeMessageVisibility(bg, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0}); err != nil {
			t.Fatal(err)
		}
		again, _ := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MessageSystemAttributeNames: []types.MessageSystemAttributeName{"ApproximateReceiveCount"}})
		if len(again.Messages) != 1 || again.Messages[0].Attributes["ApproximateReceiveCount"] != "2" || *again.Messages[0].ReceiptHandle == *m.ReceiptHandle {
			t.Fatalf("second receive = %+v", again.Messages)
		}
		if _, err := c.DeleteMessage(bg, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
			t.Errorf("DeleteMessage(stale handle) = %v; want success without effect", err)
		}
		if _, err := c.ChangeMessageVisibility(bg, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 5}); code(err) != "InvalidParameterValue" {
			t.Errorf("ChangeMessageVisibility(stale handle) = %v; want InvalidParameterValue", err)
		}
		if _, err := c.DeleteMessage(bg, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String("garbage")}); code(err) != "ReceiptHandleIsInvalid" {
			t.Errorf("DeleteMessage(garbage) = %v; want ReceiptHandleIsInvalid", err)
		}
		if _, err := c.DeleteMessage(bg, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: again.Messages[0].ReceiptHandle}); err != nil {
			t.Fatal(err)
		}
		if empty, _ := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)}); len(empty.Messages) != 0 {
			t.Errorf("message still there after delete")
		}
		if _, err := c.ChangeMessageVisibility(bg, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: again.Messages[0].ReceiptHandle, VisibilityTimeout: 5}); code(err) != "InvalidParameterValue" {
			t.Errorf("ChangeMessageVisibility(deleted) = %v", err)
		}
	})
}

func TestMessageValidation(t *testing.T) {
	each(t, func(t *testing.T, c *sqs.Client, srv *gureumtest.Server) {
		url := aws.String(create(t, c, "v", nil))
		tests := []struct {
			name string
			in   sqs.SendMessageInput
			want string
		}{
			{"too large", sqs.SendMessageInput{MessageBody: aws.String(strings.Repeat("x", 1<<20+1))}, "InvalidParameterValue"},
			{"invalid characters", sqs.SendMessageInput{MessageBody: aws.String("bad \x01 char")}, "InvalidMessageContents"},
			{"delay too long", sqs.SendMessageInput{MessageBody: aws.String("x"), DelaySeconds: 901}, "InvalidParameterValue"},
			{"reserved attribute name", sqs.SendMessageInput{MessageBody: aws.String("x"), MessageAttributes: map[string]types.MessageAttributeValue{
				"AWS.x": {DataType: aws.String("String"), StringValue: aws.String("v")}}}, "InvalidParameterValue"},
			{"bad data type", sqs.SendMessageInput{MessageBody: aws.String("x"), MessageAttributes: map[string]types.MessageAttributeValue{
				"a": {DataType: aws.String("Colour"), StringValue: aws.String("v")}}}, "InvalidParameterValue"},
			{"not a number", sqs.SendMessageInput{MessageBody: aws.String("x"), MessageAttributes: map[string]types.MessageAttributeValue{
				"a": {DataType: aws.String("Number"), StringValue: aws.String("twelve")}}}, "InvalidParameterValue"},
			{"dedup id on a standard queue", sqs.SendMessageInput{MessageBody: aws.String("x"), MessageDeduplicationId: aws.String("d")}, "InvalidParameterValue"},
		}
		for _, tt := range tests {
			in := tt.in
			in.QueueUrl = url
			if _, err := c.SendMessage(bg, &in); code(err) != tt.want {
				t.Errorf("%s: SendMessage = %v; want %s", tt.name, err, tt.want)
			}
		}
		if _, err := c.SendMessage(bg, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String(strings.Repeat("x", 1<<20))}); err != nil {
			t.Errorf("SendMessage(exactly 1 MiB) = %v", err)
		}
		if _, err := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 11}); code(err) != "InvalidParameterValue" {
			t.Errorf("ReceiveMessage(11) = %v", err)
		}
	})
}

func TestBatches(t *testing.T) {
	each(t, func(t *testing.T, c *sqs.Client, srv *gureumtest.Server) {
		url := aws.String(create(t, c, "b", nil))
		entries := func(n int) []types.SendMessageBatchRequestEntry {
			var out []types.SendMessageBatchRequestEntry
			for i := 0; i < n; i++ {
				out = append(out, types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("e", i)), MessageBody: aws.String(fmt.Sprint("body ", i))})
			}
			return out
		}
		res, err := c.SendMessageBatch(bg, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: entries(10)})
		if err != nil || len(res.Successful) != 10 || len(res.Failed) != 0 {
			t.Fatalf("SendMessageBatch(10) = %+v, %v", res, err)
		}
		bad := entries(3)
		bad[1].MessageBody = aws.String("bad \x02")
		res, err = c.SendMessageBatch(bg, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: bad})
		if err != nil || len(res.Successful) != 2 || len(res.Failed) != 1 || *res.Failed[0].Id != "e1" || *res.Failed[0].Code != "InvalidMessageContents" || !res.Failed[0].SenderFault {
			t.Errorf("SendMessageBatch(one bad) = %+v, %v", res, err)
		}
		dup := entries(2)
		dup[1].Id = dup[0].Id
		long := entries(2)
		long[0].MessageBody = aws.String(strings.Repeat("x", 600000))
		long[1].MessageBody = aws.String(strings.Repeat("x", 600000))
		badID := entries(1)
		badID[0].Id = aws.String("no spaces allowed")
		for _, tt := range []struct {
			entries []types.SendMessageBatchRequestEntry
			want    string
		}{
			{entries(11), "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"},
			{dup, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"},
			{long, "AWS.SimpleQueueService.BatchRequestTooLong"},
			{badID, "AWS.SimpleQueueService.InvalidBatchEntryId"},
		} {
			if _, err := c.SendMessageBatch(bg, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: tt.entries}); code(err) != tt.want {
				t.Errorf("SendMessageBatch = %v; want %s", err, tt.want)
			}
		}
		got, _ := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10})
		if len(got.Messages) != 10 {
			t.Fatalf("received %d; want 10", len(got.Messages))
		}
		var vis []types.ChangeMessageVisibilityBatchRequestEntry
		var del []types.DeleteMessageBatchRequestEntry
		for i, m := range got.Messages {
			vis = append(vis, types.ChangeMessageVisibilityBatchRequestEntry{Id: aws.String(fmt.Sprint("v", i)), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 60})
			del = append(del, types.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("d", i)), ReceiptHandle: m.ReceiptHandle})
		}
		vis[9].ReceiptHandle = aws.String("garbage")
		vr, err := c.ChangeMessageVisibilityBatch(bg, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: url, Entries: vis})
		if err != nil || len(vr.Successful) != 9 || len(vr.Failed) != 1 || *vr.Failed[0].Code != "ReceiptHandleIsInvalid" {
			t.Errorf("ChangeMessageVisibilityBatch = %+v, %v", vr, err)
		}
		dr, err := c.DeleteMessageBatch(bg, &sqs.DeleteMessageBatchInput{QueueUrl: url, Entries: del})
		if err != nil || len(dr.Successful) != 10 {
			t.Errorf("DeleteMessageBatch = %+v, %v", dr, err)
		}
		attrs, _ := c.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: url, AttributeNames: []types.QueueAttributeName{"All"}})
		if attrs.Attributes["ApproximateNumberOfMessages"] != "2" || attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" {
			t.Errorf("after the batch delete: %v", attrs.Attributes)
		}
	})
}

// TestDeadLetterQueue is the order-intake workload: failures land in a DLQ after maxReceiveCount 1.
func TestDeadLetterQueue(t *testing.T) {
	each(t, func(t *testing.T, c *sqs.Client, srv *gureumtest.Server) {
		dlq := create(t, c, "orders-dlq", nil)
		src := create(t, c, "orders", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:orders-dlq","maxReceiveCount":"1"}`})
		if _, err := c.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String("x"), Attributes: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:nope","maxReceiveCount":1}`}}); code(err) != "InvalidParameterValue" {
			t.Errorf("CreateQueue(missing DLQ) = %v", err)
		}
		sent, _ := c.SendMessage(bg, &sqs.SendMessageInput{QueueUrl: aws.String(src), MessageBody: aws.String(`{"order":1}`)})
		first, _ := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: aws.String(src), MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"}})
		if len(first.Messages) != 1 {
			t.Fatal("first receive got nothing")
		}
		// The function failed: the message becomes visible again and moves on its next receive.
		c.ChangeMessageVisibility(bg, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(src), ReceiptHandle: first.Messages[0].ReceiptHandle, VisibilityTimeout: 0})
		if again, _ := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: aws.String(src)}); len(again.Messages) != 0 {
			t.Fatalf("received again after maxReceiveCount: %v", again.Messages)
		}
		moved, err := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: aws.String(dlq), MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"}})
		if err != nil || len(moved.Messages) != 1 {
			t.Fatalf("DLQ receive = %v, %v", moved, err)
		}
		m := moved.Messages[0]
		if *m.MessageId != *sent.MessageId || m.Attributes["DeadLetterQueueSourceArn"] != "arn:aws:sqs:us-east-1:000000000000:orders" ||
			m.Attributes["SentTimestamp"] != first.Messages[0].Attributes["SentTimestamp"] {
			t.Errorf("dead-lettered message %+v", m)
		}
		srcs, err := c.ListDeadLetterSourceQueues(bg, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(dlq)})
		if err != nil || len(srcs.QueueUrls) != 1 || srcs.QueueUrls[0] != src {
			t.Errorf("ListDeadLetterSourceQueues = %v, %v", srcs, err)
		}
	})
}

func TestPurgeAndDelay(t *testing.T) {
	each(t, func(t *testing.T, c *sqs.Client, srv *gureumtest.Server) {
		url := aws.String(create(t, c, "p", nil))
		c.SendMessage(bg, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("now")})
		c.SendMessage(bg, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("later"), DelaySeconds: 900})
		attrs, _ := c.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: url, AttributeNames: []types.QueueAttributeName{"All"}})
		if attrs.Attributes["ApproximateNumberOfMessages"] != "1" || attrs.Attributes["ApproximateNumberOfMessagesDelayed"] != "1" {
			t.Errorf("counts %v; want 1 visible, 1 delayed", attrs.Attributes)
		}
		got, _ := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10})
		if len(got.Messages) != 1 || *got.Messages[0].Body != "now" {
			t.Errorf("received %v; want only the undelayed message", got.Messages)
		}
		if _, err := c.PurgeQueue(bg, &sqs.PurgeQueueInput{QueueUrl: url}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PurgeQueue(bg, &sqs.PurgeQueueInput{QueueUrl: url}); code(err) != "AWS.SimpleQueueService.PurgeQueueInProgress" {
			t.Errorf("second PurgeQueue = %v; want PurgeQueueInProgress", err)
		}
		attrs, _ = c.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: url, AttributeNames: []types.QueueAttributeName{"All"}})
		if attrs.Attributes["ApproximateNumberOfMessages"] != "0" || attrs.Attributes["ApproximateNumberOfMessagesDelayed"] != "0" {
			t.Errorf("after purge %v", attrs.Attributes)
		}
	})
}

// TestLongPollWakes checks that a long poll returns the message sent while it waits, well before
// its wait time ends.
func TestLongPollWakes(t *testing.T) {
	each(t, func(t *testing.T, c *sqs.Client, srv *gureumtest.Server) {
		url := aws.String(create(t, c, "lp", nil))
		type result struct {
			n   int
			err error
		}
		done := make(chan result, 1)
		go func() {
			out, err := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: url, WaitTimeSeconds: 20})
			if err != nil {
				done <- result{err: err}
				return
			}
			done <- result{n: len(out.Messages)}
		}()
		time.Sleep(100 * time.Millisecond) // let the receive start waiting
		c.SendMessage(bg, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("wake up")})
		select {
		case r := <-done:
			if r.err != nil || r.n != 1 {
				t.Errorf("long poll = %d messages, %v; want 1", r.n, r.err)
			}
		case <-time.After(15 * time.Second):
			t.Fatal("the long poll did not wake on a send")
		}
	})
}

func TestFIFO(t *testing.T) {
	each(t, func(t *testing.T, c *sqs.Client, srv *gureumtest.Server) {
		if _, err := c.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String("f"), Attributes: map[string]string{"FifoQueue": "true"}}); code(err) != "InvalidParameterValue" {
			t.Errorf("FIFO without .fifo = %v", err)
		}
		url := aws.String(create(t, c, "orders.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"}))
		if _, err := c.SendMessage(bg, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("x")}); code(err) != "MissingParameter" {
			t.Errorf("FIFO send without a group = %v; want MissingParameter", err)
		}
		var seqs []string
		for _, m := range []struct{ body, group string }{{"a1", "A"}, {"b1", "B"}, {"a2", "A"}} {
			out, err := c.SendMessage(bg, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String(m.body), MessageGroupId: aws.String(m.group)})
			if err != nil || out.SequenceNumber == nil {
				t.Fatalf("SendMessage(%s) = %v, %v", m.body, out, err)
			}
			seqs = append(seqs, *out.SequenceNumber)
		}
		if !(seqs[0] < seqs[1] && seqs[1] < seqs[2]) {
			t.Errorf("sequence numbers not increasing: %v", seqs)
		}
		dup, err := c.SendMessage(bg, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("a1"), MessageGroupId: aws.String("A")})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"}})
		var bodies []string
		for _, m := range got.Messages {
			bodies = append(bodies, *m.Body)
		}
		if fmt.Sprint(bodies) != "[a1 b1 a2]" {
			t.Errorf("FIFO receive = %v; want [a1 b1 a2] (the duplicate not delivered)", bodies)
		}
		if len(got.Messages) > 0 && (*got.Messages[0].MessageId != *dup.MessageId || got.Messages[0].Attributes["MessageGroupId"] != "A") {
			t.Errorf("the deduplicated send returned %s; want the original %s", *dup.MessageId, *got.Messages[0].MessageId)
		}
		if more, _ := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10}); len(more.Messages) != 0 {
			t.Errorf("received while every group is in flight: %v", more.Messages)
		}
	})
}

// TestConcurrentConsumers checks at-least-once delivery without duplicates within the visibility
// timeout when many consumers share a queue.
func TestConcurrentConsumers(t *testing.T) {
	each(t, func(t *testing.T, c *sqs.Client, srv *gureumtest.Server) {
		url := aws.String(create(t, c, "cc", nil))
		const n = 100
		for i := 0; i < n; i += 10 {
			var e []types.SendMessageBatchRequestEntry
			for j := i; j < i+10; j++ {
				e = append(e, types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("m", j)), MessageBody: aws.String(fmt.Sprint(j))})
			}
			if _, err := c.SendMessageBatch(bg, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: e}); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		seen := map[string]int{}
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					out, err := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10})
					if err != nil || len(out.Messages) == 0 {
						return
					}
					var del []types.DeleteMessageBatchRequestEntry
					mu.Lock()
					for i, m := range out.Messages {
						seen[*m.Body]++
						del = append(del, types.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), ReceiptHandle: m.ReceiptHandle})
					}
					mu.Unlock()
					c.DeleteMessageBatch(bg, &sqs.DeleteMessageBatchInput{QueueUrl: url, Entries: del})
				}
			}()
		}
		wg.Wait()
		if len(seen) != n {
			t.Errorf("consumed %d distinct messages; want %d", len(seen), n)
		}
		for b, k := range seen {
			if k != 1 {
				t.Errorf("message %s delivered %d times within its visibility timeout", b, k)
			}
		}
	})
}

func TestPermissions(t *testing.T) {
	each(t, func(t *testing.T, c *sqs.Client, srv *gureumtest.Server) {
		url := aws.String(create(t, c, "shared", nil))
		add := func(label string, actions ...string) error {
			_, err := c.AddPermission(bg, &sqs.AddPermissionInput{QueueUrl: url, Label: aws.String(label), AWSAccountIds: []string{"111122223333"}, Actions: actions})
			return err
		}
		if err := add("partner", "SendMessage", "ReceiveMessage"); err != nil {
			t.Fatal(err)
		}
		if err := add("partner", "SendMessage"); code(err) != "InvalidParameterValue" {
			t.Errorf("AddPermission(same label) = %v; want InvalidParameterValue", err)
		}
		if err := add("bad", "FlyAway"); code(err) != "InvalidParameterValue" {
			t.Errorf("AddPermission(bad action) = %v; want InvalidParameterValue", err)
		}
		attrs, _ := c.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: url, AttributeNames: []types.QueueAttributeName{"Policy"}})
		pol := attrs.Attributes["Policy"]
		for _, want := range []string{`"Sid":"partner"`, `"arn:aws:iam::111122223333:root"`, `"SQS:SendMessage"`, `"Resource":"arn:aws:sqs:us-east-1:000000000000:shared"`} {
			if !strings.Contains(pol, want) {
				t.Errorf("Policy %s lacks %s", pol, want)
			}
		}
		if _, err := c.RemovePermission(bg, &sqs.RemovePermissionInput{QueueUrl: url, Label: aws.String("partner")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.RemovePermission(bg, &sqs.RemovePermissionInput{QueueUrl: url, Label: aws.String("partner")}); code(err) != "InvalidParameterValue" {
			t.Errorf("RemovePermission(again) = %v", err)
		}
		attrs, _ = c.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: url, AttributeNames: []types.QueueAttributeName{"Policy"}})
		if _, ok := attrs.Attributes["Policy"]; ok {
			t.Errorf("Policy still set after removing the only statement: %v", attrs.Attributes)
		}
	})
}

// TestMessageMoveTasks redrives a dead-letter queue back to its source, and to a chosen queue.
func TestMessageMoveTasks(t *testing.T) {
	each(t, func(t *testing.T, c *sqs.Client, srv *gureumtest.Server) {
		dlqURL := create(t, c, "dlq", nil)
		srcURL := create(t, c, "src", map[string]string{"VisibilityTimeout": "0",
			"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":1}`})
		otherURL := create(t, c, "other", nil)
		const dlqArn = "arn:aws:sqs:us-east-1:000000000000:dlq"
		fail := func(n int) {
			for i := 0; i < n; i++ {
				c.SendMessage(bg, &sqs.SendMessageInput{QueueUrl: aws.String(srcURL), MessageBody: aws.String(fmt.Sprint("m", i))})
			}
			for moved := 0; moved < n; {
				got, _ := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: aws.String(srcURL), MaxNumberOfMessages: 10})
				if len(got.Messages) == 0 {
					moved = n // the next receive moved them
				}
			}
		}
		count := func(url string) string {
			a, _ := c.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{"ApproximateNumberOfMessages"}})
			return a.Attributes["ApproximateNumberOfMessages"]
		}
		wait := func(status string) types.ListMessageMoveTasksResultEntry {
			for i := 0; i < 200; i++ {
				l, err := c.ListMessageMoveTasks(bg, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(dlqArn)})
				if err != nil {
					t.Fatal(err)
				}
				if len(l.Results) > 0 && *l.Results[0].Status == status {
					return l.Results[0]
				}
				time.Sleep(20 * time.Millisecond)
			}
			t.Fatalf("no task reached %s", status)
			return types.ListMessageMoveTasksResultEntry{}
		}
		fail(25)
		if n := count(dlqURL); n != "25" {
			t.Fatalf("DLQ holds %s; want 25", n)
		}
		if _, err := c.StartMessageMoveTask(bg, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:src")}); code(err) != "InvalidParameterValue" {
			t.Errorf("StartMessageMoveTask(not a DLQ) = %v", err)
		}
		if _, err := c.StartMessageMoveTask(bg, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:nope")}); code(err) != "ResourceNotFoundException" {
			t.Errorf("StartMessageMoveTask(missing) = %v", err)
		}
		if _, err := c.StartMessageMoveTask(bg, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqArn)}); err != nil {
			t.Fatal(err)
		}
		done := wait("COMPLETED")
		if done.ApproximateNumberOfMessagesMoved != 25 || done.ApproximateNumberOfMessagesToMove == nil || *done.ApproximateNumberOfMessagesToMove != 25 {
			t.Errorf("completed task = %+v", done)
		}
		if count(srcURL) != "25" || count(dlqURL) != "0" {
			t.Errorf("after redrive: src %s, dlq %s; want 25 and 0", count(srcURL), count(dlqURL))
		}
		// Drain the source into the DLQ again, then move to another queue, slowly, and cancel.
		c.PurgeQueue(bg, &sqs.PurgeQueueInput{QueueUrl: aws.String(srcURL)})
		fail(30)
		start, err := c.StartMessageMoveTask(bg, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqArn),
			DestinationArn: aws.String("arn:aws:sqs:us-east-1:000000000000:other"), MaxNumberOfMessagesPerSecond: aws.Int32(10)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.StartMessageMoveTask(bg, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqArn)}); code(err) != "AWS.SimpleQueueService.UnsupportedOperation" {
			t.Errorf("second running task = %v", err)
		}
		time.Sleep(300 * time.Millisecond)
		cancelled, err := c.CancelMessageMoveTask(bg, &sqs.CancelMessageMoveTaskInput{TaskHandle: start.TaskHandle})
		if err != nil || cancelled.ApproximateNumberOfMessagesMoved == 0 || cancelled.ApproximateNumberOfMessagesMoved >= 30 {
			t.Errorf("CancelMessageMoveTask = %+v, %v; want some but not all moved", cancelled, err)
		}
		wait("CANCELLED")
		if count(otherURL) == "0" || count(dlqURL) == "0" {
			t.Errorf("after cancel: other %s, dlq %s; want both non-empty", count(otherURL), count(dlqURL))
		}
		if _, err := c.CancelMessageMoveTask(bg, &sqs.CancelMessageMoveTaskInput{TaskHandle: start.TaskHandle}); err == nil {
			t.Errorf("cancelling a cancelled task succeeded")
		}
	})
}

// TestMessageMoveTaskSurvivesRestart stops the server while a task runs and checks that the
// restarted server resumes it from the store and completes it.
func TestMessageMoveTaskSurvivesRestart(t *testing.T) {
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			opt := gureumtest.Options{DataDir: t.TempDir(), Args: append([]string{"--log-level", "warn"}, b.Args...)}
			srv := gureumtest.Start(t, opt)
			c := sqs.NewFromConfig(srv.Config())
			dlqURL := create(t, c, "dlq", nil)
			srcURL := create(t, c, "src", map[string]string{"VisibilityTimeout": "0",
				"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":1}`})
			const dlqArn, n = "arn:aws:sqs:us-east-1:000000000000:dlq", 20
			for i := 0; i < n; i++ {
				if _, err := c.SendMessage(bg, &sqs.SendMessageInput{QueueUrl: aws.String(srcURL), MessageBody: aws.String(fmt.Sprint("m", i))}); err != nil {
					t.Fatal(err)
				}
			}
			// Receive until every message has been moved to the DLQ (a receive after the first
			// moves what it finds).
			for deadline := time.Now().Add(20 * time.Second); ; {
				got, err := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: aws.String(srcURL), MaxNumberOfMessages: 10})
				if err != nil {
					t.Fatal(err)
				}
				if len(got.Messages) > 0 {
					continue
				}
				a, err := c.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(dlqURL), AttributeNames: []types.QueueAttributeName{"ApproximateNumberOfMessages"}})
				if err != nil {
					t.Fatal(err)
				}
				if a.Attributes["ApproximateNumberOfMessages"] == fmt.Sprint(n) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the DLQ holds %s messages; want %d", a.Attributes["ApproximateNumberOfMessages"], n)
				}
			}
			start, err := c.StartMessageMoveTask(bg, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqArn), MaxNumberOfMessagesPerSecond: aws.Int32(10)})
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(300 * time.Millisecond)
			if err := srv.Stop(); err != nil {
				t.Fatal(err)
			}
			srv = gureumtest.Start(t, opt)
			c = sqs.NewFromConfig(srv.Config())
			var last types.ListMessageMoveTasksResultEntry
			for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				l, err := c.ListMessageMoveTasks(bg, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(dlqArn)})
				if err != nil {
					t.Fatal(err)
				}
				if len(l.Results) != 1 {
					t.Fatalf("tasks after restart = %d; want the one started before", len(l.Results))
				}
				if last = l.Results[0]; *last.Status != "RUNNING" {
					break
				}
				if last.TaskHandle == nil || *last.TaskHandle != *start.TaskHandle {
					t.Fatalf("running task's handle = %v; want %s", last.TaskHandle, *start.TaskHandle)
				}
			}
			if *last.Status != "COMPLETED" || last.ApproximateNumberOfMessagesMoved != n {
				t.Fatalf("task after restart = %s with %d moved; want COMPLETED with %d", *last.Status, last.ApproximateNumberOfMessagesMoved, n)
			}
			attrs := func(url string) string {
				a, err := c.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{"ApproximateNumberOfMessages"}})
				if err != nil {
					t.Fatal(err)
				}
				return a.Attributes["ApproximateNumberOfMessages"]
			}
			if src, dlq := attrs(srcURL), attrs(dlqURL); src != fmt.Sprint(n) || dlq != "0" {
				t.Errorf("after the resumed task: src %s, dlq %s; want %d and 0", src, dlq, n)
			}
		})
	}
}
