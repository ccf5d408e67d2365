// Command gureum-deploy deploys a template to a running gureum (`gureum deploy`). It is a binary
// of its own, run by `gureum deploy`, so that the AWS SDK clients it uses are not linked into
// gureum.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/gureum/gureum/internal/deploy"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := deploy.Main(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gureum deploy:", err)
		stop()
		os.Exit(1)
	}
}
