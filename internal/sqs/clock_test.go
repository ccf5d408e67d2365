package sqs

import (
	"context"
	"maps"
	"path/filepath"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store/sqlite"
)

// waitForTimer blocks until some goroutine is waiting on the clock.
func waitForTimer(t *testing.T, c *background.FakeClock) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if !c.WaitForTimers(ctx, 1) {
		t.Fatal("nobody waited on the clock")
	}
}

// newClocked returns the service over a real SQLite store with a fake clock, and a context that
// carries the root principal as the router would.
func newClocked(t *testing.T) (*Service, *background.FakeClock, context.Context) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := background.NewFakeClock(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
	ctx := request.With(context.Background(), &request.Info{Host: "localhost:4566", Principal: request.RootPrincipal("000000000000", "AKIA")})
	return New(Deps{Env: service.Env{Region: "us-east-1", Clock: clock}, Store: st}), clock, ctx
}

func mustCreate(t *testing.T, s *Service, ctx context.Context, name string, attrs map[string]string) string {
	t.Helper()
	out, err := s.CreateQueue(ctx, &CreateQueueInput{QueueName: name, Attributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	return out.QueueUrl
}

func receiveN(t *testing.T, s *Service, ctx context.Context, url string) []Message {
	t.Helper()
	out, err := s.ReceiveMessage(ctx, &ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: intp(10), WaitTimeSeconds: intp(0), AttributeNames: []string{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Messages
}

func intp(n int) *int { return &n }

func TestVisibilityTimeoutExpires(t *testing.T) {
	s, clock, ctx := newClocked(t)
	url := mustCreate(t, s, ctx, "q", map[string]string{"VisibilityTimeout": "30"})
	s.SendMessage(ctx, &SendMessageInput{QueueUrl: url, MessageBody: str("m")})
	if got := receiveN(t, s, ctx, url); len(got) != 1 {
		t.Fatal("first receive got nothing")
	}
	clock.Advance(29 * time.Second)
	if got := receiveN(t, s, ctx, url); len(got) != 0 {
		t.Fatalf("received within the visibility timeout: %v", got)
	}
	clock.Advance(2 * time.Second)
	got := receiveN(t, s, ctx, url)
	if len(got) != 1 || got[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("after the timeout = %+v; want the message with receive count 2", got)
	}
}

func TestDelayAndRetention(t *testing.T) {
	s, clock, ctx := newClocked(t)
	url := mustCreate(t, s, ctx, "q", map[string]string{"DelaySeconds": "10", "MessageRetentionPeriod": "60"})
	s.SendMessage(ctx, &SendMessageInput{QueueUrl: url, MessageBody: str("delayed")})
	s.SendMessage(ctx, &SendMessageInput{QueueUrl: url, MessageBody: str("override"), DelaySeconds: intp(0)})
	if got := receiveN(t, s, ctx, url); len(got) != 1 || got[0].Body != "override" {
		t.Fatalf("receive before the delay = %+v; want only the undelayed message", got)
	}
	clock.Advance(10 * time.Second)
	if got := receiveN(t, s, ctx, url); len(got) != 1 || got[0].Body != "delayed" {
		t.Fatalf("receive after the delay = %+v", got)
	}
	s.SendMessage(ctx, &SendMessageInput{QueueUrl: url, MessageBody: str("old"), DelaySeconds: intp(0)})
	clock.Advance(61 * time.Second)
	if got := receiveN(t, s, ctx, url); len(got) != 0 {
		t.Fatalf("received past retention: %+v", got)
	}
	attrs, _ := s.GetQueueAttributes(ctx, &GetQueueAttributesInput{QueueUrl: url, AttributeNames: []string{"All"}})
	if attrs.Attributes["ApproximateNumberOfMessages"] != "0" || attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Errorf("counts past retention: %v", attrs.Attributes)
	}
}

func TestLongPollUsesTheClock(t *testing.T) {
	s, clock, ctx := newClocked(t)
	url := mustCreate(t, s, ctx, "q", nil)
	result := make(chan int, 1)
	poll := func() {
		out, err := s.ReceiveMessage(ctx, &ReceiveMessageInput{QueueUrl: url, WaitTimeSeconds: intp(20)})
		if err != nil {
			result <- -1
			return
		}
		result <- len(out.Messages)
	}
	go poll()
	waitForTimer(t, clock)
	clock.Advance(20 * time.Second)
	if n := <-result; n != 0 {
		t.Fatalf("long poll on an empty queue returned %d; want 0 after its wait time", n)
	}
	// A delayed message wakes a waiting poll when it becomes visible.
	s.SendMessage(ctx, &SendMessageInput{QueueUrl: url, MessageBody: str("soon"), DelaySeconds: intp(5)})
	go poll()
	waitForTimer(t, clock)
	clock.Advance(5 * time.Second)
	if n := <-result; n != 1 {
		t.Fatalf("long poll = %d messages; want the delayed one when it became visible", n)
	}
}

func TestRecreateAndPurgeIntervals(t *testing.T) {
	s, clock, ctx := newClocked(t)
	url := mustCreate(t, s, ctx, "q", nil)
	if _, err := s.PurgeQueue(ctx, &QueueInput{QueueUrl: url}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PurgeQueue(ctx, &QueueInput{QueueUrl: url}); err == nil {
		t.Error("second purge within 60 s succeeded")
	}
	clock.Advance(61 * time.Second)
	if _, err := s.PurgeQueue(ctx, &QueueInput{QueueUrl: url}); err != nil {
		t.Errorf("purge after 60 s = %v", err)
	}
	s.DeleteQueue(ctx, &QueueInput{QueueUrl: url})
	if _, err := s.CreateQueue(ctx, &CreateQueueInput{QueueName: "q"}); err == nil {
		t.Error("re-created within 60 s of deletion")
	}
	clock.Advance(61 * time.Second)
	if _, err := s.CreateQueue(ctx, &CreateQueueInput{QueueName: "q"}); err != nil {
		t.Errorf("re-create after 60 s = %v", err)
	}
}

func TestFIFODedupWindow(t *testing.T) {
	s, clock, ctx := newClocked(t)
	url := mustCreate(t, s, ctx, "q.fifo", map[string]string{"FifoQueue": "true"})
	send := func() string {
		out, err := s.SendMessage(ctx, &SendMessageInput{QueueUrl: url, MessageBody: str("x"), MessageGroupId: "g", MessageDeduplicationId: "d"})
		if err != nil {
			t.Fatal(err)
		}
		return out.MessageId
	}
	first := send()
	clock.Advance(4 * time.Minute)
	if again := send(); again != first {
		t.Errorf("send within 5 minutes = %s; want the original %s", again, first)
	}
	clock.Advance(2 * time.Minute)
	if later := send(); later == first {
		t.Errorf("send after the window returned the original message id")
	}
}

// TestInProcessInterface drives a queue the way S3 notifications and event-source mappings will.
func TestInProcessInterface(t *testing.T) {
	s, clock, ctx := newClocked(t)
	mustCreate(t, s, ctx, "events", map[string]string{"VisibilityTimeout": "90"})
	arn := "arn:aws:sqs:us-east-1:000000000000:events"
	bare := context.Background() // services call without a request principal
	for i := 0; i < 3; i++ {
		if _, err := s.Enqueue(bare, arn, "object created", map[string]MessageAttributeValue{"bucket": {DataType: "String", StringValue: str("b")}}, "", ""); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Poll(bare, arn, 10, 0, 0)
	if err != nil || len(got) != 3 || got[0].MessageAttributes["bucket"].StringValue == nil {
		t.Fatalf("Poll = %d messages, %v", len(got), err)
	}
	if err := s.Release(bare, arn, []string{got[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	if err := s.Ack(bare, arn, []string{got[1].ReceiptHandle, got[2].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	again, _ := s.Poll(bare, arn, 10, 0, 0)
	if len(again) != 1 || again[0].MessageId != got[0].MessageId || again[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("after release and ack: %+v", again)
	}
	clock.Advance(91 * time.Second)
	if _, err := s.Poll(bare, "arn:aws:sqs:us-east-1:000000000000:nope", 1, 0, 0); err == nil {
		t.Error("Poll of a missing queue succeeded")
	}
}

func TestReceiveRequestAttemptID(t *testing.T) {
	s, clock, ctx := newClocked(t)
	url := mustCreate(t, s, ctx, "q.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	for _, b := range []string{"a", "b"} {
		s.SendMessage(ctx, &SendMessageInput{QueueUrl: url, MessageBody: str(b), MessageGroupId: b})
	}
	recv := func(attempt string) *ReceiveMessageOutput {
		out, err := s.ReceiveMessage(ctx, &ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: intp(1), ReceiveRequestAttemptId: attempt})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	first := recv("try-1")
	retry := recv("try-1")
	if len(first.Messages) != 1 || len(retry.Messages) != 1 || retry.Messages[0].ReceiptHandle != first.Messages[0].ReceiptHandle {
		t.Fatalf("retry with the same attempt id = %+v; want the first answer %+v", retry, first)
	}
	other := recv("try-2")
	if len(other.Messages) != 1 || other.Messages[0].MessageId == first.Messages[0].MessageId {
		t.Fatalf("a new attempt id = %+v; want the other group's message", other)
	}
	clock.Advance(6 * time.Minute)
	if late := recv("try-1"); len(late.Messages) == 1 && late.Messages[0].ReceiptHandle == first.Messages[0].ReceiptHandle {
		t.Errorf("attempt id still answered from the cache after 5 minutes")
	}
}

// TestLongPollWakesOnDeadLetter checks that a long poll on a dead-letter queue returns the message
// a receive on its source moves there, without waiting out its wait time.
func TestLongPollWakesOnDeadLetter(t *testing.T) {
	s, clock, ctx := newClocked(t)
	dlq := mustCreate(t, s, ctx, "dlq", nil)
	arn, err := s.GetQueueAttributes(ctx, &GetQueueAttributesInput{QueueUrl: dlq, AttributeNames: []string{"QueueArn"}})
	if err != nil {
		t.Fatal(err)
	}
	src := mustCreate(t, s, ctx, "src", map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"` + arn.Attributes["QueueArn"] + `","maxReceiveCount":"1"}`,
	})
	if _, err := s.SendMessage(ctx, &SendMessageInput{QueueUrl: src, MessageBody: str("poison")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReceiveMessage(ctx, &ReceiveMessageInput{QueueUrl: src, VisibilityTimeout: intp(0), WaitTimeSeconds: intp(0)}); err != nil {
		t.Fatal(err)
	}
	result := longPoll(t, s, ctx, dlq)
	waitForTimer(t, clock)
	if got := receiveN(t, s, ctx, src); len(got) != 0 {
		t.Fatalf("second receive on the source = %d messages; want the message moved", len(got))
	}
	select {
	case got := <-result:
		if len(got) != 1 || got[0].Body != "poison" {
			t.Errorf("long poll on the dead-letter queue = %+v; want the moved message", got)
		}
	case <-time.After(5 * time.Second): // the clock does not move: only a wake-up ends the poll
		t.Fatal("the long poll on the dead-letter queue did not wake when a message moved there")
	}
}

// TestLongPollWakesOnEarlierVisibility checks that a long poll waiting for a message's visibility
// deadline looks again when ChangeMessageVisibility brings the deadline forward.
func TestLongPollWakesOnEarlierVisibility(t *testing.T) {
	s, clock, ctx := newClocked(t)
	url := mustCreate(t, s, ctx, "q", map[string]string{"VisibilityTimeout": "60"})
	if _, err := s.SendMessage(ctx, &SendMessageInput{QueueUrl: url, MessageBody: str("retry me")}); err != nil {
		t.Fatal(err)
	}
	got := receiveN(t, s, ctx, url)
	if len(got) != 1 {
		t.Fatalf("receive = %d messages", len(got))
	}
	result := longPoll(t, s, ctx, url)
	waitForTimer(t, clock) // the poll sleeps until its wait time ends (before the 60 s deadline)
	if _, err := s.ChangeMessageVisibility(ctx, &ChangeMessageVisibilityInput{QueueUrl: url, ReceiptHandle: got[0].ReceiptHandle, VisibilityTimeout: intp(5)}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5000 && clock.Timers() < 2; i++ { // the poll looked again and sleeps until 5 s
		time.Sleep(time.Millisecond)
	}
	clock.Advance(5 * time.Second)
	select {
	case got := <-result:
		if len(got) != 1 {
			t.Errorf("long poll = %d messages; want the message at its new deadline", len(got))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the long poll slept past the message's new, earlier visibility deadline")
	}
}

// longPoll starts a 20-second receive on url and returns the channel its messages arrive on; the
// poll ends with the test.
func longPoll(t *testing.T, s *Service, ctx context.Context, url string) <-chan []Message {
	ctx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	result := make(chan []Message, 1)
	go func() {
		out, err := s.ReceiveMessage(ctx, &ReceiveMessageInput{QueueUrl: url, WaitTimeSeconds: intp(20)})
		if err != nil {
			out = &ReceiveMessageOutput{}
		}
		result <- out.Messages
	}()
	return result
}

// TestCachedQueueIsNotChangedInPlace checks that the operations that change a queue work on a
// copy: a queue that a request read from the cache (shared, read-only) keeps its attributes and
// tags while another request changes them.
func TestCachedQueueIsNotChangedInPlace(t *testing.T) {
	s, _, ctx := newClocked(t)
	url := mustCreate(t, s, ctx, "q", map[string]string{"VisibilityTimeout": "30"})
	changes := map[string]func() error{
		"SetQueueAttributes": func() error {
			_, err := s.SetQueueAttributes(ctx, &SetQueueAttributesInput{QueueUrl: url, Attributes: map[string]string{"VisibilityTimeout": "45"}})
			return err
		},
		"TagQueue": func() error {
			_, err := s.TagQueue(ctx, &TagQueueInput{QueueUrl: url, Tags: map[string]string{"stage": "prod"}})
			return err
		},
		"UntagQueue": func() error {
			_, err := s.UntagQueue(ctx, &UntagQueueInput{QueueUrl: url, TagKeys: []string{"team"}})
			return err
		},
	}
	for name, change := range changes {
		if _, err := s.TagQueue(ctx, &TagQueueInput{QueueUrl: url, Tags: map[string]string{"team": "core"}}); err != nil {
			t.Fatal(err)
		}
		s.queue(ctx, url) // a miss: fills the cache
		held, err := s.queue(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		attrs, tags := maps.Clone(held.Attributes), maps.Clone(held.Tags)
		if err := change(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !maps.Equal(held.Attributes, attrs) || !maps.Equal(held.Tags, tags) {
			t.Errorf("%s changed the cached queue in place: attributes %v, tags %v", name, held.Attributes, held.Tags)
		}
	}
	now, err := s.queue(ctx, url)
	if err != nil || now.Attributes["VisibilityTimeout"] != "45" || now.Tags["stage"] != "prod" {
		t.Errorf("after the changes: attributes %v, tags %v, %v", now.Attributes, now.Tags, err)
	}
}
