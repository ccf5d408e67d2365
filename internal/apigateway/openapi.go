package apigateway

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gureum/gureum/internal/store"
)

// OpenAPI 3 and Swagger 2 definitions with API Gateway's x-amazon-apigateway-* extensions, in
// and out: ImportRestApi, PutRestApi (merge or overwrite) and GetExport.

// oaDoc is the part of an OpenAPI or Swagger document the import reads.
type oaDoc struct {
	Swagger  string                     `json:"swagger,omitempty" yaml:"swagger,omitempty"`
	OpenAPI  string                     `json:"openapi,omitempty" yaml:"openapi,omitempty"`
	Info     map[string]any             `json:"info" yaml:"info"`
	Paths    map[string]map[string]oaOp `json:"paths" yaml:"paths"`
	Security map[string]map[string]any  `json:"securityDefinitions,omitempty" yaml:"securityDefinitions,omitempty"`
	Comps    *struct {
		SecuritySchemes map[string]map[string]any `json:"securitySchemes" yaml:"securitySchemes"`
	} `json:"components,omitempty" yaml:"components,omitempty"`
	KeySrc string   `json:"x-amazon-apigateway-api-key-source,omitempty" yaml:"x-amazon-apigateway-api-key-source,omitempty"`
	Binary []string `json:"x-amazon-apigateway-binary-media-types,omitempty" yaml:"x-amazon-apigateway-binary-media-types,omitempty"`
	Policy any      `json:"x-amazon-apigateway-policy,omitempty" yaml:"x-amazon-apigateway-policy,omitempty"`
}

type oaOp struct {
	OperationID string                `json:"operationId,omitempty" yaml:"operationId,omitempty"`
	Parameters  []oaParam             `json:"parameters,omitempty" yaml:"parameters,omitempty"`
	Responses   map[string]any        `json:"responses,omitempty" yaml:"responses,omitempty"`
	Security    []map[string][]string `json:"security,omitempty" yaml:"security,omitempty"`
	Integration *oaIntegration        `json:"x-amazon-apigateway-integration,omitempty" yaml:"x-amazon-apigateway-integration,omitempty"`
}

type oaParam struct {
	Name     string `json:"name" yaml:"name"`
	In       string `json:"in" yaml:"in"`
	Required bool   `json:"required,omitempty" yaml:"required,omitempty"`
}

type oaIntegration struct {
	Type                string                   `json:"type" yaml:"type"`
	HTTPMethod          string                   `json:"httpMethod,omitempty" yaml:"httpMethod,omitempty"`
	URI                 string                   `json:"uri,omitempty" yaml:"uri,omitempty"`
	Credentials         string                   `json:"credentials,omitempty" yaml:"credentials,omitempty"`
	RequestParameters   map[string]string        `json:"requestParameters,omitempty" yaml:"requestParameters,omitempty"`
	RequestTemplates    map[string]string        `json:"requestTemplates,omitempty" yaml:"requestTemplates,omitempty"`
	PassthroughBehavior string                   `json:"passthroughBehavior,omitempty" yaml:"passthroughBehavior,omitempty"`
	TimeoutInMillis     int                      `json:"timeoutInMillis,omitempty" yaml:"timeoutInMillis,omitempty"`
	Responses           map[string]oaIntResponse `json:"responses,omitempty" yaml:"responses,omitempty"`
}

type oaIntResponse struct {
	StatusCode         string            `json:"statusCode" yaml:"statusCode"`
	ResponseParameters map[string]string `json:"responseParameters,omitempty" yaml:"responseParameters,omitempty"`
	ResponseTemplates  map[string]string `json:"responseTemplates,omitempty" yaml:"responseTemplates,omitempty"`
}

// ImportInput is ImportRestApi's and PutRestApi's request: the definition and its options.
type ImportInput struct {
	RestAPIID      string `rest:"uri=restapi_id" json:"-"`
	Body           []byte `rest:"payload" json:"-"`
	FailOnWarnings bool   `rest:"query=failonwarnings" json:"-"`
	Mode           string `rest:"query=mode" json:"-"`
	EndpointType   string `rest:"query=endpointConfigurationTypes" json:"-"`
}

// parseDefinition reads a definition as JSON or YAML.
func parseDefinition(body []byte) (*oaDoc, error) {
	var d oaDoc
	err := json.Unmarshal(body, &d)
	if err != nil {
		err = yaml.Unmarshal(body, &d)
	}
	if err != nil || d.Swagger == "" && d.OpenAPI == "" {
		return nil, badRequest("Invalid OpenAPI input.")
	}
	if len(d.Paths) == 0 {
		return nil, badRequest("Invalid OpenAPI input: no paths")
	}
	return &d, nil
}

