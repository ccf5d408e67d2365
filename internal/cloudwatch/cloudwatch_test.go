package cloudwatch_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/gureum/gureum/internal/gureumtest"
)

var bg = context.Background()

// each runs fn against a fresh server on every store backend.
func each(t *testing.T, fn func(t *testing.T, srv *gureumtest.Server, c *cw.Client)) {
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			srv := gureumtest.Start(t, gureumtest.Options{Args: append([]string{"--log-level", "warn"}, b.Args...)})
			fn(t, srv, cw.NewFromConfig(srv.Config()))
		})
	}
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return fmt.Sprintf("no API error: %v", err)
}

func wantCode(t *testing.T, what string, err error, want string) {
	t.Helper()
	if got := code(err); got != want {
		t.Errorf("%s = %v (code %s); want %s", what, err, got, want)
	}
}

func fn(v string) []types.Dimension {
	return []types.Dimension{{Name: aws.String("FunctionName"), Value: aws.String(v)}}
}

// TestMetricData puts data points and reads them back by statistics, by MetricStat query and in
// the metric list, through aws-sdk-go-v2 (which speaks RPC v2 CBOR).
func TestMetricData(t *testing.T) {
	each(t, func(t *testing.T, _ *gureumtest.Server, c *cw.Client) {
		now := time.Now().UTC().Truncate(time.Minute)
		at := now.Add(-5 * time.Minute)
		_, err := c.PutMetricData(bg, &cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{
			{MetricName: aws.String("Latency"), Dimensions: fn("a"), Timestamp: aws.Time(at), Value: aws.Float64(10), Unit: types.StandardUnitMilliseconds},
			{MetricName: aws.String("Latency"), Dimensions: fn("a"), Timestamp: aws.Time(at.Add(10 * time.Second)), Value: aws.Float64(30), Unit: types.StandardUnitMilliseconds},
			{MetricName: aws.String("Latency"), Dimensions: fn("a"), Timestamp: aws.Time(at.Add(time.Minute)),
				StatisticValues: &types.StatisticSet{SampleCount: aws.Float64(2), Sum: aws.Float64(4), Minimum: aws.Float64(1), Maximum: aws.Float64(3)}},
			{MetricName: aws.String("Latency"), Dimensions: fn("b"), Timestamp: aws.Time(at), Values: []float64{5, 7}, Counts: []float64{1, 3}},
		}})
		if err != nil {
			t.Fatalf("PutMetricData: %v", err)
		}
		st, err := c.GetMetricStatistics(bg, &cw.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String("Latency"),
			Dimensions: fn("a"), StartTime: aws.Time(at), EndTime: aws.Time(now), Period: aws.Int32(60),
			Statistics: []types.Statistic{types.StatisticSum, types.StatisticAverage, types.StatisticMaximum, types.StatisticSampleCount}})
		if err != nil {
			t.Fatalf("GetMetricStatistics: %v", err)
		}
		if len(st.Datapoints) != 2 {
			t.Fatalf("GetMetricStatistics = %d datapoints; want 2", len(st.Datapoints))
		}
		first, second := st.Datapoints[0], st.Datapoints[1]
		if !first.Timestamp.Equal(at) || *first.Sum != 40 || *first.Average != 20 || *first.Maximum != 30 || *first.SampleCount != 2 {
			t.Errorf("first period = %+v; want sum 40, average 20, max 30, 2 samples at %v", first, at)
		}
		if *second.Sum != 4 || *second.SampleCount != 2 || *second.Maximum != 3 {
			t.Errorf("second period = %+v; want the statistic set", second)
		}
		md, err := c.GetMetricData(bg, &cw.GetMetricDataInput{StartTime: aws.Time(at), EndTime: aws.Time(now),
			MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("b"), MetricStat: &types.MetricStat{
				Metric: &types.Metric{Namespace: aws.String("App"), MetricName: aws.String("Latency"), Dimensions: fn("b")},
				Period: aws.Int32(300), Stat: aws.String("Average")}}}})
		if err != nil {
			t.Fatalf("GetMetricData: %v", err)
		}
		if r := md.MetricDataResults; len(r) != 1 || len(r[0].Values) != 1 || r[0].Values[0] != 6.5 || r[0].StatusCode != types.StatusCodeComplete {
			t.Errorf("GetMetricData = %+v; want one value of 6.5", r)
		}
		lm, err := c.ListMetrics(bg, &cw.ListMetricsInput{Namespace: aws.String("App"),
			Dimensions: []types.DimensionFilter{{Name: aws.String("FunctionName")}}})
		if err != nil || len(lm.Metrics) != 2 {
			t.Errorf("ListMetrics = %+v, %v; want 2 metrics", lm, err)
		}
		_, err = c.PutMetricData(bg, &cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{
			{MetricName: aws.String("X"), Value: aws.Float64(1), Values: []float64{1}}}})
		wantCode(t, "PutMetricData(Value and Values)", err, "InvalidParameterCombination")
		_, err = c.PutMetricData(bg, &cw.PutMetricDataInput{Namespace: aws.String("AWS/Lambda"), MetricData: []types.MetricDatum{
			{MetricName: aws.String("X"), Value: aws.Float64(1)}}})
		wantCode(t, "PutMetricData(AWS/ namespace)", err, "InvalidParameterValue")
	})
}

