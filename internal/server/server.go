// Package server assembles gureum: it opens the store, makes sure the first account and its root
// credentials exist, builds every service and the router, and serves them on one HTTP listener
// with the health and metrics endpoints. The CLI (package cli) and the test harnesses start it the
// same way.
package server

import (
	"context"
	"crypto/tls"
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

	"golang.org/x/net/netutil"

	"github.com/gureum/gureum/internal/apigateway"
	"github.com/gureum/gureum/internal/apigatewayv2"
	bg "github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/cloudformation"
	"github.com/gureum/gureum/internal/cost"
	"github.com/gureum/gureum/internal/dynamodb"
	"github.com/gureum/gureum/internal/dynref"
	"github.com/gureum/gureum/internal/efs"
	"github.com/gureum/gureum/internal/events"
	"github.com/gureum/gureum/internal/iam"
	"github.com/gureum/gureum/internal/kms"
	"github.com/gureum/gureum/internal/logs"
	"github.com/gureum/gureum/internal/organizations"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/router"
	"github.com/gureum/gureum/internal/s3"
	"github.com/gureum/gureum/internal/scheduler"
	"github.com/gureum/gureum/internal/secretsmanager"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/sigv4"
	"github.com/gureum/gureum/internal/sns"
	"github.com/gureum/gureum/internal/sqs"
	"github.com/gureum/gureum/internal/ssm"
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

	// SQLiteDefaultVFS keeps the embedded store's writer on SQLite's default VFS rather than
	// gureum's WAL VFS (sqlite.Options.DefaultVFS; --sqlite-wal-vfs=false).
	SQLiteDefaultVFS bool

	Log    *slog.Logger
	Stdout io.Writer // where first-start credentials are printed

	DrainTimeout  time.Duration // how long shutdown waits for requests in flight
	HeaderTimeout time.Duration // how long a client may take to send the request headers
	BodyTimeout   time.Duration // how long a client may take to send a non-streaming body
	// NoIAMEnforcement lets every authenticated caller do anything (--iam-enforcement=false):
	// for throwaway local use. The zero value enforces IAM on every request.
	NoIAMEnforcement bool
	// MaxConnections caps the connections open at once (0: DefaultMaxConnections); beyond it the
	// server stops accepting until one closes.
	MaxConnections int
	// MaxBodyInflight caps the bytes of request bodies held at once (0: router.DefaultMaxBodyInflight).
	MaxBodyInflight int64
	// LifecycleDay is how long one S3 lifecycle "day" lasts (0: 24 hours); shorter to test expiry.
	LifecycleDay time.Duration
	// DeployMinute is how long one minute of a CodeDeploy deployment configuration lasts (0: a
	// minute); shorter to test gradual deployments.
	DeployMinute time.Duration
	// Endpoints are the data plane's entries (API Gateway invoke URLs, function URLs, website
	// endpoints), offered every request before the services.
	Endpoints     []router.Endpoint
	Now           func() time.Time
	Isolation     string // functions' sandboxes: "auto" (or ""), "namespace" or "process"
	SandboxCgroup string // the cgroup the sandboxes' cgroups are made under ("" is "gureum")
	WorkerMemory  int    // MB the functions' environments may take together (0: the host's less a reserve)
	EFSRoot       string // the directory EFS trees live under ("" is the data dir's "efs")
	// BlobDir is the directory S3's and Lambda's blobs live under (see blobPlace); "" keeps them
	// in PostgreSQL when the store is, else in the data dir's "blobs".
	BlobDir string
	// PrivateListen, when set, is a second listener whose requests count as coming through the
	// VPC endpoint VPCEndpointID (aws:SourceVpce): API Gateway's PRIVATE APIs answer only there.
	PrivateListen string
	VPCEndpointID string
	// TLSCert and TLSKey, when set, are PEM files: both listeners then serve HTTPS.
	TLSCert, TLSKey string
}

// DefaultMaxConnections is the default cap on open connections. Each idle connection costs the
// server about 10 KiB (its goroutine and buffers), so the cap bounds that cost near 40 MiB.
const DefaultMaxConnections = 4096

