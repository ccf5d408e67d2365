package cloudwatch

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/protocol/scalar"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/sqlite"
)

const acct = "111111111111"

var epoch = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func newTestService(t *testing.T) (*Service, *background.FakeClock, *sqlite.DB) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := background.NewFakeClock(epoch)
	return New(Deps{Env: service.Env{Region: "us-east-1", Clock: clock}, Store: st}), clock, st
}

func caller() context.Context {
	return request.With(context.Background(), &request.Info{Principal: &request.Principal{Account: acct, Root: true}})
}

func (s *Service) state(t *testing.T, name string) string {
	t.Helper()
	st, err := s.AlarmStates(context.Background(), acct, []string{name})
	if err != nil || !st[0].Found {
		t.Fatalf("AlarmStates(%s) = %+v, %v", name, st, err)
	}
	return st[0].State
}

// TestEvaluate drives alarms through their states with a fake clock: Period, EvaluationPeriods,
// DatapointsToAlarm, the comparison, the statistic and each TreatMissingData.
func TestEvaluate(t *testing.T) {
	type step struct {
		values  []float64 // a datum each, put at now-1s before evaluating; nil: no data this period
		advance time.Duration
		want    string
	}
	tests := []struct {
		name  string
		alarm MetricAlarm
		steps []step
	}{
		{"sum at or over the threshold", MetricAlarm{Statistic: "Sum", Period: 60, EvaluationPeriods: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold"},
			[]step{{nil, 0, StateInsufficient}, {[]float64{0}, time.Minute, StateOK}, {[]float64{1}, time.Minute, StateAlarm}, {[]float64{0, 0}, time.Minute, StateOK}}},
		{"2 of 3 periods", MetricAlarm{Statistic: "Maximum", Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: 2, ComparisonOperator: "GreaterThanThreshold"},
			[]step{{[]float64{5}, time.Minute, StateAlarm}, {[]float64{0}, time.Minute, StateOK}, {[]float64{2}, time.Minute, StateAlarm}}},
		{"missing is breaching", MetricAlarm{Statistic: "Sum", Period: 60, EvaluationPeriods: 1, ComparisonOperator: "GreaterThanThreshold", TreatMissingData: "breaching"},
			[]step{{nil, time.Minute, StateAlarm}, {[]float64{0}, time.Minute, StateOK}}},
		{"missing is not breaching", MetricAlarm{Statistic: "Sum", Period: 60, EvaluationPeriods: 1, ComparisonOperator: "GreaterThanThreshold", TreatMissingData: "notBreaching"},
			[]step{{nil, time.Minute, StateOK}, {[]float64{3}, time.Minute, StateAlarm}, {nil, time.Minute, StateOK}}},
		{"missing is ignored", MetricAlarm{Statistic: "Average", Period: 60, EvaluationPeriods: 1, ComparisonOperator: "LessThanThreshold", TreatMissingData: "ignore"},
			[]step{{[]float64{0, 0.5}, time.Minute, StateAlarm}, {nil, time.Minute, StateAlarm}, {[]float64{2}, time.Minute, StateOK}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clock, _ := newTestService(t)
			ctx := caller()
			a := tt.alarm
			a.AlarmName, a.Namespace, a.MetricName, a.Threshold = "a", "App", "M", ptr(1.0)
			if _, err := s.PutMetricAlarm(ctx, &PutMetricAlarmInput{MetricAlarm: a}); err != nil {
				t.Fatalf("PutMetricAlarm: %v", err)
			}
			for i, st := range tt.steps {
				clock.Advance(st.advance)
				for _, v := range st.values {
					ts := scalarAt(clock.Now().Add(-time.Second))
					if _, err := s.PutMetricData(ctx, &PutMetricDataInput{Namespace: "App", MetricData: []MetricDatum{{MetricName: "M", Value: ptr(v), Timestamp: ts}}}); err != nil {
						t.Fatalf("PutMetricData: %v", err)
					}
				}
				if err := s.EvaluateAlarms(context.Background()); err != nil {
					t.Fatalf("EvaluateAlarms: %v", err)
				}
				if got := s.state(t, "a"); got != st.want {
					t.Errorf("step %d: state = %s; want %s", i, got, st.want)
				}
			}
		})
	}
}

// TestActions holds a state change's actions to the outbox, written with it, and records the
// transition in the history; disabled actions write none.
func TestActions(t *testing.T) {
	s, clock, st := newTestService(t)
	ctx := caller()
	topic := "arn:aws:sns:us-east-1:" + acct + ":alerts"
	a := MetricAlarm{AlarmName: "a", Namespace: "App", MetricName: "M", Statistic: "Sum", Period: 60, EvaluationPeriods: 1,
		Threshold: ptr(1.0), ComparisonOperator: "GreaterThanOrEqualToThreshold", TreatMissingData: "notBreaching", AlarmActions: []string{topic}}
	if _, err := s.PutMetricAlarm(ctx, &PutMetricAlarmInput{MetricAlarm: a}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	s.Record(Datum{Account: acct, Namespace: "App", Name: "M", Value: 2, Unit: "Count", At: clock.Now().Add(-time.Second)})
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.EvaluateAlarms(context.Background()); err != nil {
		t.Fatal(err)
	}
	ds, err := st.Deliveries(context.Background(), false, 10)
	if err != nil || len(ds) != 1 || ds[0].Kind != ActionKind || ds[0].Target != topic {
		t.Fatalf("deliveries = %+v, %v; want one to %s", ds, err, topic)
	}
	var msg map[string]any
	if err := json.Unmarshal(ds[0].Payload, &msg); err != nil || msg["NewStateValue"] != StateAlarm || msg["OldStateValue"] != StateInsufficient {
		t.Errorf("notification = %s, %v", ds[0].Payload, err)
	}
	h, err := s.DescribeAlarmHistory(ctx, &DescribeAlarmHistoryInput{AlarmName: "a"})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, x := range h.AlarmHistoryItems {
		types = append(types, x.HistoryItemType)
	}
	if len(types) != 3 || types[2] != historyConfig {
		t.Errorf("history = %v; want the action, the state update and the creation", types)
	}
	// Disabled actions: the state moves, nothing is sent.
	if _, err := s.DisableAlarmActions(ctx, &AlarmNamesInput{AlarmNames: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetAlarmState(ctx, &SetAlarmStateInput{AlarmName: "a", StateValue: StateOK, StateReason: "test"}); err != nil {
		t.Fatal(err)
	}
	if ds, _ := st.Deliveries(context.Background(), false, 10); len(ds) != 1 {
		t.Errorf("deliveries after a transition with actions disabled = %d; want still 1", len(ds))
	}
	var _ store.Metrics = st
}

func ptr[T any](v T) *T { return &v }

func scalarAt(t time.Time) *scalar.Epoch { return scalar.EpochOf(t) }
