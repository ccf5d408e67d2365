package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// logTests are the store.Logs part of the suite.
var logTests = []suiteTest{
	{"Groups", testLogGroups},
	{"Streams", testLogStreams},
	{"Events", testLogEvents},
	{"Sweep", testLogSweep},
	{"ConcurrentCreate", testLogConcurrentCreate},
}

// testLogConcurrentCreate appends to one new group and stream from many writers on two nodes
// at once: every append creates or finds them, none fails, and every event is kept.
func testLogConcurrentCreate(t *testing.T, open Opener) {
	a, b := nodes(t, open)
	ctx := context.Background()
	const writers = 8
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.AppendLogEvents(ctx, "1", "/aws/lambda/f", "s", []store.LogEvent{{Timestamp: int64(i), Ingestion: 1, Message: "x"}}, true, epoch)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("append %d: %v", i, err)
		}
	}
	g, err := a.LogGroup(ctx, "1", "/aws/lambda/f")
	if err != nil {
		t.Fatal(err)
	}
	evs, err := a.LogEvents(ctx, store.LogEventQuery{GroupID: g.ID, From: store.LogCursor{Timestamp: -1}, Limit: 100})
	if err != nil || len(evs) != writers {
		t.Errorf("%d events, %v; want %d", len(evs), err, writers)
	}
}

