package service

import (
	"io"
	"log/slog"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/telemetry"
)

// Env is what the server hands every service it builds: one value for what all of them need.
// Each service's own dependencies value (sqs.Deps, …) embeds it beside the slice of the store the
// service uses and the peer services it calls, through small interfaces the service itself
// defines (S3 notifications need "enqueue to a queue", not the whole queue service).
type Env struct {
	Region  string
	Log     *slog.Logger       // the service's own logger (With "service", name)
	Clock   background.Clock   // Now and After; a fake in tests
	Metrics *telemetry.Metrics // nil reports nothing
	// Runner is where the service registers its background work (background.Runner's Every,
	// Tasks, Shards, Go); nil when only the operation table is wanted.
	Runner *background.Runner
	// Outbox is where the service registers the handler of each kind of delivery it records in
	// its store transactions (Outbox.Handle); nil with Runner.
	Outbox *background.Outbox
	// DataDir is the server's data directory (S3 keeps object data under it); "" for Catalog.
	DataDir string
}

// For returns the Env of the service name: its logger names it. Unset fields get defaults (a
// discarding logger, the real clock).
func (e Env) For(name string) Env {
	if e.Log == nil {
		e.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	e.Log = e.Log.With("service", name)
	if e.Clock == nil {
		e.Clock = background.RealClock{}
	}
	return e
}
