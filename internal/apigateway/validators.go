package apigateway

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Every REST API starts with the models Empty and Error, as AWS creates them.
var defaultModels = []Model{
	{Name: "Empty", Description: "This is a default empty schema model", ContentType: "application/json",
		Schema: `{"$schema": "http://json-schema.org/draft-04/schema#", "title" : "Empty Schema", "type" : "object"}`},
	{Name: "Error", Description: "This is a default error schema model", ContentType: "application/json",
		Schema: `{"$schema" : "http://json-schema.org/draft-04/schema#", "title" : "Error Schema", "type" : "object", "properties" : { "message" : { "type" : "string" } }}`},
}

func withDefaultModels(doc *restAPIDoc) {
	doc.Models = map[string]*Model{}
	for _, m := range defaultModels {
		m.ID = newID()
		doc.Models[m.Name] = &m
	}
}

// ModelInput is CreateModel's request (and names a model).
type ModelInput struct {
	RestAPIID   string `rest:"uri=restapi_id" json:"-"`
	ModelName   string `rest:"uri=model_name" json:"-"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Schema      string `json:"schema"`
	ContentType string `json:"contentType"`
}

// ModelOutput is a model in an answer.
type ModelOutput struct {
	Model
	Status int `rest:"status" json:"-"`
}

// ModelsOutput is GetModels' answer.
type ModelsOutput struct {
	Items []Model `json:"item"`
}

var modelNameRE = regexp.MustCompile(`^[a-zA-Z0-9]+$`)

// CreateModel adds a model to a REST API.
func (s *Service) CreateModel(ctx context.Context, in *ModelInput) (*ModelOutput, error) {
	if !modelNameRE.MatchString(in.Name) {
		return nil, badRequest("Model name must be alphanumeric: %s", in.Name)
	}
	if in.ContentType == "" {
		return nil, badRequest("Content type must be specified")
	}
	if _, err := s.schemas.compile(in.Schema); in.Schema != "" && err != nil {
		return nil, badRequest("Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]")
	}
	m := &Model{ID: newID(), Name: in.Name, Description: in.Description, Schema: in.Schema, ContentType: in.ContentType}
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		if doc.Models[in.Name] != nil {
			return ErrConflict.Errorf("Model name already exists for this REST API")
		}
		if doc.Models == nil {
			doc.Models = map[string]*Model{}
		}
		doc.Models[in.Name] = m
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ModelOutput{Model: *m, Status: 201}, nil
}

// GetModel describes a model.
func (s *Service) GetModel(ctx context.Context, in *ModelInput) (*ModelOutput, error) {
	doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.RestAPIID)
	if err != nil {
		return nil, err
	}
	m := doc.Models[in.ModelName]
	if m == nil {
		return nil, notFound("Model")
	}
	return &ModelOutput{Model: *m}, nil
}

// GetModels lists a REST API's models by name.
func (s *Service) GetModels(ctx context.Context, in *RestAPIInput) (*ModelsOutput, error) {
	doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.RestAPIID)
	if err != nil {
		return nil, err
	}
	out := &ModelsOutput{Items: []Model{}}
	for _, m := range doc.Models {
		out.Items = append(out.Items, *m)
	}
	sort.Slice(out.Items, func(i, j int) bool { return out.Items[i].Name < out.Items[j].Name })
	return out, nil
}

// DeleteModel removes a model no method uses.
func (s *Service) DeleteModel(ctx context.Context, in *ModelInput) (*Empty, error) {
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		if doc.Models[in.ModelName] == nil {
			return notFound("Model")
		}
		for _, r := range doc.Resources {
			for _, m := range r.ResourceMethods {
				for _, name := range m.RequestModels {
					if name == in.ModelName {
						return ErrConflict.Errorf("Cannot delete model '%s', is referenced in method request: %s/%s", name, r.Path, m.HTTPMethod)
					}
				}
			}
		}
		delete(doc.Models, in.ModelName)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{Status: 202}, nil
}

// RequestValidatorInput is CreateRequestValidator's request (and names one).
type RequestValidatorInput struct {
	RestAPIID                 string `rest:"uri=restapi_id" json:"-"`
	ValidatorID               string `rest:"uri=requestvalidator_id" json:"-"`
	Name                      string `json:"name"`
	ValidateRequestBody       bool   `json:"validateRequestBody"`
	ValidateRequestParameters bool   `json:"validateRequestParameters"`
}

// RequestValidatorOutput is a request validator in an answer.
type RequestValidatorOutput struct {
	RequestValidator
	Status int `rest:"status" json:"-"`
}

// RequestValidatorsOutput is GetRequestValidators' answer.
type RequestValidatorsOutput struct {
	Items []RequestValidator `json:"item"`
}

// CreateRequestValidator adds a request validator.
func (s *Service) CreateRequestValidator(ctx context.Context, in *RequestValidatorInput) (*RequestValidatorOutput, error) {
	v := &RequestValidator{ID: newID(), Name: in.Name, ValidateRequestBody: in.ValidateRequestBody, ValidateRequestParameters: in.ValidateRequestParameters}
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		if doc.Validators == nil {
			doc.Validators = map[string]*RequestValidator{}
		}
		doc.Validators[v.ID] = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &RequestValidatorOutput{RequestValidator: *v, Status: 201}, nil
}

// GetRequestValidator describes a request validator.
func (s *Service) GetRequestValidator(ctx context.Context, in *RequestValidatorInput) (*RequestValidatorOutput, error) {
	doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.RestAPIID)
	if err != nil {
		return nil, err
	}
	v := doc.Validators[in.ValidatorID]
	if v == nil {
		return nil, notFound("Request Validator")
	}
	return &RequestValidatorOutput{RequestValidator: *v}, nil
}

// GetRequestValidators lists a REST API's request validators.
func (s *Service) GetRequestValidators(ctx context.Context, in *RestAPIInput) (*RequestValidatorsOutput, error) {
	doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.RestAPIID)
	if err != nil {
		return nil, err
	}
	out := &RequestValidatorsOutput{Items: []RequestValidator{}}
	for _, v := range doc.Validators {
		out.Items = append(out.Items, *v)
	}
	sort.Slice(out.Items, func(i, j int) bool { return out.Items[i].ID < out.Items[j].ID })
	return out, nil
}

// DeleteRequestValidator removes a request validator.
func (s *Service) DeleteRequestValidator(ctx context.Context, in *RequestValidatorInput) (*Empty, error) {
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		if doc.Validators[in.ValidatorID] == nil {
			return notFound("Request Validator")
		}
		delete(doc.Validators, in.ValidatorID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{Status: 202}, nil
}

// schemaCache holds compiled model schemas by their text.
type schemaCache struct{ m sync.Map }

func (c *schemaCache) compile(text string) (*jsonschema.Schema, error) {
	if sch, ok := c.m.Load(text); ok {
		return sch.(*jsonschema.Schema), nil
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		return nil, err
	}
	comp := jsonschema.NewCompiler()
	comp.DefaultDraft(jsonschema.Draft4)
	if err := comp.AddResource("model.json", doc); err != nil {
		return nil, err
	}
	sch, err := comp.Compile("model.json")
	if err != nil {
		return nil, err
	}
	c.m.Store(text, sch)
	return sch, nil
}

// validate applies the method's request validator: required parameters, then the body
// against the model for its content type.
func (s *Service) validate(inv *invocation) *gatewayError {
	m := inv.method
	v := inv.d.validators[m.RequestValidatorID]
	if m.RequestValidatorID == "" || v == nil {
		return nil
	}
	if v.ValidateRequestParameters {
		var missing []string
		for name, required := range m.RequestParameters {
			if val, ok := requestParameter(inv, name); required && (!ok || val == "") {
				missing = append(missing, name[strings.LastIndexByte(name, '.')+1:])
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			return &gatewayError{400, "BadRequestException", "Missing required request parameters: [" + strings.Join(missing, ", ") + "]", "BAD_REQUEST_PARAMETERS", ""}
		}
	}
	if v.ValidateRequestBody {
		name := m.RequestModels[contentType(inv.r.Header)]
		model := inv.d.models[name]
		if model == nil || model.Schema == "" {
			return nil
		}
		sch, err := s.schemas.compile(model.Schema)
		if err != nil {
			return nil
		}
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(inv.body)))
		if err != nil || sch.Validate(doc) != nil {
			return &gatewayError{400, "BadRequestException", "Invalid request body", "BAD_REQUEST_BODY", ""}
		}
	}
	return nil
}
