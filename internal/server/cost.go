package server

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/gureum/gureum/internal/cost"
	"github.com/gureum/gureum/internal/efs"
	"github.com/gureum/gureum/internal/lambda"
	"github.com/gureum/gureum/internal/router"
	"github.com/gureum/gureum/internal/sigv4"
	"github.com/gureum/gureum/internal/store"
)

// CostPath is where `gureum cost` reads the ledger: GET CostPath+"usage"?account=&from=&to=,
// signed with SigV4 for the signing name CostSigningName. The first account's root may read
// every account's rows (account empty) or one's; another account's root only its own.
const (
	CostPath        = "/_gureum/cost/"
	CostSigningName = "gureum"
)

// CostUsage is the endpoint's answer: the server's region and the ledger's rows.
type CostUsage struct {
	Region string
	Usage  []store.CostUsage
}

// newCost builds the cost ledger's recorder and registers its flusher on the runner (the
// storage sampler joins when EFS's sizes are wired: Recorder.RegisterStorage).
func (s *Server) newCost() {
	s.cost = cost.NewRecorder(s.store, s.cfg.Region, s.runner.Clock(), s.cfg.Log.With("component", "cost"))
	s.cost.Register(s.runner)
}

// withCost puts the recorder first among the components: it stops last, after the services
// whose last invocations it records, and before the store closes.
func (s *Server) withCost(cs []component) []component {
	return append([]component{s.cost}, cs...)
}

// CostRecorder is the recorder every completed invocation goes to.
func (s *Server) CostRecorder() *cost.Recorder { return s.cost }

// withCostEndpoint is the data plane's endpoints and the cost ledger's (a new slice: the
// caller's stays as it was).
func (s *Server) withCostEndpoint(eps []router.Endpoint, v *sigv4.Verifier) []router.Endpoint {
	return append(slices.Clip(eps), s.costEndpoint(v))
}

// costEndpoint serves the ledger to `gureum cost`. It flushes this node's pending usage first,
// so what was recorded here is in the answer (other nodes' within their next second).
func (s *Server) costEndpoint(v *sigv4.Verifier) router.Endpoint {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != CostPath+"usage" {
			http.Error(w, "NotFound", http.StatusNotFound)
			return
		}
		res, err := v.Verify(r.Context(), r, sigv4.Options{Service: CostSigningName})
		if err != nil {
			http.Error(w, "AccessDenied: "+err.Error(), http.StatusForbidden)
			return
		}
		p := res.Credential.Principal
		q := r.URL.Query()
		f := store.CostFilter{Account: q.Get("account"), From: q.Get("from"), To: q.Get("to")}
		switch {
		case p == nil || !p.Root:
			http.Error(w, "AccessDenied: the cost ledger is for an account's root", http.StatusForbidden)
			return
		case p.Account != s.cfg.AccountID && f.Account == "":
			f.Account = p.Account
		case p.Account != s.cfg.AccountID && f.Account != p.Account:
			http.Error(w, "AccessDenied: only the first account's root reads another account's ledger", http.StatusForbidden)
			return
		}
		for _, d := range []string{f.From, f.To} {
			if _, err := time.Parse(cost.DayLayout, d); d != "" && err != nil {
				http.Error(w, "ValidationError: a day is YYYY-MM-DD", http.StatusBadRequest)
				return
			}
		}
		if err := s.cost.Flush(r.Context()); err != nil {
			s.cfg.Log.Warn("cost: flush before a read", "error", err)
		}
		rows, err := s.store.ListCostUsage(r.Context(), f)
		if err != nil {
			s.cfg.Log.Error("cost: list the ledger", "error", err)
			http.Error(w, "InternalError", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(CostUsage{Region: s.cfg.Region, Usage: rows})
	})
	return router.Endpoint{Name: "cost", Prefix: CostPath, Handler: h}
}

// costUsage hands Lambda's completed invocations to the cost ledger.
type costUsage struct{ r *cost.Recorder }

func (c costUsage) RecordUsage(ctx context.Context, u lambda.Usage) {
	c.r.Record(ctx, cost.Invocation{AccountID: u.AccountID, Region: u.Region, FunctionName: u.FunctionName, Version: u.Version,
		Architecture: u.Architecture, MemoryMB: u.MemoryMB, EphemeralStorageMB: u.EphemeralStorageMB, BilledDuration: u.BilledDuration, At: u.At})
}

// fileSystemSizes is every account's EFS file systems and their metered sizes, for the ledger's
// storage sampler.
type fileSystemSizes struct {
	files    *efs.Service
	accounts store.Accounts
}

func (f fileSystemSizes) FileSystemSizes(ctx context.Context) ([]cost.FileSystemSize, error) {
	as, err := f.accounts.ListAccounts(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	sizes, err := f.files.FileSystemSizes(ctx, ids)
	out := make([]cost.FileSystemSize, len(sizes))
	for i, z := range sizes {
		out[i] = cost.FileSystemSize(z)
	}
	return out, err
}