// Server is a running gureum.
type Server struct {
	cfg        Config
	store      store.Store
	metrics    *telemetry.Metrics
	services   []*service.Service
	components []component
	runner     *bg.Runner
	cost       *cost.Recorder // the cost ledger's (cost.go)
	http       *http.Server
	ln         net.Listener
	private    *http.Server // the private listener's server (PrivateListen), nil without one
	privateLn  net.Listener
	tls        *tls.Config // the listeners' TLS (TLSCert, TLSKey), nil for plain HTTP
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
	if err := s.useTLS(cfg); err != nil {
		return nil, err
	}
	st, err := openStore(ctx, cfg, s.metrics)
	if err != nil {
		return nil, err
	}
	s.store = st
	if s.Root, err = bootstrap(ctx, cfg, st); err != nil {
		st.Close()
		return nil, err
	}
	var outbox *bg.Outbox
	s.runner, outbox = newRunner(st, cfg, s.metrics)
	s.newCost()
	enforcer := iam.NewEnforcer(st, cfg.Now)
	var authorizer router.Authorizer = iam.RequestAuthorizer{Enforcer: enforcer}
	if cfg.NoIAMEnforcement {
		cfg.Log.Warn("IAM ENFORCEMENT IS OFF (--iam-enforcement=false): every authenticated caller may do anything to anything; for throwaway local use only")
		authorizer = iam.Unenforced{}
	}
	// One verifier: the router's, which API Gateway's AWS_IAM invokes go through too.
	verifier := &sigv4.Verifier{Keys: iam.NewKeys(st, cfg.Now), Region: cfg.Region, Now: cfg.Now}
	s.services, s.components = services(st, service.Env{Region: cfg.Region, Log: cfg.Log, Metrics: s.metrics, Runner: s.runner, Outbox: outbox,
		DataDir: cfg.DataDir}, cfg, enforcer, verifier, s.cost)
	s.components = append(s.withCost(s.components), s.runner) // started after the services, stopped before
	rt, err := router.New(router.Config{
		Services:        s.services,
		Endpoints:       s.withCostEndpoint(cfg.Endpoints, verifier),
		Verifier:        verifier,
		Authorizer:      authorizer,
		Metrics:         s.metrics,
		Log:             cfg.Log,
		Region:          cfg.Region,
		Now:             cfg.Now,
		BodyTimeout:     cfg.BodyTimeout,
		MaxBodyInflight: cfg.MaxBodyInflight,
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	s.http = &http.Server{
		Handler:           s.handler(s.browser(rt)),
		ReadHeaderTimeout: cfg.HeaderTimeout,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(cfg.Log.Handler(), slog.LevelWarn),
	}
	if s.ln, err = net.Listen("tcp", cfg.Listen); err != nil {
		st.Close()
		return nil, err
	}
	if cfg.MaxConnections == 0 {
		cfg.MaxConnections = DefaultMaxConnections
	}
	s.ln = netutil.LimitListener(s.ln, cfg.MaxConnections)
	if err := s.openPrivate(cfg); err != nil {
		s.ln.Close()
		st.Close()
		return nil, err
	}
	s.attachFunctions()
	return s, nil
}

// openPrivate opens the private listener (--private-listen): the same handler, its requests
// marked as having come through the VPC endpoint --vpc-endpoint-id.
func (s *Server) openPrivate(cfg Config) error {
	if cfg.PrivateListen == "" {
		return nil
	}
	if !strings.HasPrefix(cfg.VPCEndpointID, "vpce-") {
		return fmt.Errorf("--private-listen needs --vpc-endpoint-id vpce-…, got %q", cfg.VPCEndpointID)
	}
	ln, err := net.Listen("tcp", cfg.PrivateListen)
	if err != nil {
		return err
	}
	s.privateLn = netutil.LimitListener(ln, cfg.MaxConnections)
	s.private = &http.Server{
		Handler:           apigateway.PrivateAddressing(s.http.Handler),
		ReadHeaderTimeout: s.http.ReadHeaderTimeout,
		IdleTimeout:       s.http.IdleTimeout,
		MaxHeaderBytes:    s.http.MaxHeaderBytes,
		ErrorLog:          s.http.ErrorLog,
		BaseContext: func(net.Listener) context.Context {
			return apigateway.WithVPCEndpoint(context.Background(), cfg.VPCEndpointID)
		},
	}
	return nil
}

// PrivateEndpoint is the private listener's URL; "" without one.
func (s *Server) PrivateEndpoint() string {
	if s.privateLn == nil {
		return ""
	}
	return s.scheme() + s.privateLn.Addr().String()
}

// handler serves the server's own endpoints and hands everything else to the router, with the
// path as the client sent it: no ServeMux cleans it or redirects, since "/bucket/a/../b" and
// "/bucket/a//b" are S3 keys in their own right, and every other protocol answers a path it does
// not take with its own AWS error.
func (s *Server) handler(rt http.Handler) http.Handler {
	metrics := s.metrics.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			switch r.URL.Path {
			case "/_gureum/health":
				s.health(w, r)
				return
			case "/metrics":
				metrics.ServeHTTP(w, r)
				return
			}
		}
		rt.ServeHTTP(w, r)
	})
}

