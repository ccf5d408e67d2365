package iam

import (
	"context"
	"errors"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/store"
)

// Login profiles and instance profiles are accepted and kept, as serverless templates create
// them, but gureum has no console to sign in to and no instances to run: passwords are checked
// for length and never stored. Both live in the identity store as entities of their own kinds;
// an instance profile's role is an attachment of the role's ARN to the profile.
const (
	kindLoginProfile    = "login-profile"
	kindInstanceProfile = "instance-profile"
)

// LoginProfile is IAM's LoginProfile shape.
type LoginProfile struct {
	UserName              string
	CreateDate            time.Time
	PasswordResetRequired bool
}

type CreateLoginProfileInput struct {
	UserName              string
	Password              string
	PasswordResetRequired bool
}

type LoginProfileOutput struct {
	LoginProfile LoginProfile
}

func loginProfileOf(e store.Entity) LoginProfile {
	return LoginProfile{UserName: e.Name, CreateDate: e.Created, PasswordResetRequired: e.Description == "reset"}
}

func resetFlag(b bool) string {
	if b {
		return "reset"
	}
	return ""
}

// CreateLoginProfile accepts a console password for a user.
func (s *Service) CreateLoginProfile(ctx context.Context, in *CreateLoginProfileInput) (*LoginProfileOutput, error) {
	u, err := s.entity(ctx, store.KindUser, in.UserName)
	if err != nil {
		return nil, err
	}
	if len(in.Password) < 1 || len(in.Password) > 128 {
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length between 1 and 128")
	}
	e := store.Entity{Account: u.Account, Kind: kindLoginProfile, Name: u.Name, ID: u.ID, Path: "/", ARN: u.ARN,
		Created: s.now().UTC().Truncate(time.Second), Description: resetFlag(in.PasswordResetRequired)}
	if err := s.store.CreateEntity(ctx, e); errors.Is(err, store.ErrExists) {
		return nil, ErrEntityAlreadyExists.Errorf("Login Profile for user %s already exists.", u.Name)
	} else if err != nil {
		return nil, err
	}
	return &LoginProfileOutput{LoginProfile: loginProfileOf(e)}, nil
}

func (s *Service) loginProfile(ctx context.Context, user string) (store.Entity, error) {
	e, err := s.store.Entity(ctx, callerAccount(ctx), kindLoginProfile, user)
	if errors.Is(err, store.ErrNotFound) {
		return e, ErrNoSuchEntity.Errorf("Login Profile for User %s cannot be found.", user)
	}
	return e, err
}

type GetLoginProfileInput struct{ UserName string }

// GetLoginProfile describes a user's login profile.
func (s *Service) GetLoginProfile(ctx context.Context, in *GetLoginProfileInput) (*LoginProfileOutput, error) {
	e, err := s.loginProfile(ctx, in.UserName)
	if err != nil {
		return nil, err
	}
	return &LoginProfileOutput{LoginProfile: loginProfileOf(e)}, nil
}

type UpdateLoginProfileInput struct {
	UserName              string
	Password              string
	PasswordResetRequired *bool
}

type UpdateLoginProfileOutput struct{}

// UpdateLoginProfile changes whether a new password is required.
func (s *Service) UpdateLoginProfile(ctx context.Context, in *UpdateLoginProfileInput) (*UpdateLoginProfileOutput, error) {
	e, err := s.loginProfile(ctx, in.UserName)
	if err != nil {
		return nil, err
	}
	if in.PasswordResetRequired != nil {
		e.Description = resetFlag(*in.PasswordResetRequired)
	}
	return &UpdateLoginProfileOutput{}, s.store.UpdateEntity(ctx, e)
}

type DeleteLoginProfileInput struct{ UserName string }
type DeleteLoginProfileOutput struct{}

// DeleteLoginProfile removes a user's login profile.
func (s *Service) DeleteLoginProfile(ctx context.Context, in *DeleteLoginProfileInput) (*DeleteLoginProfileOutput, error) {
	e, err := s.loginProfile(ctx, in.UserName)
	if err != nil {
		return nil, err
	}
	return &DeleteLoginProfileOutput{}, s.store.DeleteEntity(ctx, e.Account, kindLoginProfile, e.Name)
}

