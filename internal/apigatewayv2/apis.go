package apigatewayv2

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"slices"
	"strings"

	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/store"
)

// The protocols an API speaks, and their default selection expressions.
const (
	protocolHTTP      = "HTTP"
	protocolWebSocket = "WEBSOCKET"

	httpRouteSelection = "${request.method} ${request.path}"
	apiKeySelection    = "$request.header.x-api-key"
	defaultStage       = "$default"
	defaultRoute       = "$default"
)

// CreateAPIInput is CreateApi's request; Target and RouteKey make a quick create.
type CreateAPIInput struct {
	APIKeySelectionExpression string            `json:"apiKeySelectionExpression"`
	CorsConfiguration         *Cors             `json:"corsConfiguration"`
	CredentialsArn            string            `json:"credentialsArn"`
	Description               string            `json:"description"`
	DisableSchemaValidation   bool              `json:"disableSchemaValidation"`
	DisableExecuteAPIEndpoint bool              `json:"disableExecuteApiEndpoint"`
	IPAddressType             string            `json:"ipAddressType"`
	Name                      string            `json:"name"`
	ProtocolType              string            `json:"protocolType"`
	RouteKey                  string            `json:"routeKey"`
	RouteSelectionExpression  string            `json:"routeSelectionExpression"`
	Tags                      map[string]string `json:"tags"`
	Target                    string            `json:"target"`
	Version                   string            `json:"version"`
}

// APIOutput is an API in an answer.
type APIOutput struct {
	API
	Status int `rest:"status" json:"-"`
}

// APIInput names an API.
type APIInput struct {
	APIID string `rest:"uri=apiId" json:"-"`
}

// APIsOutput is GetApis' answer.
type APIsOutput struct {
	Items     []API  `json:"items"`
	NextToken string `json:"nextToken,omitempty"`
}

// UpdateAPIInput is UpdateApi's request: the members given change.
type UpdateAPIInput struct {
	APIID                     string  `rest:"uri=apiId" json:"-"`
	APIKeySelectionExpression *string `json:"apiKeySelectionExpression"`
	CorsConfiguration         *Cors   `json:"corsConfiguration"`
	CredentialsArn            *string `json:"credentialsArn"`
	Description               *string `json:"description"`
	DisableSchemaValidation   *bool   `json:"disableSchemaValidation"`
	DisableExecuteAPIEndpoint *bool   `json:"disableExecuteApiEndpoint"`
	IPAddressType             *string `json:"ipAddressType"`
	Name                      *string `json:"name"`
	RouteKey                  *string `json:"routeKey"`
	RouteSelectionExpression  *string `json:"routeSelectionExpression"`
	Target                    *string `json:"target"`
	Version                   *string `json:"version"`
}

// CreateApi creates an HTTP or WebSocket API; with a target (a function ARN or an HTTP URL) it
// also creates the integration, the route (RouteKey, else $default) and the $default stage with
// automatic deployment, as AWS's quick create does.
func (s *Service) CreateApi(ctx context.Context, in *CreateAPIInput) (*APIOutput, error) {
	if err := validateName(in.Name, "API"); err != nil {
		return nil, err
	}
	api := API{APIID: newID(10), Name: in.Name, ProtocolType: in.ProtocolType, Description: in.Description, Version: in.Version,
		CorsConfiguration: in.CorsConfiguration, DisableSchemaValidation: in.DisableSchemaValidation,
		DisableExecuteAPIEndpoint: in.DisableExecuteAPIEndpoint, IPAddressType: in.IPAddressType, Tags: in.Tags,
		APIKeySelectionExpression: in.APIKeySelectionExpression, RouteSelectionExpression: in.RouteSelectionExpression,
		CreatedDate: s.now().UTC().Truncate(1e9)}
	if api.APIKeySelectionExpression == "" {
		api.APIKeySelectionExpression = apiKeySelection
	}
	if api.IPAddressType == "" {
		api.IPAddressType = "ipv4"
	}
	switch in.ProtocolType {
	case protocolHTTP:
		if api.RouteSelectionExpression == "" {
			api.RouteSelectionExpression = httpRouteSelection
		}
		if api.RouteSelectionExpression != httpRouteSelection {
			return nil, badRequest("Unsupported route selection expression for HTTP API: %s", api.RouteSelectionExpression)
		}
	case protocolWebSocket:
		if api.RouteSelectionExpression == "" {
			return nil, badRequest("RouteSelectionExpression is required for WebSocket APIs")
		}
		if _, err := parseSelection(api.RouteSelectionExpression); err != nil {
			return nil, err
		}
		if in.Target != "" || in.CorsConfiguration != nil {
			return nil, badRequest("Target and CorsConfiguration are supported only for HTTP APIs")
		}
	default:
		return nil, badRequest("Invalid protocol type specified: %s", in.ProtocolType)
	}
	if err := validateCors(api.CorsConfiguration); err != nil {
		return nil, err
	}
	doc := &apiDoc{API: api, Routes: map[string]*Route{}, Integrations: map[string]*Integration{},
		Authorizers: map[string]*Authorizer{}, Stages: map[string]*Stage{}}
	if in.Target != "" {
		if err := s.quickCreate(doc, in.Target, in.RouteKey, in.CredentialsArn); err != nil {
			return nil, err
		}
	} else if in.RouteKey != "" {
		return nil, badRequest("RouteKey is supported only with a Target")
	}
	b, _ := json.Marshal(doc)
	if err := s.store.CreateAPIObject(ctx, store.APIObject{Kind: kindAPI, Account: callerAccount(ctx), ID: api.APIID, Doc: b, Created: s.now()}); err != nil {
		return nil, err
	}
	return &APIOutput{API: s.present(ctx, doc.API), Status: 201}, nil
}

