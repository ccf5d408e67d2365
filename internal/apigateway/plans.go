package apigateway

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/store"
)

// planDoc is a usage plan as stored: the plan, and when it was made (the quota's offset applies
// to the period it was made in).
type planDoc struct {
	Plan    UsagePlan `json:"plan"`
	Created int64     `json:"created"`
}

// CreateUsagePlanInput is CreateUsagePlan's request.
type CreateUsagePlanInput struct {
	Name        string            `json:"name"`
	Description string            `json:"description"`
	APIStages   []APIStage        `json:"apiStages"`
	Throttle    *ThrottleSettings `json:"throttle"`
	Quota       *QuotaSettings    `json:"quota"`
	Tags        map[string]string `json:"tags"`
}

// UsagePlanOutput is a usage plan in an answer.
type UsagePlanOutput struct {
	UsagePlan
	Status int `rest:"status" json:"-"`
}

// UsagePlanInput names a usage plan (and a key in it).
type UsagePlanInput struct {
	UsagePlanID string `rest:"uri=usageplanId" json:"-"`
	KeyID       string `rest:"uri=keyId" json:"-"`
	Position    string `rest:"query=position" json:"-"`
	Limit       int    `rest:"query=limit" json:"-"`
	NameQuery   string `rest:"query=name" json:"-"`
}

// UsagePlansInput is GetUsagePlans' request.
type UsagePlansInput struct {
	KeyID    string `rest:"query=keyId" json:"-"`
	Position string `rest:"query=position" json:"-"`
	Limit    int    `rest:"query=limit" json:"-"`
}

// UsagePlansOutput is GetUsagePlans' answer.
type UsagePlansOutput struct {
	Items    []UsagePlan `json:"item"`
	Position string      `json:"position,omitempty"`
}

// UsagePlanUpdateInput is UpdateUsagePlan's and UpdateUsage's request.
type UsagePlanUpdateInput struct {
	UsagePlanID     string           `rest:"uri=usageplanId" json:"-"`
	KeyID           string           `rest:"uri=keyId" json:"-"`
	PatchOperations []PatchOperation `json:"patchOperations"`
}

// CreateUsagePlan creates a usage plan.
func (s *Service) CreateUsagePlan(ctx context.Context, in *CreateUsagePlanInput) (*UsagePlanOutput, error) {
	if strings.TrimSpace(in.Name) == "" {
		return nil, badRequest("Invalid Usage Plan name specified")
	}
	p := UsagePlan{ID: newID(), Name: in.Name, Description: in.Description, APIStages: in.APIStages, Throttle: in.Throttle, Quota: in.Quota, Tags: in.Tags}
	if p.APIStages == nil {
		p.APIStages = []APIStage{}
	}
	if err := s.validatePlan(ctx, &p); err != nil {
		return nil, err
	}
	b, _ := json.Marshal(planDoc{Plan: p, Created: s.now().Unix()})
	if err := s.store.CreateAPIObject(ctx, store.APIObject{Kind: store.KindUsagePlan, Account: callerAccount(ctx), ID: p.ID, Doc: b, Created: s.now()}); err != nil {
		return nil, err
	}
	return &UsagePlanOutput{UsagePlan: p, Status: 201}, nil
}

