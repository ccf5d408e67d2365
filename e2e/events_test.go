package e2e

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestEventsKill9LosesNoAcceptedEvent kills the server with SIGKILL while PutEvents load runs,
// with deliveries still in the outbox, restarts it on the same data and checks that every event
// PutEvents accepted reaches the rule's queue target (at least once).
func TestEventsKill9LosesNoAcceptedEvent(t *testing.T) {
	t.Parallel()
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) { eventsKill9(t, b) })
	}
}

func eventsKill9(t *testing.T, b gureumtest.Backend) {
	opt := gureumtest.Options{DataDir: t.TempDir(), Args: append([]string{"--log-level", "warn"}, b.Args...)}
	p := gureumtest.StartBinary(t, bin, opt)
	ctx := context.Background()
	eb, sq := eventbridge.NewFromConfig(p.Config()), sqs.NewFromConfig(p.Config())
	q, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("sink")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("all"), EventPattern: aws.String(`{"source":["k9"]}`)}); err != nil {
		t.Fatal(err)
	}
	_, err = eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("all"),
		Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:sink")}}})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	accepted := map[string]bool{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			entries := make([]ebtypes.PutEventsRequestEntry, 10)
			for i := range entries {
				entries[i] = ebtypes.PutEventsRequestEntry{Source: aws.String("k9"), DetailType: aws.String("t"), Detail: aws.String(`{"n":1}`)}
			}
			for {
				select {
				case <-stop:
					return
				default:
				}
				out, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
				if err != nil {
					return // the server is gone
				}
				mu.Lock()
				for _, e := range out.Entries {
					if e.EventId != nil {
						accepted[*e.EventId] = true
					}
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(400 * time.Millisecond)
	p.Cmd.Process.Kill()
	p.Cmd.Wait()
	close(stop)
	wg.Wait()
	if len(accepted) == 0 {
		t.Fatal("no event was accepted before the kill")
	}
	p2 := gureumtest.StartBinary(t, bin, opt)
	sq = sqs.NewFromConfig(p2.Config())
	got := map[string]bool{}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		// A short visibility timeout and a delete after each receive: aws-sdk-go-v2 sometimes fails
		// the body read of a 200 answer with "use of closed network connection" after its
		// transport's write loop closed the connection (aws/aws-sdk-go-v2#1825, #2737); the
		// messages of a receive whose answer was lost come back 2 s later instead of staying
		// invisible for the rest of the test (what CI saw: exactly 10 of 1210 missing).
		out, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 2})
		if err != nil {
			t.Logf("ReceiveMessage: %v (retrying)", err)
			continue
		}
		var done []sqstypes.DeleteMessageBatchRequestEntry
		for i, m := range out.Messages {
			var env struct{ ID string }
			json.Unmarshal([]byte(*m.Body), &env)
			got[env.ID] = true
			done = append(done, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
		}
		if len(done) > 0 {
			if _, err := sq.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: q.QueueUrl, Entries: done}); err != nil {
				t.Logf("DeleteMessageBatch: %v", err)
			}
		}
		missing := 0
		for id := range accepted {
			if !got[id] {
				missing++
			}
		}
		if missing == 0 {
			t.Logf("%d accepted events, all delivered after the restart", len(accepted))
			return
		}
	}
	missing := 0
	for id := range accepted {
		if !got[id] {
			missing++
		}
	}
	t.Fatalf("%d of %d accepted events never reached the queue", missing, len(accepted))
}
