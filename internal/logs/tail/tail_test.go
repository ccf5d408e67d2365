package tail

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

type buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *buffer) Write(p []byte) (int, error) { b.mu.Lock(); defer b.mu.Unlock(); return b.b.Write(p) }
func (b *buffer) String() string              { b.mu.Lock(); defer b.mu.Unlock(); return b.b.String() }

// TestTail prints a group's recent events, then follows it and prints one that arrives later.
func TestTail(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	c := cwl.NewFromConfig(srv.Config())
	ctx := context.Background()
	group := aws.String("/aws/lambda/f")
	if _, err := c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: group}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: group, LogStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	put := func(ts time.Time, msg string) {
		_, err := c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: group, LogStreamName: aws.String("s"),
			LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(ts.UnixMilli()), Message: aws.String(msg)}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	put(time.Now().Add(-time.Hour), "too early")
	put(time.Now().Add(-time.Minute), "START RequestId: 1")
	env := map[string]string{"AWS_ACCESS_KEY_ID": gureumtest.AccessKeyID, "AWS_SECRET_ACCESS_KEY": gureumtest.SecretAccessKey}
	getenv := func(k string) string { return env[k] }

	var out buffer
	if err := Main(ctx, []string{"tail", "/aws/lambda/f", "--since", "10m", "--endpoint", srv.Endpoint}, getenv, &out, &out); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.HasSuffix(got, " s START RequestId: 1\n") || strings.Count(got, "\n") != 1 {
		t.Errorf("tail printed %q", got)
	}

	var follow buffer
	fctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- Main(fctx, []string{"tail", "/aws/lambda/f", "--follow", "--format", "short", "--interval", "20ms", "--endpoint", srv.Endpoint}, getenv, &follow, &follow)
	}()
	time.Sleep(50 * time.Millisecond)
	put(time.Now(), "END RequestId: 1")
	for i := 0; !strings.Contains(follow.String(), "END RequestId: 1"); i++ {
		if i > 200 {
			t.Fatalf("--follow printed %q; want the new event", follow.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("tail --follow: %v", err)
	}
	if got := follow.String(); strings.Count(got, "START RequestId: 1") != 1 || strings.Count(got, "END RequestId: 1") != 1 || strings.Contains(got, " s ") {
		t.Errorf("tail --follow printed %q; want each event once, short", got)
	}
	if err := Main(ctx, []string{"tail", "/aws/lambda/nope", "--endpoint", srv.Endpoint}, getenv, &out, &out); err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Errorf("tail of a missing group = %v", err)
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"10m": now.Add(-10 * time.Minute), "2h": now.Add(-2 * time.Hour), "1d": now.Add(-24 * time.Hour),
		"1w": now.Add(-7 * 24 * time.Hour), "2026-12-07T11:00:00Z": now.Add(-time.Hour),
	} {
		if got, err := parseSince(in, now); err != nil || !got.Equal(want) {
			t.Errorf("parseSince(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "soon", "-5m", "xd"} {
		if _, err := parseSince(bad, now); err == nil {
			t.Errorf("parseSince(%q) succeeded", bad)
		}
	}
}