// ImportRestApi creates a REST API from an OpenAPI or Swagger definition.
func (s *Service) ImportRestApi(ctx context.Context, in *ImportInput) (*RestAPIOutput, error) {
	def, err := parseDefinition(in.Body)
	if err != nil {
		return nil, err
	}
	name, _ := def.Info["title"].(string)
	if name == "" {
		return nil, badRequest("Invalid OpenAPI input: info.title is required")
	}
	create := &CreateRestApiInput{Name: name, APIKeySource: def.KeySrc, BinaryMediaTypes: def.Binary}
	if d, ok := def.Info["description"].(string); ok {
		create.Description = d
	}
	if in.EndpointType != "" {
		create.EndpointConfiguration = &EndpointConfiguration{Types: []string{in.EndpointType}}
	}
	if def.Policy != nil {
		b, _ := json.Marshal(def.Policy)
		create.Policy = string(b)
	}
	out, err := s.CreateRestApi(ctx, create)
	if err != nil {
		return nil, err
	}
	doc, err := s.mutateAPI(ctx, out.ID, func(doc *restAPIDoc) error { return applyDefinition(doc, def) })
	if err != nil {
		s.store.DeleteAPIObject(ctx, store.KindRestAPI, callerAccount(ctx), "", out.ID)
		return nil, err
	}
	return &RestAPIOutput{RestAPI: doc.API, Status: 201}, nil
}

// PutRestApi replaces (overwrite) or extends (merge) a REST API's methods from a definition.
func (s *Service) PutRestApi(ctx context.Context, in *ImportInput) (*RestAPIOutput, error) {
	def, err := parseDefinition(in.Body)
	if err != nil {
		return nil, err
	}
	doc, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		if in.Mode != "merge" {
			root := doc.Resources[doc.API.RootResourceID]
			root.ResourceMethods = nil
			doc.Resources = map[string]*Resource{root.ID: root}
		}
		return applyDefinition(doc, def)
	})
	if err != nil {
		return nil, err
	}
	return &RestAPIOutput{RestAPI: doc.API}, nil
}

// applyDefinition adds the definition's paths and methods to a REST API's tree.
func applyDefinition(doc *restAPIDoc, def *oaDoc) error {
	keyScheme := apiKeySchemes(def)
	paths := make([]string, 0, len(def.Paths))
	for p := range def.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		r, err := ensurePath(doc, p)
		if err != nil {
			return err
		}
		for verb, op := range def.Paths[p] {
			verb = strings.ToUpper(verb)
			if verb == "X-AMAZON-APIGATEWAY-ANY-METHOD" {
				verb = "ANY"
			}
			if !httpMethods[verb] {
				continue
			}
			m, err := methodFromOperation(verb, op, keyScheme)
			if err != nil {
				return err
			}
			if r.ResourceMethods == nil {
				r.ResourceMethods = map[string]*Method{}
			}
			r.ResourceMethods[verb] = m
		}
	}
	return nil
}

// apiKeySchemes names the security schemes that are API keys in the x-api-key header.
func apiKeySchemes(def *oaDoc) map[string]bool {
	out := map[string]bool{}
	schemes := def.Security
	if def.Comps != nil {
		schemes = def.Comps.SecuritySchemes
	}
	for name, sc := range schemes {
		if sc["type"] == "apiKey" && strings.EqualFold(toStr(sc["name"]), "x-api-key") && sc["in"] == "header" {
			out[name] = true
		}
	}
	return out
}

func toStr(v any) string { s, _ := v.(string); return s }

// ensurePath finds or creates the resources of a path.
func ensurePath(doc *restAPIDoc, p string) (*Resource, error) {
	cur := doc.Resources[doc.API.RootResourceID]
	for _, part := range strings.Split(strings.Trim(p, "/"), "/") {
		if part == "" {
			continue
		}
		if !pathPartRE.MatchString(part) {
			return nil, badRequest("Invalid OpenAPI input: invalid path part %q in %s", part, p)
		}
		var next *Resource
		for _, r := range doc.Resources {
			if r.ParentID == cur.ID && r.PathPart == part {
				next = r
			}
		}
		if next == nil {
			next = &Resource{ID: newID(), ParentID: cur.ID, PathPart: part, Path: strings.TrimSuffix(cur.Path, "/") + "/" + part}
			doc.Resources[next.ID] = next
		}
		cur = next
	}
	return cur, nil
}

