package iam

import (
	"context"
	"errors"

	"github.com/gureum/gureum/internal/store"
)

// maxAttached is IAM's default quota of managed policies attached to one entity.
const maxAttached = 10

// AttachedPolicy is IAM's AttachedPolicy shape.
type AttachedPolicy struct {
	PolicyName string
	PolicyArn  string
}

func (s *Service) attach(ctx context.Context, kind, name, arn string) error {
	e, err := s.entity(ctx, kind, name)
	if err != nil {
		return err
	}
	if _, err := s.managedPolicy(ctx, arn); err != nil {
		return err
	}
	have, err := s.store.Attached(ctx, e.Account, kind, e.Name)
	if err != nil {
		return err
	}
	if len(have) >= maxAttached && !contains(have, arn) {
		return ErrLimitExceeded.Errorf("Cannot exceed quota for PoliciesPerUser: %d", maxAttached)
	}
	return s.store.Attach(ctx, store.Attachment{Account: e.Account, Kind: kind, Entity: e.Name, PolicyARN: arn})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (s *Service) detach(ctx context.Context, kind, name, arn string) error {
	e, err := s.entity(ctx, kind, name)
	if err != nil {
		return err
	}
	err = s.store.Detach(ctx, store.Attachment{Account: e.Account, Kind: kind, Entity: e.Name, PolicyARN: arn})
	if errors.Is(err, store.ErrNotFound) {
		return ErrNoSuchEntity.Errorf("Policy %s was not found.", arn)
	}
	return err
}

func (s *Service) listAttached(ctx context.Context, kind, name, prefix, marker string, maxItems int) (*ListAttachedPoliciesOutput, error) {
	e, err := s.entity(ctx, kind, name)
	if err != nil {
		return nil, err
	}
	arns, err := s.store.Attached(ctx, e.Account, kind, e.Name)
	if err != nil {
		return nil, err
	}
	var list []AttachedPolicy
	for _, a := range arns {
		p, err := s.managedPolicy(ctx, a)
		if err != nil {
			continue
		}
		if prefix != "" && (len(p.Path) < len(prefix) || p.Path[:len(prefix)] != prefix) {
			continue
		}
		list = append(list, AttachedPolicy{PolicyName: p.Name, PolicyArn: a})
	}
	out := &ListAttachedPoliciesOutput{}
	out.AttachedPolicies, out.Marker, out.IsTruncated, err = page(list, marker, maxItems)
	return out, err
}

// ListAttachedPoliciesOutput is the output of the ListAttached…Policies operations.
type ListAttachedPoliciesOutput struct {
	AttachedPolicies members[AttachedPolicy] `xml:"AttachedPolicies"`
	IsTruncated      bool
	Marker           string `xml:",omitempty"`
}

type AttachUserPolicyInput struct{ UserName, PolicyArn string }
type AttachGroupPolicyInput struct{ GroupName, PolicyArn string }
type AttachRolePolicyInput struct{ RoleName, PolicyArn string }
type AttachOutput struct{}

// AttachUserPolicy attaches a managed policy to a user.
func (s *Service) AttachUserPolicy(ctx context.Context, in *AttachUserPolicyInput) (*AttachOutput, error) {
	return &AttachOutput{}, s.attach(ctx, store.KindUser, in.UserName, in.PolicyArn)
}

// AttachGroupPolicy attaches a managed policy to a group.
func (s *Service) AttachGroupPolicy(ctx context.Context, in *AttachGroupPolicyInput) (*AttachOutput, error) {
	return &AttachOutput{}, s.attach(ctx, store.KindGroup, in.GroupName, in.PolicyArn)
}

// AttachRolePolicy attaches a managed policy to a role.
func (s *Service) AttachRolePolicy(ctx context.Context, in *AttachRolePolicyInput) (*AttachOutput, error) {
	return &AttachOutput{}, s.attach(ctx, store.KindRole, in.RoleName, in.PolicyArn)
}

type DetachUserPolicyInput struct{ UserName, PolicyArn string }
type DetachGroupPolicyInput struct{ GroupName, PolicyArn string }
type DetachRolePolicyInput struct{ RoleName, PolicyArn string }

// DetachUserPolicy detaches a managed policy from a user.
func (s *Service) DetachUserPolicy(ctx context.Context, in *DetachUserPolicyInput) (*AttachOutput, error) {
	return &AttachOutput{}, s.detach(ctx, store.KindUser, in.UserName, in.PolicyArn)
}

// DetachGroupPolicy detaches a managed policy from a group.
func (s *Service) DetachGroupPolicy(ctx context.Context, in *DetachGroupPolicyInput) (*AttachOutput, error) {
	return &AttachOutput{}, s.detach(ctx, store.KindGroup, in.GroupName, in.PolicyArn)
}

// DetachRolePolicy detaches a managed policy from a role.
func (s *Service) DetachRolePolicy(ctx context.Context, in *DetachRolePolicyInput) (*AttachOutput, error) {
	return &AttachOutput{}, s.detach(ctx, store.KindRole, in.RoleName, in.PolicyArn)
}

type ListAttachedUserPoliciesInput struct {
	UserName, PathPrefix, Marker string
	MaxItems                     int
}
type ListAttachedGroupPoliciesInput struct {
	GroupName, PathPrefix, Marker string
	MaxItems                      int
}
type ListAttachedRolePoliciesInput struct {
	RoleName, PathPrefix, Marker string
	MaxItems                     int
}

// ListAttachedUserPolicies lists the managed policies attached to a user.
func (s *Service) ListAttachedUserPolicies(ctx context.Context, in *ListAttachedUserPoliciesInput) (*ListAttachedPoliciesOutput, error) {
	return s.listAttached(ctx, store.KindUser, in.UserName, in.PathPrefix, in.Marker, in.MaxItems)
}

// ListAttachedGroupPolicies lists the managed policies attached to a group.
func (s *Service) ListAttachedGroupPolicies(ctx context.Context, in *ListAttachedGroupPoliciesInput) (*ListAttachedPoliciesOutput, error) {
	return s.listAttached(ctx, store.KindGroup, in.GroupName, in.PathPrefix, in.Marker, in.MaxItems)
}

// ListAttachedRolePolicies lists the managed policies attached to a role.
func (s *Service) ListAttachedRolePolicies(ctx context.Context, in *ListAttachedRolePoliciesInput) (*ListAttachedPoliciesOutput, error) {
	return s.listAttached(ctx, store.KindRole, in.RoleName, in.PathPrefix, in.Marker, in.MaxItems)
}

type ListEntitiesForPolicyInput struct {
	PolicyArn    string
	EntityFilter string
	PathPrefix   string
	Marker       string
	MaxItems     int
}

type PolicyGroup struct{ GroupName, GroupId string }
type PolicyUser struct{ UserName, UserId string }
type PolicyRole struct{ RoleName, RoleId string }

type ListEntitiesForPolicyOutput struct {
	PolicyGroups members[PolicyGroup] `xml:"PolicyGroups"`
	PolicyUsers  members[PolicyUser]  `xml:"PolicyUsers"`
	PolicyRoles  members[PolicyRole]  `xml:"PolicyRoles"`
	IsTruncated  bool
	Marker       string `xml:",omitempty"`
}

// ListEntitiesForPolicy lists the caller's account's users, groups and roles a policy is attached to.
func (s *Service) ListEntitiesForPolicy(ctx context.Context, in *ListEntitiesForPolicyInput) (*ListEntitiesForPolicyOutput, error) {
	if _, err := s.managedPolicy(ctx, in.PolicyArn); err != nil {
		return nil, err
	}
	at, err := s.store.AttachedTo(ctx, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	out := &ListEntitiesForPolicyOutput{}
	account := callerAccount(ctx)
	for _, a := range at {
		if a.Account != account || in.EntityFilter != "" && in.EntityFilter != "LocalManagedPolicy" && in.EntityFilter != "AWSManagedPolicy" && !equalFold(in.EntityFilter, a.Kind) {
			continue
		}
		e, err := s.store.Entity(ctx, account, a.Kind, a.Entity)
		if err != nil || in.PathPrefix != "" && (len(e.Path) < len(in.PathPrefix) || e.Path[:len(in.PathPrefix)] != in.PathPrefix) {
			continue
		}
		switch a.Kind {
		case store.KindUser:
			out.PolicyUsers = append(out.PolicyUsers, PolicyUser{e.Name, e.ID})
		case store.KindGroup:
			out.PolicyGroups = append(out.PolicyGroups, PolicyGroup{e.Name, e.ID})
		case store.KindRole:
			out.PolicyRoles = append(out.PolicyRoles, PolicyRole{e.Name, e.ID})
		}
	}
	return out, nil
}

// checkBoundary checks that a permissions boundary names a managed policy ("" is none).
func (s *Service) checkBoundary(ctx context.Context, arn string) error {
	if arn == "" {
		return nil
	}
	if _, err := s.managedPolicy(ctx, arn); err != nil {
		return ErrInvalidInput.Errorf("Invalid permissions boundary: %s is not a managed policy.", arn)
	}
	return nil
}

func (s *Service) setBoundary(ctx context.Context, kind, name, arn string) error {
	e, err := s.entity(ctx, kind, name)
	if err != nil {
		return err
	}
	if arn != "" {
		if err := s.checkBoundary(ctx, arn); err != nil {
			return err
		}
	}
	e.Boundary = arn
	return s.store.UpdateEntity(ctx, e)
}

type PutUserPermissionsBoundaryInput struct{ UserName, PermissionsBoundary string }
type PutRolePermissionsBoundaryInput struct{ RoleName, PermissionsBoundary string }
type DeleteUserPermissionsBoundaryInput struct{ UserName string }
type DeleteRolePermissionsBoundaryInput struct{ RoleName string }
type BoundaryOutput struct{}

// PutUserPermissionsBoundary sets a user's permissions boundary.
func (s *Service) PutUserPermissionsBoundary(ctx context.Context, in *PutUserPermissionsBoundaryInput) (*BoundaryOutput, error) {
	if in.PermissionsBoundary == "" {
		return nil, ErrInvalidInput.Errorf("PermissionsBoundary is required.")
	}
	return &BoundaryOutput{}, s.setBoundary(ctx, store.KindUser, in.UserName, in.PermissionsBoundary)
}

// PutRolePermissionsBoundary sets a role's permissions boundary.
func (s *Service) PutRolePermissionsBoundary(ctx context.Context, in *PutRolePermissionsBoundaryInput) (*BoundaryOutput, error) {
	if in.PermissionsBoundary == "" {
		return nil, ErrInvalidInput.Errorf("PermissionsBoundary is required.")
	}
	return &BoundaryOutput{}, s.setBoundary(ctx, store.KindRole, in.RoleName, in.PermissionsBoundary)
}

// DeleteUserPermissionsBoundary removes a user's permissions boundary.
func (s *Service) DeleteUserPermissionsBoundary(ctx context.Context, in *DeleteUserPermissionsBoundaryInput) (*BoundaryOutput, error) {
	return &BoundaryOutput{}, s.setBoundary(ctx, store.KindUser, in.UserName, "")
}

// DeleteRolePermissionsBoundary removes a role's permissions boundary.
func (s *Service) DeleteRolePermissionsBoundary(ctx context.Context, in *DeleteRolePermissionsBoundaryInput) (*BoundaryOutput, error) {
	return &BoundaryOutput{}, s.setBoundary(ctx, store.KindRole, in.RoleName, "")
}
