package apigateway

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/store"
)

// CreateRestApiInput is CreateRestApi's request.
type CreateRestApiInput struct {
	Name                      string                 `json:"name"`
	Description               string                 `json:"description"`
	Version                   string                 `json:"version"`
	CloneFrom                 string                 `json:"cloneFrom"`
	BinaryMediaTypes          []string               `json:"binaryMediaTypes"`
	MinimumCompressionSize    *int                   `json:"minimumCompressionSize"`
	APIKeySource              string                 `json:"apiKeySource"`
	EndpointConfiguration     *EndpointConfiguration `json:"endpointConfiguration"`
	Policy                    string                 `json:"policy"`
	Tags                      map[string]string      `json:"tags"`
	DisableExecuteAPIEndpoint bool                   `json:"disableExecuteApiEndpoint"`
}

// RestAPIOutput is a REST API in an answer.
type RestAPIOutput struct {
	RestAPI
	Status int `rest:"status" json:"-"`
}

// RestAPIInput names a REST API.
type RestAPIInput struct {
	RestAPIID string `rest:"uri=restapi_id" json:"-"`
}

// UpdateInput is an Update call's patch operations on the object its path names.
type UpdateInput struct {
	RestAPIID       string           `rest:"uri=restapi_id" json:"-"`
	PatchOperations []PatchOperation `json:"patchOperations"`
}

// ListInput is a list call's paging.
type ListInput struct {
	Position string `rest:"query=position" json:"-"`
	Limit    int    `rest:"query=limit" json:"-"`
}

// RestAPIsOutput is GetRestApis' answer.
type RestAPIsOutput struct {
	Items    []RestAPI `json:"item"`
	Position string    `json:"position,omitempty"`
}

// Empty is an answer without a body, with its status.
type Empty struct {
	Status int `rest:"status" json:"-" xml:"-"`
}

// CreateRestApi creates a REST API with its root resource.
func (s *Service) CreateRestApi(ctx context.Context, in *CreateRestApiInput) (*RestAPIOutput, error) {
	if strings.TrimSpace(in.Name) == "" {
		return nil, badRequest("Invalid REST API name specified")
	}
	api := RestAPI{ID: newID(), Name: in.Name, Description: in.Description, Version: in.Version, CreatedDate: s.now().Unix(),
		BinaryMediaTypes: in.BinaryMediaTypes, MinimumCompressionSize: in.MinimumCompressionSize, APIKeySource: in.APIKeySource,
		EndpointConfiguration: in.EndpointConfiguration, Policy: in.Policy, Tags: in.Tags,
		DisableExecuteAPIEndpoint: in.DisableExecuteAPIEndpoint, RootResourceID: newID()}
	if api.APIKeySource == "" {
		api.APIKeySource = "HEADER"
	}
	if api.EndpointConfiguration == nil || len(api.EndpointConfiguration.Types) == 0 {
		api.EndpointConfiguration = &EndpointConfiguration{Types: []string{"EDGE"}, VpcEndpointIDs: endpointIDs(in.EndpointConfiguration)}
	}
	if err := s.validateRestAPI(ctx, &api); err != nil {
		return nil, err
	}
	doc := restAPIDoc{API: api, Resources: map[string]*Resource{api.RootResourceID: {ID: api.RootResourceID, Path: "/"}}}
	withDefaultModels(&doc)
	if in.CloneFrom != "" {
		src, _, err := s.loadAPI(ctx, callerAccount(ctx), in.CloneFrom)
		if err != nil {
			return nil, err
		}
		doc.Resources, doc.API.RootResourceID = src.Resources, src.API.RootResourceID
	}
	b, _ := json.Marshal(doc)
	err := s.store.CreateAPIObject(ctx, store.APIObject{Kind: store.KindRestAPI, Account: callerAccount(ctx), ID: api.ID, Doc: b, Created: s.now()})
	if err != nil {
		return nil, err
	}
	return &RestAPIOutput{RestAPI: doc.API, Status: 201}, nil
}

func endpointIDs(c *EndpointConfiguration) []string {
	if c == nil {
		return nil
	}
	return c.VpcEndpointIDs
}

