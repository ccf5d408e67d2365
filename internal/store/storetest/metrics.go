package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gureum/gureum/internal/store"
)

// metricTests are the store.Metrics part of the suite.
var metricTests = []suiteTest{
	{"Points", testMetricPoints},
	{"Alarms", testMetricAlarms},
}

func testMetricPoints(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	t0 := time.Unix(1_800_000_000, 0).UTC()
	pt := func(acct, name, dims string, at time.Duration, v float64) store.MetricPoint {
		return store.MetricPoint{Account: acct, Namespace: "App", Name: name, Dims: dims, Time: t0.Add(at),
			Count: 1, Sum: v, Min: v, Max: v, Unit: "Count"}
	}
	pts := []store.MetricPoint{
		pt("111111111111", "Errors", "FunctionName=f", 0, 1),
		pt("111111111111", "Errors", "FunctionName=f", time.Minute, 2),
		pt("111111111111", "Errors", "FunctionName=g", time.Minute, 3),
		pt("111111111111", "Errors", "FunctionName=f", 2*time.Minute, 4),
		pt("222222222222", "Errors", "FunctionName=f", time.Minute, 5),
	}
	if err := s.PutMetricPoints(ctx, pts); err != nil {
		t.Fatalf("PutMetricPoints: %v", err)
	}
	got, err := s.MetricPoints(ctx, "111111111111", "App", "Errors", "FunctionName=f", t0, t0.Add(2*time.Minute))
	if err != nil {
		t.Fatalf("MetricPoints: %v", err)
	}
	if diff := cmp.Diff([]store.MetricPoint{pts[0], pts[1]}, got); diff != "" {
		t.Errorf("MetricPoints (-want +got):\n%s", diff)
	}
	ms, err := s.ListMetrics(ctx, "111111111111", "", "", time.Time{})
	if err != nil {
		t.Fatalf("ListMetrics: %v", err)
	}
	if len(ms) != 2 || ms[0].Dims != "FunctionName=f" || ms[1].Dims != "FunctionName=g" {
		t.Errorf("ListMetrics = %+v; want f and g", ms)
	}
	if ms, _ := s.ListMetrics(ctx, "111111111111", "Other", "", time.Time{}); len(ms) != 0 {
		t.Errorf("ListMetrics(Other) = %+v; want none", ms)
	}
	n, err := s.SweepMetricPoints(ctx, t0.Add(90*time.Second), 100)
	if err != nil || n != 4 {
		t.Errorf("SweepMetricPoints = %d, %v; want 4", n, err)
	}
	got, _ = s.MetricPoints(ctx, "111111111111", "App", "Errors", "FunctionName=f", t0, t0.Add(time.Hour))
	if len(got) != 1 || got[0].Sum != 4 {
		t.Errorf("after the sweep: %+v; want the point of 4", got)
	}
}

func testMetricAlarms(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	t0 := time.Unix(1_800_000_000, 0).UTC()
	const acct = "111111111111"
	if _, err := s.Alarm(ctx, acct, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Alarm(missing) = %v; want ErrNotFound", err)
	}
	h := store.AlarmHistoryItem{Time: t0, Type: "ConfigurationUpdate", Summary: "Alarm \"a\" created", Data: "{}"}
	if err := s.PutAlarm(ctx, store.AlarmRecord{Account: acct, Name: "a", Doc: []byte(`{"v":1}`)}, []store.AlarmHistoryItem{h}, nil); err != nil {
		t.Fatalf("PutAlarm: %v", err)
	}
	a, err := s.Alarm(ctx, acct, "a")
	if err != nil || a.Rev != 1 || string(a.Doc) != `{"v":1}` {
		t.Fatalf("Alarm = %+v, %v; want rev 1", a, err)
	}
	d := store.Delivery{Kind: "test.alarm", Target: "arn:aws:sns:us-east-1:111111111111:t", Payload: []byte("x")}
	a.Doc = []byte(`{"v":2}`)
	h2 := store.AlarmHistoryItem{Time: t0.Add(time.Minute), Type: "StateUpdate", Summary: "to ALARM", Data: "{}"}
	if err := s.PutAlarm(ctx, a, []store.AlarmHistoryItem{h2}, []store.Delivery{d}); err != nil {
		t.Fatalf("PutAlarm(rev 1): %v", err)
	}
	if err := s.PutAlarm(ctx, a, nil, []store.Delivery{d}); !errors.Is(err, store.ErrConditionFailed) {
		t.Fatalf("PutAlarm(stale rev) = %v; want ErrConditionFailed", err)
	}
	pending, err := s.Deliveries(ctx, false, 10)
	if err != nil || len(pending) != 1 || pending[0].Kind != "test.alarm" {
		t.Errorf("deliveries = %+v, %v; want the one of the state change", pending, err)
	}
	if err := s.PutAlarm(ctx, store.AlarmRecord{Account: "222222222222", Name: "b", Doc: []byte(`{}`)}, nil, nil); err != nil {
		t.Fatalf("PutAlarm(b): %v", err)
	}
	all, _ := s.ListAlarms(ctx, "")
	mine, _ := s.ListAlarms(ctx, acct)
	if len(all) != 2 || len(mine) != 1 || mine[0].Rev != 2 {
		t.Errorf("ListAlarms = %+v / %+v; want 2 and 1 at rev 2", all, mine)
	}
	hist, err := s.AlarmHistory(ctx, acct, "", t0, t0.Add(time.Hour), 10)
	if err != nil || len(hist) != 2 || hist[0].Type != "StateUpdate" || hist[1].Summary != h.Summary {
		t.Errorf("AlarmHistory = %+v, %v; want newest first", hist, err)
	}
	if err := s.DeleteAlarm(ctx, acct, "a"); err != nil {
		t.Fatalf("DeleteAlarm: %v", err)
	}
	if err := s.DeleteAlarm(ctx, acct, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteAlarm(again) = %v; want ErrNotFound", err)
	}
	if hist, _ := s.AlarmHistory(ctx, acct, "a", t0, t0.Add(time.Hour), 10); len(hist) != 0 {
		t.Errorf("history after delete = %+v; want none", hist)
	}
}
