package events

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/gureum/gureum/internal/store"
)

// Tags live on rules and buses, named by ARN.

// resourceOf reads a rule or bus ARN: arn:aws:events:<region>:<account>:rule/[<bus>/]<name> or
// …:event-bus/<name>.
func resourceOf(arn string) (account, bus, rule string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "events" {
		return "", "", "", false
	}
	account = parts[4]
	if name, isBus := strings.CutPrefix(parts[5], "event-bus/"); isBus {
		return account, name, "", name != ""
	}
	path, isRule := strings.CutPrefix(parts[5], "rule/")
	if !isRule || path == "" {
		return "", "", "", false
	}
	if b, r, nested := strings.Cut(path, "/"); nested {
		return account, b, r, r != ""
	}
	return account, defaultBus, path, true
}

// editTags applies change to the tags of the resource an ARN names.
func (s *Service) editTags(ctx context.Context, arn string, change func([]Tag) []Tag) ([]Tag, error) {
	account, bus, rule, ok := resourceOf(arn)
	if !ok || account != callerAccount(ctx) {
		return nil, ErrResourceNotFound.Errorf("Resource %s does not exist.", arn)
	}
	var tags []Tag
	if rule != "" {
		err := s.saveRule(ctx, account, bus, rule, false, func(d *ruleDoc, _ bool) error {
			if change != nil {
				d.Tags = change(d.Tags)
			}
			tags = d.Tags
			return nil
		})
		return tags, err
	}
	b, d, err := s.bus(ctx, account, bus)
	if err != nil {
		return nil, err
	}
	if change == nil {
		return d.Tags, nil
	}
	d.Tags = change(d.Tags)
	b.Doc, _ = json.Marshal(d)
	return d.Tags, s.store.UpdateEventBus(ctx, store.EventBus{Account: b.Account, Name: b.Name, Doc: b.Doc, Created: b.Created})
}

// TagResource adds or replaces tags.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*Empty, error) {
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	_, err := s.editTags(ctx, in.ResourceARN, func(tags []Tag) []Tag {
		for _, t := range in.Tags {
			replaced := false
			for i := range tags {
				if tags[i].Key == t.Key {
					tags[i].Value, replaced = t.Value, true
				}
			}
			if !replaced {
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

// UntagResource removes tags by key.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*Empty, error) {
	_, err := s.editTags(ctx, in.ResourceARN, func(tags []Tag) []Tag {
		kept := tags[:0]
		for _, t := range tags {
			if !contains(in.TagKeys, t.Key) {
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

// ListTagsForResource lists a rule's or bus's tags.
func (s *Service) ListTagsForResource(ctx context.Context, in *ResourceInput) (*ListTagsForResourceOutput, error) {
	account, bus, rule, ok := resourceOf(in.ResourceARN)
	if !ok || account != callerAccount(ctx) {
		return nil, ErrResourceNotFound.Errorf("Resource %s does not exist.", in.ResourceARN)
	}
	var tags []Tag
	if rule != "" {
		_, d, err := s.rule(ctx, account, bus, rule)
		if err != nil {
			return nil, err
		}
		tags = d.Tags
	} else {
		_, d, err := s.bus(ctx, account, bus)
		if err != nil {
			return nil, err
		}
		tags = d.Tags
	}
	if tags == nil {
		tags = []Tag{}
	}
	return &ListTagsForResourceOutput{Tags: tags}, nil
}
