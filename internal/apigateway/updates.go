package apigateway

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
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

// kindAccount is an account's API Gateway settings (parent "", id "settings").
const kindAccount store.APIKind = "v1account"

// accountSettings is what UpdateAccount sets.
type accountSettings struct {
	CloudwatchRoleARN string `json:"cloudwatchRoleArn,omitempty"`
}

// GetAccount reports the account-level throttle the data plane applies and the account's
// CloudWatch role.
func (s *Service) GetAccount(ctx context.Context, _ *AccountInput) (*AccountOutput, error) {
	out := &AccountOutput{ThrottleSettings: &ThrottleSettings{BurstLimit: s.accountBurst, RateLimit: s.accountRate},
		Features: []string{"UsagePlans"}, APIKeyVersion: "4"}
	obj, err := s.store.APIObject(ctx, kindAccount, callerAccount(ctx), "", "settings")
	if errors.Is(err, store.ErrNotFound) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	var set accountSettings
	if err := json.Unmarshal(obj.Doc, &set); err != nil {
		return nil, err
	}
	out.CloudwatchRoleARN = set.CloudwatchRoleARN
	return out, nil
}

// AccountUpdateInput is UpdateAccount's request.
type AccountUpdateInput struct {
	PatchOperations []PatchOperation `json:"patchOperations"`
}

func (in *AccountUpdateInput) references(string) []service.Check {
	return patchedRoles(in.PatchOperations, "/cloudwatchRoleArn")
}

