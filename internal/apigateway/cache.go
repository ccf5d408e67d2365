package apigateway

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/iam"
)

// Stage caching: a stage with cacheClusterEnabled keeps its methods' answers for their
// cacheTtlInSeconds (300 by default, 0 turns it off, at most 3600), keyed by the method, its
// resource and the values of its integration's cacheKeyParameters. GET methods are cached unless
// a method setting says otherwise; any method whose setting has cachingEnabled is. A client may
// ask for a fresh answer with Cache-Control: max-age=0, which, when the method setting requires
// authorization for it, needs execute-api:InvalidateCache. The cache is held by each node in
// memory (API Gateway's cache is a per-stage cluster); FlushStageCache reaches every node through
// the store's notifier.

const (
	defaultCacheTTL = 300
	maxCacheTTL     = 3600
	// maxStageCache bounds the bytes one stage's cache holds on a node, whatever its
	// cacheClusterSize (0.5 GB by default): oldest entries go first.
	maxStageCache = 64 << 20
)

type stageCache struct {
	mu     sync.Mutex
	stages map[string]*cacheShard // "<api>/<stage>"
}

type cacheShard struct {
	entries map[string]*cached
	order   []string // keys by insertion, for eviction
	bytes   int
}

type cached struct {
	ans     answer
	expires time.Time
	size    int
}

// cachePolicy is whether and how long a method's answers are cached on a stage; 0 is not.
func cachePolicy(d *deployed, resourcePath, verb string) (ttl int, ms *MethodSetting) {
	if !d.stage.CacheClusterEnabled {
		return 0, nil
	}
	ms = stageMethodSetting(d.stage, resourcePath, verb)
	switch {
	case ms != nil && ms.CachingEnabled:
		ttl = ms.CacheTTLInSeconds
	case ms == nil && verb == http.MethodGet:
		ttl = defaultCacheTTL
	}
	return min(ttl, maxCacheTTL), ms
}

// cacheKey is a request's key in its stage's cache: the method, its resource and the values of
// the integration's cache key parameters (method.request.path.*, querystring.*, header.*).
func cacheKey(inv *invocation) string {
	var b strings.Builder
	b.WriteString(inv.verb)
	b.WriteByte(' ')
	b.WriteString(inv.resource.Path)
	if inv.d.isCanary && (inv.d.stage.CanarySettings == nil || !inv.d.stage.CanarySettings.UseStageCache) {
		b.WriteString(" canary")
	}
	for _, p := range inv.method.MethodIntegration.CacheKeyParameters {
		v, _ := requestParameter(inv, p)
		b.WriteString("\x00")
		b.WriteString(p)
		b.WriteByte('=')
		b.WriteString(v)
	}
	return b.String()
}

func shardKey(d *deployed) string { return d.apiID + "/" + d.stage.StageName }

// fromCache answers a request from its stage's cache, if the method is cached and the entry
// lives; fresh reports that the client asked for a fresh answer and was allowed to.
func (s *Service) fromCache(ctx context.Context, inv *invocation) (ans *answer, key string, ttl int, gerr *gatewayError) {
	ttl, ms := cachePolicy(inv.d, inv.resource.Path, inv.method.HTTPMethod)
	if ttl <= 0 {
		return nil, "", 0, nil
	}
	key = cacheKey(inv)
	if wantsFresh(inv.r.Header) {
		ok, gerr := s.mayInvalidate(ctx, inv, ms)
		if gerr != nil {
			return nil, "", 0, gerr
		}
		if ok {
			return nil, key, ttl, nil // skip the cached entry; the fresh answer replaces it
		}
	}
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	if sh := s.cache.stages[shardKey(inv.d)]; sh != nil {
		if e := sh.entries[key]; e != nil && inv.now.Before(e.expires) {
			a := e.ans
			a.header = e.ans.header.Clone()
			inv.cacheHit = true
			return &a, key, ttl, nil
		}
	}
	return nil, key, ttl, nil
}

// wantsFresh reports Cache-Control: max-age=0.
func wantsFresh(h http.Header) bool {
	for _, v := range h.Values("Cache-Control") {
		for _, part := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), "max-age=0") {
				return true
			}
		}
	}
	return false
}

