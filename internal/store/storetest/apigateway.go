package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gureum/gureum/internal/store"
)

// apiGatewayTests are the store.APIGateway part of the suite.
var apiGatewayTests = []suiteTest{
	{"APIObjects", testAPIObjects},
	{"APIKeys", testAPIKeys},
	{"UsagePlanKeys", testUsagePlanKeys},
	{"QuotaExactUnderConcurrency", testQuotaConcurrent},
	{"QuotaGrantAndDailyUsage", testQuotaGrant},
}

func testAPIObjects(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	api := store.APIObject{Kind: store.KindRestAPI, Account: "111111111111", ID: "abc123defg", Doc: []byte(`{"name":"a"}`), Created: epoch}
	if err := s.CreateAPIObject(ctx, api); err != nil {
		t.Fatalf("CreateAPIObject: %v", err)
	}
	if err := s.CreateAPIObject(ctx, api); !errors.Is(err, store.ErrExists) {
		t.Fatalf("CreateAPIObject again = %v; want ErrExists", err)
	}
	stage := store.APIObject{Kind: store.KindStage, Account: api.Account, Parent: api.ID, ID: "prod", Doc: []byte(`{}`), Created: epoch}
	if err := s.CreateAPIObject(ctx, stage); err != nil {
		t.Fatalf("CreateAPIObject(stage): %v", err)
	}
	got, err := s.APIObject(ctx, store.KindRestAPI, "", "", api.ID)
	if err != nil || got.Version != 1 || string(got.Doc) != `{"name":"a"}` || got.Account != api.Account || !got.Created.Equal(epoch) {
		t.Fatalf("APIObject = %+v, %v", got, err)
	}
	api.Doc = []byte(`{"name":"b"}`)
	if err := s.UpdateAPIObject(ctx, api, 1); err != nil {
		t.Fatalf("UpdateAPIObject: %v", err)
	}
	if err := s.UpdateAPIObject(ctx, api, 1); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("UpdateAPIObject at an old version = %v; want ErrConflict", err)
	}
	if _, err := s.APIObject(ctx, store.KindRestAPI, "222222222222", "", api.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("APIObject of another account = %v; want ErrNotFound", err)
	}
	list, err := s.APIObjects(ctx, store.KindStage, api.Account, api.ID)
	if err != nil || len(list) != 1 || list[0].ID != "prod" {
		t.Fatalf("APIObjects = %+v, %v", list, err)
	}
	if err := s.DeleteAPIObject(ctx, store.KindRestAPI, api.Account, "", api.ID); err != nil {
		t.Fatalf("DeleteAPIObject: %v", err)
	}
	if _, err := s.APIObject(ctx, store.KindStage, api.Account, api.ID, "prod"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("stage after its API's delete = %v; want ErrNotFound", err)
	}
	if err := s.UpdateAPIObject(ctx, api, 2); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateAPIObject after delete = %v; want ErrNotFound", err)
	}
}

