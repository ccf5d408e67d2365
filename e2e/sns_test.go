package e2e

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestSNSKill9KeepsPublishes kills the server with SIGKILL in the middle of a load of publishes
// to a topic with a subscribed queue: after a restart, every acknowledged publish reaches the
// queue (its delivery was recorded in the publish's own transaction), at least once. Deliveries
// the killed server had claimed are due again when their claim runs out (30 s): the test waits
// for them.
func TestSNSKill9KeepsPublishes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	opt := gureumtest.Options{DataDir: dir, Args: []string{"--log-level", "warn"}}
	p := gureumtest.StartBinary(t, bin, opt)
	ctx := context.Background()
	topics, queues := sns.NewFromConfig(p.Config()), sqs.NewFromConfig(p.Config())
	tp, err := topics.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("durable")})
	if err != nil {
		t.Fatal(err)
	}
	q, err := queues.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("fanout")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := topics.Subscribe(ctx, &sns.SubscribeInput{TopicArn: tp.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String("arn:aws:sqs:us-east-1:000000000000:fanout"), Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	acked := map[string]bool{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf("w%d-%d", w, i)
				if _, err := topics.Publish(ctx, &sns.PublishInput{TopicArn: tp.TopicArn, Message: &body}); err != nil {
					return // the kill
				}
				mu.Lock()
				acked[body] = true
				mu.Unlock()
			}
		}()
	}
	time.Sleep(700 * time.Millisecond)
	p.Cmd.Process.Kill() // SIGKILL: no drain, no clean close
	close(stop)
	wg.Wait()
	p.Cmd.Wait()
	if len(acked) < 20 {
		t.Fatalf("only %d publishes were acknowledged before the kill; the load did not run", len(acked))
	}

	p = gureumtest.StartBinary(t, bin, opt)
	queues = sqs.NewFromConfig(p.Config())
	got := map[string]bool{}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) && !covers(got, acked) {
		r, err := queues.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range r.Messages {
			got[*m.Body] = true
			queues.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: m.ReceiptHandle})
		}
	}
	lost := 0
	for body := range acked {
		if !got[body] {
			lost++
		}
	}
	t.Logf("acknowledged before the kill: %d publishes; received after restart and before: %d", len(acked), len(got))
	if lost > 0 {
		t.Errorf("after kill -9: %d acknowledged publishes never reached the queue", lost)
	}
}

func covers(got, want map[string]bool) bool {
	for k := range want {
		if !got[k] {
			return false
		}
	}
	return true
}

// TestSNSTopicPolicyAcrossNodes runs two servers on one PostgreSQL database: a topic policy set
// through one node governs publishes through the other at once, though each node caches topic
// policies (iam.PolicyCache, dropped on every node through the notifier topic sns_policies).
func TestSNSTopicPolicyAcrossNodes(t *testing.T) {
	t.Parallel()
	n := twoNodes(t)
	ctx := context.Background()
	ta, tb := sns.NewFromConfig(n.a.Config()), sns.NewFromConfig(n.b.Config())
	tp, err := ta.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("guarded")})
	if err != nil {
		t.Fatal(err)
	}
	publish := func() error {
		_, err := tb.Publish(ctx, &sns.PublishInput{TopicArn: tp.TopicArn, Message: aws.String("m")})
		return err
	}
	if err := publish(); err != nil { // node B caches the topic without a policy
		t.Fatalf("Publish through B before the policy: %v", err)
	}
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"SNS:Publish","Resource":"` + *tp.TopicArn + `"}]}`
	if _, err := ta.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: tp.TopicArn, AttributeName: aws.String("Policy"), AttributeValue: &deny}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "B refuses a publish the policy denies", func() bool { return publish() != nil })
	if _, err := ta.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: tp.TopicArn, AttributeName: aws.String("Policy"), AttributeValue: aws.String("")}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "B accepts publishes once the policy is gone", func() bool { return publish() == nil })
}

// eventually polls cond for up to ten seconds (a notice crosses nodes in milliseconds; the
// caches' own bound is a minute) and fails the test if it never holds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("%s: not within 10 s", what)
}
