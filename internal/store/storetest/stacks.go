package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// stackTests are the store.Stacks part of the suite.
var stackTests = []suiteTest{
	{"Lifecycle", testStackLifecycle},
	{"Events", testStackEvents},
}

func testStackLifecycle(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	x := store.Stack{ID: "arn:aws:cloudformation:us-east-1:111111111111:stack/app/1", Account: "111111111111", Name: "app",
		Status: "CREATE_IN_PROGRESS", Doc: []byte(`{"v":1}`), Created: epoch, Updated: epoch}
	if err := s.CreateStack(ctx, x, nil, true); err != nil {
		t.Fatal(err)
	}
	twin := x
	twin.ID += "x"
	if err := s.CreateStack(ctx, twin, nil, false); !errors.Is(err, store.ErrExists) {
		t.Errorf("CreateStack(same name) = %v; want ErrExists", err)
	}
	leases, err := s.ListLeases(ctx, store.StackTaskLease)
	if err != nil || len(leases) != 1 || leases[0].Name != x.ID {
		t.Errorf("ListLeases = %+v, %v; want the stack's task lease", leases, err)
	}
	got, err := s.StackByName(ctx, x.Account, "app")
	if err != nil || got.Rev != 1 || string(got.Doc) != `{"v":1}` || !got.Created.Equal(epoch) || got.Deleted {
		t.Fatalf("StackByName = %+v, %v; want rev 1", got, err)
	}
	got.Status, got.Doc, got.Updated = "DELETE_COMPLETE", []byte(`{"v":2}`), epoch.Add(time.Second)
	got.Deleted = true
	if err := s.UpdateStack(ctx, got, nil, false); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateStack(ctx, got, nil, false); !errors.Is(err, store.ErrConditionFailed) {
		t.Errorf("UpdateStack(stale rev) = %v; want ErrConditionFailed", err)
	}
	if _, err := s.StackByName(ctx, x.Account, "app"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("StackByName(deleted) = %v; want ErrNotFound", err)
	}
	if byID, err := s.Stack(ctx, x.ID); err != nil || byID.Rev != 2 || !byID.Deleted || byID.Status != "DELETE_COMPLETE" {
		t.Errorf("Stack(deleted id) = %+v, %v; want it, deleted, at rev 2", byID, err)
	}
	if err := s.CreateStack(ctx, twin, nil, false); err != nil {
		t.Errorf("CreateStack(name of a deleted stack) = %v", err)
	}
	live, err := s.ListStacks(ctx, x.Account, false)
	if err != nil || len(live) != 1 || live[0].ID != twin.ID {
		t.Errorf("ListStacks(live) = %+v, %v; want the new one", live, err)
	}
	all, err := s.ListStacks(ctx, x.Account, true)
	if err != nil || len(all) != 2 {
		t.Errorf("ListStacks(all) = %d, %v; want 2", len(all), err)
	}
	if _, err := s.Stack(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Stack(unknown) = %v; want ErrNotFound", err)
	}
}

func testStackEvents(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	x := store.Stack{ID: "arn:s/1", Account: "111111111111", Name: "ev", Status: "CREATE_IN_PROGRESS", Doc: []byte(`{}`), Created: epoch, Updated: epoch}
	ev := func(seq int64) store.StackEvent {
		return store.StackEvent{StackID: x.ID, Seq: seq, Time: epoch.Add(time.Duration(seq) * time.Second), Doc: []byte(`{}`)}
	}
	if err := s.CreateStack(ctx, x, []store.StackEvent{ev(1), ev(2)}, false); err != nil {
		t.Fatal(err)
	}
	x.Rev = 1
	if err := s.UpdateStack(ctx, x, []store.StackEvent{ev(3)}, false); err != nil {
		t.Fatal(err)
	}
	got, err := s.StackEvents(ctx, x.ID, 0, 2)
	if err != nil || len(got) != 2 || got[0].Seq != 3 || got[1].Seq != 2 || !got[0].Time.Equal(epoch.Add(3*time.Second)) {
		t.Fatalf("StackEvents(newest 2) = %+v, %v; want 3, 2", got, err)
	}
	rest, err := s.StackEvents(ctx, x.ID, 2, 10)
	if err != nil || len(rest) != 1 || rest[0].Seq != 1 {
		t.Errorf("StackEvents(before 2) = %+v, %v; want 1", rest, err)
	}
	x.Rev = 2
	if err := s.UpdateStack(ctx, x, []store.StackEvent{ev(3)}, false); err == nil {
		t.Error("UpdateStack with a repeated event seq succeeded; want an error and no change")
	}
	if now, _ := s.Stack(ctx, x.ID); now.Rev != 2 {
		t.Errorf("after a failed update rev = %d; want 2", now.Rev)
	}
}
