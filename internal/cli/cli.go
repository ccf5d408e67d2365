// Package cli is gureum's command line: `gureum server`, `gureum version`, `gureum bench`, `gureum logs`,
// `gureum account` and `gureum cost`.
// main calls Run; the in-process test harness calls the same Run.
package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gureum/gureum/internal/router"
	"github.com/gureum/gureum/internal/server"
)

// Version is set at build time with -ldflags "-X github.com/gureum/gureum/internal/cli.Version=…".
var Version = "dev"

// Run executes the command line args (without the program name) and returns when it is done or
// ctx ends. getenv reads the environment; stdout and stderr receive output. It leaves the
// process-wide settings alone (the collector's target, GOMAXPROCS): a server that a test starts
// in-process shares the test's process. Main applies them.
func Run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return run(ctx, args, getenv, stdout, stderr, false)
}

// Main is Run for gureum's own process (cmd/gureum): the server command also applies the
// process-wide settings.
func Main(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return run(ctx, args, getenv, stdout, stderr, true)
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, process bool) error {
	root := &cobra.Command{
		Use:           "gureum",
		Short:         "gureum is a self-hosted serverless platform that speaks the AWS wire protocols",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(serverCmd(getenv, stdout, stderr, process), versionCmd(stdout), benchCmd(stdout, stderr), accountCmd(getenv, stdout), logsCmd(stdout, stderr),
		costCmd(getenv, stdout), deployCmd(stdout, stderr))
	return root.ExecuteContext(ctx)
}

func versionCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print gureum's version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(stdout, "gureum %s\n", Version)
			return err
		},
	}
}

type serverFlags struct {
	listen, dataDir, region, store, accountID string
	logFormat, logLevel                       string
	cpuProfile                                string
	isolation                                 string
	sandboxCgroup                             string
	workerMemory                              int
	efsRoot                                   string
	blobDir                                   string
	procs                                     int
	sqliteWALVFS                              bool
	iamEnforcement                            bool
	lifecycleDaySeconds                       int
	codeDeployMinute                          time.Duration
	drain, headerTimeout, bodyTimeout         time.Duration
	maxConnections                            int
	maxBodyInflight                           int64
	privateListen, vpcEndpointID              string
	tlsCert, tlsKey                           string
}

