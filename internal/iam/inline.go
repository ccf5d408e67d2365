package iam

import (
	"context"
	"errors"

	"github.com/gureum/gureum/internal/iam/policy"
	"github.com/gureum/gureum/internal/store"
)

// Inline policy size quotas by entity kind, and the quota names IAM's messages use.
var inlineLimits = map[string]struct {
	max   int
	quota string
}{
	store.KindUser:  {policy.MaxUserInline, "PolicySize"},
	store.KindGroup: {policy.MaxGroupInline, "PolicySize"},
	store.KindRole:  {policy.MaxRoleInline, "PolicySize"},
}

func (s *Service) putInline(ctx context.Context, kind, entity, name, doc string) error {
	if err := checkName("policyName", name, 128); err != nil {
		return err
	}
	lim := inlineLimits[kind]
	if _, err := checkDocument(doc, policy.Identity, lim.max, lim.quota); err != nil {
		return err
	}
	e, err := s.entity(ctx, kind, entity)
	if err != nil {
		return err
	}
	// The quota is on the sum of an entity's inline policies.
	have, err := s.store.InlinePolicies(ctx, e.Account, kind, e.Name)
	if err != nil {
		return err
	}
	total := policy.Size(doc)
	for _, p := range have {
		if p.Name != name {
			total += policy.Size(p.Document)
		}
	}
	if total > lim.max {
		return ErrLimitExceeded.Errorf("Maximum policy size of %d bytes exceeded for %s %s", lim.max, kindWord(kind), e.Name)
	}
	return s.store.PutInlinePolicy(ctx, store.InlinePolicy{Account: e.Account, Kind: kind, Entity: e.Name, Name: name, Document: doc})
}

func (s *Service) getInline(ctx context.Context, kind, entity, name string) (store.Entity, string, error) {
	e, err := s.entity(ctx, kind, entity)
	if err != nil {
		return e, "", err
	}
	have, err := s.store.InlinePolicies(ctx, e.Account, kind, e.Name)
	if err != nil {
		return e, "", err
	}
	for _, p := range have {
		if p.Name == name {
			return e, p.Document, nil
		}
	}
	return e, "", ErrNoSuchEntity.Errorf("The %s policy with name %s cannot be found.", kindWord(kind), name)
}

func (s *Service) deleteInline(ctx context.Context, kind, entity, name string) error {
	e, err := s.entity(ctx, kind, entity)
	if err != nil {
		return err
	}
	err = s.store.DeleteInlinePolicy(ctx, e.Account, kind, e.Name, name)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNoSuchEntity.Errorf("The %s policy with name %s cannot be found.", kindWord(kind), name)
	}
	return err
}

func (s *Service) listInline(ctx context.Context, kind, entity, marker string, maxItems int) (*ListPolicyNamesOutput, error) {
	e, err := s.entity(ctx, kind, entity)
	if err != nil {
		return nil, err
	}
	have, err := s.store.InlinePolicies(ctx, e.Account, kind, e.Name)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, p := range have {
		names = append(names, p.Name)
	}
	out := &ListPolicyNamesOutput{}
	out.PolicyNames, out.Marker, out.IsTruncated, err = page(names, marker, maxItems)
	return out, err
}

