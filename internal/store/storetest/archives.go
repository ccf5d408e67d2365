package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// archiveTests are the store.EventArchives part of the suite.
var archiveTests = []suiteTest{
	{"ArchivesAndReplays", testEventArchives},
}

func testEventArchives(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	a := store.EventArchive{Account: "111111111111", Name: "all", Doc: []byte(`{}`), Created: epoch}
	if err := s.CreateEventArchive(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateEventArchive(ctx, a); !errors.Is(err, store.ErrExists) {
		t.Fatalf("CreateEventArchive twice = %v; want ErrExists", err)
	}
	for i, id := range []string{"e1", "e2", "e1"} { // e1 twice: kept once
		e := store.ArchivedEvent{ID: id, Time: epoch.Add(time.Duration(i) * time.Minute), Event: []byte(`{"id":"` + id + `"}`)}
		if err := s.ArchiveEvent(ctx, a.Account, "all", e); err != nil {
			t.Fatal(err)
		}
	}
	n, size, err := s.ArchiveStats(ctx, a.Account, "all")
	if err != nil || n != 2 || size != int64(len(`{"id":"e1"}`)*2) {
		t.Fatalf("ArchiveStats = %d, %d, %v; want 2 events", n, size, err)
	}
	evs, err := s.ArchivedEvents(ctx, a.Account, "all", epoch.Add(30*time.Second), epoch.Add(time.Hour))
	if err != nil || len(evs) != 1 || evs[0].ID != "e2" {
		t.Fatalf("ArchivedEvents = %+v, %v; want e2 alone", evs, err)
	}
	r := store.EventReplay{Account: a.Account, Name: "r", Doc: []byte(`{"State":"STARTING"}`)}
	if err := s.CreateEventReplay(ctx, r); err != nil {
		t.Fatal(err)
	}
	r.Doc = []byte(`{"State":"COMPLETED"}`)
	if err := s.UpdateEventReplay(ctx, r); err != nil {
		t.Fatal(err)
	}
	if got, err := s.EventReplay(ctx, a.Account, "r"); err != nil || string(got.Doc) != `{"State":"COMPLETED"}` {
		t.Fatalf("EventReplay = %+v, %v", got, err)
	}
	if l, err := s.ListEventReplays(ctx, a.Account); err != nil || len(l) != 1 {
		t.Fatalf("ListEventReplays = %v, %v", l, err)
	}
	if err := s.DeleteEventArchive(ctx, a.Account, "all"); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := s.ArchiveStats(ctx, a.Account, "all"); n != 0 {
		t.Errorf("a deleted archive keeps %d events", n)
	}
	if _, err := s.EventArchive(ctx, a.Account, "all"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("EventArchive after delete = %v", err)
	}
}
