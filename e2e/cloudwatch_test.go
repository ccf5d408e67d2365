package e2e

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestCloudWatchAWSCLI puts metric data and makes, sets and reads an alarm with the AWS CLI
// (v1, whose botocore speaks CloudWatch's RPC v2 CBOR protocol).
func TestCloudWatchAWSCLI(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("NOTICE: the AWS CLI is not installed; skipping")
	}
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{})
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("aws", append([]string{"cloudwatch", "--output", "json"}, args...)...)
		cmd.Env = awsEnv(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws cloudwatch %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	now := time.Now().UTC()
	run("put-metric-data", "--namespace", "Shop", "--metric-name", "Orders", "--dimensions", "Store=north",
		"--value", "3", "--unit", "Count", "--timestamp", now.Add(-time.Minute).Format(time.RFC3339))
	out := run("get-metric-statistics", "--namespace", "Shop", "--metric-name", "Orders", "--dimensions", "Name=Store,Value=north",
		"--start-time", now.Add(-time.Hour).Format(time.RFC3339), "--end-time", now.Add(time.Minute).Format(time.RFC3339),
		"--period", "3600", "--statistics", "Sum")
	var stats struct{ Datapoints []struct{ Sum float64 } }
	if err := json.Unmarshal([]byte(out), &stats); err != nil || len(stats.Datapoints) != 1 || stats.Datapoints[0].Sum != 3 {
		t.Errorf("get-metric-statistics = %s (%v); want a sum of 3", out, err)
	}
	run("put-metric-alarm", "--alarm-name", "orders-low", "--namespace", "Shop", "--metric-name", "Orders",
		"--dimensions", "Name=Store,Value=north", "--statistic", "Sum", "--period", "60", "--evaluation-periods", "1",
		"--threshold", "1", "--comparison-operator", "LessThanThreshold")
	run("set-alarm-state", "--alarm-name", "orders-low", "--state-value", "ALARM", "--state-reason", "smoke test")
	out = run("describe-alarms", "--alarm-names", "orders-low")
	var alarms struct {
		MetricAlarms []struct {
			AlarmName, StateValue, StateReason string
			Threshold                          float64
		}
	}
	if err := json.Unmarshal([]byte(out), &alarms); err != nil || len(alarms.MetricAlarms) != 1 ||
		alarms.MetricAlarms[0].StateReason != "smoke test" || alarms.MetricAlarms[0].Threshold != 1 {
		t.Errorf("describe-alarms = %s (%v)", out, err)
	}
	cmd := exec.Command("aws", "cloudwatch", "delete-alarms", "--alarm-names", "missing")
	cmd.Env = awsEnv(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
	if b, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(b), "ResourceNotFound") {
		t.Errorf("delete-alarms(missing) = %s, %v; want ResourceNotFound", b, err)
	}
}
