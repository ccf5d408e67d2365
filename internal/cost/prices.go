package cost

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Architectures as Lambda names them.
const (
	X86   = "x86_64"
	ARM64 = "arm64"
)

// The free tier, per account and calendar month, shared by both architectures and every region
// (aws.amazon.com/lambda/pricing, read 2026-12-07). EFS's free tier (5 GB for a new account's
// first 12 months) is not applied: it is not the steady state.
const (
	FreeRequests  = 1_000_000
	FreeGBSeconds = 400_000
)

// HoursPerMonth is the month the AWS pricing calculator prices an always-on server for.
const HoursPerMonth = 730

// Tier is a band of a month's billable duration: its price per GB-second applies up to UpTo
// GB-seconds of the month (0: no bound).
type Tier struct {
	UpTo  float64
	Price float64
}

// LambdaPrices are one architecture's Lambda prices in one region, in dollars.
type LambdaPrices struct {
	Request   float64 // per request
	Duration  []Tier  // per GB-second, by the month's billable GB-seconds so far
	Ephemeral float64 // per GB-second of ephemeral storage above 512 MB
}

// Prices are one region's prices.
type Prices struct {
	Region      string
	Lambda      map[string]LambdaPrices // by architecture
	EFSStandard float64                 // per GB-month of EFS Standard storage
}

// Sources, read 2026-12-07: aws.amazon.com/lambda/pricing (requests $0.20 per million;
// duration by monthly tier: x86 the first 6 billion GB-s at $0.0000166667, the next 9 billion at
// $0.000015, the rest at $0.0000133334; Arm the first 7.5 billion at $0.0000133334, the next 11.25
// billion at $0.0000120001, the rest at $0.0000106667; ephemeral storage $0.0000000309 per GB-s;
// tiers count per account, region and architecture) and aws.amazon.com/efs/pricing (Standard
// $0.30 per GB-month in US East (N. Virginia); GB-months are GB-hours over the month's hours).
// US East (Ohio) and US West (Oregon) charge N. Virginia's prices. Europe (Ireland)'s Lambda
// prices are N. Virginia's and its EFS Standard is $0.33 [unverified: recalled, not re-read].
var (
	x86Tiers = []Tier{{6e9, 0.0000166667}, {15e9, 0.000015}, {0, 0.0000133334}}
	armTiers = []Tier{{7.5e9, 0.0000133334}, {18.75e9, 0.0000120001}, {0, 0.0000106667}}
	usLambda = map[string]LambdaPrices{
		X86:   {Request: 0.20 / 1e6, Duration: x86Tiers, Ephemeral: 0.0000000309},
		ARM64: {Request: 0.20 / 1e6, Duration: armTiers, Ephemeral: 0.0000000309},
	}
	regions = map[string]Prices{
		"us-east-1": {Region: "us-east-1", Lambda: usLambda, EFSStandard: 0.30},
		"us-east-2": {Region: "us-east-2", Lambda: usLambda, EFSStandard: 0.30},
		"us-west-2": {Region: "us-west-2", Lambda: usLambda, EFSStandard: 0.30},
		"eu-west-1": {Region: "eu-west-1", Lambda: usLambda, EFSStandard: 0.33},
	}
)

// PricesFor returns a region's prices; ok is false for a region the table does not hold.
func PricesFor(region string) (Prices, bool) {
	p, ok := regions[region]
	return p, ok
}

// Regions lists the regions with prices.
func Regions() []string {
	out := make([]string, 0, len(regions))
	for r := range regions {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// Server is an always-on server to compare with: a name and its price per hour.
type Server struct {
	Name   string
	Hourly float64
}

// serverPresets are EC2 On-Demand Linux prices per hour in US East (N. Virginia)
// (aws.amazon.com/ec2/pricing/on-demand; m7g.large and t3.large re-read 2026-12-07, the others
// recalled [unverified]).
var serverPresets = map[string]float64{
	"t4g.small":  0.0168,
	"t4g.medium": 0.0336,
	"t3.small":   0.0208,
	"t3.medium":  0.0416,
	"t3.large":   0.0832,
	"m7g.large":  0.0816,
	"m6i.large":  0.096,
	"m5.large":   0.096,
	"c7g.large":  0.0725,
	"c6i.large":  0.085,
}

// DefaultServer is the server `gureum cost` compares with unless told otherwise.
const DefaultServer = "t3.medium"

// Presets lists the preset servers' names.
func Presets() []string {
	out := make([]string, 0, len(serverPresets))
	for n := range serverPresets {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// maxHourly bounds a price given by hand: above it is a typo, not a server.
const maxHourly = 1e6

// ParseServer reads --server: a preset's name (t3.medium), or a price in dollars per hour
// ("0.05", "$0.05", "0.05/h", "$0.05/hour") or per month of 730 hours ("$36.50/month", "/mo").
func ParseServer(s string) (Server, error) {
	v := strings.TrimSpace(s)
	if h, ok := serverPresets[strings.ToLower(v)]; ok {
		return Server{Name: strings.ToLower(v), Hourly: h}, nil
	}
	num, unit, _ := strings.Cut(strings.TrimPrefix(v, "$"), "/")
	per := 1.0
	switch strings.ToLower(strings.TrimSpace(unit)) {
	case "", "h", "hr", "hour":
	case "mo", "month":
		per = HoursPerMonth
	default:
		return Server{}, fmt.Errorf("--server %q: a price's unit is /hour or /month", s)
	}
	num = strings.TrimSpace(num)
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || num == "" || !isDecimal(num) {
		return Server{}, fmt.Errorf("--server %q: want a preset (%s) or a price such as $0.05/hour", s, strings.Join(Presets(), ", "))
	}
	h := f / per
	if math.IsNaN(h) || h < 0 || h > maxHourly {
		return Server{}, fmt.Errorf("--server %q: a price is from $0 to $%g an hour", s, float64(maxHourly))
	}
	return Server{Name: fmt.Sprintf("$%s/hour", strconv.FormatFloat(h, 'f', -1, 64)), Hourly: h}, nil
}

// isDecimal reports whether s is digits with at most one '.' (no sign, exponent, hex, Inf, NaN
// or underscores, which ParseFloat would take).
func isDecimal(s string) bool {
	dot, digits := false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}
