// Package storetest is the conformance suite every store backend passes: the same test bodies run
// against SQLite and PostgreSQL.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gureum/gureum/internal/store"
)

// Opener opens the backend under test on the same data each time it is called, so the suite can
// close a store and reopen it.
type Opener func() (store.Store, error)

// suiteTest is one test of the suite, run on fresh data.
type suiteTest struct {
	name string
	fn   func(t *testing.T, open Opener)
}

// suite is the conformance tests of one domain interface.
type suite struct {
	name  string
	tests []suiteTest
}

// suites lists every domain's suite; a new domain store adds its own.
func suites() []suite {
	return []suite{
		{"Store", storeTests},
		{"Accounts", accountTests},
		{"Queues", queueTests},
		{"MoveTasks", moveTaskTests},
		{"Leases", leaseTests},
		{"Outbox", outboxTests},
		{"Identity", identityTests},
		{"Functions", functionTests},
		{"Objects", objectTests},
		{"Logs", logTests},
		{"Secrets", secretTests},
		{"Topics", topicTests},
		{"EventBuses", eventTests},
		{"Schedules", scheduleTests},
		{"EventArchives", archiveTests},
		{"APIGateway", apiGatewayTests},
		{"FileSystems", fileSystemTests},
		{"Tables", tableTests},
		{"TableVersions", tableVersionTests},
		{"Stacks", stackTests},
		{"Costs", costTests},
		{"Metrics", metricTests},
	}
}

var storeTests = []suiteTest{
	{"ConcurrentWrites", testConcurrentWrites},
	{"FailedWriteIsolated", testFailedWriteIsolated},
	{"SurvivesReopen", testSurvivesReopen},
}

var accountTests = []suiteTest{
	{"Accounts", testAccounts},
	{"AccessKeys", testAccessKeys},
}

// Run runs every domain's suite, each test on fresh data and in parallel with the others (they
// share nothing), so the suite's time does not grow with the number of domains. newBackend
// prepares fresh, empty data for one test and returns how to open it.
func Run(t *testing.T, newBackend func(t *testing.T) Opener) {
	for _, s := range suites() {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			for _, tt := range s.tests {
				t.Run(tt.name, func(t *testing.T) {
					t.Parallel()
					tt.fn(t, newBackend(t))
				})
			}
		})
	}
}

