package bench

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Startup is one measured start of the binary.
type Startup struct {
	ToHealthy time.Duration // from exec to the first 200 from /_gureum/health
	IdleRSS   int64         // resident memory in bytes after the server has idled briefly
}

// StartBinary starts bin as `gureum server` on a free loopback port with dataDir and the given root
// credentials, waits for the first 200 from the health endpoint and returns the process, its
// endpoint and the time that took. The caller stops the process.
func StartBinary(ctx context.Context, bin, dataDir, keyID, secret string, extra ...string) (*exec.Cmd, string, time.Duration, error) {
	port, err := freePort()
	if err != nil {
		return nil, "", 0, err
	}
	endpoint := "http://127.0.0.1:" + strconv.Itoa(port)
	args := append([]string{"server", "--listen", "127.0.0.1:" + strconv.Itoa(port), "--data-dir", dataDir, "--log-level", "warn"}, extra...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "GUREUM_ROOT_ACCESS_KEY_ID="+keyID, "GUREUM_ROOT_SECRET_ACCESS_KEY="+secret)
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, "", 0, err
	}
	for time.Since(start) < 30*time.Second {
		resp, err := client.Get(endpoint + "/_gureum/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return cmd, endpoint, time.Since(start), nil
			}
		}
		time.Sleep(200 * time.Microsecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	return nil, "", 0, fmt.Errorf("gureum did not become healthy within 30s")
}

// MeasureStartup starts the binary on dataDir, records the time to healthy and, after idle, the
// resident memory, then stops it with SIGTERM.
func MeasureStartup(ctx context.Context, bin, dataDir string, idle time.Duration) (Startup, error) {
	cmd, _, d, err := StartBinary(ctx, bin, dataDir, "AKIAGUREUMBENCH00001", "bench-secret")
	if err != nil {
		return Startup{}, err
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}()
	time.Sleep(idle)
	rss, err := RSS(cmd.Process.Pid)
	return Startup{ToHealthy: d, IdleRSS: rss}, err
}

// RSS reads a process's resident set size from /proc.
func RSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
