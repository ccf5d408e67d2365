// Package apigatewayv2 is Amazon API Gateway's second generation (API 2018-11-29): HTTP APIs and
// WebSocket APIs. The REST-JSON control plane under /v2/ (APIs, routes, integrations,
// authorizers, stages, deployments, domain names and API mappings, tags) keeps each API as one
// versioned document in the API Gateway store; the data plane serves HTTP APIs at
// http://<api-id>.execute-api.localhost:<port>/[<stage>/]<path>, or
// /_gureum/execute-api-v2/<api-id>/[<stage>/]<path>, choosing routes by AWS's rules, and calls
// functions with payload 2.0 or 1.0, HTTP endpoints, JWT and Lambda authorizers; WebSocket APIs
// are served on the same addresses, with the @connections management API beside them.
package apigatewayv2

import (
	"context"
	"crypto/rand"
	"net/http"
	"time"

	"github.com/gureum/gureum/internal/apigateway/domain"
	"github.com/gureum/gureum/internal/apigateway/throttle"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
)

// Store is what API Gateway V2 keeps: the API Gateway store's versioned documents, under kinds
// of its own, and the notifier that carries @connections calls between nodes.
type Store interface {
	store.APIGateway
	store.Notifier
}

// The kinds of document API Gateway V2 keeps in the API Gateway store.
const (
	kindAPI        store.APIKind = "v2api"        // parent ""; an API with its routes, integrations, authorizers and stages
	kindDeployment store.APIKind = "v2deployment" // parent: the API's id; a deployment's snapshot
	kindDomain     store.APIKind = "v2domain"     // parent ""; id: the domain name, with its API mappings
)

// Invoker runs a function (Lambda's Invoke, RequestResponse) for src (the route's or the
// authorizer's execute-api ARN, its account, and the integration's credentials role if any),
// which the function's policy (or the role's) must allow: result is the function's answer,
// functionError its X-Amz-Function-Error ("Unhandled") when it failed, err when it could not run.
type Invoker interface {
	Invoke(ctx context.Context, functionARN string, src request.Source, payload []byte) (result []byte, functionError string, err error)
}

// Authenticator verifies a request signed with SigV4 for execute-api (the @connections API,
// AWS_IAM routes) whose body is body, and answers its principal.
type Authenticator func(ctx context.Context, r *http.Request, body []byte) (*request.Principal, error)

// AccessCheck decides whether a principal may do an action on a resource (IAM's evaluation, deny
// by default).
type AccessCheck func(ctx context.Context, p *request.Principal, action, resource string) error

// Deps is what API Gateway V2 is built with. Functions may be nil: integrations and authorizers
// that need it then answer 500. HTTP is the client of HTTP_PROXY integrations and of JWKS
// fetches (http.DefaultClient when nil). Authenticate may be nil: the @connections API and
// AWS_IAM routes then refuse every call. Authorize may be nil: a caller of the account that owns
// the API is then allowed, any other refused.
type Deps struct {
	service.Env
	Store        Store
	Functions    Invoker
	HTTP         *http.Client
	Authenticate Authenticator
	Authorize    AccessCheck
	// Domains answers which custom domain a Host names; shared with the REST APIs' service,
	// whose CreateDomainName and base path mappings change the same domains. Nil: a cache of
	// this service's own.
	Domains *domain.Cache
}

// Service serves API Gateway V2.
type Service struct {
	store     Store
	functions Invoker
	http      *http.Client
	authn     Authenticator
	authz     AccessCheck
	region    string
	env       service.Env
	apis      apiCache
	limits    *throttle.Buckets
	jwks      *jwksCache
	authCache authCache
	sockets   *hub
	domains   *domain.Cache
	peers     nodes  // cross-node @connections calls (wsnodes.go)
	stopNodes func() // ends Start's subscriptions
	// restPlane is the REST APIs' data plane (Claim's next), which serves base path mappings to
	// REST APIs.
	restPlane http.Handler
}

// New returns API Gateway V2.
func New(d Deps) *Service {
	d.Env = d.Env.For("apigatewayv2")
	s := &Service{store: d.Store, functions: d.Functions, http: d.HTTP, authn: d.Authenticate, authz: d.Authorize, region: d.Region, env: d.Env,
		apis:   apiCache{m: map[string]*cachedAPI{}},
		limits: throttle.New(), authCache: authCache{m: map[string]*authEntry{}}, sockets: newHub(), domains: d.Domains}
	if s.domains == nil {
		s.domains = domain.NewCache(d.Store, cacheTTL, s.now)
	}
	if s.http == nil {
		s.http = http.DefaultClient
	}
	s.jwks = newJWKSCache(s.http)
	return s
}

func (s *Service) now() time.Time { return s.env.Clock.Now() }

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// newID is an API Gateway identifier of n lowercase letters and digits (APIs: 10, routes and
// integrations: 7, authorizers and deployments: 6).
func newID(n int) string { return randomString(n, idAlphabet) }

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
