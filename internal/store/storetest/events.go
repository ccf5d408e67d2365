package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// eventTests are the store.EventBuses part of the suite.
var eventTests = []suiteTest{
	{"Buses", testEventBuses},
	{"Rules", testEventRules},
	{"FireRule", testFireEventRule},
}

func testEventBuses(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	b := store.EventBus{Account: "111111111111", Name: "orders", Doc: []byte(`{"Description":"d"}`), Created: epoch}
	if err := s.CreateEventBus(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateEventBus(ctx, b); !errors.Is(err, store.ErrExists) {
		t.Fatalf("CreateEventBus twice = %v; want ErrExists", err)
	}
	b.Doc = []byte(`{}`)
	if err := s.UpdateEventBus(ctx, b); err != nil {
		t.Fatal(err)
	}
	got, err := s.EventBus(ctx, b.Account, "orders")
	if err != nil || string(got.Doc) != `{}` || !got.Created.Equal(epoch) {
		t.Fatalf("EventBus = %+v, %v", got, err)
	}
	if _, err := s.SaveEventRule(ctx, store.EventRule{Account: b.Account, Bus: "orders", Name: "r", Doc: []byte(`{}`), Created: epoch}); err != nil {
		t.Fatal(err)
	}
	if l, err := s.ListEventBuses(ctx, b.Account); err != nil || len(l) != 1 {
		t.Fatalf("ListEventBuses = %v, %v", l, err)
	}
	if err := s.DeleteEventBus(ctx, b.Account, "orders"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EventRule(ctx, b.Account, "orders", "r"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a deleted bus's rule: %v; want ErrNotFound", err)
	}
	if err := s.DeleteEventBus(ctx, b.Account, "orders"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteEventBus twice = %v; want ErrNotFound", err)
	}
}

func testEventRules(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	r := store.EventRule{Account: "111111111111", Bus: "default", Name: "r1", Doc: []byte(`{"a":1}`), Scheduled: true, Created: epoch}
	v, err := s.SaveEventRule(ctx, r)
	if err != nil || v != 1 {
		t.Fatalf("SaveEventRule (create) = %d, %v", v, err)
	}
	if _, err := s.SaveEventRule(ctx, r); !errors.Is(err, store.ErrExists) {
		t.Fatalf("create twice = %v; want ErrExists", err)
	}
	r.Version, r.Doc, r.Scheduled = 1, []byte(`{"a":2}`), false
	if v, err = s.SaveEventRule(ctx, r); err != nil || v != 2 {
		t.Fatalf("SaveEventRule (update) = %d, %v", v, err)
	}
	if _, err := s.SaveEventRule(ctx, r); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a stale save = %v; want ErrConflict", err)
	}
	got, err := s.EventRule(ctx, r.Account, "default", "r1")
	if err != nil || string(got.Doc) != `{"a":2}` || got.Version != 2 || got.Scheduled {
		t.Fatalf("EventRule = %+v, %v", got, err)
	}
	if l, _ := s.ScheduledEventRules(ctx); len(l) != 0 {
		t.Errorf("ScheduledEventRules = %v; want none", l)
	}
	if l, err := s.ListEventRules(ctx, r.Account, "default"); err != nil || len(l) != 1 {
		t.Errorf("ListEventRules = %v, %v", l, err)
	}
	if err := s.DeleteEventRule(ctx, r.Account, "default", "r1"); err != nil {
		t.Fatal(err)
	}
	r.Version = 2
	if _, err := s.SaveEventRule(ctx, r); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("saving a deleted rule = %v; want ErrNotFound", err)
	}
}

func testFireEventRule(t *testing.T, open Opener) {
	a, b := nodes(t, open)
	ctx := context.Background()
	r := store.EventRule{Account: "111111111111", Bus: "default", Name: "tick", Doc: []byte(`{}`), Scheduled: true, Created: epoch}
	if _, err := a.SaveEventRule(ctx, r); err != nil {
		t.Fatal(err)
	}
	read, _ := a.ScheduledEventRules(ctx)
	if len(read) != 1 {
		t.Fatalf("ScheduledEventRules = %v", read)
	}
	at := epoch.Add(time.Minute)
	d := store.Delivery{Kind: "events.target", Target: "arn:q", Payload: []byte("e")}
	ok1, err1 := a.FireEventRule(ctx, read[0], at, []store.Delivery{d})
	ok2, err2 := b.FireEventRule(ctx, read[0], at, []store.Delivery{d})
	if err1 != nil || err2 != nil || !ok1 || ok2 {
		t.Fatalf("two fires from one read = %v %v, %v %v; want exactly the first", ok1, err1, ok2, err2)
	}
	ds, _ := a.Deliveries(ctx, false, 10)
	if len(ds) != 1 || ds[0].Target != "arn:q" {
		t.Errorf("deliveries = %+v; want the one fire's", ds)
	}
	got, _ := a.EventRule(ctx, r.Account, "default", "tick")
	if !got.LastFired.Equal(at) {
		t.Errorf("LastFired = %v; want %v", got.LastFired, at)
	}
}