// TestAlarms makes, reads, sets, tags and deletes alarms, and reads their history.
func TestAlarms(t *testing.T) {
	each(t, func(t *testing.T, srv *gureumtest.Server, c *cw.Client) {
		put := &cw.PutMetricAlarmInput{AlarmName: aws.String("errors"), Namespace: aws.String("AWS/Lambda"), MetricName: aws.String("Errors"),
			Dimensions: fn("f"), Statistic: types.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1),
			Threshold: aws.Float64(1), ComparisonOperator: types.ComparisonOperatorGreaterThanOrEqualToThreshold,
			TreatMissingData: aws.String("notBreaching"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}}
		if _, err := c.PutMetricAlarm(bg, put); err != nil {
			t.Fatalf("PutMetricAlarm: %v", err)
		}
		d, err := c.DescribeAlarms(bg, &cw.DescribeAlarmsInput{AlarmNames: []string{"errors"}})
		if err != nil || len(d.MetricAlarms) != 1 {
			t.Fatalf("DescribeAlarms = %+v, %v", d, err)
		}
		a := d.MetricAlarms[0]
		if aws.ToString(a.AlarmArn) != "arn:aws:cloudwatch:us-east-1:000000000000:alarm:errors" || a.Threshold == nil || *a.Threshold != 1 ||
			a.StateUpdatedTimestamp == nil || len(a.Dimensions) != 1 {
			t.Errorf("alarm = %+v", a)
		}
		if _, err := c.SetAlarmState(bg, &cw.SetAlarmStateInput{AlarmName: aws.String("errors"), StateValue: types.StateValueAlarm,
			StateReason: aws.String("testing")}); err != nil {
			t.Fatalf("SetAlarmState: %v", err)
		}
		d, _ = c.DescribeAlarms(bg, &cw.DescribeAlarmsInput{StateValue: types.StateValueAlarm})
		if len(d.MetricAlarms) != 1 || aws.ToString(d.MetricAlarms[0].StateReason) != "testing" {
			t.Errorf("DescribeAlarms(ALARM) = %+v; want the alarm set", d.MetricAlarms)
		}
		fm, err := c.DescribeAlarmsForMetric(bg, &cw.DescribeAlarmsForMetricInput{Namespace: aws.String("AWS/Lambda"), MetricName: aws.String("Errors"), Dimensions: fn("f")})
		if err != nil || len(fm.MetricAlarms) != 1 {
			t.Errorf("DescribeAlarmsForMetric = %+v, %v", fm, err)
		}
		h, err := c.DescribeAlarmHistory(bg, &cw.DescribeAlarmHistoryInput{AlarmName: aws.String("errors"), HistoryItemType: types.HistoryItemTypeStateUpdate})
		// The evaluator (once a second on the real clock) may have moved the new alarm to OK
		// (missing data not breaching) before SetAlarmState: the newest item is the set, from
		// whichever state the alarm was in.
		if err != nil || len(h.AlarmHistoryItems) == 0 || len(h.AlarmHistoryItems) > 2 {
			t.Fatalf("DescribeAlarmHistory = %+v, %v", h, err)
		}
		if got := aws.ToString(h.AlarmHistoryItems[0].HistorySummary); got != "Alarm updated from INSUFFICIENT_DATA to ALARM" && got != "Alarm updated from OK to ALARM" {
			t.Errorf("newest history item = %q; want the update to ALARM", got)
		}
		arn := a.AlarmArn
		if _, err := c.TagResource(bg, &cw.TagResourceInput{ResourceARN: arn, Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("test")}}}); err != nil {
			t.Fatalf("TagResource: %v", err)
		}
		tags, err := c.ListTagsForResource(bg, &cw.ListTagsForResourceInput{ResourceARN: arn})
		if err != nil || len(tags.Tags) != 2 {
			t.Errorf("ListTagsForResource = %+v, %v; want 2 tags", tags, err)
		}
		if _, err := c.DisableAlarmActions(bg, &cw.DisableAlarmActionsInput{AlarmNames: []string{"errors"}}); err != nil {
			t.Fatalf("DisableAlarmActions: %v", err)
		}
		d, _ = c.DescribeAlarms(bg, &cw.DescribeAlarmsInput{})
		if len(d.MetricAlarms) != 1 || aws.ToBool(d.MetricAlarms[0].ActionsEnabled) {
			t.Errorf("after DisableAlarmActions: %+v", d.MetricAlarms)
		}
		_, err = c.DeleteAlarms(bg, &cw.DeleteAlarmsInput{AlarmNames: []string{"errors", "missing"}})
		wantCode(t, "DeleteAlarms(one missing)", err, "ResourceNotFound")
		_, err = c.SetAlarmState(bg, &cw.SetAlarmStateInput{AlarmName: aws.String("missing"), StateValue: types.StateValueOk, StateReason: aws.String("x")})
		wantCode(t, "SetAlarmState(missing)", err, "ResourceNotFound")
		bad := *put
		bad.AlarmName, bad.Period = aws.String("bad"), aws.Int32(61)
		_, err = c.PutMetricAlarm(bg, &bad)
		wantCode(t, "PutMetricAlarm(period 61)", err, "InvalidParameterValue")
		if _, err := c.DeleteAlarms(bg, &cw.DeleteAlarmsInput{AlarmNames: []string{"errors"}}); err != nil {
			t.Fatalf("DeleteAlarms: %v", err)
		}
		d, _ = c.DescribeAlarms(bg, &cw.DescribeAlarmsInput{})
		if len(d.MetricAlarms) != 0 {
			t.Errorf("after DeleteAlarms: %+v", d.MetricAlarms)
		}
	})
}

