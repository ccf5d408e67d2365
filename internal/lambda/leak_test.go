package lambda_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// TestNothingLeftBehind runs invokes with crashes and timeouts among them, stops the server and
// checks that no sandbox process, cgroup, mount or file descriptor remains.
func TestNothingLeftBehind(t *testing.T) {
	fds := countFDs(t)
	mounts := countMounts(t)
	// A cgroup of its own: other packages' tests run functions at the same time on this host.
	parent := "gureum-leaktest-" + strconv.Itoa(os.Getpid())
	t.Cleanup(func() {
		dirs, _ := filepath.Glob("/sys/fs/cgroup/*/" + parent)
		for _, d := range dirs {
			os.Remove(d)
		}
	})
	f := start(t, "--sandbox-cgroup", parent)
	code := zipOf(t, map[string][]byte{"bootstrap*": goBootstrap(t)})
	f.create(t, "leaky", "provided.al2023", "bootstrap", code, func(in *lambda.CreateFunctionInput) { in.Timeout = aws.Int32(1) })
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				payload := `{"echo":"ok"}`
				switch {
				case i%10 == 3:
					payload = `{"crash":true}`
				case i%25 == 7:
					payload = `{"sleep_ms":1500}`
				}
				f.invoke(t, "leaky", payload)
			}
		}()
	}
	wg.Wait()
	if err := f.srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if dirs, _ := filepath.Glob("/sys/fs/cgroup/*/" + parent + "/fn-*"); len(dirs) > 0 {
		t.Errorf("cgroups left: %v", dirs)
	}
	out, _ := exec.Command("ps", "-o", "pid=,comm=", "--ppid", strconv.Itoa(os.Getpid())).Output()
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		if len(line) > 0 && !bytes.HasSuffix(line, []byte(" ps")) {
			t.Errorf("child process left: %s", line)
		}
	}
	if n := countFDs(t); n > fds+2 {
		t.Errorf("file descriptors: %d before, %d after", fds, n)
	}
	if n := countMounts(t); n != mounts {
		t.Errorf("mounts: %d before, %d after", mounts, n)
	}
}

func countFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc")
	}
	return len(ents)
}

func countMounts(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Skip("no /proc")
	}
	return bytes.Count(b, []byte("\n"))
}
