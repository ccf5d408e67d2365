package iam

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/iam/managed"
	"github.com/gureum/gureum/internal/iam/policy"
	"github.com/gureum/gureum/internal/store"
)

// maxVersions is IAM's quota of versions a managed policy.
const maxVersions = 5

// Policy is IAM's Policy shape.
type Policy struct {
	PolicyName                    string
	PolicyId                      string
	Arn                           string
	Path                          string
	DefaultVersionId              string
	AttachmentCount               int
	PermissionsBoundaryUsageCount int
	IsAttachable                  bool
	Description                   string `xml:",omitempty"`
	CreateDate                    time.Time
	UpdateDate                    time.Time
	Tags                          []Tag `xml:"Tags>member,omitempty"`
}

// PolicyVersion is IAM's PolicyVersion shape.
type PolicyVersion struct {
	Document         string `xml:",omitempty"`
	VersionId        string
	IsDefaultVersion bool
	CreateDate       time.Time
}

func awsPolicy(m managed.Policy) store.ManagedPolicy {
	return store.ManagedPolicy{ARN: m.ARN, Account: "aws", Name: m.Name, ID: m.ID, Path: m.Path, DefaultVersion: m.Version, Created: m.Created, Updated: m.Created}
}

// managedPolicy finds a customer managed policy of the caller's account or an AWS managed policy.
func (s *Service) managedPolicy(ctx context.Context, arn string) (store.ManagedPolicy, error) {
	if m, ok := managed.Get(arn); ok {
		return awsPolicy(m), nil
	}
	if !strings.HasPrefix(arn, "arn:aws:iam::") || !strings.Contains(arn, ":policy/") {
		return store.ManagedPolicy{}, ErrInvalidInput.Errorf("ARN %s is not valid.", arn)
	}
	p, err := s.store.Policy(ctx, arn)
	if errors.Is(err, store.ErrNotFound) || err == nil && p.Account != callerAccount(ctx) {
		return store.ManagedPolicy{}, ErrNoSuchEntity.Errorf("Policy %s does not exist or is not attachable.", arn)
	}
	return p, err
}

func (s *Service) policyOf(ctx context.Context, p store.ManagedPolicy) (Policy, error) {
	at, err := s.store.AttachedTo(ctx, p.ARN)
	if err != nil {
		return Policy{}, err
	}
	n := 0
	for _, a := range at {
		if a.Account == callerAccount(ctx) {
			n++
		}
	}
	return Policy{PolicyName: p.Name, PolicyId: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionId: p.DefaultVersion, AttachmentCount: n,
		IsAttachable: true, Description: p.Description, CreateDate: p.Created, UpdateDate: p.Updated, Tags: fromStoreTags(p.Tags)}, nil
}

type CreatePolicyInput struct {
	PolicyName     string
	Path           string
	PolicyDocument string
	Description    string
	Tags           []Tag
}

type CreatePolicyOutput struct {
	Policy Policy
}

// CreatePolicy creates a customer managed policy with its first version, v1.
func (s *Service) CreatePolicy(ctx context.Context, in *CreatePolicyInput) (*CreatePolicyOutput, error) {
	if err := checkName("policyName", in.PolicyName, 128); err != nil {
		return nil, err
	}
	path, err := checkPath(in.Path)
	if err != nil {
		return nil, err
	}
	if _, err := checkDocument(in.PolicyDocument, policy.Identity, policy.MaxManaged, "PolicySize"); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	account := callerAccount(ctx)
	now := s.now().UTC().Truncate(time.Second)
	p := store.ManagedPolicy{ARN: "arn:aws:iam::" + account + ":policy" + path + in.PolicyName, Account: account, Name: in.PolicyName,
		ID: newID("ANPA", 21), Path: path, Description: in.Description, DefaultVersion: "v1", NextVersion: 2, Tags: toStoreTags(in.Tags), Created: now, Updated: now}
	err = s.store.CreatePolicy(ctx, p, store.PolicyVersion{PolicyARN: p.ARN, VersionID: "v1", Document: in.PolicyDocument, Created: now})
	if errors.Is(err, store.ErrExists) {
		return nil, ErrEntityAlreadyExists.Errorf("A policy called %s already exists. Duplicate names are not allowed.", in.PolicyName)
	} else if err != nil {
		return nil, err
	}
	out, err := s.policyOf(ctx, p)
	return &CreatePolicyOutput{Policy: out}, err
}

type GetPolicyInput struct {
	PolicyArn string
}

type GetPolicyOutput struct {
	Policy Policy
}

