package bench

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/spf13/cobra"
)

// The Lambda workloads: warm Invoke of a Python echo function through aws-sdk-go-v2 from 1 client
// (p50) and from 4 (throughput), and its cold start (the invoke that follows a configuration
// change, which retires the warm environments), beside the floors of a bare fork+exec of
// /bin/true and of the interpreter alone (python3 -S -c pass).

func lambdaCommand(o *Options, setup func(string) error) *cobra.Command {
	return &cobra.Command{
		Use:   "lambda",
		Short: "Measure Lambda warm invokes and cold starts beside a process-start floor",
		Long: `Measure Lambda on this machine with aws-sdk-go-v2: Invoke of a warm Python echo function from 1
client (p50, p99) and 4 clients (invokes per second), and the cold start of the same function (the
first invoke after its configuration changed), beside the floor of a bare fork+exec of /bin/true and
of the interpreter alone (python3 -S -c pass).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := setup("Lambda"); err != nil {
				return err
			}
			return RunLambda(cmd.Context(), *o)
		},
	}
}

const lambdaBenchHandler = "def handler(event, context):\n    return event\n"

// RunLambda measures the Lambda workloads and prints a table.
func RunLambda(ctx context.Context, o Options) error {
	dir, err := os.MkdirTemp("", "gureum-bench-lambda")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	const id, secret = "AKIAGUREUMBENCH00001", "bench-secret"
	cmd, endpoint, _, err := StartBinary(ctx, o.Binary, dir+"/sqlite", id, secret)
	if err != nil {
		return err
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	c := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, ""), RetryMaxAttempts: 1})
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("app.py")
	w.Write([]byte(lambdaBenchHandler))
	zw.Close()
	if _, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("bench"), Runtime: types.RuntimePython312,
		Role: aws.String("arn:aws:iam::000000000000:role/bench"), Handler: aws.String("app.handler"), Timeout: aws.Int32(60), Code: &types.FunctionCode{ZipFile: zbuf.Bytes()}}); err != nil {
		return err
	}
	in := &lambda.InvokeInput{FunctionName: aws.String("bench"), Payload: []byte(`{"x":1}`)}
	invoke := func(ctx context.Context, _ int64) error {
		out, err := c.Invoke(ctx, in)
		if err == nil && out.FunctionError != nil {
			err = fmt.Errorf("function error: %s", out.Payload)
		}
		return err
	}
	var tbl table
	// Floors: what any start of a process costs here.
	if d, err := startFloor("/bin/true"); err == nil {
		tbl.add("lambda", "floor: fork+exec /bin/true, p50", ms(d), "")
	}
	if py, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output(); err == nil { // past pyenv's shims
		if d, err := startFloor(string(bytes.TrimSpace(py)), "-S", "-c", "pass"); err == nil {
			tbl.add("lambda", "floor: python3 -S -c pass, p50", ms(d), "")
		}
	}
	// Cold starts: each sample changes the configuration, which retires the warm environments.
	var colds []time.Duration
	for i := range 10 {
		if _, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("bench"),
			Environment: &types.Environment{Variables: map[string]string{"SAMPLE": strconv.Itoa(i)}}}); err != nil {
			return err
		}
		t0 := time.Now()
		if err := invoke(ctx, 0); err != nil {
			return fmt.Errorf("cold invoke: %w", err)
		}
		colds = append(colds, time.Since(t0))
	}
	sort.Slice(colds, func(i, j int) bool { return colds[i] < colds[j] })
	tbl.add("lambda", "cold start, python3.12 (Invoke after a config change), p50 of 10", ms(colds[len(colds)/2]), "")
	// Warm: after enough invokes from 4 clients that 4 environments are up.
	if _, err := concurrently(ctx, 4, 1<<62, 2*time.Second, invoke); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	one, err := concurrently(ctx, 1, 1<<62, o.Duration, invoke)
	if err != nil {
		return err
	}
	tbl.add("lambda", "warm Invoke, 1 client, p50", ms(one.P50), "")
	tbl.add("lambda", "warm Invoke, 1 client, p99", ms(one.P99), "")
	many, err := concurrently(ctx, 4, 1<<62, o.Duration, invoke)
	if err != nil {
		return err
	}
	tbl.add("lambda", "warm Invoke, 4 clients", fmt.Sprintf("%.0f invokes/s", many.PerSec), "")
	return tbl.print(o.Out)
}

// startFloor is the p50 of 50 fork+exec+wait of a program.
func startFloor(prog string, args ...string) (time.Duration, error) {
	var ds []time.Duration
	for range 50 {
		t0 := time.Now()
		if err := exec.Command(prog, args...).Run(); err != nil {
			return 0, err
		}
		ds = append(ds, time.Since(t0))
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2], nil
}
