package iam

import (
	"context"
	"errors"
	"regexp"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/store"
)

var (
	namePattern = regexp.MustCompile(`^[\w+=,.@-]+$`)
	pathPattern = regexp.MustCompile(`^(/|/[\x21-\x7E]+/)$`)
)

// PermissionsBoundary is an entity's boundary as IAM's shapes carry it.
type PermissionsBoundary struct {
	PermissionsBoundaryType string
	PermissionsBoundaryArn  string
}

func boundaryOf(arn string) *PermissionsBoundary {
	if arn == "" {
		return nil
	}
	return &PermissionsBoundary{PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: arn}
}

// User is IAM's User shape.
type User struct {
	Path                string
	UserName            string `xml:",omitempty"`
	UserId              string
	Arn                 string
	CreateDate          time.Time
	PermissionsBoundary *PermissionsBoundary `xml:",omitempty"`
	Tags                []Tag                `xml:"Tags>member,omitempty"`
}

func userOf(e store.Entity) User {
	return User{Path: e.Path, UserName: e.Name, UserId: e.ID, Arn: e.ARN, CreateDate: e.Created, PermissionsBoundary: boundaryOf(e.Boundary), Tags: fromStoreTags(e.Tags)}
}

func checkName(field, name string, max int) error {
	if len(name) < 1 || len(name) > max {
		return awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length between 1 and %d", name, field, max)
	}
	if !namePattern.MatchString(name) {
		return awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", name, field)
	}
	return nil
}

func checkPath(path string) (string, error) {
	if path == "" {
		return "/", nil
	}
	if len(path) > 512 || !pathPattern.MatchString(path) {
		return "", awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)", path)
	}
	return path, nil
}

