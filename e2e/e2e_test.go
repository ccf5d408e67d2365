// Package e2e tests the built gureum binary as users run it: with aws-sdk-go-v2, the AWS CLI and
// boto3, through signals and kill -9, and on the PostgreSQL store.
package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gureum/gureum/internal/gureumtest"
	"github.com/gureum/gureum/internal/store/postgres"
)

var bin gureumtest.Binary

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gureum-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin, err = gureumtest.Build(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func callerIdentity(t *testing.T, endpoint, id, secret string) *sts.GetCallerIdentityOutput {
	t.Helper()
	out, err := sts.NewFromConfig(gureumtest.ConfigFor(endpoint, id, secret, "")).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	return out
}

func TestBinaryServes(t *testing.T) {
	t.Parallel()
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{})
	out := callerIdentity(t, p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
	if *out.Arn != "arn:aws:iam::000000000000:root" {
		t.Errorf("Arn = %s", *out.Arn)
	}
	version, err := exec.Command(bin.Path, "version").Output()
	if err != nil || !strings.HasPrefix(string(version), "gureum ") {
		t.Errorf("gureum version = %q, %v", version, err)
	}
	help, err := exec.Command(bin.Path, "server", "--help").Output()
	for _, flag := range []string{"--listen", "--data-dir", "--region", "--store", "--account-id", "--log-format", "--log-level", "GUREUM_"} {
		if err != nil || !strings.Contains(string(help), flag) {
			t.Errorf("server --help lacks %s (%v)", flag, err)
		}
	}
}

// TestEnvironmentFlags checks that GUREUM_<FLAG> variables configure the server.
func TestEnvironmentFlags(t *testing.T) {
	t.Parallel()
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{Env: map[string]string{"GUREUM_ACCOUNT_ID": "123456789012", "GUREUM_LOG_FORMAT": "json"}})
	out := callerIdentity(t, p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
	if *out.Account != "123456789012" {
		t.Errorf("Account = %s; want 123456789012 from GUREUM_ACCOUNT_ID", *out.Account)
	}
	time.Sleep(50 * time.Millisecond)
	var line map[string]any
	for _, l := range strings.Split(p.Logs.String(), "\n") {
		if strings.Contains(l, `"msg":"request"`) {
			json.Unmarshal([]byte(l), &line)
		}
	}
	if line["operation"] != "GetCallerIdentity" || line["request_id"] == "" {
		t.Errorf("no JSON request log line in:\n%s", p.Logs.String())
	}
}

func awsEnv(endpoint, id, secret string) []string {
	return append(os.Environ(), "AWS_ACCESS_KEY_ID="+id, "AWS_SECRET_ACCESS_KEY="+secret,
		"AWS_DEFAULT_REGION="+gureumtest.Region, "AWS_ENDPOINT_URL="+endpoint, "AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=")
}

// TestAWSCLI drives the server with the AWS CLI installed on this machine.
func TestAWSCLI(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("NOTICE: the AWS CLI is not installed; skipping")
	}
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{})
	run := func(secret string, args ...string) (string, error) {
		cmd := exec.Command("aws", args...)
		cmd.Env = awsEnv(p.Endpoint, gureumtest.AccessKeyID, secret)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run(gureumtest.SecretAccessKey, "sts", "get-caller-identity", "--output", "json")
	if err != nil || !strings.Contains(out, `"Arn": "arn:aws:iam::000000000000:root"`) {
		t.Errorf("aws sts get-caller-identity = %s, %v", out, err)
	}
	out, err = run(gureumtest.SecretAccessKey, "sts", "get-caller-identity", "--endpoint-url", p.Endpoint, "--query", "Account", "--output", "text")
	if err != nil || strings.TrimSpace(out) != "000000000000" {
		t.Errorf("aws sts get-caller-identity --endpoint-url = %s, %v", out, err)
	}
	out, err = run("wrong-secret", "sts", "get-caller-identity")
	if err == nil || !strings.Contains(out, "SignatureDoesNotMatch") {
		t.Errorf("aws with a wrong secret = %s, %v; want SignatureDoesNotMatch", out, err)
	}
	out, err = run(gureumtest.SecretAccessKey, "sts", "get-session-token", "--output", "json")
	if err != nil || !strings.Contains(out, `"AccessKeyId": "ASIA`) {
		t.Errorf("aws sts get-session-token = %s, %v; want temporary credentials", out, err)
	}
	out, err = run(gureumtest.SecretAccessKey, "sts", "get-federation-token", "--name", "build-bot")
	if err == nil || !strings.Contains(out, "NotImplemented") {
		t.Errorf("aws sts get-federation-token = %s, %v; want NotImplemented", out, err)
	}
}

