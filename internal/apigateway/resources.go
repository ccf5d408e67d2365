package apigateway

import (
	"context"
	"regexp"
	"sort"
	"strings"
)

// ResourceInput names a resource.
type ResourceInput struct {
	RestAPIID  string `rest:"uri=restapi_id" json:"-"`
	ResourceID string `rest:"uri=resource_id" json:"-"`
	Embed      string `rest:"query=embed" json:"-"`
}

// CreateResourceInput is CreateResource's request.
type CreateResourceInput struct {
	RestAPIID string `rest:"uri=restapi_id" json:"-"`
	ParentID  string `rest:"uri=parent_id" json:"-"`
	PathPart  string `json:"pathPart"`
}

// ResourceOutput is a resource in an answer.
type ResourceOutput struct {
	Resource
	Status int `rest:"status" json:"-"`
}

// ResourcesInput is GetResources' request.
type ResourcesInput struct {
	RestAPIID string `rest:"uri=restapi_id" json:"-"`
	Position  string `rest:"query=position" json:"-"`
	Limit     int    `rest:"query=limit" json:"-"`
	Embed     string `rest:"query=embed" json:"-"`
}

// ResourcesOutput is GetResources' answer.
type ResourcesOutput struct {
	Items    []Resource `json:"item"`
	Position string     `json:"position,omitempty"`
}

// A path part is a literal, a {name} variable or a greedy {name+} one.
var pathPartRE = regexp.MustCompile(`^([a-zA-Z0-9._:@&=+$,;!*'()~-]+|\{[a-zA-Z0-9._-]+\+?\})$`)

func isVariable(part string) bool { return strings.HasPrefix(part, "{") }
func isGreedy(part string) bool   { return strings.HasSuffix(part, "+}") }

// CreateResource adds a child resource.
func (s *Service) CreateResource(ctx context.Context, in *CreateResourceInput) (*ResourceOutput, error) {
	if !pathPartRE.MatchString(in.PathPart) {
		return nil, badRequest("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.")
	}
	var created *Resource
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		parent, ok := doc.Resources[in.ParentID]
		if !ok {
			return notFound("Resource")
		}
		if isGreedy(parent.PathPart) {
			return badRequest("Cannot create a child of a resource with a greedy path variable: %s", parent.Path)
		}
		for _, r := range doc.Resources {
			if r.ParentID != in.ParentID {
				continue
			}
			if r.PathPart == in.PathPart {
				return ErrConflict.Errorf("Another resource with the same parent already has this name: %s", in.PathPart)
			}
			if isVariable(r.PathPart) && isVariable(in.PathPart) {
				return badRequest("A sibling (%s) of this resource already has a variable path part -- only one is allowed", r.PathPart)
			}
		}
		path := strings.TrimSuffix(parent.Path, "/") + "/" + in.PathPart
		created = &Resource{ID: newID(), ParentID: in.ParentID, PathPart: in.PathPart, Path: path}
		doc.Resources[created.ID] = created
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ResourceOutput{Resource: *created, Status: 201}, nil
}

// GetResource describes a resource.
func (s *Service) GetResource(ctx context.Context, in *ResourceInput) (*ResourceOutput, error) {
	doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.RestAPIID)
	if err != nil {
		return nil, err
	}
	r, ok := doc.Resources[in.ResourceID]
	if !ok {
		return nil, notFound("Resource")
	}
	return &ResourceOutput{Resource: *r}, nil
}

// GetResources lists a REST API's resources by path.
func (s *Service) GetResources(ctx context.Context, in *ResourcesInput) (*ResourcesOutput, error) {
	doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.RestAPIID)
	if err != nil {
		return nil, err
	}
	all := make([]Resource, 0, len(doc.Resources))
	for _, r := range doc.Resources {
		all = append(all, *r)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Path < all[j].Path })
	page, next, err := paginate(len(all), in.Position, in.Limit)
	if err != nil {
		return nil, err
	}
	return &ResourcesOutput{Items: all[page[0]:page[1]], Position: next}, nil
}

// DeleteResource removes a resource and everything under it.
func (s *Service) DeleteResource(ctx context.Context, in *ResourceInput) (*Empty, error) {
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		if _, ok := doc.Resources[in.ResourceID]; !ok {
			return notFound("Resource")
		}
		if in.ResourceID == doc.API.RootResourceID {
			return badRequest("Cannot delete root resource")
		}
		removeSubtree(doc.Resources, in.ResourceID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{Status: 202}, nil
}

func removeSubtree(rs map[string]*Resource, id string) {
	delete(rs, id)
	for cid, r := range rs {
		if r.ParentID == id {
			removeSubtree(rs, cid)
		}
	}
}