func methodFromOperation(verb string, op oaOp, keySchemes map[string]bool) (*Method, error) {
	m := &Method{HTTPMethod: verb, AuthorizationType: "NONE", OperationName: op.OperationID}
	for _, sec := range op.Security {
		for name := range sec {
			if keySchemes[name] {
				m.APIKeyRequired = true
			}
		}
	}
	for _, p := range op.Parameters {
		loc := map[string]string{"path": "path", "query": "querystring", "header": "header"}[p.In]
		if loc == "" {
			continue
		}
		if m.RequestParameters == nil {
			m.RequestParameters = map[string]bool{}
		}
		m.RequestParameters["method.request."+loc+"."+p.Name] = p.Required || p.In == "path"
	}
	for code := range op.Responses {
		if validStatus(code) {
			if m.MethodResponses == nil {
				m.MethodResponses = map[string]*MethodResponse{}
			}
			m.MethodResponses[code] = &MethodResponse{StatusCode: code}
		}
	}
	if oi := op.Integration; oi != nil {
		ig := &Integration{Type: strings.ToUpper(oi.Type), HTTPMethod: strings.ToUpper(oi.HTTPMethod), URI: oi.URI, Credentials: oi.Credentials,
			RequestParameters: oi.RequestParameters, RequestTemplates: oi.RequestTemplates, PassthroughBehavior: strings.ToUpper(oi.PassthroughBehavior),
			TimeoutInMillis: oi.TimeoutInMillis}
		if ig.TimeoutInMillis == 0 {
			ig.TimeoutInMillis = DefaultTimeout
		}
		if err := validateIntegration(ig); err != nil {
			return nil, err
		}
		for pattern, r := range oi.Responses {
			if ig.IntegrationResponses == nil {
				ig.IntegrationResponses = map[string]*IntegrationResponse{}
			}
			ir := &IntegrationResponse{StatusCode: r.StatusCode, ResponseParameters: r.ResponseParameters, ResponseTemplates: r.ResponseTemplates}
			if pattern != "default" {
				ir.SelectionPattern = pattern
			}
			ig.IntegrationResponses[r.StatusCode] = ir
			if m.MethodResponses[r.StatusCode] == nil {
				if m.MethodResponses == nil {
					m.MethodResponses = map[string]*MethodResponse{}
				}
				m.MethodResponses[r.StatusCode] = &MethodResponse{StatusCode: r.StatusCode}
			}
		}
		m.MethodIntegration = ig
	}
	return m, nil
}

// ExportInput is GetExport's request.
type ExportInput struct {
	RestAPIID  string `rest:"uri=restapi_id" json:"-"`
	StageName  string `rest:"uri=stage_name" json:"-"`
	ExportType string `rest:"uri=export_type" json:"-"`
	Parameters string `rest:"query=parameters.extensions" json:"-"`
	Accepts    string `rest:"header=Accept" json:"-"`
}

// ExportOutput is GetExport's answer: the definition as its body.
type ExportOutput struct {
	ContentType string `rest:"header=Content-Type" json:"-"`
	Disposition string `rest:"header=Content-Disposition" json:"-"`
	Body        []byte `rest:"payload" json:"-"`
}

// GetExport writes a stage's deployment as OpenAPI 3 (oas30) or Swagger 2 (swagger), in JSON
// or YAML (Accept: application/yaml), with API Gateway's extensions when asked
// (parameters.extensions=integrations or apigateway).
func (s *Service) GetExport(ctx context.Context, in *ExportInput) (*ExportOutput, error) {
	if in.ExportType != "oas30" && in.ExportType != "swagger" {
		return nil, badRequest("Invalid export type specified: %s", in.ExportType)
	}
	st, err := s.GetStage(ctx, &StageInput{RestAPIID: in.RestAPIID, StageName: in.StageName})
	if err != nil {
		return nil, err
	}
	dep, err := s.loadDeployment(ctx, callerAccount(ctx), in.RestAPIID, st.DeploymentID)
	if err != nil {
		return nil, err
	}
	withExt := strings.Contains(in.Parameters, "integrations") || strings.Contains(in.Parameters, "apigateway")
	def := exportDefinition(&dep.API, in.ExportType, st.StageName, withExt)
	out := &ExportOutput{ContentType: "application/json", Disposition: `attachment; filename="` + in.RestAPIID + "-" + st.StageName + "-" + in.ExportType + `.json"`}
	if strings.Contains(in.Accepts, "yaml") {
		out.Body, _ = yaml.Marshal(def)
		out.ContentType = "application/yaml"
	} else {
		out.Body, _ = json.MarshalIndent(def, "", "  ")
	}
	return out, nil
}

