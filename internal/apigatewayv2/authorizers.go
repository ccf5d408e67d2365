package apigatewayv2

import (
	"context"
	"strings"
)

// AuthorizerInput is CreateAuthorizer's and UpdateAuthorizer's request (on update, the members
// given change).
type AuthorizerInput struct {
	APIID                          string            `rest:"uri=apiId" json:"-"`
	AuthorizerID                   string            `rest:"uri=authorizerId" json:"-"`
	AuthorizerCredentialsArn       *string           `json:"authorizerCredentialsArn"`
	AuthorizerPayloadFormatVersion *string           `json:"authorizerPayloadFormatVersion"`
	AuthorizerResultTTLInSeconds   *int              `json:"authorizerResultTtlInSeconds"`
	AuthorizerType                 *string           `json:"authorizerType"`
	AuthorizerURI                  *string           `json:"authorizerUri"`
	EnableSimpleResponses          *bool             `json:"enableSimpleResponses"`
	IdentitySource                 []string          `json:"identitySource"`
	IdentityValidationExpression   *string           `json:"identityValidationExpression"`
	JWTConfiguration               *JWTConfiguration `json:"jwtConfiguration"`
	Name                           *string           `json:"name"`
}

// AuthorizerOutput is an authorizer in an answer.
type AuthorizerOutput struct {
	Authorizer
	Status int `rest:"status" json:"-"`
}

// AuthorizerIDInput names an authorizer.
type AuthorizerIDInput struct {
	APIID        string `rest:"uri=apiId" json:"-"`
	AuthorizerID string `rest:"uri=authorizerId" json:"-"`
}

// AuthorizersOutput is GetAuthorizers' answer.
type AuthorizersOutput struct {
	Items     []Authorizer `json:"items"`
	NextToken string       `json:"nextToken,omitempty"`
}

// CreateAuthorizer adds an authorizer to an API.
func (s *Service) CreateAuthorizer(ctx context.Context, in *AuthorizerInput) (*AuthorizerOutput, error) {
	a := &Authorizer{AuthorizerID: newID(6)}
	_, err := s.mutateAPI(ctx, in.APIID, true, func(doc *apiDoc) error {
		if err := applyAuthorizer(doc, a, in); err != nil {
			return err
		}
		doc.Authorizers[a.AuthorizerID] = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &AuthorizerOutput{Authorizer: *a, Status: 201}, nil
}

// applyAuthorizer sets what a request gives on an authorizer, held to AWS's rules.
func applyAuthorizer(doc *apiDoc, a *Authorizer, in *AuthorizerInput) error {
	set(&a.AuthorizerCredentialsArn, in.AuthorizerCredentialsArn)
	set(&a.AuthorizerPayloadFormatVersion, in.AuthorizerPayloadFormatVersion)
	set(&a.AuthorizerType, in.AuthorizerType)
	set(&a.AuthorizerURI, in.AuthorizerURI)
	set(&a.EnableSimpleResponses, in.EnableSimpleResponses)
	set(&a.IdentityValidationExpression, in.IdentityValidationExpression)
	set(&a.Name, in.Name)
	if in.AuthorizerResultTTLInSeconds != nil {
		a.AuthorizerResultTTLInSeconds = in.AuthorizerResultTTLInSeconds
	}
	if in.IdentitySource != nil {
		a.IdentitySource = in.IdentitySource
	}
	if in.JWTConfiguration != nil {
		a.JWTConfiguration = in.JWTConfiguration
	}
	if err := validateName(a.Name, "authorizer"); err != nil {
		return err
	}
	if ttl := a.AuthorizerResultTTLInSeconds; ttl != nil && (*ttl < 0 || *ttl > 3600) {
		return badRequest("AuthorizerResultTtlInSeconds must be between 0 and 3600")
	}
	for _, src := range a.IdentitySource {
		if _, err := parseIdentitySource(src); err != nil {
			return err
		}
	}
	switch a.AuthorizerType {
	case "JWT":
		if doc.API.ProtocolType != protocolHTTP {
			return badRequest("JWT authorizers are supported only for HTTP APIs")
		}
		if a.JWTConfiguration == nil || a.JWTConfiguration.Issuer == "" {
			return badRequest("JwtConfiguration with an Issuer is required for JWT authorizers")
		}
		if len(a.IdentitySource) != 1 {
			return badRequest("JWT authorizers take exactly one identity source")
		}
	case "REQUEST":
		if a.AuthorizerURI == "" || !strings.HasPrefix(a.AuthorizerURI, "arn:") {
			return badRequest("Invalid authorizer URI specified: %s", a.AuthorizerURI)
		}
		if doc.API.ProtocolType == protocolHTTP {
			if a.AuthorizerPayloadFormatVersion != "1.0" && a.AuthorizerPayloadFormatVersion != "2.0" {
				return badRequest("AuthorizerPayloadFormatVersion is required for HTTP APIs: 1.0 or 2.0")
			}
			if a.EnableSimpleResponses && a.AuthorizerPayloadFormatVersion != "2.0" {
				return badRequest("Simple responses require authorizer payload format version 2.0")
			}
		}
		if a.AuthorizerResultTTLInSeconds == nil {
			ttl := 300
			if doc.API.ProtocolType == protocolWebSocket {
				ttl = 0
			}
			a.AuthorizerResultTTLInSeconds = &ttl
		}
		if *a.AuthorizerResultTTLInSeconds > 0 && len(a.IdentitySource) == 0 {
			return badRequest("Identity sources are required when authorizer caching is enabled")
		}
	default:
		return badRequest("Invalid authorizer type specified: %s", a.AuthorizerType)
	}
	return nil
}

// GetAuthorizer describes an authorizer.
func (s *Service) GetAuthorizer(ctx context.Context, in *AuthorizerIDInput) (*AuthorizerOutput, error) {
	doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.APIID)
	if err != nil {
		return nil, err
	}
	a := doc.Authorizers[in.AuthorizerID]
	if a == nil {
		return nil, notFound("Authorizer", callerAccount(ctx), in.AuthorizerID)
	}
	return &AuthorizerOutput{Authorizer: *a, Status: 200}, nil
}

// GetAuthorizers lists an API's authorizers.
func (s *Service) GetAuthorizers(ctx context.Context, in *ListInput) (*AuthorizersOutput, error) {
	doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.APIID)
	if err != nil {
		return nil, err
	}
	items, next, err := page(values(doc.Authorizers), in.MaxResults, in.NextToken, func(a Authorizer) string { return a.AuthorizerID })
	if err != nil {
		return nil, err
	}
	return &AuthorizersOutput{Items: items, NextToken: next}, nil
}

