package apigatewayv2

import (
	"time"

	"github.com/gureum/gureum/internal/apigateway/domain"
)

// API is an HTTP or WebSocket API as the control plane answers it.
type API struct {
	APIEndpoint               string            `json:"apiEndpoint,omitempty"`
	APIGatewayManaged         bool              `json:"apiGatewayManaged,omitempty"`
	APIID                     string            `json:"apiId"`
	APIKeySelectionExpression string            `json:"apiKeySelectionExpression,omitempty"`
	CorsConfiguration         *Cors             `json:"corsConfiguration,omitempty"`
	CreatedDate               time.Time         `json:"createdDate"`
	Description               string            `json:"description,omitempty"`
	DisableSchemaValidation   bool              `json:"disableSchemaValidation,omitempty"`
	DisableExecuteAPIEndpoint bool              `json:"disableExecuteApiEndpoint"`
	ImportInfo                []string          `json:"importInfo,omitempty"`
	IPAddressType             string            `json:"ipAddressType,omitempty"`
	Name                      string            `json:"name"`
	ProtocolType              string            `json:"protocolType"`
	RouteSelectionExpression  string            `json:"routeSelectionExpression"`
	Tags                      map[string]string `json:"tags,omitempty"`
	Version                   string            `json:"version,omitempty"`
	Warnings                  []string          `json:"warnings,omitempty"`
}

// Cors is an HTTP API's CORS configuration, which the gateway answers preflights with.
type Cors struct {
	AllowCredentials bool     `json:"allowCredentials,omitempty"`
	AllowHeaders     []string `json:"allowHeaders,omitempty"`
	AllowMethods     []string `json:"allowMethods,omitempty"`
	AllowOrigins     []string `json:"allowOrigins,omitempty"`
	ExposeHeaders    []string `json:"exposeHeaders,omitempty"`
	MaxAge           *int     `json:"maxAge,omitempty"`
}

// Route is a route: a route key and where it goes.
type Route struct {
	APIGatewayManaged                bool                           `json:"apiGatewayManaged,omitempty"`
	APIKeyRequired                   bool                           `json:"apiKeyRequired"`
	AuthorizationScopes              []string                       `json:"authorizationScopes,omitempty"`
	AuthorizationType                string                         `json:"authorizationType"`
	AuthorizerID                     string                         `json:"authorizerId,omitempty"`
	ModelSelectionExpression         string                         `json:"modelSelectionExpression,omitempty"`
	OperationName                    string                         `json:"operationName,omitempty"`
	RequestModels                    map[string]string              `json:"requestModels,omitempty"`
	RequestParameters                map[string]ParameterConstraint `json:"requestParameters,omitempty"`
	RouteID                          string                         `json:"routeId"`
	RouteKey                         string                         `json:"routeKey"`
	RouteResponseSelectionExpression string                         `json:"routeResponseSelectionExpression,omitempty"`
	Target                           string                         `json:"target,omitempty"`
}

// ParameterConstraint is whether a route's request parameter is required.
type ParameterConstraint struct {
	Required bool `json:"required"`
}

// Integration is where routes send requests.
type Integration struct {
	APIGatewayManaged                      bool                         `json:"apiGatewayManaged,omitempty"`
	ConnectionID                           string                       `json:"connectionId,omitempty"`
	ConnectionType                         string                       `json:"connectionType,omitempty"`
	ContentHandlingStrategy                string                       `json:"contentHandlingStrategy,omitempty"`
	CredentialsArn                         string                       `json:"credentialsArn,omitempty"`
	Description                            string                       `json:"description,omitempty"`
	IntegrationID                          string                       `json:"integrationId"`
	IntegrationMethod                      string                       `json:"integrationMethod,omitempty"`
	IntegrationResponseSelectionExpression string                       `json:"integrationResponseSelectionExpression,omitempty"`
	IntegrationSubtype                     string                       `json:"integrationSubtype,omitempty"`
	IntegrationType                        string                       `json:"integrationType"`
	IntegrationURI                         string                       `json:"integrationUri,omitempty"`
	PassthroughBehavior                    string                       `json:"passthroughBehavior,omitempty"`
	PayloadFormatVersion                   string                       `json:"payloadFormatVersion,omitempty"`
	RequestParameters                      map[string]string            `json:"requestParameters,omitempty"`
	RequestTemplates                       map[string]string            `json:"requestTemplates,omitempty"`
	ResponseParameters                     map[string]map[string]string `json:"responseParameters,omitempty"`
	TemplateSelectionExpression            string                       `json:"templateSelectionExpression,omitempty"`
	TimeoutInMillis                        int                          `json:"timeoutInMillis,omitempty"`
}