// roleARN is an IAM role's ARN.
var roleARN = regexp.MustCompile(`^arn:aws:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)

// UpdateAccount sets the account's CloudWatch role (replace /cloudwatchRoleArn; "" clears it),
// which API Gateway assumes to write logs; the only setting AWS lets an account change.
func (s *Service) UpdateAccount(ctx context.Context, in *AccountUpdateInput) (*AccountOutput, error) {
	var set accountSettings
	for _, op := range in.PatchOperations {
		if op.Op != "replace" || op.Path != "/cloudwatchRoleArn" {
			return nil, invalidPatch(op)
		}
		if op.Value != "" && !roleARN.MatchString(op.Value) {
			return nil, badRequest("The role ARN is not well formed")
		}
		set.CloudwatchRoleARN = op.Value
	}
	account := callerAccount(ctx)
	b, _ := json.Marshal(set)
	obj := store.APIObject{Kind: kindAccount, Account: account, ID: "settings", Doc: b, Created: s.now()}
	for attempt := 0; ; attempt++ {
		old, err := s.store.APIObject(ctx, kindAccount, account, "", "settings")
		switch {
		case errors.Is(err, store.ErrNotFound):
			err = s.store.CreateAPIObject(ctx, obj)
		case err == nil:
			old.Doc = b
			err = s.store.UpdateAPIObject(ctx, old, old.Version)
		}
		if err == nil {
			break
		}
		if attempt > 8 || !errors.Is(err, store.ErrExists) && !errors.Is(err, store.ErrConflict) {
			return nil, err
		}
	}
	return s.GetAccount(ctx, &AccountInput{})
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

// AuthorizerUpdateInput is UpdateAuthorizer's request.
type AuthorizerUpdateInput struct {
	RestAPIID       string           `rest:"uri=restapi_id" json:"-"`
	AuthorizerID    string           `rest:"uri=authorizer_id" json:"-"`
	PatchOperations []PatchOperation `json:"patchOperations"`
}

// UpdateAuthorizer applies patch operations to an authorizer, held to CreateAuthorizer's rules.
func (s *Service) UpdateAuthorizer(ctx context.Context, in *AuthorizerUpdateInput) (*AuthorizerOutput, error) {
	var out Authorizer
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		a := doc.Authorizers[in.AuthorizerID]
		if a == nil {
			return notFound("Authorizer")
		}
		next := *a
		for _, op := range in.PatchOperations {
			if err := patchAuthorizer(&next, op); err != nil {
				return err
			}
		}
		if err := checkAuthorizer(&next); err != nil {
			return err
		}
		*a, out = next, next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &AuthorizerOutput{Authorizer: out}, nil
}

func patchAuthorizer(a *Authorizer, op PatchOperation) error {
	if strings.HasPrefix(op.Path, "/providerARNs") {
		switch op.Op {
		case "add":
			a.ProviderARNs = append(a.ProviderARNs, op.Value)
		case "remove":
			a.ProviderARNs = slices.DeleteFunc(a.ProviderARNs, func(s string) bool { return s == op.Value })
		case "replace":
			a.ProviderARNs = strings.Split(op.Value, ",")
		default:
			return invalidPatch(op)
		}
		return nil
	}
	if op.Op != "replace" {
		return invalidPatch(op)
	}
	switch op.Path {
	case "/name":
		a.Name = op.Value
	case "/type":
		a.Type = op.Value
	case "/authType":
		a.AuthType = op.Value
	case "/authorizerUri":
		a.AuthorizerURI = op.Value
	case "/authorizerCredentials":
		a.AuthorizerCredentials = op.Value
	case "/identitySource":
		a.IdentitySource = op.Value
	case "/identityValidationExpression":
		a.IdentityValidationExpression = op.Value
	case "/authorizerResultTtlInSeconds":
		n, err := strconv.Atoi(op.Value)
		if err != nil {
			return badRequest("Invalid authorizer result TTL specified, must be between 0 and 3600")
		}
		a.AuthorizerResultTTLInSeconds = &n
	default:
		return invalidPatch(op)
	}
	return nil
}

// GatewayResponseUpdateInput is UpdateGatewayResponse's request.
type GatewayResponseUpdateInput struct {
	RestAPIID       string           `rest:"uri=restapi_id" json:"-"`
	ResponseType    string           `rest:"uri=response_type" json:"-"`
	PatchOperations []PatchOperation `json:"patchOperations"`
}

// UpdateGatewayResponse applies patch operations to a gateway response (a default one becomes
// the API's own): /statusCode, /responseParameters/<name>, /responseTemplates/<content type>.
func (s *Service) UpdateGatewayResponse(ctx context.Context, in *GatewayResponseUpdateInput) (*GatewayResponseOutput, error) {
	if _, ok := defaultStatus[in.ResponseType]; !ok {
		return nil, notFound("Gateway Response")
	}
	var out GatewayResponse
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		gr := doc.GatewayResponses[in.ResponseType]
		if gr == nil {
			d := defaultGatewayResponse(in.ResponseType)
			gr = &d
		}
		next := *gr
		next.ResponseParameters, next.ResponseTemplates = maps.Clone(gr.ResponseParameters), maps.Clone(gr.ResponseTemplates)
		for _, op := range in.PatchOperations {
			switch {
			case op.Op == "replace" && op.Path == "/statusCode":
				if !validStatus(op.Value) {
					return badRequest("Invalid status code specified")
				}
				next.StatusCode = op.Value
			case strings.HasPrefix(op.Path, "/responseParameters/"):
				next.ResponseParameters = patchMap(next.ResponseParameters, op, "/responseParameters/")
			case strings.HasPrefix(op.Path, "/responseTemplates/"):
				next.ResponseTemplates = patchMap(next.ResponseTemplates, op, "/responseTemplates/")
			default:
				return invalidPatch(op)
			}
		}
		next.DefaultResponse = false
		if doc.GatewayResponses == nil {
			doc.GatewayResponses = map[string]*GatewayResponse{}
		}
		doc.GatewayResponses[in.ResponseType], out = &next, next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &GatewayResponseOutput{GatewayResponse: out}, nil
}

// UpdateMethodResponse applies patch operations to a method response:
// /responseParameters/<name> (add "true" or "false", remove) and /responseModels/<content type>.
func (s *Service) UpdateMethodResponse(ctx context.Context, in *MethodUpdateInput) (*MethodResponseOutput, error) {
	var out MethodResponse
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		_, m, err := methodOf(doc, in.ResourceID, in.HTTPMethod)
		if err != nil {
			return err
		}
		mr := m.MethodResponses[in.StatusCode]
		if mr == nil {
			return notFound("Response")
		}
		for _, op := range in.PatchOperations {
			switch {
			case strings.HasPrefix(op.Path, "/responseParameters/") && (op.Op == "add" || op.Op == "replace" || op.Op == "remove"):
				name := unescapePatch(strings.TrimPrefix(op.Path, "/responseParameters/"))
				if op.Op == "remove" {
					delete(mr.ResponseParameters, name)
					continue
				}
				if mr.ResponseParameters == nil {
					mr.ResponseParameters = map[string]bool{}
				}
				mr.ResponseParameters[name] = op.Value == "true"
			case strings.HasPrefix(op.Path, "/responseModels/"):
				mr.ResponseModels = patchMap(mr.ResponseModels, op, "/responseModels/")
			default:
				return invalidPatch(op)
			}
		}
		out = *mr
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &MethodResponseOutput{MethodResponse: out}, nil
}
