package sqs

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/sqlite"
)

// TestRetentionSweeperRuns registers SQS's background work on a runner with a fake clock and
// checks that the retention sweeper deletes a message once it is past its retention.
func TestRetentionSweeperRuns(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clock := background.NewFakeClock(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
	r := background.New(background.Config{Leases: st, Clock: clock})
	s := New(Deps{Env: service.Env{Region: "us-east-1", Clock: clock, Runner: r}, Store: st})
	s.Start(context.Background())
	r.Start(context.Background())
	defer s.Stop()
	defer r.Stop()
	ctx := request.With(context.Background(), &request.Info{Host: "localhost:4566", Principal: request.RootPrincipal("000000000000", "AKIA")})
	url := mustCreate(t, s, ctx, "q", map[string]string{"MessageRetentionPeriod": "60"})
	if _, err := s.SendMessage(ctx, &SendMessageInput{QueueUrl: url, MessageBody: str("old")}); err != nil {
		t.Fatal(err)
	}
	q, err := st.Queue(ctx, "000000000000", "q")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		clock.Advance(time.Second)
		time.Sleep(5 * time.Millisecond)
		// Nothing left to expire, and the message is gone from the queue even to a count that
		// does not look at expiry: the sweeper deleted it.
		if c, err := st.CountMessages(ctx, q.ID, time.Time{}); err == nil && c == (store.Counts{}) {
			if i < 59 {
				t.Fatalf("swept after %d s, within the retention period", i+1)
			}
			break
		}
		if i > 200 {
			t.Fatal("the message was never swept")
		}
	}
}