// UpdateAuthorizer changes an authorizer.
func (s *Service) UpdateAuthorizer(ctx context.Context, in *AuthorizerInput) (*AuthorizerOutput, error) {
	var out Authorizer
	_, err := s.mutateAPI(ctx, in.APIID, true, func(doc *apiDoc) error {
		a := doc.Authorizers[in.AuthorizerID]
		if a == nil {
			return notFound("Authorizer", callerAccount(ctx), in.AuthorizerID)
		}
		if err := applyAuthorizer(doc, a, in); err != nil {
			return err
		}
		out = *a
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.authCache.dropAPI(in.APIID)
	return &AuthorizerOutput{Authorizer: out, Status: 200}, nil
}

// DeleteAuthorizer removes an authorizer no route uses.
func (s *Service) DeleteAuthorizer(ctx context.Context, in *AuthorizerIDInput) (*Empty, error) {
	_, err := s.mutateAPI(ctx, in.APIID, true, func(doc *apiDoc) error {
		if doc.Authorizers[in.AuthorizerID] == nil {
			return notFound("Authorizer", callerAccount(ctx), in.AuthorizerID)
		}
		for _, r := range doc.Routes {
			if r.AuthorizerID == in.AuthorizerID {
				return ErrConflict.Errorf("Cannot delete authorizer %s: route %s uses it", in.AuthorizerID, r.RouteKey)
			}
		}
		delete(doc.Authorizers, in.AuthorizerID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.authCache.dropAPI(in.APIID)
	return &Empty{Status: 204}, nil
}

// StageNameInput names a stage.
type StageNameInput struct {
	APIID     string `rest:"uri=apiId" json:"-"`
	StageName string `rest:"uri=stageName" json:"-"`
}

// ResetAuthorizersCache drops the cached results of a stage's Lambda authorizers (on this node;
// another node's entries expire with their TTL).
func (s *Service) ResetAuthorizersCache(ctx context.Context, in *StageNameInput) (*Empty, error) {
	doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.APIID)
	if err != nil {
		return nil, err
	}
	if doc.Stages[in.StageName] == nil {
		return nil, notFound("Stage", callerAccount(ctx), in.StageName)
	}
	s.authCache.dropAPI(in.APIID)
	return &Empty{Status: 204}, nil
}
