package events

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"

	"github.com/gureum/gureum/internal/eventpattern"
	"github.com/gureum/gureum/internal/schedule"
	"github.com/gureum/gureum/internal/store"
)

// ruleDoc is what the store keeps of a rule beside its name.
type ruleDoc struct {
	EventPattern       string   `json:",omitempty"`
	ScheduleExpression string   `json:",omitempty"`
	State              string   `json:",omitempty"`
	Description        string   `json:",omitempty"`
	RoleArn            string   `json:",omitempty"`
	CreatedBy          string   `json:",omitempty"`
	ManagedBy          string   `json:",omitempty"`
	Targets            []Target `json:",omitempty"`
	Tags               []Tag    `json:",omitempty"`
}

const (
	stateEnabled  = "ENABLED"
	stateDisabled = "DISABLED"
	// AWS's third state: enabled, and also matching CloudTrail management events.
	stateEnabledCloudTrail = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
)

func (d *ruleDoc) enabled() bool { return d.State != stateDisabled }

// scheduled reports whether the rule fires on a schedule (its row is listed for the scan).
func (d *ruleDoc) scheduled() bool { return d.ScheduleExpression != "" && d.enabled() }

var nameRE = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)

func decodeRule(r store.EventRule) ruleDoc {
	var d ruleDoc
	json.Unmarshal(r.Doc, &d)
	return d
}

