package iam

import (
	"context"
	"time"

	"github.com/gureum/gureum/internal/iam/managed"
	"github.com/gureum/gureum/internal/store"
)

// PolicyDetail is an inline policy in GetAccountAuthorizationDetails.
type PolicyDetail struct {
	PolicyName     string
	PolicyDocument string
}

type UserDetail struct {
	Path                    string
	UserName                string
	UserId                  string
	Arn                     string
	CreateDate              time.Time
	UserPolicyList          members[PolicyDetail]   `xml:"UserPolicyList"`
	GroupList               members[string]         `xml:"GroupList"`
	AttachedManagedPolicies members[AttachedPolicy] `xml:"AttachedManagedPolicies"`
	PermissionsBoundary     *PermissionsBoundary    `xml:",omitempty"`
	Tags                    []Tag                   `xml:"Tags>member,omitempty"`
}

type GroupDetail struct {
	Path                    string
	GroupName               string
	GroupId                 string
	Arn                     string
	CreateDate              time.Time
	GroupPolicyList         members[PolicyDetail]   `xml:"GroupPolicyList"`
	AttachedManagedPolicies members[AttachedPolicy] `xml:"AttachedManagedPolicies"`
}

type RoleDetail struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               time.Time
	AssumeRolePolicyDocument string
	RolePolicyList           members[PolicyDetail]   `xml:"RolePolicyList"`
	AttachedManagedPolicies  members[AttachedPolicy] `xml:"AttachedManagedPolicies"`
	PermissionsBoundary      *PermissionsBoundary    `xml:",omitempty"`
	Tags                     []Tag                   `xml:"Tags>member,omitempty"`
}

type ManagedPolicyDetail struct {
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
	PolicyVersionList             members[PolicyVersion] `xml:"PolicyVersionList"`
}

type GetAccountAuthorizationDetailsInput struct {
	Filter   []string
	Marker   string
	MaxItems int
}

type GetAccountAuthorizationDetailsOutput struct {
	UserDetailList  members[UserDetail]          `xml:"UserDetailList"`
	GroupDetailList members[GroupDetail]         `xml:"GroupDetailList"`
	RoleDetailList  members[RoleDetail]          `xml:"RoleDetailList"`
	Policies        members[ManagedPolicyDetail] `xml:"Policies"`
	IsTruncated     bool
}

// GetAccountAuthorizationDetails describes every user, group, role and attached or local
// managed policy of the account, with their policies (Filter: User, Role, Group, LocalManagedPolicy,
// AWSManagedPolicy).
func (s *Service) GetAccountAuthorizationDetails(ctx context.Context, in *GetAccountAuthorizationDetailsInput) (*GetAccountAuthorizationDetailsOutput, error) {
	want := func(f string) bool { return len(in.Filter) == 0 || contains(in.Filter, f) }
	out := &GetAccountAuthorizationDetailsOutput{}
	var err error
	if want("User") {
		if out.UserDetailList, err = s.userDetails(ctx); err != nil {
			return nil, err
		}
	}
	if want("Group") {
		if out.GroupDetailList, err = s.groupDetails(ctx); err != nil {
			return nil, err
		}
	}
	if want("Role") {
		if out.RoleDetailList, err = s.roleDetails(ctx); err != nil {
			return nil, err
		}
	}
	out.Policies, err = s.policyDetails(ctx, want("LocalManagedPolicy"), want("AWSManagedPolicy"))
	return out, err
}

// parts reads an entity's inline and attached policies.
func (s *Service) parts(ctx context.Context, e store.Entity) ([]PolicyDetail, []AttachedPolicy, error) {
	inline, err := s.store.InlinePolicies(ctx, e.Account, e.Kind, e.Name)
	if err != nil {
		return nil, nil, err
	}
	var details []PolicyDetail
	for _, p := range inline {
		details = append(details, PolicyDetail{PolicyName: p.Name, PolicyDocument: encodeDocument(p.Document)})
	}
	arns, err := s.store.Attached(ctx, e.Account, e.Kind, e.Name)
	if err != nil {
		return nil, nil, err
	}
	var attached []AttachedPolicy
	for _, a := range arns {
		if p, err := s.managedPolicy(ctx, a); err == nil {
			attached = append(attached, AttachedPolicy{PolicyName: p.Name, PolicyArn: a})
		}
	}
	return details, attached, nil
}

