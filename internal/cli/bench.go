package cli

import (
	"io"

	"github.com/spf13/cobra"
)

func benchCmd(getenv func(string) string, stdout, stderr io.Writer) *cobra.Command {
	return &cobra.Command{Use: "bench", Short: "Measure gureum on this machine and print a table of figures"}
}