func checkTags(tags []Tag) error {
	if len(tags) > 50 {
		return ErrLimitExceeded.Errorf("The number of tags has reached the maximum limit.")
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if len(t.Key) < 1 || len(t.Key) > 128 || len(t.Value) > 256 {
			return awserr.New(awserr.Validation, "1 validation error detected: Value at 'tags' failed to satisfy constraint: keys must have length between 1 and 128 and values at most 256")
		}
		if seen[t.Key] {
			return ErrInvalidInput.Errorf("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[t.Key] = true
	}
	return nil
}

// entity reads an entity of the caller's account, or NoSuchEntity.
func (s *Service) entity(ctx context.Context, kind, name string) (store.Entity, error) {
	e, err := s.store.Entity(ctx, callerAccount(ctx), kind, name)
	if errors.Is(err, store.ErrNotFound) {
		return e, ErrNoSuchEntity.Errorf("The %s with name %s cannot be found.", kindWord(kind), name)
	}
	return e, err
}

func kindWord(kind string) string {
	switch kind {
	case store.KindGroup:
		return "group"
	case store.KindRole:
		return "role"
	case kindInstanceProfile:
		return "instance profile"
	}
	return "user"
}

type CreateUserInput struct {
	UserName            string
	Path                string
	PermissionsBoundary string
	Tags                []Tag
}

type CreateUserOutput struct {
	User User
}

// CreateUser creates a user.
func (s *Service) CreateUser(ctx context.Context, in *CreateUserInput) (*CreateUserOutput, error) {
	if err := checkName("userName", in.UserName, 64); err != nil {
		return nil, err
	}
	path, err := checkPath(in.Path)
	if err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if err := s.checkBoundary(ctx, in.PermissionsBoundary); err != nil {
		return nil, err
	}
	account := callerAccount(ctx)
	e := store.Entity{Account: account, Kind: store.KindUser, Name: in.UserName, ID: newID("AIDA", 21), Path: path,
		ARN: entityARN(account, "user", path, in.UserName), Created: s.now().UTC().Truncate(time.Second), Boundary: in.PermissionsBoundary, Tags: toStoreTags(in.Tags)}
	if err := s.store.CreateEntity(ctx, e); errors.Is(err, store.ErrExists) {
		return nil, ErrEntityAlreadyExists.Errorf("User with name %s already exists.", in.UserName)
	} else if err != nil {
		return nil, err
	}
	return &CreateUserOutput{User: userOf(e)}, nil
}

type GetUserInput struct {
	UserName string
}

type GetUserOutput struct {
	User User
}

// GetUser describes a user, or the calling user when no name is given.
func (s *Service) GetUser(ctx context.Context, in *GetUserInput) (*GetUserOutput, error) {
	name, err := s.userOrCaller(ctx, in.UserName)
	if err != nil {
		return nil, err
	}
	if name == "" { // the root user
		p, _ := caller(ctx)
		a, err := s.store.Account(ctx, p.Account)
		if err != nil {
			return nil, err
		}
		return &GetUserOutput{User: User{Path: "/", UserId: p.Account, Arn: p.ARN, CreateDate: a.Created}}, nil
	}
	e, err := s.entity(ctx, store.KindUser, name)
	if err != nil {
		return nil, err
	}
	return &GetUserOutput{User: userOf(e)}, nil
}

// userOrCaller resolves an optional UserName: the named user, or the caller's own user name
// ("" for the root user). A role session must name a user.
func (s *Service) userOrCaller(ctx context.Context, name string) (string, error) {
	if name != "" {
		return name, checkName("userName", name, 128)
	}
	p, err := caller(ctx)
	if err != nil {
		return "", err
	}
	if p.Root {
		return "", nil
	}
	if u, ok := userNameOf(p.ARN); ok {
		return u, nil
	}
	return "", awserr.New(awserr.Validation, "Must specify userName when calling with non-User credentials")
}

// userNameOf returns the user name in a user ARN.
func userNameOf(arn string) (string, bool) {
	parts := splitResource(arn)
	if len(parts) < 2 || parts[0] != "user" {
		return "", false
	}
	return parts[len(parts)-1], true
}

type ListUsersInput struct {
	PathPrefix string
	Marker     string
	MaxItems   int
}

type ListUsersOutput struct {
	Users       members[User] `xml:"Users"`
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

// ListUsers lists the account's users.
func (s *Service) ListUsers(ctx context.Context, in *ListUsersInput) (*ListUsersOutput, error) {
	es, err := s.list(ctx, store.KindUser, in.PathPrefix)
	if err != nil {
		return nil, err
	}
	var users []User
	for _, e := range es {
		u := userOf(e)
		u.Tags, u.PermissionsBoundary = nil, nil // ListUsers leaves them out, as AWS does
		users = append(users, u)
	}
	out := &ListUsersOutput{}
	out.Users, out.Marker, out.IsTruncated, err = page(users, in.Marker, in.MaxItems)
	return out, err
}

func (s *Service) list(ctx context.Context, kind, prefix string) ([]store.Entity, error) {
	es, err := s.store.Entities(ctx, callerAccount(ctx), kind)
	if err != nil || prefix == "" {
		return es, err
	}
	var out []store.Entity
	for _, e := range es {
		if len(e.Path) >= len(prefix) && e.Path[:len(prefix)] == prefix {
			out = append(out, e)
		}
	}
	return out, nil
}

type UpdateUserInput struct {
	UserName    string
	NewPath     string
	NewUserName string
}

type UpdateUserOutput struct{}

// UpdateUser changes a user's path, or renames a user that has nothing attached yet.
func (s *Service) UpdateUser(ctx context.Context, in *UpdateUserInput) (*UpdateUserOutput, error) {
	return &UpdateUserOutput{}, s.update(ctx, store.KindUser, in.UserName, in.NewPath, in.NewUserName)
}

func (s *Service) update(ctx context.Context, kind, name, newPath, newName string) error {
	e, err := s.entity(ctx, kind, name)
	if err != nil {
		return err
	}
	if newPath != "" {
		if e.Path, err = checkPath(newPath); err != nil {
			return err
		}
	}
	if newName == "" || newName == e.Name {
		e.ARN = entityARN(e.Account, kindWord(kind), e.Path, e.Name)
		return s.store.UpdateEntity(ctx, e)
	}
	if err := checkName("newName", newName, 128); err != nil {
		return err
	}
	if err := s.checkUnused(ctx, e); err != nil {
		return ErrInvalidInput.Errorf("gureum renames a %s only while it has no policies, keys or groups: %s", kindWord(kind), err.Error())
	}
	renamed := e
	renamed.Name, renamed.ARN = newName, entityARN(e.Account, kindWord(kind), e.Path, newName)
	if err := s.store.CreateEntity(ctx, renamed); errors.Is(err, store.ErrExists) {
		return ErrEntityAlreadyExists.Errorf("%s with name %s already exists.", kindWord(kind), newName)
	} else if err != nil {
		return err
	}
	return s.store.DeleteEntity(ctx, e.Account, kind, e.Name)
}

type DeleteUserInput struct {
	UserName string
}

type DeleteUserOutput struct{}

// DeleteUser deletes a user that has no keys, policies or groups left.
func (s *Service) DeleteUser(ctx context.Context, in *DeleteUserInput) (*DeleteUserOutput, error) {
	e, err := s.entity(ctx, store.KindUser, in.UserName)
	if err != nil {
		return nil, err
	}
	if err := s.checkUnused(ctx, e); err != nil {
		return nil, err
	}
	return &DeleteUserOutput{}, s.store.DeleteEntity(ctx, e.Account, store.KindUser, e.Name)
}

// checkUnused returns DeleteConflict while an entity still has what AWS makes you remove first.
func (s *Service) checkUnused(ctx context.Context, e store.Entity) error {
	if e.Kind == store.KindUser {
		keys, err := s.userKeys(ctx, e)
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			return ErrDeleteConflict.Errorf("Cannot delete entity, must delete access keys first.")
		}
		groups, err := s.store.GroupsOf(ctx, e.Account, e.Name)
		if err != nil {
			return err
		}
		if len(groups) > 0 {
			return ErrDeleteConflict.Errorf("Cannot delete entity, must remove users from group first.")
		}
		if _, err := s.store.Entity(ctx, e.Account, kindLoginProfile, e.Name); err == nil {
			return ErrDeleteConflict.Errorf("Cannot delete entity, must delete login profile first.")
		}
	}
	if e.Kind == store.KindRole {
		at, err := s.store.AttachedTo(ctx, e.ARN)
		if err != nil {
			return err
		}
		if len(at) > 0 {
			return ErrDeleteConflict.Errorf("Cannot delete entity, must remove roles from instance profile first.")
		}
	}
	if e.Kind == store.KindGroup {
		members, err := s.store.Members(ctx, e.Account, e.Name)
		if err != nil {
			return err
		}
		if len(members) > 0 {
			return ErrDeleteConflict.Errorf("Cannot delete entity, must remove users from group first.")
		}
	}
	inline, err := s.store.InlinePolicies(ctx, e.Account, e.Kind, e.Name)
	if err != nil {
		return err
	}
	if len(inline) > 0 {
		return ErrDeleteConflict.Errorf("Cannot delete entity, must delete policies first.")
	}
	attached, err := s.store.Attached(ctx, e.Account, e.Kind, e.Name)
	if err != nil {
		return err
	}
	if len(attached) > 0 {
		return ErrDeleteConflict.Errorf("Cannot delete entity, must detach all policies first.")
	}
	return nil
}

type TagUserInput struct {
	UserName string
	Tags     []Tag
}

type TagUserOutput struct{}

// TagUser adds or replaces tags on a user.
func (s *Service) TagUser(ctx context.Context, in *TagUserInput) (*TagUserOutput, error) {
	return &TagUserOutput{}, s.tagEntity(ctx, store.KindUser, in.UserName, in.Tags, nil)
}

type UntagUserInput struct {
	UserName string
	TagKeys  []string
}

type UntagUserOutput struct{}

// UntagUser removes tags from a user.
func (s *Service) UntagUser(ctx context.Context, in *UntagUserInput) (*UntagUserOutput, error) {
	return &UntagUserOutput{}, s.tagEntity(ctx, store.KindUser, in.UserName, nil, in.TagKeys)
}

type ListUserTagsInput struct {
	UserName string
	Marker   string
	MaxItems int
}

type ListTagsOutput struct {
	Tags        members[Tag] `xml:"Tags"`
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

// ListUserTags lists a user's tags.
func (s *Service) ListUserTags(ctx context.Context, in *ListUserTagsInput) (*ListTagsOutput, error) {
	return s.listTags(ctx, store.KindUser, in.UserName, in.Marker, in.MaxItems)
}

func (s *Service) listTags(ctx context.Context, kind, name, marker string, maxItems int) (*ListTagsOutput, error) {
	e, err := s.entity(ctx, kind, name)
	if err != nil {
		return nil, err
	}
	out := &ListTagsOutput{}
	out.Tags, out.Marker, out.IsTruncated, err = page(fromStoreTags(e.Tags), marker, maxItems)
	return out, err
}

// mergeTags adds (replacing values of existing keys, which IAM compares case-insensitively) and removes tags.
func mergeTags(have []store.Tag, add []Tag, remove []string) ([]store.Tag, error) {
	out := append([]store.Tag(nil), have...)
	for _, t := range add {
		replaced := false
		for i := range out {
			if equalFold(out[i].Key, t.Key) {
				out[i].Value, replaced = t.Value, true
			}
		}
		if !replaced {
			out = append(out, store.Tag{Key: t.Key, Value: t.Value})
		}
	}
	kept := out[:0]
	for _, t := range out {
		drop := false
		for _, k := range remove {
			drop = drop || equalFold(k, t.Key)
		}
		if !drop {
			kept = append(kept, t)
		}
	}
	if len(kept) > 50 {
		return nil, ErrLimitExceeded.Errorf("The number of tags has reached the maximum limit.")
	}
	return kept, nil
}

func (s *Service) tagEntity(ctx context.Context, kind, name string, add []Tag, remove []string) error {
	if err := checkTags(add); err != nil {
		return err
	}
	e, err := s.entity(ctx, kind, name)
	if err != nil {
		return err
	}
	if e.Tags, err = mergeTags(e.Tags, add, remove); err != nil {
		return err
	}
	return s.store.UpdateEntity(ctx, e)
}
