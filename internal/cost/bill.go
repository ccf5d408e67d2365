package cost

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// Options say how to price the ledger.
type Options struct {
	// From and To are the days shown, both included (YYYY-MM-DD). The rows given may start
	// earlier in From's month: they use up the month's free tier and tiers but are not shown.
	From, To string
	// PriceRegion prices every row at one region's prices; "" prices each at its own region's.
	PriceRegion string
	NoFreeTier  bool // price as if the free tier were spent
	// Consolidated pools the free tier and the tiers of every account, as AWS Organizations'
	// consolidated billing does; otherwise each account has its own.
	Consolidated bool
	Server       Server // the always-on server to compare with
}

// Line is one ledger row, priced.
type Line struct {
	store.CostUsage
	PricedAt           string  // the region whose prices apply; "" when the table has none
	GBSeconds          float64 // memory × billed duration
	EphemeralGBSeconds float64 // ephemeral storage above 512 MB × billed duration
	GBMonths           float64 // EFS: GB-hours over the hours of the day's month
	FreeRequests       int64   // requests the free tier paid for
	FreeGBSeconds      float64 // GB-seconds the free tier paid for
	RequestCost        float64
	DurationCost       float64
	EphemeralCost      float64
	StorageCost        float64
	Cost               float64 // the line's total, in dollars
}

// Totals add up the lines shown.
type Totals struct {
	Requests, FreeRequests                                 int64
	GBSeconds, FreeGBSeconds, EphemeralGBSeconds, GBMonths float64
	RequestCost, DurationCost, EphemeralCost, StorageCost  float64
	LambdaCost, Cost                                       float64
}

// Comparison is what an always-on server costs for the period shown and for a month.
type Comparison struct {
	Server  Server
	Hours   float64 // the period's hours
	Cost    float64 // Hours × the hourly price
	Monthly float64 // HoursPerMonth × the hourly price
}

// Bill is the priced ledger of a period.
type Bill struct {
	From, To string
	Options  Options // how it was priced
	Lines    []Line
	Totals   Totals
	Unpriced []string // regions of rows the price table does not hold (priced at $0)
	Server   Comparison
}

// Compute prices the ledger's rows. Within each account (or, Consolidated, the organization) and
// calendar month the free tier (1M requests, 400,000 GB-seconds, shared by both architectures and
// every region) pays for usage in the order it happened: day by day, and within a day x86_64
// before arm64 (the dearer seconds first), then by account, region, function and version. Duration beyond it is priced at the
// monthly tiers, which count the month's billable GB-seconds per account, region and
// architecture, as AWS's pricing calculator does after it takes off the free tier.
func Compute(rows []store.CostUsage, opt Options) (*Bill, error) {
	from, err := time.Parse(DayLayout, opt.From)
	if err != nil {
		return nil, fmt.Errorf("from %q: want a day YYYY-MM-DD", opt.From)
	}
	to, err := time.Parse(DayLayout, opt.To)
	if err != nil || to.Before(from) {
		return nil, fmt.Errorf("to %q: want a day YYYY-MM-DD, not before %s", opt.To, opt.From)
	}
	sorted := append([]store.CostUsage(nil), rows...)
	sort.SliceStable(sorted, func(i, j int) bool { return billOrder(sorted[i], sorted[j]) })
	b := &Bill{From: opt.From, To: opt.To, Options: opt}
	p := pricer{opt: opt, free: map[[2]string]*allowance{}, used: map[[4]string]float64{}, unpriced: map[string]bool{}}
	for _, u := range sorted {
		l := p.price(u)
		if u.Day < opt.From || u.Day > opt.To {
			continue
		}
		b.Lines = append(b.Lines, l)
		b.Totals.add(l)
	}
	sort.SliceStable(b.Lines, func(i, j int) bool { return showOrder(b.Lines[i].CostUsage, b.Lines[j].CostUsage) })
	for r := range p.unpriced {
		b.Unpriced = append(b.Unpriced, r)
	}
	sort.Strings(b.Unpriced)
	hours := to.Sub(from).Hours() + 24
	b.Server = Comparison{Server: opt.Server, Hours: hours, Cost: hours * opt.Server.Hourly, Monthly: HoursPerMonth * opt.Server.Hourly}
	return b, nil
}

// billOrder is the order the free tier pays in.
func billOrder(a, b store.CostUsage) bool {
	if a.Day != b.Day {
		return a.Day < b.Day
	}
	if ra, rb := archRank(a.Architecture), archRank(b.Architecture); ra != rb {
		return ra < rb
	}
	return showOrder(a, b)
}

