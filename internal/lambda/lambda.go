// Package lambda is AWS Lambda (REST-JSON, API version 2015-03-31): the control plane of
// functions, versions and aliases on the store, and Invoke, which runs functions in sandboxes
// (package sandbox) that speak the Runtime API (package runtimeapi).
//
// Invoke follows Lambda's own shape: a front end resolves the function and qualifier, a counting
// service admits the invoke against account and reserved concurrency without touching a sandbox,
// and a worker manager reuses a warm environment of that version or starts one.
package lambda

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/blob"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/sandbox"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
)

// Config wires the Lambda service.
type Config struct {
	Store     store.Functions
	Blobs     blob.Store
	Sandboxes *sandbox.Manager
	Region    string
	DataDir   string // unpacked code, runtime clients
	Log       *slog.Logger
	Now       func() time.Time

	// AccountConcurrency is the account's concurrency limit (default 1,000).
	AccountConcurrency int
	// IdleTimeout is how long a warm environment waits for an invoke before it is stopped.
	IdleTimeout time.Duration
	// MaxEnvironments caps live environments (default 256).
	MaxEnvironments int
	// WorkerMemory is the memory, in MB, this node's worker gives its environments together
	// (default: DefaultWorkerMemory); PlacementWait how long a new environment waits for room
	// before its invoke is throttled (default 2 s).
	WorkerMemory  int
	PlacementWait time.Duration
	// FileSystems resolves EFS access points for FileSystemConfigs (nil: none are available).
	FileSystems FileSystems

	// Clock times asynchronous retries and event ages (default: the real clock).
	Clock background.Clock
	// Outbox records asynchronous invocations (the store); Dispatcher delivers them (nil: the
	// catalog, or a service without asynchronous invocation).
	Outbox     store.Outbox
	Dispatcher *background.Outbox
	// Runner runs the event source mappings' pollers and the log shipper.
	Runner *background.Runner
	// Destinations, Queues and Logs are the peer services Lambda sends to, polls and logs to.
	Destinations Destinations
	Queues       Queues
	// Streams reads DynamoDB streams for their event source mappings (nil: none can be mapped).
	Streams Streams
	Logs    Logs
	// Objects reads code from S3 (Code.S3Bucket/S3Key; nil: not available).
	Objects Objects
	// Roles issues execution-role credentials (STS in process; nil: functions get none).
	Roles Roles
	// AsyncRetryDelay is the wait before the first retry of a failed asynchronous invocation
	// (Lambda: 1 minute, then twice that); AsyncThrottleDelay the first wait after a throttle (1 s).
	AsyncRetryDelay, AsyncThrottleDelay time.Duration
	// Usage, when set, is told of every completed invocation (the cost ledger; see usage.go).
	Usage UsageRecorder
}

// Service serves Lambda.
type Service struct {
	cfg      Config
	counter  *counter
	workers  *workers
	runtimes *runtimes

	mu          sync.Mutex // serialises read-modify-write of a function's records
	results     sync.Map   // mapping UUID → the LastProcessingResult last written
	pollMu      sync.Mutex
	polls       map[string]map[*context.CancelFunc]context.CancelFunc // the polls in progress, by mapping
	shipper     *shipper                                              // function logs on their way to CloudWatch Logs
	policyCache sync.Map                                              // function ARN → policyEntry: the policies the authorizer weighs
	urlCache    sync.Map                                              // URL id → *urlEntry: the function URLs the data plane serves
	urlAuth     URLAuth                                               // how function URL requests are authenticated and authorized
	prov        provisioner                                           // provisioned concurrency pools (provisioned.go)
	place       *placement                                            // the workers and the memory placed on them (placement.go)
	endpoint    http.Handler
	baseURL     string // how GetFunction's Code.Location is addressed
}

// New builds the service. Sandboxes may be nil for a catalog-only service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.AccountConcurrency == 0 {
		cfg.AccountConcurrency = 1000
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 5 * time.Minute
	}
	if cfg.MaxEnvironments == 0 {
		cfg.MaxEnvironments = 256
	}
	if cfg.Clock == nil {
		cfg.Clock = background.RealClock{}
	}
	if cfg.AsyncRetryDelay == 0 {
		cfg.AsyncRetryDelay = time.Minute
	}
	if cfg.AsyncThrottleDelay == 0 {
		cfg.AsyncThrottleDelay = time.Second
	}
	if cfg.WorkerMemory == 0 {
		cfg.WorkerMemory = DefaultWorkerMemory()
	}
	if cfg.PlacementWait == 0 {
		cfg.PlacementWait = 2 * time.Second
	}
	s := &Service{cfg: cfg, counter: newCounter(cfg.AccountConcurrency)}
	s.place = newPlacement(cfg.PlacementWait, localWorker{m: cfg.Sandboxes, mb: cfg.WorkerMemory})
	s.runtimes = newRuntimes(cfg.DataDir)
	s.workers = newWorkers(s)
	s.registerAsync()
	s.registerMappings()
	s.registerLogs()
	return s
}

// SetEndpoint gives functions gureum's own handler, served inside each sandbox for
// AWS_ENDPOINT_URL, and the server's base URL for code downloads.
func (s *Service) SetEndpoint(h http.Handler, baseURL string) {
	s.endpoint, s.baseURL = h, baseURL
}

