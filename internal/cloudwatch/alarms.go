package cloudwatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/protocol/scalar"
	"github.com/gureum/gureum/internal/store"
)

// Alarm states and history item types.
const (
	StateOK           = "OK"
	StateAlarm        = "ALARM"
	StateInsufficient = "INSUFFICIENT_DATA"

	historyConfig = "ConfigurationUpdate"
	historyState  = "StateUpdate"
	historyAction = "Action"
)

var comparisons = map[string]func(v, t float64) bool{
	"GreaterThanOrEqualToThreshold": func(v, t float64) bool { return v >= t },
	"GreaterThanThreshold":          func(v, t float64) bool { return v > t },
	"LessThanThreshold":             func(v, t float64) bool { return v < t },
	"LessThanOrEqualToThreshold":    func(v, t float64) bool { return v <= t },
}

var treatments = map[string]bool{"breaching": true, "notBreaching": true, "ignore": true, "missing": true}

// alarmDoc is an alarm as stored: its wire form and its tags.
type alarmDoc struct {
	MetricAlarm
	Tags []Tag `json:"Tags,omitempty"`
	// SetUntil holds a state SetAlarmState set (Unix ms) until the alarm's next evaluation is
	// due: a period later, at most a minute, as AWS evaluates alarms.
	SetUntil int64 `json:"SetUntil,omitempty"`
}

func (a *alarmDoc) actionsEnabled() bool { return a.ActionsEnabled == nil || *a.ActionsEnabled }

func (s *Service) load(ctx context.Context, account, name string) (*alarmDoc, int64, error) {
	rec, err := s.store.Alarm(ctx, account, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, 0, ErrResourceNotFound.Errorf("Alarm %s not found", name)
	}
	if err != nil {
		return nil, 0, err
	}
	var a alarmDoc
	if err := json.Unmarshal(rec.Doc, &a); err != nil {
		return nil, 0, err
	}
	return &a, rec.Rev, nil
}

func checkAlarm(in *PutMetricAlarmInput) error {
	a := &in.MetricAlarm
	switch {
	case a.AlarmName == "":
		return missing("AlarmName")
	case len(a.AlarmName) > 255:
		return invalid("The parameter AlarmName must be no longer than 255 characters.")
	case a.EvaluationPeriods < 1:
		return missing("EvaluationPeriods")
	case a.ComparisonOperator == "":
		return missing("ComparisonOperator")
	case comparisons[a.ComparisonOperator] == nil:
		return invalid("The value %s for parameter ComparisonOperator is not supported by gureum.", a.ComparisonOperator)
	case a.Threshold == nil:
		return missing("Threshold")
	case len(a.Metrics) > 0:
		return invalid("Alarms on metric math (Metrics) are not supported by gureum; name a MetricName and Namespace.")
	case a.MetricName == "":
		return missing("MetricName")
	case a.Statistic == "" && a.ExtendedStatistic == "":
		return ErrMissingParameter.Errorf("Must specify either Statistic or ExtendedStatistic.")
	case a.ExtendedStatistic != "":
		return invalid("Percentile statistics (ExtendedStatistic) are not supported by gureum.")
	case !statistics[a.Statistic]:
		return invalid("The value %s for parameter Statistic is not valid.", a.Statistic)
	case a.TreatMissingData != "" && !treatments[a.TreatMissingData]:
		return invalid("The value %s for parameter TreatMissingData is not valid.", a.TreatMissingData)
	case a.DatapointsToAlarm < 0 || a.DatapointsToAlarm > a.EvaluationPeriods:
		return invalid("DatapointsToAlarm must be between 1 and EvaluationPeriods.")
	case a.Unit != "" && !units[a.Unit]:
		return invalid("The value %s for parameter Unit is not a valid unit.", a.Unit)
	}
	if err := checkNamespace(a.Namespace); err != nil {
		return err
	}
	if err := checkPeriod(a.Period); err != nil {
		return err
	}
	if a.Period*a.EvaluationPeriods > 7*24*3600 {
		return invalid("The evaluation period (Period × EvaluationPeriods) must not exceed one week.")
	}
	for _, arn := range append(append(append([]string{}, a.AlarmActions...), a.OKActions...), a.InsufficientDataActions...) {
		if !strings.HasPrefix(arn, "arn:aws:sns:") {
			return invalid("Invalid arn syntax: %s (gureum's alarm actions are SNS topics)", arn)
		}
	}
	return checkDims(a.Dimensions)
}

