package router_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/gureum/gureum/internal/iam"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/router"
	"github.com/gureum/gureum/internal/server"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/sigv4"
	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/sqlite"
)

type empty struct{}

type nameInput struct {
	Name string `json:"Name"`
}

func echo(name string) service.Handler {
	return service.Func(func(ctx context.Context, in *nameInput) (*nameInput, error) {
		return &nameInput{Name: name}, nil
	})
}

// apigateways are two REST-JSON services that share the signing name apigateway, as API Gateway
// v1 and v2 do, told apart by v2's path prefix.
func apigateways() []*service.Service {
	v1 := (&service.Service{Name: "apigateway", SigningName: "apigateway", Protocol: service.RESTJSON, Operations: []service.Operation{
		{Name: "GetRestApis", Action: "apigateway:GET", Handler: echo("v1.GetRestApis"), Route: service.Route{Method: "GET", Path: "/restapis"}},
		{Name: "GetRestApi", Action: "apigateway:GET", Handler: echo("v1.GetRestApi"), Route: service.Route{Method: "GET", Path: "/restapis/{restapi_id}"}},
		{Name: "GetTags", Action: "apigateway:GET", Handler: echo("v1.GetTags"), Route: service.Route{Method: "GET", Path: "/tags/{resource_arn}"}},
	}}).Index()
	v2 := (&service.Service{Name: "apigatewayv2", SigningName: "apigateway", Protocol: service.RESTJSON, PathPrefix: "/v2/", Operations: []service.Operation{
		{Name: "GetApis", Action: "apigateway:GET", Handler: echo("v2.GetApis"), Route: service.Route{Method: "GET", Path: "/v2/apis"}},
		{Name: "GetApi", Action: "apigateway:GET", Handler: echo("v2.GetApi"), Route: service.Route{Method: "GET", Path: "/v2/apis/{apiId}"}},
		{Name: "GetTags", Action: "apigateway:GET", Handler: echo("v2.GetTags"), Route: service.Route{Method: "GET", Path: "/v2/tags/{resource-arn}"}},
	}}).Index()
	return []*service.Service{v1, v2}
}

func newKeys(t *testing.T) *iam.Keys {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	st.CreateAccount(ctx, store.Account{ID: "111111111111", Name: "a"})
	st.PutAccessKey(ctx, store.AccessKey{ID: rootKey, Secret: rootSecret, Account: "111111111111", PrincipalARN: "arn:aws:iam::111111111111:root", UserID: "111111111111"})
	return iam.NewKeys(st, nil)
}

func build(t *testing.T, cfg router.Config) *router.Router {
	t.Helper()
	if cfg.Verifier == nil {
		cfg.Verifier = &sigv4.Verifier{Keys: newKeys(t), Region: "us-east-1"}
	}
	if cfg.Authorizer == nil {
		cfg.Authorizer = iam.RequestAuthorizer{Enforcer: iam.NewEnforcer(nil, nil)}
	}
	cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.Region = "us-east-1"
	rt, err := router.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

// sign signs r as the root key for service, with body as its payload.
func sign(t *testing.T, r *http.Request, body []byte, svc string) *http.Request {
	t.Helper()
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: rootKey, SecretAccessKey: rootSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), svc, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	return r
}

func serve(rt http.Handler, r *http.Request) (int, string) {
	rec := httptest.NewRecorder()
	rt.ServeHTTP(rec, r)
	return rec.Code, rec.Body.String()
}

func TestServicesSharingASigningName(t *testing.T) {
	rt := build(t, router.Config{Services: apigateways()})
	for _, tt := range []struct{ path, want string }{
		{"/restapis", "v1.GetRestApis"},
		{"/restapis/abc", "v1.GetRestApi"},
		{"/tags/arn", "v1.GetTags"},
		{"/v2/apis", "v2.GetApis"},
		{"/v2/apis/abc", "v2.GetApi"},
		{"/v2/tags/arn", "v2.GetTags"},
	} {
		r := sign(t, httptest.NewRequest("GET", tt.path, nil), nil, "apigateway")
		if status, body := serve(rt, r); status != 200 || !strings.Contains(body, tt.want) {
			t.Errorf("GET %s = %d %s; want %s", tt.path, status, body, tt.want)
		}
	}
}

