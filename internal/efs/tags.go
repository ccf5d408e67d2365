package efs

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/gureum/gureum/internal/store"
)

// Tags live on file systems and access points.

const maxTags = 50

func checkTags(tags []Tag) error {
	if len(tags) > maxTags {
		return fail(ErrBadRequest, "A resource can have at most %d tags.", maxTags)
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 {
			return fail(ErrBadRequest, "Tag keys must be 1 to 128 characters and values at most 256.")
		}
		if strings.HasPrefix(t.Key, "aws:") {
			return fail(ErrBadRequest, "Tag keys must not start with 'aws:'.")
		}
		if seen[t.Key] {
			return fail(ErrBadRequest, "Tag key '%s' is given more than once.", t.Key)
		}
		seen[t.Key] = true
	}
	return nil
}

func mergeTags(have, add []Tag) []Tag {
	out := append([]Tag{}, have...)
	for _, t := range add {
		replaced := false
		for i := range out {
			if out[i].Key == t.Key {
				out[i].Value, replaced = t.Value, true
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	return out
}

func dropTags(have []Tag, keys []string) []Tag {
	out := []Tag{}
	for _, t := range have {
		drop := false
		for _, k := range keys {
			drop = drop || t.Key == k
		}
		if !drop {
			out = append(out, t)
		}
	}
	return out
}

// editTags changes the tags of a file system or access point by id or ARN and answers them.
func (s *Service) editTags(ctx context.Context, id string, change func([]Tag) ([]Tag, error)) ([]Tag, error) {
	id = fileSystemIDOf(id)
	if strings.HasPrefix(id, "fsap-") {
		for {
			r, ap, err := s.accessPoint(ctx, callerAccount(ctx), id)
			if err != nil {
				return nil, err
			}
			if change == nil {
				return nonNil(ap.Tags), nil
			}
			if ap.Tags, err = change(ap.Tags); err != nil {
				return nil, err
			}
			ap.Name = nameTag(ap.Tags)
			r.Doc, _ = json.Marshal(ap)
			if err := s.store.UpdateFileSystemResource(ctx, r); errors.Is(err, store.ErrConditionFailed) {
				continue
			} else if err != nil {
				return nil, err
			}
			return ap.Tags, nil
		}
	}
	if change == nil {
		_, d, err := s.fileSystem(ctx, id)
		if err != nil {
			return nil, err
		}
		return nonNil(d.Tags), nil
	}
	d, err := s.updateFileSystem(ctx, id, func(d *fileSystemDoc) error {
		tags, err := change(d.Tags)
		d.Tags, d.Name = tags, nameTag(tags)
		return err
	})
	if err != nil {
		return nil, err
	}
	return d.Tags, nil
}

func adding(add []Tag) func([]Tag) ([]Tag, error) {
	return func(have []Tag) ([]Tag, error) {
		out := mergeTags(have, add)
		return out, checkTags(out)
	}
}

func removing(keys []string) func([]Tag) ([]Tag, error) {
	return func(have []Tag) ([]Tag, error) { return dropTags(have, keys), nil }
}

// TagResource adds or replaces tags of a file system or access point.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*Empty, error) {
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if _, err := s.editTags(ctx, in.ResourceId, adding(in.Tags)); err != nil {
		return nil, err
	}
	return &Empty{Status: 200}, nil
}

// UntagResource removes tags of a file system or access point.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*Empty, error) {
	if _, err := s.editTags(ctx, in.ResourceId, removing(in.TagKeys)); err != nil {
		return nil, err
	}
	return &Empty{Status: 200}, nil
}

// ListTagsForResource answers a file system's or access point's tags.
func (s *Service) ListTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	tags, err := s.editTags(ctx, in.ResourceId, nil)
	if err != nil {
		return nil, err
	}
	return &ListTagsForResourceOutput{Tags: tags}, nil
}

// CreateTags is the legacy TagResource of file systems.
func (s *Service) CreateTags(ctx context.Context, in *CreateTagsInput) (*Empty, error) {
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if _, err := s.editTags(ctx, in.FileSystemId, adding(in.Tags)); err != nil {
		return nil, err
	}
	return &Empty{Status: 204}, nil
}

// DeleteTags is the legacy UntagResource of file systems.
func (s *Service) DeleteTags(ctx context.Context, in *DeleteTagsInput) (*Empty, error) {
	if _, err := s.editTags(ctx, in.FileSystemId, removing(in.TagKeys)); err != nil {
		return nil, err
	}
	return &Empty{Status: 204}, nil
}

// DescribeTags is the legacy ListTagsForResource of file systems.
func (s *Service) DescribeTags(ctx context.Context, in *DescribeTagsInput) (*DescribeTagsOutput, error) {
	tags, err := s.editTags(ctx, in.FileSystemId, nil)
	if err != nil {
		return nil, err
	}
	return &DescribeTagsOutput{Marker: in.Marker, Tags: tags}, nil
}