func testLogGroups(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	for _, name := range []string{"/aws/lambda/b", "/aws/lambda/a", "app", "/aws/apigw"} {
		if err := s.CreateLogGroup(ctx, store.LogGroup{Account: "1", Name: name, Created: epoch}); err != nil {
			t.Fatalf("CreateLogGroup(%s): %v", name, err)
		}
	}
	if err := s.CreateLogGroup(ctx, store.LogGroup{Account: "1", Name: "app", Created: epoch}); !errors.Is(err, store.ErrExists) {
		t.Errorf("CreateLogGroup(duplicate) = %v; want ErrExists", err)
	}
	if err := s.CreateLogGroup(ctx, store.LogGroup{Account: "2", Name: "app", Created: epoch}); err != nil {
		t.Errorf("CreateLogGroup(other account) = %v", err)
	}
	got, err := s.ListLogGroups(ctx, "1", "/aws/lambda/", "", 10)
	if err != nil || len(got) != 2 || got[0].Name != "/aws/lambda/a" || got[1].Name != "/aws/lambda/b" {
		t.Errorf("ListLogGroups(prefix) = %v, %v", got, err)
	}
	got, err = s.ListLogGroups(ctx, "1", "", "/aws/lambda/a", 2)
	if err != nil || len(got) != 2 || got[0].Name != "/aws/lambda/b" || got[1].Name != "app" {
		t.Errorf("ListLogGroups(after) = %v, %v", got, err)
	}
	err = s.UpdateLogGroup(ctx, "1", "app", func(g *store.LogGroup) error {
		g.RetentionDays, g.Tags = 7, map[string]string{"team": "x"}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	g, err := s.LogGroup(ctx, "1", "app")
	if err != nil || g.RetentionDays != 7 || g.Tags["team"] != "x" || !g.Created.Equal(epoch) {
		t.Errorf("LogGroup = %+v, %v", g, err)
	}
	if err := s.UpdateLogGroup(ctx, "1", "nope", func(*store.LogGroup) error { return nil }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateLogGroup(missing) = %v; want ErrNotFound", err)
	}
	if err := s.DeleteLogGroup(ctx, "1", "app"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteLogGroup(ctx, "1", "app"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteLogGroup(again) = %v; want ErrNotFound", err)
	}
	if _, err := s.LogGroup(ctx, "2", "app"); err != nil {
		t.Errorf("the other account's group: %v", err)
	}
}

func logGroup(t *testing.T, s store.Store, name string) store.LogGroup {
	t.Helper()
	ctx := context.Background()
	if err := s.CreateLogGroup(ctx, store.LogGroup{Account: "1", Name: name, Created: epoch}); err != nil {
		t.Fatal(err)
	}
	g, err := s.LogGroup(ctx, "1", name)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func streamNames(xs []store.LogStream) string {
	var out []string
	for _, x := range xs {
		out = append(out, x.Name)
	}
	return strings.Join(out, " ")
}

func testLogStreams(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	g := logGroup(t, s, "g")
	for i, name := range []string{"b", "a", "c"} {
		if err := s.CreateLogStream(ctx, g.ID, store.LogStream{Name: name, Created: epoch}); err != nil {
			t.Fatal(err)
		}
		ev := []store.LogEvent{{Timestamp: int64(100 - i), Ingestion: 500, Message: name}}
		if err := s.AppendLogEvents(ctx, "1", "g", name, ev, false, epoch); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateLogStream(ctx, g.ID, store.LogStream{Name: "a", Created: epoch}); !errors.Is(err, store.ErrExists) {
		t.Errorf("CreateLogStream(duplicate) = %v; want ErrExists", err)
	}
	for _, c := range []struct {
		q    store.LogStreamQuery
		want string
	}{
		{store.LogStreamQuery{Limit: 10}, "a b c"},
		{store.LogStreamQuery{Limit: 10, AfterName: "a"}, "b c"},
		{store.LogStreamQuery{Limit: 10, Prefix: "b"}, "b"},
		{store.LogStreamQuery{Limit: 2, Descending: true}, "c b"},
		{store.LogStreamQuery{Limit: 2, Descending: true, Started: true, AfterName: "b"}, "a"},
		{store.LogStreamQuery{Limit: 10, ByLastEvent: true}, "c a b"},
		{store.LogStreamQuery{Limit: 10, ByLastEvent: true, Descending: true}, "b a c"},
		{store.LogStreamQuery{Limit: 10, ByLastEvent: true, Started: true, AfterTime: 99, AfterName: "a"}, "b"},
	} {
		c.q.GroupID = g.ID
		got, err := s.ListLogStreams(ctx, c.q)
		if err != nil || streamNames(got) != c.want {
			t.Errorf("ListLogStreams(%+v) = %q, %v; want %q", c.q, streamNames(got), err, c.want)
		}
	}
	x, err := s.LogStream(ctx, g.ID, "a")
	if err != nil || x.FirstEvent != 99 || x.LastEvent != 99 || x.LastIngestion != 500 {
		t.Errorf("LogStream = %+v, %v", x, err)
	}
	if err := s.DeleteLogStream(ctx, g.ID, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LogStream(ctx, g.ID, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LogStream(deleted) = %v; want ErrNotFound", err)
	}
	if err := s.DeleteLogStream(ctx, g.ID, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteLogStream(again) = %v; want ErrNotFound", err)
	}
	if err := s.AppendLogEvents(ctx, "1", "g", "a", nil, false, epoch); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("AppendLogEvents(deleted stream) = %v; want ErrNotFound", err)
	}
}

func testLogEvents(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	var evs []store.LogEvent
	for i := range 150 { // more than one multi-row insert
		evs = append(evs, store.LogEvent{Timestamp: int64(1000 + i/2), Ingestion: 5000, Message: fmt.Sprint("m", i)})
	}
	if err := s.AppendLogEvents(ctx, "1", "made", "s1", evs, true, epoch); err != nil {
		t.Fatalf("AppendLogEvents(create): %v", err)
	}
	if err := s.AppendLogEvents(ctx, "1", "made", "s2", []store.LogEvent{{Timestamp: 1001, Ingestion: 5001, Message: "other"}}, true, epoch); err != nil {
		t.Fatal(err)
	}
	g, err := s.LogGroup(ctx, "1", "made")
	if err != nil {
		t.Fatal(err)
	}
	x, err := s.LogStream(ctx, g.ID, "s1")
	if err != nil || x.FirstEvent != 1000 || x.LastEvent != 1074 {
		t.Fatalf("LogStream = %+v, %v", x, err)
	}
	page, err := s.LogEvents(ctx, store.LogEventQuery{GroupID: g.ID, StreamID: x.ID, From: store.LogCursor{Timestamp: 1000}, Limit: 100})
	if err != nil || len(page) != 100 || page[0].Message != "m0" || page[99].Message != "m99" || page[0].Stream != "s1" {
		t.Fatalf("LogEvents(first page) = %d events, %v", len(page), err)
	}
	last := page[99]
	page, err = s.LogEvents(ctx, store.LogEventQuery{GroupID: g.ID, StreamID: x.ID, From: store.LogCursor{Timestamp: last.Timestamp, ID: last.ID}, Limit: 100})
	if err != nil || len(page) != 50 || page[0].Message != "m100" {
		t.Fatalf("LogEvents(second page) = %d events, %v", len(page), err)
	}
	back, err := s.LogEvents(ctx, store.LogEventQuery{GroupID: g.ID, StreamID: x.ID, Backward: true, From: store.LogCursor{Timestamp: 1002}, Start: 1000, Limit: 10})
	if err != nil || len(back) != 4 || back[0].Message != "m3" || back[3].Message != "m0" {
		t.Errorf("LogEvents(backward) = %+v, %v", back, err)
	}
	all, err := s.LogEvents(ctx, store.LogEventQuery{GroupID: g.ID, From: store.LogCursor{Timestamp: 1001}, End: 1002, Limit: 10})
	if err != nil || len(all) != 3 || all[2].Stream != "s2" || all[2].Message != "other" {
		t.Errorf("LogEvents(group) = %+v, %v", all, err)
	}
	if err := s.AppendLogEvents(ctx, "1", "nope", "s", evs[:1], false, epoch); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("AppendLogEvents(missing group) = %v; want ErrNotFound", err)
	}
}

func testLogSweep(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	day := int64(24 * time.Hour / time.Millisecond)
	now := epoch
	old, fresh := now.UnixMilli()-3*day, now.UnixMilli()-day/2
	put := func(group, stream string, ts int64, n int) {
		var evs []store.LogEvent
		for range n {
			evs = append(evs, store.LogEvent{Timestamp: ts, Ingestion: ts, Message: "x"})
		}
		if err := s.AppendLogEvents(ctx, "1", group, stream, evs, true, now); err != nil {
			t.Fatal(err)
		}
	}
	put("kept", "s", old, 3)
	put("short", "s", old, 5)
	put("short", "s", fresh, 2)
	put("gone", "s", old, 4)
	put("kept", "gone", old, 2)
	if err := s.UpdateLogGroup(ctx, "1", "short", func(g *store.LogGroup) error { g.RetentionDays = 1; return nil }); err != nil {
		t.Fatal(err)
	}
	g, _ := s.LogGroup(ctx, "1", "kept")
	if err := s.DeleteLogGroup(ctx, "1", "gone"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteLogStream(ctx, g.ID, "gone"); err != nil {
		t.Fatal(err)
	}
	total := 0
	for range 20 {
		n, err := s.SweepLogs(ctx, now, 2)
		if err != nil {
			t.Fatal(err)
		}
		if n > 6 {
			t.Fatalf("SweepLogs(limit 2) deleted %d", n)
		}
		if total += n; n == 0 {
			break
		}
	}
	if total != 5+4+2 {
		t.Errorf("swept %d events; want 11", total)
	}
	for group, want := range map[string]int{"kept": 3, "short": 2} {
		g, _ := s.LogGroup(ctx, "1", group)
		evs, err := s.LogEvents(ctx, store.LogEventQuery{GroupID: g.ID, Limit: 100, From: store.LogCursor{Timestamp: -1}})
		if err != nil || len(evs) != want {
			t.Errorf("%s after sweep: %d events, %v; want %d", group, len(evs), err, want)
		}
	}
}