// PutMetricAlarm makes or replaces an alarm. A new alarm starts in INSUFFICIENT_DATA; a
// replaced one keeps its state and tags (Tags apply to a new alarm only, as in AWS).
func (s *Service) PutMetricAlarm(ctx context.Context, in *PutMetricAlarmInput) (*Empty, error) {
	if err := checkAlarm(in); err != nil {
		return nil, err
	}
	account, now := callerAccount(ctx), s.clock.Now()
	old, _, err := s.load(ctx, account, in.AlarmName)
	if err != nil && !notFound(err) {
		return nil, err
	}
	a := &alarmDoc{MetricAlarm: in.MetricAlarm, Tags: in.Tags}
	a.AlarmArn = s.AlarmARN(account, a.AlarmName)
	a.AlarmConfigurationUpdatedTimestamp = scalar.EpochOf(now)
	for _, l := range []*[]string{&a.AlarmActions, &a.OKActions, &a.InsufficientDataActions} {
		if *l == nil {
			*l = []string{}
		}
	}
	if a.Dimensions == nil {
		a.Dimensions = []Dimension{}
	}
	summary := fmt.Sprintf("Alarm %q created", a.AlarmName)
	if old != nil {
		summary = fmt.Sprintf("Alarm %q updated", a.AlarmName)
		a.StateValue, a.StateReason, a.StateReasonData = old.StateValue, old.StateReason, old.StateReasonData
		a.StateUpdatedTimestamp, a.StateTransitionedTimestamp, a.Tags = old.StateUpdatedTimestamp, old.StateTransitionedTimestamp, old.Tags
	} else {
		a.StateValue, a.StateReason = StateInsufficient, "Unchecked: Initial alarm creation"
		a.StateUpdatedTimestamp, a.StateTransitionedTimestamp = scalar.EpochOf(now), scalar.EpochOf(now)
	}
	doc, _ := json.Marshal(a)
	data, _ := json.Marshal(map[string]any{"type": "Create", "version": "1.0", "createdAlarm": a.MetricAlarm})
	h := store.AlarmHistoryItem{Time: now, Type: historyConfig, Summary: summary, Data: string(data)}
	if err := s.store.PutAlarm(ctx, store.AlarmRecord{Account: account, Name: a.AlarmName, Doc: doc}, []store.AlarmHistoryItem{h}, nil); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// DescribeAlarms lists the account's alarms, filtered by names, prefix, state and action prefix.
func (s *Service) DescribeAlarms(ctx context.Context, in *DescribeAlarmsInput) (*DescribeAlarmsOutput, error) {
	if in.AlarmNamePrefix != "" && len(in.AlarmNames) > 0 {
		return nil, ErrInvalidParameterCombination.Errorf("AlarmNamePrefix and AlarmNames are mutually exclusive.")
	}
	if in.StateValue != "" && in.StateValue != StateOK && in.StateValue != StateAlarm && in.StateValue != StateInsufficient {
		return nil, invalid("The value %s for parameter StateValue is not valid.", in.StateValue)
	}
	if in.MaxRecords < 0 || in.MaxRecords > 100 {
		return nil, invalid("The parameter MaxRecords must be between 1 and 100.")
	}
	out := &DescribeAlarmsOutput{MetricAlarms: []MetricAlarm{}, CompositeAlarms: []any{}}
	if len(in.AlarmTypes) > 0 && !contains(in.AlarmTypes, "MetricAlarm") {
		return out, nil
	}
	all, err := s.alarms(ctx, callerAccount(ctx))
	if err != nil {
		return nil, err
	}
	limit := int(in.MaxRecords)
	if limit == 0 {
		limit = 50
	}
	for _, a := range all {
		switch {
		case len(in.AlarmNames) > 0 && !contains(in.AlarmNames, a.AlarmName),
			!strings.HasPrefix(a.AlarmName, in.AlarmNamePrefix),
			in.StateValue != "" && a.StateValue != in.StateValue,
			in.ActionPrefix != "" && !anyPrefix(a, in.ActionPrefix),
			in.NextToken != "" && a.AlarmName <= in.NextToken:
			continue
		}
		if len(out.MetricAlarms) == limit {
			out.NextToken = out.MetricAlarms[limit-1].AlarmName
			break
		}
		out.MetricAlarms = append(out.MetricAlarms, a.MetricAlarm)
	}
	return out, nil
}

func anyPrefix(a *alarmDoc, prefix string) bool {
	for _, l := range [][]string{a.AlarmActions, a.OKActions, a.InsufficientDataActions} {
		for _, x := range l {
			if strings.HasPrefix(x, prefix) {
				return true
			}
		}
	}
	return false
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// alarms reads an account's alarms ("" for every account's), by name.
func (s *Service) alarms(ctx context.Context, account string) ([]*alarmDoc, error) {
	recs, err := s.store.ListAlarms(ctx, account)
	if err != nil {
		return nil, err
	}
	out := make([]*alarmDoc, 0, len(recs))
	for _, r := range recs {
		var a alarmDoc
		if err := json.Unmarshal(r.Doc, &a); err != nil {
			return nil, err
		}
		out = append(out, &a)
	}
	return out, nil
}

// DescribeAlarmsForMetric lists the alarms on one metric.
func (s *Service) DescribeAlarmsForMetric(ctx context.Context, in *DescribeAlarmsForMetricInput) (*DescribeAlarmsForMetricOutput, error) {
	if in.MetricName == "" {
		return nil, missing("MetricName")
	}
	if err := checkNamespace(in.Namespace); err != nil {
		return nil, err
	}
	all, err := s.alarms(ctx, callerAccount(ctx))
	if err != nil {
		return nil, err
	}
	out := &DescribeAlarmsForMetricOutput{MetricAlarms: []MetricAlarm{}}
	key := dimsKey(in.Dimensions)
	for _, a := range all {
		if a.MetricName != in.MetricName || a.Namespace != in.Namespace || dimsKey(a.Dimensions) != key ||
			(in.Statistic != "" && a.Statistic != in.Statistic) || (in.Period != 0 && a.Period != in.Period) ||
			(in.Unit != "" && a.Unit != in.Unit) {
			continue
		}
		out.MetricAlarms = append(out.MetricAlarms, a.MetricAlarm)
	}
	return out, nil
}

// DeleteAlarms deletes alarms; if one of them does not exist, none is deleted.
func (s *Service) DeleteAlarms(ctx context.Context, in *AlarmNamesInput) (*Empty, error) {
	if len(in.AlarmNames) == 0 {
		return nil, missing("AlarmNames")
	}
	if len(in.AlarmNames) > 100 {
		return nil, invalid("The collection AlarmNames must not have a size greater than 100.")
	}
	account := callerAccount(ctx)
	for _, n := range in.AlarmNames {
		if _, _, err := s.load(ctx, account, n); err != nil {
			return nil, err
		}
	}
	for _, n := range in.AlarmNames {
		if err := s.store.DeleteAlarm(ctx, account, n); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	return &Empty{}, nil
}

// SetAlarmState sets an alarm's state until its next evaluation, running its actions.
func (s *Service) SetAlarmState(ctx context.Context, in *SetAlarmStateInput) (*Empty, error) {
	switch {
	case in.AlarmName == "":
		return nil, missing("AlarmName")
	case in.StateValue != StateOK && in.StateValue != StateAlarm && in.StateValue != StateInsufficient:
		return nil, invalid("The value %s for parameter StateValue is not valid.", in.StateValue)
	case in.StateReason == "":
		return nil, missing("StateReason")
	case in.StateReasonData != "" && !json.Valid([]byte(in.StateReasonData)):
		return nil, ErrInvalidFormat.Errorf("The StateReasonData is not valid JSON.")
	}
	account := callerAccount(ctx)
	for {
		a, rev, err := s.load(ctx, account, in.AlarmName)
		if err != nil {
			return nil, err
		}
		a.SetUntil = s.clock.Now().Add(min(time.Duration(a.Period)*time.Second, time.Minute)).UnixMilli()
		err = s.transition(ctx, account, a, rev, in.StateValue, in.StateReason, in.StateReasonData)
		if errors.Is(err, store.ErrConditionFailed) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return &Empty{}, nil
	}
}

// EnableAlarmActions turns alarms' actions on.
func (s *Service) EnableAlarmActions(ctx context.Context, in *AlarmNamesInput) (*Empty, error) {
	return s.setActions(ctx, in, true)
}

// DisableAlarmActions turns alarms' actions off.
func (s *Service) DisableAlarmActions(ctx context.Context, in *AlarmNamesInput) (*Empty, error) {
	return s.setActions(ctx, in, false)
}

func (s *Service) setActions(ctx context.Context, in *AlarmNamesInput, on bool) (*Empty, error) {
	if len(in.AlarmNames) == 0 {
		return nil, missing("AlarmNames")
	}
	account := callerAccount(ctx)
	for _, n := range in.AlarmNames {
		err := s.update(ctx, account, n, func(a *alarmDoc) { a.ActionsEnabled = &on })
		if err != nil && !notFound(err) {
			return nil, err
		}
	}
	return &Empty{}, nil
}

// update changes an alarm's document under its revision, retrying a lost race.
func (s *Service) update(ctx context.Context, account, name string, change func(*alarmDoc)) error {
	for {
		a, rev, err := s.load(ctx, account, name)
		if err != nil {
			return err
		}
		change(a)
		doc, _ := json.Marshal(a)
		err = s.store.PutAlarm(ctx, store.AlarmRecord{Account: account, Name: name, Rev: rev, Doc: doc}, nil, nil)
		if !errors.Is(err, store.ErrConditionFailed) {
			return err
		}
	}
}

// DescribeAlarmHistory lists alarm history, newest first (ScanBy TimestampAscending: oldest).
func (s *Service) DescribeAlarmHistory(ctx context.Context, in *DescribeAlarmHistoryInput) (*DescribeAlarmHistoryOutput, error) {
	if in.MaxRecords < 0 || in.MaxRecords > 100 {
		return nil, invalid("The parameter MaxRecords must be between 1 and 100.")
	}
	if in.HistoryItemType != "" && in.HistoryItemType != historyConfig && in.HistoryItemType != historyState && in.HistoryItemType != historyAction {
		return nil, invalid("The value %s for parameter HistoryItemType is not valid.", in.HistoryItemType)
	}
	from, to := time.Unix(0, 1), s.clock.Now().Add(time.Hour)
	if in.StartDate != nil {
		from = time.Time(*in.StartDate)
	}
	if in.EndDate != nil {
		to = time.Time(*in.EndDate)
	}
	limit := int(in.MaxRecords)
	if limit == 0 {
		limit = 100
	}
	items, err := s.store.AlarmHistory(ctx, callerAccount(ctx), in.AlarmName, from, to, 10000)
	if err != nil {
		return nil, err
	}
	if in.ScanBy == "TimestampAscending" {
		for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
			items[i], items[j] = items[j], items[i]
		}
	}
	out := &DescribeAlarmHistoryOutput{AlarmHistoryItems: []AlarmHistoryItem{}}
	for _, h := range items {
		if in.HistoryItemType != "" && h.Type != in.HistoryItemType {
			continue
		}
		if len(out.AlarmHistoryItems) == limit {
			break
		}
		out.AlarmHistoryItems = append(out.AlarmHistoryItems, AlarmHistoryItem{AlarmName: h.Name, AlarmType: "MetricAlarm",
			Timestamp: scalar.EpochOf(h.Time), HistoryItemType: h.Type, HistorySummary: h.Summary, HistoryData: h.Data})
	}
	return out, nil
}

// alarmNameOf reads the alarm name from an alarm ARN of the caller's account and region.
func (s *Service) alarmNameOf(ctx context.Context, arn string) (string, error) {
	if arn == "" {
		return "", missing("ResourceARN")
	}
	name, ok := strings.CutPrefix(arn, "arn:aws:cloudwatch:"+s.region+":"+callerAccount(ctx)+":alarm:")
	if !ok || name == "" {
		return "", ErrResourceNotFoundException.Errorf("The resource %s does not exist.", arn)
	}
	return name, nil
}

// TagResource adds or replaces an alarm's tags.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*Empty, error) {
	name, err := s.alarmNameOf(ctx, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	for _, t := range in.Tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 {
			return nil, invalid("A tag needs a Key of 1 to 128 characters and a Value of up to 256.")
		}
	}
	err = s.update(ctx, callerAccount(ctx), name, func(a *alarmDoc) {
		for _, t := range in.Tags {
			a.Tags = setTag(a.Tags, t)
		}
	})
	if notFound(err) {
		return nil, ErrResourceNotFoundException.Errorf("The resource %s does not exist.", in.ResourceARN)
	}
	return &Empty{}, err
}

func setTag(tags []Tag, t Tag) []Tag {
	for i := range tags {
		if tags[i].Key == t.Key {
			tags[i].Value = t.Value
			return tags
		}
	}
	return append(tags, t)
}

// UntagResource removes tags from an alarm.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*Empty, error) {
	name, err := s.alarmNameOf(ctx, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, callerAccount(ctx), name, func(a *alarmDoc) {
		kept := a.Tags[:0]
		for _, t := range a.Tags {
			if !contains(in.TagKeys, t.Key) {
				kept = append(kept, t)
			}
		}
		a.Tags = kept
	})
	if notFound(err) {
		return nil, ErrResourceNotFoundException.Errorf("The resource %s does not exist.", in.ResourceARN)
	}
	return &Empty{}, err
}

// ListTagsForResource lists an alarm's tags.
func (s *Service) ListTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	name, err := s.alarmNameOf(ctx, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	a, _, err := s.load(ctx, callerAccount(ctx), name)
	if notFound(err) {
		return nil, ErrResourceNotFoundException.Errorf("The resource %s does not exist.", in.ResourceARN)
	}
	if err != nil {
		return nil, err
	}
	out := &ListTagsForResourceOutput{Tags: a.Tags}
	if out.Tags == nil {
		out.Tags = []Tag{}
	}
	return out, nil
}
