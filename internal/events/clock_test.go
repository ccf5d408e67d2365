package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/events"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/sqs"
	"github.com/gureum/gureum/internal/store/sqlite"
)

// clocked is EventBridge with SQS over a real SQLite store, a runner and an outbox, all on a
// fake clock.
type clocked struct {
	ev    *events.Service
	q     *sqs.Service
	clock *background.FakeClock
	ctx   context.Context
}

func newClocked(t *testing.T, invoker events.Invoker) *clocked {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	clock := background.NewFakeClock(time.Date(2026, 12, 7, 16, 0, 30, 0, time.UTC))
	r := background.New(background.Config{Leases: st, Clock: clock})
	ob := background.NewOutbox(r, st, st, background.OutboxOptions{})
	r.Go("outbox", ob.Run)
	env := service.Env{Region: "us-east-1", Clock: clock, Runner: r, Outbox: ob}
	q := sqs.New(sqs.Deps{Env: env, Store: st})
	ev := events.New(events.Deps{Env: env, Store: st, Queues: q, Invoker: invoker})
	ctx := request.With(context.Background(), &request.Info{Host: "localhost:4566", Principal: request.RootPrincipal("000000000000", "AKIA")})
	q.Start(ctx)
	ev.Start(ctx)
	r.Start(ctx)
	t.Cleanup(func() { r.Stop(); ev.Stop(); q.Stop(); st.Close() })
	return &clocked{ev: ev, q: q, clock: clock, ctx: ctx}
}

func (c *clocked) queue(t *testing.T, name string) string {
	t.Helper()
	if _, err := c.q.CreateQueue(c.ctx, &sqs.CreateQueueInput{QueueName: name}); err != nil {
		t.Fatal(err)
	}
	return "arn:aws:sqs:us-east-1:000000000000:" + name
}

