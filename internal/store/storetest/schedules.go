package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// scheduleTests are the store.Schedules part of the suite.
var scheduleTests = []suiteTest{
	{"Groups", testScheduleGroups},
	{"FireAndRemove", testFireSchedule},
}

func testScheduleGroups(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	g := store.ScheduleGroup{Account: "111111111111", Name: "jobs", Doc: []byte(`{}`), Created: epoch}
	if err := s.CreateScheduleGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateScheduleGroup(ctx, g); !errors.Is(err, store.ErrExists) {
		t.Fatalf("CreateScheduleGroup twice = %v; want ErrExists", err)
	}
	x := store.Schedule{Account: g.Account, Group: "jobs", Name: "nightly", Doc: []byte(`{}`), Enabled: true, Created: epoch}
	if _, err := s.SaveSchedule(ctx, x); err != nil {
		t.Fatal(err)
	}
	x.Version = 1
	if v, err := s.SaveSchedule(ctx, x); err != nil || v != 2 {
		t.Fatalf("SaveSchedule (update) = %d, %v", v, err)
	}
	if _, err := s.SaveSchedule(ctx, x); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale save = %v; want ErrConflict", err)
	}
	if l, err := s.ListSchedules(ctx, g.Account, ""); err != nil || len(l) != 1 {
		t.Fatalf("ListSchedules = %v, %v", l, err)
	}
	if l, err := s.ListScheduleGroups(ctx, g.Account); err != nil || len(l) != 1 {
		t.Fatalf("ListScheduleGroups = %v, %v", l, err)
	}
	if err := s.DeleteScheduleGroup(ctx, g.Account, "jobs"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Schedule(ctx, g.Account, "jobs", "nightly"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a deleted group's schedule: %v; want ErrNotFound", err)
	}
}

func testFireSchedule(t *testing.T, open Opener) {
	a, b := nodes(t, open)
	ctx := context.Background()
	x := store.Schedule{Account: "111111111111", Group: "default", Name: "once", Doc: []byte(`{}`), Enabled: true, Created: epoch}
	if _, err := a.SaveSchedule(ctx, x); err != nil {
		t.Fatal(err)
	}
	read, err := a.EnabledSchedules(ctx)
	if err != nil || len(read) != 1 {
		t.Fatalf("EnabledSchedules = %v, %v", read, err)
	}
	at := epoch.Add(time.Hour)
	d := []store.Delivery{{Kind: "scheduler.target", Target: "arn:q", Payload: []byte("{}")}}
	ok1, err1 := a.FireSchedule(ctx, read[0], at, d, true)
	ok2, err2 := b.FireSchedule(ctx, read[0], at, d, true)
	if err1 != nil || err2 != nil || !ok1 || ok2 {
		t.Fatalf("two fires = %v %v, %v %v; want exactly the first", ok1, err1, ok2, err2)
	}
	if _, err := a.Schedule(ctx, x.Account, "default", "once"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a fired one-time schedule with remove: %v; want ErrNotFound", err)
	}
	if ds, _ := a.Deliveries(ctx, false, 10); len(ds) != 1 {
		t.Errorf("deliveries = %+v; want one", ds)
	}
}
