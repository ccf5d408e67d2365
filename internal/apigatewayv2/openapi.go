package apigatewayv2

import (
	"context"
	"encoding/json"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gureum/gureum/internal/store"
)

// The OpenAPI 3 form of an HTTP API, with API Gateway's extensions.
type oasDoc struct {
	OpenAPI    string                              `json:"openapi"`
	Info       oasInfo                             `json:"info"`
	Paths      map[string]map[string]*oasOperation `json:"paths"`
	Components *oasComponents                      `json:"components,omitempty"`
	Cors       *Cors                               `json:"x-amazon-apigateway-cors,omitempty"`
}

type oasInfo struct {
	Title       string `json:"title"`
	Version     string `json:"version,omitempty"`
	Description string `json:"description,omitempty"`
}

type oasOperation struct {
	OperationID string                `json:"operationId,omitempty"`
	Security    []map[string][]string `json:"security,omitempty"`
	Integration *oasIntegration       `json:"x-amazon-apigateway-integration,omitempty"`
	Responses   map[string]any        `json:"responses,omitempty"`
}

type oasIntegration struct {
	Type                 string `json:"type"`
	HTTPMethod           string `json:"httpMethod,omitempty"`
	URI                  string `json:"uri,omitempty"`
	PayloadFormatVersion string `json:"payloadFormatVersion,omitempty"`
	ConnectionType       string `json:"connectionType,omitempty"`
	TimeoutInMillis      int    `json:"timeoutInMillis,omitempty"`
}

type oasComponents struct {
	SecuritySchemes map[string]*oasScheme `json:"securitySchemes,omitempty"`
}

type oasScheme struct {
	Type       string         `json:"type"`
	Name       string         `json:"name,omitempty"`
	In         string         `json:"in,omitempty"`
	Flows      map[string]any `json:"flows,omitempty"`
	Authorizer *oasAuthorizer `json:"x-amazon-apigateway-authorizer,omitempty"`
}

type oasAuthorizer struct {
	Type                           string            `json:"type"`
	IdentitySource                 oasSources        `json:"identitySource,omitempty"`
	JWTConfiguration               *JWTConfiguration `json:"jwtConfiguration,omitempty"`
	AuthorizerURI                  string            `json:"authorizerUri,omitempty"`
	AuthorizerPayloadFormatVersion string            `json:"authorizerPayloadFormatVersion,omitempty"`
	EnableSimpleResponses          bool              `json:"enableSimpleResponses,omitempty"`
	AuthorizerResultTTLInSeconds   *int              `json:"authorizerResultTtlInSeconds,omitempty"`
}

// oasSources is an authorizer's identity sources, written as one comma-separated string or
// (as the SAM translator writes a Lambda authorizer's) a list of strings.
type oasSources string

