package lambda

import (
	"context"
	"net/http"
	"sync"

	"github.com/gureum/gureum/internal/awserr"
)

// minUnreserved is the concurrency Lambda keeps unreserved for functions without a reservation.
const minUnreserved = 100

// counter is the counting service: it admits an invoke against the account's concurrency and the
// function's reservation, without touching a sandbox.
type counter struct {
	mu       sync.Mutex
	limit    int
	inFlight int            // account-wide
	byFn     map[string]int // per account/function
}

func newCounter(limit int) *counter { return &counter{limit: limit, byFn: map[string]int{}} }

// acquire admits one invoke of fn with reserved concurrency (-1: none) or returns AWS's throttle.
func (c *counter) acquire(fn string, reserved int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if reserved == 0 {
		return throttle(ReasonFunctionDisabled)
	}
	if reserved > 0 && c.byFn[fn] >= reserved {
		return throttle(ReasonReservedExceeded)
	}
	if c.inFlight >= c.limit {
		return throttle(ReasonAccountExceeded)
	}
	c.inFlight++
	c.byFn[fn]++
	return nil
}

func (c *counter) release(fn string) {
	c.mu.Lock()
	c.inFlight--
	if c.byFn[fn]--; c.byFn[fn] <= 0 {
		delete(c.byFn, fn)
	}
	c.mu.Unlock()
}

func throttle(reason string) error {
	return ErrTooManyRequests.Errorf("Rate Exceeded.").With("Reason", reason)
}

// PutFunctionConcurrencyInput reserves concurrency.
type PutFunctionConcurrencyInput struct {
	FunctionName                 string `rest:"uri=FunctionName" json:"-"`
	ReservedConcurrentExecutions *int32
}

// PutFunctionConcurrency reserves concurrency for a function (0 disables it).
func (s *Service) PutFunctionConcurrency(ctx context.Context, in *PutFunctionConcurrencyInput) (*Concurrency, error) {
	r, err := s.parseRef(ctx, in.FunctionName, "")
	if err != nil {
		return nil, err
	}
	if in.ReservedConcurrentExecutions == nil || *in.ReservedConcurrentExecutions < 0 {
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0")
	}
	n := int(*in.ReservedConcurrentExecutions)
	if n > s.cfg.AccountConcurrency-minUnreserved {
		return nil, invalid("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [%d].", minUnreserved)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.cfg.Store.Function(ctx, r.account, r.name)
	if err != nil {
		return nil, s.storeErr(err, r)
	}
	if prov, err := s.provisionedTotal(ctx, r, ""); err != nil {
		return nil, err
	} else if n < prov {
		return nil, invalid("ReservedConcurrentExecutions %d should not be lower than function's total provisioned concurrency [%d].", n, prov)
	}
	f.ReservedConcurrency = n
	if err := s.cfg.Store.PutFunction(ctx, f); err != nil {
		return nil, s.storeErr(err, r)
	}
	return &Concurrency{ReservedConcurrentExecutions: in.ReservedConcurrentExecutions}, nil
}

// FunctionRef names a function.
type FunctionRef struct {
	FunctionName string `rest:"uri=FunctionName" json:"-"`
}

// GetFunctionConcurrency returns a function's reservation (empty when none).
func (s *Service) GetFunctionConcurrency(ctx context.Context, in *FunctionRef) (*Concurrency, error) {
	r, err := s.parseRef(ctx, in.FunctionName, "")
	if err != nil {
		return nil, err
	}
	f, err := s.cfg.Store.Function(ctx, r.account, r.name)
	if err != nil {
		return nil, s.storeErr(err, r)
	}
	out := &Concurrency{}
	if f.ReservedConcurrency >= 0 {
		n := int32(f.ReservedConcurrency)
		out.ReservedConcurrentExecutions = &n
	}
	return out, nil
}

// EmptyOutput is an answer with a status and no body.
type EmptyOutput struct {
	Status int `rest:"status" json:"-"`
}

// DeleteFunctionConcurrency removes a function's reservation.
func (s *Service) DeleteFunctionConcurrency(ctx context.Context, in *FunctionRef) (*EmptyOutput, error) {
	r, err := s.parseRef(ctx, in.FunctionName, "")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.cfg.Store.Function(ctx, r.account, r.name)
	if err != nil {
		return nil, s.storeErr(err, r)
	}
	f.ReservedConcurrency = -1
	if err := s.cfg.Store.PutFunction(ctx, f); err != nil {
		return nil, s.storeErr(err, r)
	}
	return &EmptyOutput{Status: http.StatusNoContent}, nil
}

// AccountLimit is GetAccountSettings's limits.
type AccountLimit struct {
	TotalCodeSize                  int64 `json:"TotalCodeSize"`
	CodeSizeUnzipped               int64 `json:"CodeSizeUnzipped"`
	CodeSizeZipped                 int64 `json:"CodeSizeZipped"`
	ConcurrentExecutions           int32 `json:"ConcurrentExecutions"`
	UnreservedConcurrentExecutions int32 `json:"UnreservedConcurrentExecutions"`
}

// AccountUsage is GetAccountSettings's usage.
type AccountUsage struct {
	TotalCodeSize int64 `json:"TotalCodeSize"`
	FunctionCount int64 `json:"FunctionCount"`
}

// GetAccountSettingsInput is empty.
type GetAccountSettingsInput struct{}

// GetAccountSettingsOutput reports limits, usage, and (gureum's addition) the isolation level.
type GetAccountSettingsOutput struct {
	AccountLimit *AccountLimit `json:"AccountLimit"`
	AccountUsage *AccountUsage `json:"AccountUsage"`
	// GureumIsolation says how functions are isolated on this host ("namespace" or "process: why").
	GureumIsolation string `json:"GureumIsolation"`
}

// GetAccountSettings reports the account's limits and usage.
func (s *Service) GetAccountSettings(ctx context.Context, _ *GetAccountSettingsInput) (*GetAccountSettingsOutput, error) {
	acct := account(ctx)
	usage := &AccountUsage{}
	reserved := 0
	for after := ""; ; {
		vs, err := s.cfg.Store.ListFunctions(ctx, acct, after, 1000)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			usage.FunctionCount++
			usage.TotalCodeSize += v.CodeSize
			if f, err := s.cfg.Store.Function(ctx, acct, v.Function); err == nil && f.ReservedConcurrency > 0 {
				reserved += f.ReservedConcurrency
			}
		}
		if len(vs) < 1000 {
			break
		}
		after = vs[len(vs)-1].Function
	}
	level, reason := s.Isolation()
	if reason != "" {
		level += ": " + reason
	}
	return &GetAccountSettingsOutput{
		AccountLimit: &AccountLimit{TotalCodeSize: 80 << 30, CodeSizeUnzipped: maxUnzipped, CodeSizeZipped: maxZipBytes,
			ConcurrentExecutions: int32(s.cfg.AccountConcurrency), UnreservedConcurrentExecutions: int32(s.cfg.AccountConcurrency - reserved)},
		AccountUsage:    usage,
		GureumIsolation: level,
	}, nil
}
