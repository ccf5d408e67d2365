package e2e

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestLogsAWSCLI reads CloudWatch Logs with the AWS CLI (v1 here: get-log-events and
// filter-log-events, no logs tail), then reads the group with `gureum logs tail`.
func TestLogsAWSCLI(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("NOTICE: the AWS CLI is not installed; skipping")
	}
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{})
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("aws", append([]string{"logs"}, args...)...)
		cmd.Env = awsEnv(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws logs %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	// Written with the SDK (each AWS CLI start costs seconds here); read with the CLI.
	c := cwl.NewFromConfig(p.Config())
	group, stream := aws.String("/aws/lambda/orders"), aws.String("2026/12/07/[$LATEST]abc")
	if _, err := c.CreateLogGroup(context.Background(), &cwl.CreateLogGroupInput{LogGroupName: group}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateLogStream(context.Background(), &cwl.CreateLogStreamInput{LogGroupName: group, LogStreamName: stream}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixMilli()
	var evs []types.InputLogEvent
	for i, m := range []string{"START RequestId: r1", "ERROR order 7 failed", "END RequestId: r1"} {
		evs = append(evs, types.InputLogEvent{Timestamp: aws.Int64(now + int64(i)), Message: aws.String(m)})
	}
	if _, err := c.PutLogEvents(context.Background(), &cwl.PutLogEventsInput{LogGroupName: group, LogStreamName: stream, LogEvents: evs}); err != nil {
		t.Fatal(err)
	}

	var got struct {
		Events []struct {
			Message       string `json:"message"`
			LogStreamName string `json:"logStreamName"`
		} `json:"events"`
	}
	out := run("get-log-events", "--log-group-name", "/aws/lambda/orders", "--log-stream-name", "2026/12/07/[$LATEST]abc", "--start-from-head", "--output", "json")
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Events) != 3 || got.Events[2].Message != "END RequestId: r1" {
		t.Errorf("aws logs get-log-events = %s (%v)", out, err)
	}
	out = run("filter-log-events", "--log-group-name", "/aws/lambda/orders", "--filter-pattern", "ERROR", "--output", "json")
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Events) != 1 || got.Events[0].LogStreamName != "2026/12/07/[$LATEST]abc" {
		t.Errorf("aws logs filter-log-events = %s (%v)", out, err)
	}

	// gureum logs tail runs gureum-logs from beside the binary.
	tool := filepath.Join(filepath.Dir(bin.Path), "gureum-logs")
	if b, err := exec.Command("go", "build", "-o", tool, "../cmd/gureum-logs").CombinedOutput(); err != nil {
		t.Fatalf("go build gureum-logs: %v\n%s", err, b)
	}
	cmd := exec.Command(bin.Path, "logs", "tail", "/aws/lambda/orders", "--since", "5m", "--endpoint", p.Endpoint)
	cmd.Env = awsEnv(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
	b, err := cmd.CombinedOutput()
	if err != nil || strings.Count(string(b), "\n") != 3 || !strings.Contains(string(b), "[$LATEST]abc ERROR order 7 failed") {
		t.Errorf("gureum logs tail = %s, %v", b, err)
	}
}
