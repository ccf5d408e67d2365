package cli

import (
	"io"
	"os"
	"os/exec"

	"github.com/spf13/cobra"
)

// deployCmd is `gureum deploy --template FILE --stack-name NAME`: it packages a template's local
// code into S3 and deploys it through a change set to a running gureum, following the stack's
// events. It runs gureum-deploy (cmd/gureum-deploy, package internal/deploy), built beside gureum
// (make build), which talks to the server through the AWS SDK, so that the server does not link
// the SDK.
func deployCmd(stdout, stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "deploy --template FILE --stack-name NAME [--parameter-overrides K=V ...] [--s3-bucket B] [--no-execute]",
		Short: "Package a template's local code into S3 and deploy it through a change set (runs gureum-deploy)",
		Long: `Deploy a CloudFormation or SAM template to a running gureum, the way sam deploy does: local
CodeUri/ContentUri/Code/Content paths are uploaded to S3, a change set made and executed, and the
stack's events printed until it settles, then its outputs; non-zero exit on failure or rollback.
The server is --endpoint ($GUREUM_ENDPOINT, $AWS_ENDPOINT_URL, else http://127.0.0.1:4566). The
work runs in gureum-deploy, which make build puts beside gureum; gureum deploy --help lists its flags.`,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			exe, err := os.Executable()
			if err != nil {
				return err
			}
			tool, err := toolBinary(exe, "gureum-deploy")
			if err != nil {
				return err
			}
			c := exec.Command(tool, args...)
			c.Stdin, c.Stdout, c.Stderr = os.Stdin, stdout, stderr
			return runChild(cmd.Context(), c)
		},
	}
}
