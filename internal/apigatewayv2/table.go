package apigatewayv2

import (
	"context"
	"strings"

	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
)

// operations is API Gateway V2's API (2018-11-29) from botocore's model: name, method, route.
// The tag operations' label is an ARN, whose "/"s the SDKs send escaped (%2F) but the router
// matches on the decoded path: a greedy label takes the ARN whole.
var operations = [][3]string{
	{"CreateApi", "POST", "/v2/apis"},
	{"CreateApiMapping", "POST", "/v2/domainnames/{domainName}/apimappings"},
	{"CreateAuthorizer", "POST", "/v2/apis/{apiId}/authorizers"},
	{"CreateDeployment", "POST", "/v2/apis/{apiId}/deployments"},
	{"CreateDomainName", "POST", "/v2/domainnames"},
	{"CreateIntegration", "POST", "/v2/apis/{apiId}/integrations"},
	{"CreateIntegrationResponse", "POST", "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses"},
	{"CreateModel", "POST", "/v2/apis/{apiId}/models"},
	{"CreatePortal", "POST", "/v2/portals"},
	{"CreatePortalProduct", "POST", "/v2/portalproducts"},
	{"CreateProductPage", "POST", "/v2/portalproducts/{portalProductId}/productpages"},
	{"CreateProductRestEndpointPage", "POST", "/v2/portalproducts/{portalProductId}/productrestendpointpages"},
	{"CreateRoute", "POST", "/v2/apis/{apiId}/routes"},
	{"CreateRouteResponse", "POST", "/v2/apis/{apiId}/routes/{routeId}/routeresponses"},
	{"CreateRoutingRule", "POST", "/v2/domainnames/{domainName}/routingrules"},
	{"CreateStage", "POST", "/v2/apis/{apiId}/stages"},
	{"CreateVpcLink", "POST", "/v2/vpclinks"},
	{"DeleteAccessLogSettings", "DELETE", "/v2/apis/{apiId}/stages/{stageName}/accesslogsettings"},
	{"DeleteApi", "DELETE", "/v2/apis/{apiId}"},
	{"DeleteApiMapping", "DELETE", "/v2/domainnames/{domainName}/apimappings/{apiMappingId}"},
	{"DeleteAuthorizer", "DELETE", "/v2/apis/{apiId}/authorizers/{authorizerId}"},
	{"DeleteCorsConfiguration", "DELETE", "/v2/apis/{apiId}/cors"},
	{"DeleteDeployment", "DELETE", "/v2/apis/{apiId}/deployments/{deploymentId}"},
	{"DeleteDomainName", "DELETE", "/v2/domainnames/{domainName}"},
	{"DeleteIntegration", "DELETE", "/v2/apis/{apiId}/integrations/{integrationId}"},
	{"DeleteIntegrationResponse", "DELETE", "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId}"},
	{"DeleteModel", "DELETE", "/v2/apis/{apiId}/models/{modelId}"},
	{"DeletePortal", "DELETE", "/v2/portals/{portalId}"},
	{"DeletePortalProduct", "DELETE", "/v2/portalproducts/{portalProductId}"},
	{"DeletePortalProductSharingPolicy", "DELETE", "/v2/portalproducts/{portalProductId}/sharingpolicy"},
	{"DeleteProductPage", "DELETE", "/v2/portalproducts/{portalProductId}/productpages/{productPageId}"},
	{"DeleteProductRestEndpointPage", "DELETE", "/v2/portalproducts/{portalProductId}/productrestendpointpages/{productRestEndpointPageId}"},
	{"DeleteRoute", "DELETE", "/v2/apis/{apiId}/routes/{routeId}"},
	{"DeleteRouteRequestParameter", "DELETE", "/v2/apis/{apiId}/routes/{routeId}/requestparameters/{requestParameterKey}"},
	{"DeleteRouteResponse", "DELETE", "/v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId}"},
	{"DeleteRouteSettings", "DELETE", "/v2/apis/{apiId}/stages/{stageName}/routesettings/{routeKey}"},
	{"DeleteRoutingRule", "DELETE", "/v2/domainnames/{domainName}/routingrules/{routingRuleId}"},
	{"DeleteStage", "DELETE", "/v2/apis/{apiId}/stages/{stageName}"},
	{"DeleteVpcLink", "DELETE", "/v2/vpclinks/{vpcLinkId}"},
	{"DisablePortal", "DELETE", "/v2/portals/{portalId}/publish"},
	{"ExportApi", "GET", "/v2/apis/{apiId}/exports/{specification}"},
	{"GetApi", "GET", "/v2/apis/{apiId}"},
	{"GetApiMapping", "GET", "/v2/domainnames/{domainName}/apimappings/{apiMappingId}"},
	{"GetApiMappings", "GET", "/v2/domainnames/{domainName}/apimappings"},
	{"GetApis", "GET", "/v2/apis"},
	{"GetAuthorizer", "GET", "/v2/apis/{apiId}/authorizers/{authorizerId}"},
	{"GetAuthorizers", "GET", "/v2/apis/{apiId}/authorizers"},
	{"GetDeployment", "GET", "/v2/apis/{apiId}/deployments/{deploymentId}"},
	{"GetDeployments", "GET", "/v2/apis/{apiId}/deployments"},
	{"GetDomainName", "GET", "/v2/domainnames/{domainName}"},
	{"GetDomainNames", "GET", "/v2/domainnames"},
	{"GetIntegration", "GET", "/v2/apis/{apiId}/integrations/{integrationId}"},
	{"GetIntegrationResponse", "GET", "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId}"},
	{"GetIntegrationResponses", "GET", "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses"},
	{"GetIntegrations", "GET", "/v2/apis/{apiId}/integrations"},
	{"GetModel", "GET", "/v2/apis/{apiId}/models/{modelId}"},
	{"GetModelTemplate", "GET", "/v2/apis/{apiId}/models/{modelId}/template"},
	{"GetModels", "GET", "/v2/apis/{apiId}/models"},
	{"GetPortal", "GET", "/v2/portals/{portalId}"},
	{"GetPortalProduct", "GET", "/v2/portalproducts/{portalProductId}"},
	{"GetPortalProductSharingPolicy", "GET", "/v2/portalproducts/{portalProductId}/sharingpolicy"},
	{"GetProductPage", "GET", "/v2/portalproducts/{portalProductId}/productpages/{productPageId}"},
	{"GetProductRestEndpointPage", "GET", "/v2/portalproducts/{portalProductId}/productrestendpointpages/{productRestEndpointPageId}"},
	{"GetRoute", "GET", "/v2/apis/{apiId}/routes/{routeId}"},
	{"GetRouteResponse", "GET", "/v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId}"},
	{"GetRouteResponses", "GET", "/v2/apis/{apiId}/routes/{routeId}/routeresponses"},
	{"GetRoutes", "GET", "/v2/apis/{apiId}/routes"},
	{"GetRoutingRule", "GET", "/v2/domainnames/{domainName}/routingrules/{routingRuleId}"},
	{"GetStage", "GET", "/v2/apis/{apiId}/stages/{stageName}"},
	{"GetStages", "GET", "/v2/apis/{apiId}/stages"},
	{"GetTags", "GET", "/v2/tags/{resource-arn+}"},
	{"GetVpcLink", "GET", "/v2/vpclinks/{vpcLinkId}"},
	{"GetVpcLinks", "GET", "/v2/vpclinks"},
	{"ImportApi", "PUT", "/v2/apis"},
	{"ListPortalProducts", "GET", "/v2/portalproducts"},
	{"ListPortals", "GET", "/v2/portals"},
	{"ListProductPages", "GET", "/v2/portalproducts/{portalProductId}/productpages"},
	{"ListProductRestEndpointPages", "GET", "/v2/portalproducts/{portalProductId}/productrestendpointpages"},
	{"ListRoutingRules", "GET", "/v2/domainnames/{domainName}/routingrules"},
	{"PreviewPortal", "POST", "/v2/portals/{portalId}/preview"},
	{"PublishPortal", "POST", "/v2/portals/{portalId}/publish"},
	{"PutPortalProductSharingPolicy", "PUT", "/v2/portalproducts/{portalProductId}/sharingpolicy"},
	{"PutRoutingRule", "PUT", "/v2/domainnames/{domainName}/routingrules/{routingRuleId}"},
	{"ReimportApi", "PUT", "/v2/apis/{apiId}"},
	{"ResetAuthorizersCache", "DELETE", "/v2/apis/{apiId}/stages/{stageName}/cache/authorizers"},
	{"TagResource", "POST", "/v2/tags/{resource-arn+}"},
	{"UntagResource", "DELETE", "/v2/tags/{resource-arn+}"},
	{"UpdateApi", "PATCH", "/v2/apis/{apiId}"},
	{"UpdateApiMapping", "PATCH", "/v2/domainnames/{domainName}/apimappings/{apiMappingId}"},
	{"UpdateAuthorizer", "PATCH", "/v2/apis/{apiId}/authorizers/{authorizerId}"},
	{"UpdateDeployment", "PATCH", "/v2/apis/{apiId}/deployments/{deploymentId}"},
	{"UpdateDomainName", "PATCH", "/v2/domainnames/{domainName}"},
	{"UpdateIntegration", "PATCH", "/v2/apis/{apiId}/integrations/{integrationId}"},
	{"UpdateIntegrationResponse", "PATCH", "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId}"},
	{"UpdateModel", "PATCH", "/v2/apis/{apiId}/models/{modelId}"},
	{"UpdatePortal", "PATCH", "/v2/portals/{portalId}"},
	{"UpdatePortalProduct", "PATCH", "/v2/portalproducts/{portalProductId}"},
	{"UpdateProductPage", "PATCH", "/v2/portalproducts/{portalProductId}/productpages/{productPageId}"},
	{"UpdateProductRestEndpointPage", "PATCH", "/v2/portalproducts/{portalProductId}/productrestendpointpages/{productRestEndpointPageId}"},
	{"UpdateRoute", "PATCH", "/v2/apis/{apiId}/routes/{routeId}"},
	{"UpdateRouteResponse", "PATCH", "/v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId}"},
	{"UpdateStage", "PATCH", "/v2/apis/{apiId}/stages/{stageName}"},
	{"UpdateVpcLink", "PATCH", "/v2/vpclinks/{vpcLinkId}"},
}

