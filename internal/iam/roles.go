package iam

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/iam/policy"
	"github.com/gureum/gureum/internal/store"
)

// Role is IAM's Role shape.
type Role struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               time.Time
	AssumeRolePolicyDocument string               `xml:",omitempty"`
	Description              string               `xml:",omitempty"`
	MaxSessionDuration       int                  `xml:",omitempty"`
	PermissionsBoundary      *PermissionsBoundary `xml:",omitempty"`
	Tags                     []Tag                `xml:"Tags>member,omitempty"`
}

func roleOf(e store.Entity) Role {
	return Role{Path: e.Path, RoleName: e.Name, RoleId: e.ID, Arn: e.ARN, CreateDate: e.Created, AssumeRolePolicyDocument: encodeDocument(e.TrustPolicy),
		Description: e.Description, MaxSessionDuration: e.MaxSession, PermissionsBoundary: boundaryOf(e.Boundary), Tags: fromStoreTags(e.Tags)}
}

// checkDocument validates a policy document of a kind within a size limit.
func checkDocument(doc string, kind policy.Kind, max int, quota string) (*policy.Policy, error) {
	if doc == "" {
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value at 'policyDocument' failed to satisfy constraint: Member must not be null")
	}
	if n := policy.Size(doc); n > max {
		return nil, ErrLimitExceeded.Errorf("Cannot exceed quota for %s: %d", quota, max)
	}
	p, err := policy.Parse(doc, kind)
	var pe *policy.Error
	if errors.As(err, &pe) {
		return nil, ErrMalformedPolicyDocument.Errorf("%s", pe.Msg)
	}
	return p, err
}

func checkMaxSession(d int) error {
	if d != 0 && (d < 3600 || d > 43200) {
		return awserr.New(awserr.Validation, "1 validation error detected: Value '%d' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600 and less than or equal to 43200", d)
	}
	return nil
}

type CreateRoleInput struct {
	RoleName                 string
	Path                     string
	AssumeRolePolicyDocument string
	Description              string
	MaxSessionDuration       int
	PermissionsBoundary      string
	Tags                     []Tag
}

type CreateRoleOutput struct {
	Role Role
}

