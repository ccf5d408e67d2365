package apigateway

import (
	"context"
	"strings"

	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
)

// operations is API Gateway's API (2015-07-09) from botocore's model: name, method, route.
var operations = [][3]string{
	{"CreateApiKey", "POST", "/apikeys"},
	{"CreateAuthorizer", "POST", "/restapis/{restapi_id}/authorizers"},
	{"CreateBasePathMapping", "POST", "/domainnames/{domain_name}/basepathmappings"},
	{"CreateDeployment", "POST", "/restapis/{restapi_id}/deployments"},
	{"CreateDocumentationPart", "POST", "/restapis/{restapi_id}/documentation/parts"},
	{"CreateDocumentationVersion", "POST", "/restapis/{restapi_id}/documentation/versions"},
	{"CreateDomainName", "POST", "/domainnames"},
	{"CreateDomainNameAccessAssociation", "POST", "/domainnameaccessassociations"},
	{"CreateModel", "POST", "/restapis/{restapi_id}/models"},
	{"CreateRequestValidator", "POST", "/restapis/{restapi_id}/requestvalidators"},
	{"CreateResource", "POST", "/restapis/{restapi_id}/resources/{parent_id}"},
	{"CreateRestApi", "POST", "/restapis"},
	{"CreateStage", "POST", "/restapis/{restapi_id}/stages"},
	{"CreateUsagePlan", "POST", "/usageplans"},
	{"CreateUsagePlanKey", "POST", "/usageplans/{usageplanId}/keys"},
	{"CreateVpcLink", "POST", "/vpclinks"},
	{"DeleteApiKey", "DELETE", "/apikeys/{api_Key}"},
	{"DeleteAuthorizer", "DELETE", "/restapis/{restapi_id}/authorizers/{authorizer_id}"},
	{"DeleteBasePathMapping", "DELETE", "/domainnames/{domain_name}/basepathmappings/{base_path+}"},
	{"DeleteClientCertificate", "DELETE", "/clientcertificates/{clientcertificate_id}"},
	{"DeleteDeployment", "DELETE", "/restapis/{restapi_id}/deployments/{deployment_id}"},
	{"DeleteDocumentationPart", "DELETE", "/restapis/{restapi_id}/documentation/parts/{part_id}"},
	{"DeleteDocumentationVersion", "DELETE", "/restapis/{restapi_id}/documentation/versions/{doc_version}"},
	{"DeleteDomainName", "DELETE", "/domainnames/{domain_name}"},
	{"DeleteDomainNameAccessAssociation", "DELETE", "/domainnameaccessassociations/{domain_name_access_association_arn}"},
	{"DeleteGatewayResponse", "DELETE", "/restapis/{restapi_id}/gatewayresponses/{response_type}"},
	{"DeleteIntegration", "DELETE", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration"},
	{"DeleteIntegrationResponse", "DELETE", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}"},
	{"DeleteMethod", "DELETE", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}"},
	{"DeleteMethodResponse", "DELETE", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}"},
	{"DeleteModel", "DELETE", "/restapis/{restapi_id}/models/{model_name}"},
	{"DeleteRequestValidator", "DELETE", "/restapis/{restapi_id}/requestvalidators/{requestvalidator_id}"},
	{"DeleteResource", "DELETE", "/restapis/{restapi_id}/resources/{resource_id}"},
	{"DeleteRestApi", "DELETE", "/restapis/{restapi_id}"},
	{"DeleteStage", "DELETE", "/restapis/{restapi_id}/stages/{stage_name}"},
	{"DeleteUsagePlan", "DELETE", "/usageplans/{usageplanId}"},
	{"DeleteUsagePlanKey", "DELETE", "/usageplans/{usageplanId}/keys/{keyId}"},
	{"DeleteVpcLink", "DELETE", "/vpclinks/{vpclink_id}"},
	{"FlushStageAuthorizersCache", "DELETE", "/restapis/{restapi_id}/stages/{stage_name}/cache/authorizers"},
	{"FlushStageCache", "DELETE", "/restapis/{restapi_id}/stages/{stage_name}/cache/data"},
	{"GenerateClientCertificate", "POST", "/clientcertificates"},
	{"GetAccount", "GET", "/account"},
	{"GetApiKey", "GET", "/apikeys/{api_Key}"},
	{"GetApiKeys", "GET", "/apikeys"},
	{"GetAuthorizer", "GET", "/restapis/{restapi_id}/authorizers/{authorizer_id}"},
	{"GetAuthorizers", "GET", "/restapis/{restapi_id}/authorizers"},
	{"GetBasePathMapping", "GET", "/domainnames/{domain_name}/basepathmappings/{base_path+}"},
	{"GetBasePathMappings", "GET", "/domainnames/{domain_name}/basepathmappings"},
	{"GetClientCertificate", "GET", "/clientcertificates/{clientcertificate_id}"},
	{"GetClientCertificates", "GET", "/clientcertificates"},
	{"GetDeployment", "GET", "/restapis/{restapi_id}/deployments/{deployment_id}"},
	{"GetDeployments", "GET", "/restapis/{restapi_id}/deployments"},
	{"GetDocumentationPart", "GET", "/restapis/{restapi_id}/documentation/parts/{part_id}"},
	{"GetDocumentationParts", "GET", "/restapis/{restapi_id}/documentation/parts"},
	{"GetDocumentationVersion", "GET", "/restapis/{restapi_id}/documentation/versions/{doc_version}"},
	{"GetDocumentationVersions", "GET", "/restapis/{restapi_id}/documentation/versions"},
	{"GetDomainName", "GET", "/domainnames/{domain_name}"},
	{"GetDomainNameAccessAssociations", "GET", "/domainnameaccessassociations"},
	{"GetDomainNames", "GET", "/domainnames"},
	{"GetExport", "GET", "/restapis/{restapi_id}/stages/{stage_name}/exports/{export_type}"},
	{"GetGatewayResponse", "GET", "/restapis/{restapi_id}/gatewayresponses/{response_type}"},
	{"GetGatewayResponses", "GET", "/restapis/{restapi_id}/gatewayresponses"},
	{"GetIntegration", "GET", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration"},
	{"GetIntegrationResponse", "GET", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}"},
	{"GetMethod", "GET", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}"},
	{"GetMethodResponse", "GET", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}"},
	{"GetModel", "GET", "/restapis/{restapi_id}/models/{model_name}"},
	{"GetModelTemplate", "GET", "/restapis/{restapi_id}/models/{model_name}/default_template"},
	{"GetModels", "GET", "/restapis/{restapi_id}/models"},
	{"GetRequestValidator", "GET", "/restapis/{restapi_id}/requestvalidators/{requestvalidator_id}"},
	{"GetRequestValidators", "GET", "/restapis/{restapi_id}/requestvalidators"},
	{"GetResource", "GET", "/restapis/{restapi_id}/resources/{resource_id}"},
	{"GetResources", "GET", "/restapis/{restapi_id}/resources"},
	{"GetRestApi", "GET", "/restapis/{restapi_id}"},
	{"GetRestApis", "GET", "/restapis"},
	{"GetSdk", "GET", "/restapis/{restapi_id}/stages/{stage_name}/sdks/{sdk_type}"},
	{"GetSdkType", "GET", "/sdktypes/{sdktype_id}"},
	{"GetSdkTypes", "GET", "/sdktypes"},
	{"GetStage", "GET", "/restapis/{restapi_id}/stages/{stage_name}"},
	{"GetStages", "GET", "/restapis/{restapi_id}/stages"},
	{"GetTags", "GET", "/tags/{resource_arn+}"},
	{"GetUsage", "GET", "/usageplans/{usageplanId}/usage"},
	{"GetUsagePlan", "GET", "/usageplans/{usageplanId}"},
	{"GetUsagePlanKey", "GET", "/usageplans/{usageplanId}/keys/{keyId}"},
	{"GetUsagePlanKeys", "GET", "/usageplans/{usageplanId}/keys"},
	{"GetUsagePlans", "GET", "/usageplans"},
	{"GetVpcLink", "GET", "/vpclinks/{vpclink_id}"},
	{"GetVpcLinks", "GET", "/vpclinks"},
	{"ImportApiKeys", "POST", "/apikeys?mode=import"},
	{"ImportDocumentationParts", "PUT", "/restapis/{restapi_id}/documentation/parts"},
	{"ImportRestApi", "POST", "/restapis?mode=import"},
	{"PutGatewayResponse", "PUT", "/restapis/{restapi_id}/gatewayresponses/{response_type}"},
	{"PutIntegration", "PUT", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration"},
	{"PutIntegrationResponse", "PUT", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}"},
	{"PutMethod", "PUT", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}"},
	{"PutMethodResponse", "PUT", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}"},
	{"PutRestApi", "PUT", "/restapis/{restapi_id}"},
	{"RejectDomainNameAccessAssociation", "POST", "/rejectdomainnameaccessassociations"},
	{"TagResource", "PUT", "/tags/{resource_arn+}"},
	{"TestInvokeAuthorizer", "POST", "/restapis/{restapi_id}/authorizers/{authorizer_id}"},
	{"TestInvokeMethod", "POST", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}"},
	{"UntagResource", "DELETE", "/tags/{resource_arn+}"},
	{"UpdateAccount", "PATCH", "/account"},
	{"UpdateApiKey", "PATCH", "/apikeys/{api_Key}"},
	{"UpdateAuthorizer", "PATCH", "/restapis/{restapi_id}/authorizers/{authorizer_id}"},
	{"UpdateBasePathMapping", "PATCH", "/domainnames/{domain_name}/basepathmappings/{base_path+}"},
	{"UpdateClientCertificate", "PATCH", "/clientcertificates/{clientcertificate_id}"},
	{"UpdateDeployment", "PATCH", "/restapis/{restapi_id}/deployments/{deployment_id}"},
	{"UpdateDocumentationPart", "PATCH", "/restapis/{restapi_id}/documentation/parts/{part_id}"},
	{"UpdateDocumentationVersion", "PATCH", "/restapis/{restapi_id}/documentation/versions/{doc_version}"},
	{"UpdateDomainName", "PATCH", "/domainnames/{domain_name}"},
	{"UpdateGatewayResponse", "PATCH", "/restapis/{restapi_id}/gatewayresponses/{response_type}"},
	{"UpdateIntegration", "PATCH", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration"},
	{"UpdateIntegrationResponse", "PATCH", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}"},
	{"UpdateMethod", "PATCH", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}"},
	{"UpdateMethodResponse", "PATCH", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}"},
	{"UpdateModel", "PATCH", "/restapis/{restapi_id}/models/{model_name}"},
	{"UpdateRequestValidator", "PATCH", "/restapis/{restapi_id}/requestvalidators/{requestvalidator_id}"},
	{"UpdateResource", "PATCH", "/restapis/{restapi_id}/resources/{resource_id}"},
	{"UpdateRestApi", "PATCH", "/restapis/{restapi_id}"},
	{"UpdateStage", "PATCH", "/restapis/{restapi_id}/stages/{stage_name}"},
	{"UpdateUsage", "PATCH", "/usageplans/{usageplanId}/keys/{keyId}/usage"},
	{"UpdateUsagePlan", "PATCH", "/usageplans/{usageplanId}"},
	{"UpdateVpcLink", "PATCH", "/vpclinks/{vpclink_id}"},
}

// The tag operations' label is an ARN, whose "/"s the SDKs send escaped (%2F) but the router
// matches on the decoded path: a greedy label takes the ARN whole.

// Describe returns API Gateway's operation table: every operation of the 2015-07-09 API, each
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
		Name:        "apigateway",
		SigningName: "apigateway",
		Protocol:    service.RESTJSON,
		APIVersion:  "2015-07-09",
		Operations:  ops,
		Endpoints:   s.endpoints(),
	}).Index()
}

// resourceARN is the IAM resource of a control-plane call: the path it addresses, in an ARN
// without an account (arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5).
func (s *Service) resourceARN(ctx context.Context, _ any) string {
	path := request.From(ctx).Path
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	return "arn:aws:apigateway:" + s.region + "::" + path
}

func (s *Service) handlers() map[string]service.Handler {
	return map[string]service.Handler{
		"CreateRestApi": service.Func(s.CreateRestApi),
		"GetRestApi":    service.Func(s.GetRestApi),
		"GetRestApis":   service.Func(s.GetRestApis),
		"UpdateRestApi": service.Func(s.UpdateRestApi),
		"DeleteRestApi": service.Func(s.DeleteRestApi),

		"GetResources":   service.Func(s.GetResources),
		"GetResource":    service.Func(s.GetResource),
		"CreateResource": service.Func(s.CreateResource),
		"DeleteResource": service.Func(s.DeleteResource),

		"PutMethod":                 service.Func(s.PutMethod),
		"GetMethod":                 service.Func(s.GetMethod),
		"UpdateMethod":              service.Func(s.UpdateMethod),
		"DeleteMethod":              service.Func(s.DeleteMethod),
		"PutMethodResponse":         service.Func(s.PutMethodResponse),
		"GetMethodResponse":         service.Func(s.GetMethodResponse),
		"UpdateMethodResponse":      service.Func(s.UpdateMethodResponse),
		"DeleteMethodResponse":      service.Func(s.DeleteMethodResponse),
		"PutIntegration":            service.Func(s.PutIntegration),
		"GetIntegration":            service.Func(s.GetIntegration),
		"UpdateIntegration":         service.Func(s.UpdateIntegration),
		"DeleteIntegration":         service.Func(s.DeleteIntegration),
		"PutIntegrationResponse":    service.Func(s.PutIntegrationResponse),
		"GetIntegrationResponse":    service.Func(s.GetIntegrationResponse),
		"DeleteIntegrationResponse": service.Func(s.DeleteIntegrationResponse),

		"CreateDeployment": service.Func(s.CreateDeployment),
		"GetDeployment":    service.Func(s.GetDeployment),
		"GetDeployments":   service.Func(s.GetDeployments),
		"DeleteDeployment": service.Func(s.DeleteDeployment),
		"CreateStage":      service.Func(s.CreateStage),
		"GetStage":         service.Func(s.GetStage),
		"GetStages":        service.Func(s.GetStages),
		"UpdateStage":      service.Func(s.UpdateStage),
		"DeleteStage":      service.Func(s.DeleteStage),

		"FlushStageCache":            service.Func(s.FlushStageCache),
		"FlushStageAuthorizersCache": service.Func(s.FlushStageAuthorizersCache),

		"CreateApiKey":  service.Func(s.CreateApiKey),
		"GetApiKey":     service.Func(s.GetApiKey),
		"GetApiKeys":    service.Func(s.GetApiKeys),
		"UpdateApiKey":  service.Func(s.UpdateApiKey),
		"DeleteApiKey":  service.Func(s.DeleteApiKey),
		"ImportApiKeys": service.Func(s.ImportApiKeys),

		"CreateUsagePlan":    service.Func(s.CreateUsagePlan),
		"GetUsagePlan":       service.Func(s.GetUsagePlan),
		"GetUsagePlans":      service.Func(s.GetUsagePlans),
		"UpdateUsagePlan":    service.Func(s.UpdateUsagePlan),
		"DeleteUsagePlan":    service.Func(s.DeleteUsagePlan),
		"CreateUsagePlanKey": service.Func(s.CreateUsagePlanKey),
		"GetUsagePlanKey":    service.Func(s.GetUsagePlanKey),
		"GetUsagePlanKeys":   service.Func(s.GetUsagePlanKeys),
		"DeleteUsagePlanKey": service.Func(s.DeleteUsagePlanKey),
		"GetUsage":           service.Func(s.GetUsage),
		"UpdateUsage":        service.Func(s.UpdateUsage),

		"PutGatewayResponse":    service.Func(s.PutGatewayResponse),
		"GetGatewayResponse":    service.Func(s.GetGatewayResponse),
		"GetGatewayResponses":   service.Func(s.GetGatewayResponses),
		"UpdateGatewayResponse": service.Func(s.UpdateGatewayResponse),
		"DeleteGatewayResponse": service.Func(s.DeleteGatewayResponse),

		"CreateModel":            service.Func(s.CreateModel),
		"GetModel":               service.Func(s.GetModel),
		"GetModels":              service.Func(s.GetModels),
		"DeleteModel":            service.Func(s.DeleteModel),
		"CreateRequestValidator": service.Func(s.CreateRequestValidator),
		"GetRequestValidator":    service.Func(s.GetRequestValidator),
		"GetRequestValidators":   service.Func(s.GetRequestValidators),
		"DeleteRequestValidator": service.Func(s.DeleteRequestValidator),

		"CreateAuthorizer": service.Func(s.CreateAuthorizer),
		"GetAuthorizer":    service.Func(s.GetAuthorizer),
		"GetAuthorizers":   service.Func(s.GetAuthorizers),
		"UpdateAuthorizer": service.Func(s.UpdateAuthorizer),
		"DeleteAuthorizer": service.Func(s.DeleteAuthorizer),

		"ImportRestApi": service.Func(s.ImportRestApi),
		"PutRestApi":    service.Func(s.PutRestApi),
		"GetExport":     service.Func(s.GetExport),

		"TestInvokeMethod":          service.Func(s.TestInvokeMethod),
		"GetAccount":                service.Func(s.GetAccount),
		"UpdateAccount":             service.Func(s.UpdateAccount),
		"UpdateIntegrationResponse": service.Func(s.UpdateIntegrationResponse),
		"UpdateRequestValidator":    service.Func(s.UpdateRequestValidator),
		"UpdateModel":               service.Func(s.UpdateModel),

		"CreateDomainName":      service.Func(s.CreateDomainName),
		"GetDomainName":         service.Func(s.GetDomainName),
		"GetDomainNames":        service.Func(s.GetDomainNames),
		"UpdateDomainName":      service.Func(s.UpdateDomainName),
		"DeleteDomainName":      service.Func(s.DeleteDomainName),
		"CreateBasePathMapping": service.Func(s.CreateBasePathMapping),
		"GetBasePathMapping":    service.Func(s.GetBasePathMapping),
		"GetBasePathMappings":   service.Func(s.GetBasePathMappings),
		"UpdateBasePathMapping": service.Func(s.UpdateBasePathMapping),
		"DeleteBasePathMapping": service.Func(s.DeleteBasePathMapping),

		"GetTags":       service.Func(s.GetTags),
		"TagResource":   service.Func(s.TagResource),
		"UntagResource": service.Func(s.UntagResource),
	}
}