func exportDefinition(doc *restAPIDoc, kind, stage string, withExt bool) map[string]any {
	def := map[string]any{"info": map[string]any{"title": doc.API.Name, "version": time0(doc.API.CreatedDate)}}
	keyName := "api_key"
	scheme := map[string]any{"type": "apiKey", "name": "x-api-key", "in": "header"}
	if kind == "oas30" {
		def["openapi"] = "3.0.1"
		def["servers"] = []any{map[string]any{"url": "/" + stage}}
	} else {
		def["swagger"] = "2.0"
		def["basePath"] = "/" + stage
	}
	usesKey := false
	paths := map[string]any{}
	for _, r := range doc.Resources {
		ops := map[string]any{}
		for verb, m := range r.ResourceMethods {
			op := map[string]any{}
			if m.OperationName != "" {
				op["operationId"] = m.OperationName
			}
			responses := map[string]any{}
			for code := range m.MethodResponses {
				responses[code] = map[string]any{"description": code + " response"}
			}
			op["responses"] = responses
			var params []any
			for name, required := range m.RequestParameters {
				parts := strings.SplitN(strings.TrimPrefix(name, "method.request."), ".", 2)
				if len(parts) == 2 {
					in := map[string]string{"querystring": "query", "header": "header", "path": "path"}[parts[0]]
					params = append(params, map[string]any{"name": parts[1], "in": in, "required": required})
				}
			}
			if params != nil {
				op["parameters"] = params
			}
			if m.APIKeyRequired {
				usesKey = true
				op["security"] = []any{map[string]any{keyName: []string{}}}
			}
			if withExt && m.MethodIntegration != nil {
				op["x-amazon-apigateway-integration"] = exportIntegration(m.MethodIntegration)
			}
			key := strings.ToLower(verb)
			if verb == "ANY" {
				key = "x-amazon-apigateway-any-method"
			}
			ops[key] = op
		}
		if len(ops) > 0 {
			paths[r.Path] = ops
		}
	}
	def["paths"] = paths
	if usesKey {
		if kind == "oas30" {
			def["components"] = map[string]any{"securitySchemes": map[string]any{keyName: scheme}}
		} else {
			def["securityDefinitions"] = map[string]any{keyName: scheme}
		}
	}
	if withExt && doc.API.APIKeySource != "" {
		def["x-amazon-apigateway-api-key-source"] = doc.API.APIKeySource
	}
	if withExt && len(doc.API.BinaryMediaTypes) > 0 {
		def["x-amazon-apigateway-binary-media-types"] = doc.API.BinaryMediaTypes
	}
	return def
}

func exportIntegration(ig *Integration) map[string]any {
	out := map[string]any{"type": strings.ToLower(ig.Type), "passthroughBehavior": strings.ToLower(ig.PassthroughBehavior), "timeoutInMillis": ig.TimeoutInMillis}
	if ig.HTTPMethod != "" {
		out["httpMethod"] = ig.HTTPMethod
	}
	if ig.URI != "" {
		out["uri"] = ig.URI
	}
	if len(ig.RequestTemplates) > 0 {
		out["requestTemplates"] = ig.RequestTemplates
	}
	if len(ig.RequestParameters) > 0 {
		out["requestParameters"] = ig.RequestParameters
	}
	if len(ig.IntegrationResponses) > 0 {
		rs := map[string]any{}
		for _, ir := range ig.IntegrationResponses {
			key := ir.SelectionPattern
			if key == "" {
				key = "default"
			}
			r := map[string]any{"statusCode": ir.StatusCode}
			if len(ir.ResponseTemplates) > 0 {
				r["responseTemplates"] = ir.ResponseTemplates
			}
			if len(ir.ResponseParameters) > 0 {
				r["responseParameters"] = ir.ResponseParameters
			}
			rs[key] = r
		}
		out["responses"] = rs
	}
	return out
}

// time0 is the exported version: the API's creation time, as AWS writes it.
func time0(created int64) string { return time.Unix(created, 0).UTC().Format(time.RFC3339) }