// quickCreate adds a quick create's integration, route and $default stage.
func (s *Service) quickCreate(doc *apiDoc, target, routeKey, credentials string) error {
	if routeKey == "" {
		routeKey = defaultRoute
	}
	if _, err := parseRouteKey(routeKey); err != nil {
		return err
	}
	in := &Integration{IntegrationID: newID(7), APIGatewayManaged: true, ConnectionType: "INTERNET", CredentialsArn: credentials,
		IntegrationMethod: "POST", IntegrationURI: target, PayloadFormatVersion: "2.0", TimeoutInMillis: 30000, IntegrationType: "AWS_PROXY"}
	if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
		in.IntegrationType, in.IntegrationMethod, in.PayloadFormatVersion = "HTTP_PROXY", "ANY", "1.0"
	} else if !strings.HasPrefix(target, "arn:") {
		return badRequest("Invalid target specified: %s", target)
	}
	r := &Route{RouteID: newID(7), APIGatewayManaged: true, RouteKey: routeKey, AuthorizationType: "NONE", Target: "integrations/" + in.IntegrationID}
	now := s.now().UTC().Truncate(1e9)
	st := &Stage{StageName: defaultStage, APIGatewayManaged: true, AutoDeploy: true, CreatedDate: now, LastUpdatedDate: now,
		DefaultRouteSettings: &RouteSettings{}, RouteSettings: map[string]RouteSettings{}}
	doc.Integrations[in.IntegrationID], doc.Routes[r.RouteID], doc.Stages[defaultStage] = in, r, st
	return nil
}

func validateName(name, what string) error {
	if strings.TrimSpace(name) == "" || len(name) > 128 {
		return badRequest("Invalid %s name specified", what)
	}
	return nil
}

func validateCors(c *Cors) error {
	if c == nil {
		return nil
	}
	if c.MaxAge != nil && (*c.MaxAge < -1 || *c.MaxAge > 86400) {
		return badRequest("MaxAge must be between -1 and 86400")
	}
	if c.AllowCredentials && slices.Contains(c.AllowOrigins, "*") {
		return badRequest("allow-credentials is not supported when allow-origins contains *")
	}
	return nil
}

// present fills in what an API's answer computes: its endpoint on the listener the caller used.
func (s *Service) present(ctx context.Context, api API) API {
	scheme := "http"
	if api.ProtocolType == protocolWebSocket {
		scheme = "ws"
	}
	api.APIEndpoint = scheme + "://" + api.APIID + ".execute-api.localhost" + listenerPort(request.From(ctx).Host)
	return api
}

// listenerPort is ":port" of the Host a client addressed, "" without one.
func listenerPort(host string) string {
	if _, port, err := net.SplitHostPort(host); err == nil && port != "" {
		return ":" + port
	}
	return ""
}

// loadAPI reads an API's document; account "" reads it whatever its account.
func (s *Service) loadAPI(ctx context.Context, account, id string) (*apiDoc, store.APIObject, error) {
	obj, err := s.store.APIObject(ctx, kindAPI, account, "", id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, obj, notFound("API", account, id)
	}
	if err != nil {
		return nil, obj, err
	}
	var doc apiDoc
	if err := json.Unmarshal(obj.Doc, &doc); err != nil {
		return nil, obj, err
	}
	return &doc, obj, nil
}

// mutateAPI changes an API's document with fn and stores it, retrying fn on a concurrent change;
// a change that keeps losing is ConflictException. redeploy says the change is one a stage with
// automatic deployment deploys (routes, integrations, authorizers, CORS).
func (s *Service) mutateAPI(ctx context.Context, id string, redeploy bool, fn func(doc *apiDoc) error) (*apiDoc, error) {
	account := callerAccount(ctx)
	for attempt := 0; ; attempt++ {
		doc, obj, err := s.loadAPI(ctx, account, id)
		if err != nil {
			return nil, err
		}
		if err := fn(doc); err != nil {
			return nil, err
		}
		var auto *deploymentDoc
		if redeploy {
			auto = s.autoDeploy(doc)
		}
		obj.Doc, _ = json.Marshal(doc)
		err = s.store.UpdateAPIObject(ctx, obj, obj.Version)
		switch {
		case err == nil:
			s.apis.drop(id)
			if auto != nil {
				if err := s.storeDeployment(ctx, account, id, auto); err != nil {
					return nil, err
				}
			}
			return doc, nil
		case errors.Is(err, store.ErrConflict) && attempt < 8:
			continue
		case errors.Is(err, store.ErrConflict):
			return nil, ErrConflict.Errorf("Unable to complete operation due to concurrent modification. Please try again later.")
		case errors.Is(err, store.ErrNotFound):
			return nil, notFound("API", account, id)
		}
		return nil, err
	}
}

