package apigatewayv2

import (
	"context"
	"strings"
)

// IntegrationInput is CreateIntegration's and UpdateIntegration's request (on update, the
// members given change).
type IntegrationInput struct {
	APIID                       string                       `rest:"uri=apiId" json:"-"`
	IntegrationID               string                       `rest:"uri=integrationId" json:"-"`
	ConnectionID                *string                      `json:"connectionId"`
	ConnectionType              *string                      `json:"connectionType"`
	ContentHandlingStrategy     *string                      `json:"contentHandlingStrategy"`
	CredentialsArn              *string                      `json:"credentialsArn"`
	Description                 *string                      `json:"description"`
	IntegrationMethod           *string                      `json:"integrationMethod"`
	IntegrationSubtype          *string                      `json:"integrationSubtype"`
	IntegrationType             *string                      `json:"integrationType"`
	IntegrationURI              *string                      `json:"integrationUri"`
	PassthroughBehavior         *string                      `json:"passthroughBehavior"`
	PayloadFormatVersion        *string                      `json:"payloadFormatVersion"`
	RequestParameters           map[string]string            `json:"requestParameters"`
	RequestTemplates            map[string]string            `json:"requestTemplates"`
	ResponseParameters          map[string]map[string]string `json:"responseParameters"`
	TemplateSelectionExpression *string                      `json:"templateSelectionExpression"`
	TimeoutInMillis             *int                         `json:"timeoutInMillis"`
}

// IntegrationOutput is an integration in an answer.
type IntegrationOutput struct {
	Integration
	Status int `rest:"status" json:"-"`
}

// IntegrationIDInput names an integration.
type IntegrationIDInput struct {
	APIID         string `rest:"uri=apiId" json:"-"`
	IntegrationID string `rest:"uri=integrationId" json:"-"`
}

// IntegrationsOutput is GetIntegrations' answer.
type IntegrationsOutput struct {
	Items     []Integration `json:"items"`
	NextToken string        `json:"nextToken,omitempty"`
}