// PutRule creates or replaces a rule; a replaced rule keeps its targets and tags.
func (s *Service) PutRule(ctx context.Context, in *PutRuleInput) (*PutRuleOutput, error) {
	if !nameRE.MatchString(in.Name) {
		return nil, validation("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", in.Name)
	}
	if in.EventPattern == "" && in.ScheduleExpression == "" {
		return nil, validation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
	}
	account, busName := busOf(ctx, in.EventBusName)
	if in.ScheduleExpression != "" {
		if _, err := schedule.ParseRule(in.ScheduleExpression); err != nil || len(in.ScheduleExpression) > 256 {
			return nil, validation("Parameter ScheduleExpression is not valid.")
		}
		if busName != defaultBus {
			return nil, validation("ScheduleExpression is supported only on the default event bus.")
		}
	}
	if in.EventPattern != "" {
		if _, err := compilePattern(in.EventPattern); err != nil {
			return nil, err
		}
	}
	switch in.State {
	case "":
		in.State = stateEnabled
	case stateEnabled, stateDisabled, stateEnabledCloudTrail:
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]", in.State)
	}
	if len(in.Description) > 512 {
		return nil, validation("Description must be at most 512 characters.")
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if _, _, err := s.bus(ctx, account, busName); err != nil {
		return nil, err
	}
	err := s.saveRule(ctx, account, busName, in.Name, true, func(d *ruleDoc, created bool) error {
		d.EventPattern, d.ScheduleExpression, d.State, d.Description, d.RoleArn = in.EventPattern, in.ScheduleExpression, in.State, in.Description, in.RoleArn
		if created {
			d.CreatedBy, d.Tags = account, in.Tags
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &PutRuleOutput{RuleArn: s.ruleARN(account, busName, in.Name)}, nil
}

// compilePattern compiles an EventPattern, answering InvalidEventPatternException with AWS's
// reason when it is not valid.
func compilePattern(pattern string) (*eventpattern.Pattern, error) {
	p, err := eventpattern.Compile([]byte(pattern), eventpattern.EventBridge)
	if err != nil {
		var pe *eventpattern.Error
		if errors.As(err, &pe) {
			return nil, ErrInvalidEventPattern.Errorf("%s", pe.Error())
		}
		return nil, ErrInvalidEventPattern.Errorf("Event pattern is not valid. Reason: %s", err.Error())
	}
	return p, nil
}

// saveRule reads a rule, lets change edit it and saves it, retrying when another save came
// between the read and the write. create allows a rule that does not exist yet.
func (s *Service) saveRule(ctx context.Context, account, bus, name string, create bool, change func(d *ruleDoc, created bool) error) error {
	for attempt := 0; ; attempt++ {
		r, err := s.store.EventRule(ctx, account, bus, name)
		created := errors.Is(err, store.ErrNotFound)
		switch {
		case created && !create:
			return ErrResourceNotFound.Errorf("Rule %s does not exist on EventBus %s.", name, bus)
		case created:
			r = store.EventRule{Account: account, Bus: bus, Name: name, Created: s.clock.Now()}
		case err != nil:
			return err
		}
		d := decodeRule(r)
		if err := change(&d, created); err != nil {
			return err
		}
		r.Doc, _ = json.Marshal(d)
		r.Scheduled = d.scheduled()
		_, err = s.store.SaveEventRule(ctx, r)
		if err == nil {
			s.matcher.changed(ctx, account, bus)
			return nil
		}
		retry := errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrExists) || errors.Is(err, store.ErrNotFound)
		if !retry || attempt >= 5 {
			if retry {
				return ErrConcurrentModification.Errorf("Concurrent modification of rule %s.", name)
			}
			return err
		}
	}
}

// rule reads a rule, answering ResourceNotFoundException as AWS does.
func (s *Service) rule(ctx context.Context, account, bus, name string) (store.EventRule, ruleDoc, error) {
	r, err := s.store.EventRule(ctx, account, bus, name)
	if errors.Is(err, store.ErrNotFound) {
		return r, ruleDoc{}, ErrResourceNotFound.Errorf("Rule %s does not exist on EventBus %s.", name, bus)
	}
	if err != nil {
		return r, ruleDoc{}, err
	}
	return r, decodeRule(r), nil
}

// DescribeRule describes a rule.
func (s *Service) DescribeRule(ctx context.Context, in *RuleInput) (*DescribeRuleOutput, error) {
	account, bus := busOf(ctx, in.EventBusName)
	_, d, err := s.rule(ctx, account, bus, in.Name)
	if err != nil {
		return nil, err
	}
	return &DescribeRuleOutput{Name: in.Name, Arn: s.ruleARN(account, bus, in.Name), EventPattern: d.EventPattern, ScheduleExpression: d.ScheduleExpression,
		State: d.State, Description: d.Description, RoleArn: d.RoleArn, ManagedBy: d.ManagedBy, EventBusName: bus, CreatedBy: d.CreatedBy}, nil
}

// DeleteRule deletes a rule that has no targets left; deleting one that does not exist succeeds.
func (s *Service) DeleteRule(ctx context.Context, in *RuleInput) (*Empty, error) {
	account, bus := busOf(ctx, in.EventBusName)
	r, err := s.store.EventRule(ctx, account, bus, in.Name)
	if errors.Is(err, store.ErrNotFound) {
		return &Empty{}, nil
	}
	if err != nil {
		return nil, err
	}
	if len(decodeRule(r).Targets) > 0 {
		return nil, validation("Rule can't be deleted since it has targets.")
	}
	if err := s.store.DeleteEventRule(ctx, account, bus, in.Name); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	s.matcher.changed(ctx, account, bus)
	return &Empty{}, nil
}

// EnableRule enables a rule.
func (s *Service) EnableRule(ctx context.Context, in *RuleInput) (*Empty, error) {
	return s.setState(ctx, in, stateEnabled)
}

// DisableRule disables a rule: it stops matching events and firing.
func (s *Service) DisableRule(ctx context.Context, in *RuleInput) (*Empty, error) {
	return s.setState(ctx, in, stateDisabled)
}

func (s *Service) setState(ctx context.Context, in *RuleInput, state string) (*Empty, error) {
	account, bus := busOf(ctx, in.EventBusName)
	err := s.saveRule(ctx, account, bus, in.Name, false, func(d *ruleDoc, _ bool) error {
		if state == stateDisabled || d.State == stateDisabled {
			d.State = state
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// ListRules lists a bus's rules by name.
func (s *Service) ListRules(ctx context.Context, in *ListRulesInput) (*ListRulesOutput, error) {
	account, bus := busOf(ctx, in.EventBusName)
	if _, _, err := s.bus(ctx, account, bus); err != nil {
		return nil, err
	}
	all, err := s.store.ListEventRules(ctx, account, bus)
	if err != nil {
		return nil, err
	}
	var names []string
	docs := map[string]ruleDoc{}
	for _, r := range all {
		if strings.HasPrefix(r.Name, in.NamePrefix) {
			names = append(names, r.Name)
			docs[r.Name] = decodeRule(r)
		}
	}
	page, next, err := paginate(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &ListRulesOutput{Rules: []Rule{}, NextToken: next}
	for _, n := range page {
		d := docs[n]
		out.Rules = append(out.Rules, Rule{Name: n, Arn: s.ruleARN(account, bus, n), EventPattern: d.EventPattern, State: d.State, Description: d.Description,
			ScheduleExpression: d.ScheduleExpression, RoleArn: d.RoleArn, ManagedBy: d.ManagedBy, EventBusName: bus})
	}
	return out, nil
}

// ListRuleNamesByTarget lists the names of a bus's rules with a target of the ARN.
func (s *Service) ListRuleNamesByTarget(ctx context.Context, in *ListRuleNamesByTargetInput) (*ListRuleNamesByTargetOutput, error) {
	if in.TargetArn == "" {
		return nil, validation("Parameter TargetArn is required.")
	}
	account, bus := busOf(ctx, in.EventBusName)
	all, err := s.store.ListEventRules(ctx, account, bus)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, r := range all {
		for _, t := range decodeRule(r).Targets {
			if t.Arn == in.TargetArn {
				names = append(names, r.Name)
				break
			}
		}
	}
	page, next, err := paginate(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	return &ListRuleNamesByTargetOutput{RuleNames: append([]string{}, page...), NextToken: next}, nil
}
