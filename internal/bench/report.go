package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gureum/gureum/internal/store/postgres"
)

// Options choose what `gureum bench` measures.
type Options struct {
	Binary   string        // the gureum binary to measure (gureum beside gureum-bench, or --gureum)
	Self     string        // the gureum-bench binary, whose sqs-floor command serves the SQS floor
	Duration time.Duration // length of each throughput measurement
	Postgres string        // a PostgreSQL DSN to measure beside SQLite; empty skips it
	NoPeer   bool          // skip moto_server
	Rounds   int           // rounds of each SQS workload per target (0: sqsRounds)
	MinIO    string        // a MinIO binary to measure beside gureum in `s3`; empty skips it
	Out      io.Writer
}

type row struct{ group, figure, value, target string }

// table collects rows, echoing each to stderr as it is measured, and prints them aligned.
type table struct{ rows []row }

func (t *table) add(g, f, v, tgt string) {
	t.rows = append(t.rows, row{g, f, v, tgt})
	fmt.Fprintf(os.Stderr, "  %-10s %-58s %s\n", g, f, v)
}

func (t *table) print(out io.Writer) error {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "GROUP\tFIGURE\tMEASURED\tTARGET")
	for _, r := range t.rows {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", r.group, r.figure, r.value, r.target)
	}
	return w.Flush()
}