// showOrder is the order lines are shown in.
func showOrder(a, b store.CostUsage) bool {
	ka := [7]string{a.Account, a.Day, a.Service, a.Region, a.Resource, a.Version, a.Architecture}
	kb := [7]string{b.Account, b.Day, b.Service, b.Region, b.Resource, b.Version, b.Architecture}
	for i := range ka {
		if ka[i] != kb[i] {
			return ka[i] < kb[i]
		}
	}
	return false
}

func archRank(a string) int {
	if a == ARM64 {
		return 1
	}
	return 0
}

type allowance struct {
	requests  int64
	gbSeconds float64
}

// pricer prices rows in billOrder, keeping each account's free tier left in each month (by
// account and month) and its billable GB-seconds so far (by account, month, region and
// architecture) for the tiers.
type pricer struct {
	opt      Options
	free     map[[2]string]*allowance
	used     map[[4]string]float64
	unpriced map[string]bool
}

func (p *pricer) price(u store.CostUsage) Line {
	l := Line{CostUsage: u}
	region := u.Region
	if p.opt.PriceRegion != "" {
		region = p.opt.PriceRegion
	}
	prices, ok := PricesFor(region)
	if !ok {
		p.unpriced[region] = true
		return l
	}
	l.PricedAt = region
	month := u.Day[:min(7, len(u.Day))]
	switch u.Service {
	case store.UsageEFS:
		l.GBMonths = float64(u.ByteSeconds) / (1 << 30) / (float64(daysIn(u.Day)) * 86400)
		l.StorageCost = l.GBMonths * prices.EFSStandard
	case store.UsageLambda:
		lp, ok := prices.Lambda[u.Architecture]
		if !ok {
			lp = prices.Lambda[X86]
		}
		l.GBSeconds = float64(u.MBMillis) / 1024 / 1000
		l.EphemeralGBSeconds = float64(u.EphemeralMBMillis) / 1024 / 1000
		payer := u.Account
		if p.opt.Consolidated {
			payer = ""
		}
		a := p.allowance(payer, month)
		l.FreeRequests = min(u.Requests, a.requests)
		l.FreeGBSeconds = math.Min(l.GBSeconds, a.gbSeconds)
		a.requests -= l.FreeRequests
		a.gbSeconds -= l.FreeGBSeconds
		billable := l.GBSeconds - l.FreeGBSeconds
		k := [4]string{payer, month, region, u.Architecture}
		l.DurationCost = tiered(lp.Duration, p.used[k], billable)
		p.used[k] += billable
		l.RequestCost = float64(u.Requests-l.FreeRequests) * lp.Request
		l.EphemeralCost = l.EphemeralGBSeconds * lp.Ephemeral
	}
	l.Cost = l.RequestCost + l.DurationCost + l.EphemeralCost + l.StorageCost
	return l
}

func (p *pricer) allowance(account, month string) *allowance {
	k := [2]string{account, month}
	a := p.free[k]
	if a == nil {
		a = &allowance{requests: FreeRequests, gbSeconds: FreeGBSeconds}
		if p.opt.NoFreeTier {
			a = &allowance{}
		}
		p.free[k] = a
	}
	return a
}

// tiered prices amount GB-seconds that follow before GB-seconds of the month.
func tiered(tiers []Tier, before, amount float64) float64 {
	cost, lo := 0.0, 0.0
	for _, t := range tiers {
		hi := t.UpTo
		if hi == 0 {
			hi = math.Inf(1)
		}
		if a, b := math.Max(before, lo), math.Min(before+amount, hi); b > a {
			cost += (b - a) * t.Price
		}
		lo = hi
	}
	return cost
}

// daysIn is how many days the month of day has (31 for a day that does not parse).
func daysIn(day string) int {
	t, err := time.Parse(DayLayout, day)
	if err != nil {
		return 31
	}
	return time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func (t *Totals) add(l Line) {
	t.Requests += l.Requests
	t.FreeRequests += l.FreeRequests
	t.GBSeconds += l.GBSeconds
	t.FreeGBSeconds += l.FreeGBSeconds
	t.EphemeralGBSeconds += l.EphemeralGBSeconds
	t.GBMonths += l.GBMonths
	t.RequestCost += l.RequestCost
	t.DurationCost += l.DurationCost
	t.EphemeralCost += l.EphemeralCost
	t.StorageCost += l.StorageCost
	t.LambdaCost = t.RequestCost + t.DurationCost + t.EphemeralCost
	t.Cost = t.LambdaCost + t.StorageCost
}