func (s *Service) userDetails(ctx context.Context) ([]UserDetail, error) {
	es, err := s.list(ctx, store.KindUser, "")
	if err != nil {
		return nil, err
	}
	var out []UserDetail
	for _, e := range es {
		inline, attached, err := s.parts(ctx, e)
		if err != nil {
			return nil, err
		}
		groups, err := s.store.GroupsOf(ctx, e.Account, e.Name)
		if err != nil {
			return nil, err
		}
		out = append(out, UserDetail{Path: e.Path, UserName: e.Name, UserId: e.ID, Arn: e.ARN, CreateDate: e.Created, UserPolicyList: inline,
			GroupList: groups, AttachedManagedPolicies: attached, PermissionsBoundary: boundaryOf(e.Boundary), Tags: fromStoreTags(e.Tags)})
	}
	return out, nil
}

func (s *Service) groupDetails(ctx context.Context) ([]GroupDetail, error) {
	es, err := s.list(ctx, store.KindGroup, "")
	if err != nil {
		return nil, err
	}
	var out []GroupDetail
	for _, e := range es {
		inline, attached, err := s.parts(ctx, e)
		if err != nil {
			return nil, err
		}
		out = append(out, GroupDetail{Path: e.Path, GroupName: e.Name, GroupId: e.ID, Arn: e.ARN, CreateDate: e.Created, GroupPolicyList: inline, AttachedManagedPolicies: attached})
	}
	return out, nil
}

func (s *Service) roleDetails(ctx context.Context) ([]RoleDetail, error) {
	es, err := s.list(ctx, store.KindRole, "")
	if err != nil {
		return nil, err
	}
	var out []RoleDetail
	for _, e := range es {
		inline, attached, err := s.parts(ctx, e)
		if err != nil {
			return nil, err
		}
		out = append(out, RoleDetail{Path: e.Path, RoleName: e.Name, RoleId: e.ID, Arn: e.ARN, CreateDate: e.Created, AssumeRolePolicyDocument: encodeDocument(e.TrustPolicy),
			RolePolicyList: inline, AttachedManagedPolicies: attached, PermissionsBoundary: boundaryOf(e.Boundary), Tags: fromStoreTags(e.Tags)})
	}
	return out, nil
}

// policyDetails lists the account's managed policies and the AWS managed policies attached in it.
func (s *Service) policyDetails(ctx context.Context, local, aws bool) ([]ManagedPolicyDetail, error) {
	var all []store.ManagedPolicy
	if aws {
		for _, m := range managed.All() {
			all = append(all, awsPolicy(m))
		}
	}
	if local {
		ps, err := s.store.Policies(ctx, callerAccount(ctx))
		if err != nil {
			return nil, err
		}
		all = append(all, ps...)
	}
	var out []ManagedPolicyDetail
	for _, p := range all {
		info, err := s.policyOf(ctx, p)
		if err != nil {
			return nil, err
		}
		if p.Account == "aws" && info.AttachmentCount == 0 {
			continue // AWS lists only the AWS managed policies in use
		}
		vs, _, err := s.versions(ctx, p.ARN)
		if err != nil {
			return nil, err
		}
		d := ManagedPolicyDetail{PolicyName: p.Name, PolicyId: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionId: p.DefaultVersion,
			AttachmentCount: info.AttachmentCount, IsAttachable: true, Description: p.Description, CreateDate: p.Created, UpdateDate: p.Updated}
		for _, v := range vs {
			d.PolicyVersionList = append(d.PolicyVersionList, PolicyVersion{Document: encodeDocument(v.Document), VersionId: v.VersionID,
				IsDefaultVersion: v.VersionID == p.DefaultVersion, CreateDate: v.Created})
		}
		out = append(out, d)
	}
	return out, nil
}
