package apigatewayv2

import (
	"context"
	"slices"
	"strings"
)

// RouteInput is CreateRoute's and UpdateRoute's request (on update, the members given change).
type RouteInput struct {
	APIID                            string                         `rest:"uri=apiId" json:"-"`
	RouteID                          string                         `rest:"uri=routeId" json:"-"`
	APIKeyRequired                   *bool                          `json:"apiKeyRequired"`
	AuthorizationScopes              []string                       `json:"authorizationScopes"`
	AuthorizationType                *string                        `json:"authorizationType"`
	AuthorizerID                     *string                        `json:"authorizerId"`
	ModelSelectionExpression         *string                        `json:"modelSelectionExpression"`
	OperationName                    *string                        `json:"operationName"`
	RequestModels                    map[string]string              `json:"requestModels"`
	RequestParameters                map[string]ParameterConstraint `json:"requestParameters"`
	RouteKey                         *string                        `json:"routeKey"`
	RouteResponseSelectionExpression *string                        `json:"routeResponseSelectionExpression"`
	Target                           *string                        `json:"target"`
}

// RouteOutput is a route in an answer.
type RouteOutput struct {
	Route
	Status int `rest:"status" json:"-"`
}

// RouteIDInput names a route.
type RouteIDInput struct {
	APIID   string `rest:"uri=apiId" json:"-"`
	RouteID string `rest:"uri=routeId" json:"-"`
}

// RoutesOutput is GetRoutes' answer.
type RoutesOutput struct {
	Items     []Route `json:"items"`
	NextToken string  `json:"nextToken,omitempty"`
}

