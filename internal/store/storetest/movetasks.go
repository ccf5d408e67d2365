package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// moveTaskTests are the store.MoveTasks part of the suite.
var moveTaskTests = []suiteTest{
	{"MoveTasks", testMoveTasks},
	{"MoveTaskLeases", testMoveTaskLeases},
}

func moveTask(handle, source string, started time.Time) store.MoveTask {
	return store.MoveTask{Handle: handle, Account: "123456789012", Source: source, Rate: 10, Status: "RUNNING",
		ToMove: 5, Started: started, Heartbeat: started}
}

func testMoveTasks(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	if err := s.CreateMoveTask(ctx, moveTask("h1", "arn:dlq", epoch)); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateMoveTask(ctx, moveTask("h2", "arn:dlq", epoch.Add(time.Second))); !errors.Is(err, store.ErrExists) {
		t.Fatalf("second active task for a source = %v; want ErrExists", err)
	}
	if err := s.CreateMoveTask(ctx, moveTask("other", "arn:other", epoch)); err != nil {
		t.Fatalf("a task for another source = %v", err)
	}
	status, err := s.ProgressMoveTask(ctx, "h1", 3, epoch.Add(time.Second))
	if err != nil || status != "RUNNING" {
		t.Fatalf("ProgressMoveTask = %q, %v", status, err)
	}
	if ok, err := s.FinishMoveTask(ctx, "h1", "CANCELLING", "", "RUNNING"); !ok || err != nil {
		t.Fatalf("cancel a running task = %v, %v", ok, err)
	}
	if status, _ := s.ProgressMoveTask(ctx, "h1", 1, epoch.Add(2*time.Second)); status != "CANCELLING" {
		t.Errorf("status after cancel = %q; want CANCELLING", status)
	}
	if err := s.CreateMoveTask(ctx, moveTask("h2", "arn:dlq", epoch.Add(time.Second))); !errors.Is(err, store.ErrExists) {
		t.Fatalf("new task while one is cancelling = %v; want ErrExists", err)
	}
	if ok, err := s.FinishMoveTask(ctx, "h1", "COMPLETED", "", "RUNNING"); ok || err != nil {
		t.Errorf("complete a cancelling task = %v, %v; want no change", ok, err)
	}
	if ok, err := s.FinishMoveTask(ctx, "h1", "CANCELLED", "", "RUNNING", "CANCELLING"); !ok || err != nil {
		t.Fatalf("finish cancelling = %v, %v", ok, err)
	}
	if err := s.CreateMoveTask(ctx, moveTask("h2", "arn:dlq", epoch.Add(time.Minute))); err != nil {
		t.Fatalf("new task once the first ended = %v", err)
	}
	got, err := s.MoveTask(ctx, "h1")
	if err != nil || got.Status != "CANCELLED" || got.Moved != 4 || got.ToMove != 5 || got.Rate != 10 || !got.Started.Equal(epoch) || got.Source != "arn:dlq" {
		t.Errorf("MoveTask(h1) = %+v, %v", got, err)
	}
	if _, err := s.MoveTask(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MoveTask(nope) = %v; want ErrNotFound", err)
	}
	list, err := s.ListMoveTasks(ctx, "arn:dlq", 10)
	if err != nil || len(list) != 2 || list[0].Handle != "h2" || list[1].Handle != "h1" {
		t.Errorf("ListMoveTasks = %+v, %v; want h2 then h1", list, err)
	}
	if list, _ := s.ListMoveTasks(ctx, "arn:dlq", 1); len(list) != 1 {
		t.Errorf("ListMoveTasks(limit 1) = %d tasks", len(list))
	}
}

// testMoveTaskLeases checks that a task is stored with its free lease, which one node claims,
// and that a task refused (a second active one for its source) leaves no lease behind.
func testMoveTaskLeases(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	for _, h := range []string{"a", "b"} {
		if err := s.CreateMoveTask(ctx, moveTask(h, "arn:"+h, epoch)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateMoveTask(ctx, moveTask("refused", "arn:a", epoch)); !errors.Is(err, store.ErrExists) {
		t.Fatalf("CreateMoveTask(second active) = %v; want ErrExists", err)
	}
	got, err := s.ClaimLeases(ctx, store.MoveTaskLease, "node1", epoch, epoch.Add(10*time.Second), 10)
	if err != nil || len(got) != 2 || got[0].Name != "a" || got[1].Name != "b" {
		t.Fatalf("ClaimLeases(%s) = %+v, %v; want a and b", store.MoveTaskLease, got, err)
	}
	if again, err := s.ClaimLeases(ctx, store.MoveTaskLease, "node2", epoch, epoch.Add(10*time.Second), 10); err != nil || len(again) != 0 {
		t.Errorf("second claim = %+v, %v; want nothing", again, err)
	}
}
