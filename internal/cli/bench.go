package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
)

// benchCmd is `gureum bench`. The measurements run in gureum-bench (cmd/gureum-bench), the load
// generator, a binary of its own built beside gureum (make build) so that the AWS SDK clients it
// drives are not linked into the server: gureum bench runs it with its arguments, naming this
// binary as the one to measure.
func benchCmd(stdout, stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "bench [sqs|s3|iam|apigateway|secrets|events] [flags]",
		Short: "Measure gureum on this machine and print a table of figures (runs gureum-bench)",
		Long: `Measure gureum on this machine and print a table of figures: start-up, memory, request latency
and durable writes (gureum bench), the SQS workloads (gureum bench sqs), S3 PUT and GET (gureum
bench s3), what authorization costs a request (gureum bench iam), API Gateway invokes (gureum
bench apigateway), Parameter Store, Secrets Manager and KMS (gureum bench secrets), or EventBridge and SNS
delivery and rule matching (gureum bench events). The measurements run in
gureum-bench, the load generator, which make build puts beside gureum; gureum bench --help lists
its flags.`,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			exe, err := os.Executable()
			if err != nil {
				return err
			}
			bench, err := benchBinary(exe)
			if err != nil {
				return err
			}
			c := exec.Command(bench, append([]string{"--gureum=" + exe}, args...)...)
			c.Stdin, c.Stdout, c.Stderr = os.Stdin, stdout, stderr
			return runChild(cmd.Context(), c)
		},
	}
}

// benchBinary is gureum-bench beside exe, or an error that says how to build it.
func benchBinary(exe string) (string, error) {
	path := filepath.Join(filepath.Dir(exe), "gureum-bench"+filepath.Ext(exe)) // .exe on Windows
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("gureum bench runs gureum-bench, the load generator, which is not beside this binary (%s): make build builds both into bin/, or go build -o %s ./cmd/gureum-bench", path, filepath.Dir(path))
	} else if err != nil {
		return "", err
	}
	return path, nil
}

// runChild runs c until it exits. When ctx ends first (a signal to gureum), the signal reached
// the child too if it came from the terminal (one process group); if it was sent to gureum
// alone, the child is interrupted a second later, so that either way it stops once and cleanly.
func runChild(ctx context.Context, c *exec.Cmd) error {
	if err := c.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	select {
	case err := <-done:
		return err
	case <-time.After(time.Second):
		c.Process.Signal(os.Interrupt)
	}
	return <-done
}