// SetWorkerMemory sets the memory, in MB, this node's worker gives its environments (before
// Start; 0 keeps the default).
func (s *Service) SetWorkerMemory(mb int) {
	if mb > 0 {
		s.cfg.WorkerMemory = mb
		s.place = newPlacement(s.cfg.PlacementWait, localWorker{m: s.cfg.Sandboxes, mb: mb})
	}
}

// Start begins the worker manager's idle expiry and rebuilds the provisioned concurrency pools.
func (s *Service) Start(ctx context.Context) error {
	if s.cfg.Sandboxes != nil && s.cfg.Sandboxes.Level() == sandbox.Process {
		s.cfg.Log.Warn("FUNCTIONS ARE NOT ISOLATED: they run as plain child processes", "reason", s.cfg.Sandboxes.Reason())
	}
	s.workers.start()
	if s.cfg.Sandboxes != nil {
		go s.restoreProvisioned(ctx) // ends when the list is read; the pools' fills end at Stop
	}
	return nil
}

// Stop ends every environment and the sandbox manager's pre-built sandboxes.
func (s *Service) Stop() {
	s.stopProvisioning()
	s.workers.stopAll()
	if s.cfg.Sandboxes != nil {
		s.cfg.Sandboxes.Close()
	}
}

// SandboxPorts are the ports every environment's sandbox serves inside (for a sandbox pool).
var SandboxPorts = []int{runtimePort, endpointPort}

// Describe returns Lambda's operation table.
func (s *Service) Describe() *service.Service {
	return (&service.Service{
		Name:        "lambda",
		SigningName: "lambda",
		Protocol:    service.RESTJSON,
		APIVersion:  "2015-03-31",
		Operations:  s.withResources(s.operations()),
		// Function policies: another account's principal they name may call the function.
		ResourcePolicies: s.ResourcePolicy,
		// GetFunction's Code.Location: a link signed by the service, served without SigV4.
		// Function URLs: by host, <url-id>.lambda-url.<region>.localhost, or under /_gureum/lambda-url/.
		Endpoints: []service.Endpoint{{Name: "lambda-code", Prefix: "/_gureum/lambda/", Handler: s.CodeHandler()},
			{Name: "lambda-url", Host: "*" + s.urlHostSuffix(), Prefix: urlPrefix, Handler: s.URLHandler()}},
	}).Index()
}

// Isolation reports the sandboxes' isolation level and why it is weaker than namespaces.
func (s *Service) Isolation() (level, reason string) {
	if s.cfg.Sandboxes == nil {
		return "none", "no sandbox manager"
	}
	return s.cfg.Sandboxes.Level().String(), s.cfg.Sandboxes.Reason()
}

func account(ctx context.Context) string {
	if p := request.From(ctx).Principal; p != nil {
		return p.Account
	}
	return "000000000000"
}

func (s *Service) functionARN(acct, name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", s.cfg.Region, acct, name)
}

var (
	nameRE      = regexp.MustCompile(`^[a-zA-Z0-9-_]{1,64}$`)
	qualifierRE = regexp.MustCompile(`^(|[a-zA-Z0-9$_-]{1,128})$`)
)

// ref is a function reference as callers write it: a name, a partial ARN
// (123456789012:function:name) or a full ARN, each optionally with :qualifier.
type ref struct {
	account, name, qualifier string
}

func (s *Service) parseRef(ctx context.Context, fn, qualifier string) (ref, error) {
	return s.parseRefFrom(ctx, fn, qualifier, false)
}

// parseInvokeRef is parseRef for the invoke calls, which may name another account's function:
// the authorizer has weighed that function's policy (the caller's own account otherwise).
func (s *Service) parseInvokeRef(ctx context.Context, fn, qualifier string) (ref, error) {
	return s.parseRefFrom(ctx, fn, qualifier, true)
}

func (s *Service) parseRefFrom(ctx context.Context, fn, qualifier string, across bool) (ref, error) {
	r := ref{account: account(ctx)}
	parts := strings.Split(fn, ":")
	switch {
	case len(parts) == 1 || len(parts) == 2 && nameRE.MatchString(parts[0]):
		r.name = parts[0]
		if len(parts) == 2 {
			r.qualifier = parts[1]
		}
	case len(parts) >= 7 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function":
		r.account, r.name = parts[4], parts[6]
		if len(parts) == 8 {
			r.qualifier = parts[7]
		}
	case len(parts) >= 3 && parts[1] == "function":
		r.account, r.name = parts[0], parts[2]
		if len(parts) == 4 {
			r.qualifier = parts[3]
		}
	default:
		return r, invalidName(fn)
	}
	if !nameRE.MatchString(r.name) || len(parts) > 8 {
		return r, invalidName(fn)
	}
	if r.account != account(ctx) && !across {
		return r, awserr.New(awserr.AccessDenied, "User is not authorized to access function %s in another account.", fn)
	}
	if qualifier != "" {
		if r.qualifier != "" && r.qualifier != qualifier {
			return r, invalid("The derived qualifier from the function name does not match the specified qualifier.")
		}
		r.qualifier = qualifier
	}
	if !qualifierRE.MatchString(r.qualifier) {
		return r, awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)", r.qualifier)
	}
	return r, nil
}

func invalidName(fn string) error {
	return awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?", fn)
}

func lastModified(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000+0000") }
