package lambda

import (
	"context"
	"net/http"
	"strings"
)

// TagResourceInput adds tags to a function.
type TagResourceInput struct {
	Resource string `rest:"uri=Resource" json:"-"`
	Tags     map[string]string
}

// UntagResourceInput removes tags.
type UntagResourceInput struct {
	Resource string   `rest:"uri=Resource" json:"-"`
	TagKeys  []string `rest:"query=tagKeys" json:"-"`
}

// ListTagsInput names a function.
type ListTagsInput struct {
	Resource string `rest:"uri=Resource" json:"-"`
}

// ListTagsOutput is a function's tags.
type ListTagsOutput struct {
	Tags map[string]string `json:"Tags"`
}

func (s *Service) tagged(ctx context.Context, arn string) (ref, error) {
	if !strings.HasPrefix(arn, "arn:") {
		return ref{}, invalid("Invalid ARN: %s", arn)
	}
	return s.parseRef(ctx, arn, "")
}

// TagResource adds or replaces tags.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*EmptyOutput, error) {
	r, err := s.tagged(ctx, in.Resource)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.cfg.Store.Function(ctx, r.account, r.name)
	if err != nil {
		return nil, s.storeErr(err, r)
	}
	if f.Tags == nil {
		f.Tags = map[string]string{}
	}
	for k, v := range in.Tags {
		f.Tags[k] = v
	}
	if len(f.Tags) > 50 {
		return nil, invalid("Number of tags exceeds resource tag limit.")
	}
	if err := s.cfg.Store.PutFunction(ctx, f); err != nil {
		return nil, s.storeErr(err, r)
	}
	return &EmptyOutput{Status: http.StatusNoContent}, nil
}

// UntagResource removes tags; tagKeys repeats in the query.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*EmptyOutput, error) {
	r, err := s.tagged(ctx, in.Resource)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.cfg.Store.Function(ctx, r.account, r.name)
	if err != nil {
		return nil, s.storeErr(err, r)
	}
	for _, k := range in.TagKeys {
		delete(f.Tags, k)
	}
	if err := s.cfg.Store.PutFunction(ctx, f); err != nil {
		return nil, s.storeErr(err, r)
	}
	return &EmptyOutput{Status: http.StatusNoContent}, nil
}

// ListTags returns a function's tags.
func (s *Service) ListTags(ctx context.Context, in *ListTagsInput) (*ListTagsOutput, error) {
	r, err := s.tagged(ctx, in.Resource)
	if err != nil {
		return nil, err
	}
	f, err := s.cfg.Store.Function(ctx, r.account, r.name)
	if err != nil {
		return nil, s.storeErr(err, r)
	}
	if f.Tags == nil {
		f.Tags = map[string]string{}
	}
	return &ListTagsOutput{Tags: f.Tags}, nil
}