// CreateRoute adds a route to an API.
func (s *Service) CreateRoute(ctx context.Context, in *RouteInput) (*RouteOutput, error) {
	if in.RouteKey == nil {
		return nil, badRequest("RouteKey is required")
	}
	r := &Route{RouteID: newID(7), AuthorizationType: "NONE"}
	_, err := s.mutateAPI(ctx, in.APIID, true, func(doc *apiDoc) error {
		if err := applyRoute(doc, r, in); err != nil {
			return err
		}
		doc.Routes[r.RouteID] = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &RouteOutput{Route: *r, Status: 201}, nil
}

// applyRoute sets what a request gives on a route, held to AWS's rules for the API's protocol.
func applyRoute(doc *apiDoc, r *Route, in *RouteInput) error {
	if r.APIGatewayManaged && (in.RouteKey != nil || in.Target != nil) {
		return ErrConflict.Errorf("Cannot modify the route key or target of a route managed by API Gateway")
	}
	if in.RouteKey != nil {
		key := *in.RouteKey
		if doc.API.ProtocolType == protocolHTTP {
			if _, err := parseRouteKey(key); err != nil {
				return err
			}
		} else if strings.TrimSpace(key) == "" || len(key) > 128 {
			return badRequest("Invalid route key: %q", key)
		}
		for _, o := range doc.Routes {
			if o.RouteKey == key && o.RouteID != r.RouteID {
				return ErrConflict.Errorf("Route with key %s already exists for this API", key)
			}
		}
		r.RouteKey = key
	}
	set(&r.APIKeyRequired, in.APIKeyRequired)
	set(&r.ModelSelectionExpression, in.ModelSelectionExpression)
	set(&r.OperationName, in.OperationName)
	set(&r.RouteResponseSelectionExpression, in.RouteResponseSelectionExpression)
	set(&r.AuthorizerID, in.AuthorizerID)
	set(&r.AuthorizationType, in.AuthorizationType)
	if in.AuthorizationScopes != nil {
		r.AuthorizationScopes = in.AuthorizationScopes
	}
	if in.RequestModels != nil {
		r.RequestModels = in.RequestModels
	}
	if in.RequestParameters != nil {
		r.RequestParameters = in.RequestParameters
	}
	if in.Target != nil {
		if *in.Target != "" {
			id, ok := strings.CutPrefix(*in.Target, "integrations/")
			if !ok || doc.Integrations[id] == nil {
				return badRequest("Invalid target specified: %s", *in.Target)
			}
		}
		r.Target = *in.Target
	}
	return checkRouteAuth(doc, r)
}

// checkRouteAuth holds a route's authorization to its API's protocol and authorizers.
func checkRouteAuth(doc *apiDoc, r *Route) error {
	allowed := []string{"NONE", "AWS_IAM", "JWT", "CUSTOM"}
	if doc.API.ProtocolType == protocolWebSocket {
		allowed = []string{"NONE", "AWS_IAM", "CUSTOM"}
		if r.AuthorizationType != "NONE" && r.RouteKey != "$connect" {
			return badRequest("Currently, authorization is restricted to the $connect route only")
		}
	}
	if !slices.Contains(allowed, r.AuthorizationType) {
		return badRequest("Invalid authorization type specified: %s. Valid options are %s", r.AuthorizationType, strings.Join(allowed, ","))
	}
	switch r.AuthorizationType {
	case "JWT", "CUSTOM":
		a := doc.Authorizers[r.AuthorizerID]
		if a == nil {
			return badRequest("Invalid authorizer ID specified for route %s: %q", r.RouteKey, r.AuthorizerID)
		}
		if want := map[string]string{"JWT": "JWT", "CUSTOM": "REQUEST"}[r.AuthorizationType]; a.AuthorizerType != want {
			return badRequest("AuthorizationType %s requires an authorizer of type %s", r.AuthorizationType, want)
		}
	default:
		r.AuthorizerID = ""
	}
	if len(r.AuthorizationScopes) > 0 && r.AuthorizationType != "JWT" {
		return badRequest("Authorization scopes are supported only for JWT authorizers")
	}
	return nil
}

// GetRoute describes a route.
func (s *Service) GetRoute(ctx context.Context, in *RouteIDInput) (*RouteOutput, error) {
	doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.APIID)
	if err != nil {
		return nil, err
	}
	r := doc.Routes[in.RouteID]
	if r == nil {
		return nil, notFound("Route", callerAccount(ctx), in.RouteID)
	}
	return &RouteOutput{Route: *r, Status: 200}, nil
}

// GetRoutes lists an API's routes.
func (s *Service) GetRoutes(ctx context.Context, in *ListInput) (*RoutesOutput, error) {
	doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.APIID)
	if err != nil {
		return nil, err
	}
	items, next, err := page(values(doc.Routes), in.MaxResults, in.NextToken, func(r Route) string { return r.RouteID })
	if err != nil {
		return nil, err
	}
	return &RoutesOutput{Items: items, NextToken: next}, nil
}

// UpdateRoute changes a route.
func (s *Service) UpdateRoute(ctx context.Context, in *RouteInput) (*RouteOutput, error) {
	var out Route
	_, err := s.mutateAPI(ctx, in.APIID, true, func(doc *apiDoc) error {
		r := doc.Routes[in.RouteID]
		if r == nil {
			return notFound("Route", callerAccount(ctx), in.RouteID)
		}
		if err := applyRoute(doc, r, in); err != nil {
			return err
		}
		out = *r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &RouteOutput{Route: out, Status: 200}, nil
}

// DeleteRoute removes a route (and the stages' settings for it).
func (s *Service) DeleteRoute(ctx context.Context, in *RouteIDInput) (*Empty, error) {
	_, err := s.mutateAPI(ctx, in.APIID, true, func(doc *apiDoc) error {
		r := doc.Routes[in.RouteID]
		if r == nil {
			return notFound("Route", callerAccount(ctx), in.RouteID)
		}
		delete(doc.Routes, in.RouteID)
		for _, st := range doc.Stages {
			delete(st.RouteSettings, r.RouteKey)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{Status: 204}, nil
}
