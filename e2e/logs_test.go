package e2e

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestLogsAWSCLI writes and reads CloudWatch Logs with the AWS CLI (v1 here: get-log-events and
// filter-log-events, no logs tail), then reads the group with `gureum logs tail`.
func TestLogsAWSCLI(t *testing.T) {
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
	run("create-log-group", "--log-group-name", "/aws/lambda/orders")
	run("create-log-stream", "--log-group-name", "/aws/lambda/orders", "--log-stream-name", "2026/12/07/[$LATEST]abc")
	now := time.Now().UnixMilli()
	events := fmt.Sprintf(`[{"timestamp":%d,"message":"START RequestId: r1"},{"timestamp":%d,"message":"ERROR order 7 failed"},{"timestamp":%d,"message":"END RequestId: r1"}]`, now, now+1, now+2)
	run("put-log-events", "--log-group-name", "/aws/lambda/orders", "--log-stream-name", "2026/12/07/[$LATEST]abc", "--log-events", events)

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
