package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"github.com/gureum/gureum/internal/cost"
	"github.com/gureum/gureum/internal/server"
	"github.com/gureum/gureum/internal/sigv4"
)

type costFlags struct {
	admin                    adminClient
	account                  string
	since, until, month      string
	priceRegion, serverPrice string
	noFreeTier, consolidated bool
}

// costCmd is `gureum cost`: the cost ledger of a running gureum, priced at AWS's prices, beside
// an always-on server.
func costCmd(getenv func(string) string, stdout io.Writer) *cobra.Command {
	var f costFlags
	cmd := &cobra.Command{
		Use:   "cost",
		Short: "Print what functions and file systems used, at AWS's prices, beside an always-on server",
		Long: `Print the cost ledger of a running gureum: per account, function version and UTC day, the
requests, the GB-seconds (memory × duration billed to the millisecond) and the ephemeral storage
above 512 MB; per file system and day, the GB-months stored; each at the AWS price of the region
and architecture, with the free tier applied (1M requests and 400,000 GB-seconds an account and
month), beside what an always-on server would cost for the same period.

It reads the server at --endpoint as an account's root: the first account's root sees every
account (or --account's), another account's root its own. Credentials come from
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, else GUREUM_ROOT_ACCESS_KEY_ID and
GUREUM_ROOT_SECRET_ACCESS_KEY, else root-credentials.json in --data-dir.

--server is a preset (` + fmt.Sprint(cost.Presets()) + `, EC2 On-Demand Linux in us-east-1)
or a price: 0.05, $0.05/hour, $36.50/month (730 hours).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCost(cmd.Context(), f, getenv, stdout, time.Now().UTC())
		},
	}
	fl := cmd.Flags()
	endpoint := getenv("GUREUM_ENDPOINT")
	if endpoint == "" {
		endpoint = "http://127.0.0.1:4566"
	}
	fl.StringVar(&f.admin.endpoint, "endpoint", endpoint, "the server's endpoint ($GUREUM_ENDPOINT)")
	fl.StringVar(&f.admin.region, "region", "us-east-1", "the region the server serves (requests are signed for it)")
	fl.StringVar(&f.admin.dataDir, "data-dir", "./gureum-data", "where to find root-credentials.json when no credentials are in the environment")
	fl.StringVar(&f.admin.output, "output", "text", "text or json")
	fl.StringVar(&f.account, "account", "", "one account's ledger (default: every account the caller may read)")
	fl.StringVar(&f.since, "since", "", "the first day, YYYY-MM-DD (default: the month's first)")
	fl.StringVar(&f.until, "until", "", "the last day, YYYY-MM-DD, included (default: today, UTC)")
	fl.StringVar(&f.month, "month", "", "a calendar month, YYYY-MM (default: this month to today)")
	fl.StringVar(&f.priceRegion, "price-region", "", "price every row at this region's prices (default: the row's own region)")
	fl.StringVar(&f.serverPrice, "server", cost.DefaultServer, "the always-on server to compare with: a preset or a price per hour or month")
	fl.BoolVar(&f.noFreeTier, "no-free-tier", false, "price as if the free tier were already spent")
	fl.BoolVar(&f.consolidated, "consolidated", false, "one free tier and one set of tiers for every account shown, as AWS Organizations' consolidated billing has")
	return cmd
}

// period turns --month, --since and --until into the days shown.
func (f costFlags) period(today time.Time) (from, to string, err error) {
	if f.month != "" {
		if f.since != "" || f.until != "" {
			return "", "", fmt.Errorf("--month goes without --since and --until")
		}
		m, err := time.Parse("2006-01", f.month)
		if err != nil {
			return "", "", fmt.Errorf("--month %q: want YYYY-MM", f.month)
		}
		return m.Format(cost.DayLayout), m.AddDate(0, 1, -1).Format(cost.DayLayout), nil
	}
	to = today.Format(cost.DayLayout)
	if f.until != "" {
		if _, err := time.Parse(cost.DayLayout, f.until); err != nil {
			return "", "", fmt.Errorf("--until %q: want YYYY-MM-DD", f.until)
		}
		to = f.until
	}
	if f.since == "" {
		return to[:8] + "01", to, nil
	}
	if _, err := time.Parse(cost.DayLayout, f.since); err != nil {
		return "", "", fmt.Errorf("--since %q: want YYYY-MM-DD", f.since)
	}
	if f.since > to {
		return "", "", fmt.Errorf("--since %s is after --until %s", f.since, to)
	}
	return f.since, to, nil
}

func runCost(ctx context.Context, f costFlags, getenv func(string) string, stdout io.Writer, today time.Time) error {
	srv, err := cost.ParseServer(f.serverPrice)
	if err != nil {
		return err
	}
	if _, ok := cost.PricesFor(f.priceRegion); f.priceRegion != "" && !ok {
		return fmt.Errorf("--price-region %q: prices are known for %v", f.priceRegion, cost.Regions())
	}
	from, to, err := f.period(today)
	if err != nil {
		return err
	}
	// The month's earlier days spend its free tier: read from the month's first.
	ledger, err := f.admin.costUsage(ctx, getenv, f.account, from[:8]+"01", to)
	if err != nil {
		return err
	}
	bill, err := cost.Compute(ledger.Usage, cost.Options{From: from, To: to, PriceRegion: f.priceRegion, NoFreeTier: f.noFreeTier,
		Consolidated: f.consolidated, Server: srv})
	if err != nil {
		return err
	}
	if f.admin.output == "json" {
		return json.NewEncoder(stdout).Encode(bill)
	}
	return bill.WriteText(stdout)
}

// costUsage reads the ledger's rows from the server's cost endpoint.
func (c *adminClient) costUsage(ctx context.Context, getenv func(string) string, account, from, to string) (*server.CostUsage, error) {
	creds, err := c.credentials(getenv)
	if err != nil {
		return nil, err
	}
	q := url.Values{"from": {from}, "to": {to}}
	if account != "" {
		q.Set("account", account)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint+server.CostPath+"usage?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	sigv4.Sign(req, nil, creds.keyID, creds.secret, creds.token, c.region, server.CostSigningName, time.Now())
	resp, err := (&http.Client{Timeout: 60 * time.Second}).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf("cost ledger: %s: %s", resp.Status, b)
	}
	var out server.CostUsage
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("cost ledger: %w", err)
	}
	return &out, nil
}
