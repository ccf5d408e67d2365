package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// tableTests are the store.Tables part of the suite.
var tableTests = []suiteTest{
	{"Tables", testTables},
	{"Items", testTableItems},
	{"ItemsAtomic", testTableItemsAtomic},
	{"Tokens", testTableTokens},
	{"StreamRecords", testStreamRecords},
}

func testStreamRecords(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	tb := &store.Table{Account: "111111111111", Name: "t", Doc: []byte(`{}`)}
	if err := s.CreateTable(ctx, tb); err != nil {
		t.Fatal(err)
	}
	if got, err := s.TableByID(ctx, tb.ID); err != nil || got.Name != "t" {
		t.Fatalf("TableByID = %+v, %v", got, err)
	}
	for i := range 3 {
		k := store.ItemKey{Table: tb.ID, PK: []byte{byte(i)}, SK: []byte{}}
		doc := []byte("x")
		if i == 2 {
			doc = nil // a delete records too
		}
		put(t, s, store.ItemWrite{Key: k, Doc: doc, Stream: &store.StreamRecord{Table: tb.ID, Label: "L", Doc: []byte(fmt.Sprint(i)), Created: epoch.Add(time.Duration(i) * time.Hour)}})
	}
	recs, err := s.StreamRecords(ctx, tb.ID, "L", 0, 10)
	if err != nil || len(recs) != 3 || string(recs[2].Doc) != "2" || recs[0].Seq >= recs[1].Seq {
		t.Fatalf("StreamRecords = %+v, %v", recs, err)
	}
	if last, err := s.LastStreamSeq(ctx); err != nil || last != recs[2].Seq {
		t.Errorf("LastStreamSeq = %d, %v; want %d", last, err, recs[2].Seq)
	}
	if more, _ := s.StreamRecords(ctx, tb.ID, "L", recs[0].Seq, 10); len(more) != 2 {
		t.Errorf("StreamRecords(after first) = %d; want 2", len(more))
	}
	// A refused write leaves no record.
	s.WriteItems(ctx, nil, nil, func([]*store.TableItem) ([]store.ItemWrite, error) { return nil, errors.New("no") })
	if err := s.DropStreamRecords(ctx, epoch.Add(90*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if left, _ := s.StreamRecords(ctx, tb.ID, "L", 0, 10); len(left) != 1 {
		t.Errorf("after DropStreamRecords = %d records; want 1", len(left))
	}
}

func testTables(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	for _, name := range []string{"b", "a", "c"} {
		tb := &store.Table{Account: "111111111111", Name: name, Doc: []byte(`{}`), Created: epoch}
		if err := s.CreateTable(ctx, tb); err != nil || tb.ID == 0 {
			t.Fatalf("CreateTable(%s) = %v, id %d", name, err, tb.ID)
		}
	}
	if err := s.CreateTable(ctx, &store.Table{Account: "111111111111", Name: "a", Doc: []byte(`{}`)}); !errors.Is(err, store.ErrExists) {
		t.Errorf("CreateTable(again) = %v; want ErrExists", err)
	}
	list, err := s.ListTables(ctx, "111111111111", "a", 1)
	if err != nil || len(list) != 1 || list[0].Name != "b" {
		t.Errorf("ListTables(after a, 1) = %v, %v; want [b]", list, err)
	}
	tb, err := s.Table(ctx, "111111111111", "a")
	if err != nil || tb.Rev != 1 || !tb.Created.Equal(epoch) {
		t.Fatalf("Table = %+v, %v", tb, err)
	}
	tb.Doc = []byte(`{"x":1}`)
	if err := s.UpdateTable(ctx, tb); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateTable(ctx, tb); !errors.Is(err, store.ErrConditionFailed) {
		t.Errorf("UpdateTable(stale) = %v; want ErrConditionFailed", err)
	}
	if err := s.DeleteTable(ctx, "111111111111", "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Table(ctx, "111111111111", "a"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Table(deleted) = %v; want ErrNotFound", err)
	}
	if err := s.DeleteTable(ctx, "111111111111", "a"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteTable(gone) = %v; want ErrNotFound", err)
	}
}

func put(t *testing.T, s store.Store, w store.ItemWrite) {
	t.Helper()
	err := s.WriteItems(context.Background(), []store.ItemKey{w.Key}, nil, func([]*store.TableItem) ([]store.ItemWrite, error) {
		return []store.ItemWrite{w}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testTableItems(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	tb := &store.Table{Account: "111111111111", Name: "t", Doc: []byte(`{}`)}
	if err := s.CreateTable(ctx, tb); err != nil {
		t.Fatal(err)
	}
	// Sort keys with bytes above 0x7f and a 0x00 must come back in byte order on both backends.
	sks := [][]byte{{0x00}, {0x01}, {0x7f}, {0x80}, {0xff}, {0xff, 0x00}, []byte("a"), []byte("ab")}
	for i, sk := range sks {
		put(t, s, store.ItemWrite{Key: store.ItemKey{Table: tb.ID, PK: []byte("p"), SK: sk}, Doc: []byte(fmt.Sprintf(`{"i":%d}`, i)),
			Expires: int64(100 + i), Indexes: []store.IndexEntry{{Index: "g", PK: []byte("x"), Ord: []byte{byte(200 - i)}}}})
	}
	put(t, s, store.ItemWrite{Key: store.ItemKey{Table: tb.ID, PK: []byte("q"), SK: []byte("z")}, Doc: []byte(`{}`)})
	got, err := s.QueryItems(ctx, store.ItemRange{Table: tb.ID, PK: []byte("p"), Limit: 100})
	if err != nil || len(got) != len(sks) {
		t.Fatalf("QueryItems = %d items, %v; want %d", len(got), err, len(sks))
	}
	want := [][]byte{{0x00}, {0x01}, []byte("a"), []byte("ab"), {0x7f}, {0x80}, {0xff}, {0xff, 0x00}}
	for i := range want {
		if !bytes.Equal(got[i].SK, want[i]) {
			t.Errorf("QueryItems[%d].SK = %x; want %x", i, got[i].SK, want[i])
		}
	}
	got, _ = s.QueryItems(ctx, store.ItemRange{Table: tb.ID, PK: []byte("p"), Lo: []byte("a"), Hi: []byte("b"), Desc: true, Limit: 1})
	if len(got) != 1 || string(got[0].SK) != "ab" {
		t.Errorf("QueryItems([a,b) desc, 1) = %v; want ab", got)
	}
	got, _ = s.QueryItems(ctx, store.ItemRange{Table: tb.ID, Index: "g", PK: []byte("x"), Limit: 2})
	if len(got) != 2 || !bytes.Equal(got[0].SK, sks[len(sks)-1]) {
		t.Errorf("QueryItems(index) = %v; want the last written first", got)
	}
	all, _ := s.ScanItems(ctx, tb.ID, "", nil, nil, 100)
	if len(all) != len(sks)+1 {
		t.Errorf("ScanItems = %d items; want %d", len(all), len(sks)+1)
	}
	rest, _ := s.ScanItems(ctx, tb.ID, "", []byte("p"), []byte{0xff}, 100)
	if len(rest) != 2 {
		t.Errorf("ScanItems(after p/ff) = %d items; want 2", len(rest))
	}
	idx, _ := s.ScanItems(ctx, tb.ID, "g", []byte("x"), []byte{200 - 2}, 100)
	if len(idx) != 2 {
		t.Errorf("ScanItems(index, after) = %d items; want 2", len(idx))
	}
	exp, _ := s.ExpiredItems(ctx, 101, 10)
	if len(exp) != 2 {
		t.Errorf("ExpiredItems(101) = %v; want 2 keys", exp)
	}
	// A delete removes the item and its index entries.
	put(t, s, store.ItemWrite{Key: store.ItemKey{Table: tb.ID, PK: []byte("p"), SK: sks[0]}})
	if _, err := s.GetItem(ctx, store.ItemKey{Table: tb.ID, PK: []byte("p"), SK: sks[0]}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetItem(deleted) = %v; want ErrNotFound", err)
	}
	if got, _ := s.QueryItems(ctx, store.ItemRange{Table: tb.ID, Index: "g", PK: []byte("x"), Limit: 100}); len(got) != len(sks)-1 {
		t.Errorf("index after delete = %d items; want %d", len(got), len(sks)-1)
	}
	if err := s.DeleteTable(ctx, tb.Account, tb.Name); err != nil {
		t.Fatal(err)
	}
	if all, _ := s.ScanItems(ctx, tb.ID, "", nil, nil, 100); len(all) != 0 {
		t.Errorf("items after DeleteTable = %d; want 0", len(all))
	}
}

// testTableItemsAtomic checks that a decision made on what WriteItems read holds: concurrent
// increments of one item lose nothing, and a refusal writes nothing.
func testTableItemsAtomic(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	tb := &store.Table{Account: "111111111111", Name: "t", Doc: []byte(`{}`)}
	if err := s.CreateTable(ctx, tb); err != nil {
		t.Fatal(err)
	}
	k := store.ItemKey{Table: tb.ID, PK: []byte("counter"), SK: []byte{}}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				err := s.WriteItems(ctx, []store.ItemKey{k}, nil, func(old []*store.TableItem) ([]store.ItemWrite, error) {
					n := 0
					if old[0] != nil {
						fmt.Sscanf(string(old[0].Doc), "%d", &n)
					}
					return []store.ItemWrite{{Key: k, Doc: []byte(fmt.Sprint(n + 1))}}, nil
				})
				if err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if it, err := s.GetItem(ctx, k); err != nil || string(it.Doc) != "40" {
		t.Errorf("counter = %s, %v; want 40", it.Doc, err)
	}
	refused := errors.New("refused")
	k2 := store.ItemKey{Table: tb.ID, PK: []byte("other"), SK: []byte{}}
	err := s.WriteItems(ctx, []store.ItemKey{k, k2}, nil, func(old []*store.TableItem) ([]store.ItemWrite, error) {
		if old[0] == nil || old[1] != nil {
			t.Errorf("old = %v; want the counter and nothing", old)
		}
		return nil, refused
	})
	if !errors.Is(err, refused) {
		t.Errorf("WriteItems(refused) = %v; want the decision's error", err)
	}
}

func testTableTokens(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	tok := &store.TableToken{Account: "111111111111", Token: "tok", Hash: []byte("h"), Created: epoch}
	if err := s.WriteItems(ctx, nil, tok, func([]*store.TableItem) ([]store.ItemWrite, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteItems(ctx, nil, tok, func([]*store.TableItem) ([]store.ItemWrite, error) { return nil, nil }); !errors.Is(err, store.ErrExists) {
		t.Errorf("WriteItems(same token) = %v; want ErrExists", err)
	}
	got, err := s.TableToken(ctx, tok.Account, tok.Token)
	if err != nil || string(got.Hash) != "h" || !got.Created.Equal(epoch) {
		t.Errorf("TableToken = %+v, %v", got, err)
	}
	if err := s.DropTableTokens(ctx, epoch.Add(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TableToken(ctx, tok.Account, tok.Token); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TableToken(dropped) = %v; want ErrNotFound", err)
	}
}
