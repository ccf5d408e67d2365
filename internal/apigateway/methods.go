package apigateway

import (
	"context"
	"strconv"
	"strings"
)

// MethodInput names a method.
type MethodInput struct {
	RestAPIID  string `rest:"uri=restapi_id" json:"-"`
	ResourceID string `rest:"uri=resource_id" json:"-"`
	HTTPMethod string `rest:"uri=http_method" json:"-"`
}

// PutMethodInput is PutMethod's request.
type PutMethodInput struct {
	RestAPIID           string            `rest:"uri=restapi_id" json:"-"`
	ResourceID          string            `rest:"uri=resource_id" json:"-"`
	HTTPMethod          string            `rest:"uri=http_method" json:"-"`
	AuthorizationType   string            `json:"authorizationType"`
	AuthorizerID        string            `json:"authorizerId"`
	APIKeyRequired      bool              `json:"apiKeyRequired"`
	OperationName       string            `json:"operationName"`
	RequestParameters   map[string]bool   `json:"requestParameters"`
	RequestModels       map[string]string `json:"requestModels"`
	RequestValidatorID  string            `json:"requestValidatorId"`
	AuthorizationScopes []string          `json:"authorizationScopes"`
}

// MethodOutput is a method in an answer.
type MethodOutput struct {
	Method
	Status int `rest:"status" json:"-"`
}

// MethodUpdateInput is an Update call on a method or what hangs under it.
type MethodUpdateInput struct {
	RestAPIID       string           `rest:"uri=restapi_id" json:"-"`
	ResourceID      string           `rest:"uri=resource_id" json:"-"`
	HTTPMethod      string           `rest:"uri=http_method" json:"-"`
	StatusCode      string           `rest:"uri=status_code" json:"-"`
	PatchOperations []PatchOperation `json:"patchOperations"`
}

var httpMethods = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "HEAD": true, "OPTIONS": true, "ANY": true}

// methodOf finds a method of a resource in a REST API's document.
func methodOf(doc *restAPIDoc, resourceID, verb string) (*Resource, *Method, error) {
	r, ok := doc.Resources[resourceID]
	if !ok {
		return nil, nil, notFound("Resource")
	}
	m, ok := r.ResourceMethods[verb]
	if !ok {
		return r, nil, notFound("Method")
	}
	return r, m, nil
}

// PutMethod adds a method to a resource.
func (s *Service) PutMethod(ctx context.Context, in *PutMethodInput) (*MethodOutput, error) {
	if !httpMethods[in.HTTPMethod] {
		return nil, badRequest("Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY")
	}
	switch in.AuthorizationType {
	case "NONE", "AWS_IAM", "COGNITO_USER_POOLS":
	case "CUSTOM":
		if in.AuthorizerID == "" {
			return nil, badRequest("Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.")
		}
	default:
		return nil, badRequest("Invalid authorization type specified. Valid options are NONE,AWS_IAM,CUSTOM,COGNITO_USER_POOLS")
	}
	m := &Method{HTTPMethod: in.HTTPMethod, AuthorizationType: in.AuthorizationType, AuthorizerID: in.AuthorizerID,
		APIKeyRequired: in.APIKeyRequired, OperationName: in.OperationName, RequestParameters: in.RequestParameters,
		RequestModels: in.RequestModels, RequestValidatorID: in.RequestValidatorID, AuthorizationScopes: in.AuthorizationScopes}
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		r, _, err := methodOf(doc, in.ResourceID, in.HTTPMethod)
		if r == nil {
			return err
		}
		if _, ok := r.ResourceMethods[in.HTTPMethod]; ok {
			return ErrConflict.Errorf("Method already exists for this resource")
		}
		if r.ResourceMethods == nil {
			r.ResourceMethods = map[string]*Method{}
		}
		r.ResourceMethods[in.HTTPMethod] = m
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &MethodOutput{Method: *m, Status: 201}, nil
}

// GetMethod describes a method with its integration.
func (s *Service) GetMethod(ctx context.Context, in *MethodInput) (*MethodOutput, error) {
	doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.RestAPIID)
	if err != nil {
		return nil, err
	}
	_, m, err := methodOf(doc, in.ResourceID, in.HTTPMethod)
	if err != nil {
		return nil, err
	}
	return &MethodOutput{Method: *m}, nil
}