func TestClaimCollisionsAreStartUpErrors(t *testing.T) {
	rest := func(name, prefix, path string) *service.Service {
		return (&service.Service{Name: name, SigningName: "shared", Protocol: service.RESTJSON, PathPrefix: prefix, Operations: []service.Operation{
			{Name: "Op", Route: service.Route{Method: "GET", Path: path}},
		}}).Index()
	}
	json := func(name, target string) *service.Service {
		return (&service.Service{Name: name, SigningName: name, Protocol: service.JSON10, TargetPrefix: target, Operations: []service.Operation{{Name: "Op"}}}).Index()
	}
	tests := []struct {
		name     string
		services []*service.Service
	}{
		{"two REST services, no prefix", []*service.Service{rest("a", "", "/x"), rest("b", "", "/y")}},
		{"two REST services, one prefix", []*service.Service{rest("a", "/v2/", "/v2/x"), rest("b", "/v2/", "/v2/y")}},
		{"two JSON services, one target prefix", []*service.Service{json("a", "T"), json("b", "T")}},
		{"an unindexed service", []*service.Service{{Name: "a", SigningName: "a", Protocol: service.Query}}},
		{"a table that does not index", []*service.Service{(&service.Service{Name: "a", SigningName: "a", Protocol: service.RESTJSON, Operations: []service.Operation{
			{Name: "A", Route: service.Route{Method: "GET", Path: "/x"}}, {Name: "B", Route: service.Route{Method: "GET", Path: "/x"}},
		}}).Index()}},
		{"a REST operation without a route", []*service.Service{(&service.Service{Name: "a", SigningName: "a", Protocol: service.RESTJSON, Operations: []service.Operation{{Name: "A"}}}).Index()}},
	}
	for _, tt := range tests {
		_, err := router.New(router.Config{Services: tt.services})
		if err == nil {
			t.Errorf("%s: New = nil; want an error", tt.name)
		}
	}
	if _, err := router.New(router.Config{Services: []*service.Service{rest("a", "", "/x"), rest("b", "/v2/", "/v2/y")}}); err != nil {
		t.Errorf("New(a REST service and one with a prefix) = %v; want nil", err)
	}
}

// TestEveryOperationRoutesToItself sends each operation of every service gureum serves (and the
// fixtures' REST services) a request built from its table, and expects that operation back.
func TestEveryOperationRoutesToItself(t *testing.T) {
	services := server.Catalog()
	served := map[string]bool{}
	for _, s := range services {
		served[s.Name] = true
	}
	for _, s := range append(apigateways(), (&objects{}).describe()) {
		if !served[s.Name] { // a fixture stands in for a service only until it is served
			services = append(services, s)
		}
	}
	rt := build(t, router.Config{Services: services})
	n := 0
	for _, s := range services {
		for i := range s.Operations {
			op := &s.Operations[i]
			gotSvc, gotOp, err := rt.Resolve(service.SampleRequest(s, op))
			if err != nil || gotSvc != s || gotOp != op {
				t.Errorf("%s %s resolves to %v %v, %v", s.Name, op.Name, gotSvc, gotOp, err)
			}
			n++
		}
	}
	if n < 40 {
		t.Errorf("checked %d operations; want every operation of every service", n)
	}
}

