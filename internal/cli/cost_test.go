package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/cli"
	"github.com/gureum/gureum/internal/cost"
	"github.com/gureum/gureum/internal/gureumtest"
	"github.com/gureum/gureum/internal/server"
)

// startServer runs a real server in-process on a backend, for the tests that need its recorder.
func startServer(t *testing.T, b gureumtest.Backend) *server.Server {
	t.Helper()
	return startServerOn(t, b, t.TempDir())
}

func startServerIn(t *testing.T, dir string) *server.Server {
	t.Helper()
	return startServerOn(t, gureumtest.Backend{Name: "sqlite"}, dir)
}

func startServerOn(t *testing.T, b gureumtest.Backend, dir string) *server.Server {
	t.Helper()
	cfg := server.Config{Listen: "127.0.0.1:0", DataDir: dir, Region: gureumtest.Region, AccountID: gureumtest.AccountID,
		RootAccessKeyID: gureumtest.AccessKeyID, RootSecretAccessKey: gureumtest.SecretAccessKey}
	if len(b.Args) == 2 && b.Args[0] == "--store" {
		cfg.Store = b.Args[1]
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return srv
}

func rootEnv(k string) string {
	return map[string]string{"AWS_ACCESS_KEY_ID": gureumtest.AccessKeyID, "AWS_SECRET_ACCESS_KEY": gureumtest.SecretAccessKey}[k]
}

func runCost(t *testing.T, srv *server.Server, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := cli.Run(context.Background(), append([]string{"cost", "--endpoint", srv.Endpoint()}, args...), rootEnv, &out, io.Discard)
	return out.String(), err
}

// sizes stands in for EFS's metered sizes (wired to EFS by the server once EFS reports them).
type sizes []cost.FileSystemSize

func (s sizes) FileSystemSizes(context.Context) ([]cost.FileSystemSize, error) { return s, nil }

// TestCostCommand feeds invocations through the running server's recorder and checks what
// `gureum cost` prints against figures worked by hand from the published prices.
func TestCostCommand(t *testing.T) {
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			srv := startServer(t, b)
			rec, ctx := srv.CostRecorder(), context.Background()
			day := func(d int) time.Time { return time.Date(2026, 12, d, 12, 0, 0, 0, time.UTC) }
			inv := func(d int, fn, version, arch string, mem, eph int, billed time.Duration) {
				rec.Record(ctx, cost.Invocation{AccountID: gureumtest.AccountID, Region: gureumtest.Region, FunctionName: fn,
					Version: version, Architecture: arch, MemoryMB: mem, EphemeralStorageMB: eph, BilledDuration: billed, At: day(d)})
			}
			// Dec 1: 1024 MB for 399,990 s: 399,990 GB-s, free.
			inv(1, "big", "$LATEST", cost.X86, 1024, 512, 399_990*time.Second)
			// Dec 2: 30 GB-s more at x86 (first: the dearer): 10 free, 20 × $0.0000166667 = $0.000333334.
			inv(2, "big", "$LATEST", cost.X86, 1024, 512, 30*time.Second)
			// Dec 2: 4 × 1.0004 s billed as 1.001 s at 2048 MB on Arm: 8.008 GB-s × $0.0000133334 =
			// $0.000106773867; ephemeral 1536 MB, 1024 above 512: 4.004 GB-s × $0.0000000309.
			for range 4 {
				inv(2, "arm", "3", cost.ARM64, 2048, 1536, 1000400*time.Microsecond)
			}
			// Another account's use is in its own free tier and not in --account's ledger.
			rec.Record(ctx, cost.Invocation{AccountID: "111111111111", FunctionName: "other", MemoryMB: 128, BilledDuration: time.Second, At: day(2)})

			out, err := runCost(t, srv, "--month", "2026-12", "--server", "m5.large", "--account", gureumtest.AccountID)
			if err != nil {
				t.Fatalf("gureum cost: %v\n%s", err, out)
			}
			want := [][]string{
				{"000000000000", "2026-12-01", "us-east-1", "big", "$LATEST", "x86_64", "1", "399990", "399990", "0", "$0.000000"},
				{"000000000000", "2026-12-02", "us-east-1", "arm", "3", "arm64", "4", "8.008", "0", "4.004", "$0.000107"},
				{"000000000000", "2026-12-02", "us-east-1", "big", "$LATEST", "x86_64", "1", "30", "10", "0", "$0.000333"},
			}
			rows := tableRows(out, "000000000000")
			if len(rows) != len(want) {
				t.Fatalf("rows = %q; want %q\n%s", rows, want, out)
			}
			for i := range want {
				if strings.Join(rows[i], " ") != strings.Join(want[i], " ") {
					t.Errorf("row %d = %q; want %q", i, rows[i], want[i])
				}
			}
			for _, line := range []string{
				"Lambda: 6 requests (6 free): $0.000000; 400028.008 GB-seconds (400000 free): $0.000440; 4.004 ephemeral GB-seconds: $0.000000",
				"Total: $0.000440",
				// 31 days × 24 h × $0.096, and a 730-hour month.
				"Always-on m5.large at $0.096/hour: 744 hours: $71.42 (a 730-hour month: $70.08)",
			} {
				if !strings.Contains(out, line) {
					t.Errorf("output lacks %q:\n%s", line, out)
				}
			}
			if strings.Contains(out, "111111111111") {
				t.Errorf("--account's ledger shows another account:\n%s", out)
			}

			// JSON, from the 2nd: the 1st still spent the free tier.
			out, err = runCost(t, srv, "--since", "2026-12-02", "--until", "2026-12-02", "--output", "json", "--server", "$0.05/hour")
			if err != nil {
				t.Fatal(err)
			}
			var bill cost.Bill
			if err := json.Unmarshal([]byte(out), &bill); err != nil {
				t.Fatalf("json: %v\n%s", err, out)
			}
			lambda := 20*0.0000166667 + 8.008*0.0000133334 + 4.004*0.0000000309
			if len(bill.Lines) != 3 || math.Abs(bill.Totals.Cost-lambda) > 1e-12 || bill.Server.Hours != 24 || math.Abs(bill.Server.Cost-1.2) > 1e-9 {
				t.Errorf("bill = %d lines, totals %+v, server %+v; want 3 lines (both accounts), $%v, 24 h at $1.20", len(bill.Lines), bill.Totals, bill.Server, lambda)
			}
		})
	}
}