// topicPublisher publishes S3's event notifications to SNS in process, acting for the topic's
// own account as a service principal does.
type topicPublisher struct{ sns *sns.Service }

func (t topicPublisher) Publish(ctx context.Context, arn, message string) error {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return fmt.Errorf("%q is not a topic ARN", arn)
	}
	ctx = request.With(ctx, &request.Info{ID: request.NewID(), Service: "sns", Operation: "Publish",
		Principal: &request.Principal{Account: parts[4], ARN: "s3.amazonaws.com", UserID: "s3.amazonaws.com"}})
	subject := "Amazon S3 Notification"
	_, err := t.sns.Publish(ctx, &sns.PublishInput{TopicArn: arn, Message: &message, Subject: &subject})
	return err
}

// browser puts S3's browser requests (CORS preflights, form uploads), which are no API
// operation, in front of the router; the data-plane endpoints' hosts stay the router's.
func (s *Server) browser(rt http.Handler) http.Handler {
	eps := append([]service.Endpoint(nil), s.cfg.Endpoints...)
	for _, svc := range s.services {
		eps = append(eps, svc.Endpoints...)
	}
	for _, c := range s.components {
		if o, ok := c.(*s3.Service); ok {
			return o.Browser(rt, eps)
		}
	}
	return rt
}

// component is a service with background work, started and stopped with the server.
type component interface {
	Start(ctx context.Context) error
	Stop()
}

// newRunner builds the runner of the background work of every service, with the work every
// node runs for the store: the notifier's Listen loop (cross-node wake-ups) and the outbox's
// dispatcher, on which the services register their delivery handlers.
func newRunner(st store.Store, cfg Config, m *telemetry.Metrics) (*bg.Runner, *bg.Outbox) {
	r := bg.New(bg.Config{Leases: st, Log: cfg.Log.With("component", "background"), Metrics: m})
	r.Go("store.notifier", st.Listen)
	o := bg.NewOutbox(r, st, st, bg.OutboxOptions{})
	r.Go("outbox", o.Run)
	return r, o
}

