package logs

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gureum/gureum/internal/store"
)

const maxTags = 50

// checkTags holds tags to AWS's rules for keys and values.
func checkTags(tags map[string]string) error {
	if len(tags) > maxTags {
		return ErrTooManyTags.Errorf("A resource can have no more than %d tags.", maxTags)
	}
	for k, v := range tags {
		if n := utf8.RuneCountInString(k); n < 1 || n > 128 || !tagText(k) {
			return constraint(k, "tags", `Member must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$`)
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return ErrInvalidParameter.Errorf("Tag keys beginning with aws: are reserved.")
		}
		if utf8.RuneCountInString(v) > 256 || !tagText(v) {
			return constraint(v, "tags", `Member must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
		}
	}
	return nil
}

func tagText(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.In(r, unicode.Z, unicode.N) && !strings.ContainsRune("_.:/=+-@", r) {
			return false
		}
	}
	return true
}

// tag adds tags to a group, holding it to 50.
func (s *Service) tag(ctx context.Context, group string, tags map[string]string) error {
	if err := checkTags(tags); err != nil {
		return err
	}
	return s.updateGroup(ctx, group, func(g *store.LogGroup) error {
		merged := map[string]string{}
		for k, v := range g.Tags {
			merged[k] = v
		}
		for k, v := range tags {
			merged[k] = v
		}
		if len(merged) > maxTags {
			return ErrTooManyTags.Errorf("A resource can have no more than %d tags.", maxTags)
		}
		g.Tags = merged
		return nil
	})
}

func (s *Service) untag(ctx context.Context, group string, keys []string) error {
	return s.updateGroup(ctx, group, func(g *store.LogGroup) error {
		for _, k := range keys {
			delete(g.Tags, k)
		}
		return nil
	})
}

func (s *Service) tags(ctx context.Context, group string) (*TagsOutput, error) {
	g, err := s.group(ctx, group)
	if err != nil {
		return nil, err
	}
	if g.Tags == nil {
		g.Tags = map[string]string{}
	}
	return &TagsOutput{Tags: g.Tags}, nil
}

// TagLogGroup adds tags to a group (the older API; TagResource is its successor).
func (s *Service) TagLogGroup(ctx context.Context, in *TagLogGroupInput) (*Empty, error) {
	return &Empty{}, s.tag(ctx, in.LogGroupName, in.Tags)
}

// UntagLogGroup removes tags from a group.
func (s *Service) UntagLogGroup(ctx context.Context, in *UntagLogGroupInput) (*Empty, error) {
	return &Empty{}, s.untag(ctx, in.LogGroupName, in.Tags)
}

// ListTagsLogGroup lists a group's tags.
func (s *Service) ListTagsLogGroup(ctx context.Context, in *ListTagsLogGroupInput) (*TagsOutput, error) {
	return s.tags(ctx, in.LogGroupName)
}

// groupOfARN reads the group a resource ARN names: arn:aws:logs:<region>:<account>:log-group:<name>.
func (s *Service) groupOfARN(ctx context.Context, arn string) (string, error) {
	prefix := "arn:aws:logs:" + s.region + ":" + callerAccount(ctx) + ":log-group:"
	name, ok := strings.CutPrefix(strings.TrimSuffix(arn, ":*"), prefix)
	if !ok || name == "" || strings.Contains(name, ":") {
		if !strings.HasPrefix(arn, "arn:") {
			return "", constraint(arn, "resourceArn", "Member must satisfy regular expression pattern: [\\w+=/:,.@\\-\\*]*")
		}
		return "", ErrResourceNotFound.Errorf("The specified resource does not exist.")
	}
	return name, nil
}

// TagResource adds tags to a resource named by ARN (log groups).
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*Empty, error) {
	name, err := s.groupOfARN(ctx, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return &Empty{}, s.tag(ctx, name, in.Tags)
}

// UntagResource removes tags from a resource named by ARN.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*Empty, error) {
	name, err := s.groupOfARN(ctx, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return &Empty{}, s.untag(ctx, name, in.TagKeys)
}

// ListTagsForResource lists a resource's tags.
func (s *Service) ListTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*TagsOutput, error) {
	name, err := s.groupOfARN(ctx, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return s.tags(ctx, name)
}