// Describe returns API Gateway V2's operation table: every operation of the 2018-11-29 API, each
// authorized as IAM does for API Gateway (apigateway:<VERB> on the resource's path ARN).
func (s *Service) Describe() *service.Service {
	handlers := s.handlers()
	ops := make([]service.Operation, 0, len(operations))
	for _, o := range operations {
		ops = append(ops, service.Operation{
			Name: o[0], Action: "apigateway:" + o[1], Handler: handlers[o[0]],
			Route: service.Route{Method: o[1], Path: o[2]}, Resource: s.resourceARN, Checks: s.checks("apigateway:" + o[1]),
		})
	}
	return (&service.Service{
		Name:        "apigatewayv2",
		SigningName: "apigateway",
		Protocol:    service.RESTJSON,
		APIVersion:  "2018-11-29",
		PathPrefix:  "/v2/",
		Operations:  ops,
		Endpoints:   s.endpoints(),
	}).Index()
}

// resourceARN is the IAM resource of a control-plane call: the path it addresses, in an ARN
// without an account (arn:aws:apigateway:us-east-1::/apis/a1b2c3d4e5).
func (s *Service) resourceARN(ctx context.Context, _ any) string {
	path := request.From(ctx).Path
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	return "arn:aws:apigateway:" + s.region + "::" + strings.TrimPrefix(path, "/v2")
}