// services builds every service gureum serves on a store, in dependency order (a service is
// built after the peers it is given), and lists those with a Start and Stop: they start in that
// order and stop in reverse. Each registers its background work on env.Runner (nil: none, as
// for Catalog).
func services(st store.Store, env service.Env, cfg Config, enforcer *iam.Enforcer, verifier *sigv4.Verifier, meter *cost.Recorder) ([]*service.Service, []component) {
	var invalidate func()
	if enforcer != nil {
		invalidate = enforcer.Invalidate
	}
	identity := iam.New(iam.Deps{Env: env, Store: st, OnChange: invalidate})
	tokens := sts.New(sts.Deps{Env: env, Store: st, Enforcer: enforcer})
	queues := sqs.New(sqs.Deps{Env: env, Store: st})
	accounts := organizations.New(organizations.Deps{Env: env, Store: st, Management: cfg.AccountID})
	var roles efs.Authorizer
	if enforcer != nil {
		roles = enforcer
	}
	files := efs.New(efs.Deps{Env: env, Store: st, Root: cfg.EFSRoot, Authorizer: roles})
	alarmSNS := &alarmTopics{}
	metrics := newCloudWatch(st, env, alarmSNS)
	peers := &functionPeers{queues: queues, tokens: tokens, metrics: metrics}
	functions := newFunctions(st, cfg, env, peers, files, meter)
	if meter != nil && st != nil {
		meter.RegisterStorage(env.Runner, fileSystemSizes{files, st})
	}
	functions.SetURLAuth(functionURLAuth(verifier, enforcer, cfg))
	functions.SetWorkerMemory(cfg.WorkerMemory)
	invoker := func(principal string) functionInvoker { return functionInvoker{fns: functions, service: principal} }
	// Services that invoke functions on their own behalf go through one check (serviceInvoker).
	forService := func(principal string) serviceInvoker {
		si := serviceInvoker{functionInvoker: invoker(principal)}
		if enforcer != nil && !cfg.NoIAMEnforcement {
			si.roles, si.enforce = enforcer, true
		}
		return si
	}
	var postAuth s3.Authorizer = iam.RequestAuthorizer{Enforcer: enforcer}
	if cfg.NoIAMEnforcement {
		postAuth = iam.Unenforced{}
	}
	topics := sns.New(sns.Deps{Env: env, Store: st, Queues: queues, Invoker: forService("sns.amazonaws.com")})
	alarmSNS.sns = topics
	objBlobs, objDir := blobPlace(st, cfg, "s3")
	objects := s3.New(s3.Deps{Env: env, Store: st, Blobs: objBlobs, BlobDir: objDir, Queues: queues.For("s3.amazonaws.com", sqs.S3Bucket), Functions: forService("s3.amazonaws.com"), Topics: topicPublisher{topics},
		Notifier: st, Verifier: verifier, Authorizer: postAuth, LifecycleDay: cfg.LifecycleDay})
	keys := kms.New(kms.Deps{Env: env, Store: st, Master: kmsMaster(st, cfg.DataDir),
		Enforce: enforcer != nil && !cfg.NoIAMEnforcement, Authorizer: iam.RequestAuthorizer{Enforcer: enforcer}, Roles: st})
	logGroups := logs.New(logs.Deps{Env: env, Store: st})
	eventBus := events.New(events.Deps{Env: env, Store: st, Queues: queues, Topics: topics, Logs: logGroups, Invoker: forService("events.amazonaws.com")})
	tables := dynamodb.New(dynamodb.Deps{Env: env, Store: st, Objects: tableObjects{s3: objects, svc: objects.Describe(), auth: postAuth}})
	schedules := scheduler.New(scheduler.Deps{Env: env, Store: st, Queues: queues, Events: eventBus, Invoker: forService("scheduler.amazonaws.com")})
	domains := apigatewayDomains(st, cfg) // custom domain names, which both generations share
	restAPIs := apigateway.New(apigateway.Deps{Env: env, Store: st, Queues: queues, Functions: forService("apigateway.amazonaws.com"),
		Verifier: verifier, Enforcer: invokeEnforcer(enforcer, cfg), Logs: logGroups, Domains: domains}).Describe()
	httpAPIs := apigatewayv2.New(apigatewayv2.Deps{Env: env, Store: st, Functions: forService("apigateway.amazonaws.com"),
		Authenticate: executeAPIAuthenticator(verifier), Authorize: executeAPIAccess(enforcer, cfg), Domains: domains})
	shareInvokeAddresses(restAPIs, httpAPIs)
	peers.objects, peers.logs, peers.topics, peers.events = objects, logGroups, topics, eventBus
	peers.streams.reader = tables
	// CloudFormation makes stacks' resources through every other service's table, as the
	// stack's creator, authorized as the router would.
	var stackAuth cloudformation.Authorizer = iam.Unenforced{}
	if enforcer != nil && !cfg.NoIAMEnforcement {
		stackAuth = iam.RequestAuthorizer{Enforcer: enforcer}
	}
	params := ssm.New(ssm.Deps{Env: env, Store: st, Keys: keys})
	secrets := secretsmanager.New(secretsmanager.Deps{Env: env, Store: st, Keys: keys, Invoker: rotationInvoker{invoker("secretsmanager.amazonaws.com")}})
	stacks := cloudformation.New(cloudformation.Deps{Env: env, Store: st, Authorizer: stackAuth,
		References: dynref.Resolver{Parameters: params, Secrets: secrets}})
	deployments := newCodeDeploy(st, env, cfg, functions, invoker("codedeploy.amazonaws.com"), metrics)
	all := []*service.Service{
		accounts.Describe(),
		identity.Describe(),
		tokens.Describe(),
		queues.Describe(),
		functions.Describe(),
		objects.Describe(),
		logGroups.Describe(),
		keys.Describe(),
		params.Describe(),
		secrets.Describe(),
		topics.Describe(),
		eventBus.Describe(),
		restAPIs,
		httpAPIs.Describe(),
		schedules.Describe(),
		tables.Describe(),
		tables.Streams(),
		files.Describe(),
		deployments.Describe(),
		stacks.Describe(),
		metrics.Describe(),
	}
	stacks.Use(all)
	return all, []component{metrics, queues, functions, objects, topics, eventBus, httpAPIs}
}