// TestDataPlane checks that the data plane takes its hosts and path prefixes ahead of the
// services and of S3's virtual hosts, unauthenticated, and nothing else.
func TestDataPlane(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	handler := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen = append(seen, name+" "+r.Host+" "+r.URL.Path)
			mu.Unlock()
			io.WriteString(w, name)
		})
	}
	rt := build(t, router.Config{
		Services: []*service.Service{(&objects{data: map[string][]byte{"bkt/k": []byte("object")}}).describe()},
		Endpoints: []router.Endpoint{
			{Name: "execute-api", Host: "*.execute-api.localhost", Prefix: "/_gureum/execute-api/", Handler: handler("execute-api")},
			{Name: "lambda-url", Host: "*.lambda-url.us-east-1.localhost", Handler: handler("lambda-url")},
			{Name: "s3-website", Host: "*.s3-website.localhost", Handler: handler("s3-website")},
		},
	})
	tests := []struct{ method, host, path, want string }{
		{"GET", "abc123.execute-api.localhost:4566", "/prod/pets", "execute-api"},
		{"POST", "ABC123.Execute-Api.localhost", "/prod/pets", "execute-api"},
		{"GET", "localhost:4566", "/_gureum/execute-api/abc123/prod/pets", "execute-api"},
		{"GET", "xyz.lambda-url.us-east-1.localhost", "/", "lambda-url"},
		{"GET", "my.bucket.s3-website.localhost", "/index.html", "s3-website"},
		{"GET", "bkt.localhost:4566", "/k", "object"},                          // S3's virtual host, anonymous GetObject
		{"GET", "localhost", "/bkt/k", "object"},                               // path style
		{"GET", "execute-api.localhost", "/prod", "NoSuchKey"},                 // no label before the suffix: S3's virtual host
		{"GET", "localhost", "/_gureum/other/x", "NoSuchKey"},                  // an unregistered prefix is no data plane
		{"PUT", "localhost", "/bkt/k", "AccessDenied"},                         // anonymous elsewhere: refused
		{"GET", "xyz.lambda-url.eu-west-1.localhost", "/", "MethodNotAllowed"}, // another region's host: S3's virtual host
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, "http://"+tt.host+tt.path, nil)
		r.Host = tt.host
		if _, body := serve(rt, r); !strings.Contains(body, tt.want) {
			t.Errorf("%s %s%s = %.200s; want %s", tt.method, tt.host, tt.path, body, tt.want)
		}
	}
	if len(seen) != 5 {
		t.Errorf("data-plane handlers saw %q; want five requests", seen)
	}
	bad := [][]router.Endpoint{
		{{Name: "x", Host: "execute-api.localhost", Handler: handler("x")}},
		{{Name: "x", Prefix: "/execute-api/", Handler: handler("x")}},
		{{Name: "x", Handler: handler("x")}},
		{{Name: "x", Host: "*.a.localhost", Handler: handler("x")}, {Name: "y", Host: "*.A.localhost", Handler: handler("y")}},
	}
	for _, eps := range bad {
		if _, err := router.New(router.Config{Endpoints: eps}); err == nil {
			t.Errorf("New(endpoints %+v) = nil; want an error", eps)
		}
	}
}

// recorder is an Authorizer that records what it is asked.
type recorder struct {
	mu     sync.Mutex
	checks []service.Check
	cond   map[string][]string
}

func (a *recorder) Authorize(ctx context.Context, p *request.Principal, checks []service.Check, c service.Conditions) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.checks = checks
	a.cond = map[string][]string{}
	for _, k := range []string{"aws:SourceIp", "aws:SecureTransport", "aws:CurrentTime", "aws:EpochTime", "aws:PrincipalArn", "aws:RequestedRegion", "s3:prefix", "s3:nothing"} {
		if v, ok := c.Lookup(k); ok {
			a.cond[k] = v
		}
	}
	return nil
}

type copyInput struct {
	Bucket string `rest:"uri=Bucket"`
	Key    string `rest:"uri=Key"`
	Source string `rest:"header=x-amz-copy-source"`
}