func mustOpen(t *testing.T, open Opener) store.Store {
	t.Helper()
	s, err := open()
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var epoch = time.Date(2026, 11, 22, 1, 2, 3, 456789000, time.UTC)

func testAccounts(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	a := store.Account{ID: "123456789012", Name: "main", Created: epoch}
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	got, err := s.Account(ctx, a.ID)
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	if diff := cmp.Diff(a, got); diff != "" {
		t.Errorf("Account mismatch (-want +got):\n%s", diff)
	}
	if err := s.CreateAccount(ctx, a); !errors.Is(err, store.ErrExists) {
		t.Errorf("CreateAccount(duplicate) = %v; want ErrExists", err)
	}
	if _, err := s.Account(ctx, "999999999999"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Account(missing) = %v; want ErrNotFound", err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func seedAccount(t *testing.T, s store.Store, id string) {
	t.Helper()
	if err := s.CreateAccount(context.Background(), store.Account{ID: id, Name: id, Created: epoch}); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
}

func testAccessKeys(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	seedAccount(t, s, "111111111111")
	long := store.AccessKey{ID: "AKIA000000000000000A", Secret: "s1", Account: "111111111111",
		PrincipalARN: "arn:aws:iam::111111111111:root", UserID: "111111111111", Created: epoch}
	temp := store.AccessKey{ID: "ASIA000000000000000B", Secret: "s2", SessionToken: "tok", Account: "111111111111",
		PrincipalARN: "arn:aws:sts::111111111111:assumed-role/r/s", UserID: "AROA:s", Expires: epoch.Add(time.Hour), Created: epoch}
	for _, k := range []store.AccessKey{temp, long} {
		if err := s.PutAccessKey(ctx, k); err != nil {
			t.Fatalf("PutAccessKey(%s): %v", k.ID, err)
		}
	}
	got, err := s.AccessKey(ctx, temp.ID)
	if err != nil || !cmp.Equal(got, temp) {
		t.Errorf("AccessKey(%s) = %+v, %v; want %+v", temp.ID, got, err, temp)
	}
	if err := s.PutAccessKey(ctx, long); !errors.Is(err, store.ErrExists) {
		t.Errorf("PutAccessKey(duplicate) = %v; want ErrExists", err)
	}
	orphan := long
	orphan.ID, orphan.Account = "AKIA000000000000000C", "000000000404"
	if err := s.PutAccessKey(ctx, orphan); err == nil {
		t.Errorf("PutAccessKey(unknown account) succeeded")
	}
	list, err := s.ListAccessKeys(ctx, "111111111111")
	if err != nil || len(list) != 2 || list[0].ID != long.ID || list[1].ID != temp.ID {
		t.Errorf("ListAccessKeys = %v, %v; want [%s %s]", list, err, long.ID, temp.ID)
	}
	if err := s.DeleteAccessKey(ctx, long.ID); err != nil {
		t.Errorf("DeleteAccessKey: %v", err)
	}
	if _, err := s.AccessKey(ctx, long.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("AccessKey(deleted) = %v; want ErrNotFound", err)
	}
	if err := s.DeleteAccessKey(ctx, long.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteAccessKey(again) = %v; want ErrNotFound", err)
	}
}

// testConcurrentWrites checks that every acknowledged write of many concurrent writers is there.
func testConcurrentWrites(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	seedAccount(t, s, "222222222222")
	const writers, each = 16, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				errs <- s.PutAccessKey(ctx, store.AccessKey{ID: fmt.Sprintf("AKIAW%02dI%03d", w, i), Secret: "x",
					Account: "222222222222", PrincipalARN: "arn", UserID: "u", Created: epoch})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("PutAccessKey: %v", err)
		}
	}
	list, err := s.ListAccessKeys(ctx, "222222222222")
	if err != nil || len(list) != writers*each {
		t.Fatalf("ListAccessKeys = %d keys, %v; want %d", len(list), err, writers*each)
	}
}

// testFailedWriteIsolated checks that a failing write does not take concurrent writes with it
// (a group commit must roll back only the failed write).
func testFailedWriteIsolated(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	seedAccount(t, s, "333333333333")
	key := func(id string) store.AccessKey {
		return store.AccessKey{ID: id, Secret: "x", Account: "333333333333", PrincipalARN: "arn", UserID: "u", Created: epoch}
	}
	if err := s.PutAccessKey(ctx, key("AKIADUP")); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	results := make([]error, 40)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("AKIAOK%02d", i)
			if i%2 == 0 {
				id = "AKIADUP"
			}
			results[i] = s.PutAccessKey(ctx, key(id))
		}()
	}
	wg.Wait()
	for i, err := range results {
		if i%2 == 0 && !errors.Is(err, store.ErrExists) {
			t.Errorf("duplicate write %d = %v; want ErrExists", i, err)
		}
		if i%2 == 1 && err != nil {
			t.Errorf("good write %d = %v; want success", i, err)
		}
	}
	list, _ := s.ListAccessKeys(ctx, "333333333333")
	if len(list) != 21 {
		t.Errorf("ListAccessKeys = %d keys; want 21", len(list))
	}
}

func testSurvivesReopen(t *testing.T, open Opener) {
	s, err := open()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	seedAccount(t, s, "444444444444")
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s = mustOpen(t, open)
	if _, err := s.Account(ctx, "444444444444"); err != nil {
		t.Errorf("Account after reopen: %v", err)
	}
}
