package apigateway

import (
	"context"
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// CreateUsagePlanKeyInput is CreateUsagePlanKey's request.
type CreateUsagePlanKeyInput struct {
	UsagePlanID string `rest:"uri=usageplanId" json:"-"`
	KeyID       string `json:"keyId"`
	KeyType     string `json:"keyType"`
}

// UsagePlanKeyOutput is a usage plan key in an answer.
type UsagePlanKeyOutput struct {
	UsagePlanKey
	Status int `rest:"status" json:"-"`
}

// UsagePlanKeysOutput is GetUsagePlanKeys' answer.
type UsagePlanKeysOutput struct {
	Items    []UsagePlanKey `json:"item"`
	Position string         `json:"position,omitempty"`
}

// CreateUsagePlanKey puts an API key in a usage plan. A key may be in several plans but in
// only one for each API stage.
func (s *Service) CreateUsagePlanKey(ctx context.Context, in *CreateUsagePlanKeyInput) (*UsagePlanKeyOutput, error) {
	if in.KeyType != "API_KEY" {
		return nil, badRequest("Invalid key type specified. Valid options are: API_KEY")
	}
	account := callerAccount(ctx)
	plan, _, err := s.loadPlan(ctx, in.UsagePlanID)
	if err != nil {
		return nil, err
	}
	k, err := s.loadKey(ctx, in.KeyID)
	if err != nil {
		return nil, err
	}
	others, err := s.store.KeyUsagePlans(ctx, account, in.KeyID)
	if err != nil {
		return nil, err
	}
	for _, id := range others {
		other, _, err := s.loadPlan(ctx, id)
		if err != nil || id == in.UsagePlanID {
			continue
		}
		for _, a := range other.Plan.APIStages {
			for _, b := range plan.Plan.APIStages {
				if a.APIID == b.APIID && a.Stage == b.Stage {
					return nil, ErrConflict.Errorf("Usage Plan %s cannot be added because API Key %s cannot reference multiple Usage Plans with the same API Stage: %s:%s", in.UsagePlanID, in.KeyID, a.APIID, a.Stage)
				}
			}
		}
	}
	err = s.store.AddUsagePlanKey(ctx, account, in.UsagePlanID, in.KeyID)
	if errors.Is(err, store.ErrExists) {
		return nil, ErrConflict.Errorf("Usage Plan Key already exists")
	}
	if err != nil {
		return nil, err
	}
	s.forgetKey(in.KeyID)
	out := apiKey(k, true)
	return &UsagePlanKeyOutput{UsagePlanKey: UsagePlanKey{ID: k.ID, Type: "API_KEY", Value: out.Value, Name: out.Name}, Status: 201}, nil
}

// GetUsagePlanKey describes a key of a plan.
func (s *Service) GetUsagePlanKey(ctx context.Context, in *UsagePlanInput) (*UsagePlanKeyOutput, error) {
	keys, err := s.planKeys(ctx, in.UsagePlanID)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if k.ID == in.KeyID {
			return &UsagePlanKeyOutput{UsagePlanKey: k}, nil
		}
	}
	return nil, ErrNotFound.Errorf("Invalid Usage Plan Key identifier specified")
}

func (s *Service) planKeys(ctx context.Context, planID string) ([]UsagePlanKey, error) {
	if _, _, err := s.loadPlan(ctx, planID); err != nil {
		return nil, err
	}
	ids, err := s.store.UsagePlanKeys(ctx, callerAccount(ctx), planID)
	if err != nil {
		return nil, err
	}
	out := []UsagePlanKey{}
	for _, id := range ids {
		k, err := s.store.APIKey(ctx, callerAccount(ctx), id)
		if err != nil {
			continue
		}
		wire := apiKey(k, true)
		out = append(out, UsagePlanKey{ID: id, Type: "API_KEY", Value: wire.Value, Name: wire.Name})
	}
	return out, nil
}

