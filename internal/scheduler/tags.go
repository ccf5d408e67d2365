package scheduler

import (
	"context"
	"encoding/json"
	"strings"
)

// Tags live on schedule groups, named by ARN (…:schedule-group/<name>).

func (s *Service) groupOfARN(ctx context.Context, arn string) (string, error) {
	prefix := s.groupARN(callerAccount(ctx), "")
	name, ok := strings.CutPrefix(arn, prefix)
	if !ok || name == "" {
		return "", ErrResourceNotFound.Errorf("Resource %s does not exist.", arn)
	}
	return name, nil
}

func (s *Service) editTags(ctx context.Context, arn string, change func([]Tag) []Tag) ([]Tag, error) {
	name, err := s.groupOfARN(ctx, arn)
	if err != nil {
		return nil, err
	}
	g, d, err := s.group(ctx, callerAccount(ctx), name)
	if err != nil {
		return nil, err
	}
	if change == nil {
		return d.Tags, nil
	}
	d.Tags = change(d.Tags)
	g.Doc, _ = json.Marshal(d)
	return d.Tags, s.store.UpdateScheduleGroup(ctx, g)
}

// TagResource adds or replaces a group's tags.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*Empty, error) {
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	_, err := s.editTags(ctx, in.ResourceArn, func(tags []Tag) []Tag {
		for _, t := range in.Tags {
			i := 0
			for i < len(tags) && tags[i].Key != t.Key {
				i++
			}
			if i < len(tags) {
				tags[i].Value = t.Value
			} else {
				tags = append(tags, t)
			}
		}
		return tags
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// UntagResource removes a group's tag.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*Empty, error) {
	_, err := s.editTags(ctx, in.ResourceArn, func(tags []Tag) []Tag {
		kept := tags[:0]
		for _, t := range tags {
			if t.Key != in.TagKeys {
				kept = append(kept, t)
			}
		}
		return kept
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// ListTagsForResource lists a group's tags.
func (s *Service) ListTagsForResource(ctx context.Context, in *ResourceArnInput) (*ListTagsForResourceOutput, error) {
	tags, err := s.editTags(ctx, in.ResourceArn, nil)
	if err != nil {
		return nil, err
	}
	if tags == nil {
		tags = []Tag{}
	}
	return &ListTagsForResourceOutput{Tags: tags}, nil
}
