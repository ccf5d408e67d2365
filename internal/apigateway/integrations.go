package apigateway

import (
	"context"
	"regexp"
	"strconv"
	"strings"
)

// PutIntegrationInput is PutIntegration's request.
type PutIntegrationInput struct {
	RestAPIID             string            `rest:"uri=restapi_id" json:"-"`
	ResourceID            string            `rest:"uri=resource_id" json:"-"`
	HTTPMethod            string            `rest:"uri=http_method" json:"-"`
	Type                  string            `json:"type"`
	IntegrationHTTPMethod string            `json:"httpMethod"`
	URI                   string            `json:"uri"`
	ConnectionType        string            `json:"connectionType"`
	ConnectionID          string            `json:"connectionId"`
	Credentials           string            `json:"credentials"`
	RequestParameters     map[string]string `json:"requestParameters"`
	RequestTemplates      map[string]string `json:"requestTemplates"`
	PassthroughBehavior   string            `json:"passthroughBehavior"`
	CacheNamespace        string            `json:"cacheNamespace"`
	CacheKeyParameters    []string          `json:"cacheKeyParameters"`
	ContentHandling       string            `json:"contentHandling"`
	TimeoutInMillis       *int              `json:"timeoutInMillis"`
}

// IntegrationOutput is an integration in an answer.
type IntegrationOutput struct {
	Integration
	Status int `rest:"status" json:"-"`
}

// DefaultTimeout is an integration's timeout unless it sets one (milliseconds).
const DefaultTimeout = 29000

// PutIntegration sets a method's integration.
func (s *Service) PutIntegration(ctx context.Context, in *PutIntegrationInput) (*IntegrationOutput, error) {
	ig := &Integration{Type: in.Type, HTTPMethod: in.IntegrationHTTPMethod, URI: in.URI, ConnectionType: in.ConnectionType,
		ConnectionID: in.ConnectionID, Credentials: in.Credentials, RequestParameters: in.RequestParameters,
		RequestTemplates: in.RequestTemplates, PassthroughBehavior: in.PassthroughBehavior, CacheNamespace: in.CacheNamespace,
		CacheKeyParameters: in.CacheKeyParameters, ContentHandling: in.ContentHandling, TimeoutInMillis: DefaultTimeout}
	if in.TimeoutInMillis != nil {
		ig.TimeoutInMillis = *in.TimeoutInMillis
	}
	if err := validateIntegration(ig); err != nil {
		return nil, err
	}
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		r, m, err := methodOf(doc, in.ResourceID, in.HTTPMethod)
		if err != nil {
			return err
		}
		if ig.CacheNamespace == "" {
			ig.CacheNamespace = r.ID
		}
		m.MethodIntegration = ig
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &IntegrationOutput{Integration: *ig, Status: 201}, nil
}

var lambdaURIRE = regexp.MustCompile(`^arn:aws:apigateway:[a-z0-9-]+:lambda:path/2015-03-31/functions/(arn:aws:lambda:[^/]+)/invocations$`)

