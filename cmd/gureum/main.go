// Command gureum is a self-hosted serverless platform that speaks the AWS wire protocols.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/gureum/gureum/internal/cli"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		cancel() // first signal: stop accepting and drain
		<-sig
		os.Exit(130) // second signal: exit at once
	}()
	if err := cli.Main(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gureum:", err)
		os.Exit(1)
	}
}
