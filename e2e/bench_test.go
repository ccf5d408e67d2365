package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/bench"
)

// BenchmarkStartup measures the built binary from exec to the first 200 from /_gureum/health on the
// embedded store (first start on an empty data dir, and a restart on an existing one), and its
// resident memory after a second of idling.
func BenchmarkStartup(b *testing.B) {
	for _, first := range []bool{true, false} {
		name := "restart"
		if first {
			name = "first-start"
		}
		b.Run(name, func(b *testing.B) {
			dir := b.TempDir()
			if !first {
				if _, err := bench.MeasureStartup(context.Background(), bin.Path, dir, 0); err != nil {
					b.Fatal(err)
				}
			}
			var total time.Duration
			var rss int64
			for i := 0; i < b.N; i++ {
				d := dir
				if first {
					d = b.TempDir()
				}
				s, err := bench.MeasureStartup(context.Background(), bin.Path, d, time.Second)
				if err != nil {
					b.Fatal(err)
				}
				total += s.ToHealthy
				rss = max(rss, s.IdleRSS)
			}
			b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms-to-healthy")
			b.ReportMetric(float64(rss)/(1<<20), "idle-RSS-MiB")
		})
	}
}

// buildBench builds gureum-bench beside the gureum binary under test: `gureum bench` runs it.
var buildBench = sync.OnceValue(func() error {
	out := filepath.Join(filepath.Dir(bin.Path), "gureum-bench")
	b, err := exec.Command("go", "build", "-o", out, "github.com/gureum/gureum/cmd/gureum-bench").CombinedOutput()
	if err != nil {
		return fmt.Errorf("go build ./cmd/gureum-bench: %v\n%s", err, b)
	}
	return nil
})

// TestBenchSQS runs `gureum bench sqs` briefly without the peer and checks that it reports every
// SQS figure, the batched one and the single sends as the median of their rounds.
func TestBenchSQS(t *testing.T) {
	t.Parallel()
	if err := buildBench(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin.Path, "bench", "sqs", "--duration", "100ms", "--no-peer", "--rounds", "2").CombinedOutput()
	if err != nil {
		t.Fatalf("gureum bench sqs: %v\n%s", err, out)
	}
	for _, want := range []string{
		"send+receive+delete, batches of 10, 16 clients: floor (fixed answers)",
		"send+receive+delete, batches of 10, 16 clients: gureum sqlite",
		"msgs/s (median of rounds ",
		"SendMessage, 16 clients: gureum sqlite",
		"msgs/s, p50 ",
		"long-poll wake-up after a send (p50 of 30): gureum sqlite",
		"SendMessage, 16 clients: floor (fixed answers)",
		"CPU µs/request: floor ", // the floor runs in a process of its own
		"gureum sqlite ÷ floor: batched, single sends",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	// --rounds 2: each workload's row lists two rounds.
	if n := regexp.MustCompile(`median of rounds \d+, \d+\)`).FindAllIndex(out, -1); len(n) < 2 {
		t.Errorf("want the batched and the single-send rows with two rounds each:\n%s", out)
	}
}
