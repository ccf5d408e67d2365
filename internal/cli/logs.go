package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/spf13/cobra"
)

// logsCmd is `gureum logs`: `gureum logs tail NAME [--follow] [--since 10m]` prints a log group's
// events from a running gureum. It runs gureum-logs (cmd/gureum-logs), built beside gureum (make
// build), which talks to the server through the AWS SDK's CloudWatch Logs client, so that the
// server does not link the SDK.
func logsCmd(stdout, stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "logs tail NAME [--follow] [--since 10m]",
		Short: "Print a log group's events from a running gureum, and with --follow the new ones (runs gureum-logs)",
		Long: `Print a log group's events from a running gureum: gureum logs tail /aws/lambda/my-function --follow.
It reads the server at --endpoint ($GUREUM_ENDPOINT, else http://127.0.0.1:4566) with the credentials
of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. The reading runs in gureum-logs, which make build puts
beside gureum; gureum logs tail --help lists its flags.`,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			exe, err := os.Executable()
			if err != nil {
				return err
			}
			tool, err := toolBinary(exe, "gureum-logs")
			if err != nil {
				return err
			}
			c := exec.Command(tool, args...)
			c.Stdin, c.Stdout, c.Stderr = os.Stdin, stdout, stderr
			return runChild(cmd.Context(), c)
		},
	}
}

// toolBinary is the named tool beside exe, or an error that says how to build it.
func toolBinary(exe, name string) (string, error) {
	path := filepath.Join(filepath.Dir(exe), name+filepath.Ext(exe)) // .exe on Windows
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%s is not beside this binary (%s): make build builds it into bin/, or go build -o %s ./cmd/%s", name, path, filepath.Dir(path), name)
	} else if err != nil {
		return "", err
	}
	return path, nil
}