// GetUsagePlanKeys lists the keys of a plan.
func (s *Service) GetUsagePlanKeys(ctx context.Context, in *UsagePlanInput) (*UsagePlanKeysOutput, error) {
	keys, err := s.planKeys(ctx, in.UsagePlanID)
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(len(keys), in.Position, in.Limit)
	if err != nil {
		return nil, err
	}
	return &UsagePlanKeysOutput{Items: keys[page[0]:page[1]], Position: next}, nil
}

// DeleteUsagePlanKey takes a key out of a plan.
func (s *Service) DeleteUsagePlanKey(ctx context.Context, in *UsagePlanInput) (*Empty, error) {
	err := s.store.RemoveUsagePlanKey(ctx, callerAccount(ctx), in.UsagePlanID, in.KeyID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound.Errorf("Invalid Usage Plan Key identifier specified")
	}
	if err != nil {
		return nil, err
	}
	s.forgetKey(in.KeyID)
	return &Empty{Status: 202}, nil
}

// GetUsageInput is GetUsage's request.
type GetUsageInput struct {
	UsagePlanID string `rest:"uri=usageplanId" json:"-"`
	KeyID       string `rest:"query=keyId" json:"-"`
	StartDate   string `rest:"query=startDate" json:"-"`
	EndDate     string `rest:"query=endDate" json:"-"`
	Position    string `rest:"query=position" json:"-"`
	Limit       int    `rest:"query=limit" json:"-"`
}

// UsageOutput is GetUsage's and UpdateUsage's answer: per key, [used, remaining] for each day.
type UsageOutput struct {
	UsagePlanID string                `json:"usagePlanId"`
	StartDate   string                `json:"startDate"`
	EndDate     string                `json:"endDate"`
	Position    string                `json:"position,omitempty"`
	Items       map[string][][2]int64 `json:"values"`
}

const dayLayout = "2006-01-02"

