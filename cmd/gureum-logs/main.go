// Command gureum-logs reads the logs of a running gureum (`gureum logs tail NAME --follow`). It is
// a binary of its own, run by `gureum logs`, so that the AWS SDK client it uses is not linked into
// gureum.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/gureum/gureum/internal/logs/tail"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := tail.Main(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gureum logs:", err)
		stop()
		os.Exit(1)
	}
}
