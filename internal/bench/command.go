package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"
)

// Main is the command line of gureum-bench (cmd/gureum-bench), the load generator, which
// `gureum bench` runs: it is a binary of its own so that the AWS SDK clients it drives are not
// linked into the server. args exclude the program name; getenv reads the environment.
func Main(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := command(getenv, stdout, stderr)
	cmd.SetArgs(args)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	return cmd.ExecuteContext(ctx)
}

func command(getenv func(string) string, stdout, stderr io.Writer) *cobra.Command {
	var o Options
	// setup completes the options the way both measuring commands need them.
	setup := func(what string) error {
		self, err := os.Executable()
		if err != nil {
			return err
		}
		if o.Binary == "" {
			o.Binary = filepath.Join(filepath.Dir(self), "gureum"+filepath.Ext(self)) // .exe on Windows
		}
		if _, err := os.Stat(o.Binary); err != nil {
			return fmt.Errorf("the gureum binary to measure: %w (--gureum names it)", err)
		}
		o.Self, o.Out = self, stdout
		if o.Postgres == "" {
			o.Postgres = getenv("GUREUM_TEST_POSTGRES")
		}
		fmt.Fprintf(stderr, "measuring %s…\n", what)
		return nil
	}
	cmd := &cobra.Command{
		Use:   "gureum-bench",
		Short: "Measure gureum on this machine and print a table of figures (`gureum bench` runs this)",
		Long: `Measure gureum on this machine: start-up time and idle memory of the gureum binary, GetCallerIdentity
latency and throughput beside the machine's floor (a bare net/http handler) and a peer (moto_server,
when installed), and durable store writes (SQLite with and without group commit, beside the raw
fsync rate, and PostgreSQL when --postgres or GUREUM_TEST_POSTGRES gives a DSN).

gureum-bench is the load generator, a binary of its own beside gureum (make build builds both) so
that the server does not carry its AWS SDK clients; ` + "`gureum bench`" + ` runs it.`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRun: func(*cobra.Command, []string) {
			if getenv("GOGC") == "" {
				// The load generator shares the machine's cores with the server it measures, and the
				// SDK allocates heavily per call over a small live heap. A target of 20× rather than
				// the server's 4× took the client's CPU per SendMessage from a median of 121 µs to
				// 104 µs in six alternating runs here; at 16× the bench's peak RSS stays under
				// 90 MiB. GOGC overrides.
				debug.SetGCPercent(1600)
			}
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := setup("gureum"); err != nil {
				return err
			}
			return Run(cmd.Context(), o)
		},
	}
	cmd.PersistentFlags().StringVar(&o.Binary, "gureum", "", "the gureum binary to measure (default: gureum beside this binary)")
	cmd.PersistentFlags().DurationVar(&o.Duration, "duration", 3*time.Second, "length of each throughput measurement")
	cmd.PersistentFlags().StringVar(&o.Postgres, "postgres", "", "a PostgreSQL DSN to measure beside SQLite")
	cmd.PersistentFlags().BoolVar(&o.NoPeer, "no-peer", false, "do not measure moto_server")
	sqsCmd := &cobra.Command{
		Use:   "sqs",
		Short: "Measure the SQS workloads beside moto_server",
		Long: `Measure SQS on this machine with aws-sdk-go-v2: send+receive+delete in batches of 10 from 16
clients, single SendMessage from 16 clients and the long-poll wake-up, on SQLite (and PostgreSQL with
--postgres or GUREUM_TEST_POSTGRES), and the batched workload against moto_server with the same client.
Each workload runs in rounds (three unless --rounds says otherwise), the targets taking turns; each
figure is the median round, and the ratio to moto_server the median of the rounds' ratios. The floor
(the same client against bare net/http with fixed answers) runs in a process of its own.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := setup("SQS"); err != nil {
				return err
			}
			return RunSQS(cmd.Context(), o)
		},
	}
	sqsCmd.Flags().IntVar(&o.Rounds, "rounds", 3, "rounds of each workload per target; more narrow the medians on a drifting machine")
	// The SQS floor runs in a process of its own, started by `sqs` (StartSQSFloor).
	floorCmd := &cobra.Command{
		Use:    "sqs-floor",
		Short:  "Serve the SQS floor (fixed answers) and print its endpoint; for `sqs`",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return ServeSQSFloor(cmd.Context(), cmd.InOrStdin(), stdout)
		},
	}
	apigwCmd := &cobra.Command{
		Use:   "apigateway",
		Short: "Measure API Gateway invokes beside a bare net/http floor",
		Long: `Measure API Gateway (REST APIs) on this machine: unsigned invokes of a deployed MOCK method, of one
behind an API key in a usage plan without a quota (checked in memory) and of one in a plan with a
quota (one conditional write to the store per request), from 1 and 16 clients, beside the same GET
to a bare net/http handler (the floor). The key check's cost is the keyed p50 less the MOCK p50.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := setup("API Gateway"); err != nil {
				return err
			}
			return RunAPIGateway(cmd.Context(), o)
		},
	}
	apigwCmd.Flags().IntVar(&o.Rounds, "rounds", 3, "rounds of each workload; the workloads take turns and each figure is the median round")
	cmd.AddCommand(sqsCmd, floorCmd)
	cmd.AddCommand(apigwCmd)
	secretsCmd := &cobra.Command{
		Use:   "secrets",
		Short: "Measure Parameter Store, Secrets Manager and KMS beside moto_server",
		Long: `Measure with aws-sdk-go-v2: GetParameter and GetSecretValue latency from one client, and Encrypt
plus Decrypt of 4 KB from 16 clients, on SQLite (and PostgreSQL with --postgres or
GUREUM_TEST_POSTGRES), and the same workloads against moto_server.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := setup("secrets"); err != nil {
				return err
			}
			return RunSecrets(cmd.Context(), o)
		},
	}
	cmd.AddCommand(secretsCmd)
	s3Cmd := &cobra.Command{
		Use:   "s3",
		Short: "Measure S3 PUT and GET beside the disk's floor, moto_server and MinIO",
		Long: `Measure S3 on this machine with aws-sdk-go-v2: PUT and GET of 4 KiB and 1 MiB objects from 16
clients on gureum (SQLite), beside the disk's floor (a file written, fsynced and renamed; read back)
and the same client against moto_server (when installed) and MinIO in single-drive mode (--minio
names its binary; it is not built or fetched here).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := setup("S3"); err != nil {
				return err
			}
			return RunS3(cmd.Context(), o)
		},
	}
	s3Cmd.Flags().StringVar(&o.MinIO, "minio", "", "a MinIO server binary to measure beside gureum (single drive, its default fsync policy)")
	cmd.AddCommand(s3Cmd)
	iamCmd := &cobra.Command{
		Use:   "iam",
		Short: "Measure what authorization costs a request",
		Long: `Measure the authorizer every request goes through, in this process on an embedded store: the time
per request for an account's root on its own resources (the fast path), a user whose policies hold 50
statements, the same user on a queue with a resource policy, and another account's user granted by
that policy, beside the floor of --iam-enforcement=false (an authorizer that decides nothing). Each
figure is the p50 and p99 of batches of 100 authorizations after a warm-up (policies cached).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Out = stdout
			fmt.Fprintln(stderr, "measuring IAM…")
			return RunIAM(cmd.Context(), o)
		},
	}
	cmd.AddCommand(iamCmd)
	cmd.AddCommand(lambdaCommand(&o, setup))
	cmd.AddCommand(eventsCommand(&o, setup))
	cmd.AddCommand(deployCommand(&o, setup))
	cmd.CompletionOptions.DisableDefaultCmd = true
	return cmd
}