// validateRestAPI holds a REST API's settings to AWS's rules, and expands its resource policy's
// shorthand resources.
func (s *Service) validateRestAPI(ctx context.Context, api *RestAPI) error {
	if api.APIKeySource != "HEADER" && api.APIKeySource != "AUTHORIZER" {
		return badRequest("Invalid apiKeySource specified: %s", api.APIKeySource)
	}
	ec := api.EndpointConfiguration
	if len(ec.Types) != 1 {
		return badRequest("Cannot create an api with multiple Endpoint Types.")
	}
	switch ec.Types[0] {
	case "EDGE", "REGIONAL", "PRIVATE":
	default:
		return badRequest("Invalid endpoint type specified: %s", ec.Types[0])
	}
	if len(ec.VpcEndpointIDs) > 0 && ec.Types[0] != "PRIVATE" {
		return badRequest("VPC endpoint IDs can only be associated with a PRIVATE REST API.")
	}
	if m := api.MinimumCompressionSize; m != nil && (*m < 0 || *m > 10485760) {
		return badRequest("Invalid minimum compression size, must be between 0 and 10485760")
	}
	doc, err := normalizePolicy(api.Policy, s.region, callerAccount(ctx), api.ID)
	if err != nil {
		return err
	}
	api.Policy = doc
	return nil
}

// loadAPI reads a REST API's document and the version it is at.
func (s *Service) loadAPI(ctx context.Context, account, id string) (*restAPIDoc, store.APIObject, error) {
	obj, err := s.store.APIObject(ctx, store.KindRestAPI, account, "", id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, obj, ErrNotFound.Errorf("Invalid API identifier specified %s:%s", account, id)
	}
	if err != nil {
		return nil, obj, err
	}
	var doc restAPIDoc
	if err := json.Unmarshal(obj.Doc, &doc); err != nil {
		return nil, obj, err
	}
	return &doc, obj, nil
}

// mutateAPI changes a REST API's document with fn and stores it, retrying fn on a concurrent
// change; a change that keeps losing is ConflictException.
func (s *Service) mutateAPI(ctx context.Context, id string, fn func(doc *restAPIDoc) error) (*restAPIDoc, error) {
	account := callerAccount(ctx)
	for attempt := 0; ; attempt++ {
		doc, obj, err := s.loadAPI(ctx, account, id)
		if err != nil {
			return nil, err
		}
		if err := fn(doc); err != nil {
			return nil, err
		}
		obj.Doc, _ = json.Marshal(doc)
		err = s.store.UpdateAPIObject(ctx, obj, obj.Version)
		switch {
		case err == nil:
			s.routes.drop(id)
			return doc, nil
		case errors.Is(err, store.ErrConflict) && attempt < 8:
			continue
		case errors.Is(err, store.ErrConflict):
			return nil, ErrConflict.Errorf("Unable to complete operation due to concurrent modification. Please try again later.")
		case errors.Is(err, store.ErrNotFound):
			return nil, ErrNotFound.Errorf("Invalid API identifier specified %s:%s", account, id)
		}
		return nil, err
	}
}

// GetRestApi describes a REST API.
func (s *Service) GetRestApi(ctx context.Context, in *RestAPIInput) (*RestAPIOutput, error) {
	doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.RestAPIID)
	if err != nil {
		return nil, err
	}
	return &RestAPIOutput{RestAPI: doc.API}, nil
}

// GetRestApis lists the account's REST APIs.
func (s *Service) GetRestApis(ctx context.Context, in *ListInput) (*RestAPIsOutput, error) {
	objs, err := s.store.APIObjects(ctx, store.KindRestAPI, callerAccount(ctx), "")
	if err != nil {
		return nil, err
	}
	out := &RestAPIsOutput{Items: []RestAPI{}}
	page, next, err := paginate(len(objs), in.Position, in.Limit)
	if err != nil {
		return nil, err
	}
	for _, o := range objs[page[0]:page[1]] {
		var doc restAPIDoc
		if json.Unmarshal(o.Doc, &doc) == nil {
			out.Items = append(out.Items, doc.API)
		}
	}
	out.Position = next
	return out, nil
}