func testAPIKeys(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	k := store.APIKey{Account: "111111111111", ID: "k1", Value: "valuevaluevaluevalue1", Enabled: true, Doc: []byte(`{}`), Created: epoch}
	if err := s.CreateAPIKey(ctx, k); err != nil {
		t.Fatalf("CreateAPIKey: %v", err)
	}
	dup := k
	dup.ID = "k2"
	if err := s.CreateAPIKey(ctx, dup); !errors.Is(err, store.ErrExists) {
		t.Fatalf("CreateAPIKey with a taken value = %v; want ErrExists", err)
	}
	dup.Account = "222222222222"
	if err := s.CreateAPIKey(ctx, dup); err != nil {
		t.Fatalf("CreateAPIKey with the value in another account: %v", err)
	}
	k.Enabled = false
	if err := s.UpdateAPIKey(ctx, k); err != nil {
		t.Fatalf("UpdateAPIKey: %v", err)
	}
	got, err := s.APIKeyByValue(ctx, k.Account, k.Value)
	if err != nil || got.ID != "k1" || got.Enabled {
		t.Fatalf("APIKeyByValue = %+v, %v", got, err)
	}
	if err := s.AddUsagePlanKey(ctx, k.Account, "p1", "k1"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAPIKey(ctx, k.Account, "k1"); err != nil {
		t.Fatalf("DeleteAPIKey: %v", err)
	}
	if keys, err := s.UsagePlanKeys(ctx, k.Account, "p1"); err != nil || len(keys) != 0 {
		t.Fatalf("UsagePlanKeys after the key's delete = %v, %v", keys, err)
	}
	if _, err := s.APIKey(ctx, k.Account, "k1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("APIKey after delete = %v", err)
	}
	if err := s.DeleteAPIKey(ctx, k.Account, "k1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("DeleteAPIKey again = %v", err)
	}
}

func testUsagePlanKeys(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	const acct = "111111111111"
	for _, pk := range [][2]string{{"p1", "k1"}, {"p1", "k2"}, {"p2", "k1"}} {
		if err := s.AddUsagePlanKey(ctx, acct, pk[0], pk[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddUsagePlanKey(ctx, acct, "p1", "k1"); !errors.Is(err, store.ErrExists) {
		t.Fatalf("AddUsagePlanKey again = %v; want ErrExists", err)
	}
	keys, _ := s.UsagePlanKeys(ctx, acct, "p1")
	plans, _ := s.KeyUsagePlans(ctx, acct, "k1")
	if !cmp.Equal(keys, []string{"k1", "k2"}) || !cmp.Equal(plans, []string{"p1", "p2"}) {
		t.Fatalf("UsagePlanKeys = %v, KeyUsagePlans = %v", keys, plans)
	}
	if err := s.RemoveUsagePlanKey(ctx, acct, "p1", "k2"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveUsagePlanKey(ctx, acct, "p1", "k2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("RemoveUsagePlanKey again = %v", err)
	}
}

// testQuotaConcurrent has 16 clients on two nodes (where the backend has several) race for a
// quota of 100: exactly 100 are counted.
func testQuotaConcurrent(t *testing.T, open Opener) {
	a, b := nodes(t, open)
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	counted := 0
	for i := 0; i < 16; i++ {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				_, ok, err := s.ConsumeQuota(ctx, "p1", "k1", "2026-12-01", "2026-12-07", 100)
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					mu.Lock()
					counted++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	used, _, err := a.QuotaUsed(ctx, "p1", "k1", "2026-12-01")
	if counted != 100 || used != 100 || err != nil {
		t.Fatalf("counted %d, QuotaUsed = %d, %v; want 100", counted, used, err)
	}
}

func testQuotaGrant(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	consume := func(day string) bool {
		_, ok, err := s.ConsumeQuota(ctx, "p1", "k1", "2026-12-01", day, 2)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !consume("2026-12-01") || !consume("2026-12-02") || consume("2026-12-02") {
		t.Fatal("a quota of 2 did not admit exactly 2")
	}
	if err := s.GrantQuota(ctx, "p1", "k1", "2026-12-01", 1); err != nil {
		t.Fatal(err)
	}
	if !consume("2026-12-03") || consume("2026-12-03") {
		t.Fatal("a grant of 1 did not admit exactly 1 more")
	}
	used, granted, _ := s.QuotaUsed(ctx, "p1", "k1", "2026-12-01")
	if used != 3 || granted != 1 {
		t.Fatalf("QuotaUsed = %d, %d; want 3, 1", used, granted)
	}
	if err := s.AddUsage(ctx, "p1", "k1", "2026-12-03", 5); err != nil {
		t.Fatal(err)
	}
	days, err := s.DailyUsage(ctx, "p1", "2026-12-02", "2026-12-31")
	want := []store.DailyUsage{{KeyID: "k1", Day: "2026-12-02", Used: 1}, {KeyID: "k1", Day: "2026-12-03", Used: 6}}
	if err != nil || !cmp.Equal(days, want) {
		t.Fatalf("DailyUsage = %v, %v; want %v", days, err, want)
	}
	if err := s.DeleteAPIObject(ctx, store.KindUsagePlan, "111111111111", "", "p1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("DeleteAPIObject of a missing plan = %v", err)
	}
}
