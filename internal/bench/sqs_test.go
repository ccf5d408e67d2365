package bench_test

import (
	"bufio"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/bench"
	"github.com/gureum/gureum/internal/gureumtest"
)

// BenchmarkSQS runs the SQS workloads against the in-process server on each store backend:
// batched send+receive+delete and single sends from 16 clients, and the long-poll wake-up.
func BenchmarkSQS(b *testing.B) {
	ctx := context.Background()
	for _, be := range gureumtest.Backends(b) {
		b.Run(be.Name, func(b *testing.B) {
			srv := gureumtest.Start(b, gureumtest.Options{Args: append([]string{"--log-level", "warn"}, be.Args...)})
			c := bench.SQSClient(srv.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
			b.Run("batched-16-clients", func(b *testing.B) {
				t, err := bench.BatchedPipeline(ctx, c, 16, 3*time.Second)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(t.PerSec, "msgs/s")
			})
			b.Run("single-send-16-clients", func(b *testing.B) {
				t, err := bench.SingleSends(ctx, c, 16, 3*time.Second)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(t.PerSec, "msgs/s")
				b.ReportMetric(float64(t.P50.Microseconds())/1000, "p50-ms")
			})
			b.Run("long-poll-wake", func(b *testing.B) {
				l, err := bench.LongPollWake(ctx, c, 30)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(l.P50.Microseconds())/1000, "p50-ms")
			})
		})
	}
}

// TestSQSFloor checks that the floor's fixed answers satisfy the real client, digests included,
// so that the floor measures the same calls the server answers.
func TestSQSFloor(t *testing.T) {
	endpoint, stop, err := bench.SQSFloor()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	ctx := context.Background()
	c := bench.SQSClient(endpoint, "AKIDFLOOR", "secret")
	b, err := bench.BatchedPipeline(ctx, c, 2, 100*time.Millisecond)
	if err != nil || b.Messages == 0 {
		t.Errorf("batched against the floor: %d messages, %v", b.Messages, err)
	}
	s, err := bench.SingleSends(ctx, c, 2, 100*time.Millisecond)
	if err != nil || s.Messages == 0 {
		t.Errorf("single sends against the floor: %d messages, %v", s.Messages, err)
	}
}

// TestStolenShare checks the steal arithmetic and that this machine's /proc/stat reads where it exists.
func TestStolenShare(t *testing.T) {
	if got := bench.StolenShare(1000, 10, 2000, 260); got != 0.25 {
		t.Errorf("StolenShare = %v; want 0.25", got)
	}
	if got := bench.StolenShare(1000, 10, 1000, 10); got != 0 {
		t.Errorf("StolenShare of no time = %v; want 0", got)
	}
	if _, err := os.Stat("/proc/stat"); err == nil {
		if total, steal, ok := bench.MachineCPU(); !ok || total <= 0 || steal < 0 || steal > total {
			t.Errorf("MachineCPU = %d, %d, %v", total, steal, ok)
		}
	}
}

// TestWakeFloor checks that the pipe round trip runs and ends.
func TestWakeFloor(t *testing.T) {
	d, err := bench.WakeFloor(20 * time.Millisecond)
	if err != nil || d <= 0 || d > time.Second {
		t.Errorf("WakeFloor = %v, %v", d, err)
	}
}

// TestServeSQSFloor checks that the floor's process body prints an endpoint that answers the
// client, and returns once its input closes (the bench that started it has gone).
func TestServeSQSFloor(t *testing.T) {
	in, closeIn := io.Pipe()
	out, lines := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- bench.ServeSQSFloor(context.Background(), in, lines) }()
	endpoint, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	c := bench.SQSClient(strings.TrimSpace(endpoint), "AKIAGUREUMBENCH00001", "bench-secret")
	if s, err := bench.SingleSends(context.Background(), c, 2, 50*time.Millisecond); err != nil || s.Messages == 0 {
		t.Errorf("single sends against the floor: %d messages, %v", s.Messages, err)
	}
	closeIn.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the floor did not return when its input closed")
	}
}