func serverCmd(getenv func(string) string, stdout, stderr io.Writer, process bool) *cobra.Command {
	var f serverFlags
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Serve every AWS service on one HTTP endpoint",
		Long: `Serve every AWS service gureum implements on one HTTP listener, the endpoint you point
AWS_ENDPOINT_URL at. Every flag can also be set with an environment variable GUREUM_<FLAG>
(for example GUREUM_DATA_DIR); a flag given on the command line wins.

The first account's root credentials come from GUREUM_ROOT_ACCESS_KEY_ID and
GUREUM_ROOT_SECRET_ACCESS_KEY. When those are unset on the first start, gureum generates a key
pair, saves it with mode 0600 in the data directory and prints it once.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := applyEnv(cmd.Flags(), getenv); err != nil {
				return err
			}
			return runServer(cmd.Context(), f, getenv, stdout, stderr, process)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:4566", "address to listen on (host:port)")
	fl.StringVar(&f.dataDir, "data-dir", "./gureum-data", "directory for the embedded store and generated credentials")
	fl.StringVar(&f.region, "region", "us-east-1", "the region this endpoint serves; requests must be signed for it")
	fl.StringVar(&f.store, "store", "", "the store: empty for embedded SQLite in the data dir, or a postgres:// URL")
	fl.StringVar(&f.accountID, "account-id", "000000000000", "the first account's 12-digit id")
	fl.StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	fl.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fl.DurationVar(&f.drain, "drain-timeout", 10*time.Second, "how long shutdown waits for requests in flight")
	fl.DurationVar(&f.headerTimeout, "header-timeout", 10*time.Second, "how long a client may take to send request headers")
	fl.DurationVar(&f.bodyTimeout, "body-timeout", time.Minute, "how long a client may take to send a non-streaming request body")
	fl.IntVar(&f.maxConnections, "max-connections", server.DefaultMaxConnections, "the most client connections open at once; beyond it new connections wait to be accepted")
	fl.Int64Var(&f.maxBodyInflight, "max-body-inflight", router.DefaultMaxBodyInflight, "the most bytes of request bodies held in memory at once, across all requests; a request beyond it gets a throttling error")
	fl.IntVar(&f.procs, "procs", 0, "how many cores run gureum's Go code at once (GOMAXPROCS); 0: all but one, leaving a core to the rest of the machine (GOMAXPROCS in the environment overrides 0)")
	fl.BoolVar(&f.iamEnforcement, "iam-enforcement", true, "authorize every request with IAM policies (identity, resource, boundary and session policies); false lets every authenticated caller do anything, for throwaway local use")
	fl.IntVar(&f.lifecycleDaySeconds, "lifecycle-day-seconds", 86400, "how many seconds one S3 lifecycle day lasts (expiration rules count days); shorter to test expiry end to end")
	fl.DurationVar(&f.codeDeployMinute, "codedeploy-minute", time.Minute, "how long one minute of a CodeDeploy deployment configuration lasts (Canary10Percent5Minutes holds its canary five of them); shorter to test gradual deployments end to end")
	fl.BoolVar(&f.sqliteWALVFS, "sqlite-wal-vfs", true, "write the embedded store's WAL through gureum's VFS (a commit's frames in one write; used only on the SQLite release it was verified on); false: SQLite's default VFS")
	fl.StringVar(&f.isolation, "isolation", "auto", "how functions are isolated: auto (namespace sandboxes when root on Linux, else plain processes, loudly), namespace, or process")
	fl.StringVar(&f.sandboxCgroup, "sandbox-cgroup", "gureum", "the cgroup under which every function sandbox's cgroup is made (in each cgroup v1 hierarchy, or under the v2 root): give servers sharing a host their own")
	fl.IntVar(&f.workerMemory, "worker-memory", 0, "the memory in MB that function environments may take together on this node (each its MemorySize); when it is full, an invoke that needs a new environment waits up to 2 s for room, then is throttled; 0: the host's memory less a reserve (a tenth, at least 1 GB)")
	fl.StringVar(&f.blobDir, "blob-dir", "", "the directory S3 object data and Lambda code live under (<blob-dir>/s3, <blob-dir>/lambda), such as a shared file system every server sharing a --store mounts at the same path; it must exist; empty: in PostgreSQL itself with a postgres:// --store, else <data-dir>/blobs")
	fl.StringVar(&f.efsRoot, "efs-root", "", "the directory EFS file systems' trees live under (<efs-root>/<account>/<fs-id>), such as an NFS mount every server sharing a --store mounts at the same path; it must exist; empty: <data-dir>/efs")
	fl.StringVar(&f.privateListen, "private-listen", "", "a second address (host:port) whose requests count as coming through the VPC endpoint --vpc-endpoint-id: API Gateway's PRIVATE APIs answer only there")
	fl.StringVar(&f.vpcEndpointID, "vpc-endpoint-id", "vpce-0gureum0000000001", "the VPC endpoint id (aws:SourceVpce) of requests to --private-listen")
	fl.StringVar(&f.tlsCert, "tls-cert", "", "a PEM certificate file (with its chain): the listeners (main and --private-listen) serve HTTPS; needs --tls-key")
	fl.StringVar(&f.tlsKey, "tls-key", "", "the PEM private key file of --tls-cert")
	fl.StringVar(&f.cpuProfile, "cpu-profile", "", "write a Go CPU profile of the whole run to this file (for `go tool pprof`)")
	_ = fl.MarkHidden("cpu-profile")
	return cmd
}

// applyEnv sets each flag not given on the command line from GUREUM_<FLAG>.
func applyEnv(fs *pflag.FlagSet, getenv func(string) string) error {
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Changed || err != nil {
			return
		}
		name := "GUREUM_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := getenv(name); v != "" {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s: %w", name, e)
			}
		}
	})
	return err
}

func newLogger(format, level string, w io.Writer) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

func validAccountID(id string) bool {
	if len(id) != 12 {
		return false
	}
	for _, c := range id {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// procs is how many Ps the server runs Go code on, from --procs (0: choose) given the
// environment's GOMAXPROCS (set: it chose) and the Ps the runtime started with (the machine's
// cores, or its cgroup's CPU limit); 0 leaves the runtime as it is.
//
// Chosen, it is all cores but one. gureum shares its machine with the functions it runs, with
// its clients in development and with the kernel's network and disk work, and a Go server given
// every core spends much of the difference on moving goroutines between threads. On the 2-vCPU
// test machines (where a thread switch is dear: a wake-up round trip takes 30-130 µs), the server
// on one P against two, alternating rounds with the load generator beside it: single
// SendMessage from 16 clients 6,342 against 5,136/s (p50 2.13 against 2.80 ms) and 30% less
// server CPU a request; batched send+receive+delete 15,471 against 12,527 msgs/s; from 64 clients
// +16% (single) and +19% (batched); from one client even; on PostgreSQL even.
func procs(flag int, envSet bool, started int) int {
	switch {
	case flag > 0:
		return flag
	case envSet:
		return 0
	}
	return max(1, started-1)
}

// applyProcessSettings sets what belongs to the whole process, for gureum's own process only.
func applyProcessSettings(f serverFlags, getenv func(string) string) {
	if getenv("GOGC") == "" {
		// The live heap is small, so the default target collects very often under load; a larger
		// target halves the collector's share of CPU for a few tens of MiB. GOGC overrides.
		debug.SetGCPercent(400)
	}
	if n := procs(f.procs, getenv("GOMAXPROCS") != "", runtime.GOMAXPROCS(0)); n > 0 {
		runtime.GOMAXPROCS(n)
	}
}

func runServer(ctx context.Context, f serverFlags, getenv func(string) string, stdout, stderr io.Writer, process bool) error {
	if f.maxConnections < 1 || f.maxBodyInflight < 1 {
		return fmt.Errorf("--max-connections %d, --max-body-inflight %d: want at least 1 each", f.maxConnections, f.maxBodyInflight)
	}
	log, err := newLogger(f.logFormat, f.logLevel, stderr)
	if err != nil {
		return err
	}
	if f.lifecycleDaySeconds < 1 {
		return fmt.Errorf("--lifecycle-day-seconds %d: want 1 or more", f.lifecycleDaySeconds)
	}
	if f.codeDeployMinute <= 0 {
		return fmt.Errorf("--codedeploy-minute %s: want more than 0", f.codeDeployMinute)
	}
	if f.procs < 0 {
		return fmt.Errorf("--procs %d: want 0 (all cores but one) or more", f.procs)
	}
	if process {
		applyProcessSettings(f, getenv)
	}
	efsRoot, err := checkEFSRoot(f.efsRoot)
	if err != nil {
		return err
	}
	blobDir, err := checkSharedDir("--blob-dir", f.blobDir)
	if err != nil {
		return err
	}
	if !validAccountID(f.accountID) {
		return fmt.Errorf("--account-id %q: want 12 digits", f.accountID)
	}
	srv, err := server.Open(ctx, server.Config{
		Listen: f.listen, DataDir: f.dataDir, Region: f.region, Store: f.store, AccountID: f.accountID,
		SQLiteDefaultVFS:    !f.sqliteWALVFS,
		NoIAMEnforcement:    !f.iamEnforcement,
		Version:             Version,
		RootAccessKeyID:     getenv("GUREUM_ROOT_ACCESS_KEY_ID"),
		RootSecretAccessKey: getenv("GUREUM_ROOT_SECRET_ACCESS_KEY"),
		Log:                 log, Stdout: stdout, DrainTimeout: f.drain,
		HeaderTimeout: f.headerTimeout, BodyTimeout: f.bodyTimeout, Isolation: f.isolation, SandboxCgroup: f.sandboxCgroup, WorkerMemory: f.workerMemory,
		MaxConnections: f.maxConnections, MaxBodyInflight: f.maxBodyInflight,
		PrivateListen: f.privateListen, VPCEndpointID: f.vpcEndpointID,
		TLSCert: f.tlsCert, TLSKey: f.tlsKey,
		LifecycleDay: time.Duration(f.lifecycleDaySeconds) * time.Second,
		DeployMinute: f.codeDeployMinute,
		EFSRoot:      efsRoot,
		BlobDir:      blobDir,
	})
	if err != nil {
		return err
	}
	if f.cpuProfile != "" {
		out, err := os.Create(f.cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(out); err != nil {
			out.Close()
			return err
		}
		defer func() { pprof.StopCPUProfile(); out.Close() }()
	}
	if p := srv.PrivateEndpoint(); p != "" {
		fmt.Fprintf(stdout, "gureum private endpoint (%s) on %s\n", f.vpcEndpointID, p)
	}
	fmt.Fprintf(stdout, "gureum %s listening on %s\n", Version, srv.Endpoint())
	return srv.Serve(ctx)
}

// checkEFSRoot makes an --efs-root absolute (sandboxes mount directories under it) and checks
// that it is a directory: an operator's shared mount that is missing must not quietly become a
// local directory that other servers cannot see.
func checkEFSRoot(root string) (string, error) { return checkSharedDir("--efs-root", root) }

// checkSharedDir makes a flag's directory absolute and checks that it exists (see checkEFSRoot).
func checkSharedDir(flag, dir string) (string, error) {
	if dir == "" {
		return "", nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("%s %q: %v", flag, dir, err)
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("%s %q: not an existing directory", flag, dir)
	}
	return abs, nil
}