// ListPolicyNamesOutput is the output of ListUserPolicies, ListGroupPolicies and ListRolePolicies.
type ListPolicyNamesOutput struct {
	PolicyNames members[string] `xml:"PolicyNames"`
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

type PutUserPolicyInput struct{ UserName, PolicyName, PolicyDocument string }
type PutGroupPolicyInput struct{ GroupName, PolicyName, PolicyDocument string }
type PutRolePolicyInput struct{ RoleName, PolicyName, PolicyDocument string }
type PutPolicyOutput struct{}

// PutUserPolicy creates or replaces a user's inline policy.
func (s *Service) PutUserPolicy(ctx context.Context, in *PutUserPolicyInput) (*PutPolicyOutput, error) {
	return &PutPolicyOutput{}, s.putInline(ctx, store.KindUser, in.UserName, in.PolicyName, in.PolicyDocument)
}

// PutGroupPolicy creates or replaces a group's inline policy.
func (s *Service) PutGroupPolicy(ctx context.Context, in *PutGroupPolicyInput) (*PutPolicyOutput, error) {
	return &PutPolicyOutput{}, s.putInline(ctx, store.KindGroup, in.GroupName, in.PolicyName, in.PolicyDocument)
}

// PutRolePolicy creates or replaces a role's inline policy.
func (s *Service) PutRolePolicy(ctx context.Context, in *PutRolePolicyInput) (*PutPolicyOutput, error) {
	return &PutPolicyOutput{}, s.putInline(ctx, store.KindRole, in.RoleName, in.PolicyName, in.PolicyDocument)
}

type GetUserPolicyInput struct{ UserName, PolicyName string }
type GetUserPolicyOutput struct{ UserName, PolicyName, PolicyDocument string }
type GetGroupPolicyInput struct{ GroupName, PolicyName string }
type GetGroupPolicyOutput struct{ GroupName, PolicyName, PolicyDocument string }
type GetRolePolicyInput struct{ RoleName, PolicyName string }
type GetRolePolicyOutput struct{ RoleName, PolicyName, PolicyDocument string }

// GetUserPolicy returns a user's inline policy.
func (s *Service) GetUserPolicy(ctx context.Context, in *GetUserPolicyInput) (*GetUserPolicyOutput, error) {
	e, doc, err := s.getInline(ctx, store.KindUser, in.UserName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &GetUserPolicyOutput{UserName: e.Name, PolicyName: in.PolicyName, PolicyDocument: encodeDocument(doc)}, nil
}

// GetGroupPolicy returns a group's inline policy.
func (s *Service) GetGroupPolicy(ctx context.Context, in *GetGroupPolicyInput) (*GetGroupPolicyOutput, error) {
	e, doc, err := s.getInline(ctx, store.KindGroup, in.GroupName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &GetGroupPolicyOutput{GroupName: e.Name, PolicyName: in.PolicyName, PolicyDocument: encodeDocument(doc)}, nil
}

// GetRolePolicy returns a role's inline policy.
func (s *Service) GetRolePolicy(ctx context.Context, in *GetRolePolicyInput) (*GetRolePolicyOutput, error) {
	e, doc, err := s.getInline(ctx, store.KindRole, in.RoleName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &GetRolePolicyOutput{RoleName: e.Name, PolicyName: in.PolicyName, PolicyDocument: encodeDocument(doc)}, nil
}

type DeleteUserPolicyInput struct{ UserName, PolicyName string }
type DeleteGroupPolicyInput struct{ GroupName, PolicyName string }
type DeleteRolePolicyInput struct{ RoleName, PolicyName string }
type DeletePolicyOutput struct{}

// DeleteUserPolicy deletes a user's inline policy.
func (s *Service) DeleteUserPolicy(ctx context.Context, in *DeleteUserPolicyInput) (*DeletePolicyOutput, error) {
	return &DeletePolicyOutput{}, s.deleteInline(ctx, store.KindUser, in.UserName, in.PolicyName)
}

// DeleteGroupPolicy deletes a group's inline policy.
func (s *Service) DeleteGroupPolicy(ctx context.Context, in *DeleteGroupPolicyInput) (*DeletePolicyOutput, error) {
	return &DeletePolicyOutput{}, s.deleteInline(ctx, store.KindGroup, in.GroupName, in.PolicyName)
}

// DeleteRolePolicy deletes a role's inline policy.
func (s *Service) DeleteRolePolicy(ctx context.Context, in *DeleteRolePolicyInput) (*DeletePolicyOutput, error) {
	return &DeletePolicyOutput{}, s.deleteInline(ctx, store.KindRole, in.RoleName, in.PolicyName)
}

type ListUserPoliciesInput struct {
	UserName string
	Marker   string
	MaxItems int
}
type ListGroupPoliciesInput struct {
	GroupName string
	Marker    string
	MaxItems  int
}
type ListRolePoliciesInput struct {
	RoleName string
	Marker   string
	MaxItems int
}

// ListUserPolicies lists a user's inline policy names.
func (s *Service) ListUserPolicies(ctx context.Context, in *ListUserPoliciesInput) (*ListPolicyNamesOutput, error) {
	return s.listInline(ctx, store.KindUser, in.UserName, in.Marker, in.MaxItems)
}

// ListGroupPolicies lists a group's inline policy names.
func (s *Service) ListGroupPolicies(ctx context.Context, in *ListGroupPoliciesInput) (*ListPolicyNamesOutput, error) {
	return s.listInline(ctx, store.KindGroup, in.GroupName, in.Marker, in.MaxItems)
}

// ListRolePolicies lists a role's inline policy names.
func (s *Service) ListRolePolicies(ctx context.Context, in *ListRolePoliciesInput) (*ListPolicyNamesOutput, error) {
	return s.listInline(ctx, store.KindRole, in.RoleName, in.Marker, in.MaxItems)
}
