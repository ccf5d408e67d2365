package cost

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/gureum/gureum/internal/store"
)

// WriteText prints the bill as `gureum cost` shows it: a table of functions by day, one of
// file systems by day, the totals and the always-on server beside them.
func (b *Bill) WriteText(w io.Writer) error {
	where := "each row's region"
	if b.Options.PriceRegion != "" {
		where = b.Options.PriceRegion
	}
	free := "free tier applied per account and month"
	switch {
	case b.Options.NoFreeTier:
		free = "free tier spent"
	case b.Options.Consolidated:
		free = "one free tier and one set of tiers for every account shown (consolidated billing)"
	}
	fmt.Fprintf(w, "Cost ledger %s to %s at AWS prices of %s, %s\n", b.From, b.To, where, free)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	var fns, fss []Line
	for _, l := range b.Lines {
		if l.Service == store.UsageEFS {
			fss = append(fss, l)
		} else {
			fns = append(fns, l)
		}
	}
	if len(fns) > 0 {
		fmt.Fprintln(tw, "\nACCOUNT\tDAY\tREGION\tFUNCTION\tVERSION\tARCH\tREQUESTS\tGB-SECONDS\tFREE GB-S\tEPHEMERAL GB-S\tCOST")
		for _, l := range fns {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", l.Account, l.Day, l.Region, l.Resource, l.Version,
				l.Architecture, l.Requests, num(l.GBSeconds), num(l.FreeGBSeconds), num(l.EphemeralGBSeconds), money(l.Cost))
		}
	}
	if len(fss) > 0 {
		fmt.Fprintln(tw, "\nACCOUNT\tDAY\tREGION\tFILE SYSTEM\tGB-MONTHS\tCOST")
		for _, l := range fss {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", l.Account, l.Day, l.Region, l.Resource, num(l.GBMonths), money(l.Cost))
		}
	}
	if len(b.Lines) == 0 {
		fmt.Fprintln(tw, "\nNo usage in this period.")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	t := b.Totals
	fmt.Fprintf(w, "\nLambda: %d requests (%d free): %s; %s GB-seconds (%s free): %s; %s ephemeral GB-seconds: %s\n",
		t.Requests, t.FreeRequests, money(t.RequestCost), num(t.GBSeconds), num(t.FreeGBSeconds), money(t.DurationCost),
		num(t.EphemeralGBSeconds), money(t.EphemeralCost))
	fmt.Fprintf(w, "EFS Standard: %s GB-months: %s\n", num(t.GBMonths), money(t.StorageCost))
	fmt.Fprintf(w, "Total: %s\n", money(t.Cost))
	if len(b.Unpriced) > 0 {
		fmt.Fprintf(w, "No prices for %s (priced at $0; prices are known for %s)\n", strings.Join(b.Unpriced, ", "), strings.Join(Regions(), ", "))
	}
	s := b.Server
	_, err := fmt.Fprintf(w, "Always-on %s at $%s/hour: %s hours: $%.2f (a %d-hour month: $%.2f)\n",
		s.Server.Name, strconv.FormatFloat(s.Server.Hourly, 'f', -1, 64), num(s.Hours), s.Cost, HoursPerMonth, s.Monthly)
	return err
}

// num prints a quantity with up to six decimals and no trailing zeros.
func num(f float64) string {
	s := strconv.FormatFloat(f, 'f', 6, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// money prints dollars to a millionth of a dollar: one request costs $0.0000002.
func money(f float64) string { return "$" + strconv.FormatFloat(f, 'f', 6, 64) }