// validateIntegration holds an integration to AWS's rules and fills in its defaults.
func validateIntegration(ig *Integration) error {
	switch ig.Type {
	case "MOCK":
	case "HTTP", "HTTP_PROXY", "AWS", "AWS_PROXY":
		if ig.HTTPMethod == "" {
			return badRequest("Enumeration value for HttpMethod must be non-empty")
		}
		if ig.URI == "" {
			return badRequest("Invalid integration URI specified")
		}
	default:
		return badRequest("Invalid integration type specified. Valid options are AWS, AWS_PROXY, HTTP, HTTP_PROXY, MOCK")
	}
	switch ig.Type {
	case "HTTP", "HTTP_PROXY":
		if !strings.HasPrefix(ig.URI, "http://") && !strings.HasPrefix(ig.URI, "https://") {
			return badRequest("Invalid HTTP endpoint specified for URI")
		}
	case "AWS", "AWS_PROXY":
		if !strings.HasPrefix(ig.URI, "arn:aws:apigateway:") {
			return badRequest("AWS ARN for integration must contain path or action")
		}
		if ig.Type == "AWS_PROXY" && !lambdaURIRE.MatchString(ig.URI) {
			return badRequest("Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.")
		}
	}
	if ig.TimeoutInMillis < 50 || ig.TimeoutInMillis > DefaultTimeout {
		return badRequest("Timeout should be between 50 ms and 29000 ms")
	}
	if ig.PassthroughBehavior == "" {
		ig.PassthroughBehavior = "WHEN_NO_MATCH"
	}
	switch ig.PassthroughBehavior {
	case "WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER":
	default:
		return badRequest("Invalid passthrough behavior specified. Valid options are WHEN_NO_MATCH, WHEN_NO_TEMPLATES, NEVER")
	}
	if ig.CacheKeyParameters == nil {
		ig.CacheKeyParameters = []string{}
	}
	return nil
}

// integrationOf finds a method's integration.
func integrationOf(doc *restAPIDoc, resourceID, verb string) (*Integration, error) {
	_, m, err := methodOf(doc, resourceID, verb)
	if err != nil {
		return nil, err
	}
	if m.MethodIntegration == nil {
		return nil, notFound("Integration")
	}
	return m.MethodIntegration, nil
}

// GetIntegration describes a method's integration.
func (s *Service) GetIntegration(ctx context.Context, in *MethodInput) (*IntegrationOutput, error) {
	doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.RestAPIID)
	if err != nil {
		return nil, err
	}
	ig, err := integrationOf(doc, in.ResourceID, in.HTTPMethod)
	if err != nil {
		return nil, err
	}
	return &IntegrationOutput{Integration: *ig}, nil
}

// UpdateIntegration applies patch operations to an integration.
func (s *Service) UpdateIntegration(ctx context.Context, in *MethodUpdateInput) (*IntegrationOutput, error) {
	var out Integration
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		ig, err := integrationOf(doc, in.ResourceID, in.HTTPMethod)
		if err != nil {
			return err
		}
		next := *ig
		for _, op := range in.PatchOperations {
			if err := patchIntegration(&next, op); err != nil {
				return err
			}
		}
		if err := validateIntegration(&next); err != nil {
			return err
		}
		*ig, out = next, next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &IntegrationOutput{Integration: out}, nil
}

func patchIntegration(ig *Integration, op PatchOperation) error {
	switch {
	case op.Op == "replace" && op.Path == "/uri":
		ig.URI = op.Value
	case op.Op == "replace" && op.Path == "/httpMethod":
		ig.HTTPMethod = op.Value
	case op.Op == "replace" && op.Path == "/passthroughBehavior":
		ig.PassthroughBehavior = op.Value
	case op.Op == "replace" && op.Path == "/credentials":
		ig.Credentials = op.Value
	case op.Op == "replace" && op.Path == "/timeoutInMillis":
		n, err := strconv.Atoi(op.Value)
		if err != nil {
			return badRequest("Invalid timeout specified")
		}
		ig.TimeoutInMillis = n
	case strings.HasPrefix(op.Path, "/requestTemplates/"):
		ig.RequestTemplates = patchMap(ig.RequestTemplates, op, "/requestTemplates/")
	case strings.HasPrefix(op.Path, "/requestParameters/"):
		ig.RequestParameters = patchMap(ig.RequestParameters, op, "/requestParameters/")
	default:
		return invalidPatch(op)
	}
	return nil
}

// patchMap applies add, replace or remove on one entry of a string map.
func patchMap(m map[string]string, op PatchOperation, prefix string) map[string]string {
	key := unescapePatch(op.Path[len(prefix):])
	if op.Op == "remove" {
		delete(m, key)
		return m
	}
	if m == nil {
		m = map[string]string{}
	}
	m[key] = op.Value
	return m
}

