// Package server assembles gureum: it opens the store, makes sure the first account and its root
// credentials exist, builds every service and the router, and serves them on one HTTP listener
// with the health and metrics endpoints. The CLI (package cli) and the test harnesses start it the
// same way.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/iam"
	"github.com/gureum/gureum/internal/router"
	"github.com/gureum/gureum/internal/s3"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/sigv4"
	"github.com/gureum/gureum/internal/sqs"
	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/postgres"
	"github.com/gureum/gureum/internal/store/sqlite"
	"github.com/gureum/gureum/internal/sts"
	"github.com/gureum/gureum/internal/telemetry"
)

// Config is everything the server needs to start.
type Config struct {
	Listen    string // host:port; port 0 picks a free one
	DataDir   string
	Region    string
	Store     string // "" or "sqlite" for the embedded store, or a postgres:// URL
	AccountID string
	Version   string

	RootAccessKeyID     string // from GUREUM_ROOT_ACCESS_KEY_ID; generated when empty
	RootSecretAccessKey string

	Log    *slog.Logger
	Stdout io.Writer // where first-start credentials are printed

	DrainTimeout  time.Duration // how long shutdown waits for requests in flight
	HeaderTimeout time.Duration // how long a client may take to send the request headers
	BodyTimeout   time.Duration // how long a client may take to send a non-streaming body
	Now           func() time.Time
}

// Server is a running gureum.
type Server struct {
	cfg        Config
	store      store.Store
	metrics    *telemetry.Metrics
	services   []*service.Service
	components []component
	http       *http.Server
	ln         net.Listener
	started    time.Time
	Root       RootCredentials
}

// Open prepares a server: the data directory, the store and its migrations, the first account and
// its root credentials, the services and the listener. Serve starts answering.
func Open(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DrainTimeout == 0 {
		cfg.DrainTimeout = 10 * time.Second
	}
	if cfg.HeaderTimeout == 0 {
		cfg.HeaderTimeout = 10 * time.Second
	}
	if cfg.BodyTimeout == 0 {
		cfg.BodyTimeout = 60 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Stdout == nil {
		cfg.Stdout = io.Discard
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	s := &Server{cfg: cfg, metrics: telemetry.New(), started: cfg.Now()}
	st, err := openStore(ctx, cfg, s.metrics)
	if err != nil {
		return nil, err
	}
	s.store = st
	if s.Root, err = bootstrap(ctx, cfg, st); err != nil {
		st.Close()
		return nil, err
	}
	s.services, s.components = services(st, cfg.Region, cfg.DataDir)
	rt := router.New(router.Config{
		Services:    s.services,
		Verifier:    &sigv4.Verifier{Keys: iam.NewKeys(st, cfg.Now), Region: cfg.Region, Now: cfg.Now},
		Authorizer:  iam.Authorizer{},
		Metrics:     s.metrics,
		Log:         cfg.Log,
		Region:      cfg.Region,
		BodyTimeout: cfg.BodyTimeout,
	})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_gureum/health", s.health)
	mux.Handle("GET /metrics", s.metrics.Handler())
	s.http = &http.Server{
		Handler:           unclean(mux, rt),
		ReadHeaderTimeout: cfg.HeaderTimeout,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(cfg.Log.Handler(), slog.LevelWarn),
	}
	if s.ln, err = net.Listen("tcp", cfg.Listen); err != nil {
		st.Close()
		return nil, err
	}
	return s, nil
}

// unclean sends the server's own endpoints to mux and everything else to the router as sent:
// ServeMux would redirect a path with "//" or ".." to its cleaned form, and S3 keys keep both.
func unclean(mux *http.ServeMux, rt http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; p == "/_gureum/health" || p == "/metrics" {
			mux.ServeHTTP(w, r)
			return
		}
		rt.ServeHTTP(w, r)
	})
}

// component is a service with background work, started and stopped with the server.
type component interface {
	Start(ctx context.Context) error
	Stop()
}

// services builds every service gureum serves on a store, and those with background work.
func services(st store.Store, region, dataDir string) ([]*service.Service, []component) {
	queues := sqs.New(st, region, nil)
	objects := s3.New(s3.Config{Store: st, BlobDir: s3.BlobDir(dataDir), Region: region, Queues: queues})
	return []*service.Service{
		(&sts.Service{Accounts: st}).Describe(),
		queues.Describe(),
		objects.Describe(),
	}, []component{queues, objects}
}

// Catalog lists every service's operation table without a store, for documentation.
func Catalog() []*service.Service {
	svcs, _ := services(nil, "us-east-1", "")
	return svcs
}

func openStore(ctx context.Context, cfg Config, m *telemetry.Metrics) (store.Store, error) {
	switch {
	case cfg.Store == "" || cfg.Store == "sqlite":
		return sqlite.Open(ctx, filepath.Join(cfg.DataDir, "gureum.db"), sqlite.Options{OnCommit: m.Commit})
	case strings.HasPrefix(cfg.Store, "postgres://") || strings.HasPrefix(cfg.Store, "postgresql://"):
		return postgres.Open(ctx, cfg.Store, postgres.Options{OnCommit: m.Commit})
	}
	return nil, fmt.Errorf("--store %q: want empty (embedded SQLite) or a postgres:// URL", cfg.Store)
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Endpoint is the URL clients use.
func (s *Server) Endpoint() string { return "http://" + s.Addr() }

// Store is the server's store.
func (s *Server) Store() store.Store { return s.store }

// Serve answers requests until ctx ends, then stops accepting, drains requests in flight (up to
// the drain timeout) and closes the store.
func (s *Server) Serve(ctx context.Context) error {
	for i, c := range s.components {
		if err := c.Start(ctx); err != nil {
			for _, started := range s.components[:i] {
				started.Stop()
			}
			return errors.Join(err, s.store.Close())
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.ln) }()
	s.cfg.Log.Info("gureum listening", "endpoint", s.Endpoint(), "store", s.store.Backend(), "region", s.cfg.Region, "version", s.cfg.Version)
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		s.cfg.Log.Info("shutting down", "drain_timeout", s.cfg.DrainTimeout)
		dctx, cancel := context.WithTimeout(context.Background(), s.cfg.DrainTimeout)
		err = s.http.Shutdown(dctx)
		cancel()
		if err != nil {
			s.http.Close()
		}
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	for _, c := range s.components {
		c.Stop()
	}
	return errors.Join(err, s.store.Close())
}

type healthReport struct {
	Status   string            `json:"status"`
	Version  string            `json:"version"`
	Store    string            `json:"store"`
	Driver   string            `json:"store_driver"`
	Region   string            `json:"region"`
	Uptime   float64           `json:"uptime_seconds"`
	Services map[string]string `json:"services"`
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	rep := healthReport{Status: "ok", Version: s.cfg.Version, Store: s.store.Backend(), Driver: s.store.Driver(), Region: s.cfg.Region,
		Uptime: s.cfg.Now().Sub(s.started).Seconds(), Services: map[string]string{}}
	status := http.StatusOK
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		rep.Status, status = "degraded", http.StatusServiceUnavailable
		rep.Store += ": unavailable"
	}
	for _, svc := range s.services {
		rep.Services[svc.Name] = "running"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(rep)
}