// Run measures everything and prints a table.
func Run(ctx context.Context, o Options) error {
	dir, err := os.MkdirTemp("", "gureum-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var t table
	if err := startupRows(ctx, o, dir, t.add); err != nil {
		return err
	}
	if err := requestRows(ctx, o, dir, t.add); err != nil {
		return err
	}
	if err := storeRows(ctx, o, dir, t.add); err != nil {
		return err
	}
	return t.print(o.Out)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func startupRows(ctx context.Context, o Options, dir string, add func(g, f, v, t string)) error {
	const runs = 5
	for _, first := range []bool{true, false} {
		base := dir + "/restart"
		var times []time.Duration
		var rss int64
		for i := 0; i < runs; i++ {
			d := base
			if first {
				d = fmt.Sprintf("%s/first-%d", dir, i)
			}
			s, err := MeasureStartup(ctx, o.Binary, d, time.Second)
			if err != nil {
				return err
			}
			times = append(times, s.ToHealthy)
			rss = max(rss, s.IdleRSS)
		}
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		kind := "restart"
		if first {
			kind = "first start"
		}
		add("start", fmt.Sprintf("exec to first 200 from health, %s (p50 of %d)", kind, runs), ms(times[runs/2]), "≤ 50 ms")
		if !first {
			add("start", "idle RSS after start (max)", fmt.Sprintf("%.1f MiB", float64(rss)/(1<<20)), "≤ 30 MiB")
		}
	}
	return nil
}

func requestRows(ctx context.Context, o Options, dir string, add func(g, f, v, t string)) error {
	cmd, endpoint, _, err := StartBinary(ctx, o.Binary, dir+"/requests", "AKIAGUREUMBENCH00001", "bench-secret")
	if err != nil {
		return err
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	type target struct{ name, endpoint string }
	targets := []target{{"gureum", endpoint}}
	floor, stopFloor, err := Floor()
	if err != nil {
		return err
	}
	defer stopFloor()
	targets = append(targets, target{"floor (bare net/http)", floor})
	if !o.NoPeer {
		if moto, stop, err := Moto(ctx); err == nil {
			defer stop()
			targets = append(targets, target{"peer (moto_server)", moto})
		} else {
			fmt.Fprintf(os.Stderr, "NOTICE: moto_server not measured: %v\n", err)
		}
	}
	for _, t := range targets {
		c := NewCaller(t.endpoint, "AKIAGUREUMBENCH00001", "bench-secret", "us-east-1")
		c.Run(ctx, 1, 200, time.Second) // warm up
		one, err := c.Run(ctx, 1, 1<<30, o.Duration)
		if err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		many, err := c.Run(ctx, 16, 1<<30, o.Duration)
		if err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		tgt := ""
		if t.name == "gureum" {
			tgt = "≤ 0.2 ms"
		}
		add("sts", "GetCallerIdentity p50, 1 client: "+t.name, ms(one.P50), tgt)
		add("sts", "GetCallerIdentity p99, 1 client: "+t.name, ms(one.P99), "")
		add("sts", "GetCallerIdentity throughput, 16 clients: "+t.name, fmt.Sprintf("%.0f req/s", many.PerSec), "")
	}
	return nil
}

func storeRows(ctx context.Context, o Options, dir string, add func(g, f, v, t string)) error {
	floor, err := FsyncFloor(dir, o.Duration)
	if err != nil {
		return err
	}
	add("store", "floor: 1 KiB append + fsync, 1 writer", fmt.Sprintf("%.0f /s", floor), "")
	group, err := SQLiteWrites(ctx, dir, 256, 16, o.Duration)
	if err != nil {
		return err
	}
	add("store", "SQLite durable writes, 16 writers, group commit", fmt.Sprintf("%.0f /s (p50 %s)", group.PerSec, ms(group.P50)), "≥ 10,000 /s")
	single, err := SQLiteWrites(ctx, dir, 1, 16, o.Duration)
	if err != nil {
		return err
	}
	add("store", "SQLite durable writes, 16 writers, one fsync per write", fmt.Sprintf("%.0f /s (p50 %s)", single.PerSec, ms(single.P50)), "")
	if o.Postgres == "" {
		fmt.Fprintln(os.Stderr, "NOTICE: PostgreSQL not measured (pass --postgres or set GUREUM_TEST_POSTGRES)")
		return nil
	}
	schema := fmt.Sprintf("gureum_bench_%d", time.Now().UnixNano())
	st, err := postgres.Open(ctx, o.Postgres, postgres.Options{Schema: schema, MaxConns: 16})
	if err != nil {
		return err
	}
	defer func() { st.DropSchema(ctx, schema); st.Close() }()
	write, err := AccessKeyWriter(ctx, st, "AKIAP")
	if err != nil {
		return err
	}
	pg, err := StoreWrites(ctx, 16, o.Duration, write)
	if err != nil {
		return err
	}
	add("store", "PostgreSQL durable writes, 16 writers", fmt.Sprintf("%.0f /s (p50 %s)", pg.PerSec, ms(pg.P50)), "")
	return nil
}

// RunSQS measures the SQS workloads against the binary (SQLite, and PostgreSQL when a DSN is
// given) and, side by side with the same Go client and workload, moto_server.
func RunSQS(ctx context.Context, o Options) error {
	dir, err := os.MkdirTemp("", "gureum-bench-sqs")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var tbl table
	add := tbl.add
	type target struct {
		name     string
		endpoint string
		full     bool // run single sends too (moto is too slow for more than the batched workload)
		pid      int  // the server's process, for its CPU time (0: not ours)
		floor    bool // the floor: fixed answers, no long poll
	}
	// The disk's sync latency drifts over minutes here and bounds every durable figure, so the
	// run records it beside them.
	floor, err := FsyncFloor(dir, time.Second)
	if err != nil {
		return err
	}
	add("sqs", "floor: 1 KiB append + fsync, 1 writer (this run)", fmt.Sprintf("%.0f /s (%.0f µs each)", floor, 1e6/floor), "")
	// So does a wake-up of a blocked thread: each request takes several, and on a virtual machine
	// their cost drifts with the host's load (a halted vCPU is woken by the hypervisor).
	wake, err := WakeFloor(time.Second)
	if err != nil {
		return err
	}
	add("sqs", "floor: wake a blocked thread and back (pipe round trip, this run)", fmt.Sprintf("%.1f µs", float64(wake.Nanoseconds())/1000), "")
	// On a virtual machine the hypervisor may give this machine's cores to other guests for part
	// of the run, which lowers every figure at once; the run reports how much.
	total0, steal0, stealOK := MachineCPU()
	cmd, endpoint, _, err := StartBinary(ctx, o.Binary, dir+"/sqlite", "AKIAGUREUMBENCH00001", "bench-secret")
	if err != nil {
		return err
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	targets := []target{{name: "gureum sqlite", endpoint: endpoint, full: true, pid: cmd.Process.Pid}}
	if o.Postgres != "" {
		schema := fmt.Sprintf("gureum_bench_%d", time.Now().UnixNano())
		db, err := postgres.Open(ctx, o.Postgres, postgres.Options{Schema: schema})
		if err != nil {
			return err
		}
		defer func() { db.DropSchema(ctx, schema); db.Close() }()
		pg, pgEndpoint, _, err := StartBinary(ctx, o.Binary, dir+"/postgres", "AKIAGUREUMBENCH00001", "bench-secret",
			"--store", withSearchPath(o.Postgres, schema))
		if err != nil {
			return err
		}
		defer func() { pg.Process.Signal(os.Interrupt); pg.Wait() }()
		targets = append(targets, target{name: "gureum postgres", endpoint: pgEndpoint, full: true, pid: pg.Process.Pid})
	}
	// The floor (SQSFloor: bare net/http with fixed answers, in a process of its own as the
	// servers are) takes its turn in every round too: what this machine leaves for a server once
	// the client and the loopback connection have taken their share of its cores, measured
	// seconds from the figures it bounds.
	floorCmd, floorEndpoint, err := StartSQSFloor(ctx, o.Self)
	if err != nil {
		return err
	}
	defer func() { floorCmd.Process.Signal(os.Interrupt); floorCmd.Wait() }()
	targets = append(targets, target{name: "floor (fixed answers)", endpoint: floorEndpoint, full: true, pid: floorCmd.Process.Pid, floor: true})
	if !o.NoPeer {
		if moto, stop, err := Moto(ctx); err == nil {
			defer stop()
			targets = append(targets, target{name: "moto_server", endpoint: moto})
		} else {
			fmt.Fprintf(os.Stderr, "NOTICE: moto_server not measured: %v\n", err)
		}
	}
	clients := make([]*sqs.Client, len(targets))
	for i, t := range targets {
		clients[i] = SQSClient(t.endpoint, "AKIAGUREUMBENCH00001", "bench-secret")
	}
	// cpuNow reads the server's CPU time and the client's (this process: the load generator
	// shares the machine's cores with the server, so the two together bound the throughput);
	// cpu reports them per request over a measurement, when they can be read.
	type cpuTimes struct{ server, client time.Duration }
	cpuNow := func(t target) (c cpuTimes) {
		c.server, _ = ProcessCPU(t.pid)
		c.client, _ = ProcessCPU(os.Getpid())
		return c
	}
	cpu := func(t target, used cpuTimes, calls int64) string {
		if t.pid == 0 || used.server == 0 || calls == 0 {
			return ""
		}
		server := "server"
		if t.floor {
			server = "floor"
		}
		return fmt.Sprintf("; CPU µs/request: %s %.0f, client %.0f", server, perCall(used.server, calls), perCall(used.client, calls))
	}
	// inRounds runs a workload o.Rounds (default sqsRounds) times on each target that wants it,
	// the targets taking turns, and gathers each target's rounds with the CPU time they used.
	rounds := o.Rounds
	if rounds <= 0 {
		rounds = sqsRounds
	}
	type measured struct {
		rounds []Throughput
		used   cpuTimes
		calls  int64
	}
	inRounds := func(want func(target) bool, run func(*sqs.Client) (Throughput, error)) ([]measured, error) {
		out := make([]measured, len(targets))
		for round := 0; round < rounds; round++ {
			for i, t := range targets {
				if !want(t) {
					continue
				}
				before := cpuNow(t)
				x, err := run(clients[i])
				if err != nil {
					return nil, fmt.Errorf("%s: %w", t.name, err)
				}
				after := cpuNow(t)
				out[i].used.server += after.server - before.server
				out[i].used.client += after.client - before.client
				out[i].calls += x.Calls
				out[i].rounds = append(out[i].rounds, x)
			}
		}
		return out, nil
	}
	// The batched workload runs on every target; each target's median round is its figure.
	batchedRuns, err := inRounds(func(target) bool { return true }, func(c *sqs.Client) (Throughput, error) {
		return BatchedPipeline(ctx, c, 16, o.Duration)
	})
	if err != nil {
		return err
	}
	batched := make([][]float64, len(targets))
	for i, m := range batchedRuns {
		batched[i] = perSec(m.rounds)
	}
	var gureumRounds, floorRounds, motoRounds []float64
	for i, t := range targets {
		tgt := ""
		switch {
		case t.name == "gureum sqlite":
			tgt, gureumRounds = "≥ 10,000 /s", batched[i]
		case t.floor:
			floorRounds = batched[i]
		case t.name == "moto_server":
			motoRounds = batched[i]
		}
		add("sqs", "send+receive+delete, batches of 10, 16 clients: "+t.name,
			fmt.Sprintf("%.0f msgs/s (median of rounds %s)%s", median(batched[i]), joinf(batched[i], "%.0f"), cpu(t, batchedRuns[i].used, batchedRuns[i].calls)), tgt)
	}
	// Single sends run in rounds too, on gureum's backends and the floor; the figure is the median
	// round by throughput, with that round's p50 (the machine's speed drifts within a minute, and
	// one run of a few seconds caught whatever phase it fell in).
	singleRuns, err := inRounds(func(t target) bool { return t.full }, func(c *sqs.Client) (Throughput, error) {
		return SingleSends(ctx, c, 16, o.Duration)
	})
	if err != nil {
		return err
	}
	var gureumSingles, floorSingles []float64
	for i, t := range targets {
		if !t.full {
			continue
		}
		s := medianRound(singleRuns[i].rounds)
		tgt := ""
		switch {
		case t.name == "gureum sqlite":
			// The targets are SQLite's; PostgreSQL is reported beside.
			tgt, gureumSingles = "≥ 5,000 /s, p50 ≤ 2 ms", perSec(singleRuns[i].rounds)
		case t.floor:
			floorSingles = perSec(singleRuns[i].rounds)
		}
		add("sqs", "SendMessage, 16 clients: "+t.name, fmt.Sprintf("%.0f msgs/s, p50 %s (median of rounds %s)%s", s.PerSec, ms(s.P50),
			joinf(perSec(singleRuns[i].rounds), "%.0f"), cpu(t, singleRuns[i].used, singleRuns[i].calls)), tgt)
		if t.floor {
			continue
		}
		w, err := LongPollWake(ctx, clients[i], 30)
		if err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		add("sqs", "long-poll wake-up after a send (p50 of 30): "+t.name, ms(w.P50), "≤ 5 ms")
	}
	// Each round's ratio pairs two measurements a few seconds apart; the median pair is the figure.
	if b, s := roundRatios(gureumRounds, floorRounds), roundRatios(gureumSingles, floorSingles); len(b) > 0 && len(s) > 0 {
		add("sqs", "gureum sqlite ÷ floor: batched, single sends", fmt.Sprintf("%.0f%%, %.0f%% (medians of the rounds: batched %s; single %s)",
			100*median(b), 100*median(s), joinf(scale(b, 100), "%.0f%%"), joinf(scale(s, 100), "%.0f%%")), "")
	}
	if ratios := roundRatios(gureumRounds, motoRounds); len(ratios) > 0 {
		add("sqs", "gureum sqlite ÷ moto_server, batched workload", fmt.Sprintf("%.0f× (median of rounds %s)", median(ratios), joinf(ratios, "%.0f×")), "≥ 200×")
	}
	if total1, steal1, ok := MachineCPU(); ok && stealOK {
		add("sqs", "machine: CPU time stolen by the hypervisor during the run", fmt.Sprintf("%.0f%%", 100*StolenShare(total0, steal0, total1, steal1)), "")
	}
	return tbl.print(o.Out)
}

// sqsRounds is how many times each SQS workload runs on each target unless --rounds says
// otherwise, the targets taking turns (gureum, then PostgreSQL, the floor, moto_server, and again).
// This machine's speed drifts by ±10% within a minute; a ratio of two figures measured half a
// minute apart carries that drift, while a round's two figures are seconds apart. The median
// round is reported, with all of them.
const sqsRounds = 3

// median is the middle value of xs (the mean of the middle two for an even count).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// perSec lists the rounds' throughputs.
func perSec(ts []Throughput) []float64 {
	out := make([]float64, len(ts))
	for i, t := range ts {
		out[i] = t.PerSec
	}
	return out
}

// medianRound is the round of median throughput (the lower middle one of an even count).
func medianRound(ts []Throughput) Throughput {
	if len(ts) == 0 {
		return Throughput{}
	}
	s := append([]Throughput(nil), ts...)
	sort.Slice(s, func(i, j int) bool { return s[i].PerSec < s[j].PerSec })
	return s[(len(s)-1)/2]
}

// joinf formats each value with format and joins them with commas.
func joinf(xs []float64, format string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf(format, x)
	}
	return strings.Join(parts, ", ")
}

// perCall is CPU time d spread over calls, in microseconds.
func perCall(d time.Duration, calls int64) float64 { return float64(d.Microseconds()) / float64(calls) }

// roundRatios divides each round's a by the same round's b (rounds where b is 0 are left out);
// nothing when the two did not run the same rounds.
func roundRatios(a, b []float64) []float64 {
	if len(a) != len(b) {
		return nil
	}
	var out []float64
	for r := range a {
		if b[r] > 0 {
			out = append(out, a[r]/b[r])
		}
	}
	return out
}

// scale multiplies each value by k.
func scale(xs []float64, k float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = x * k
	}
	return out
}

func withSearchPath(dsn, schema string) string {
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema
}
