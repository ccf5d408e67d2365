package apigatewayv2

import (
	"context"
	"strings"
)

// TagsInput names a resource by ARN, with tags to add.
type TagsInput struct {
	ResourceArn string            `rest:"uri=resource-arn" json:"-"`
	TagKeys     []string          `rest:"query=tagKeys" json:"-"`
	Tags        map[string]string `json:"tags"`
}

// TagsOutput is GetTags' answer (and TagResource's, empty).
type TagsOutput struct {
	Tags   map[string]string `json:"tags,omitempty"`
	Status int               `rest:"status" json:"-"`
}

// GetTags lists a resource's tags.
func (s *Service) GetTags(ctx context.Context, in *TagsInput) (*TagsOutput, error) {
	var tags map[string]string
	if err := s.withTags(ctx, in.ResourceArn, false, func(t *map[string]string) error { tags = *t; return nil }); err != nil {
		return nil, err
	}
	if tags == nil {
		tags = map[string]string{}
	}
	return &TagsOutput{Tags: tags, Status: 200}, nil
}

// TagResource adds tags to a resource.
func (s *Service) TagResource(ctx context.Context, in *TagsInput) (*TagsOutput, error) {
	err := s.withTags(ctx, in.ResourceArn, true, func(t *map[string]string) error {
		if *t == nil {
			*t = map[string]string{}
		}
		for k, v := range in.Tags {
			if k == "" || len(k) > 128 || len(v) > 256 || strings.HasPrefix(k, "aws:") {
				return badRequest("Invalid tag: %q", k)
			}
			(*t)[k] = v
		}
		if len(*t) > 50 {
			return badRequest("A resource may have at most 50 tags")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &TagsOutput{Status: 201}, nil
}

// UntagResource removes tags from a resource.
func (s *Service) UntagResource(ctx context.Context, in *TagsInput) (*Empty, error) {
	err := s.withTags(ctx, in.ResourceArn, true, func(t *map[string]string) error {
		for _, k := range in.TagKeys {
			delete(*t, k)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{Status: 204}, nil
}

// withTags finds the tags of the resource an ARN names (an API, a stage, a domain name) and
// hands them to fn, storing them after when change is set.
func (s *Service) withTags(ctx context.Context, arn string, change bool, fn func(*map[string]string) error) error {
	_, path, ok := strings.Cut(arn, "::")
	if !strings.HasPrefix(arn, "arn:") || !ok {
		return badRequest("Invalid resource ARN specified: %s", arn)
	}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	switch {
	case len(parts) == 2 && parts[0] == "apis", len(parts) == 4 && parts[0] == "apis" && parts[2] == "stages":
		update := func(doc *apiDoc) error {
			if len(parts) == 2 {
				return fn(&doc.API.Tags)
			}
			st := doc.Stages[parts[3]]
			if st == nil {
				return notFound("Stage", callerAccount(ctx), parts[3])
			}
			return fn(&st.Tags)
		}
		if !change {
			doc, _, err := s.loadAPI(ctx, callerAccount(ctx), parts[1])
			if err != nil {
				return err
			}
			return update(doc)
		}
		_, err := s.mutateAPI(ctx, parts[1], false, update)
		return err
	case len(parts) == 2 && parts[0] == "domainnames":
		if !change {
			d, err := s.loadDomain(ctx, parts[1])
			if err != nil {
				return err
			}
			return fn(&d.Domain.Tags)
		}
		_, err := s.mutateDomain(ctx, parts[1], func(d *domainDoc) error { return fn(&d.Domain.Tags) })
		return err
	}
	return ErrNotFound.Errorf("Invalid resource ARN specified: %s", arn)
}