// shareInvokeAddresses lets API Gateway's two generations share the invoke addresses of REST
// APIs (<api-id>.execute-api.localhost and /_gureum/execute-api/<api-id>/): HTTP and WebSocket
// APIs answer theirs, the REST APIs' data plane the rest.
func shareInvokeAddresses(restAPIs *service.Service, httpAPIs *apigatewayv2.Service) {
	for i, ep := range restAPIs.Endpoints {
		if ep.Name == "execute-api" {
			restAPIs.Endpoints[i].Handler = httpAPIs.Claim(ep.Handler)
		}
	}
}

// executeAPIAuthenticator verifies SigV4 for execute-api (the @connections API, AWS_IAM routes)
// with the router's own verifier: one authentication path for every request form.
func executeAPIAuthenticator(v *sigv4.Verifier) apigatewayv2.Authenticator {
	return func(ctx context.Context, r *http.Request, body []byte) (*request.Principal, error) {
		if v == nil {
			return nil, errors.New("no verifier")
		}
		res, err := v.Verify(ctx, r, sigv4.Options{Service: "execute-api", Body: body})
		if err != nil {
			return nil, err
		}
		return res.Credential.Principal, nil
	}
}

// executeAPIAccess decides execute-api actions with IAM's policies (anything, without enforcement).
func executeAPIAccess(enforcer *iam.Enforcer, cfg Config) apigatewayv2.AccessCheck {
	return func(ctx context.Context, p *request.Principal, action, resource string) error {
		if enforcer == nil || cfg.NoIAMEnforcement {
			return nil
		}
		return enforcer.Authorize(ctx, p, []iam.Demand{{Action: action, Resource: resource}}, nil)
	}
}

// Catalog lists every service's operation table without a store, for documentation.
func Catalog() []*service.Service {
	svcs, _ := services(nil, service.Env{Region: "us-east-1"}, Config{Region: "us-east-1", AccountID: "000000000000"}, nil, nil, nil)
	return svcs
}

// invokeEnforcer is what decides API Gateway's execute-api:Invoke (AWS_IAM methods, resource
// policies): the Enforcer, or none when IAM is not enforced.
func invokeEnforcer(e *iam.Enforcer, cfg Config) apigateway.Enforcer {
	if e == nil || cfg.NoIAMEnforcement {
		return nil
	}
	return e
}