// autoDeploy makes the deployment a change brings to the stages that deploy automatically and
// points them at it; nil when no stage does.
func (s *Service) autoDeploy(doc *apiDoc) *deploymentDoc {
	var d *deploymentDoc
	for _, st := range doc.Stages {
		if !st.AutoDeploy {
			continue
		}
		if d == nil {
			d = s.newDeployment(doc, "Automatic deployment triggered by changes to the Api configuration", true)
		}
		st.DeploymentID = d.Deployment.DeploymentID
		st.LastDeploymentStatusMessage = "Successfully deployed stage with deployment ID '" + d.Deployment.DeploymentID + "'"
		st.LastUpdatedDate = d.Deployment.CreatedDate
	}
	return d
}

// GetApi describes an API.
func (s *Service) GetApi(ctx context.Context, in *APIInput) (*APIOutput, error) {
	doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.APIID)
	if err != nil {
		return nil, err
	}
	return &APIOutput{API: s.present(ctx, doc.API), Status: 200}, nil
}

// GetApis lists the caller's APIs.
func (s *Service) GetApis(ctx context.Context, in *ListInput) (*APIsOutput, error) {
	objs, err := s.store.APIObjects(ctx, kindAPI, callerAccount(ctx), "")
	if err != nil {
		return nil, err
	}
	out := &APIsOutput{Items: []API{}}
	for _, o := range objs {
		var doc apiDoc
		if json.Unmarshal(o.Doc, &doc) == nil {
			out.Items = append(out.Items, s.present(ctx, doc.API))
		}
	}
	out.Items, out.NextToken, err = page(out.Items, in.MaxResults, in.NextToken, func(a API) string { return a.APIID })
	return out, err
}

// UpdateApi changes an API's settings (a target given to an API made by quick create changes
// its managed integration).
func (s *Service) UpdateApi(ctx context.Context, in *UpdateAPIInput) (*APIOutput, error) {
	doc, err := s.mutateAPI(ctx, in.APIID, true, func(doc *apiDoc) error {
		a := &doc.API
		set(&a.APIKeySelectionExpression, in.APIKeySelectionExpression)
		set(&a.Description, in.Description)
		set(&a.DisableSchemaValidation, in.DisableSchemaValidation)
		set(&a.DisableExecuteAPIEndpoint, in.DisableExecuteAPIEndpoint)
		set(&a.IPAddressType, in.IPAddressType)
		set(&a.Version, in.Version)
		if in.Name != nil {
			if err := validateName(*in.Name, "API"); err != nil {
				return err
			}
			a.Name = *in.Name
		}
		if in.RouteSelectionExpression != nil && *in.RouteSelectionExpression != a.RouteSelectionExpression {
			if a.ProtocolType == protocolHTTP {
				return badRequest("Unsupported route selection expression for HTTP API: %s", *in.RouteSelectionExpression)
			}
			if _, err := parseSelection(*in.RouteSelectionExpression); err != nil {
				return err
			}
			a.RouteSelectionExpression = *in.RouteSelectionExpression
		}
		if in.CorsConfiguration != nil {
			if a.ProtocolType != protocolHTTP {
				return badRequest("CorsConfiguration is supported only for HTTP APIs")
			}
			if err := validateCors(in.CorsConfiguration); err != nil {
				return err
			}
			a.CorsConfiguration = in.CorsConfiguration
		}
		if in.Target != nil {
			for _, it := range doc.Integrations {
				if it.APIGatewayManaged {
					it.IntegrationURI = *in.Target
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &APIOutput{API: s.present(ctx, doc.API), Status: 200}, nil
}

// DeleteCorsConfiguration removes an API's CORS configuration.
func (s *Service) DeleteCorsConfiguration(ctx context.Context, in *APIInput) (*Empty, error) {
	_, err := s.mutateAPI(ctx, in.APIID, true, func(doc *apiDoc) error {
		doc.API.CorsConfiguration = nil
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{Status: 204}, nil
}

// DeleteApi deletes an API with its deployments.
func (s *Service) DeleteApi(ctx context.Context, in *APIInput) (*Empty, error) {
	account := callerAccount(ctx)
	if err := s.store.DeleteAPIObject(ctx, kindAPI, account, "", in.APIID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, notFound("API", account, in.APIID)
		}
		return nil, err
	}
	s.apis.drop(in.APIID)
	s.sockets.closeAPI(in.APIID)
	deps, err := s.store.APIObjects(ctx, kindDeployment, account, in.APIID)
	if err != nil {
		return nil, err
	}
	for _, d := range deps {
		if err := s.store.DeleteAPIObject(ctx, kindDeployment, account, in.APIID, d.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	return &Empty{Status: 204}, nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
