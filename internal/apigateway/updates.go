package apigateway

import (
	"context"
	"strings"
)

// AccountOutput is GetAccount's answer: the account's API Gateway settings.
type AccountOutput struct {
	CloudwatchRoleARN string            `json:"cloudwatchRoleArn,omitempty"`
	ThrottleSettings  *ThrottleSettings `json:"throttleSettings"`
	Features          []string          `json:"features"`
	APIKeyVersion     string            `json:"apiKeyVersion"`
}

// AccountInput is GetAccount's (empty) request.
type AccountInput struct{}

// GetAccount reports the account-level throttle the data plane applies.
func (s *Service) GetAccount(ctx context.Context, _ *AccountInput) (*AccountOutput, error) {
	return &AccountOutput{ThrottleSettings: &ThrottleSettings{BurstLimit: s.accountBurst, RateLimit: s.accountRate},
		Features: []string{"UsagePlans"}, APIKeyVersion: "4"}, nil
}

// UpdateIntegrationResponse applies patch operations to an integration response.
func (s *Service) UpdateIntegrationResponse(ctx context.Context, in *MethodUpdateInput) (*IntegrationResponseOutput, error) {
	var out IntegrationResponse
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		ig, err := integrationOf(doc, in.ResourceID, in.HTTPMethod)
		if err != nil {
			return err
		}
		ir := ig.IntegrationResponses[in.StatusCode]
		if ir == nil {
			return notFound("Response")
		}
		for _, op := range in.PatchOperations {
			switch {
			case op.Op == "replace" && op.Path == "/selectionPattern":
				ir.SelectionPattern = op.Value
			case op.Op == "replace" && op.Path == "/contentHandling":
				ir.ContentHandling = op.Value
			case strings.HasPrefix(op.Path, "/responseTemplates/"):
				ir.ResponseTemplates = patchMap(ir.ResponseTemplates, op, "/responseTemplates/")
			case strings.HasPrefix(op.Path, "/responseParameters/"):
				ir.ResponseParameters = patchMap(ir.ResponseParameters, op, "/responseParameters/")
			default:
				return invalidPatch(op)
			}
		}
		out = *ir
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &IntegrationResponseOutput{IntegrationResponse: out}, nil
}

// RequestValidatorUpdateInput is UpdateRequestValidator's request.
type RequestValidatorUpdateInput struct {
	RestAPIID       string           `rest:"uri=restapi_id" json:"-"`
	ValidatorID     string           `rest:"uri=requestvalidator_id" json:"-"`
	PatchOperations []PatchOperation `json:"patchOperations"`
}

// UpdateRequestValidator applies patch operations to a request validator.
func (s *Service) UpdateRequestValidator(ctx context.Context, in *RequestValidatorUpdateInput) (*RequestValidatorOutput, error) {
	var out RequestValidator
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		v := doc.Validators[in.ValidatorID]
		if v == nil {
			return notFound("Request Validator")
		}
		for _, op := range in.PatchOperations {
			switch {
			case op.Op == "replace" && op.Path == "/name":
				v.Name = op.Value
			case op.Op == "replace" && op.Path == "/validateRequestBody":
				v.ValidateRequestBody = op.Value == "true"
			case op.Op == "replace" && op.Path == "/validateRequestParameters":
				v.ValidateRequestParameters = op.Value == "true"
			default:
				return invalidPatch(op)
			}
		}
		out = *v
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &RequestValidatorOutput{RequestValidator: out}, nil
}

// ModelUpdateInput is UpdateModel's request.
type ModelUpdateInput struct {
	RestAPIID       string           `rest:"uri=restapi_id" json:"-"`
	ModelName       string           `rest:"uri=model_name" json:"-"`
	PatchOperations []PatchOperation `json:"patchOperations"`
}

// UpdateModel applies patch operations to a model.
func (s *Service) UpdateModel(ctx context.Context, in *ModelUpdateInput) (*ModelOutput, error) {
	var out Model
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		m := doc.Models[in.ModelName]
		if m == nil {
			return notFound("Model")
		}
		for _, op := range in.PatchOperations {
			switch {
			case op.Op == "replace" && op.Path == "/schema":
				if _, err := s.schemas.compile(op.Value); err != nil {
					return badRequest("Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]")
				}
				m.Schema = op.Value
			case op.Op == "replace" && op.Path == "/description":
				m.Description = op.Value
			default:
				return invalidPatch(op)
			}
		}
		out = *m
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ModelOutput{Model: out}, nil
}
