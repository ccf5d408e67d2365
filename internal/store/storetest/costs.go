package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gureum/gureum/internal/store"
)

// costTests are the store.Costs part of the suite.
var costTests = []suiteTest{
	{"AddAndList", testCostAddAndList},
	{"ConcurrentAdds", testCostConcurrentAdds},
}

func lambdaUsage(account, day, fn, version, arch string, n, mbms, eph int64) store.CostUsage {
	return store.CostUsage{Account: account, Region: "us-east-1", Day: day, Service: store.UsageLambda, Resource: fn,
		Version: version, Architecture: arch, Requests: n, MBMillis: mbms, EphemeralMBMillis: eph}
}

func testCostAddAndList(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	if err := s.AddCostUsage(ctx, nil); err != nil {
		t.Fatalf("AddCostUsage(nothing) = %v", err)
	}
	first := []store.CostUsage{
		lambdaUsage("111111111111", "2026-12-01", "f", "$LATEST", "x86_64", 2, 256000, 0),
		lambdaUsage("111111111111", "2026-12-01", "f", "1", "arm64", 1, 1024, 512),
		lambdaUsage("111111111111", "2026-12-02", "f", "$LATEST", "x86_64", 1, 128, 0),
		lambdaUsage("222222222222", "2026-12-01", "g", "$LATEST", "x86_64", 5, 5, 0),
		{Account: "111111111111", Region: "us-east-1", Day: "2026-12-01", Service: store.UsageEFS, Resource: "fs-1", ByteSeconds: 1 << 40},
		{Account: "111111111111", Region: "eu-west-1", Day: "2026-12-01", Service: store.UsageLambda, Resource: "f", Version: "$LATEST",
			Architecture: "x86_64", Requests: 9},
	}
	if err := s.AddCostUsage(ctx, first); err != nil {
		t.Fatalf("AddCostUsage: %v", err)
	}
	// A second write adds to the rows it names and makes the others.
	if err := s.AddCostUsage(ctx, []store.CostUsage{
		lambdaUsage("111111111111", "2026-12-01", "f", "$LATEST", "x86_64", 3, 1000, 7),
		{Account: "111111111111", Region: "us-east-1", Day: "2026-12-01", Service: store.UsageEFS, Resource: "fs-1", ByteSeconds: 5},
	}); err != nil {
		t.Fatalf("AddCostUsage(again): %v", err)
	}
	got, err := s.ListCostUsage(ctx, store.CostFilter{Account: "111111111111", Region: "us-east-1"})
	if err != nil {
		t.Fatalf("ListCostUsage: %v", err)
	}
	want := []store.CostUsage{
		{Account: "111111111111", Region: "us-east-1", Day: "2026-12-01", Service: store.UsageEFS, Resource: "fs-1", ByteSeconds: 1<<40 + 5},
		lambdaUsage("111111111111", "2026-12-01", "f", "$LATEST", "x86_64", 5, 257000, 7),
		lambdaUsage("111111111111", "2026-12-01", "f", "1", "arm64", 1, 1024, 512),
		lambdaUsage("111111111111", "2026-12-02", "f", "$LATEST", "x86_64", 1, 128, 0),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListCostUsage mismatch (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		f    store.CostFilter
		want int
	}{
		{store.CostFilter{}, 6},
		{store.CostFilter{Account: "222222222222"}, 1},
		{store.CostFilter{Region: "eu-west-1"}, 1},
		{store.CostFilter{From: "2026-12-02"}, 1},
		{store.CostFilter{To: "2026-12-01"}, 5},
		{store.CostFilter{From: "2026-12-01", To: "2026-12-01", Account: "111111111111"}, 4},
		{store.CostFilter{From: "2027-01-01"}, 0},
	} {
		rows, err := s.ListCostUsage(ctx, tc.f)
		if err != nil || len(rows) != tc.want {
			t.Errorf("ListCostUsage(%+v) = %d rows, %v; want %d", tc.f, len(rows), err, tc.want)
		}
	}
}

// testCostConcurrentAdds checks that concurrent flushes (nodes, or one node's retries) to the
// same rows add up exactly.
func testCostConcurrentAdds(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	const writers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				errs <- s.AddCostUsage(ctx, []store.CostUsage{
					lambdaUsage("111111111111", "2026-12-01", "f", "$LATEST", "x86_64", 1, 100, 1),
					lambdaUsage("111111111111", "2026-12-01", fmt.Sprintf("w%d", w), "$LATEST", "arm64", 1, 1, 0),
				})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("AddCostUsage: %v", err)
		}
	}
	rows, err := s.ListCostUsage(ctx, store.CostFilter{})
	if err != nil || len(rows) != writers+1 {
		t.Fatalf("ListCostUsage = %d rows, %v; want %d", len(rows), err, writers+1)
	}
	for _, r := range rows {
		if r.Resource == "f" && (r.Requests != writers*each || r.MBMillis != 100*writers*each || r.EphemeralMBMillis != writers*each) {
			t.Errorf("shared row = %+v; want %d requests", r, writers*each)
		}
		if r.Resource != "f" && r.Requests != each {
			t.Errorf("row %s = %d requests; want %d", r.Resource, r.Requests, each)
		}
	}
}