// mayInvalidate decides a Cache-Control: max-age=0 request: allowed outright unless the method
// setting requires authorization, then by execute-api:InvalidateCache on the method, and when
// that is denied as its unauthorized strategy says (FAIL_WITH_403, or serve the cached answer).
func (s *Service) mayInvalidate(ctx context.Context, inv *invocation, ms *MethodSetting) (bool, *gatewayError) {
	if ms == nil || !ms.RequireAuthForCache || s.authz == nil {
		return true, nil
	}
	d := iam.Demand{Action: "execute-api:InvalidateCache", Resource: s.methodARN(inv), ResourceAccount: inv.d.account, ResourcePolicy: inv.d.api.Policy}
	if s.authz.Authorize(ctx, inv.caller, []iam.Demand{d}, invokeConditions(ctx, inv.r)) == nil {
		return true, nil
	}
	if ms.UnauthorizedCacheCtl == "FAIL_WITH_403" {
		return false, &gatewayError{403, "AccessDeniedException", "User is not authorized to invalidate the cache", "ACCESS_DENIED", ""}
	}
	return false, nil
}

// toCache keeps a successful answer for ttl seconds.
func (s *Service) toCache(inv *invocation, key string, ttl int, ans *answer) {
	if ans.status < 200 || ans.status > 299 {
		return
	}
	e := &cached{ans: answer{status: ans.status, header: ans.header.Clone(), body: ans.body}, expires: inv.now.Add(time.Duration(ttl) * time.Second)}
	e.size = len(key) + len(ans.body) + 64
	for k, vs := range ans.header {
		e.size += len(k)
		for _, v := range vs {
			e.size += len(v)
		}
	}
	limit := maxStageCache
	if gb, err := strconv.ParseFloat(inv.d.stage.CacheClusterSize, 64); err == nil && gb > 0 && gb*(1<<30) < float64(limit) {
		limit = int(gb * (1 << 30))
	}
	if e.size > limit {
		return
	}
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	sk := shardKey(inv.d)
	sh := s.cache.stages[sk]
	if sh == nil {
		sh = &cacheShard{entries: map[string]*cached{}}
		s.cache.stages[sk] = sh
	}
	if old := sh.entries[key]; old != nil {
		sh.bytes -= old.size
	} else {
		sh.order = append(sh.order, key)
	}
	sh.entries[key] = e
	sh.bytes += e.size
	for sh.bytes > limit && len(sh.order) > 0 {
		k := sh.order[0]
		sh.order = sh.order[1:]
		if old := sh.entries[k]; old != nil && k != key {
			sh.bytes -= old.size
			delete(sh.entries, k)
		}
	}
}

// cacheTopic is the notifier topic on which a flushed stage ("<api>/<stage>") is announced.
const cacheTopic = "apigateway_cache"

// flushCache drops a stage's cached answers on this node.
func (s *Service) flushCache(apiID, stage string) { s.flushCacheKey(apiID + "/" + stage) }

func (s *Service) flushCacheKey(key string) {
	s.cache.mu.Lock()
	delete(s.cache.stages, key)
	s.cache.mu.Unlock()
}

// FlushStageCache empties a stage's cache, on every node.
func (s *Service) FlushStageCache(ctx context.Context, in *StageInput) (*Empty, error) {
	if _, err := s.GetStage(ctx, in); err != nil {
		return nil, err
	}
	s.flushCache(in.RestAPIID, in.StageName)
	if err := s.store.Notify(ctx, cacheTopic, in.RestAPIID+"/"+in.StageName); err != nil {
		return nil, err
	}
	return &Empty{Status: 202}, nil
}

// FlushStageAuthorizersCache drops the stage's cached Lambda authorizer answers.
func (s *Service) FlushStageAuthorizersCache(ctx context.Context, in *StageInput) (*Empty, error) {
	if _, err := s.GetStage(ctx, in); err != nil {
		return nil, err
	}
	s.auths.mu.Lock()
	for k := range s.auths.m {
		if strings.HasPrefix(k, in.RestAPIID+"/") {
			delete(s.auths.m, k)
		}
	}
	s.auths.mu.Unlock()
	return &Empty{Status: 202}, nil
}