// kmsMaster is where KMS's master key lives: a 0600 file of the data dir beside an embedded
// store, the store itself when nodes share it (see kms.MasterKey for the trade-off).
func kmsMaster(st store.Store, dataDir string) kms.MasterKey {
	if st == nil || st.Backend() != "sqlite" {
		return nil
	}
	return kms.FileMasterKey(filepath.Join(dataDir, "kms-master.key"))
}

func openStore(ctx context.Context, cfg Config, m *telemetry.Metrics) (store.Store, error) {
	switch {
	case cfg.Store == "" || cfg.Store == "sqlite":
		return sqlite.Open(ctx, filepath.Join(cfg.DataDir, "gureum.db"), sqlite.Options{
			OnCommit: m.Commit, DefaultVFS: cfg.SQLiteDefaultVFS, Log: cfg.Log})
	case strings.HasPrefix(cfg.Store, "postgres://") || strings.HasPrefix(cfg.Store, "postgresql://"):
		return postgres.Open(ctx, cfg.Store, postgres.Options{OnCommit: m.Commit})
	}
	return nil, fmt.Errorf("--store %q: want empty (embedded SQLite) or a postgres:// URL", cfg.Store)
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Endpoint is the URL clients use.
func (s *Server) Endpoint() string { return s.scheme() + s.Addr() }

// Store is the server's store.
func (s *Server) Store() store.Store { return s.store }

// Serve answers requests until ctx ends, then stops accepting, drains requests in flight (up to
// the drain timeout) and closes the store.
func (s *Server) Serve(ctx context.Context) error {
	for i, c := range s.components {
		if err := c.Start(ctx); err != nil {
			for j := i - 1; j >= 0; j-- { // the ones started, in reverse
				s.components[j].Stop()
			}
			return errors.Join(err, s.store.Close())
		}
	}
	errc := make(chan error, 2)
	go func() { errc <- s.serve(s.http, s.ln) }()
	if s.private != nil {
		go func() { errc <- s.serve(s.private, s.privateLn) }()
		s.cfg.Log.Info("gureum private listener", "endpoint", s.PrivateEndpoint(), "vpc_endpoint_id", s.cfg.VPCEndpointID)
	}
	s.cfg.Log.Info("gureum listening", "endpoint", s.Endpoint(), "store", s.store.Backend(), "region", s.cfg.Region, "version", s.cfg.Version)
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		s.cfg.Log.Info("shutting down", "drain_timeout", s.cfg.DrainTimeout)
		dctx, cancel := context.WithTimeout(context.Background(), s.cfg.DrainTimeout)
		err = s.http.Shutdown(dctx)
		if s.private != nil && s.private.Shutdown(dctx) != nil {
			s.private.Close()
		}
		cancel()
		if err != nil {
			s.http.Close()
		}
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	for i := len(s.components) - 1; i >= 0; i-- { // in reverse: the runner before the services
		s.components[i].Stop()
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
	Reason   string            `json:"reason,omitempty"` // why the status is degraded
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	rep := healthReport{Status: "ok", Version: s.cfg.Version, Store: s.store.Backend(), Driver: s.store.Driver(), Region: s.cfg.Region,
		Uptime: s.cfg.Now().Sub(s.started).Seconds(), Services: map[string]string{}}
	status := http.StatusOK
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if reason := s.storeFault(ctx); reason != "" {
		rep.Status, status = "degraded", http.StatusServiceUnavailable
		rep.Store += ": unavailable"
		rep.Reason = reason
	} else if !s.store.Listening() {
		// Another node's announcements (a message for a long poll, a changed policy) would go
		// unheard: the node is not ready until its notifier listens.
		rep.Status, status = "degraded", http.StatusServiceUnavailable
		rep.Reason = "the store's notifier is not listening for other nodes yet"
	}
	for _, svc := range s.services {
		rep.Services[svc.Name] = "running"
	}
	s.functionsHealth(rep.Services)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(rep)
}
