package cloudwatch

import (
	"context"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/protocol/scalar"
	"github.com/gureum/gureum/internal/store"
)

// Retention is how long data points are kept (CloudWatch keeps one-minute data 15 days).
const Retention = 15 * 24 * time.Hour

var units = map[string]bool{"Seconds": true, "Microseconds": true, "Milliseconds": true, "Bytes": true, "Kilobytes": true,
	"Megabytes": true, "Gigabytes": true, "Terabytes": true, "Bits": true, "Kilobits": true, "Megabits": true, "Gigabits": true,
	"Terabits": true, "Percent": true, "Count": true, "Bytes/Second": true, "Kilobytes/Second": true, "Megabytes/Second": true,
	"Gigabytes/Second": true, "Terabytes/Second": true, "Bits/Second": true, "Kilobits/Second": true, "Megabits/Second": true,
	"Gigabits/Second": true, "Terabits/Second": true, "Count/Second": true, "None": true}

var statistics = map[string]bool{"SampleCount": true, "Average": true, "Sum": true, "Minimum": true, "Maximum": true}

// dimsKey is the canonical form of a dimension list: name=value lines sorted by name.
func dimsKey(ds []Dimension) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.Name + "=" + d.Value
	}
	sort.Strings(parts)
	return strings.Join(parts, "\n")
}

func dimsOf(key string) []Dimension {
	if key == "" {
		return []Dimension{}
	}
	var out []Dimension
	for _, line := range strings.Split(key, "\n") {
		n, v, _ := strings.Cut(line, "=")
		out = append(out, Dimension{Name: n, Value: v})
	}
	return out
}

func checkDims(ds []Dimension) error {
	if len(ds) > 30 {
		return invalid("The collection Dimensions must not have a size greater than 30.")
	}
	seen := map[string]bool{}
	for _, d := range ds {
		if d.Name == "" || len(d.Name) > 255 || d.Value == "" || len(d.Value) > 1024 {
			return invalid("A dimension needs a Name of 1 to 255 characters and a Value of 1 to 1024 characters.")
		}
		if seen[d.Name] {
			return ErrInvalidParameterCombination.Errorf("No Metric may specify the same dimension name twice (%s).", d.Name)
		}
		seen[d.Name] = true
	}
	return nil
}

func checkNamespace(ns string) error {
	if ns == "" {
		return missing("Namespace")
	}
	if len(ns) > 255 || strings.HasPrefix(ns, ":") {
		return invalid("The value %s for parameter Namespace is not valid.", ns)
	}
	return nil
}