// Authorizer is a JWT or Lambda (REQUEST) authorizer.
type Authorizer struct {
	AuthorizerCredentialsArn       string            `json:"authorizerCredentialsArn,omitempty"`
	AuthorizerID                   string            `json:"authorizerId"`
	AuthorizerPayloadFormatVersion string            `json:"authorizerPayloadFormatVersion,omitempty"`
	AuthorizerResultTTLInSeconds   *int              `json:"authorizerResultTtlInSeconds,omitempty"`
	AuthorizerType                 string            `json:"authorizerType"`
	AuthorizerURI                  string            `json:"authorizerUri,omitempty"`
	EnableSimpleResponses          bool              `json:"enableSimpleResponses,omitempty"`
	IdentitySource                 []string          `json:"identitySource,omitempty"`
	IdentityValidationExpression   string            `json:"identityValidationExpression,omitempty"`
	JWTConfiguration               *JWTConfiguration `json:"jwtConfiguration,omitempty"`
	Name                           string            `json:"name"`
}

// JWTConfiguration is a JWT authorizer's issuer and audiences.
type JWTConfiguration struct {
	Audience []string `json:"audience,omitempty"`
	Issuer   string   `json:"issuer,omitempty"`
}

// Stage is a stage: a deployment served under a name, with its settings.
type Stage struct {
	AccessLogSettings           *AccessLogSettings       `json:"accessLogSettings,omitempty"`
	APIGatewayManaged           bool                     `json:"apiGatewayManaged,omitempty"`
	AutoDeploy                  bool                     `json:"autoDeploy"`
	ClientCertificateID         string                   `json:"clientCertificateId,omitempty"`
	CreatedDate                 time.Time                `json:"createdDate"`
	DefaultRouteSettings        *RouteSettings           `json:"defaultRouteSettings,omitempty"`
	DeploymentID                string                   `json:"deploymentId,omitempty"`
	Description                 string                   `json:"description,omitempty"`
	LastDeploymentStatusMessage string                   `json:"lastDeploymentStatusMessage,omitempty"`
	LastUpdatedDate             time.Time                `json:"lastUpdatedDate"`
	RouteSettings               map[string]RouteSettings `json:"routeSettings,omitempty"`
	StageName                   string                   `json:"stageName"`
	StageVariables              map[string]string        `json:"stageVariables,omitempty"`
	Tags                        map[string]string        `json:"tags,omitempty"`
}

// AccessLogSettings is where a stage's access log goes.
type AccessLogSettings struct {
	DestinationArn string `json:"destinationArn,omitempty"`
	Format         string `json:"format,omitempty"`
}

// RouteSettings are a stage's settings for its routes (throttling).
type RouteSettings struct {
	DataTraceEnabled       bool     `json:"dataTraceEnabled,omitempty"`
	DetailedMetricsEnabled bool     `json:"detailedMetricsEnabled,omitempty"`
	LoggingLevel           string   `json:"loggingLevel,omitempty"`
	ThrottlingBurstLimit   *int     `json:"throttlingBurstLimit,omitempty"`
	ThrottlingRateLimit    *float64 `json:"throttlingRateLimit,omitempty"`
}

// Deployment is a snapshot of an API's routes, integrations and authorizers.
type Deployment struct {
	AutoDeployed            bool      `json:"autoDeployed"`
	CreatedDate             time.Time `json:"createdDate"`
	DeploymentID            string    `json:"deploymentId"`
	DeploymentStatus        string    `json:"deploymentStatus"`
	DeploymentStatusMessage string    `json:"deploymentStatusMessage,omitempty"`
	Description             string    `json:"description,omitempty"`
}

// DomainName, DomainNameConfiguration and APIMapping are the shapes both generations share
// (package domain keeps the domains).
type (
	DomainName              = domain.Name
	DomainNameConfiguration = domain.Configuration
	APIMapping              = domain.Mapping
	domainDoc               = domain.Doc
)

// Empty is an answer without a body, with its status.
type Empty struct {
	Status int `rest:"status" json:"-"`
}

// ListInput is a list call's paging.
type ListInput struct {
	APIID      string `rest:"uri=apiId" json:"-"`
	MaxResults string `rest:"query=maxResults" json:"-"`
	NextToken  string `rest:"query=nextToken" json:"-"`
}

// apiDoc is an API as it is stored: one document changed by compare-and-swap.
type apiDoc struct {
	API          API                     `json:"api"`
	Routes       map[string]*Route       `json:"routes"`
	Integrations map[string]*Integration `json:"integrations"`
	Authorizers  map[string]*Authorizer  `json:"authorizers"`
	Stages       map[string]*Stage       `json:"stages"`
}

// snapshot is what a deployment freezes of its API.
type snapshot struct {
	Routes       map[string]*Route       `json:"routes"`
	Integrations map[string]*Integration `json:"integrations"`
	Authorizers  map[string]*Authorizer  `json:"authorizers"`
	Cors         *Cors                   `json:"cors,omitempty"`
}

// deploymentDoc is a deployment as it is stored.
type deploymentDoc struct {
	Deployment Deployment `json:"deployment"`
	Snapshot   snapshot   `json:"snapshot"`
}