func (s *Service) handlers() map[string]service.Handler {
	return map[string]service.Handler{
		"CreateApi":   service.Func(s.CreateApi),
		"GetApi":      service.Func(s.GetApi),
		"GetApis":     service.Func(s.GetApis),
		"UpdateApi":   service.Func(s.UpdateApi),
		"DeleteApi":   service.Func(s.DeleteApi),
		"ImportApi":   service.Func(s.ImportApi),
		"ReimportApi": service.Func(s.ReimportApi),
		"ExportApi":   service.Func(s.ExportApi),

		"DeleteCorsConfiguration": service.Func(s.DeleteCorsConfiguration),

		"CreateRoute": service.Func(s.CreateRoute),
		"GetRoute":    service.Func(s.GetRoute),
		"GetRoutes":   service.Func(s.GetRoutes),
		"UpdateRoute": service.Func(s.UpdateRoute),
		"DeleteRoute": service.Func(s.DeleteRoute),

		"CreateIntegration": service.Func(s.CreateIntegration),
		"GetIntegration":    service.Func(s.GetIntegration),
		"GetIntegrations":   service.Func(s.GetIntegrations),
		"UpdateIntegration": service.Func(s.UpdateIntegration),
		"DeleteIntegration": service.Func(s.DeleteIntegration),

		"CreateAuthorizer":        service.Func(s.CreateAuthorizer),
		"GetAuthorizer":           service.Func(s.GetAuthorizer),
		"GetAuthorizers":          service.Func(s.GetAuthorizers),
		"UpdateAuthorizer":        service.Func(s.UpdateAuthorizer),
		"DeleteAuthorizer":        service.Func(s.DeleteAuthorizer),
		"ResetAuthorizersCache":   service.Func(s.ResetAuthorizersCache),
		"CreateStage":             service.Func(s.CreateStage),
		"GetStage":                service.Func(s.GetStage),
		"GetStages":               service.Func(s.GetStages),
		"UpdateStage":             service.Func(s.UpdateStage),
		"DeleteStage":             service.Func(s.DeleteStage),
		"DeleteRouteSettings":     service.Func(s.DeleteRouteSettings),
		"DeleteAccessLogSettings": service.Func(s.DeleteAccessLogSettings),

		"CreateDeployment": service.Func(s.CreateDeployment),
		"GetDeployment":    service.Func(s.GetDeployment),
		"GetDeployments":   service.Func(s.GetDeployments),
		"UpdateDeployment": service.Func(s.UpdateDeployment),
		"DeleteDeployment": service.Func(s.DeleteDeployment),

		"CreateDomainName": service.Func(s.CreateDomainName),
		"GetDomainName":    service.Func(s.GetDomainName),
		"GetDomainNames":   service.Func(s.GetDomainNames),
		"UpdateDomainName": service.Func(s.UpdateDomainName),
		"DeleteDomainName": service.Func(s.DeleteDomainName),
		"CreateApiMapping": service.Func(s.CreateApiMapping),
		"GetApiMapping":    service.Func(s.GetApiMapping),
		"GetApiMappings":   service.Func(s.GetApiMappings),
		"UpdateApiMapping": service.Func(s.UpdateApiMapping),
		"DeleteApiMapping": service.Func(s.DeleteApiMapping),

		"GetTags":       service.Func(s.GetTags),
		"TagResource":   service.Func(s.TagResource),
		"UntagResource": service.Func(s.UntagResource),
	}
}
