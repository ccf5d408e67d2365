package lambda

// Provisioned concurrency: Put/Get/Delete/ListProvisionedConcurrencyConfigs on a published
// version or an alias. The configuration is a function setting of kind "provisioned" under the
// qualifier; the environments are this node's: a pool per configuration starts that many
// environments of the version ahead of any invoke (AWS_LAMBDA_INITIALIZATION_TYPE
// provisioned-concurrency), puts them among the warm ones, where idle expiry leaves them, and
// starts another whenever one ends. Status is IN_PROGRESS until all are ready, then READY (FAILED
// with a reason when one cannot start).

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/store"
)

const (
	settingProvisioned = "provisioned"
	// settingProvisionedIndex indexes every configuration outside any account (name
	// "<account>/<function>/<qualifier>"), so that a node starting up rebuilds their pools.
	settingProvisionedIndex = "provisioned-index"
)

// ErrProvisionedConfigNotFound is Lambda's answer for a qualifier without provisioned concurrency.
var ErrProvisionedConfigNotFound = &awserr.Code{Name: "ProvisionedConcurrencyConfigNotFoundException", Status: 404}

// ProvisionedConcurrencyInput names a qualifier's configuration (Put: with the count).
type ProvisionedConcurrencyInput struct {
	FunctionName                    string `rest:"uri=FunctionName" json:"-"`
	Qualifier                       string `rest:"query=Qualifier" json:"-"`
	ProvisionedConcurrentExecutions *int32 `json:",omitempty"`
}

// ProvisionedConcurrencyConfig is a configuration with its progress.
type ProvisionedConcurrencyConfig struct {
	HTTPStatus                               int    `rest:"status" json:"-"`
	FunctionArn                              string `json:"FunctionArn,omitempty"`
	RequestedProvisionedConcurrentExecutions int32  `json:"RequestedProvisionedConcurrentExecutions"`
	AvailableProvisionedConcurrentExecutions int32  `json:"AvailableProvisionedConcurrentExecutions"`
	AllocatedProvisionedConcurrentExecutions int32  `json:"AllocatedProvisionedConcurrentExecutions"`
	Status                                   string `json:"Status"`
	StatusReason                             string `json:"StatusReason,omitempty"`
	LastModified                             string `json:"LastModified"`
}

// ListProvisionedConcurrencyConfigsInput pages through a function's configurations.
type ListProvisionedConcurrencyConfigsInput struct {
	FunctionName string `rest:"uri=FunctionName" json:"-"`
	Marker       string `rest:"query=Marker" json:"-"`
	MaxItems     int    `rest:"query=MaxItems" json:"-"`
}

// ListProvisionedConcurrencyConfigsOutput is a page of configurations.
type ListProvisionedConcurrencyConfigsOutput struct {
	ProvisionedConcurrencyConfigs []*ProvisionedConcurrencyConfig
	NextMarker                    string `json:",omitempty"`
}

// storedProvisioned is a configuration as kept.
type storedProvisioned struct {
	Requested    int32  `json:"requested"`
	Version      string `json:"version"` // the version its environments run (an alias's at the time)
	LastModified string `json:"lastModified"`
}

// provKey names a configuration.
type provKey struct{ account, function, qualifier string }

// provPool is one configuration's environments on this node.
type provPool struct {
	target  int
	key     envKey
	live    map[*env]bool
	filling bool
	failed  string
	gone    bool
}

// provisioner keeps the pools.
type provisioner struct {
	mu      sync.Mutex
	pools   map[provKey]*provPool
	stopped bool // the service is stopping: no pool starts again
}

func (s *Service) provRef(ctx context.Context, fn, qualifier string) (ref, string, error) {
	r, err := s.parseRef(ctx, fn, qualifier)
	if err != nil {
		return r, "", err
	}
	if r.qualifier == "" {
		return r, "", awserr.New(awserr.Validation, "1 validation error detected: Value null at 'qualifier' failed to satisfy constraint: Member must not be null")
	}
	if r.qualifier == latest {
		return r, "", invalid("Provisioned Concurrency Configs cannot be applied to unpublished function versions.")
	}
	arn := s.functionARN(r.account, r.name) + ":" + r.qualifier
	return r, arn, nil
}

// provisionedTotal is the concurrency the function's other configurations provision.
func (s *Service) provisionedTotal(ctx context.Context, r ref, except string) (int, error) {
	sets, err := s.cfg.Store.ListFunctionSettings(ctx, r.account, r.name, settingProvisioned)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, set := range sets {
		var p storedProvisioned
		if set.Name != except && json.Unmarshal(set.Config, &p) == nil {
			n += int(p.Requested)
		}
	}
	return n, nil
}