// TestIAM holds CloudWatch calls to the caller's policies.
func TestIAM(t *testing.T) {
	t.Parallel()
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	admin := awsiam.NewFromConfig(srv.Config())
	if _, err := admin.CreateUser(bg, &awsiam.CreateUserInput{UserName: aws.String("writer")}); err != nil {
		t.Fatal(err)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudwatch:PutMetricData","cloudwatch:PutMetricAlarm"],"Resource":"*"},
		{"Effect":"Deny","Action":"cloudwatch:PutMetricAlarm","Resource":"arn:aws:cloudwatch:us-east-1:000000000000:alarm:locked"}]}`
	if _, err := admin.PutUserPolicy(bg, &awsiam.PutUserPolicyInput{UserName: aws.String("writer"), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	k, err := admin.CreateAccessKey(bg, &awsiam.CreateAccessKeyInput{UserName: aws.String("writer")})
	if err != nil {
		t.Fatal(err)
	}
	user := cw.NewFromConfig(gureumtest.ConfigFor(srv.Endpoint, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), ""))
	if _, err := user.PutMetricData(bg, &cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{
		{MetricName: aws.String("X"), Value: aws.Float64(1)}}}); err != nil {
		t.Errorf("PutMetricData(allowed) = %v", err)
	}
	_, err = user.DescribeAlarms(bg, &cw.DescribeAlarmsInput{})
	wantCode(t, "DescribeAlarms(not allowed)", err, "AccessDenied")
	alarm := func(name string) *cw.PutMetricAlarmInput {
		return &cw.PutMetricAlarmInput{AlarmName: aws.String(name), Namespace: aws.String("App"), MetricName: aws.String("X"),
			Statistic: types.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
			ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold}
	}
	if _, err := user.PutMetricAlarm(bg, alarm("open")); err != nil {
		t.Errorf("PutMetricAlarm(open) = %v", err)
	}
	_, err = user.PutMetricAlarm(bg, alarm("locked"))
	wantCode(t, "PutMetricAlarm(denied alarm)", err, "AccessDenied")
}
