package cloudwatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/protocol/scalar"
	"github.com/gureum/gureum/internal/sns"
	"github.com/gureum/gureum/internal/store"
)

// ActionKind is the outbox kind of an alarm action: a notification to an SNS topic.
const ActionKind = "cloudwatch.alarm"

// EvaluateAlarms evaluates every alarm of every account once, at the clock's now: the periodic
// job that runs on one node at a time. An alarm looks at its last EvaluationPeriods periods,
// the newest ending now, and is in ALARM when at least DatapointsToAlarm of them breach.
func (s *Service) EvaluateAlarms(ctx context.Context) error {
	all, err := s.store.ListAlarms(ctx, "")
	if err != nil {
		return err
	}
	now := s.clock.Now()
	var errs []error
	for _, rec := range all {
		var a alarmDoc
		if err := json.Unmarshal(rec.Doc, &a); err != nil {
			errs = append(errs, err)
			continue
		}
		if now.UnixMilli() < a.SetUntil {
			continue // a state SetAlarmState set holds until the next evaluation is due
		}
		state, reason, data, err := s.evaluate(ctx, rec.Account, &a, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if state == "" || state == a.StateValue {
			continue
		}
		err = s.transition(ctx, rec.Account, &a, rec.Rev, state, reason, data)
		if err != nil && !errors.Is(err, store.ErrConditionFailed) && !errors.Is(err, store.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// evaluate computes an alarm's state at now; "" keeps the state it has (TreatMissingData
// ignore with no data).
func (s *Service) evaluate(ctx context.Context, account string, a *alarmDoc, now time.Time) (state, reason, data string, err error) {
	period := time.Duration(a.Period) * time.Second
	n := int(a.EvaluationPeriods)
	start := now.Add(-time.Duration(n) * period)
	pts, err := s.store.MetricPoints(ctx, account, a.Namespace, a.MetricName, dimsKey(a.Dimensions), start, now.Add(time.Nanosecond))
	if err != nil {
		return "", "", "", err
	}
	// Period i covers (now-(i+1)·period, now-i·period]; index 0 is the newest.
	aggs := make([]*agg, n)
	for _, p := range pts {
		if a.Unit != "" && p.Unit != a.Unit {
			continue
		}
		i := int(now.Sub(p.Time) / period)
		if now.Sub(p.Time)%period == 0 && i > 0 {
			i--
		}
		if i < 0 || i >= n {
			continue
		}
		if aggs[i] == nil {
			aggs[i] = &agg{}
		}
		aggs[i].add(p)
	}
	m := int(a.DatapointsToAlarm)
	if m == 0 {
		m = n
	}
	cmp := comparisons[a.ComparisonOperator]
	var values []float64
	breaching, present := 0, 0
	for _, g := range aggs {
		if g == nil {
			switch a.TreatMissingData {
			case "breaching":
				breaching++
			}
			continue
		}
		present++
		v, _ := g.stat(a.Statistic)
		values = append(values, v)
		if cmp(v, *a.Threshold) {
			breaching++
		}
	}
	treat := a.TreatMissingData
	if treat == "" {
		treat = "missing"
	}
	if present == 0 && (treat == "missing" || treat == "ignore") {
		if treat == "ignore" {
			return "", "", "", nil
		}
		return StateInsufficient, fmt.Sprintf("Insufficient Data: %d datapoints were unknown.", n), reasonData(a, now, nil), nil
	}
	// With missing data left out (missing, ignore), fewer datapoints than DatapointsToAlarm
	// alarm when every one present breaches, as AWS's table of missing-data cases has it.
	need := m
	if (treat == "missing" || treat == "ignore") && present < m {
		need = present
	}
	if breaching >= need {
		return StateAlarm, fmt.Sprintf("Threshold Crossed: %d out of the last %d datapoints %s were %s the threshold (%s).",
			breaching, n, list(values), words(a.ComparisonOperator), strconv.FormatFloat(*a.Threshold, 'f', -1, 64)), reasonData(a, now, values), nil
	}
	return StateOK, fmt.Sprintf("Threshold Crossed: %d out of the last %d datapoints %s were not %s the threshold (%s).",
		n-breaching, n, list(values), words(a.ComparisonOperator), strconv.FormatFloat(*a.Threshold, 'f', -1, 64)), reasonData(a, now, values), nil
}

func list(vs []float64) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = strconv.FormatFloat(v, 'f', -1, 64)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func words(op string) string {
	return map[string]string{
		"GreaterThanOrEqualToThreshold": "greater than or equal to", "GreaterThanThreshold": "greater than",
		"LessThanThreshold": "less than", "LessThanOrEqualToThreshold": "less than or equal to",
	}[op]
}

func reasonData(a *alarmDoc, now time.Time, values []float64) string {
	b, _ := json.Marshal(map[string]any{"version": "1.0", "queryDate": now.UTC().Format("2006-01-02T15:04:05.000+0000"),
		"statistic": a.Statistic, "period": a.Period, "recentDatapoints": values, "threshold": *a.Threshold,
		"evaluatedDatapoints": len(values)})
	return string(b)
}

// transition moves an alarm to state under its revision rev, writing the history entry and,
// when its actions are enabled, the deliveries of the new state's actions in the same write.
func (s *Service) transition(ctx context.Context, account string, a *alarmDoc, rev int64, state, reason, data string) error {
	now := s.clock.Now()
	old := a.StateValue
	a.StateValue, a.StateReason, a.StateReasonData = state, reason, data
	a.StateUpdatedTimestamp = scalar.EpochOf(now)
	if old != state {
		a.StateTransitionedTimestamp = scalar.EpochOf(now)
	}
	doc, _ := json.Marshal(a)
	hd, _ := json.Marshal(map[string]any{"version": "1.0", "oldState": map[string]any{"stateValue": old},
		"newState": map[string]any{"stateValue": state, "stateReason": reason}})
	hist := []store.AlarmHistoryItem{{Time: now, Type: historyState, Summary: fmt.Sprintf("Alarm updated from %s to %s", old, state), Data: string(hd)}}
	var ds []store.Delivery
	if a.actionsEnabled() && old != state {
		actions := map[string][]string{StateOK: a.OKActions, StateAlarm: a.AlarmActions, StateInsufficient: a.InsufficientDataActions}[state]
		msg := s.notification(account, a, old, now)
		for _, arn := range actions {
			ds = append(ds, store.Delivery{Kind: ActionKind, Target: arn, Payload: msg})
			hist = append(hist, store.AlarmHistoryItem{Time: now, Type: historyAction,
				Summary: "Published a notification to " + arn, Data: `{"actionState":"Queued","notificationResource":"` + arn + `"}`})
		}
	}
	return s.store.PutAlarm(ctx, store.AlarmRecord{Account: account, Name: a.AlarmName, Rev: rev, Doc: doc}, hist, ds)
}

// notification is the message CloudWatch publishes to an alarm action's topic.
func (s *Service) notification(account string, a *alarmDoc, old string, now time.Time) []byte {
	dims := make([]map[string]string, 0, len(a.Dimensions))
	for _, d := range a.Dimensions {
		dims = append(dims, map[string]string{"name": d.Name, "value": d.Value})
	}
	b, _ := json.Marshal(map[string]any{
		"AlarmName": a.AlarmName, "AlarmDescription": a.AlarmDescription, "AWSAccountId": account,
		"AlarmConfigurationUpdatedTimestamp": time.Time(*a.AlarmConfigurationUpdatedTimestamp).UTC().Format("2006-01-02T15:04:05.000+0000"),
		"NewStateValue":                      a.StateValue, "NewStateReason": a.StateReason, "StateChangeTime": now.UTC().Format("2006-01-02T15:04:05.000+0000"),
		"Region": s.region, "AlarmArn": a.AlarmArn, "OldStateValue": old, "OKActions": a.OKActions, "AlarmActions": a.AlarmActions,
		"InsufficientDataActions": a.InsufficientDataActions,
		"Trigger": map[string]any{"MetricName": a.MetricName, "Namespace": a.Namespace, "StatisticType": "Statistic",
			"Statistic": strings.ToUpper(a.Statistic), "Unit": nil, "Dimensions": dims, "Period": a.Period,
			"EvaluationPeriods": a.EvaluationPeriods, "ComparisonOperator": a.ComparisonOperator, "Threshold": *a.Threshold,
			"TreatMissingData": a.TreatMissingData},
	})
	return b
}

// deliverAction publishes an alarm's notification to its topic as cloudwatch.amazonaws.com.
func (s *Service) deliverAction(ctx context.Context, d store.Delivery) error {
	if s.topics == nil {
		return background.Permanent(errors.New("no SNS service to publish alarm actions to"))
	}
	var msg struct{ AlarmArn, AWSAccountId string }
	json.Unmarshal(d.Payload, &msg)
	_, err := s.topics.PublishFrom(ctx, sns.Source{Service: "cloudwatch.amazonaws.com", ARN: msg.AlarmArn, Account: msg.AWSAccountId},
		d.Target, string(d.Payload), "", "")
	return err
}
