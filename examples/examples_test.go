// Package examples deploys each reference workload under examples/ to the built gureum binary
// with its own deploy script (the AWS CLI's cloudformation package and deploy, plus boto3 for
// what gureum's CloudFormation cannot make yet), drives it with its drive.py (boto3, one Python
// process per workload) and checks what the driver saw.
package examples

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/gureumtest"
)

var bin gureumtest.Binary

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gureum-examples")
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

// needTools skips the test, with a notice, when a tool the example's scripts run is absent.
func needTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"aws", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("NOTICE: %s is not installed; skipping", tool)
		}
	}
	if exec.Command("python3", "-c", "import boto3").Run() != nil {
		t.Skip("NOTICE: python3 with boto3 is not installed; skipping")
	}
}

// needSandbox skips the test when functions cannot run in namespace sandboxes here: file systems
// (EFS access points) are mounted only at that isolation level, which needs root on Linux.
func needSandbox(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("NOTICE: file systems need the namespace isolation level (root); skipping")
	}
}

// workload is one example deployed to its own server.
type workload struct {
	t     *testing.T
	p     *gureumtest.Process
	dir   string // the example's directory
	stack string
	env   []string
}

func start(t *testing.T, example string, args ...string) *workload {
	t.Helper()
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{Args: args})
	dir, err := filepath.Abs(example)
	if err != nil {
		t.Fatal(err)
	}
	w := &workload{t: t, p: p, dir: dir, stack: example}
	w.env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+gureumtest.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+gureumtest.SecretAccessKey,
		"AWS_DEFAULT_REGION="+gureumtest.Region, "AWS_ENDPOINT_URL="+p.Endpoint, "AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=", "STACK="+w.stack)
	return w
}

// setenv adds a variable to what the scripts see.
func (w *workload) setenv(k, v string) { w.env = append(w.env, k+"="+v) }

// deploy runs the example's deploy.sh with CloudFormation parameter overrides.
func (w *workload) deploy(overrides ...string) {
	w.t.Helper()
	w.run("deploy.sh", append([]string{filepath.Join(w.dir, "deploy.sh")}, overrides...))
}

// drive runs the example's drive.py and decodes the JSON object it prints last.
func (w *workload) drive(v any) {
	w.t.Helper()
	out := w.run("drive.py", []string{"python3", filepath.Join(w.dir, "drive.py")})
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), v); err != nil {
		w.t.Fatalf("drive.py printed %q: %v", out, err)
	}
}

func (w *workload) run(name string, argv []string) string {
	w.t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = w.t.TempDir()
	cmd.Env = w.env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	began := time.Now()
	out, err := cmd.Output()
	w.t.Logf("%s: %v", name, time.Since(began).Round(time.Millisecond))
	if err != nil {
		w.t.Fatalf("%s: %v\nstdout:\n%s\nstderr:\n%s\nserver log (last lines):\n%s", name, err, out, stderr.String(), lastLines(w.p.Logs.String(), 30))
	}
	return string(out)
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}
