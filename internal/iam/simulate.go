package iam

import (
	"context"
	"errors"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/iam/policy"
	"github.com/gureum/gureum/internal/store"
)

// ContextEntry is a condition key the simulation supplies.
type ContextEntry struct {
	ContextKeyName   string
	ContextKeyValues []string
	ContextKeyType   string
}

// MatchedStatement is IAM's Statement shape: the policy a matching statement came from.
type MatchedStatement struct {
	SourcePolicyId   string
	SourcePolicyType string
	StartPosition    Position
	EndPosition      Position
}

// Position is a line and column in a policy document.
type Position struct {
	Line   int
	Column int
}

// EvaluationResult is one (action, resource) decision.
type EvaluationResult struct {
	EvalActionName       string
	EvalResourceName     string
	EvalDecision         string
	MatchedStatements    members[MatchedStatement] `xml:"MatchedStatements"`
	MissingContextValues members[string]           `xml:"MissingContextValues"`
}

type SimulatePrincipalPolicyInput struct {
	PolicySourceArn                    string
	PolicyInputList                    []string
	PermissionsBoundaryPolicyInputList []string
	ActionNames                        []string
	ResourceArns                       []string
	ResourcePolicy                     string
	ResourceOwner                      string
	CallerArn                          string
	ContextEntries                     []ContextEntry
	Marker                             string
	MaxItems                           int
}

type SimulateOutput struct {
	EvaluationResults members[EvaluationResult] `xml:"EvaluationResults"`
	IsTruncated       bool
	Marker            string `xml:",omitempty"`
}

// SimulatePrincipalPolicy decides actions on resources for a user, group or role of the account
// with its policies, optional extra policies, boundary and resource policy.
func (s *Service) SimulatePrincipalPolicy(ctx context.Context, in *SimulatePrincipalPolicyInput) (*SimulateOutput, error) {
	account, kind, name, ok := entityOfARN(in.PolicySourceArn)
	if !ok || account != callerAccount(ctx) {
		return nil, ErrInvalidInput.Errorf("Invalid ARN: %s", in.PolicySourceArn)
	}
	ip, e, err := loader{s.store}.load(ctx, account, kind, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoSuchEntity.Errorf("The %s with name %s cannot be found.", kindWord(kind), name)
	}
	if err != nil {
		return nil, err
	}
	pols := ip.policies
	extra, err := parseInputs(in.PolicyInputList, sourceInput)
	if err != nil {
		return nil, err
	}
	pols.Identity = append(pols.Identity, extra...)
	if len(in.PermissionsBoundaryPolicyInputList) > 0 {
		b, err := parseInputs(in.PermissionsBoundaryPolicyInputList[:1], sourceBoundary)
		if err != nil {
			return nil, err
		}
		pols.Boundary = b[0]
	}
	p := policy.Principal{ARN: e.ARN, Account: account, UserID: e.ID, Type: "User", Tags: ip.tags, Username: ip.username}
	if kind == store.KindRole {
		p.Type, p.RoleARN, p.ARN = "AssumedRole", e.ARN, "arn:aws:sts::"+account+":assumed-role/"+e.Name+"/simulation"
	}
	if in.CallerArn != "" {
		p.ARN = in.CallerArn
	}
	return s.simulate(p, &pols, in.ActionNames, in.ResourceArns, in.ResourcePolicy, in.ResourceOwner, in.ContextEntries, in.Marker, in.MaxItems)
}

type SimulateCustomPolicyInput struct {
	PolicyInputList                    []string
	PermissionsBoundaryPolicyInputList []string
	ActionNames                        []string
	ResourceArns                       []string
	ResourcePolicy                     string
	ResourceOwner                      string
	CallerArn                          string
	ContextEntries                     []ContextEntry
	Marker                             string
	MaxItems                           int
}

// SimulateCustomPolicy decides actions on resources with the given policies alone.
func (s *Service) SimulateCustomPolicy(ctx context.Context, in *SimulateCustomPolicyInput) (*SimulateOutput, error) {
	if len(in.PolicyInputList) == 0 {
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value null at 'policyInputList' failed to satisfy constraint: Member must not be null")
	}
	pols := policy.Policies{}
	var err error
	if pols.Identity, err = parseInputs(in.PolicyInputList, sourceInput); err != nil {
		return nil, err
	}
	if len(in.PermissionsBoundaryPolicyInputList) > 0 {
		b, err := parseInputs(in.PermissionsBoundaryPolicyInputList[:1], sourceBoundary)
		if err != nil {
			return nil, err
		}
		pols.Boundary = b[0]
	}
	account := callerAccount(ctx)
	p := policy.Principal{ARN: in.CallerArn, Account: account, Type: "User"}
	if p.ARN == "" {
		p.ARN = "arn:aws:iam::" + account + ":user/simulated"
	}
	return s.simulate(p, &pols, in.ActionNames, in.ResourceArns, in.ResourcePolicy, in.ResourceOwner, in.ContextEntries, in.Marker, in.MaxItems)
}

func parseInputs(docs []string, source string) ([]*policy.Policy, error) {
	var out []*policy.Policy
	for i, d := range docs {
		p, err := policy.Parse(d, policy.Identity)
		var pe *policy.Error
		if errors.As(err, &pe) {
			return nil, ErrMalformedPolicyDocument.Errorf("%s", pe.Msg)
		}
		if err != nil {
			return nil, err
		}
		p.Name = policyName(source, "PolicyInputList."+itoa(i+1))
		out = append(out, p)
	}
	return out, nil
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// simulate evaluates every action against every resource.
func (s *Service) simulate(p policy.Principal, pols *policy.Policies, actions, resources []string, resourcePolicy, owner string, entries []ContextEntry, marker string, maxItems int) (*SimulateOutput, error) {
	if len(actions) == 0 {
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null")
	}
	if resourcePolicy != "" {
		rp, err := policy.Parse(resourcePolicy, policy.Resource)
		var pe *policy.Error
		if errors.As(err, &pe) {
			return nil, ErrMalformedPolicyDocument.Errorf("%s", pe.Msg)
		}
		rp.Name = policyName(sourceResource, "ResourcePolicy")
		pols.Resource = rp
	}
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	if owner != "" {
		owner = policy.ARNAccount(owner)
	}
	var results []EvaluationResult
	for _, a := range actions {
		for _, r := range resources {
			req := &policy.Request{Principal: p, Action: a, Resource: r, ResourceAccount: owner}
			for _, c := range entries {
				req.Set(c.ContextKeyName, c.ContextKeyValues...)
			}
			res := policy.Evaluate(req, pols)
			er := EvaluationResult{EvalActionName: a, EvalResourceName: r, EvalDecision: res.Decision.String()}
			for _, m := range res.Matched {
				t, id := splitPolicyName(m.Policy)
				er.MatchedStatements = append(er.MatchedStatements, MatchedStatement{SourcePolicyId: id, SourcePolicyType: t,
					StartPosition: Position{m.Start.Line, m.Start.Column}, EndPosition: Position{m.End.Line, m.End.Column}})
			}
			results = append(results, er)
		}
	}
	out := &SimulateOutput{}
	var err error
	out.EvaluationResults, out.Marker, out.IsTruncated, err = page(results, marker, maxItems)
	return out, err
}
