package iam

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/gureum/gureum/internal/store"
)

type DeleteServiceLinkedRoleInput struct {
	RoleName string
}

type DeleteServiceLinkedRoleOutput struct {
	DeletionTaskId string
}

// DeleteServiceLinkedRole deletes a service-linked role (one under /aws-service-role/) and
// returns the deletion task, which GetServiceLinkedRoleDeletionStatus reports. No gureum service
// holds resources through such a role, so the deletion is done when this returns.
func (s *Service) DeleteServiceLinkedRole(ctx context.Context, in *DeleteServiceLinkedRoleInput) (*DeleteServiceLinkedRoleOutput, error) {
	e, err := s.entity(ctx, store.KindRole, in.RoleName)
	if err != nil {
		return nil, err
	}
	svc, ok := strings.CutPrefix(e.Path, "/aws-service-role/")
	if !ok {
		return nil, ErrInvalidInput.Errorf("Role %s is not a service-linked role.", in.RoleName)
	}
	if err := s.checkUnused(ctx, e); err != nil {
		return nil, err
	}
	if err := s.store.DeleteEntity(ctx, e.Account, store.KindRole, e.Name); err != nil {
		return nil, err
	}
	return &DeleteServiceLinkedRoleOutput{DeletionTaskId: "task/aws-service-role/" + svc + e.Name + "/" + uuid.NewString()}, nil
}

type GetServiceLinkedRoleDeletionStatusInput struct {
	DeletionTaskId string
}

type GetServiceLinkedRoleDeletionStatusOutput struct {
	Status string
}

// GetServiceLinkedRoleDeletionStatus reports a deletion task: SUCCEEDED once the role it names is
// gone, IN_PROGRESS while a role of that name exists.
func (s *Service) GetServiceLinkedRoleDeletionStatus(ctx context.Context, in *GetServiceLinkedRoleDeletionStatusInput) (*GetServiceLinkedRoleDeletionStatusOutput, error) {
	rest, ok := strings.CutPrefix(in.DeletionTaskId, "task/aws-service-role/")
	parts := strings.Split(rest, "/")
	if !ok || len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return nil, ErrInvalidInput.Errorf("Invalid deletion task id %s.", in.DeletionTaskId)
	}
	if _, err := uuid.Parse(parts[2]); err != nil {
		return nil, ErrInvalidInput.Errorf("Invalid deletion task id %s.", in.DeletionTaskId)
	}
	if _, err := s.entity(ctx, store.KindRole, parts[1]); err == nil {
		return &GetServiceLinkedRoleDeletionStatusOutput{Status: "IN_PROGRESS"}, nil
	}
	return &GetServiceLinkedRoleDeletionStatusOutput{Status: "SUCCEEDED"}, nil
}

type TagInstanceProfileInput struct {
	InstanceProfileName string
	Tags                []Tag
}

type UntagInstanceProfileInput struct {
	InstanceProfileName string
	TagKeys             []string
}

type ListInstanceProfileTagsInput struct {
	InstanceProfileName string
	Marker              string
	MaxItems            int
}

type EmptyOutput struct{}

// TagInstanceProfile adds or replaces tags on an instance profile.
func (s *Service) TagInstanceProfile(ctx context.Context, in *TagInstanceProfileInput) (*EmptyOutput, error) {
	return &EmptyOutput{}, s.tagEntity(ctx, kindInstanceProfile, in.InstanceProfileName, in.Tags, nil)
}

// UntagInstanceProfile removes tags from an instance profile.
func (s *Service) UntagInstanceProfile(ctx context.Context, in *UntagInstanceProfileInput) (*EmptyOutput, error) {
	return &EmptyOutput{}, s.tagEntity(ctx, kindInstanceProfile, in.InstanceProfileName, nil, in.TagKeys)
}

// ListInstanceProfileTags lists an instance profile's tags.
func (s *Service) ListInstanceProfileTags(ctx context.Context, in *ListInstanceProfileTagsInput) (*ListTagsOutput, error) {
	return s.listTags(ctx, kindInstanceProfile, in.InstanceProfileName, in.Marker, in.MaxItems)
}
