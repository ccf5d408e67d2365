package cost

import (
	"math"
	"testing"

	"github.com/gureum/gureum/internal/store"
)

// The figures below are worked by hand from the published prices (prices.go): GB-seconds are
// MB/1024 × seconds, requests cost $0.20 per million, x86 seconds $0.0000166667 and Arm seconds
// $0.0000133334 per GB-second, ephemeral storage $0.0000000309 per GB-second above 512 MB.

const acct = "111111111111"

func fn(day, name, arch string, requests, mbms, ephemeral int64) store.CostUsage {
	return store.CostUsage{Account: acct, Region: "us-east-1", Day: day, Service: store.UsageLambda, Resource: name,
		Version: "$LATEST", Architecture: arch, Requests: requests, MBMillis: mbms, EphemeralMBMillis: ephemeral}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestFreeTierCoversSmallUse(t *testing.T) {
	// 1,000 invocations of a 128 MB function for 100 ms: 0.125 GB × 0.1 s × 1000 = 12.5 GB-s.
	b, err := Compute([]store.CostUsage{fn("2026-12-01", "small", X86, 1000, 128*100*1000, 0)},
		Options{From: "2026-12-01", To: "2026-12-01", Server: Server{Name: "t3.medium", Hourly: 0.0416}})
	if err != nil {
		t.Fatal(err)
	}
	l := b.Lines[0]
	if l.GBSeconds != 12.5 || l.FreeGBSeconds != 12.5 || l.FreeRequests != 1000 || l.Cost != 0 {
		t.Errorf("line = %+v; want 12.5 GB-s, all free, $0", l)
	}
	if !near(b.Server.Cost, 24*0.0416) || !near(b.Server.Monthly, 730*0.0416) {
		t.Errorf("server = %+v; want $0.9984 for the day, $30.368 a month", b.Server)
	}
}

// december crosses the free tier on its second day, with both architectures.
var december = []store.CostUsage{
	// Day 1: x86, 1024 MB, 600,000 requests, 300,000 s: 300,000 GB-s, all free.
	fn("2026-12-01", "a", X86, 600_000, 1024*300_000_000, 0),
	// Day 2: x86 first: 100,000 requests and 50,000 GB-s (1024 MB × 50,000 s), free; left: 300,000
	// requests and 50,000 GB-s. Then Arm: 500,000 requests (200,000 billable: $0.04) and 200,000
	// GB-s (2048 MB × 100,000 s; 150,000 billable × $0.0000133334 = $2.00001): $2.04001.
	fn("2026-12-02", "b", ARM64, 500_000, 2048*100_000_000, 0),
	fn("2026-12-02", "a", X86, 100_000, 1024*50_000_000, 0),
	// Day 3: x86, 10,000 requests ($0.002), 1,000 GB-s ($0.0166667), ephemeral 10,240 MB so
	// 9,728 MB above 512 for 1,000 s: 9,500 GB-s × $0.0000000309 = $0.00029355.
	fn("2026-12-03", "a", X86, 10_000, 1024*1_000_000, 9728*1_000_000),
	// January: a new month, a new free tier.
	fn("2027-01-01", "a", X86, 10, 1024*100_000, 0),
}

func TestFreeTierCrossedWithinAMonth(t *testing.T) {
	b, err := Compute(december, Options{From: "2026-12-01", To: "2027-01-31"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"2026-12-01/a": 0, "2026-12-02/a": 0, "2026-12-02/b": 2.04001, "2026-12-03/a": 0.002 + 0.0166667 + 0.00029355, "2027-01-01/a": 0}
	for _, l := range b.Lines {
		k := l.Day + "/" + l.Resource
		if !near(l.Cost, want[k]) {
			t.Errorf("%s costs %v; want %v (%+v)", k, l.Cost, want[k], l)
		}
	}
	if l := b.Lines[2]; l.Resource != "b" || l.FreeRequests != 300_000 || l.FreeGBSeconds != 50_000 || !near(l.RequestCost, 0.04) || !near(l.DurationCost, 2.00001) {
		t.Errorf("the crossing line = %+v; want 300,000 free requests, 50,000 free GB-s, $0.04 + $2.00001", l)
	}
	if b.Totals.FreeGBSeconds != 400_000+100 || b.Totals.FreeRequests != 1_000_000+10 || !near(b.Totals.Cost, 2.05897025) {
		t.Errorf("totals = %+v; want 400,100 free GB-s, 1,000,010 free requests, $2.05897025", b.Totals)
	}
}

func TestWindowKeepsTheMonthsFreeTier(t *testing.T) {
	// Shown from the 2nd, the 1st still spent most of the free tier.
	b, err := Compute(december, Options{From: "2026-12-02", To: "2026-12-03"})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Lines) != 3 || b.Totals.Requests != 610_000 || !near(b.Totals.Cost, 2.05897025) {
		t.Errorf("window = %d lines, totals %+v; want 3 lines, 610,000 requests, $2.05897025", len(b.Lines), b.Totals)
	}
	if b.Server.Hours != 48 {
		t.Errorf("hours = %v; want 48", b.Server.Hours)
	}
}

func TestArm64WithoutFreeTier(t *testing.T) {
	// 1,000,000 requests of a 512 MB Arm function for 200 ms: 100,000 GB-s × $0.0000133334 =
	// $1.33334, plus $0.20.
	b, err := Compute([]store.CostUsage{fn("2026-12-05", "arm", ARM64, 1_000_000, 512*200*1_000_000, 0)},
		Options{From: "2026-12-01", To: "2026-12-31", NoFreeTier: true})
	if err != nil {
		t.Fatal(err)
	}
	if !near(b.Totals.Cost, 1.53334) || b.Totals.GBSeconds != 100_000 {
		t.Errorf("totals = %+v; want 100,000 GB-s, $1.53334", b.Totals)
	}
	// The same at x86 prices: 100,000 × $0.0000166667 = $1.66667, plus $0.20.
	x := fn("2026-12-05", "x", X86, 1_000_000, 512*200*1_000_000, 0)
	if b, _ = Compute([]store.CostUsage{x}, Options{From: "2026-12-01", To: "2026-12-31", NoFreeTier: true}); !near(b.Totals.Cost, 1.86667) {
		t.Errorf("x86 totals = %+v; want $1.86667", b.Totals)
	}
}

func TestTiers(t *testing.T) {
	for _, tc := range []struct {
		tiers          []Tier
		before, amount float64
		want           float64
	}{
		{x86Tiers, 0, 1e6, 16.6667},
		// 5.9 billion already billed: 0.1 billion at the first tier, 0.1 billion at the second.
		{x86Tiers, 5.9e9, 0.2e9, 0.1e9*0.0000166667 + 0.1e9*0.000015},
		{x86Tiers, 20e9, 1e9, 1e9 * 0.0000133334},
		// Arm: the first 7.5 billion, then 1 billion of the second tier.
		{armTiers, 0, 8.5e9, 7.5e9*0.0000133334 + 1e9*0.0000120001},
		{armTiers, 18e9, 1e9, 0.75e9*0.0000120001 + 0.25e9*0.0000106667},
		{x86Tiers, 5, 0, 0},
	} {
		if got := tiered(tc.tiers, tc.before, tc.amount); !near(got, tc.want) {
			t.Errorf("tiered(%v, %v) = %v; want %v", tc.before, tc.amount, got, tc.want)
		}
	}
}

func TestEFSStorage(t *testing.T) {
	// AWS's own example (aws.amazon.com/efs/pricing): 100 GB for 15 days of March and 250 GB for
	// its last 16: 132,000 GB-hours / 744 hours = 177.419… GB-months × $0.30 = $53.2258….
	var rows []store.CostUsage
	for d := 1; d <= 31; d++ {
		gb := int64(100)
		if d > 15 {
			gb = 250
		}
		rows = append(rows, store.CostUsage{Account: acct, Region: "us-east-1", Day: "2027-03-" + two(d), Service: store.UsageEFS,
			Resource: "fs-1", ByteSeconds: gb << 30 * 86400})
	}
	b, err := Compute(rows, Options{From: "2027-03-01", To: "2027-03-31"})
	if err != nil {
		t.Fatal(err)
	}
	if !near(b.Totals.GBMonths, 132000.0/744) || !near(b.Totals.StorageCost, 132000.0/744*0.30) {
		t.Errorf("totals = %+v; want %v GB-months, $%v", b.Totals, 132000.0/744, 132000.0/744*0.30)
	}
	// Ireland's price.
	if b, _ = Compute(rows[:1], Options{From: "2027-03-01", To: "2027-03-01", PriceRegion: "eu-west-1"}); !near(b.Totals.Cost, 100.0/31*0.33) {
		t.Errorf("eu-west-1 = %v; want %v", b.Totals.Cost, 100.0/31*0.33)
	}
}

func TestUnknownRegion(t *testing.T) {
	u := fn("2026-12-01", "f", X86, 5_000_000, 0, 0)
	u.Region = "xx-nowhere-1"
	b, err := Compute([]store.CostUsage{u}, Options{From: "2026-12-01", To: "2026-12-01"})
	if err != nil || len(b.Unpriced) != 1 || b.Totals.Cost != 0 || b.Lines[0].PricedAt != "" {
		t.Errorf("Compute = %+v, %v; want the region unpriced", b, err)
	}
	if _, err := Compute(nil, Options{From: "2026-12-02", To: "2026-12-01"}); err == nil {
		t.Error("Compute(to before from) succeeded")
	}
}

func two(d int) string { return string(rune('0'+d/10)) + string(rune('0'+d%10)) }

func TestConsolidatedBilling(t *testing.T) {
	// Two accounts, 300,000 GB-s each: each within its own free tier, but an organization has
	// one, so the second day's account pays for 200,000 GB-s × $0.0000166667 = $3.33334.
	a := fn("2026-12-01", "f", X86, 1, 1024*300_000_000, 0)
	b := a
	b.Account, b.Day = "222222222222", "2026-12-02"
	opt := Options{From: "2026-12-01", To: "2026-12-31"}
	if bill, _ := Compute([]store.CostUsage{b, a}, opt); bill.Totals.Cost != 0 {
		t.Errorf("each account's own free tier: $%v; want $0", bill.Totals.Cost)
	}
	opt.Consolidated = true
	bill, _ := Compute([]store.CostUsage{b, a}, opt)
	if !near(bill.Totals.Cost, 3.33334) || bill.Lines[0].Cost != 0 || bill.Lines[1].Account != "222222222222" || !near(bill.Lines[1].Cost, 3.33334) {
		t.Errorf("consolidated: %+v; want the second account to pay $3.33334", bill.Lines)
	}
}