// paginate is the [start, end) of a page of n items from position (an index) with limit
// (default 25, at most 500), and the next page's position.
func paginate(n int, position string, limit int) ([2]int, string, error) {
	start := 0
	if position != "" {
		p, err := strconv.Atoi(position)
		if err != nil || p < 0 {
			return [2]int{}, "", badRequest("Invalid position parameter")
		}
		start = min(p, n)
	}
	if limit <= 0 {
		limit = 25
	}
	if limit > 500 {
		return [2]int{}, "", badRequest("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 500", limit)
	}
	end := min(start+limit, n)
	next := ""
	if end < n {
		next = strconv.Itoa(end)
	}
	return [2]int{start, end}, next, nil
}

// UpdateRestApi applies patch operations to a REST API's settings.
func (s *Service) UpdateRestApi(ctx context.Context, in *UpdateInput) (*RestAPIOutput, error) {
	doc, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		api := doc.API
		api.EndpointConfiguration = &EndpointConfiguration{}
		if c := doc.API.EndpointConfiguration; c != nil {
			*api.EndpointConfiguration = *c
		}
		for _, op := range in.PatchOperations {
			if err := patchRestAPI(&api, op); err != nil {
				return err
			}
		}
		if err := s.validateRestAPI(ctx, &api); err != nil {
			return err
		}
		doc.API = api
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &RestAPIOutput{RestAPI: doc.API}, nil
}

// patchRestAPI applies one patch operation to a REST API, on the paths AWS documents for it.
func patchRestAPI(api *RestAPI, op PatchOperation) error {
	path := op.Path
	switch {
	case op.Op == "replace" && path == "/name":
		api.Name = op.Value
	case op.Op == "replace" && path == "/description":
		api.Description = op.Value
	case op.Op == "replace" && path == "/version":
		api.Version = op.Value
	case op.Op == "replace" && path == "/apiKeySource":
		api.APIKeySource = op.Value
	case op.Op == "replace" && path == "/policy":
		api.Policy = op.Value
	case op.Op == "replace" && path == "/disableExecuteApiEndpoint":
		api.DisableExecuteAPIEndpoint = op.Value == "true"
	case op.Op == "replace" && path == "/minimumCompressionSize":
		if op.Value == "" {
			api.MinimumCompressionSize = nil
			break
		}
		n, err := strconv.Atoi(op.Value)
		if err != nil {
			return badRequest("Invalid minimum compression size, must be between 0 and 10485760")
		}
		api.MinimumCompressionSize = &n
	case strings.HasPrefix(path, "/binaryMediaTypes/"):
		mt := unescapePatch(path[len("/binaryMediaTypes/"):])
		api.BinaryMediaTypes = slices.DeleteFunc(api.BinaryMediaTypes, func(s string) bool { return s == mt })
		if op.Op == "add" {
			api.BinaryMediaTypes = append(api.BinaryMediaTypes, mt)
		} else if op.Op == "replace" {
			api.BinaryMediaTypes = append(api.BinaryMediaTypes, unescapePatch(op.Value))
		}
	case op.Op == "replace" && path == "/endpointConfiguration/types/0":
		api.EndpointConfiguration.Types = []string{op.Value}
		if op.Value != "PRIVATE" {
			api.EndpointConfiguration.VpcEndpointIDs = nil
		}
	case path == "/endpointConfiguration/vpcEndpointIds":
		ids := slices.DeleteFunc(api.EndpointConfiguration.VpcEndpointIDs, func(s string) bool { return s == op.Value })
		if op.Op == "add" || op.Op == "replace" {
			ids = append(ids, op.Value)
		}
		api.EndpointConfiguration.VpcEndpointIDs = ids
	default:
		return invalidPatch(op)
	}
	return nil
}

func invalidPatch(op PatchOperation) error {
	return badRequest("Invalid patch path '%s' specified for op '%s'. Please choose supported operations", op.Path, op.Op)
}

// unescapePatch decodes JSON Pointer escapes (~1 is "/", ~0 is "~").
func unescapePatch(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

// DeleteRestApi removes a REST API with its deployments and stages.
func (s *Service) DeleteRestApi(ctx context.Context, in *RestAPIInput) (*Empty, error) {
	account := callerAccount(ctx)
	err := s.store.DeleteAPIObject(ctx, store.KindRestAPI, account, "", in.RestAPIID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound.Errorf("Invalid API identifier specified %s:%s", account, in.RestAPIID)
	}
	if err != nil {
		return nil, err
	}
	s.routes.drop(in.RestAPIID)
	return &Empty{Status: 202}, nil
}