// InstanceProfile is IAM's InstanceProfile shape.
type InstanceProfile struct {
	Path                string
	InstanceProfileName string
	InstanceProfileId   string
	Arn                 string
	CreateDate          time.Time
	Roles               members[Role] `xml:"Roles"`
	Tags                []Tag         `xml:"Tags>member,omitempty"`
}

func (s *Service) instanceProfileOf(ctx context.Context, e store.Entity) (InstanceProfile, error) {
	ip := InstanceProfile{Path: e.Path, InstanceProfileName: e.Name, InstanceProfileId: e.ID, Arn: e.ARN, CreateDate: e.Created, Tags: fromStoreTags(e.Tags), Roles: []Role{}}
	arns, err := s.store.Attached(ctx, e.Account, kindInstanceProfile, e.Name)
	if err != nil {
		return ip, err
	}
	for _, arn := range arns {
		if _, _, name, ok := entityOfARN(arn); ok {
			if r, err := s.store.Entity(ctx, e.Account, store.KindRole, name); err == nil {
				ip.Roles = append(ip.Roles, roleOf(r))
			}
		}
	}
	return ip, nil
}

type CreateInstanceProfileInput struct {
	InstanceProfileName string
	Path                string
	Tags                []Tag
}

type InstanceProfileOutput struct {
	InstanceProfile InstanceProfile
}

// CreateInstanceProfile creates an instance profile.
func (s *Service) CreateInstanceProfile(ctx context.Context, in *CreateInstanceProfileInput) (*InstanceProfileOutput, error) {
	if err := checkName("instanceProfileName", in.InstanceProfileName, 128); err != nil {
		return nil, err
	}
	path, err := checkPath(in.Path)
	if err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	account := callerAccount(ctx)
	e := store.Entity{Account: account, Kind: kindInstanceProfile, Name: in.InstanceProfileName, ID: newID("AIPA", 21), Path: path,
		ARN: entityARN(account, "instance-profile", path, in.InstanceProfileName), Created: s.now().UTC().Truncate(time.Second), Tags: toStoreTags(in.Tags)}
	if err := s.store.CreateEntity(ctx, e); errors.Is(err, store.ErrExists) {
		return nil, ErrEntityAlreadyExists.Errorf("Instance Profile %s already exists.", in.InstanceProfileName)
	} else if err != nil {
		return nil, err
	}
	ip, err := s.instanceProfileOf(ctx, e)
	return &InstanceProfileOutput{InstanceProfile: ip}, err
}

func (s *Service) instanceProfile(ctx context.Context, name string) (store.Entity, error) {
	e, err := s.store.Entity(ctx, callerAccount(ctx), kindInstanceProfile, name)
	if errors.Is(err, store.ErrNotFound) {
		return e, ErrNoSuchEntity.Errorf("Instance Profile %s cannot be found.", name)
	}
	return e, err
}

type GetInstanceProfileInput struct{ InstanceProfileName string }

// GetInstanceProfile describes an instance profile with its role.
func (s *Service) GetInstanceProfile(ctx context.Context, in *GetInstanceProfileInput) (*InstanceProfileOutput, error) {
	e, err := s.instanceProfile(ctx, in.InstanceProfileName)
	if err != nil {
		return nil, err
	}
	ip, err := s.instanceProfileOf(ctx, e)
	return &InstanceProfileOutput{InstanceProfile: ip}, err
}

type ListInstanceProfilesInput struct {
	PathPrefix string
	Marker     string
	MaxItems   int
}

type ListInstanceProfilesOutput struct {
	InstanceProfiles members[InstanceProfile] `xml:"InstanceProfiles"`
	IsTruncated      bool
	Marker           string `xml:",omitempty"`
}

// ListInstanceProfiles lists the account's instance profiles.
func (s *Service) ListInstanceProfiles(ctx context.Context, in *ListInstanceProfilesInput) (*ListInstanceProfilesOutput, error) {
	es, err := s.list(ctx, kindInstanceProfile, in.PathPrefix)
	if err != nil {
		return nil, err
	}
	return s.profilesPage(ctx, es, in.Marker, in.MaxItems)
}