// UpdateMethod applies patch operations to a method.
func (s *Service) UpdateMethod(ctx context.Context, in *MethodUpdateInput) (*MethodOutput, error) {
	var out Method
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		_, m, err := methodOf(doc, in.ResourceID, in.HTTPMethod)
		if err != nil {
			return err
		}
		for _, op := range in.PatchOperations {
			if err := patchMethod(m, op); err != nil {
				return err
			}
		}
		out = *m
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &MethodOutput{Method: out}, nil
}

func patchMethod(m *Method, op PatchOperation) error {
	switch {
	case op.Op == "replace" && op.Path == "/apiKeyRequired":
		m.APIKeyRequired = op.Value == "true"
	case op.Op == "replace" && op.Path == "/authorizationType":
		m.AuthorizationType = op.Value
	case op.Op == "replace" && op.Path == "/authorizerId":
		m.AuthorizerID = op.Value
	case op.Op == "replace" && op.Path == "/operationName":
		m.OperationName = op.Value
	case op.Op == "replace" && op.Path == "/requestValidatorId":
		m.RequestValidatorID = op.Value
	case strings.HasPrefix(op.Path, "/requestParameters/"):
		name := unescapePatch(op.Path[len("/requestParameters/"):])
		if op.Op == "remove" {
			delete(m.RequestParameters, name)
			break
		}
		if m.RequestParameters == nil {
			m.RequestParameters = map[string]bool{}
		}
		m.RequestParameters[name] = op.Value == "true"
	default:
		return invalidPatch(op)
	}
	return nil
}

// DeleteMethod removes a method.
func (s *Service) DeleteMethod(ctx context.Context, in *MethodInput) (*Empty, error) {
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		r, _, err := methodOf(doc, in.ResourceID, in.HTTPMethod)
		if err != nil {
			return err
		}
		delete(r.ResourceMethods, in.HTTPMethod)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{Status: 204}, nil
}

// MethodResponseInput is PutMethodResponse's request (and names one).
type MethodResponseInput struct {
	RestAPIID          string            `rest:"uri=restapi_id" json:"-"`
	ResourceID         string            `rest:"uri=resource_id" json:"-"`
	HTTPMethod         string            `rest:"uri=http_method" json:"-"`
	StatusCode         string            `rest:"uri=status_code" json:"-"`
	ResponseParameters map[string]bool   `json:"responseParameters"`
	ResponseModels     map[string]string `json:"responseModels"`
}

// MethodResponseOutput is a method response in an answer.
type MethodResponseOutput struct {
	MethodResponse
	Status int `rest:"status" json:"-"`
}

func validStatus(code string) bool {
	n, err := strconv.Atoi(code)
	return err == nil && len(code) == 3 && n >= 100 && n <= 599
}

// PutMethodResponse declares a status a method answers.
func (s *Service) PutMethodResponse(ctx context.Context, in *MethodResponseInput) (*MethodResponseOutput, error) {
	if !validStatus(in.StatusCode) {
		return nil, badRequest("Invalid status code specified")
	}
	mr := &MethodResponse{StatusCode: in.StatusCode, ResponseParameters: in.ResponseParameters, ResponseModels: in.ResponseModels}
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		_, m, err := methodOf(doc, in.ResourceID, in.HTTPMethod)
		if err != nil {
			return err
		}
		if m.MethodResponses == nil {
			m.MethodResponses = map[string]*MethodResponse{}
		}
		m.MethodResponses[in.StatusCode] = mr
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &MethodResponseOutput{MethodResponse: *mr, Status: 201}, nil
}

// GetMethodResponse describes a method response.
func (s *Service) GetMethodResponse(ctx context.Context, in *MethodResponseInput) (*MethodResponseOutput, error) {
	doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.RestAPIID)
	if err != nil {
		return nil, err
	}
	_, m, err := methodOf(doc, in.ResourceID, in.HTTPMethod)
	if err != nil {
		return nil, err
	}
	mr, ok := m.MethodResponses[in.StatusCode]
	if !ok {
		return nil, notFound("Response")
	}
	return &MethodResponseOutput{MethodResponse: *mr}, nil
}

// DeleteMethodResponse removes a method response.
func (s *Service) DeleteMethodResponse(ctx context.Context, in *MethodResponseInput) (*Empty, error) {
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		_, m, err := methodOf(doc, in.ResourceID, in.HTTPMethod)
		if err != nil {
			return err
		}
		if _, ok := m.MethodResponses[in.StatusCode]; !ok {
			return notFound("Response")
		}
		delete(m.MethodResponses, in.StatusCode)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{Status: 204}, nil
}
