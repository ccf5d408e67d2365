// Command gureum-bench measures gureum on this machine and prints a table of figures. It is the
// load generator behind `gureum bench`, a binary of its own so that the AWS SDK clients it drives
// are not linked into gureum.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/gureum/gureum/internal/bench"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		cancel() // first signal: stop measuring, stop the servers started
		<-sig
		os.Exit(130) // second signal: exit at once
	}()
	run := func() error { return bench.Main(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr) }
	if len(os.Args) > 1 && os.Args[1] == "dynamodb" { // DynamoDB's workloads (dynamodb.go)
		run = func() error { return runDynamoDB(ctx, os.Args[2:], os.Stdout, os.Stderr) }
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gureum-bench:", err)
		os.Exit(1)
	}
}