func (s *Service) profilesPage(ctx context.Context, es []store.Entity, marker string, maxItems int) (*ListInstanceProfilesOutput, error) {
	var list []InstanceProfile
	for _, e := range es {
		ip, err := s.instanceProfileOf(ctx, e)
		if err != nil {
			return nil, err
		}
		list = append(list, ip)
	}
	out := &ListInstanceProfilesOutput{}
	var err error
	out.InstanceProfiles, out.Marker, out.IsTruncated, err = page(list, marker, maxItems)
	return out, err
}

type ListInstanceProfilesForRoleInput struct {
	RoleName string
	Marker   string
	MaxItems int
}

// ListInstanceProfilesForRole lists the instance profiles holding a role.
func (s *Service) ListInstanceProfilesForRole(ctx context.Context, in *ListInstanceProfilesForRoleInput) (*ListInstanceProfilesOutput, error) {
	r, err := s.entity(ctx, store.KindRole, in.RoleName)
	if err != nil {
		return nil, err
	}
	at, err := s.store.AttachedTo(ctx, r.ARN)
	if err != nil {
		return nil, err
	}
	var es []store.Entity
	for _, a := range at {
		if a.Kind == kindInstanceProfile && a.Account == r.Account {
			if e, err := s.store.Entity(ctx, a.Account, kindInstanceProfile, a.Entity); err == nil {
				es = append(es, e)
			}
		}
	}
	return s.profilesPage(ctx, es, in.Marker, in.MaxItems)
}

type InstanceProfileRoleInput struct {
	InstanceProfileName string
	RoleName            string
}

type InstanceProfileRoleOutput struct{}

// AddRoleToInstanceProfile puts a role in an instance profile (one role a profile).
func (s *Service) AddRoleToInstanceProfile(ctx context.Context, in *InstanceProfileRoleInput) (*InstanceProfileRoleOutput, error) {
	e, err := s.instanceProfile(ctx, in.InstanceProfileName)
	if err != nil {
		return nil, err
	}
	r, err := s.entity(ctx, store.KindRole, in.RoleName)
	if err != nil {
		return nil, err
	}
	have, err := s.store.Attached(ctx, e.Account, kindInstanceProfile, e.Name)
	if err != nil {
		return nil, err
	}
	if len(have) > 0 {
		return nil, ErrLimitExceeded.Errorf("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
	}
	return &InstanceProfileRoleOutput{}, s.store.Attach(ctx, store.Attachment{Account: e.Account, Kind: kindInstanceProfile, Entity: e.Name, PolicyARN: r.ARN})
}

// RemoveRoleFromInstanceProfile takes the role out of an instance profile.
func (s *Service) RemoveRoleFromInstanceProfile(ctx context.Context, in *InstanceProfileRoleInput) (*InstanceProfileRoleOutput, error) {
	e, err := s.instanceProfile(ctx, in.InstanceProfileName)
	if err != nil {
		return nil, err
	}
	r, err := s.entity(ctx, store.KindRole, in.RoleName)
	if err != nil {
		return nil, err
	}
	err = s.store.Detach(ctx, store.Attachment{Account: e.Account, Kind: kindInstanceProfile, Entity: e.Name, PolicyARN: r.ARN})
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoSuchEntity.Errorf("Role %s is not in instance profile %s.", r.Name, e.Name)
	}
	return &InstanceProfileRoleOutput{}, err
}

type DeleteInstanceProfileInput struct{ InstanceProfileName string }

// DeleteInstanceProfile deletes an instance profile without a role.
func (s *Service) DeleteInstanceProfile(ctx context.Context, in *DeleteInstanceProfileInput) (*InstanceProfileRoleOutput, error) {
	e, err := s.instanceProfile(ctx, in.InstanceProfileName)
	if err != nil {
		return nil, err
	}
	have, err := s.store.Attached(ctx, e.Account, kindInstanceProfile, e.Name)
	if err != nil {
		return nil, err
	}
	if len(have) > 0 {
		return nil, ErrDeleteConflict.Errorf("Cannot delete entity, must remove roles from instance profile first.")
	}
	return &InstanceProfileRoleOutput{}, s.store.DeleteEntity(ctx, e.Account, kindInstanceProfile, e.Name)
}