// GetPolicy describes a managed policy.
func (s *Service) GetPolicy(ctx context.Context, in *GetPolicyInput) (*GetPolicyOutput, error) {
	p, err := s.managedPolicy(ctx, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	out, err := s.policyOf(ctx, p)
	return &GetPolicyOutput{Policy: out}, err
}

type ListPoliciesInput struct {
	Scope        string
	OnlyAttached bool
	PathPrefix   string
	Marker       string
	MaxItems     int
}

type ListPoliciesOutput struct {
	Policies    members[Policy] `xml:"Policies"`
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

// ListPolicies lists AWS managed policies and the account's own (Scope All, AWS or Local).
func (s *Service) ListPolicies(ctx context.Context, in *ListPoliciesInput) (*ListPoliciesOutput, error) {
	var all []store.ManagedPolicy
	if in.Scope == "" || in.Scope == "All" || in.Scope == "AWS" {
		for _, m := range managed.All() {
			all = append(all, awsPolicy(m))
		}
	}
	if in.Scope == "" || in.Scope == "All" || in.Scope == "Local" {
		local, err := s.store.Policies(ctx, callerAccount(ctx))
		if err != nil {
			return nil, err
		}
		all = append(all, local...)
	}
	var list []Policy
	for _, p := range all {
		if in.PathPrefix != "" && !strings.HasPrefix(p.Path, in.PathPrefix) {
			continue
		}
		out, err := s.policyOf(ctx, p)
		if err != nil {
			return nil, err
		}
		if in.OnlyAttached && out.AttachmentCount == 0 {
			continue
		}
		out.Tags = nil
		list = append(list, out)
	}
	out := &ListPoliciesOutput{}
	var err error
	out.Policies, out.Marker, out.IsTruncated, err = page(list, in.Marker, in.MaxItems)
	return out, err
}

type DeletePolicyInput struct {
	PolicyArn string
}

// DeletePolicy deletes a customer managed policy that is attached nowhere and has only its
// default version left.
func (s *Service) DeletePolicy(ctx context.Context, in *DeletePolicyInput) (*DeletePolicyOutput, error) {
	p, err := s.localPolicy(ctx, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	at, err := s.store.AttachedTo(ctx, p.ARN)
	if err != nil {
		return nil, err
	}
	if len(at) > 0 {
		return nil, ErrDeleteConflict.Errorf("Cannot delete a policy attached to entities.")
	}
	vs, err := s.store.PolicyVersions(ctx, p.ARN)
	if err != nil {
		return nil, err
	}
	if len(vs) > 1 {
		return nil, ErrDeleteConflict.Errorf("Cannot delete a policy with non-default versions: delete them first.")
	}
	return &DeletePolicyOutput{}, s.store.DeletePolicy(ctx, p.ARN)
}

// localPolicy finds a customer managed policy; AWS managed policies cannot be changed.
func (s *Service) localPolicy(ctx context.Context, arn string) (store.ManagedPolicy, error) {
	p, err := s.managedPolicy(ctx, arn)
	if err == nil && p.Account == "aws" {
		return p, awserr.New(awserr.AccessDenied, "Cannot modify an AWS managed policy: %s", arn)
	}
	return p, err
}

type CreatePolicyVersionInput struct {
	PolicyArn      string
	PolicyDocument string
	SetAsDefault   bool
}

type CreatePolicyVersionOutput struct {
	PolicyVersion PolicyVersion
}

// CreatePolicyVersion adds a version (at most five a policy).
func (s *Service) CreatePolicyVersion(ctx context.Context, in *CreatePolicyVersionInput) (*CreatePolicyVersionOutput, error) {
	p, err := s.localPolicy(ctx, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	if _, err := checkDocument(in.PolicyDocument, policy.Identity, policy.MaxManaged, "PolicySize"); err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Second)
	id, err := s.store.CreatePolicyVersion(ctx, p.ARN, in.PolicyDocument, in.SetAsDefault, maxVersions, now)
	if errors.Is(err, store.ErrLimit) {
		return nil, ErrLimitExceeded.Errorf("A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxVersions)
	} else if err != nil {
		return nil, err
	}
	return &CreatePolicyVersionOutput{PolicyVersion: PolicyVersion{VersionId: id, IsDefaultVersion: in.SetAsDefault, CreateDate: now}}, nil
}

type GetPolicyVersionInput struct {
	PolicyArn string
	VersionId string
}

type GetPolicyVersionOutput struct {
	PolicyVersion PolicyVersion
}

// GetPolicyVersion returns one version with its document.
func (s *Service) GetPolicyVersion(ctx context.Context, in *GetPolicyVersionInput) (*GetPolicyVersionOutput, error) {
	vs, p, err := s.versions(ctx, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		if v.VersionID == in.VersionId {
			return &GetPolicyVersionOutput{PolicyVersion: PolicyVersion{Document: encodeDocument(v.Document), VersionId: v.VersionID,
				IsDefaultVersion: v.VersionID == p.DefaultVersion, CreateDate: v.Created}}, nil
		}
	}
	return nil, ErrNoSuchEntity.Errorf("Policy %s version %s does not exist or is not attachable.", in.PolicyArn, in.VersionId)
}

// versions lists a policy's versions, AWS managed policies included.
func (s *Service) versions(ctx context.Context, arn string) ([]store.PolicyVersion, store.ManagedPolicy, error) {
	p, err := s.managedPolicy(ctx, arn)
	if err != nil {
		return nil, p, err
	}
	if m, ok := managed.Get(arn); ok {
		return []store.PolicyVersion{{PolicyARN: arn, VersionID: m.Version, Document: m.Document, Created: m.Created}}, p, nil
	}
	vs, err := s.store.PolicyVersions(ctx, arn)
	return vs, p, err
}

// defaultDocument returns a managed policy's default version's document.
func (s *Service) defaultDocument(ctx context.Context, arn string) (string, error) {
	vs, p, err := s.versions(ctx, arn)
	if err != nil {
		return "", err
	}
	for _, v := range vs {
		if v.VersionID == p.DefaultVersion {
			return v.Document, nil
		}
	}
	return "", ErrNoSuchEntity.Errorf("Policy %s has no default version.", arn)
}

type ListPolicyVersionsInput struct {
	PolicyArn string
	Marker    string
	MaxItems  int
}

type ListPolicyVersionsOutput struct {
	Versions    members[PolicyVersion] `xml:"Versions"`
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

// ListPolicyVersions lists a policy's versions, newest first.
func (s *Service) ListPolicyVersions(ctx context.Context, in *ListPolicyVersionsInput) (*ListPolicyVersionsOutput, error) {
	vs, p, err := s.versions(ctx, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	var list []PolicyVersion
	for _, v := range vs {
		list = append(list, PolicyVersion{VersionId: v.VersionID, IsDefaultVersion: v.VersionID == p.DefaultVersion, CreateDate: v.Created})
	}
	out := &ListPolicyVersionsOutput{}
	out.Versions, out.Marker, out.IsTruncated, err = page(list, in.Marker, in.MaxItems)
	return out, err
}

type DeletePolicyVersionInput struct {
	PolicyArn string
	VersionId string
}

type DeletePolicyVersionOutput struct{}

// DeletePolicyVersion deletes a version that is not the default.
func (s *Service) DeletePolicyVersion(ctx context.Context, in *DeletePolicyVersionInput) (*DeletePolicyVersionOutput, error) {
	p, err := s.localPolicy(ctx, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	if in.VersionId == p.DefaultVersion {
		return nil, ErrDeleteConflict.Errorf("Cannot delete the default version of a policy.")
	}
	err = s.store.DeletePolicyVersion(ctx, p.ARN, in.VersionId)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoSuchEntity.Errorf("Policy %s version %s does not exist.", in.PolicyArn, in.VersionId)
	}
	return &DeletePolicyVersionOutput{}, err
}

type SetDefaultPolicyVersionInput struct {
	PolicyArn string
	VersionId string
}

type SetDefaultPolicyVersionOutput struct{}

// SetDefaultPolicyVersion makes a version the one in force.
func (s *Service) SetDefaultPolicyVersion(ctx context.Context, in *SetDefaultPolicyVersionInput) (*SetDefaultPolicyVersionOutput, error) {
	p, err := s.localPolicy(ctx, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	vs, err := s.store.PolicyVersions(ctx, p.ARN)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		if v.VersionID == in.VersionId {
			p.DefaultVersion, p.Updated = v.VersionID, s.now().UTC().Truncate(time.Second)
			return &SetDefaultPolicyVersionOutput{}, s.store.UpdatePolicy(ctx, p)
		}
	}
	return nil, ErrNoSuchEntity.Errorf("Policy %s version %s does not exist.", in.PolicyArn, in.VersionId)
}

type TagPolicyInput struct {
	PolicyArn string
	Tags      []Tag
}

type TagPolicyOutput struct{}

// TagPolicy adds or replaces tags on a customer managed policy.
func (s *Service) TagPolicy(ctx context.Context, in *TagPolicyInput) (*TagPolicyOutput, error) {
	return &TagPolicyOutput{}, s.tagPolicy(ctx, in.PolicyArn, in.Tags, nil)
}

type UntagPolicyInput struct {
	PolicyArn string
	TagKeys   []string
}

type UntagPolicyOutput struct{}

// UntagPolicy removes tags from a customer managed policy.
func (s *Service) UntagPolicy(ctx context.Context, in *UntagPolicyInput) (*UntagPolicyOutput, error) {
	return &UntagPolicyOutput{}, s.tagPolicy(ctx, in.PolicyArn, nil, in.TagKeys)
}

func (s *Service) tagPolicy(ctx context.Context, arn string, add []Tag, remove []string) error {
	if err := checkTags(add); err != nil {
		return err
	}
	p, err := s.localPolicy(ctx, arn)
	if err != nil {
		return err
	}
	if p.Tags, err = mergeTags(p.Tags, add, remove); err != nil {
		return err
	}
	return s.store.UpdatePolicy(ctx, p)
}

type ListPolicyTagsInput struct {
	PolicyArn string
	Marker    string
	MaxItems  int
}

// ListPolicyTags lists a managed policy's tags.
func (s *Service) ListPolicyTags(ctx context.Context, in *ListPolicyTagsInput) (*ListTagsOutput, error) {
	p, err := s.managedPolicy(ctx, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	out := &ListTagsOutput{}
	out.Tags, out.Marker, out.IsTruncated, err = page(fromStoreTags(p.Tags), in.Marker, in.MaxItems)
	return out, err
}
