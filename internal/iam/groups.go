package iam

import (
	"context"
	"errors"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// Group is IAM's Group shape.
type Group struct {
	Path       string
	GroupName  string
	GroupId    string
	Arn        string
	CreateDate time.Time
}

func groupOf(e store.Entity) Group {
	return Group{Path: e.Path, GroupName: e.Name, GroupId: e.ID, Arn: e.ARN, CreateDate: e.Created}
}

type CreateGroupInput struct {
	GroupName string
	Path      string
}

type CreateGroupOutput struct {
	Group Group
}

// CreateGroup creates a group.
func (s *Service) CreateGroup(ctx context.Context, in *CreateGroupInput) (*CreateGroupOutput, error) {
	if err := checkName("groupName", in.GroupName, 128); err != nil {
		return nil, err
	}
	path, err := checkPath(in.Path)
	if err != nil {
		return nil, err
	}
	account := callerAccount(ctx)
	e := store.Entity{Account: account, Kind: store.KindGroup, Name: in.GroupName, ID: newID("AGPA", 21), Path: path,
		ARN: entityARN(account, "group", path, in.GroupName), Created: s.now().UTC().Truncate(time.Second)}
	if err := s.store.CreateEntity(ctx, e); errors.Is(err, store.ErrExists) {
		return nil, ErrEntityAlreadyExists.Errorf("Group with name %s already exists.", in.GroupName)
	} else if err != nil {
		return nil, err
	}
	return &CreateGroupOutput{Group: groupOf(e)}, nil
}

type GetGroupInput struct {
	GroupName string
	Marker    string
	MaxItems  int
}

type GetGroupOutput struct {
	Group       Group
	Users       members[User] `xml:"Users"`
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

// GetGroup describes a group and lists its users.
func (s *Service) GetGroup(ctx context.Context, in *GetGroupInput) (*GetGroupOutput, error) {
	e, err := s.entity(ctx, store.KindGroup, in.GroupName)
	if err != nil {
		return nil, err
	}
	names, err := s.store.Members(ctx, e.Account, e.Name)
	if err != nil {
		return nil, err
	}
	var users []User
	for _, n := range names {
		u, err := s.store.Entity(ctx, e.Account, store.KindUser, n)
		if err != nil {
			continue // deleted meanwhile
		}
		users = append(users, userOf(u))
	}
	out := &GetGroupOutput{Group: groupOf(e)}
	out.Users, out.Marker, out.IsTruncated, err = page(users, in.Marker, in.MaxItems)
	return out, err
}

type ListGroupsInput struct {
	PathPrefix string
	Marker     string
	MaxItems   int
}

type ListGroupsOutput struct {
	Groups      members[Group] `xml:"Groups"`
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

// ListGroups lists the account's groups.
func (s *Service) ListGroups(ctx context.Context, in *ListGroupsInput) (*ListGroupsOutput, error) {
	es, err := s.list(ctx, store.KindGroup, in.PathPrefix)
	if err != nil {
		return nil, err
	}
	var groups []Group
	for _, e := range es {
		groups = append(groups, groupOf(e))
	}
	out := &ListGroupsOutput{}
	out.Groups, out.Marker, out.IsTruncated, err = page(groups, in.Marker, in.MaxItems)
	return out, err
}

type UpdateGroupInput struct {
	GroupName    string
	NewPath      string
	NewGroupName string
}

type UpdateGroupOutput struct{}

// UpdateGroup changes a group's path, or renames a group that has nothing in it yet.
func (s *Service) UpdateGroup(ctx context.Context, in *UpdateGroupInput) (*UpdateGroupOutput, error) {
	return &UpdateGroupOutput{}, s.update(ctx, store.KindGroup, in.GroupName, in.NewPath, in.NewGroupName)
}

type DeleteGroupInput struct {
	GroupName string
}

type DeleteGroupOutput struct{}

// DeleteGroup deletes an empty group without policies.
func (s *Service) DeleteGroup(ctx context.Context, in *DeleteGroupInput) (*DeleteGroupOutput, error) {
	e, err := s.entity(ctx, store.KindGroup, in.GroupName)
	if err != nil {
		return nil, err
	}
	if err := s.checkUnused(ctx, e); err != nil {
		return nil, err
	}
	return &DeleteGroupOutput{}, s.store.DeleteEntity(ctx, e.Account, store.KindGroup, e.Name)
}

type AddUserToGroupInput struct {
	GroupName string
	UserName  string
}

type AddUserToGroupOutput struct{}

// AddUserToGroup adds a user to a group (adding a member again is not an error).
func (s *Service) AddUserToGroup(ctx context.Context, in *AddUserToGroupInput) (*AddUserToGroupOutput, error) {
	g, err := s.entity(ctx, store.KindGroup, in.GroupName)
	if err != nil {
		return nil, err
	}
	u, err := s.entity(ctx, store.KindUser, in.UserName)
	if err != nil {
		return nil, err
	}
	groups, err := s.store.GroupsOf(ctx, u.Account, u.Name)
	if err != nil {
		return nil, err
	}
	if len(groups) >= 10 {
		return nil, ErrLimitExceeded.Errorf("Cannot exceed quota for GroupsPerUser: 10")
	}
	if err := s.store.AddMember(ctx, g.Account, g.Name, u.Name); err != nil && !errors.Is(err, store.ErrExists) {
		return nil, err
	}
	return &AddUserToGroupOutput{}, nil
}

type RemoveUserFromGroupInput struct {
	GroupName string
	UserName  string
}

type RemoveUserFromGroupOutput struct{}

// RemoveUserFromGroup takes a user out of a group.
func (s *Service) RemoveUserFromGroup(ctx context.Context, in *RemoveUserFromGroupInput) (*RemoveUserFromGroupOutput, error) {
	g, err := s.entity(ctx, store.KindGroup, in.GroupName)
	if err != nil {
		return nil, err
	}
	u, err := s.entity(ctx, store.KindUser, in.UserName)
	if err != nil {
		return nil, err
	}
	if err := s.store.RemoveMember(ctx, g.Account, g.Name, u.Name); errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoSuchEntity.Errorf("The user with name %s cannot be found in group %s.", u.Name, g.Name)
	} else if err != nil {
		return nil, err
	}
	return &RemoveUserFromGroupOutput{}, nil
}

type ListGroupsForUserInput struct {
	UserName string
	Marker   string
	MaxItems int
}

// ListGroupsForUser lists the groups a user is in.
func (s *Service) ListGroupsForUser(ctx context.Context, in *ListGroupsForUserInput) (*ListGroupsOutput, error) {
	u, err := s.entity(ctx, store.KindUser, in.UserName)
	if err != nil {
		return nil, err
	}
	names, err := s.store.GroupsOf(ctx, u.Account, u.Name)
	if err != nil {
		return nil, err
	}
	var groups []Group
	for _, n := range names {
		if g, err := s.store.Entity(ctx, u.Account, store.KindGroup, n); err == nil {
			groups = append(groups, groupOf(g))
		}
	}
	out := &ListGroupsOutput{}
	out.Groups, out.Marker, out.IsTruncated, err = page(groups, in.Marker, in.MaxItems)
	return out, err
}
