package apigateway

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/iam"
	"github.com/gureum/gureum/internal/service"
)

// TestStageCache: a stage with a cache answers a cached method from it until the TTL passes,
// keyed by the integration's cache key parameters; Cache-Control: max-age=0 and FlushStageCache
// bring a fresh answer; a method setting may require authorization for max-age=0.
func TestStageCache(t *testing.T) {
	f := newFixture(t)
	id := f.api(t, "/items/{id}", "GET", PutIntegrationInput{Type: "AWS_PROXY", IntegrationHTTPMethod: "POST", URI: lambdaURI,
		CacheKeyParameters: []string{"method.request.path.id"}}, false)
	calls := func() int { f.fn.mu.Lock(); defer f.fn.mu.Unlock(); return len(f.fn.events) }
	get := func(path string, header ...string) int {
		t.Helper()
		req := httptest.NewRequest("GET", "http://localhost/_gureum/execute-api/"+id+"/prod"+path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		f.s.serveInvoke(rec, req)
		return rec.Code
	}
	expect := func(what string, want int) {
		t.Helper()
		if got := calls(); got != want {
			t.Fatalf("%s: the function ran %d times; want %d", what, got, want)
		}
	}
	get("/items/1")
	get("/items/1")
	expect("no cache on the stage", 2)

	ok(f.s.UpdateStage(f.ctx, &StageUpdateInput{RestAPIID: id, StageName: "prod", PatchOperations: []PatchOperation{
		{Op: "replace", Path: "/cacheClusterEnabled", Value: "true"},
		{Op: "replace", Path: "/*/*/caching/enabled", Value: "true"},
		{Op: "replace", Path: "/*/*/caching/ttlInSeconds", Value: "60"},
	}}))
	if _, err := f.s.UpdateStage(f.ctx, &StageUpdateInput{RestAPIID: id, StageName: "prod", PatchOperations: []PatchOperation{
		{Op: "replace", Path: "/*/*/caching/ttlInSeconds", Value: "3601"}}}); err == nil {
		t.Fatal("UpdateStage(ttl 3601) succeeded; want BadRequestException")
	}
	get("/items/1")
	get("/items/1")
	expect("a cached method", 3)
	get("/items/2")
	expect("another value of a cache key parameter", 4)
	get("/items/1", "Cache-Control", "max-age=0")
	expect("Cache-Control: max-age=0", 5)
	get("/items/1")
	expect("the fresh answer cached", 5)

	f.clock.Advance(61 * time.Second)
	get("/items/1")
	expect("after the TTL", 6)

	ok(f.s.FlushStageCache(f.ctx, &StageInput{RestAPIID: id, StageName: "prod"}))
	get("/items/1")
	expect("after FlushStageCache", 7)

	// Invalidation that needs authorization: an anonymous caller lacks execute-api:InvalidateCache.
	f.s.authz = iam.NewEnforcer(nil, f.clock.Now)
	ok(f.s.UpdateStage(f.ctx, &StageUpdateInput{RestAPIID: id, StageName: "prod", PatchOperations: []PatchOperation{
		{Op: "replace", Path: "/*/*/caching/requireAuthorizationForCacheControl", Value: "true"},
		{Op: "replace", Path: "/*/*/caching/unauthorizedCacheControlHeaderStrategy", Value: "SUCCEED_WITHOUT_RESPONSE_HEADER"},
	}}))
	if st := get("/items/1", "Cache-Control", "max-age=0"); st != 200 {
		t.Fatalf("unauthorized max-age=0, SUCCEED_WITHOUT_RESPONSE_HEADER: %d; want 200", st)
	}
	expect("unauthorized max-age=0 served from the cache", 7)
	ok(f.s.UpdateStage(f.ctx, &StageUpdateInput{RestAPIID: id, StageName: "prod", PatchOperations: []PatchOperation{
		{Op: "replace", Path: "/*/*/caching/unauthorizedCacheControlHeaderStrategy", Value: "FAIL_WITH_403"}}}))
	if st := get("/items/1", "Cache-Control", "max-age=0"); st != http.StatusForbidden {
		t.Fatalf("unauthorized max-age=0, FAIL_WITH_403: %d; want 403", st)
	}

	// Other verbs are not cached unless a method setting says so.
	post := f.api(t, "/p", "POST", PutIntegrationInput{Type: "AWS_PROXY", IntegrationHTTPMethod: "POST", URI: lambdaURI}, false)
	ok(f.s.UpdateStage(f.ctx, &StageUpdateInput{RestAPIID: post, StageName: "prod", PatchOperations: []PatchOperation{
		{Op: "replace", Path: "/cacheClusterEnabled", Value: "true"}}}))
	before := calls()
	for range 2 {
		f.do("POST", "/_gureum/execute-api/"+post+"/prod/p", "", "{}")
	}
	expect("POST", before+2)
	if st := ok(f.s.GetStage(f.ctx, &StageInput{RestAPIID: post, StageName: "prod"})); st.CacheClusterStatus != "AVAILABLE" || !strings.Contains(st.StageName, "prod") {
		t.Fatalf("GetStage = %+v; want cacheClusterStatus AVAILABLE", st.Stage)
	}
}

// FuzzNormalizePolicy holds the resource policy check to its promise: any document is either
// refused with BadRequestException or comes back as a policy the IAM parser accepts, with no
// execute-api shorthand left in its resources.
func FuzzNormalizePolicy(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"}]}`)
	f.Add(`{"Statement":{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","NotResource":["execute-api:/prod/GET/a"]}}`)
	f.Add(`{"Statement":"nonsense"}`)
	f.Fuzz(func(t *testing.T, doc string) {
		out, err := normalizePolicy(doc, "us-east-1", account, "a1b2c3d4e5")
		if err != nil {
			if !strings.Contains(err.Error(), "Invalid policy document") {
				t.Fatalf("normalizePolicy(%q) = %v; want BadRequestException", doc, err)
			}
			return
		}
		if doc != "" && strings.Contains(out, `"execute-api:/`) {
			t.Fatalf("normalizePolicy(%q) = %s; shorthand left", doc, out)
		}
	})
}

// TestStageCacheFlushReachesEveryNode: FlushStageCache made through one node empties the stage's
// cache on another node sharing the store.
func TestStageCacheFlushReachesEveryNode(t *testing.T) {
	f := newFixture(t)
	other := New(Deps{Env: service.Env{Region: "us-east-1", Clock: f.clock}, Store: f.db, Functions: f.fn})
	id := f.api(t, "/items", "GET", PutIntegrationInput{Type: "AWS_PROXY", IntegrationHTTPMethod: "POST", URI: lambdaURI}, false)
	ok(f.s.UpdateStage(f.ctx, &StageUpdateInput{RestAPIID: id, StageName: "prod", PatchOperations: []PatchOperation{
		{Op: "replace", Path: "/cacheClusterEnabled", Value: "true"}}}))
	f.clock.Advance(2 * time.Second) // the other node reads the stage again
	calls := func() int { f.fn.mu.Lock(); defer f.fn.mu.Unlock(); return len(f.fn.events) }
	get := func() {
		rec := httptest.NewRecorder()
		other.serveInvoke(rec, httptest.NewRequest("GET", "http://localhost/_gureum/execute-api/"+id+"/prod/items", nil))
		if rec.Code != 200 {
			t.Fatalf("GET on the other node: %d", rec.Code)
		}
	}
	get()
	get()
	if n := calls(); n != 1 {
		t.Fatalf("the function ran %d times for two cached GETs; want 1", n)
	}
	ok(f.s.FlushStageCache(f.ctx, &StageInput{RestAPIID: id, StageName: "prod"}))
	get()
	if n := calls(); n != 2 {
		t.Fatalf("the function ran %d times after a flush made on another node; want 2", n)
	}
}