// reservedTotal is the concurrency the account's functions reserve.
func (s *Service) reservedTotal(ctx context.Context, acct string) (int, error) {
	reserved := 0
	for after := ""; ; {
		vs, err := s.cfg.Store.ListFunctions(ctx, acct, after, 1000)
		if err != nil {
			return 0, err
		}
		for _, v := range vs {
			if f, err := s.cfg.Store.Function(ctx, acct, v.Function); err == nil && f.ReservedConcurrency > 0 {
				reserved += f.ReservedConcurrency
			}
		}
		if len(vs) < 1000 {
			return reserved, nil
		}
		after = vs[len(vs)-1].Function
	}
}

// PutProvisionedConcurrencyConfig provisions concurrency for a version or alias.
func (s *Service) PutProvisionedConcurrencyConfig(ctx context.Context, in *ProvisionedConcurrencyInput) (*ProvisionedConcurrencyConfig, error) {
	r, _, err := s.provRef(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	if in.ProvisionedConcurrentExecutions == nil || *in.ProvisionedConcurrentExecutions < 1 {
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value at 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 1")
	}
	n := int(*in.ProvisionedConcurrentExecutions)
	v, _, err := s.version(ctx, r)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.cfg.Store.Function(ctx, r.account, r.name)
	if err != nil {
		return nil, s.storeErr(err, r)
	}
	others, err := s.provisionedTotal(ctx, r, r.qualifier)
	if err != nil {
		return nil, err
	}
	if f.ReservedConcurrency >= 0 {
		if others+n > f.ReservedConcurrency {
			return nil, invalid("Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function")
		}
	} else {
		reserved, err := s.reservedTotal(ctx, r.account)
		if err != nil {
			return nil, err
		}
		if unreserved := s.cfg.AccountConcurrency - reserved; others+n > unreserved-minUnreserved {
			return nil, invalid("Specified ConcurrentExecutions for function is greater than account's unreserved concurrency [%d].", unreserved)
		}
	}
	p := storedProvisioned{Requested: int32(n), Version: v.Version, LastModified: lastModified(s.cfg.Now())}
	b, _ := json.Marshal(p)
	if err := s.cfg.Store.PutFunctionSetting(ctx, store.FunctionSetting{Account: r.account, Function: r.name, Kind: settingProvisioned,
		Name: r.qualifier, Config: b, Modified: s.cfg.Now()}, store.PutUpsert); err != nil {
		return nil, err
	}
	if err := s.cfg.Store.PutFunctionSetting(ctx, store.FunctionSetting{Kind: settingProvisionedIndex,
		Name: provIndexName(r.account, r.name, r.qualifier), Config: []byte("{}"), Modified: s.cfg.Now()}, store.PutUpsert); err != nil {
		return nil, err
	}
	k := provKey{r.account, r.name, r.qualifier}
	s.provision(k, envKey{r.account, r.name, v.Version, v.RevisionID}, n)
	out := s.provStatus(k, p)
	out.HTTPStatus = http.StatusAccepted
	return out, nil
}

// provStatus is a configuration with its pool's progress on this node.
func (s *Service) provStatus(k provKey, p storedProvisioned) *ProvisionedConcurrencyConfig {
	out := &ProvisionedConcurrencyConfig{RequestedProvisionedConcurrentExecutions: p.Requested, LastModified: p.LastModified, Status: "IN_PROGRESS"}
	s.prov.mu.Lock()
	defer s.prov.mu.Unlock()
	pool := s.prov.pools[k]
	if pool == nil {
		return out
	}
	ready := int32(len(pool.live))
	out.AvailableProvisionedConcurrentExecutions, out.AllocatedProvisionedConcurrentExecutions = ready, ready
	switch {
	case pool.failed != "":
		out.Status, out.StatusReason = "FAILED", pool.failed
	case ready >= p.Requested:
		out.Status = "READY"
	}
	return out
}

// provision sets a configuration's pool to n environments of key and starts filling it.
func (s *Service) provision(k provKey, key envKey, n int) {
	s.prov.mu.Lock()
	defer s.prov.mu.Unlock()
	if s.prov.stopped {
		return
	}
	if s.prov.pools == nil {
		s.prov.pools = map[provKey]*provPool{}
	}
	pool := s.prov.pools[k]
	if pool != nil && pool.key != key {
		s.releaseLocked(pool)
		pool = nil
	}
	if pool == nil {
		pool = &provPool{key: key, live: map[*env]bool{}}
		s.prov.pools[k] = pool
	}
	pool.target, pool.failed = n, ""
	for e := range pool.live { // fewer than before: the extra ones expire as on-demand ones do
		if len(pool.live) <= n {
			break
		}
		s.unprovisionLocked(pool, e)
	}
	s.fillLocked(pool)
}

// fillLocked starts environments until the pool holds its target (s.prov.mu held).
func (s *Service) fillLocked(pool *provPool) {
	if pool.filling || pool.gone || pool.failed != "" || len(pool.live) >= pool.target || s.cfg.Sandboxes == nil {
		return
	}
	pool.filling = true
	go s.fill(pool)
}

func (s *Service) fill(pool *provPool) {
	ctx := context.Background()
	for {
		s.prov.mu.Lock()
		if pool.gone || len(pool.live) >= pool.target {
			pool.filling = false
			s.prov.mu.Unlock()
			return
		}
		s.prov.mu.Unlock()
		e, err := s.startProvisioned(ctx, pool)
		s.prov.mu.Lock()
		if err != nil {
			pool.failed, pool.filling = "FUNCTION_ERROR_INIT_FAILURE: "+err.Error(), false
			s.prov.mu.Unlock()
			return
		}
		if pool.gone {
			s.prov.mu.Unlock()
			s.workers.discard(e)
			continue
		}
		pool.live[e] = true
		e.onKill = func() { s.provisionedEnded(pool, e) }
		s.prov.mu.Unlock()
		s.workers.mu.Lock()
		e.provisioned = true
		s.workers.mu.Unlock()
		s.workers.put(e)
	}
}

// startProvisioned starts one environment of the pool's version and waits for its init.
func (s *Service) startProvisioned(ctx context.Context, pool *provPool) (*env, error) {
	v, err := s.cfg.Store.FunctionVersion(ctx, pool.key.account, pool.key.function, pool.key.version)
	if err != nil {
		return nil, err
	}
	c, err := decodeConfig(v)
	if err != nil {
		return nil, err
	}
	if _, err := s.workers.get(envKey{}); err != nil { // reserve room among the live environments
		return nil, err
	}
	code, err := s.unpackCode(ctx, v)
	if err != nil {
		s.workers.discard(nil)
		return nil, err
	}
	opt, err := s.unpackLayers(ctx, c)
	if err != nil {
		s.workers.discard(nil)
		return nil, err
	}
	vars, expires := s.roleEnv(ctx, pool.key, c)
	vars = append(vars, "AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency")
	e, err := s.launchCode(ctx, pool.key, c, code, opt, vars...)
	if err != nil {
		s.workers.discard(nil)
		return nil, err
	}
	e.expires = expires
	ictx, cancel := context.WithTimeout(ctx, initTimeout)
	defer cancel()
	if f := e.awaitInit(ictx, "provisioned", c.Timeout); f != nil {
		s.workers.discard(e)
		return nil, errors.New(f.typ)
	}
	return e, nil
}

// provisionedEnded replaces an environment of a pool that ended.
func (s *Service) provisionedEnded(pool *provPool, e *env) {
	s.prov.mu.Lock()
	defer s.prov.mu.Unlock()
	if !pool.live[e] {
		return
	}
	delete(pool.live, e)
	s.fillLocked(pool)
}

// unprovisionLocked lets an environment of a pool go back to being an on-demand one.
func (s *Service) unprovisionLocked(pool *provPool, e *env) {
	delete(pool.live, e)
	s.workers.mu.Lock()
	e.provisioned = false
	s.workers.mu.Unlock()
}

// releaseLocked ends a pool: its environments become on-demand ones and expire when idle.
func (s *Service) releaseLocked(pool *provPool) {
	pool.gone = true
	for e := range pool.live {
		s.unprovisionLocked(pool, e)
	}
}

func (s *Service) readProvisioned(ctx context.Context, r ref, arn string) (storedProvisioned, error) {
	var p storedProvisioned
	set, err := s.cfg.Store.FunctionSetting(ctx, r.account, r.name, settingProvisioned, r.qualifier)
	if errors.Is(err, store.ErrNotFound) {
		if _, _, verr := s.version(ctx, r); verr != nil {
			return p, verr
		}
		return p, ErrProvisionedConfigNotFound.Errorf("No Provisioned Concurrency Config found for this function")
	}
	if err != nil {
		return p, err
	}
	return p, json.Unmarshal(set.Config, &p)
}

// ensurePool starts a configuration's pool on this node when it has none (a restart, another
// node's Put).
func (s *Service) ensurePool(ctx context.Context, r ref, p storedProvisioned) {
	k := provKey{r.account, r.name, r.qualifier}
	s.prov.mu.Lock()
	_, ok := s.prov.pools[k]
	s.prov.mu.Unlock()
	if ok {
		return
	}
	if v, err := s.cfg.Store.FunctionVersion(ctx, r.account, r.name, p.Version); err == nil {
		s.provision(k, envKey{r.account, r.name, v.Version, v.RevisionID}, int(p.Requested))
	}
}

// GetProvisionedConcurrencyConfig returns a configuration and its progress.
func (s *Service) GetProvisionedConcurrencyConfig(ctx context.Context, in *ProvisionedConcurrencyInput) (*ProvisionedConcurrencyConfig, error) {
	r, arn, err := s.provRef(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	p, err := s.readProvisioned(ctx, r, arn)
	if err != nil {
		return nil, err
	}
	s.ensurePool(ctx, r, p)
	return s.provStatus(provKey{r.account, r.name, r.qualifier}, p), nil
}

// DeleteProvisionedConcurrencyConfig removes a configuration; its environments become on-demand ones.
func (s *Service) DeleteProvisionedConcurrencyConfig(ctx context.Context, in *ProvisionedConcurrencyInput) (*EmptyOutput, error) {
	r, arn, err := s.provRef(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.readProvisioned(ctx, r, arn); err != nil {
		return nil, err
	}
	if err := s.cfg.Store.DeleteFunctionSetting(ctx, r.account, r.name, settingProvisioned, r.qualifier); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	s.cfg.Store.DeleteFunctionSetting(ctx, "", "", settingProvisionedIndex, provIndexName(r.account, r.name, r.qualifier))
	s.dropPool(provKey{r.account, r.name, r.qualifier})
	return &EmptyOutput{Status: http.StatusNoContent}, nil
}

func (s *Service) dropPool(k provKey) {
	s.prov.mu.Lock()
	defer s.prov.mu.Unlock()
	if pool := s.prov.pools[k]; pool != nil {
		s.releaseLocked(pool)
		delete(s.prov.pools, k)
	}
}

// ListProvisionedConcurrencyConfigs lists a function's configurations.
func (s *Service) ListProvisionedConcurrencyConfigs(ctx context.Context, in *ListProvisionedConcurrencyConfigsInput) (*ListProvisionedConcurrencyConfigsOutput, error) {
	r, sets, limit, err := s.listSettings(ctx, in.FunctionName, in.MaxItems, settingProvisioned)
	if err != nil {
		return nil, err
	}
	out := &ListProvisionedConcurrencyConfigsOutput{ProvisionedConcurrencyConfigs: []*ProvisionedConcurrencyConfig{}}
	for _, set := range sets {
		if in.Marker != "" && set.Name <= in.Marker {
			continue
		}
		if len(out.ProvisionedConcurrencyConfigs) == limit {
			last := out.ProvisionedConcurrencyConfigs[limit-1].FunctionArn
			out.NextMarker = last[strings.LastIndex(last, ":")+1:]
			break
		}
		var p storedProvisioned
		if err := json.Unmarshal(set.Config, &p); err != nil {
			return nil, err
		}
		c := s.provStatus(provKey{r.account, r.name, set.Name}, p)
		c.FunctionArn = s.functionARN(r.account, r.name) + ":" + set.Name
		out.ProvisionedConcurrencyConfigs = append(out.ProvisionedConcurrencyConfigs, c)
	}
	return out, nil
}

// stopProvisioning ends every pool, so that environments stopped at shutdown are not replaced.
func (s *Service) stopProvisioning() {
	s.prov.mu.Lock()
	defer s.prov.mu.Unlock()
	s.prov.stopped = true
	for k, pool := range s.prov.pools {
		pool.gone = true
		delete(s.prov.pools, k)
	}
}

func provIndexName(acct, fn, qualifier string) string { return acct + "/" + fn + "/" + qualifier }

// restoreProvisioned rebuilds, at start-up, the pool of every configuration the index names (the
// environments a node had are gone with its process); an entry whose configuration is gone is
// removed.
func (s *Service) restoreProvisioned(ctx context.Context) {
	sets, err := s.cfg.Store.ListFunctionSettings(ctx, "", "", settingProvisionedIndex)
	if err != nil {
		s.cfg.Log.Error("provisioned concurrency not restored", "err", err)
		return
	}
	for _, set := range sets {
		parts := strings.SplitN(set.Name, "/", 3)
		if len(parts) != 3 || ctx.Err() != nil {
			continue
		}
		r := ref{account: parts[0], name: parts[1], qualifier: parts[2]}
		cfg, err := s.cfg.Store.FunctionSetting(ctx, r.account, r.name, settingProvisioned, r.qualifier)
		if errors.Is(err, store.ErrNotFound) {
			s.cfg.Store.DeleteFunctionSetting(ctx, "", "", settingProvisionedIndex, set.Name)
			continue
		}
		var p storedProvisioned
		if err == nil {
			err = json.Unmarshal(cfg.Config, &p)
		}
		if err != nil {
			s.cfg.Log.Error("provisioned concurrency not restored", "function", r.name, "qualifier", r.qualifier, "err", err)
			continue
		}
		s.ensurePool(ctx, r, p)
	}
}
