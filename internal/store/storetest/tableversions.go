package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// tableVersionTests are the store.TableVersions part of the suite.
var tableVersionTests = []suiteTest{
	{"ItemsAt", testItemsAt},
	{"TableStats", testTableStats},
	{"ItemChanges", testItemChanges},
}

// testItemsAt writes versions over time and reads the table back at several times, before and
// after compaction.
func testItemsAt(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	tb := &store.Table{Account: "111111111111", Name: "t", Doc: []byte(`{}`)}
	if err := s.CreateTable(ctx, tb); err != nil {
		t.Fatal(err)
	}
	at := func(h int) time.Time { return epoch.Add(time.Duration(h) * time.Hour) }
	k := func(b byte) store.ItemKey { return store.ItemKey{Table: tb.ID, PK: []byte{b}, SK: []byte{}} }
	put(t, s, store.ItemWrite{Key: k(1), Doc: []byte("a0")}) // before versions: the snapshot has it
	if err := s.SnapshotVersions(ctx, tb.ID, at(0)); err != nil {
		t.Fatal(err)
	}
	put(t, s, store.ItemWrite{Key: k(1), Doc: []byte("a1"), VersionAt: at(1)})
	put(t, s, store.ItemWrite{Key: k(2), Doc: []byte("b1"), VersionAt: at(1)})
	put(t, s, store.ItemWrite{Key: k(1), Doc: nil, VersionAt: at(2)})
	put(t, s, store.ItemWrite{Key: k(3), Doc: []byte("c3"), VersionAt: at(3)})
	read := func(h int) string {
		t.Helper()
		var out string
		var after []byte
		for {
			items, err := s.ItemsAt(ctx, tb.ID, at(h), after, nil, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) == 0 {
				return out
			}
			out += string(items[0].Doc) + " "
			after = items[0].PK
		}
	}
	want := map[int]string{0: "a0 ", 1: "a1 b1 ", 2: "b1 ", 3: "b1 c3 "}
	for h, w := range want {
		if got := read(h); got != w {
			t.Errorf("ItemsAt(%dh) = %q; want %q", h, got, w)
		}
	}
	if err := s.CompactVersions(ctx, tb.ID, at(2)); err != nil {
		t.Fatal(err)
	}
	for h := 2; h <= 3; h++ {
		if got := read(h); got != want[h] {
			t.Errorf("after compaction ItemsAt(%dh) = %q; want %q", h, got, want[h])
		}
	}
	if ids, err := s.VersionedTables(ctx); err != nil || len(ids) != 1 || ids[0] != tb.ID {
		t.Errorf("VersionedTables = %v, %v; want [%d]", ids, err, tb.ID)
	}
	if err := s.DropVersions(ctx, tb.ID); err != nil {
		t.Fatal(err)
	}
	if got := read(3); got != "" {
		t.Errorf("after DropVersions ItemsAt = %q; want none", got)
	}
}

func testTableStats(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	tb := &store.Table{Account: "111111111111", Name: "t", Doc: []byte(`{}`)}
	if err := s.CreateTable(ctx, tb); err != nil {
		t.Fatal(err)
	}
	if st, err := s.TableStats(ctx, tb.ID); err != nil || len(st) != 1 || st[0].Items != 0 || st[0].Bytes != 0 {
		t.Fatalf("TableStats(empty) = %+v, %v", st, err)
	}
	for i := range 3 {
		w := store.ItemWrite{Key: store.ItemKey{Table: tb.ID, PK: []byte{byte(i)}, SK: []byte{}}, Doc: []byte("12345")}
		if i > 0 {
			w.Indexes = []store.IndexEntry{{Index: "g", PK: []byte{1}, Ord: []byte{byte(i)}}}
		}
		put(t, s, w)
	}
	st, err := s.TableStats(ctx, tb.ID)
	if err != nil || len(st) != 2 || st[0] != (store.TableStat{Items: 3, Bytes: 15}) || st[1] != (store.TableStat{Index: "g", Items: 2, Bytes: 10}) {
		t.Errorf("TableStats = %+v, %v; want 3 items of 15 bytes, g 2 of 10", st, err)
	}
}

// testItemChanges writes versions over time and reads the changes of several spans.
func testItemChanges(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	tb := &store.Table{Account: "111111111111", Name: "t", Doc: []byte(`{}`)}
	if err := s.CreateTable(ctx, tb); err != nil {
		t.Fatal(err)
	}
	at := func(h int) time.Time { return epoch.Add(time.Duration(h) * time.Hour) }
	k := func(b byte) store.ItemKey { return store.ItemKey{Table: tb.ID, PK: []byte{b}, SK: []byte{}} }
	put(t, s, store.ItemWrite{Key: k(1), Doc: []byte("a0"), VersionAt: at(0)})
	put(t, s, store.ItemWrite{Key: k(2), Doc: []byte("b0"), VersionAt: at(0)})
	put(t, s, store.ItemWrite{Key: k(1), Doc: []byte("a1"), VersionAt: at(1)})
	put(t, s, store.ItemWrite{Key: k(1), Doc: []byte("a2"), VersionAt: at(2)})
	put(t, s, store.ItemWrite{Key: k(2), Doc: nil, VersionAt: at(2)})
	put(t, s, store.ItemWrite{Key: k(3), Doc: []byte("c3"), VersionAt: at(3)})
	changes := func(from, to int) string {
		t.Helper()
		var out string
		var after []byte
		for {
			cs, err := s.ItemChanges(ctx, tb.ID, at(from), at(to), after, nil, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) == 0 {
				return out
			}
			c := cs[0]
			out += fmt.Sprintf("%d:%s>%s@%d ", c.PK[0], c.Old, c.New, int(c.At.Sub(epoch)/time.Hour))
			after = c.PK
		}
	}
	for _, c := range []struct {
		from, to int
		want     string
	}{
		{0, 1, "1:>a0@0 2:>b0@0 "},
		{1, 2, "1:a0>a1@1 "},
		{1, 3, "1:a0>a2@2 2:b0>@2 "},
		{2, 4, "1:a1>a2@2 2:b0>@2 3:>c3@3 "},
		{4, 5, ""},
	} {
		if got := changes(c.from, c.to); got != c.want {
			t.Errorf("ItemChanges(%dh, %dh) = %q; want %q", c.from, c.to, got, c.want)
		}
	}
}