// TestBoto3 drives the server with boto3.
func TestBoto3(t *testing.T) {
	t.Parallel()
	if exec.Command("python3", "-c", "import boto3").Run() != nil {
		t.Skip("NOTICE: python3 with boto3 is not installed; skipping")
	}
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{})
	script := `
import boto3, botocore, json, os
sts = boto3.client("sts")
ident = sts.get_caller_identity()
print(json.dumps({"Arn": ident["Arn"], "Account": ident["Account"]}))
bad = boto3.client("sts", aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"], aws_secret_access_key="wrong")
try:
    bad.get_caller_identity()
    print("no error")
except botocore.exceptions.ClientError as e:
    print(e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])
`
	cmd := exec.Command("python3", "-c", script)
	cmd.Env = awsEnv(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
	out, err := cmd.CombinedOutput()
	want := `{"Arn": "arn:aws:iam::000000000000:root", "Account": "000000000000"}` + "\nSignatureDoesNotMatch 403\n"
	if err != nil || string(out) != want {
		t.Errorf("boto3 printed %q, %v; want %q", out, err, want)
	}
}

// TestSIGTERM checks a clean, bounded shutdown on SIGTERM.
// TestProcs checks how many cores the server runs Go code on: all but one by default, unless
// GOMAXPROCS in its environment chose; --procs and GUREUM_PROCS set it. It reads the runtime's
// own gauge from /metrics.
func TestProcs(t *testing.T) {
	t.Parallel()
	gomaxprocs := func(p *gureumtest.Process) int {
		t.Helper()
		resp, err := http.Get(p.Endpoint + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		for _, l := range strings.Split(string(body), "\n") {
			if v, ok := strings.CutPrefix(l, "go_sched_gomaxprocs_threads "); ok {
				n, err := strconv.Atoi(v)
				if err != nil {
					t.Fatalf("gauge %q: %v", l, err)
				}
				return n
			}
		}
		t.Fatalf("no go_sched_gomaxprocs_threads in /metrics")
		return 0
	}
	// The child starts with what this process started with, and the same environment.
	want := max(1, runtime.GOMAXPROCS(0)-1)
	if env := os.Getenv("GOMAXPROCS"); env != "" {
		want = runtime.GOMAXPROCS(0)
	}
	if got := gomaxprocs(gureumtest.StartBinary(t, bin, gureumtest.Options{})); got != want {
		t.Errorf("by default GOMAXPROCS = %d; want %d", got, want)
	}
	if got := gomaxprocs(gureumtest.StartBinary(t, bin, gureumtest.Options{Args: []string{"--procs", "3"}})); got != 3 {
		t.Errorf("with --procs 3 GOMAXPROCS = %d", got)
	}
	if got := gomaxprocs(gureumtest.StartBinary(t, bin, gureumtest.Options{Env: map[string]string{"GUREUM_PROCS": "2", "GOMAXPROCS": "5"}})); got != 2 {
		t.Errorf("with GUREUM_PROCS=2 GOMAXPROCS = %d", got)
	}
	if got := gomaxprocs(gureumtest.StartBinary(t, bin, gureumtest.Options{Env: map[string]string{"GOMAXPROCS": "5"}})); got != 5 {
		t.Errorf("with GOMAXPROCS=5 in the environment GOMAXPROCS = %d", got)
	}
	out, err := exec.Command(bin.Path, "server", "--procs", "-1", "--data-dir", t.TempDir()).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--procs -1") {
		t.Errorf("gureum server --procs -1 = %s, %v; want an error naming the flag", out, err)
	}
}

