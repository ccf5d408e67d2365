package lambda

import (
	"context"
	"encoding/json"
	"strings"
)

// qualifierGone removes what a deleted alias or version held: its policy, its URL and its
// provisioned concurrency.
func (s *Service) qualifierGone(ctx context.Context, acct, fn, qualifier string) {
	r := ref{account: acct, name: fn, qualifier: qualifier}
	if u, err := s.readURL(ctx, r); err == nil {
		s.dropURL(ctx, r, u.ID)
	}
	s.cfg.Store.DeleteFunctionSetting(ctx, acct, fn, settingPolicy, qualifier)
	s.cfg.Store.DeleteFunctionSetting(ctx, acct, fn, settingProvisioned, qualifier)
	s.cfg.Store.DeleteFunctionSetting(ctx, "", "", settingProvisionedIndex, provIndexName(acct, fn, qualifier))
	s.policyCache.Delete(s.functionARN(acct, fn) + ":" + qualifier)
	s.dropPool(provKey{acct, fn, qualifier})
}

// functionGone forgets a function about to be deleted (the store deletes its settings): its
// URLs' index entries, its cached policies and its provisioned pools.
func (s *Service) functionGone(ctx context.Context, acct, fn string) {
	if sets, err := s.cfg.Store.ListFunctionSettings(ctx, acct, fn, settingURL); err == nil {
		for _, set := range sets {
			var u storedURL
			if json.Unmarshal(set.Config, &u) == nil {
				s.dropURL(ctx, ref{account: acct, name: fn, qualifier: set.Name}, u.ID)
			}
		}
	}
	if sets, err := s.cfg.Store.ListFunctionSettings(ctx, acct, fn, settingProvisioned); err == nil {
		for _, set := range sets {
			s.cfg.Store.DeleteFunctionSetting(ctx, "", "", settingProvisionedIndex, provIndexName(acct, fn, set.Name))
		}
	}
	arn := s.functionARN(acct, fn)
	s.policyCache.Range(func(k, _ any) bool {
		if key := k.(string); key == arn || strings.HasPrefix(key, arn+":") {
			s.policyCache.Delete(k)
		}
		return true
	})
	s.prov.mu.Lock()
	for k, pool := range s.prov.pools {
		if k.account == acct && k.function == fn {
			s.releaseLocked(pool)
			delete(s.prov.pools, k)
		}
	}
	s.prov.mu.Unlock()
}