func (s *oasSources) UnmarshalJSON(b []byte) error {
	var list []string
	if err := json.Unmarshal(b, &list); err == nil {
		*s = oasSources(strings.Join(list, ","))
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*s = oasSources(one)
	return nil
}

const anyMethod = "x-amazon-apigateway-any-method"

// ImportInput is ImportApi's and ReimportApi's request.
type ImportInput struct {
	APIID          string `rest:"uri=apiId" json:"-"`
	Basepath       string `rest:"query=basepath" json:"-"`
	FailOnWarnings bool   `rest:"query=failOnWarnings" json:"-"`
	Body           string `json:"body"`
}

// ExportInput is ExportApi's request.
type ExportInput struct {
	APIID             string `rest:"uri=apiId" json:"-"`
	Specification     string `rest:"uri=specification" json:"-"`
	OutputType        string `rest:"query=outputType" json:"-"`
	StageName         string `rest:"query=stageName" json:"-"`
	IncludeExtensions string `rest:"query=includeExtensions" json:"-"`
	ExportVersion     string `rest:"query=exportVersion" json:"-"`
}

// ExportOutput is ExportApi's answer: the document itself.
type ExportOutput struct {
	Body        []byte `rest:"payload" json:"-"`
	ContentType string `rest:"header=Content-Type" json:"-"`
}

// parseOpenAPI reads an OpenAPI 3 document in JSON or YAML.
func parseOpenAPI(body string) (*oasDoc, error) {
	var raw any
	if err := yaml.Unmarshal([]byte(body), &raw); err != nil {
		return nil, badRequest("Unable to parse the OpenAPI definition: %v", err)
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, badRequest("Unable to parse the OpenAPI definition: %v", err)
	}
	var doc oasDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, badRequest("Unable to parse the OpenAPI definition: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		return nil, badRequest("Only OpenAPI 3.0 definitions can be imported into HTTP APIs")
	}
	if strings.TrimSpace(doc.Info.Title) == "" {
		return nil, badRequest("The OpenAPI definition needs info.title for the API's name")
	}
	return &doc, nil
}

// fromOpenAPI fills an API's routes, integrations and authorizers from an OpenAPI document;
// what it could not take is in the warnings.
func fromOpenAPI(doc *apiDoc, oas *oasDoc, basepath string) (warnings []string, err error) {
	doc.Routes, doc.Integrations, doc.Authorizers = map[string]*Route{}, map[string]*Integration{}, map[string]*Authorizer{}
	doc.API.Name, doc.API.Version, doc.API.Description, doc.API.CorsConfiguration = oas.Info.Title, oas.Info.Version, oas.Info.Description, oas.Cors
	byScheme := map[string]*Authorizer{}
	if oas.Components != nil {
		names := make([]string, 0, len(oas.Components.SecuritySchemes))
		for name := range oas.Components.SecuritySchemes {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			sc := oas.Components.SecuritySchemes[name]
			if sc == nil || sc.Authorizer == nil {
				warnings = append(warnings, "Security scheme "+name+" has no x-amazon-apigateway-authorizer and was ignored")
				continue
			}
			in := &AuthorizerInput{Name: &name, AuthorizerType: aws(strings.ToUpper(sc.Authorizer.Type)), AuthorizerURI: aws(sc.Authorizer.AuthorizerURI),
				AuthorizerPayloadFormatVersion: aws(sc.Authorizer.AuthorizerPayloadFormatVersion), EnableSimpleResponses: &sc.Authorizer.EnableSimpleResponses,
				AuthorizerResultTTLInSeconds: sc.Authorizer.AuthorizerResultTTLInSeconds, JWTConfiguration: sc.Authorizer.JWTConfiguration}
			for _, src := range strings.Split(string(sc.Authorizer.IdentitySource), ",") {
				if src = strings.TrimSpace(src); src != "" {
					in.IdentitySource = append(in.IdentitySource, src)
				}
			}
			a := &Authorizer{AuthorizerID: newID(6)}
			if err := applyAuthorizer(doc, a, in); err != nil {
				return nil, err
			}
			doc.Authorizers[a.AuthorizerID], byScheme[name] = a, a
		}
	}
	paths := make([]string, 0, len(oas.Paths))
	for p := range oas.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		for method, op := range oas.Paths[p] {
			if op == nil {
				continue
			}
			key := routeKeyOf(p, method, basepath)
			if key == "" {
				warnings = append(warnings, "Path "+p+" method "+method+" was ignored")
				continue
			}
			r := &Route{RouteID: newID(7), AuthorizationType: "NONE", OperationName: op.OperationID}
			in := &RouteInput{RouteKey: &key}
			if op.Integration != nil {
				it := &Integration{IntegrationID: newID(7), ConnectionType: "INTERNET"}
				ii := op.Integration
				iin := &IntegrationInput{IntegrationType: aws(strings.ToUpper(ii.Type)), IntegrationMethod: aws(ii.HTTPMethod), IntegrationURI: aws(ii.URI),
					PayloadFormatVersion: aws(ii.PayloadFormatVersion), ConnectionType: aws(ii.ConnectionType)}
				if ii.TimeoutInMillis != 0 {
					iin.TimeoutInMillis = &ii.TimeoutInMillis
				}
				if err := applyIntegration(doc, it, iin); err != nil {
					return nil, err
				}
				doc.Integrations[it.IntegrationID] = it
				target := "integrations/" + it.IntegrationID
				in.Target = &target
			}
			for _, sec := range op.Security {
				for name, scopes := range sec {
					if a := byScheme[name]; a != nil {
						typ := map[string]string{"JWT": "JWT", "REQUEST": "CUSTOM"}[a.AuthorizerType]
						in.AuthorizationType, in.AuthorizerID, in.AuthorizationScopes = &typ, &a.AuthorizerID, scopes
					}
				}
			}
			if err := applyRoute(doc, r, in); err != nil {
				return nil, err
			}
			doc.Routes[r.RouteID] = r
		}
	}
	return warnings, nil
}