func TestSIGTERM(t *testing.T) {
	t.Parallel()
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{})
	callerIdentity(t, p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
	p.Cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.Cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", err, p.Logs.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("gureum still running 15s after SIGTERM")
	}
	if !strings.Contains(p.Logs.String(), "shutting down") {
		t.Errorf("no shutdown log line")
	}
}

// TestKill9KeepsAcknowledgedWrites kills the server without warning right after it acknowledged
// its first-start writes (the account and the generated root key) and checks they survived.
func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{DataDir: dir, NoRoot: true})
	p.Cmd.Process.Kill()
	p.Cmd.Wait()
	var creds struct {
		ID     string `json:"access_key_id"`
		Secret string `json:"secret_access_key"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "root-credentials.json"))
	if err != nil || json.Unmarshal(b, &creds) != nil {
		t.Fatalf("credentials file: %v", err)
	}
	again := gureumtest.StartBinary(t, bin, gureumtest.Options{DataDir: dir, NoRoot: true})
	callerIdentity(t, again.Endpoint, creds.ID, creds.Secret)
}

// TestPostgresStore runs the binary on PostgreSQL when GUREUM_TEST_POSTGRES is set.
func TestPostgresStore(t *testing.T) {
	t.Parallel()
	dsn := os.Getenv(gureumtest.PostgresEnv)
	if dsn == "" {
		t.Skip("NOTICE: " + gureumtest.PostgresEnv + " is not set; skipping the PostgreSQL end-to-end test")
	}
	schema := fmt.Sprintf("gureum_e2e_%d", time.Now().UnixNano())
	db, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.DropSchema(context.Background(), schema); db.Close() })
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	storeDSN := dsn + sep + "search_path=" + schema
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{Args: []string{"--store", storeDSN}})
	callerIdentity(t, p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
	resp, err := http.Get(p.Endpoint + "/_gureum/health")
	if err != nil {
		t.Fatal(err)
	}
	var h struct{ Store string }
	json.NewDecoder(resp.Body).Decode(&h)
	resp.Body.Close()
	if h.Store != "postgres" {
		t.Errorf("health store = %q; want postgres", h.Store)
	}
	// A second node on the same database sees the same accounts and keys.
	second := gureumtest.StartBinary(t, bin, gureumtest.Options{Args: []string{"--store", storeDSN}})
	callerIdentity(t, second.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
}

// TestSecondSignalExitsAtOnce holds a request in flight so that the drain after the first SIGTERM
// waits, then checks that a second SIGTERM ends the process at once.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	t.Parallel()
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{Args: []string{"--drain-timeout", "30s"}})
	addr := strings.TrimPrefix(p.Endpoint, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nAction=", addr)
	time.Sleep(200 * time.Millisecond) // the request is now being handled, its body incomplete
	done := make(chan error, 1)
	p.Cmd.Process.Signal(syscall.SIGTERM)
	go func() { done <- p.Cmd.Wait() }()
	select {
	case err := <-done:
		t.Fatalf("exited before the drain finished: %v", err)
	case <-time.After(500 * time.Millisecond):
	}
	start := time.Now()
	p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-done:
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 130 {
			t.Errorf("exit after the second signal = %v; want status 130", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("second signal took %v to end the process", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("still running 10s after the second signal")
	}
}

// TestSlowHeaders checks that a client that never finishes its headers is disconnected after the
// header timeout.
func TestSlowHeaders(t *testing.T) {
	t.Parallel()
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{Args: []string{"--header-timeout", "500ms"}})
	conn, err := net.Dial("tcp", strings.TrimPrefix(p.Endpoint, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	io.ReadAll(conn)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("slow headers held the connection for %v", d)
	}
}
