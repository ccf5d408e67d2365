package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/schedule"
	"github.com/gureum/gureum/internal/store"
)

// scheduleDoc is what the store keeps of a schedule beside its name.
type scheduleDoc struct {
	ScheduleExpression         string
	ScheduleExpressionTimezone string `json:",omitempty"`
	StartDate                  time.Time
	EndDate                    time.Time
	Description                string `json:",omitempty"`
	KmsKeyArn                  string `json:",omitempty"`
	State                      string
	ActionAfterCompletion      string
	FlexibleTimeWindow         FlexibleTimeWindow
	Target                     Target
	Modified                   time.Time
}

func decodeSchedule(x store.Schedule) scheduleDoc {
	var d scheduleDoc
	json.Unmarshal(x.Doc, &d)
	return d
}

// location is the schedule's time zone.
func (d *scheduleDoc) location() *time.Location {
	if d.ScheduleExpressionTimezone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(d.ScheduleExpressionTimezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// validate checks a create or update and turns it into the stored description.
func validate(in *ScheduleInput, now time.Time) (scheduleDoc, error) {
	if !nameRE.MatchString(in.Name) {
		return scheduleDoc{}, badName("name", in.Name)
	}
	if in.GroupName != "" && !nameRE.MatchString(in.GroupName) {
		return scheduleDoc{}, badName("groupName", in.GroupName)
	}
	if _, err := schedule.Parse(in.ScheduleExpression); err != nil || len(in.ScheduleExpression) > 256 {
		return scheduleDoc{}, ErrValidation.Errorf("Invalid Schedule Expression %s.", in.ScheduleExpression)
	}
	d := scheduleDoc{ScheduleExpression: in.ScheduleExpression, ScheduleExpressionTimezone: in.ScheduleExpressionTimezone, Description: in.Description,
		KmsKeyArn: in.KmsKeyArn, State: in.State, ActionAfterCompletion: in.ActionAfterCompletion, Modified: now}
	if d.ScheduleExpressionTimezone != "" {
		if _, err := time.LoadLocation(d.ScheduleExpressionTimezone); err != nil || strings.HasPrefix(d.ScheduleExpressionTimezone, "/") {
			return d, ErrValidation.Errorf("Invalid time zone %s.", d.ScheduleExpressionTimezone)
		}
	}
	if in.StartDate != nil {
		d.StartDate = time.Time(*in.StartDate)
	}
	if in.EndDate != nil {
		d.EndDate = time.Time(*in.EndDate)
	}
	if !d.StartDate.IsZero() && !d.EndDate.IsZero() && !d.EndDate.After(d.StartDate) {
		return d, ErrValidation.Errorf("The EndDate must be after the StartDate.")
	}
	switch d.State {
	case "":
		d.State = "ENABLED"
	case "ENABLED", "DISABLED":
	default:
		return d, ErrValidation.Errorf("Invalid State %s: must be ENABLED or DISABLED.", d.State)
	}
	switch d.ActionAfterCompletion {
	case "":
		d.ActionAfterCompletion = "NONE"
	case "NONE", "DELETE":
	default:
		return d, ErrValidation.Errorf("Invalid ActionAfterCompletion %s: must be NONE or DELETE.", d.ActionAfterCompletion)
	}
	if err := checkWindow(in.FlexibleTimeWindow); err != nil {
		return d, err
	}
	d.FlexibleTimeWindow = *in.FlexibleTimeWindow
	if err := checkTarget(in.Target); err != nil {
		return d, err
	}
	d.Target = *in.Target
	return d, nil
}

func checkWindow(w *FlexibleTimeWindow) error {
	switch {
	case w == nil:
		return ErrValidation.Errorf("FlexibleTimeWindow is required.")
	case w.Mode == "OFF" && w.MaximumWindowInMinutes != nil:
		return ErrValidation.Errorf("MaximumWindowInMinutes must not be set when Mode is OFF.")
	case w.Mode == "FLEXIBLE" && (w.MaximumWindowInMinutes == nil || *w.MaximumWindowInMinutes < 1 || *w.MaximumWindowInMinutes > 1440):
		return ErrValidation.Errorf("MaximumWindowInMinutes must be between 1 and 1440 when Mode is FLEXIBLE.")
	case w.Mode != "OFF" && w.Mode != "FLEXIBLE":
		return ErrValidation.Errorf("Invalid FlexibleTimeWindow Mode %s: must be OFF or FLEXIBLE.", w.Mode)
	}
	return nil
}

func checkTarget(t *Target) error {
	switch {
	case t == nil:
		return ErrValidation.Errorf("Target is required.")
	case t.Arn == "" || t.RoleArn == "":
		return ErrValidation.Errorf("Target Arn and RoleArn are required.")
	case t.Input != "" && needsJSON(t.Arn) && !json.Valid([]byte(t.Input)):
		return ErrValidation.Errorf("Target Input must be valid JSON for this target.")
	}
	if p := t.RetryPolicy; p != nil {
		if n := p.MaximumRetryAttempts; n != nil && (*n < 0 || *n > 185) {
			return ErrValidation.Errorf("MaximumRetryAttempts must be between 0 and 185.")
		}
		if n := p.MaximumEventAgeInSeconds; n != nil && (*n < 60 || *n > 86400) {
			return ErrValidation.Errorf("MaximumEventAgeInSeconds must be between 60 and 86400.")
		}
	}
	if p := t.EventBridgeParameters; p != nil && (p.Source == "" || p.DetailType == "" || strings.HasPrefix(p.Source, "aws.")) {
		return ErrValidation.Errorf("EventBridgeParameters need a DetailType and a Source not starting with aws.")
	}
	if p := t.SqsParameters; p != nil && len(p.MessageGroupId) > 128 {
		return ErrValidation.Errorf("MessageGroupId must be at most 128 characters.")
	}
	return nil
}

// needsJSON reports whether a target takes JSON input (Lambda, Step Functions, EventBridge).
func needsJSON(arn string) bool {
	switch serviceOf(arn) {
	case "lambda", "states", "events":
		return true
	}
	return false
}

// CreateSchedule creates a schedule.
func (s *Service) CreateSchedule(ctx context.Context, in *ScheduleInput) (*ScheduleArnOutput, error) {
	now := s.clock.Now()
	d, err := validate(in, now)
	if err != nil {
		return nil, err
	}
	account, group := callerAccount(ctx), groupOr(in.GroupName)
	if _, _, err := s.group(ctx, account, group); err != nil {
		return nil, err
	}
	doc, _ := json.Marshal(d)
	_, err = s.store.SaveSchedule(ctx, store.Schedule{Account: account, Group: group, Name: in.Name, Doc: doc, Enabled: d.State == "ENABLED", Created: now})
	if errors.Is(err, store.ErrExists) {
		return nil, ErrConflict.Errorf("Schedule %s already exists.", in.Name)
	}
	if err != nil {
		return nil, err
	}
	return &ScheduleArnOutput{ScheduleArn: s.scheduleARN(account, group, in.Name)}, nil
}

// UpdateSchedule replaces every field of a schedule.
func (s *Service) UpdateSchedule(ctx context.Context, in *ScheduleInput) (*ScheduleArnOutput, error) {
	d, err := validate(in, s.clock.Now())
	if err != nil {
		return nil, err
	}
	account, group := callerAccount(ctx), groupOr(in.GroupName)
	x, err := s.schedule(ctx, account, group, in.Name)
	if err != nil {
		return nil, err
	}
	x.Doc, _ = json.Marshal(d)
	x.Enabled = d.State == "ENABLED"
	if _, err := s.store.SaveSchedule(ctx, x); errors.Is(err, store.ErrConflict) {
		return nil, ErrConflict.Errorf("Schedule %s was changed concurrently.", in.Name)
	} else if errors.Is(err, store.ErrNotFound) {
		return nil, ErrResourceNotFound.Errorf("Schedule %s does not exist.", in.Name)
	} else if err != nil {
		return nil, err
	}
	return &ScheduleArnOutput{ScheduleArn: s.scheduleARN(account, group, in.Name)}, nil
}

func (s *Service) schedule(ctx context.Context, account, group, name string) (store.Schedule, error) {
	x, err := s.store.Schedule(ctx, account, group, name)
	if errors.Is(err, store.ErrNotFound) {
		return x, ErrResourceNotFound.Errorf("Schedule %s does not exist.", name)
	}
	return x, err
}

// GetSchedule describes a schedule.
func (s *Service) GetSchedule(ctx context.Context, in *GetScheduleInput) (*GetScheduleOutput, error) {
	account, group := callerAccount(ctx), groupOr(in.GroupName)
	x, err := s.schedule(ctx, account, group, in.Name)
	if err != nil {
		return nil, err
	}
	d := decodeSchedule(x)
	return &GetScheduleOutput{ActionAfterCompletion: d.ActionAfterCompletion, Arn: s.scheduleARN(account, group, x.Name), CreationDate: epochOf(x.Created),
		Description: d.Description, EndDate: epochOf(d.EndDate), FlexibleTimeWindow: &d.FlexibleTimeWindow, GroupName: group, KmsKeyArn: d.KmsKeyArn,
		LastModificationDate: epochOf(d.Modified), Name: x.Name, ScheduleExpression: d.ScheduleExpression,
		ScheduleExpressionTimezone: d.ScheduleExpressionTimezone, StartDate: epochOf(d.StartDate), State: d.State, Target: &d.Target}, nil
}

// DeleteSchedule deletes a schedule.
func (s *Service) DeleteSchedule(ctx context.Context, in *DeleteScheduleInput) (*Empty, error) {
	err := s.store.DeleteSchedule(ctx, callerAccount(ctx), groupOr(in.GroupName), in.Name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrResourceNotFound.Errorf("Schedule %s does not exist.", in.Name)
	}
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// ListSchedules lists the account's schedules, of one group or all, by group and name.
func (s *Service) ListSchedules(ctx context.Context, in *ListSchedulesInput) (*ListSchedulesOutput, error) {
	if in.State != "" && in.State != "ENABLED" && in.State != "DISABLED" {
		return nil, ErrValidation.Errorf("Invalid State %s.", in.State)
	}
	account := callerAccount(ctx)
	all, err := s.store.ListSchedules(ctx, account, in.GroupName)
	if err != nil {
		return nil, err
	}
	var keys []string
	byKey := map[string]store.Schedule{}
	for _, x := range all {
		d := decodeSchedule(x)
		if !strings.HasPrefix(x.Name, in.NamePrefix) || in.State != "" && d.State != in.State {
			continue
		}
		k := x.Group + "/" + x.Name
		keys = append(keys, k)
		byKey[k] = x
	}
	page, next, err := paginate(keys, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &ListSchedulesOutput{Schedules: []ScheduleSummary{}, NextToken: next}
	for _, k := range page {
		x := byKey[k]
		d := decodeSchedule(x)
		out.Schedules = append(out.Schedules, ScheduleSummary{Arn: s.scheduleARN(account, x.Group, x.Name), CreationDate: epochOf(x.Created),
			GroupName: x.Group, LastModificationDate: epochOf(d.Modified), Name: x.Name, State: d.State, Target: &TargetSummary{Arn: d.Target.Arn}})
	}
	return out, nil
}