// CreateIntegration adds an integration to an API.
func (s *Service) CreateIntegration(ctx context.Context, in *IntegrationInput) (*IntegrationOutput, error) {
	if in.IntegrationType == nil {
		return nil, badRequest("IntegrationType is required")
	}
	it := &Integration{IntegrationID: newID(7), ConnectionType: "INTERNET"}
	_, err := s.mutateAPI(ctx, in.APIID, true, func(doc *apiDoc) error {
		if err := applyIntegration(doc, it, in); err != nil {
			return err
		}
		doc.Integrations[it.IntegrationID] = it
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &IntegrationOutput{Integration: *it, Status: 201}, nil
}

// applyIntegration sets what a request gives on an integration, held to AWS's rules.
func applyIntegration(doc *apiDoc, it *Integration, in *IntegrationInput) error {
	set(&it.ConnectionID, in.ConnectionID)
	set(&it.ConnectionType, in.ConnectionType)
	set(&it.ContentHandlingStrategy, in.ContentHandlingStrategy)
	set(&it.CredentialsArn, in.CredentialsArn)
	set(&it.Description, in.Description)
	set(&it.IntegrationMethod, in.IntegrationMethod)
	set(&it.IntegrationSubtype, in.IntegrationSubtype)
	set(&it.IntegrationType, in.IntegrationType)
	set(&it.IntegrationURI, in.IntegrationURI)
	set(&it.PassthroughBehavior, in.PassthroughBehavior)
	set(&it.PayloadFormatVersion, in.PayloadFormatVersion)
	set(&it.TemplateSelectionExpression, in.TemplateSelectionExpression)
	set(&it.TimeoutInMillis, in.TimeoutInMillis)
	if in.RequestParameters != nil {
		it.RequestParameters = in.RequestParameters
	}
	if in.RequestTemplates != nil {
		it.RequestTemplates = in.RequestTemplates
	}
	if in.ResponseParameters != nil {
		it.ResponseParameters = in.ResponseParameters
	}
	if doc.API.ProtocolType == protocolHTTP {
		if err := checkMappings(it); err != nil {
			return err
		}
		return checkHTTPIntegration(it)
	}
	return checkWebSocketIntegration(it)
}

func checkHTTPIntegration(it *Integration) error {
	if it.TimeoutInMillis == 0 {
		it.TimeoutInMillis = 30000
	}
	if it.TimeoutInMillis < 50 || it.TimeoutInMillis > 30000 {
		return badRequest("Timeout must be between 50 milliseconds and 30 seconds.")
	}
	switch it.IntegrationType {
	case "AWS_PROXY":
		if it.IntegrationSubtype == "" && !strings.HasPrefix(it.IntegrationURI, "arn:") {
			return badRequest("Invalid integration URI specified: %s", it.IntegrationURI)
		}
		if it.PayloadFormatVersion != "1.0" && it.PayloadFormatVersion != "2.0" {
			return badRequest("Invalid payload format version specified. Supported values are 1.0 and 2.0")
		}
		if it.IntegrationMethod == "" {
			it.IntegrationMethod = "POST"
		}
	case "HTTP_PROXY":
		if it.PayloadFormatVersion == "" {
			it.PayloadFormatVersion = "1.0"
		}
		if it.PayloadFormatVersion != "1.0" {
			return badRequest("Invalid payload format version specified. HTTP_PROXY integrations support only 1.0")
		}
		if it.IntegrationMethod == "" {
			return badRequest("IntegrationMethod is required for HTTP_PROXY integrations")
		}
		if it.ConnectionType != "VPC_LINK" && !strings.HasPrefix(it.IntegrationURI, "http://") && !strings.HasPrefix(it.IntegrationURI, "https://") {
			return badRequest("Invalid integration URI specified: %s", it.IntegrationURI)
		}
	default:
		return badRequest("Invalid integration type specified: %s. HTTP APIs support AWS_PROXY and HTTP_PROXY", it.IntegrationType)
	}
	return nil
}

func checkWebSocketIntegration(it *Integration) error {
	if it.TimeoutInMillis == 0 {
		it.TimeoutInMillis = 29000
	}
	switch it.IntegrationType {
	case "AWS_PROXY", "AWS", "HTTP", "HTTP_PROXY", "MOCK":
	default:
		return badRequest("Invalid integration type specified: %s", it.IntegrationType)
	}
	if it.PayloadFormatVersion == "" {
		it.PayloadFormatVersion = "1.0"
	}
	if it.PayloadFormatVersion != "1.0" {
		return badRequest("WebSocket APIs support only payload format version 1.0")
	}
	if it.PassthroughBehavior == "" && it.IntegrationType != "AWS_PROXY" && it.IntegrationType != "HTTP_PROXY" {
		it.PassthroughBehavior = "WHEN_NO_MATCH"
	}
	return nil
}

// GetIntegration describes an integration.
func (s *Service) GetIntegration(ctx context.Context, in *IntegrationIDInput) (*IntegrationOutput, error) {
	doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.APIID)
	if err != nil {
		return nil, err
	}
	it := doc.Integrations[in.IntegrationID]
	if it == nil {
		return nil, notFound("Integration", callerAccount(ctx), in.IntegrationID)
	}
	return &IntegrationOutput{Integration: *it, Status: 200}, nil
}

// GetIntegrations lists an API's integrations.
func (s *Service) GetIntegrations(ctx context.Context, in *ListInput) (*IntegrationsOutput, error) {
	doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.APIID)
	if err != nil {
		return nil, err
	}
	items, next, err := page(values(doc.Integrations), in.MaxResults, in.NextToken, func(i Integration) string { return i.IntegrationID })
	if err != nil {
		return nil, err
	}
	return &IntegrationsOutput{Items: items, NextToken: next}, nil
}

// UpdateIntegration changes an integration.
func (s *Service) UpdateIntegration(ctx context.Context, in *IntegrationInput) (*IntegrationOutput, error) {
	var out Integration
	_, err := s.mutateAPI(ctx, in.APIID, true, func(doc *apiDoc) error {
		it := doc.Integrations[in.IntegrationID]
		if it == nil {
			return notFound("Integration", callerAccount(ctx), in.IntegrationID)
		}
		if it.APIGatewayManaged {
			return ErrConflict.Errorf("Cannot modify an integration managed by API Gateway")
		}
		if err := applyIntegration(doc, it, in); err != nil {
			return err
		}
		out = *it
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &IntegrationOutput{Integration: out, Status: 200}, nil
}

// DeleteIntegration removes an integration no route targets.
func (s *Service) DeleteIntegration(ctx context.Context, in *IntegrationIDInput) (*Empty, error) {
	_, err := s.mutateAPI(ctx, in.APIID, true, func(doc *apiDoc) error {
		if doc.Integrations[in.IntegrationID] == nil {
			return notFound("Integration", callerAccount(ctx), in.IntegrationID)
		}
		for _, r := range doc.Routes {
			if r.Target == "integrations/"+in.IntegrationID {
				return ErrConflict.Errorf("Cannot delete integration %s: route %s targets it", in.IntegrationID, r.RouteKey)
			}
		}
		delete(doc.Integrations, in.IntegrationID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{Status: 204}, nil
}
