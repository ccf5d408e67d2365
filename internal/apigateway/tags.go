package apigateway

import (
	"context"
	"encoding/json"
	"strings"
)

// TagsInput names a taggable resource by ARN and carries the tags to add or the keys to drop.
type TagsInput struct {
	ResourceARN string            `rest:"uri=resource_arn" json:"-"`
	Tags        map[string]string `json:"tags"`
	TagKeys     []string          `rest:"-" json:"-"`
}

// TagsOutput is GetTags' answer.
type TagsOutput struct {
	Tags map[string]string `json:"tags"`
}

// UntagInput is UntagResource's request.
type UntagInput struct {
	ResourceARN string `rest:"uri=resource_arn" json:"-"`
	TagKeys     string `rest:"query=tagKeys" json:"-"`
}

// tagTarget is where tags of an ARN live: REST APIs, stages and usage plans (documents), and
// API keys.
func (s *Service) editTags(ctx context.Context, arn string, fn func(map[string]string) map[string]string) (map[string]string, error) {
	_, path, ok := strings.Cut(arn, "::")
	if !ok || !strings.HasPrefix(arn, "arn:aws:apigateway:") {
		return nil, badRequest("Invalid ARN specified: %s", arn)
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	var out map[string]string
	switch {
	case len(parts) == 2 && parts[0] == "restapis":
		_, err := s.mutateAPI(ctx, parts[1], func(doc *restAPIDoc) error {
			doc.API.Tags = fn(doc.API.Tags)
			out = doc.API.Tags
			return nil
		})
		return out, err
	case len(parts) == 4 && parts[0] == "restapis" && parts[2] == "stages":
		st, err := s.mutateStage(ctx, parts[1], parts[3], func(st *Stage) error {
			st.Tags = fn(st.Tags)
			return nil
		})
		if err != nil {
			return nil, stageErr(err)
		}
		return st.Tags, nil
	case len(parts) == 2 && parts[0] == "usageplans":
		d, obj, err := s.loadPlan(ctx, parts[1])
		if err != nil {
			return nil, err
		}
		d.Plan.Tags = fn(d.Plan.Tags)
		obj.Doc, _ = json.Marshal(d)
		return d.Plan.Tags, s.store.UpdateAPIObject(ctx, obj, obj.Version)
	case len(parts) == 2 && parts[0] == "apikeys":
		k, err := s.loadKey(ctx, parts[1])
		if err != nil {
			return nil, err
		}
		wire := apiKey(k, false)
		wire.Tags = fn(wire.Tags)
		k.Doc, _ = json.Marshal(wire)
		return wire.Tags, s.store.UpdateAPIKey(ctx, k)
	}
	return nil, ErrNotFound.Errorf("Invalid resource identifier specified")
}

// GetTags lists a resource's tags.
func (s *Service) GetTags(ctx context.Context, in *TagsInput) (*TagsOutput, error) {
	tags, err := s.editTags(ctx, in.ResourceARN, func(m map[string]string) map[string]string { return m })
	if err != nil {
		return nil, err
	}
	if tags == nil {
		tags = map[string]string{}
	}
	return &TagsOutput{Tags: tags}, nil
}

// TagResource adds or replaces tags.
func (s *Service) TagResource(ctx context.Context, in *TagsInput) (*Empty, error) {
	_, err := s.editTags(ctx, in.ResourceARN, func(m map[string]string) map[string]string {
		if m == nil {
			m = map[string]string{}
		}
		for k, v := range in.Tags {
			m[k] = v
		}
		return m
	})
	if err != nil {
		return nil, err
	}
	return &Empty{Status: 204}, nil
}

// UntagResource removes tags by key.
func (s *Service) UntagResource(ctx context.Context, in *UntagInput) (*Empty, error) {
	_, err := s.editTags(ctx, in.ResourceARN, func(m map[string]string) map[string]string {
		for _, k := range strings.Split(in.TagKeys, ",") {
			delete(m, k)
		}
		return m
	})
	if err != nil {
		return nil, err
	}
	return &Empty{Status: 204}, nil
}
