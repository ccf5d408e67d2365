package server

import (
	"path/filepath"

	"github.com/gureum/gureum/internal/blob"
	"github.com/gureum/gureum/internal/lambda"
	"github.com/gureum/gureum/internal/sandbox"
	"github.com/gureum/gureum/internal/store"
)

// newFunctions builds the Lambda service: code in the blob store under the data dir, sandboxes
// at the configured isolation level (auto: namespaces when possible, else loudly processes).
func newFunctions(st store.Store, cfg Config) *lambda.Service {
	lc := lambda.Config{Store: st, Region: cfg.Region, DataDir: filepath.Join(cfg.DataDir, "functions"), Log: cfg.Log, Now: cfg.Now}
	if st == nil { // the catalog
		return lambda.New(lc)
	}
	if b, err := blob.NewFiles(filepath.Join(cfg.DataDir, "blobs")); err == nil {
		lc.Blobs = b
	} else if cfg.Log != nil {
		cfg.Log.Error("functions: no blob store", "err", err)
	}
	level, auto, err := sandbox.ParseLevel(cfg.Isolation)
	if err == nil {
		lc.Sandboxes, err = sandbox.New(sandbox.Config{Level: level, Auto: auto, StateDir: filepath.Join(cfg.DataDir, "sandbox"),
			Prebuilt: 2, PrebuiltPorts: lambda.SandboxPorts})
	}
	if err != nil && cfg.Log != nil {
		cfg.Log.Error("functions cannot run", "err", err)
	}
	if lc.Sandboxes != nil && cfg.Log != nil {
		if lc.Sandboxes.Level() == sandbox.Process {
			cfg.Log.Warn("FUNCTIONS RUN UNISOLATED as plain child processes", "reason", lc.Sandboxes.Reason())
		} else {
			cfg.Log.Info("functions run in namespace sandboxes", "cgroups", lc.Sandboxes.Cgroups())
		}
	}
	return lambda.New(lc)
}

// attachFunctions gives the Lambda service gureum's own handler, which it serves inside each
// sandbox for AWS_ENDPOINT_URL. (Its code download links are its data-plane endpoint.)
func (s *Server) attachFunctions() {
	for _, c := range s.components {
		if fns, ok := c.(*lambda.Service); ok {
			fns.SetEndpoint(s.http.Handler, s.Endpoint())
		}
	}
}

// functionsHealth says in the health report how functions are isolated, loudly when they are not.
func (s *Server) functionsHealth(services map[string]string) {
	for _, c := range s.components {
		if fns, ok := c.(*lambda.Service); ok {
			level, reason := fns.Isolation()
			if reason != "" {
				services["lambda"] = "running; functions NOT isolated (" + level + "): " + reason
			} else {
				services["lambda"] = "running; isolation " + level
			}
		}
	}
}