// DeleteIntegration removes a method's integration.
func (s *Service) DeleteIntegration(ctx context.Context, in *MethodInput) (*Empty, error) {
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		_, m, err := methodOf(doc, in.ResourceID, in.HTTPMethod)
		if err != nil {
			return err
		}
		if m.MethodIntegration == nil {
			return notFound("Integration")
		}
		m.MethodIntegration = nil
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{Status: 204}, nil
}

// IntegrationResponseInput is PutIntegrationResponse's request (and names one).
type IntegrationResponseInput struct {
	RestAPIID          string            `rest:"uri=restapi_id" json:"-"`
	ResourceID         string            `rest:"uri=resource_id" json:"-"`
	HTTPMethod         string            `rest:"uri=http_method" json:"-"`
	StatusCode         string            `rest:"uri=status_code" json:"-"`
	SelectionPattern   string            `json:"selectionPattern"`
	ResponseParameters map[string]string `json:"responseParameters"`
	ResponseTemplates  map[string]string `json:"responseTemplates"`
	ContentHandling    string            `json:"contentHandling"`
}

// IntegrationResponseOutput is an integration response in an answer.
type IntegrationResponseOutput struct {
	IntegrationResponse
	Status int `rest:"status" json:"-"`
}

// PutIntegrationResponse maps an integration's answers to a method response.
func (s *Service) PutIntegrationResponse(ctx context.Context, in *IntegrationResponseInput) (*IntegrationResponseOutput, error) {
	if !validStatus(in.StatusCode) {
		return nil, badRequest("Invalid status code specified")
	}
	if in.SelectionPattern != "" {
		if _, err := regexp.Compile(in.SelectionPattern); err != nil {
			return nil, badRequest("Invalid selection pattern specified: %s", in.SelectionPattern)
		}
	}
	ir := &IntegrationResponse{StatusCode: in.StatusCode, SelectionPattern: in.SelectionPattern,
		ResponseParameters: in.ResponseParameters, ResponseTemplates: in.ResponseTemplates, ContentHandling: in.ContentHandling}
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		_, m, err := methodOf(doc, in.ResourceID, in.HTTPMethod)
		if err != nil {
			return err
		}
		if _, ok := m.MethodResponses[in.StatusCode]; !ok {
			return notFound("Response")
		}
		if m.MethodIntegration == nil {
			return notFound("Integration")
		}
		if m.MethodIntegration.IntegrationResponses == nil {
			m.MethodIntegration.IntegrationResponses = map[string]*IntegrationResponse{}
		}
		m.MethodIntegration.IntegrationResponses[in.StatusCode] = ir
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &IntegrationResponseOutput{IntegrationResponse: *ir, Status: 201}, nil
}

// GetIntegrationResponse describes an integration response.
func (s *Service) GetIntegrationResponse(ctx context.Context, in *IntegrationResponseInput) (*IntegrationResponseOutput, error) {
	doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.RestAPIID)
	if err != nil {
		return nil, err
	}
	ig, err := integrationOf(doc, in.ResourceID, in.HTTPMethod)
	if err != nil {
		return nil, err
	}
	ir, ok := ig.IntegrationResponses[in.StatusCode]
	if !ok {
		return nil, notFound("Response")
	}
	return &IntegrationResponseOutput{IntegrationResponse: *ir}, nil
}

// DeleteIntegrationResponse removes an integration response.
func (s *Service) DeleteIntegrationResponse(ctx context.Context, in *IntegrationResponseInput) (*Empty, error) {
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		ig, err := integrationOf(doc, in.ResourceID, in.HTTPMethod)
		if err != nil {
			return err
		}
		if _, ok := ig.IntegrationResponses[in.StatusCode]; !ok {
			return notFound("Response")
		}
		delete(ig.IntegrationResponses, in.StatusCode)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{Status: 204}, nil
}