// PutMetricData stores data points.
func (s *Service) PutMetricData(ctx context.Context, in *PutMetricDataInput) (*Empty, error) {
	if err := checkNamespace(in.Namespace); err != nil {
		return nil, err
	}
	if strings.HasPrefix(in.Namespace, "AWS/") {
		return nil, invalid("The value AWS/ for parameter Namespace is invalid.")
	}
	if len(in.MetricData) == 0 {
		return nil, missing("MetricData")
	}
	if len(in.MetricData) > 1000 {
		return nil, invalid("The collection MetricData must not have a size greater than 1000.")
	}
	account, now := callerAccount(ctx), s.clock.Now()
	pts := make([]store.MetricPoint, 0, len(in.MetricData))
	for i, d := range in.MetricData {
		p, err := pointOf(account, in.Namespace, now, d, i)
		if err != nil {
			return nil, err
		}
		pts = append(pts, p)
	}
	if err := s.store.PutMetricPoints(ctx, pts); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// pointOf checks one datum and turns it into a stored point.
func pointOf(account, namespace string, now time.Time, d MetricDatum, i int) (store.MetricPoint, error) {
	p := store.MetricPoint{Account: account, Namespace: namespace, Name: d.MetricName, Dims: dimsKey(d.Dimensions), Time: now, Unit: d.Unit}
	if d.MetricName == "" || len(d.MetricName) > 255 {
		return p, missing("MetricData.member." + itoa(i+1) + ".MetricName")
	}
	if err := checkDims(d.Dimensions); err != nil {
		return p, err
	}
	if d.Unit != "" && !units[d.Unit] {
		return p, invalid("The value %s for parameter MetricData.member.%d.Unit is not a valid unit.", d.Unit, i+1)
	}
	if p.Unit == "" {
		p.Unit = "None"
	}
	if d.Timestamp != nil {
		p.Time = time.Time(*d.Timestamp)
		if p.Time.Before(now.Add(-14*24*time.Hour)) || p.Time.After(now.Add(2*time.Hour)) {
			return p, invalid("The parameter MetricData.member.%d.Timestamp must specify a time no more than two weeks in the past and no more than two hours in the future.", i+1)
		}
	}
	set := 0
	if d.Value != nil {
		set++
		v := *d.Value
		p.Count, p.Sum, p.Min, p.Max = 1, v, v, v
	}
	if d.StatisticValues != nil {
		set++
		sv := d.StatisticValues
		if sv.SampleCount <= 0 || sv.Minimum > sv.Maximum {
			return p, invalid("The StatisticValues of MetricData.member.%d are not consistent.", i+1)
		}
		p.Count, p.Sum, p.Min, p.Max = sv.SampleCount, sv.Sum, sv.Minimum, sv.Maximum
	}
	if len(d.Values) > 0 {
		set++
		if len(d.Counts) > 0 && len(d.Counts) != len(d.Values) {
			return p, ErrInvalidParameterCombination.Errorf("The Values and Counts of MetricData.member.%d must be of the same length.", i+1)
		}
		p.Min, p.Max = math.Inf(1), math.Inf(-1)
		for j, v := range d.Values {
			c := 1.0
			if len(d.Counts) > 0 {
				c = d.Counts[j]
			}
			p.Count += c
			p.Sum += v * c
			p.Min, p.Max = math.Min(p.Min, v), math.Max(p.Max, v)
		}
	}
	if set == 0 {
		return p, ErrInvalidParameterCombination.Errorf("The parameters MetricData.member.%d.Value, MetricData.member.%d.StatisticValues and MetricData.member.%d.Values are mutually exclusive and you must specify exactly one.", i+1, i+1, i+1)
	}
	if set > 1 {
		return p, ErrInvalidParameterCombination.Errorf("The parameters MetricData.member.%d.Value, MetricData.member.%d.StatisticValues and MetricData.member.%d.Values are mutually exclusive and you have specified more than one.", i+1, i+1, i+1)
	}
	for _, v := range []float64{p.Count, p.Sum, p.Min, p.Max} {
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e108 {
			return p, invalid("The value of MetricData.member.%d is not a number CloudWatch accepts.", i+1)
		}
	}
	return p, nil
}

func itoa(n int) string { return strconv.Itoa(n) }

// agg is the statistics of the points of one period.
type agg struct{ count, sum, min, max float64 }

func (a *agg) add(p store.MetricPoint) {
	if a.count == 0 {
		a.min, a.max = p.Min, p.Max
	}
	a.count += p.Count
	a.sum += p.Sum
	a.min, a.max = math.Min(a.min, p.Min), math.Max(a.max, p.Max)
}

// stat is one statistic of a period; ok is false for an unknown statistic.
func (a agg) stat(name string) (float64, bool) {
	switch name {
	case "SampleCount":
		return a.count, true
	case "Sum":
		return a.sum, true
	case "Minimum":
		return a.min, true
	case "Maximum":
		return a.max, true
	case "Average":
		return a.sum / a.count, true
	}
	return 0, false
}

// buckets aggregates points into periods aligned to period seconds from start.
func buckets(pts []store.MetricPoint, start time.Time, period time.Duration, unit string) ([]time.Time, map[time.Time]*agg) {
	byStart := map[time.Time]*agg{}
	var order []time.Time
	for _, p := range pts {
		if unit != "" && p.Unit != unit {
			continue
		}
		k := start.Add(p.Time.Sub(start) / period * period)
		a := byStart[k]
		if a == nil {
			a = &agg{}
			byStart[k] = a
			order = append(order, k)
		}
		a.add(p)
	}
	sort.Slice(order, func(i, j int) bool { return order[i].Before(order[j]) })
	return order, byStart
}

func checkPeriod(period int64) error {
	if period <= 0 {
		return missing("Period")
	}
	if period != 1 && period != 5 && period != 10 && period != 30 && period%60 != 0 {
		return invalid("The parameter Period must be 1, 5, 10, 30 or a multiple of 60.")
	}
	return nil
}

// GetMetricStatistics answers statistics of one metric by period.
func (s *Service) GetMetricStatistics(ctx context.Context, in *GetMetricStatisticsInput) (*GetMetricStatisticsOutput, error) {
	if err := checkNamespace(in.Namespace); err != nil {
		return nil, err
	}
	switch {
	case in.MetricName == "":
		return nil, missing("MetricName")
	case in.StartTime == nil:
		return nil, missing("StartTime")
	case in.EndTime == nil:
		return nil, missing("EndTime")
	case len(in.Statistics) == 0 && len(in.ExtendedStatistics) == 0:
		return nil, ErrMissingParameter.Errorf("Must specify either Statistics or ExtendedStatistics.")
	}
	if err := checkPeriod(in.Period); err != nil {
		return nil, err
	}
	for _, st := range in.Statistics {
		if !statistics[st] {
			return nil, invalid("The parameter Statistics contains %s, which is not a statistic.", st)
		}
	}
	if len(in.ExtendedStatistics) > 0 {
		return nil, invalid("Percentile statistics (ExtendedStatistics) are not supported by gureum.")
	}
	start, end := time.Time(*in.StartTime), time.Time(*in.EndTime)
	if !start.Before(end) {
		return nil, invalid("The parameter StartTime must be less than the parameter EndTime.")
	}
	pts, err := s.store.MetricPoints(ctx, callerAccount(ctx), in.Namespace, in.MetricName, dimsKey(in.Dimensions), start, end)
	if err != nil {
		return nil, err
	}
	order, byStart := buckets(pts, start, time.Duration(in.Period)*time.Second, in.Unit)
	out := &GetMetricStatisticsOutput{Label: in.MetricName, Datapoints: []Datapoint{}}
	for _, k := range order {
		a := byStart[k]
		dp := Datapoint{Timestamp: scalar.EpochOf(k), Unit: unitOf(pts, in.Unit)}
		for _, st := range in.Statistics {
			v, _ := a.stat(st)
			switch st {
			case "SampleCount":
				dp.SampleCount = &v
			case "Sum":
				dp.Sum = &v
			case "Minimum":
				dp.Minimum = &v
			case "Maximum":
				dp.Maximum = &v
			case "Average":
				dp.Average = &v
			}
		}
		out.Datapoints = append(out.Datapoints, dp)
	}
	return out, nil
}

func unitOf(pts []store.MetricPoint, asked string) string {
	if asked != "" {
		return asked
	}
	if len(pts) > 0 {
		return pts[0].Unit
	}
	return "None"
}

// GetMetricData answers MetricStat queries (metric math expressions are refused).
func (s *Service) GetMetricData(ctx context.Context, in *GetMetricDataInput) (*GetMetricDataOutput, error) {
	switch {
	case len(in.MetricDataQueries) == 0:
		return nil, missing("MetricDataQueries")
	case len(in.MetricDataQueries) > 500:
		return nil, invalid("The collection MetricDataQueries must not have a size greater than 500.")
	case in.StartTime == nil:
		return nil, missing("StartTime")
	case in.EndTime == nil:
		return nil, missing("EndTime")
	}
	start, end := time.Time(*in.StartTime), time.Time(*in.EndTime)
	if !start.Before(end) {
		return nil, invalid("The parameter StartTime must be less than the parameter EndTime.")
	}
	out := &GetMetricDataOutput{MetricDataResults: []MetricDataResult{}, Messages: []any{}}
	ids := map[string]bool{}
	for _, q := range in.MetricDataQueries {
		if q.Id == "" || ids[q.Id] {
			return nil, invalid("Each query needs an Id unique within the request (%q).", q.Id)
		}
		ids[q.Id] = true
		if q.Expression != "" {
			return nil, invalid("Metric math expressions are not supported by gureum (query %s).", q.Id)
		}
		ms := q.MetricStat
		if ms == nil {
			return nil, ErrInvalidParameterCombination.Errorf("Query %s must specify either MetricStat or Expression.", q.Id)
		}
		if err := checkPeriod(ms.Period); err != nil {
			return nil, err
		}
		if !statistics[ms.Stat] {
			return nil, invalid("The value %s for parameter MetricDataQueries.Stat is not supported by gureum.", ms.Stat)
		}
		if q.ReturnData != nil && !*q.ReturnData {
			continue
		}
		pts, err := s.store.MetricPoints(ctx, callerAccount(ctx), ms.Metric.Namespace, ms.Metric.MetricName, dimsKey(ms.Metric.Dimensions), start, end)
		if err != nil {
			return nil, err
		}
		order, byStart := buckets(pts, start, time.Duration(ms.Period)*time.Second, ms.Unit)
		r := MetricDataResult{Id: q.Id, Label: q.Label, StatusCode: "Complete", Timestamps: []scalar.Epoch{}, Values: []float64{}}
		if r.Label == "" {
			r.Label = ms.Metric.MetricName
		}
		newestFirst := in.ScanBy != "TimestampAscending"
		for i := range order {
			k := order[i]
			if newestFirst {
				k = order[len(order)-1-i]
			}
			v, _ := byStart[k].stat(ms.Stat)
			r.Timestamps = append(r.Timestamps, scalar.Epoch(k))
			r.Values = append(r.Values, v)
		}
		out.MetricDataResults = append(out.MetricDataResults, r)
	}
	return out, nil
}

// ListMetrics lists the account's metrics that have data, filtered by namespace, name and
// dimensions (a filter without a Value matches any value).
func (s *Service) ListMetrics(ctx context.Context, in *ListMetricsInput) (*ListMetricsOutput, error) {
	var since time.Time
	switch in.RecentlyActive {
	case "":
	case "PT3H":
		since = s.clock.Now().Add(-3 * time.Hour)
	default:
		return nil, invalid("The value %s for parameter RecentlyActive is not valid.", in.RecentlyActive)
	}
	ms, err := s.store.ListMetrics(ctx, callerAccount(ctx), in.Namespace, in.MetricName, since)
	if err != nil {
		return nil, err
	}
	out := &ListMetricsOutput{Metrics: []Metric{}}
	for _, m := range ms {
		dims := dimsOf(m.Dims)
		if matchDims(dims, in.Dimensions) {
			out.Metrics = append(out.Metrics, Metric{Namespace: m.Namespace, MetricName: m.Name, Dimensions: dims})
		}
	}
	return out, nil
}

func matchDims(have, filters []Dimension) bool {
	for _, f := range filters {
		found := false
		for _, d := range have {
			if d.Name == f.Name && (f.Value == "" || d.Value == f.Value) {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func (s *Service) sweep(ctx context.Context) error {
	_, err := s.store.SweepMetricPoints(ctx, s.clock.Now().Add(-Retention), 10000)
	return err
}
