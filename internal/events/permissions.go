package events

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"

	"github.com/gureum/gureum/internal/iam/policy"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
)

// Condition is PutPermission's condition on the principal (AWS allows only
// aws:PrincipalOrgID with StringEquals).
type Condition struct {
	Type  string
	Key   string
	Value string
}

// PutPermissionInput is PutPermission's input: either a whole Policy, or one statement
// (StatementId, Action, Principal and an optional Condition).
type PutPermissionInput struct {
	EventBusName string
	Action       string
	Principal    string
	StatementId  string
	Condition    *Condition
	Policy       string
}

// RemovePermissionInput is RemovePermission's input.
type RemovePermissionInput struct {
	EventBusName         string
	StatementId          string
	RemoveAllPermissions bool
}

// busPolicy is the part of a policy document PutPermission and RemovePermission edit.
type busPolicy struct {
	Version   string            `json:"Version"`
	Statement []json.RawMessage `json:"Statement"`
}

var (
	statementIDRE = regexp.MustCompile(`^[a-zA-Z0-9-_]{1,64}$`)
	principalRE   = regexp.MustCompile(`^(\d{12}|\*)$`)
)

// maxBusPolicy is EventBridge's limit on a bus policy's length.
const maxBusPolicy = 10240

// PutPermission adds a statement to a bus's policy, or replaces the policy with Policy.
func (s *Service) PutPermission(ctx context.Context, in *PutPermissionInput) (*Empty, error) {
	account, name := busOf(ctx, in.EventBusName)
	b, d, err := s.bus(ctx, account, name)
	if err != nil {
		return nil, err
	}
	arn := s.busARN(account, name)
	if in.Policy != "" {
		if in.StatementId != "" || in.Principal != "" || in.Action != "" {
			return nil, validation("Policy cannot be combined with StatementId, Principal, Action or Condition.")
		}
		if _, err := policy.Parse(in.Policy, policy.Resource); err != nil {
			return nil, validation("Policy is invalid: %s", err)
		}
		d.Policy = in.Policy
	} else {
		st, err := permissionStatement(in, arn)
		if err != nil {
			return nil, err
		}
		p, sids, err := readBusPolicy(d.Policy)
		if err != nil {
			return nil, err
		}
		for i, sid := range sids {
			if sid == in.StatementId {
				p.Statement = append(p.Statement[:i], p.Statement[i+1:]...) // a statement of that id is replaced
				break
			}
		}
		p.Statement = append(p.Statement, st)
		doc, _ := json.Marshal(p)
		d.Policy = string(doc)
	}
	if len(d.Policy) > maxBusPolicy {
		return nil, ErrPolicyLengthExceeded.Errorf("The policy of event bus %s is over its length limit.", name)
	}
	return &Empty{}, s.saveBus(ctx, b, d)
}

// permissionStatement builds PutPermission's statement as EventBridge writes it.
func permissionStatement(in *PutPermissionInput, busARN string) (json.RawMessage, error) {
	switch {
	case !statementIDRE.MatchString(in.StatementId):
		return nil, validation("1 validation error detected: Value '%s' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+", in.StatementId)
	case in.Action != "events:PutEvents":
		return nil, validation("Provided value in parameter 'action' is not supported.")
	case !principalRE.MatchString(in.Principal):
		return nil, validation("1 validation error detected: Value '%s' at 'principal' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\d{12}|\\*)", in.Principal)
	case in.Principal == "*" && in.Condition == nil:
		return nil, validation("A condition is required when the principal is '*'.")
	}
	st := map[string]any{"Sid": in.StatementId, "Effect": "Allow", "Action": in.Action, "Resource": busARN}
	if in.Principal == "*" {
		st["Principal"] = "*"
	} else {
		st["Principal"] = map[string]string{"AWS": "arn:aws:iam::" + in.Principal + ":root"}
	}
	if c := in.Condition; c != nil {
		if c.Type != "StringEquals" || c.Key != "aws:PrincipalOrgID" || c.Value == "" {
			return nil, validation("The condition must be a StringEquals on aws:PrincipalOrgID.")
		}
		st["Condition"] = map[string]any{c.Type: map[string]string{c.Key: c.Value}}
	}
	b, _ := json.Marshal(st)
	return b, nil
}

// RemovePermission removes a statement from a bus's policy, or every statement.
func (s *Service) RemovePermission(ctx context.Context, in *RemovePermissionInput) (*Empty, error) {
	account, name := busOf(ctx, in.EventBusName)
	b, d, err := s.bus(ctx, account, name)
	if err != nil {
		return nil, err
	}
	if in.RemoveAllPermissions {
		d.Policy = ""
		return &Empty{}, s.saveBus(ctx, b, d)
	}
	if in.StatementId == "" {
		return nil, validation("StatementId is required unless RemoveAllPermissions is true.")
	}
	p, sids, err := readBusPolicy(d.Policy)
	if err != nil {
		return nil, err
	}
	for i, sid := range sids {
		if sid == in.StatementId {
			p.Statement = append(p.Statement[:i], p.Statement[i+1:]...)
			d.Policy = ""
			if len(p.Statement) > 0 {
				doc, _ := json.Marshal(p)
				d.Policy = string(doc)
			}
			return &Empty{}, s.saveBus(ctx, b, d)
		}
	}
	return nil, ErrResourceNotFound.Errorf("Statement with the provided id does not exist.")
}

func readBusPolicy(doc string) (busPolicy, []string, error) {
	p := busPolicy{Version: "2012-10-17"}
	if doc == "" {
		return p, nil, nil
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return p, nil, validation("The event bus's policy is not a valid policy document.")
	}
	sids := make([]string, len(p.Statement))
	for i, st := range p.Statement {
		var one struct{ Sid string }
		json.Unmarshal(st, &one)
		sids[i] = one.Sid
	}
	return p, sids, nil
}

func (s *Service) saveBus(ctx context.Context, b store.EventBus, d busDoc) error {
	d.Modified = s.clock.Now()
	b.Doc, _ = json.Marshal(d)
	return s.store.UpdateEventBus(ctx, b)
}

// ResourcePolicy is EventBridge's service.ResourcePolicyFunc: the owner and policy of the bus a
// check names (rules, archives and replays have none).
func (s *Service) ResourcePolicy(ctx context.Context, resource string) (owner, doc string, err error) {
	parts := strings.SplitN(resource, ":", 6)
	if len(parts) != 6 || parts[2] != "events" || !strings.HasPrefix(parts[5], "event-bus/") {
		return "", "", nil
	}
	b, err := s.store.EventBus(ctx, parts[4], strings.TrimPrefix(parts[5], "event-bus/"))
	if errors.Is(err, store.ErrNotFound) {
		return "", "", nil
	}
	if err != nil {
		return "", "", err
	}
	return b.Account, decodeBus(b).Policy, nil
}

// putEventsChecks are PutEvents' authorization questions: events:PutEvents on each bus its
// entries name.
func (s *Service) putEventsChecks(ctx context.Context, in any) []service.Check {
	seen := map[string]bool{}
	var checks []service.Check
	for _, e := range in.(*PutEventsInput).Entries {
		account, bus := busOf(ctx, e.EventBusName)
		arn := s.busARN(account, bus)
		if !seen[arn] {
			seen[arn] = true
			checks = append(checks, service.Check{Action: "events:PutEvents", Resource: arn})
		}
	}
	if len(checks) == 0 {
		checks = append(checks, service.Check{Action: "events:PutEvents", Resource: "*"})
	}
	return checks
}