func (c *clocked) poll(t *testing.T, arn string) []sqs.Message {
	t.Helper()
	ms, err := c.q.Poll(c.ctx, arn, 10, 0, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// advance moves the clock in steps, letting the background work run after each.
func (c *clocked) advance(d, step time.Duration) {
	for moved := time.Duration(0); moved < d; moved += step {
		c.clock.Advance(step)
		time.Sleep(3 * time.Millisecond)
	}
}

// waitFor polls the queue, nudging the clock, until n messages came or 2 s passed.
func (c *clocked) waitFor(t *testing.T, arn string, n int) []sqs.Message {
	t.Helper()
	var got []sqs.Message
	for deadline := time.Now().Add(2 * time.Second); len(got) < n && time.Now().Before(deadline); {
		got = append(got, c.poll(t, arn)...)
		c.clock.Advance(time.Second)
		time.Sleep(5 * time.Millisecond)
	}
	return got
}

// settle polls the queue for half a second without moving the clock.
func (c *clocked) settle(t *testing.T, arn string) []sqs.Message {
	t.Helper()
	var got []sqs.Message
	for deadline := time.Now().Add(500 * time.Millisecond); time.Now().Before(deadline); {
		got = append(got, c.poll(t, arn)...)
		time.Sleep(10 * time.Millisecond)
	}
	return got
}

func TestScheduledRuleFiresOnTheClock(t *testing.T) {
	c := newClocked(t, nil)
	q := c.queue(t, "ticks")
	out, err := c.ev.PutRule(c.ctx, &events.PutRuleInput{Name: "keep-warm", ScheduleExpression: "rate(1 minute)"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ev.PutTargets(c.ctx, &events.PutTargetsInput{Rule: "keep-warm", Targets: []events.Target{{Id: "q", Arn: q}}}); err != nil {
		t.Fatal(err)
	}
	c.advance(50*time.Second, 10*time.Second)
	if got := c.poll(t, q); len(got) != 0 {
		t.Fatalf("fired %d times before its first minute", len(got))
	}
	c.advance(20*time.Second, 10*time.Second)
	got := c.waitFor(t, q, 1)
	if len(got) != 1 {
		t.Fatalf("after a minute the queue got %d events; want 1", len(got))
	}
	var env struct {
		Version, ID, Source, Account, Time, Region string
		DetailType                                 string `json:"detail-type"`
		Resources                                  []string
		Detail                                     map[string]any
	}
	if err := json.Unmarshal([]byte(got[0].Body), &env); err != nil {
		t.Fatal(err)
	}
	if env.DetailType != "Scheduled Event" || env.Source != "aws.events" || env.Version != "0" || env.Account != "000000000000" ||
		len(env.Resources) != 1 || env.Resources[0] != out.RuleArn || env.Detail == nil || env.Time != "2026-12-07T16:01:30Z" {
		t.Errorf("scheduled event = %s", got[0].Body)
	}
	// Five minutes pass at once (as if the server were down): one fire, not five.
	c.clock.Advance(5 * time.Minute)
	if got := c.settle(t, q); len(got) != 1 {
		t.Errorf("after a five-minute gap the queue got %d events; want 1", len(got))
	}
	if _, err := c.ev.DisableRule(c.ctx, &events.RuleInput{Name: "keep-warm"}); err != nil {
		t.Fatal(err)
	}
	c.advance(3*time.Minute, 10*time.Second)
	if got := c.poll(t, q); len(got) != 0 {
		t.Errorf("a disabled rule fired %d times", len(got))
	}
}

// failingLambda stands in for Lambda, which is built elsewhere: it refuses every invocation.
type failingLambda struct {
	mu    sync.Mutex
	calls int
}

func (f *failingLambda) InvokeAsync(ctx context.Context, arn string, _ request.Source, payload []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	return errors.New("function busy")
}

func TestRetriesThenDeadLetterQueue(t *testing.T) {
	fn := &failingLambda{}
	c := newClocked(t, fn)
	dlq := c.queue(t, "dlq")
	two := 2
	if _, err := c.ev.PutRule(c.ctx, &events.PutRuleInput{Name: "r", EventPattern: `{"source":["app"]}`}); err != nil {
		t.Fatal(err)
	}
	_, err := c.ev.PutTargets(c.ctx, &events.PutTargetsInput{Rule: "r", Targets: []events.Target{
		{Id: "fn", Arn: "arn:aws:lambda:us-east-1:000000000000:function:f", RetryPolicy: &events.RetryPolicy{MaximumRetryAttempts: &two},
			DeadLetterConfig: &events.DeadLetterConfig{Arn: dlq}},
		{Id: "gone", Arn: "arn:aws:sqs:us-east-1:000000000000:missing", DeadLetterConfig: &events.DeadLetterConfig{Arn: dlq}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	detail := `{"n":1}`
	if _, err := c.ev.PutEvents(c.ctx, &events.PutEventsInput{Entries: []events.PutEventsRequestEntry{{Source: ptr("app"), DetailType: ptr("t"), Detail: &detail}}}); err != nil {
		t.Fatal(err)
	}
	got := c.waitFor(t, dlq, 2)
	if len(got) != 2 {
		t.Fatalf("the dead-letter queue got %d messages; want 2", len(got))
	}
	byTarget := map[string]sqs.Message{}
	for _, m := range got {
		byTarget[*m.MessageAttributes["TARGET_ARN"].StringValue] = m
	}
	fnMsg, goneMsg := byTarget["arn:aws:lambda:us-east-1:000000000000:function:f"], byTarget["arn:aws:sqs:us-east-1:000000000000:missing"]
	attr := func(m sqs.Message, k string) string {
		if v, ok := m.MessageAttributes[k]; ok && v.StringValue != nil {
			return *v.StringValue
		}
		return ""
	}
	if attr(fnMsg, "EXHAUSTED_RETRY_CONDITION") != "MaximumRetryAttempts" || attr(fnMsg, "RETRY_ATTEMPTS") != "2" ||
		attr(fnMsg, "RULE_ARN") != "arn:aws:events:us-east-1:000000000000:rule/r" {
		t.Errorf("the function's dead letter has %v", fnMsg.MessageAttributes)
	}
	if fn.calls != 3 {
		t.Errorf("the function was called %d times; want 3 (one try, two retries)", fn.calls)
	}
	if attr(goneMsg, "ERROR_CODE") != "NO_RESOURCE" || attr(goneMsg, "RETRY_ATTEMPTS") != "0" {
		t.Errorf("the missing queue's dead letter has %v", goneMsg.MessageAttributes)
	}
}

func ptr[T any](v T) *T { return &v }

func TestFIFOQueueTarget(t *testing.T) {
	c := newClocked(t, nil)
	if _, err := c.q.CreateQueue(c.ctx, &sqs.CreateQueueInput{QueueName: "orders.fifo", Attributes: map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"}}); err != nil {
		t.Fatal(err)
	}
	q := "arn:aws:sqs:us-east-1:000000000000:orders.fifo"
	if _, err := c.ev.PutRule(c.ctx, &events.PutRuleInput{Name: "r", EventPattern: `{"source":["shop"]}`}); err != nil {
		t.Fatal(err)
	}
	_, err := c.ev.PutTargets(c.ctx, &events.PutTargetsInput{Rule: "r", Targets: []events.Target{{Id: "f", Arn: q, SqsParameters: &events.SqsParameters{MessageGroupId: "g1"}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{`{"n":1}`, `{"n":2}`} {
		if _, err := c.ev.PutEvents(c.ctx, &events.PutEventsInput{Entries: []events.PutEventsRequestEntry{{Source: ptr("shop"), DetailType: ptr("t"), Detail: ptr(d)}}}); err != nil {
			t.Fatal(err)
		}
	}
	var got []sqs.Message
	for deadline := time.Now().Add(2 * time.Second); len(got) < 1 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		got = append(got, c.poll(t, q)...)
	}
	if len(got) == 0 {
		t.Fatal("the FIFO target got nothing")
	}
	for i, m := range got { // the group's messages, in the order the events were put
		var env struct{ Detail map[string]int }
		json.Unmarshal([]byte(m.Body), &env)
		if m.Attributes["MessageGroupId"] != "g1" || env.Detail["n"] != i+1 {
			t.Errorf("message %d = %s in group %s; want event %d of group g1", i, m.Body, m.Attributes["MessageGroupId"], i+1)
		}
	}
}
