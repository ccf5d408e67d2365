package kms

import (
	"context"
	"strings"
)

// TagResourceInput is TagResource's input.
type TagResourceInput struct {
	KeyId string
	Tags  []Tag
}

func (i *TagResourceInput) keyID() string { return i.KeyId }

// UntagResourceInput is UntagResource's input.
type UntagResourceInput struct {
	KeyId   string
	TagKeys []string
}

func (i *UntagResourceInput) keyID() string { return i.KeyId }

// ListResourceTagsOutput is ListResourceTags' answer.
type ListResourceTagsOutput struct {
	Tags      []Tag
	Truncated bool
}

// checkTags applies AWS's tag rules: keys of 1–128 characters not starting with aws:, values
// up to 256, at most 50.
func checkTags(tags []Tag) error {
	if len(tags) > 50 {
		return ErrTag.Errorf("Too many tags")
	}
	for _, t := range tags {
		if t.TagKey == "" || len(t.TagKey) > 128 || len(t.TagValue) > 256 {
			return ErrTag.Errorf("Invalid tag %q", t.TagKey)
		}
		if strings.HasPrefix(strings.ToLower(t.TagKey), "aws:") {
			return ErrTag.Errorf("Tags beginning with aws: are reserved")
		}
	}
	return nil
}

// mergeTags sets tags over have, by key.
func mergeTags(have, tags []Tag) []Tag {
	for _, t := range tags {
		found := false
		for i := range have {
			if have[i].TagKey == t.TagKey {
				have[i].TagValue, found = t.TagValue, true
			}
		}
		if !found {
			have = append(have, t)
		}
	}
	return have
}

// TagResource adds or replaces tags of a key.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*Empty, error) {
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	_, err := s.update(ctx, in.KeyId, func(k *key) error {
		if err := customerKey(k); err != nil {
			return err
		}
		k.doc.Tags = mergeTags(k.doc.Tags, in.Tags)
		if len(k.doc.Tags) > 50 {
			return ErrTag.Errorf("Too many tags")
		}
		return nil
	})
	return &Empty{}, err
}

// UntagResource removes tags of a key.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*Empty, error) {
	_, err := s.update(ctx, in.KeyId, func(k *key) error {
		if err := customerKey(k); err != nil {
			return err
		}
		kept := k.doc.Tags[:0]
		for _, t := range k.doc.Tags {
			drop := false
			for _, key := range in.TagKeys {
				drop = drop || key == t.TagKey
			}
			if !drop {
				kept = append(kept, t)
			}
		}
		k.doc.Tags = kept
		return nil
	})
	return &Empty{}, err
}

// ListResourceTags lists a key's tags.
func (s *Service) ListResourceTags(ctx context.Context, in *ListInput) (*ListResourceTagsOutput, error) {
	k, err := s.load(ctx, in.KeyId)
	if err != nil {
		return nil, err
	}
	return &ListResourceTagsOutput{Tags: append([]Tag{}, k.doc.Tags...)}, nil
}