// TestCostStorage samples a file system through the server's recorder and prices its day.
func TestCostStorage(t *testing.T) {
	srv := startServer(t, gureumtest.Backends(t)[0])
	// One sample standing for a whole day of 10 GiB: 10/days-in-month GB-months at $0.30.
	if err := srv.CostRecorder().SampleStorage(context.Background(), sizes{{AccountID: gureumtest.AccountID, FileSystemID: "fs-0123456789abcdef0", Bytes: 10 << 30}}, 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC()
	out, err := runCost(t, srv, "--since", today.Format(cost.DayLayout), "--until", today.Format(cost.DayLayout), "--output", "json")
	if err != nil {
		t.Fatal(err)
	}
	var bill cost.Bill
	if err := json.Unmarshal([]byte(out), &bill); err != nil {
		t.Fatal(err)
	}
	days := float64(time.Date(today.Year(), today.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day())
	if len(bill.Lines) != 1 || math.Abs(bill.Totals.GBMonths-10/days) > 1e-9 || math.Abs(bill.Totals.StorageCost-10/days*0.30) > 1e-9 {
		t.Errorf("bill = %+v; want %v GB-months at $0.30", bill, 10/days)
	}
}

// TestCostRefusals checks the endpoint's door and the command's flags.
func TestCostRefusals(t *testing.T) {
	srv := startServer(t, gureumtest.Backends(t)[0])
	resp, err := http.Get(srv.Endpoint() + server.CostPath + "usage")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("unsigned read = %d; want 403", resp.StatusCode)
	}
	for _, args := range [][]string{
		{"--server", "t9.huge"},
		{"--month", "2026-13"},
		{"--month", "2026-12", "--since", "2026-12-01"},
		{"--since", "2026-12-09", "--until", "2026-12-01"},
		{"--price-region", "xx-nowhere-1"},
	} {
		if out, err := runCost(t, srv, args...); err == nil {
			t.Errorf("gureum cost %q succeeded:\n%s", args, out)
		}
	}
	bad := func(k string) string {
		return map[string]string{"AWS_ACCESS_KEY_ID": gureumtest.AccessKeyID, "AWS_SECRET_ACCESS_KEY": "wrong"}[k]
	}
	if err := cli.Run(context.Background(), []string{"cost", "--endpoint", srv.Endpoint()}, bad, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("gureum cost with a wrong secret = %v; want 403", err)
	}
}

// tableRows is the fields of each output line that starts with prefix.
func tableRows(out, prefix string) [][]string {
	var rows [][]string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, prefix) {
			rows = append(rows, strings.Fields(line))
		}
	}
	return rows
}

// TestCostSurvivesStop records usage and stops the server at once: what was pending is written as
// it stops, and a restarted server reports it.
func TestCostSurvivesStop(t *testing.T) {
	dir := t.TempDir()
	cfg := server.Config{Listen: "127.0.0.1:0", DataDir: dir, Region: gureumtest.Region, AccountID: gureumtest.AccountID,
		RootAccessKeyID: gureumtest.AccessKeyID, RootSecretAccessKey: gureumtest.SecretAccessKey}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	for range 3 {
		srv.CostRecorder().Record(ctx, cost.Invocation{AccountID: gureumtest.AccountID, FunctionName: "f", MemoryMB: 128,
			BilledDuration: 2 * time.Millisecond, At: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)})
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	again := startServerIn(t, dir)
	out, err := runCost(t, again, "--month", "2026-12")
	if err != nil {
		t.Fatal(err)
	}
	// 3 × 128 MB × 2 ms = 0.00075 GB-s.
	if rows := tableRows(out, gureumtest.AccountID); len(rows) != 1 || rows[0][6] != "3" || rows[0][7] != "0.00075" {
		t.Errorf("after a restart: %q\n%s", rows, out)
	}
}