func TestAuthorizationChecksAndConditions(t *testing.T) {
	copyObject := service.Operation{Name: "CopyObject", Action: "s3:PutObject",
		Route:   service.Route{Method: "PUT", Path: "/{Bucket}/{Key+}", Headers: []string{"x-amz-copy-source"}},
		Handler: service.Func(func(ctx context.Context, in *copyInput) (*empty, error) { return &empty{}, nil }),
		Checks: func(ctx context.Context, in any) []service.Check {
			c := in.(*copyInput)
			return []service.Check{
				{Action: "s3:GetObject", Resource: "arn:aws:s3:::" + strings.TrimPrefix(c.Source, "/")},
				{Action: "s3:PutObject", Resource: "arn:aws:s3:::" + c.Bucket + "/" + c.Key},
			}
		},
		Conditions: func(ctx context.Context, in any) map[string][]string {
			return map[string][]string{"s3:prefix": {in.(*copyInput).Key}}
		},
	}
	svc := (&service.Service{Name: "s3", SigningName: "s3", Protocol: service.RESTXML, Operations: []service.Operation{copyObject}}).Index()
	auth := &recorder{}
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	rt := build(t, router.Config{Services: []*service.Service{svc}, Authorizer: auth, Now: func() time.Time { return now }})
	r := httptest.NewRequest("PUT", "/dst/new/key", nil)
	r.Header.Set("X-Amz-Copy-Source", "/src/old")
	r.Header.Set("X-Amz-Content-Sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
	r.RemoteAddr = "192.0.2.7:5555"
	if status, body := serve(rt, sign(t, r, nil, "s3")); status != 200 {
		t.Fatalf("CopyObject = %d %s", status, body)
	}
	want := []service.Check{{Action: "s3:GetObject", Resource: "arn:aws:s3:::src/old"}, {Action: "s3:PutObject", Resource: "arn:aws:s3:::dst/new/key"}}
	if len(auth.checks) != 2 || auth.checks[0] != want[0] || auth.checks[1] != want[1] {
		t.Errorf("checks = %v; want %v", auth.checks, want)
	}
	wantCond := map[string]string{"aws:SourceIp": "192.0.2.7", "aws:SecureTransport": "false", "aws:CurrentTime": "2026-12-07T10:00:00Z",
		"aws:EpochTime": "1796637600", "aws:PrincipalArn": "arn:aws:iam::111111111111:root", "aws:RequestedRegion": "us-east-1", "s3:prefix": "new/key"}
	for k, v := range wantCond {
		if got := auth.cond[k]; len(got) != 1 || got[0] != v {
			t.Errorf("condition %s = %q; want %q", k, got, v)
		}
	}
	if _, ok := auth.cond["s3:nothing"]; ok {
		t.Errorf("an unknown condition key was found")
	}
}

// TestBodyLimitsPerOperation checks each operation's cap: a small one refuses what the default
// admits, a large one admits more than the default.
func TestBodyLimitsPerOperation(t *testing.T) {
	op := func(name string, max int64) service.Operation {
		return service.Operation{Name: name, Action: "t:" + name, MaxBody: max, Handler: echo(name)}
	}
	svc := (&service.Service{Name: "t", SigningName: "t", Protocol: service.JSON10, TargetPrefix: "T", Operations: []service.Operation{
		op("Small", 1<<10), op("Default", 0), op("Large", 20<<20),
	}}).Index()
	rt := build(t, router.Config{Services: []*service.Service{svc}})
	call := func(target string, size int) (int, string) {
		body := []byte(`{"Name":"` + strings.Repeat("x", size) + `"}`)
		r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
		r.Header.Set("X-Amz-Target", "T."+target)
		r.Header.Set("Content-Type", "application/x-amz-json-1.0")
		return serve(rt, sign(t, r, body, "t"))
	}
	tests := []struct {
		op     string
		size   int
		status int
	}{
		{"Small", 900, 200}, {"Small", 2000, 413}, {"Default", 2000, 200}, {"Default", 17 << 20, 413}, {"Large", 17 << 20, 200},
	}
	for _, tt := range tests {
		if status, body := call(tt.op, tt.size); status != tt.status {
			t.Errorf("%s with %d bytes = %d %.200s; want %d", tt.op, tt.size, status, body, tt.status)
		}
	}
	if n := rt.BodyBytesInflight(); n != 0 {
		t.Errorf("after the calls, %d body bytes are still held; want 0", n)
	}
}

// TestInflightBudget checks that bodies beyond the in-flight budget are refused with the
// protocol's throttling error, and that the budget comes back.
func TestInflightBudget(t *testing.T) {
	svc := (&service.Service{Name: "t", SigningName: "t", Protocol: service.JSON10, TargetPrefix: "T", Operations: []service.Operation{
		{Name: "Op", Action: "t:Op", Handler: echo("Op")},
	}}).Index()
	rt := build(t, router.Config{Services: []*service.Service{svc}, MaxBodyInflight: 64 << 10})
	call := func(size int) (int, string) {
		body := []byte(`{"Name":"` + strings.Repeat("x", size) + `"}`)
		r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
		r.Header.Set("X-Amz-Target", "T.Op")
		r.Header.Set("Content-Type", "application/x-amz-json-1.0")
		return serve(rt, sign(t, r, body, "t"))
	}
	if status, body := call(100 << 10); status != 400 || !strings.Contains(body, "ThrottlingException") {
		t.Errorf("a body over the budget = %d %s; want 400 ThrottlingException", status, body)
	}
	if status, body := call(10 << 10); status != 200 {
		t.Errorf("a body under the budget = %d %s; want 200", status, body)
	}
	if n := rt.BodyBytesInflight(); n != 0 {
		t.Errorf("%d body bytes still held; want 0", n)
	}
}
