package ssm

import (
	"context"
	"strings"
)

// TagsInput is Add/RemoveTagsFromResource's and ListTagsForResource's input.
type TagsInput struct {
	ResourceType string
	ResourceId   string
	Tags         []Tag
	TagKeys      []string
}

func (i *TagsInput) paramName() string { return i.ResourceId }

// ListTagsForResourceOutput is ListTagsForResource's answer.
type ListTagsForResourceOutput struct{ TagList []Tag }

// checkTags applies AWS's tag rules: at most 50, keys of 1–128 characters not starting with
// aws:, values up to 256.
func checkTags(tags []Tag) error {
	if len(tags) > 50 {
		return ErrTooManyTags.Errorf("The Tags parameter contains too many tags.")
	}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 || strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return ErrValidation.Errorf("Invalid tag key or value: %q", t.Key)
		}
	}
	return nil
}

// tagged loads the parameter a tag request names and applies fn.
func (s *Service) tagged(ctx context.Context, in *TagsInput, fn func(p *param) error, write bool) error {
	if in.ResourceType != "Parameter" {
		return ErrInvalidResourceType.Errorf("The resource type %s is not supported here; only Parameter is.", in.ResourceType)
	}
	sel, err := parseSelector(in.ResourceId)
	if err != nil || sel.raw != "" {
		return ErrInvalidResourceID.Errorf("The resource ID %q is not valid. Verify the ID and try again.", in.ResourceId)
	}
	p, err := s.load(ctx, callerAccount(ctx), sel.name)
	if isCode(err, ErrParameterNotFound) {
		return ErrInvalidResourceID.Errorf("The resource ID %q is not valid. Verify the ID and try again.", in.ResourceId)
	}
	if err != nil {
		return err
	}
	if err := fn(p); err != nil || !write {
		return err
	}
	return s.save(ctx, p)
}

// AddTagsToResource adds or replaces a parameter's tags.
func (s *Service) AddTagsToResource(ctx context.Context, in *TagsInput) (*Empty, error) {
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	return &Empty{}, s.tagged(ctx, in, func(p *param) error {
		for _, t := range in.Tags {
			p.doc.Tags = append(removeTag(p.doc.Tags, t.Key), t)
		}
		if len(p.doc.Tags) > 50 {
			return ErrTooManyTags.Errorf("The Tags parameter contains too many tags.")
		}
		return nil
	}, true)
}

func removeTag(tags []Tag, key string) []Tag {
	out := tags[:0]
	for _, t := range tags {
		if t.Key != key {
			out = append(out, t)
		}
	}
	return out
}

// RemoveTagsFromResource removes tags of a parameter.
func (s *Service) RemoveTagsFromResource(ctx context.Context, in *TagsInput) (*Empty, error) {
	return &Empty{}, s.tagged(ctx, in, func(p *param) error {
		for _, k := range in.TagKeys {
			p.doc.Tags = removeTag(p.doc.Tags, k)
		}
		return nil
	}, true)
}

// ListTagsForResource lists a parameter's tags.
func (s *Service) ListTagsForResource(ctx context.Context, in *TagsInput) (*ListTagsForResourceOutput, error) {
	out := &ListTagsForResourceOutput{TagList: []Tag{}}
	err := s.tagged(ctx, in, func(p *param) error {
		out.TagList = append(out.TagList, p.doc.Tags...)
		return nil
	}, false)
	if err != nil {
		return nil, err
	}
	return out, nil
}
