package lambda

import (
	"context"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/store"
)

// listSettings is the prologue the List*Configs operations share: the function must exist,
// MaxItems is 0–50 (0 is 50), and its settings of kind are read, by qualifier.
func (s *Service) listSettings(ctx context.Context, functionName string, maxItems int, kind string) (ref, []store.FunctionSetting, int, error) {
	r, err := s.parseRef(ctx, functionName, "")
	if err != nil {
		return r, nil, 0, err
	}
	if _, err := s.cfg.Store.Function(ctx, r.account, r.name); err != nil {
		return r, nil, 0, s.storeErr(err, r)
	}
	if maxItems < 0 || maxItems > 50 {
		return r, nil, 0, awserr.New(awserr.Validation, "1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 50", maxItems)
	}
	limit := maxItems
	if limit == 0 {
		limit = 50
	}
	sets, err := s.cfg.Store.ListFunctionSettings(ctx, r.account, r.name, kind)
	return r, sets, limit, err
}