// validatePlan holds a plan to AWS's rules: its stages exist, its limits are sane.
func (s *Service) validatePlan(ctx context.Context, p *UsagePlan) error {
	if q := p.Quota; q != nil {
		switch q.Period {
		case "DAY", "WEEK", "MONTH":
		default:
			return badRequest("Invalid quota period specified. Valid options are DAY, WEEK, MONTH")
		}
		if q.Limit < 0 || q.Offset < 0 || q.Offset >= max(q.Limit, 1) {
			return badRequest("Invalid quota limit or offset specified")
		}
	}
	if t := p.Throttle; t != nil && (t.RateLimit < 0 || t.BurstLimit < 0) {
		return badRequest("Invalid throttle settings specified")
	}
	for _, as := range p.APIStages {
		_, err := s.store.APIObject(ctx, store.KindStage, callerAccount(ctx), as.APIID, as.Stage)
		if errors.Is(err, store.ErrNotFound) {
			return badRequest("Invalid stage identifier specified %s:%s", as.APIID, as.Stage)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) loadPlan(ctx context.Context, id string) (*planDoc, store.APIObject, error) {
	obj, err := s.store.APIObject(ctx, store.KindUsagePlan, callerAccount(ctx), "", id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, obj, ErrNotFound.Errorf("Invalid Usage Plan ID specified")
	}
	if err != nil {
		return nil, obj, err
	}
	var d planDoc
	return &d, obj, json.Unmarshal(obj.Doc, &d)
}

// GetUsagePlan describes a usage plan.
func (s *Service) GetUsagePlan(ctx context.Context, in *UsagePlanInput) (*UsagePlanOutput, error) {
	d, _, err := s.loadPlan(ctx, in.UsagePlanID)
	if err != nil {
		return nil, err
	}
	return &UsagePlanOutput{UsagePlan: d.Plan}, nil
}

// GetUsagePlans lists the account's usage plans, or those of a key.
func (s *Service) GetUsagePlans(ctx context.Context, in *UsagePlansInput) (*UsagePlansOutput, error) {
	account := callerAccount(ctx)
	objs, err := s.store.APIObjects(ctx, store.KindUsagePlan, account, "")
	if err != nil {
		return nil, err
	}
	var only map[string]bool
	if in.KeyID != "" {
		ids, err := s.store.KeyUsagePlans(ctx, account, in.KeyID)
		if err != nil {
			return nil, err
		}
		only = map[string]bool{}
		for _, id := range ids {
			only[id] = true
		}
	}
	var all []UsagePlan
	for _, o := range objs {
		var d planDoc
		if json.Unmarshal(o.Doc, &d) == nil && (only == nil || only[o.ID]) {
			all = append(all, d.Plan)
		}
	}
	page, next, err := paginate(len(all), in.Position, in.Limit)
	if err != nil {
		return nil, err
	}
	return &UsagePlansOutput{Items: append([]UsagePlan{}, all[page[0]:page[1]]...), Position: next}, nil
}

// UpdateUsagePlan applies patch operations to a usage plan.
func (s *Service) UpdateUsagePlan(ctx context.Context, in *UsagePlanUpdateInput) (*UsagePlanOutput, error) {
	for attempt := 0; ; attempt++ {
		d, obj, err := s.loadPlan(ctx, in.UsagePlanID)
		if err != nil {
			return nil, err
		}
		for _, op := range in.PatchOperations {
			if err := patchPlan(&d.Plan, op); err != nil {
				return nil, err
			}
		}
		if err := s.validatePlan(ctx, &d.Plan); err != nil {
			return nil, err
		}
		obj.Doc, _ = json.Marshal(d)
		err = s.store.UpdateAPIObject(ctx, obj, obj.Version)
		if errors.Is(err, store.ErrConflict) && attempt < 8 {
			continue
		}
		if err != nil {
			return nil, err
		}
		s.forgetPlan(in.UsagePlanID)
		return &UsagePlanOutput{UsagePlan: d.Plan}, nil
	}
}

// patchPlan applies one patch operation on the paths AWS documents for usage plans.
func patchPlan(p *UsagePlan, op PatchOperation) error {
	num := func() (float64, error) {
		f, err := strconv.ParseFloat(op.Value, 64)
		if err != nil {
			return 0, badRequest("Invalid value %q for %s", op.Value, op.Path)
		}
		return f, nil
	}
	if p.Throttle == nil && strings.HasPrefix(op.Path, "/throttle/") {
		p.Throttle = &ThrottleSettings{}
	}
	if p.Quota == nil && strings.HasPrefix(op.Path, "/quota/") {
		p.Quota = &QuotaSettings{}
	}
	var f float64
	var err error
	switch {
	case op.Op == "replace" && op.Path == "/name":
		p.Name = op.Value
	case op.Op == "replace" && op.Path == "/description":
		p.Description = op.Value
	case op.Op == "remove" && op.Path == "/throttle":
		p.Throttle = nil
	case op.Op == "remove" && op.Path == "/quota":
		p.Quota = nil
	case op.Op == "replace" && op.Path == "/throttle/rateLimit":
		f, err = num()
		p.Throttle.RateLimit = f
	case op.Op == "replace" && op.Path == "/throttle/burstLimit":
		f, err = num()
		p.Throttle.BurstLimit = int(f)
	case op.Op == "replace" && op.Path == "/quota/limit":
		f, err = num()
		p.Quota.Limit = int64(f)
	case op.Op == "replace" && op.Path == "/quota/offset":
		f, err = num()
		p.Quota.Offset = int64(f)
	case op.Op == "replace" && op.Path == "/quota/period":
		p.Quota.Period = op.Value
	case op.Path == "/apiStages":
		return patchPlanStages(p, op)
	case strings.HasPrefix(op.Path, "/apiStages/"):
		return patchStageThrottle(p, op)
	default:
		return invalidPatch(op)
	}
	return err
}

// patchPlanStages adds or removes an "apiId:stage".
func patchPlanStages(p *UsagePlan, op PatchOperation) error {
	api, stage, ok := strings.Cut(op.Value, ":")
	if !ok {
		return badRequest("Invalid API stage specified: %s", op.Value)
	}
	kept := p.APIStages[:0]
	for _, as := range p.APIStages {
		if as.APIID != api || as.Stage != stage {
			kept = append(kept, as)
		}
	}
	p.APIStages = kept
	switch op.Op {
	case "add":
		p.APIStages = append(p.APIStages, APIStage{APIID: api, Stage: stage})
	case "remove":
	default:
		return invalidPatch(op)
	}
	return nil
}

// patchStageThrottle handles /apiStages/{apiId}:{stage}/throttle[/{resourcePath}/{VERB}[/rateLimit|burstLimit]].
func patchStageThrottle(p *UsagePlan, op PatchOperation) error {
	rest := strings.TrimPrefix(op.Path, "/apiStages/")
	stageRef, tail, _ := strings.Cut(rest, "/throttle")
	var as *APIStage
	for i := range p.APIStages {
		if p.APIStages[i].APIID+":"+p.APIStages[i].Stage == stageRef {
			as = &p.APIStages[i]
		}
	}
	if as == nil {
		return badRequest("Invalid API stage specified: %s", stageRef)
	}
	parts := strings.Split(strings.TrimPrefix(tail, "/"), "/")
	if tail == "" {
		if op.Op == "remove" {
			as.Throttle = nil
			return nil
		}
		return invalidPatch(op)
	}
	if len(parts) < 2 {
		return invalidPatch(op)
	}
	method := "/" + unescapePatch(parts[0]) + "/" + parts[1]
	method = strings.Replace(method, "//", "/", 1)
	if op.Op == "remove" {
		delete(as.Throttle, method)
		return nil
	}
	if as.Throttle == nil {
		as.Throttle = map[string]*ThrottleSettings{}
	}
	t := as.Throttle[method]
	if t == nil {
		t = &ThrottleSettings{}
		as.Throttle[method] = t
	}
	if len(parts) == 2 {
		return json.Unmarshal([]byte(op.Value), t)
	}
	f, err := strconv.ParseFloat(op.Value, 64)
	if err != nil {
		return badRequest("Invalid value %q for %s", op.Value, op.Path)
	}
	switch parts[2] {
	case "rateLimit":
		t.RateLimit = f
	case "burstLimit":
		t.BurstLimit = int(f)
	default:
		return invalidPatch(op)
	}
	return nil
}

// DeleteUsagePlan removes a usage plan with its keys and counters.
func (s *Service) DeleteUsagePlan(ctx context.Context, in *UsagePlanInput) (*Empty, error) {
	err := s.store.DeleteAPIObject(ctx, store.KindUsagePlan, callerAccount(ctx), "", in.UsagePlanID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound.Errorf("Invalid Usage Plan ID specified")
	}
	if err != nil {
		return nil, err
	}
	s.forgetPlan(in.UsagePlanID)
	return &Empty{Status: 202}, nil
}
