package scheduler_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/events"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/scheduler"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/sqs"
	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/sqlite"
)

type clocked struct {
	s     *scheduler.Service
	ev    *events.Service
	q     *sqs.Service
	st    store.Store
	clock *background.FakeClock
	ctx   context.Context
}

func newClocked(t *testing.T) *clocked {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	clock := background.NewFakeClock(time.Date(2026, 12, 7, 16, 0, 0, 0, time.UTC))
	r := background.New(background.Config{Leases: st, Clock: clock})
	ob := background.NewOutbox(r, st, st, background.OutboxOptions{})
	r.Go("outbox", ob.Run)
	env := service.Env{Region: "us-east-1", Clock: clock, Runner: r, Outbox: ob}
	q := sqs.New(sqs.Deps{Env: env, Store: st})
	ev := events.New(events.Deps{Env: env, Store: st, Queues: q})
	s := scheduler.New(scheduler.Deps{Env: env, Store: st, Queues: q, Events: ev})
	ctx := request.With(context.Background(), &request.Info{Host: "localhost:4566", Principal: request.RootPrincipal("000000000000", "AKIA")})
	q.Start(ctx)
	ev.Start(ctx)
	r.Start(ctx)
	t.Cleanup(func() { r.Stop(); ev.Stop(); q.Stop(); st.Close() })
	return &clocked{s: s, ev: ev, q: q, st: st, clock: clock, ctx: ctx}
}

func (c *clocked) queue(t *testing.T, name string) string {
	t.Helper()
	if _, err := c.q.CreateQueue(c.ctx, &sqs.CreateQueueInput{QueueName: name}); err != nil {
		t.Fatal(err)
	}
	return "arn:aws:sqs:us-east-1:000000000000:" + name
}

// settle advances the clock by d in 10-second steps and collects the queue's messages.
func (c *clocked) settle(t *testing.T, arn string, d time.Duration) []sqs.Message {
	t.Helper()
	var got []sqs.Message
	for moved := time.Duration(0); moved <= d; moved += 10 * time.Second {
		c.clock.Advance(10 * time.Second)
		time.Sleep(3 * time.Millisecond)
		ms, err := c.q.Poll(c.ctx, arn, 10, 0, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ms...)
	}
	for deadline := time.Now().Add(300 * time.Millisecond); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		ms, _ := c.q.Poll(c.ctx, arn, 10, 0, time.Hour)
		got = append(got, ms...)
	}
	return got
}

func off() *scheduler.FlexibleTimeWindow { return &scheduler.FlexibleTimeWindow{Mode: "OFF"} }

// TestAtScheduleFiresOnceAndDeletes: at(…) in a time zone fires once, at its time, with the
// context attributes filled in, then deletes itself (ActionAfterCompletion DELETE).
func TestAtScheduleFiresOnceAndDeletes(t *testing.T) {
	c := newClocked(t)
	q := c.queue(t, "once")
	// 01:05 in Seoul is 16:05 UTC the day before.
	_, err := c.s.CreateSchedule(c.ctx, &scheduler.ScheduleInput{Name: "remind", ScheduleExpression: "at(2026-12-08T01:05:00)", ScheduleExpressionTimezone: "Asia/Seoul",
		ActionAfterCompletion: "DELETE", FlexibleTimeWindow: off(),
		Target: &scheduler.Target{Arn: q, RoleArn: "arn:aws:iam::000000000000:role/r", Input: `{"arn":"<aws.scheduler.schedule-arn>","at":"<aws.scheduler.scheduled-time>"}`}})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.settle(t, q, 4*time.Minute); len(got) != 0 {
		t.Fatalf("fired %d times before its time", len(got))
	}
	got := c.settle(t, q, 3*time.Minute)
	if len(got) != 1 {
		t.Fatalf("the queue got %d messages; want one", len(got))
	}
	var body map[string]string
	json.Unmarshal([]byte(got[0].Body), &body)
	if body["arn"] != "arn:aws:scheduler:us-east-1:000000000000:schedule/default/remind" || body["at"] != "2026-12-07T16:05:00Z" {
		t.Errorf("body = %s", got[0].Body)
	}
	if _, err := c.st.Schedule(c.ctx, "000000000000", "default", "remind"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the completed schedule is still there: %v", err)
	}
	if again := c.settle(t, q, 2*time.Minute); len(again) != 0 {
		t.Errorf("fired again: %d", len(again))
	}
}

// TestRateScheduleToEventBus: a rate schedule puts events on a bus, whose rule routes them to a
// queue; a disabled schedule stops.
func TestRateScheduleToEventBus(t *testing.T) {
	c := newClocked(t)
	q := c.queue(t, "routed")
	if _, err := c.ev.PutRule(c.ctx, &events.PutRuleInput{Name: "from-scheduler", EventPattern: `{"source":["jobs"]}`}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ev.PutTargets(c.ctx, &events.PutTargetsInput{Rule: "from-scheduler", Targets: []events.Target{{Id: "q", Arn: q}}}); err != nil {
		t.Fatal(err)
	}
	in := &scheduler.ScheduleInput{Name: "every2", ScheduleExpression: "rate(2 minutes)", FlexibleTimeWindow: off(),
		Target: &scheduler.Target{Arn: "arn:aws:events:us-east-1:000000000000:event-bus/default", RoleArn: "arn:aws:iam::000000000000:role/r",
			Input: `{"n":1}`, EventBridgeParameters: &scheduler.EventBridgeParameters{Source: "jobs", DetailType: "Tick"}}}
	if _, err := c.s.CreateSchedule(c.ctx, in); err != nil {
		t.Fatal(err)
	}
	got := c.settle(t, q, 5*time.Minute)
	if len(got) != 2 {
		t.Fatalf("in five minutes the queue got %d events; want 2", len(got))
	}
	var env struct {
		Source     string
		DetailType string `json:"detail-type"`
		Detail     map[string]int
	}
	json.Unmarshal([]byte(got[0].Body), &env)
	if env.Source != "jobs" || env.DetailType != "Tick" || env.Detail["n"] != 1 {
		t.Errorf("event = %s", got[0].Body)
	}
	in.State = "DISABLED"
	if _, err := c.s.UpdateSchedule(c.ctx, in); err != nil {
		t.Fatal(err)
	}
	if again := c.settle(t, q, 5*time.Minute); len(again) != 0 {
		t.Errorf("a disabled schedule fired %d times", len(again))
	}
}