// CreateRole creates a role with its trust policy.
func (s *Service) CreateRole(ctx context.Context, in *CreateRoleInput) (*CreateRoleOutput, error) {
	if err := checkName("roleName", in.RoleName, 64); err != nil {
		return nil, err
	}
	path, err := checkPath(in.Path)
	if err != nil {
		return nil, err
	}
	if _, err := checkDocument(in.AssumeRolePolicyDocument, policy.Trust, policy.MaxTrust, "ACLSizePerRole"); err != nil {
		return nil, err
	}
	if err := checkMaxSession(in.MaxSessionDuration); err != nil {
		return nil, err
	}
	if len(in.Description) > 1000 {
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000")
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if err := s.checkBoundary(ctx, in.PermissionsBoundary); err != nil {
		return nil, err
	}
	maxSession := in.MaxSessionDuration
	if maxSession == 0 {
		maxSession = 3600
	}
	account := callerAccount(ctx)
	e := store.Entity{Account: account, Kind: store.KindRole, Name: in.RoleName, ID: newID("AROA", 21), Path: path,
		ARN: entityARN(account, "role", path, in.RoleName), Created: s.now().UTC().Truncate(time.Second), Description: in.Description,
		TrustPolicy: in.AssumeRolePolicyDocument, MaxSession: maxSession, Boundary: in.PermissionsBoundary, Tags: toStoreTags(in.Tags)}
	if err := s.store.CreateEntity(ctx, e); errors.Is(err, store.ErrExists) {
		return nil, ErrEntityAlreadyExists.Errorf("Role with name %s already exists.", in.RoleName)
	} else if err != nil {
		return nil, err
	}
	return &CreateRoleOutput{Role: roleOf(e)}, nil
}

type CreateServiceLinkedRoleInput struct {
	AWSServiceName string
	Description    string
	CustomSuffix   string
}

// CreateServiceLinkedRole creates the role a service links to, under /aws-service-role/, trusting
// that service.
func (s *Service) CreateServiceLinkedRole(ctx context.Context, in *CreateServiceLinkedRoleInput) (*CreateRoleOutput, error) {
	svc := strings.TrimSuffix(in.AWSServiceName, ".amazonaws.com")
	if svc == "" || svc == in.AWSServiceName {
		return nil, ErrInvalidInput.Errorf("Invalid AWSServiceName %q.", in.AWSServiceName)
	}
	name := "AWSServiceRoleFor" + strings.ToUpper(svc[:1]) + svc[1:]
	if in.CustomSuffix != "" {
		name += "_" + in.CustomSuffix
	}
	name = strings.NewReplacer(".", "", "-", "").Replace(name)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + in.AWSServiceName + `"},"Action":"sts:AssumeRole"}]}`
	out, err := s.CreateRole(ctx, &CreateRoleInput{RoleName: name, Path: "/aws-service-role/" + in.AWSServiceName + "/", AssumeRolePolicyDocument: trust, Description: in.Description})
	var ae *awserr.Error
	if errors.As(err, &ae) && ae.Code == ErrEntityAlreadyExists {
		return nil, ErrInvalidInput.Errorf("Service role name %s has been taken in this account, please try a different suffix.", name)
	}
	return out, err
}

type GetRoleInput struct {
	RoleName string
}

type GetRoleOutput struct {
	Role Role
}

// GetRole describes a role.
func (s *Service) GetRole(ctx context.Context, in *GetRoleInput) (*GetRoleOutput, error) {
	e, err := s.entity(ctx, store.KindRole, in.RoleName)
	if err != nil {
		return nil, err
	}
	return &GetRoleOutput{Role: roleOf(e)}, nil
}

type ListRolesInput struct {
	PathPrefix string
	Marker     string
	MaxItems   int
}

type ListRolesOutput struct {
	Roles       members[Role] `xml:"Roles"`
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

// ListRoles lists the account's roles.
func (s *Service) ListRoles(ctx context.Context, in *ListRolesInput) (*ListRolesOutput, error) {
	es, err := s.list(ctx, store.KindRole, in.PathPrefix)
	if err != nil {
		return nil, err
	}
	var roles []Role
	for _, e := range es {
		r := roleOf(e)
		r.Tags, r.PermissionsBoundary = nil, nil
		roles = append(roles, r)
	}
	out := &ListRolesOutput{}
	out.Roles, out.Marker, out.IsTruncated, err = page(roles, in.Marker, in.MaxItems)
	return out, err
}

type UpdateRoleInput struct {
	RoleName           string
	Description        *string
	MaxSessionDuration int
}

type UpdateRoleOutput struct{}

// UpdateRole changes a role's description and maximum session duration.
func (s *Service) UpdateRole(ctx context.Context, in *UpdateRoleInput) (*UpdateRoleOutput, error) {
	if err := checkMaxSession(in.MaxSessionDuration); err != nil {
		return nil, err
	}
	e, err := s.entity(ctx, store.KindRole, in.RoleName)
	if err != nil {
		return nil, err
	}
	if in.Description != nil {
		e.Description = *in.Description
	}
	if in.MaxSessionDuration != 0 {
		e.MaxSession = in.MaxSessionDuration
	}
	return &UpdateRoleOutput{}, s.store.UpdateEntity(ctx, e)
}

type UpdateRoleDescriptionInput struct {
	RoleName    string
	Description string
}

type UpdateRoleDescriptionOutput struct {
	Role Role
}

// UpdateRoleDescription changes a role's description.
func (s *Service) UpdateRoleDescription(ctx context.Context, in *UpdateRoleDescriptionInput) (*UpdateRoleDescriptionOutput, error) {
	e, err := s.entity(ctx, store.KindRole, in.RoleName)
	if err != nil {
		return nil, err
	}
	e.Description = in.Description
	if err := s.store.UpdateEntity(ctx, e); err != nil {
		return nil, err
	}
	return &UpdateRoleDescriptionOutput{Role: roleOf(e)}, nil
}

type UpdateAssumeRolePolicyInput struct {
	RoleName       string
	PolicyDocument string
}

type UpdateAssumeRolePolicyOutput struct{}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, in *UpdateAssumeRolePolicyInput) (*UpdateAssumeRolePolicyOutput, error) {
	if _, err := checkDocument(in.PolicyDocument, policy.Trust, policy.MaxTrust, "ACLSizePerRole"); err != nil {
		return nil, err
	}
	e, err := s.entity(ctx, store.KindRole, in.RoleName)
	if err != nil {
		return nil, err
	}
	e.TrustPolicy = in.PolicyDocument
	return &UpdateAssumeRolePolicyOutput{}, s.store.UpdateEntity(ctx, e)
}

type DeleteRoleInput struct {
	RoleName string
}

type DeleteRoleOutput struct{}

// DeleteRole deletes a role without policies.
func (s *Service) DeleteRole(ctx context.Context, in *DeleteRoleInput) (*DeleteRoleOutput, error) {
	e, err := s.entity(ctx, store.KindRole, in.RoleName)
	if err != nil {
		return nil, err
	}
	if err := s.checkUnused(ctx, e); err != nil {
		return nil, err
	}
	return &DeleteRoleOutput{}, s.store.DeleteEntity(ctx, e.Account, store.KindRole, e.Name)
}

type TagRoleInput struct {
	RoleName string
	Tags     []Tag
}

type TagRoleOutput struct{}

// TagRole adds or replaces tags on a role.
func (s *Service) TagRole(ctx context.Context, in *TagRoleInput) (*TagRoleOutput, error) {
	return &TagRoleOutput{}, s.tagEntity(ctx, store.KindRole, in.RoleName, in.Tags, nil)
}

type UntagRoleInput struct {
	RoleName string
	TagKeys  []string
}

type UntagRoleOutput struct{}

// UntagRole removes tags from a role.
func (s *Service) UntagRole(ctx context.Context, in *UntagRoleInput) (*UntagRoleOutput, error) {
	return &UntagRoleOutput{}, s.tagEntity(ctx, store.KindRole, in.RoleName, nil, in.TagKeys)
}

type ListRoleTagsInput struct {
	RoleName string
	Marker   string
	MaxItems int
}

// ListRoleTags lists a role's tags.
func (s *Service) ListRoleTags(ctx context.Context, in *ListRoleTagsInput) (*ListTagsOutput, error) {
	return s.listTags(ctx, store.KindRole, in.RoleName, in.Marker, in.MaxItems)
}