// aws is a pointer to a string, nil for "".
func aws(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// routeKeyOf is the route key of an OpenAPI path and method ("" when it is not one).
func routeKeyOf(path, method, basepath string) string {
	if path == "$default" || path == "/$default" {
		if method == anyMethod {
			return defaultRoute
		}
		return ""
	}
	m := strings.ToUpper(method)
	if method == anyMethod {
		m = "ANY"
	}
	if !httpMethods[m] {
		return ""
	}
	if basepath == "split" {
		if _, rest, ok := strings.Cut(strings.TrimPrefix(path, "/"), "/"); ok {
			path = "/" + rest
		} else {
			path = "/"
		}
	}
	return m + " " + path
}

// ImportApi creates an HTTP API from an OpenAPI 3 definition.
func (s *Service) ImportApi(ctx context.Context, in *ImportInput) (*APIOutput, error) {
	oas, err := parseOpenAPI(in.Body)
	if err != nil {
		return nil, err
	}
	doc := &apiDoc{API: API{APIID: newID(10), ProtocolType: protocolHTTP, RouteSelectionExpression: httpRouteSelection,
		APIKeySelectionExpression: apiKeySelection, IPAddressType: "ipv4", CreatedDate: s.now().UTC().Truncate(1e9)}, Stages: map[string]*Stage{}}
	warnings, err := fromOpenAPI(doc, oas, in.Basepath)
	if err != nil {
		return nil, err
	}
	if len(warnings) > 0 && in.FailOnWarnings {
		return nil, badRequest("Warnings found during import: %s", strings.Join(warnings, "; "))
	}
	doc.API.Warnings = warnings
	b, _ := json.Marshal(doc)
	if err := s.store.CreateAPIObject(ctx, store.APIObject{Kind: kindAPI, Account: callerAccount(ctx), ID: doc.API.APIID, Doc: b, Created: s.now()}); err != nil {
		return nil, err
	}
	return &APIOutput{API: s.present(ctx, doc.API), Status: 201}, nil
}

// ReimportApi replaces an HTTP API's routes, integrations and authorizers with an OpenAPI 3
// definition's (its stages stay; those that deploy automatically deploy the new definition).
func (s *Service) ReimportApi(ctx context.Context, in *ImportInput) (*APIOutput, error) {
	oas, err := parseOpenAPI(in.Body)
	if err != nil {
		return nil, err
	}
	doc, err := s.mutateAPI(ctx, in.APIID, true, func(doc *apiDoc) error {
		if doc.API.ProtocolType != protocolHTTP {
			return badRequest("Only HTTP APIs can be reimported")
		}
		warnings, err := fromOpenAPI(doc, oas, in.Basepath)
		if err != nil {
			return err
		}
		if len(warnings) > 0 && in.FailOnWarnings {
			return badRequest("Warnings found during import: %s", strings.Join(warnings, "; "))
		}
		doc.API.Warnings = warnings
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &APIOutput{API: s.present(ctx, doc.API), Status: 201}, nil
}

// ExportApi answers an HTTP API (or a stage's deployment of it) as OpenAPI 3, in JSON or YAML.
func (s *Service) ExportApi(ctx context.Context, in *ExportInput) (*ExportOutput, error) {
	if in.Specification != "OAS30" {
		return nil, badRequest("Invalid specification specified: %s. Supported: OAS30", in.Specification)
	}
	if in.OutputType != "JSON" && in.OutputType != "YAML" {
		return nil, badRequest("Invalid output type specified: %s. Supported: JSON, YAML", in.OutputType)
	}
	account := callerAccount(ctx)
	doc, _, err := s.loadAPI(ctx, account, in.APIID)
	if err != nil {
		return nil, err
	}
	if doc.API.ProtocolType != protocolHTTP {
		return nil, badRequest("Only HTTP APIs can be exported")
	}
	snap := snapshot{Routes: doc.Routes, Integrations: doc.Integrations, Authorizers: doc.Authorizers, Cors: doc.API.CorsConfiguration}
	if in.StageName != "" {
		st := doc.Stages[in.StageName]
		if st == nil {
			return nil, notFound("Stage", account, in.StageName)
		}
		if !st.AutoDeploy && st.DeploymentID != "" {
			d, _, err := s.loadDeployment(ctx, account, in.APIID, st.DeploymentID)
			if err != nil {
				return nil, err
			}
			snap = d.Snapshot
		}
	}
	oas := toOpenAPI(doc.API, snap, in.IncludeExtensions != "false")
	b, _ := json.MarshalIndent(oas, "", "  ")
	if in.OutputType == "JSON" {
		return &ExportOutput{Body: b, ContentType: "application/json"}, nil
	}
	var generic any
	json.Unmarshal(b, &generic)
	y, err := yaml.Marshal(generic)
	if err != nil {
		return nil, err
	}
	return &ExportOutput{Body: y, ContentType: "application/yaml"}, nil
}

// toOpenAPI renders an API's routes as OpenAPI 3.
func toOpenAPI(api API, snap snapshot, extensions bool) *oasDoc {
	oas := &oasDoc{OpenAPI: "3.0.1", Info: oasInfo{Title: api.Name, Version: api.Version, Description: api.Description},
		Paths: map[string]map[string]*oasOperation{}}
	if oas.Info.Version == "" {
		oas.Info.Version = api.CreatedDate.Format("2006-01-02 15:04:05UTC")
	}
	if extensions {
		oas.Cors = snap.Cors
	}
	schemes := map[string]*oasScheme{}
	for _, r := range snap.Routes {
		path, method := "$default", anyMethod
		if m, p, ok := strings.Cut(r.RouteKey, " "); ok {
			path, method = p, strings.ToLower(m)
			if m == "ANY" {
				method = anyMethod
			}
		}
		op := &oasOperation{OperationID: r.OperationName, Responses: map[string]any{"default": map[string]string{"description": "Default response for " + r.RouteKey}}}
		if it := snap.Integrations[strings.TrimPrefix(r.Target, "integrations/")]; it != nil && extensions {
			op.Integration = &oasIntegration{Type: strings.ToLower(it.IntegrationType), HTTPMethod: it.IntegrationMethod, URI: it.IntegrationURI,
				PayloadFormatVersion: it.PayloadFormatVersion, ConnectionType: it.ConnectionType, TimeoutInMillis: it.TimeoutInMillis}
		}
		if a := snap.Authorizers[r.AuthorizerID]; a != nil {
			scopes := r.AuthorizationScopes
			if scopes == nil {
				scopes = []string{}
			}
			op.Security = []map[string][]string{{a.Name: scopes}}
			sc := &oasScheme{Type: "apiKey", Name: "Unused", In: "header"}
			if a.AuthorizerType == "JWT" {
				sc = &oasScheme{Type: "oauth2", Flows: map[string]any{}}
			}
			if extensions {
				sc.Authorizer = &oasAuthorizer{Type: strings.ToLower(a.AuthorizerType), IdentitySource: oasSources(strings.Join(a.IdentitySource, ", ")),
					JWTConfiguration: a.JWTConfiguration, AuthorizerURI: a.AuthorizerURI, AuthorizerPayloadFormatVersion: a.AuthorizerPayloadFormatVersion,
					EnableSimpleResponses: a.EnableSimpleResponses, AuthorizerResultTTLInSeconds: a.AuthorizerResultTTLInSeconds}
			}
			schemes[a.Name] = sc
		}
		if oas.Paths[path] == nil {
			oas.Paths[path] = map[string]*oasOperation{}
		}
		oas.Paths[path][method] = op
	}
	if len(schemes) > 0 {
		oas.Components = &oasComponents{SecuritySchemes: schemes}
	}
	return oas
}