// GetUsage reports each key's daily use of a plan and the quota left after each day.
func (s *Service) GetUsage(ctx context.Context, in *GetUsageInput) (*UsageOutput, error) {
	from, err1 := time.Parse(dayLayout, in.StartDate)
	to, err2 := time.Parse(dayLayout, in.EndDate)
	if in.StartDate == "" || in.EndDate == "" || err1 != nil || err2 != nil {
		return nil, badRequest("Invalid start date or end date specified")
	}
	if to.Before(from) {
		return nil, badRequest("The end date must be after the start date")
	}
	if to.Sub(from) > 90*24*time.Hour {
		return nil, badRequest("The usage data period cannot exceed 90 days")
	}
	plan, _, err := s.loadPlan(ctx, in.UsagePlanID)
	if err != nil {
		return nil, err
	}
	if err := s.flushUsage(ctx); err != nil { // this node's counts of plans without a quota
		return nil, err
	}
	keys, err := s.store.UsagePlanKeys(ctx, callerAccount(ctx), in.UsagePlanID)
	if err != nil {
		return nil, err
	}
	if in.KeyID != "" {
		keys = filterKeys(keys, in.KeyID)
	}
	page, next, err := paginate(len(keys), in.Position, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &UsageOutput{UsagePlanID: in.UsagePlanID, StartDate: in.StartDate, EndDate: in.EndDate, Position: next, Items: map[string][][2]int64{}}
	first := periodStart(plan.Plan.Quota, from)
	days, err := s.store.DailyUsage(ctx, in.UsagePlanID, first.Format(dayLayout), in.EndDate)
	if err != nil {
		return nil, err
	}
	for _, k := range keys[page[0]:page[1]] {
		series, err := s.usageSeries(ctx, plan, k, days, from, to)
		if err != nil {
			return nil, err
		}
		out.Items[k] = series
	}
	return out, nil
}

func filterKeys(keys []string, id string) []string {
	for _, k := range keys {
		if k == id {
			return []string{k}
		}
	}
	return nil
}

// usageSeries is one key's [used, remaining] per day from..to: remaining is the period's limit
// and grant less what the period counted up to that day.
func (s *Service) usageSeries(ctx context.Context, plan *planDoc, key string, days []store.DailyUsage, from, to time.Time) ([][2]int64, error) {
	used := map[string]int64{}
	for _, d := range days {
		if d.KeyID == key {
			used[d.Day] = d.Used
		}
	}
	series := [][2]int64{}
	var periodUsed, limit int64
	var period time.Time
	for day := periodStart(plan.Plan.Quota, from); !day.After(to); day = day.AddDate(0, 0, 1) {
		if p := periodStart(plan.Plan.Quota, day); !p.Equal(period) {
			period, periodUsed = p, 0
			var err error
			if limit, err = s.periodLimit(ctx, plan, key, p); err != nil {
				return nil, err
			}
		}
		n := used[day.Format(dayLayout)]
		periodUsed += n
		if !day.Before(from) {
			series = append(series, [2]int64{n, max(limit-periodUsed, 0)})
		}
	}
	return series, nil
}

// periodLimit is what a key may make in the period starting at p: the plan's limit (less the
// offset in the period the plan was made in) plus what UpdateUsage granted; 0 without a quota.
func (s *Service) periodLimit(ctx context.Context, plan *planDoc, key string, p time.Time) (int64, error) {
	q := plan.Plan.Quota
	if q == nil {
		return 0, nil
	}
	_, granted, err := s.store.QuotaUsed(ctx, plan.Plan.ID, key, p.Format(dayLayout))
	limit := q.Limit + granted
	if periodStart(q, time.Unix(plan.Created, 0).UTC()).Equal(p) {
		limit -= q.Offset
	}
	return limit, err
}

// periodStart is the first day of the quota period holding t, in UTC: the day itself, the
// Sunday of its week, or the first of its month. Without a quota every day stands alone.
func periodStart(q *QuotaSettings, t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	if q == nil {
		return day
	}
	switch q.Period {
	case "WEEK":
		return day.AddDate(0, 0, -int(day.Weekday()))
	case "MONTH":
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return day
}

// UpdateUsage grants a key more of the current period's quota: "replace /remaining" sets what
// remains.
func (s *Service) UpdateUsage(ctx context.Context, in *UsagePlanUpdateInput) (*UsageOutput, error) {
	plan, _, err := s.loadPlan(ctx, in.UsagePlanID)
	if err != nil {
		return nil, err
	}
	if plan.Plan.Quota == nil {
		return nil, badRequest("Usage plan %s has no quota", in.UsagePlanID)
	}
	if _, err := s.loadKey(ctx, in.KeyID); err != nil {
		return nil, err
	}
	now := s.now()
	p := periodStart(plan.Plan.Quota, now)
	for _, op := range in.PatchOperations {
		if op.Op != "replace" || op.Path != "/remaining" {
			return nil, invalidPatch(op)
		}
		want, err := strconv.ParseInt(op.Value, 10, 64)
		if err != nil || want < 0 || want > math.MaxInt32 {
			return nil, badRequest("Invalid remaining value specified: %s", op.Value)
		}
		used, _, err := s.store.QuotaUsed(ctx, plan.Plan.ID, in.KeyID, p.Format(dayLayout))
		if err != nil {
			return nil, err
		}
		limit, err := s.periodLimit(ctx, plan, in.KeyID, p)
		if err != nil {
			return nil, err
		}
		if err := s.store.GrantQuota(ctx, plan.Plan.ID, in.KeyID, p.Format(dayLayout), want-(limit-used)); err != nil {
			return nil, err
		}
	}
	today := now.UTC().Format(dayLayout)
	return s.GetUsage(ctx, &GetUsageInput{UsagePlanID: in.UsagePlanID, KeyID: in.KeyID, StartDate: today, EndDate: today})
}
