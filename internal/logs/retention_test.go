package logs

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/sqlite"
)

// TestRetentionSweep registers the sweep on a runner with a fake clock, writes through Append
// (which creates the group and stream) and checks that events leave once past the group's
// retention, and that a deleted group's events go too.
func TestRetentionSweep(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	clock := background.NewFakeClock(start)
	r := background.New(background.Config{Leases: st, Clock: clock})
	s := New(Deps{Env: service.Env{Region: "us-east-1", Clock: clock, Runner: r}, Store: st})
	r.Start(context.Background())
	defer r.Stop()
	ctx := request.With(context.Background(), &request.Info{Principal: request.RootPrincipal("000000000000", "AKIA")})

	var evs []Event
	for i := range 2500 { // more than one sweep slice
		evs = append(evs, Event{Time: start.Add(-time.Hour), Message: fmt.Sprint("old ", i)})
	}
	evs = append(evs, Event{Time: start.Add(20 * time.Hour), Message: "recent"})
	if err := s.Append(ctx, "000000000000", "/aws/lambda/f", "2026/11/22/[$LATEST]abc", evs); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx, "000000000000", "/aws/lambda/gone", "s", evs[:10]); err != nil {
		t.Fatal(err)
	}
	days := 1
	if _, err := s.PutRetentionPolicy(ctx, &PutRetentionPolicyInput{LogGroupName: "/aws/lambda/f", RetentionInDays: &days}); err != nil {
		t.Fatal(err)
	}
	gone, _ := st.LogGroup(ctx, "000000000000", "/aws/lambda/gone")
	if _, err := s.DeleteLogGroup(ctx, &LogGroupInput{LogGroupName: "/aws/lambda/gone"}); err != nil {
		t.Fatal(err)
	}
	g, _ := st.LogGroup(ctx, "000000000000", "/aws/lambda/f")
	count := func(id int64) int {
		got, err := st.LogEvents(ctx, store.LogEventQuery{GroupID: id, From: store.LogCursor{Timestamp: -1}, Limit: 10_000})
		if err != nil {
			t.Fatal(err)
		}
		return len(got)
	}
	if n := count(g.ID); n != 2501 {
		t.Fatalf("%d events stored; want 2501", n)
	}
	// Within the day nothing of f's expires; the deleted group's events are swept at once.
	for range 5 {
		clock.Advance(sweepEvery)
		time.Sleep(20 * time.Millisecond)
	}
	if n := count(g.ID); n != 2501 {
		t.Fatalf("%d events left within the retention; want 2501", n)
	}
	if n := count(gone.ID); n != 0 {
		t.Errorf("%d events of the deleted group left", n)
	}
	clock.Advance(24 * time.Hour)
	for i := 0; count(g.ID) != 1; i++ {
		if i > 200 {
			t.Fatalf("%d events left a day later; want 1", count(g.ID))
		}
		clock.Advance(sweepEvery)
		time.Sleep(10 * time.Millisecond)
	}
}
