// Package apigateway is Amazon API Gateway's REST APIs (v1, API 2015-07-09): the REST-JSON
// control plane (REST APIs, resources, methods, integrations, deployments, stages, API keys and
// usage plans), and the data plane that invokes deployed stages at
// http://<api-id>.execute-api.localhost:<port>/<stage>/<path> or
// /_gureum/execute-api/<api-id>/<stage>/<path>, enforcing API keys, throttles and quotas.
package apigateway

import (
	"context"
	"crypto/rand"
	mrand "math/rand/v2"
	"time"

	"github.com/gureum/gureum/internal/apigateway/domain"
	"github.com/gureum/gureum/internal/apigateway/throttle"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/sigv4"
	"github.com/gureum/gureum/internal/sqs"
	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/telemetry"
)

// Store is what API Gateway keeps, and the notifier that tells every node of a flushed cache.
type Store interface {
	store.APIGateway
	store.Notifier
}

// Invoker runs a function (Lambda's Invoke, RequestResponse) for src (the method's or the
// authorizer's execute-api ARN, its account, and the integration's credentials role if any),
// which the function's policy (or the role's) must allow: result is the function's answer,
// functionError its X-Amz-Function-Error ("Unhandled") when it failed, err when it could not run.
type Invoker interface {
	Invoke(ctx context.Context, functionARN string, src request.Source, payload []byte) (result []byte, functionError string, err error)
}

// Queues is the SQS in-process interface: AWS service integrations send to queues through it.
type Queues interface {
	Enqueue(ctx context.Context, queueARN, body string, attrs map[string]sqs.MessageAttributeValue, groupID, dedupID string) (string, error)
}

// Deps is what API Gateway is built with. Functions and Queues may be nil: integrations that
// need them then answer 500 (API_CONFIGURATION_ERROR).
type Deps struct {
	service.Env
	Store     Store
	Functions Invoker
	Queues    Queues
	// Verifier is the router's SigV4 verifier, which AWS_IAM methods' invokes go through (nil:
	// they are refused).
	Verifier *sigv4.Verifier
	// Logs receives stages' access logs (CloudWatch Logs' in-process Append); nil: none are written.
	Logs Logs
	// Enforcer decides execute-api:Invoke for AWS_IAM methods and resource policies (the
	// router's iam.Enforcer); nil when IAM is not enforced.
	Enforcer Enforcer
	// Domains answers which custom domain a Host names, shared with apigatewayv2 (which serves
	// the domains' Host); nil: a cache of this service's own.
	Domains *domain.Cache
}

// Service serves API Gateway (REST APIs).
type Service struct {
	store     Store
	functions Invoker
	queues    Queues
	verifier  *sigv4.Verifier
	authz     Enforcer
	logs      Logs
	metrics   *telemetry.Metrics
	// accessLogs holds access log lines until the flusher writes them.
	accessLogs accessBuffer
	region     string
	clock      service.Env
	limits     *throttle.Buckets // per API key and plan (and method where a plan's stage overrides it), per stage method, the account's
	routes     routeCache
	keys       keyCache
	usage      usageBuffer
	templates  templateCache
	schemas    schemaCache
	auths      authCache
	cache      stageCache
	domains    *domain.Cache
	// draw picks a request's share of a stage's traffic (canary or not): a number in [0, 1).
	draw func() float64
	// The account-level throttle (AWS's default: 10,000 requests a second, burst 5,000).
	accountRate  float64
	accountBurst int
}

// New returns API Gateway.
func New(d Deps) *Service {
	d.Env = d.Env.For("apigateway")
	s := &Service{store: d.Store, functions: d.Functions, queues: d.Queues, verifier: d.Verifier, authz: d.Enforcer, logs: d.Logs, metrics: d.Metrics, region: d.Region, clock: d.Env,
		limits: throttle.New(), routes: routeCache{m: map[string]*deployed{}}, keys: keyCache{m: map[string]*keyAuth{}}, auths: authCache{m: map[string]*authResult{}}, cache: stageCache{stages: map[string]*cacheShard{}},
		usage: usageBuffer{m: map[usageKey]int64{}}, accountRate: throttle.AccountRate, accountBurst: throttle.AccountBurst, draw: mrand.Float64, domains: d.Domains}
	if s.domains == nil && d.Store != nil {
		s.domains = domain.NewCache(d.Store, time.Second, s.now)
	}
	if d.Store != nil {
		// A stage cache flushed through any node is flushed on this one too.
		cancel := d.Store.Subscribe(cacheTopic, s.flushCacheKey)
		if d.Runner != nil {
			d.Runner.Go("apigateway.cacheflush", func(ctx context.Context) error { <-ctx.Done(); cancel(); return nil })
		}
	}
	if d.Runner != nil {
		d.Runner.Go("apigateway.usage", s.runUsageFlusher(d.Clock))
		if d.Logs != nil {
			d.Runner.Go("apigateway.accesslogs", s.runAccessLogFlusher(d.Clock))
		}
	}
	return s
}

func (s *Service) now() time.Time { return s.clock.Clock.Now() }

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// newID is an API Gateway identifier: ten lowercase letters and digits.
func newID() string { return randomString(10, idAlphabet) }

func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func callerAccount(ctx context.Context) string {
	if p := request.From(ctx).Principal; p != nil {
		return p.Account
	}
	return ""
}

// forgetKey drops what this node holds in memory for a key (its buckets, its cached plans).
func (s *Service) forgetKey(id string) {
	s.limits.Forget("key:" + id + ":")
	s.keys.forget()
}

// forgetPlan drops what this node holds in memory for a plan.
func (s *Service) forgetPlan(id string) {
	s.limits.Forget("plan:" + id + ":")
	s.keys.forget()
}
