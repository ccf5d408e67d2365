package cloudformation

import (
	"context"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// HTTP and WebSocket APIs (API Gateway v2): APIs (a Body imported through ImportApi and
// ReimportApi, as AWS does), stages, deployments, routes, integrations, authorizers, domain
// names and API mappings, through apigatewayv2's handlers. Their properties are the API's
// members with a capital first letter, so they are passed on renamed (camel) except for the
// maps whose keys are the user's.

// v2Opaque are the properties whose keys are names of the user's (their values are renamed).
var v2Opaque = map[string]bool{"StageVariables": true, "RequestParameters": true, "RequestTemplates": true, "ResponseParameters": true,
	"RequestModels": true, "RouteSettings": true, "Tags": true}

var (
	v2Bools  = map[string]bool{"apiKeyRequired": true, "autoDeploy": true, "enableSimpleResponses": true, "disableExecuteApiEndpoint": true, "disableSchemaValidation": true, "allowCredentials": true, "dataTraceEnabled": true, "detailedMetricsEnabled": true, "required": true}
	v2Ints   = map[string]bool{"authorizerResultTtlInSeconds": true, "timeoutInMillis": true, "maxAge": true, "throttlingBurstLimit": true}
	v2Floats = map[string]bool{"throttlingRateLimit": true}
)

// v2Camel renames a property value's keys to the API's members (first letter lowered), leaving
// the keys of opaque maps, and turns the text of booleans and numbers into their values.
func v2Camel(key string, v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			if v2Opaque[key] {
				out[k] = v2Camel("", val)
				continue
			}
			out[lowerFirst(k)] = v2Camel(k, val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = v2Camel("", val)
		}
		return out
	case string:
		k := lowerFirst(key)
		switch {
		case v2Bools[k]:
			if b, err := strconv.ParseBool(x); err == nil {
				return b
			}
		case v2Ints[k]:
			if n, err := strconv.Atoi(x); err == nil {
				return n
			}
		case v2Floats[k]:
			if f, err := strconv.ParseFloat(x, 64); err == nil {
				return f
			}
		}
	}
	return v
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// v2Input is props as an apigatewayv2 request, without the properties skip names.
func v2Input(props map[string]any, skip ...string) map[string]any {
	in := map[string]any{}
	for k, v := range props {
		if k == "ApiId" {
			in["apiId"] = v
			continue
		}
		skipped := false
		for _, s := range skip {
			skipped = skipped || s == k
		}
		if !skipped {
			in[lowerFirst(k)] = v2Camel(k, v)
		}
	}
	return in
}

// v2Child is a provider of an API's part (route, integration, authorizer, deployment): made by
// create, changed by update, deleted by del, its id read from the answer's idKey and named
// attr for Fn::GetAtt.
func v2Child(props []string, create, update, del, idKey, idLabel, attr string) *provider {
	return &provider{
		props:   props,
		replace: []string{"ApiId"},
		create: func(ctx context.Context, x *exec, r *resourceState, p map[string]any) error {
			out, err := x.call(ctx, "apigatewayv2", create, v2Input(p))
			if err != nil {
				return err
			}
			r.PhysicalID, _ = out[idKey].(string)
			r.Attrs = map[string]any{attr: r.PhysicalID}
			r.Extra = map[string]string{"ApiId": str(p, "ApiId")}
			return nil
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, p map[string]any) error {
			if update == "" {
				return fmt.Errorf("%s cannot be updated in place", attr)
			}
			in := v2Input(p)
			in[idLabel] = r.PhysicalID
			_, err := x.call(ctx, "apigatewayv2", update, in)
			return err
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			_, err := x.call(ctx, "apigatewayv2", del, map[string]any{"apiId": r.Extra["ApiId"], idLabel: r.PhysicalID})
			return err
		},
	}
}

func init() {
	providers["AWS::ApiGatewayV2::Api"] = &provider{
		props: []string{"Name", "ProtocolType", "Description", "Body", "BodyS3Location", "BasePath", "FailOnWarnings", "CorsConfiguration",
			"CredentialsArn", "DisableSchemaValidation", "DisableExecuteApiEndpoint", "RouteKey", "RouteSelectionExpression",
			"ApiKeySelectionExpression", "Target", "Version", "Tags", "IpAddressType"},
		replace: []string{"ProtocolType"},
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			def, err := restAPIDefinition(ctx, x, props)
			if err != nil {
				return err
			}
			var out map[string]any
			if def != nil {
				out, err = x.call(ctx, "apigatewayv2", "ImportApi", map[string]any{"body": string(def), "basepath": str(props, "BasePath"),
					"failOnWarnings": str(props, "FailOnWarnings") == "true"})
				if err != nil {
					return err
				}
				id, _ := out["apiId"].(string)
				r.PhysicalID = id
				if err := v2UpdateAPI(ctx, x, id, props); err != nil {
					return err
				}
			} else {
				out, err = x.call(ctx, "apigatewayv2", "CreateApi", v2Input(props, "Body", "BodyS3Location", "BasePath", "FailOnWarnings"))
				if err != nil {
					return err
				}
				r.PhysicalID, _ = out["apiId"].(string)
			}
			endpoint, _ := out["apiEndpoint"].(string)
			r.Attrs = map[string]any{"ApiId": r.PhysicalID, "ApiEndpoint": endpoint}
			return nil
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			if fmt.Sprint(normal(old["Body"])) != fmt.Sprint(normal(props["Body"])) ||
				fmt.Sprint(normal(old["BodyS3Location"])) != fmt.Sprint(normal(props["BodyS3Location"])) {
				def, err := restAPIDefinition(ctx, x, props)
				if err != nil {
					return err
				}
				if def != nil {
					if _, err := x.call(ctx, "apigatewayv2", "ReimportApi", map[string]any{"apiId": r.PhysicalID, "body": string(def),
						"basepath": str(props, "BasePath"), "failOnWarnings": str(props, "FailOnWarnings") == "true"}); err != nil {
						return err
					}
				}
			}
			return v2UpdateAPI(ctx, x, r.PhysicalID, props)
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			_, err := x.call(ctx, "apigatewayv2", "DeleteApi", map[string]any{"apiId": r.PhysicalID})
			return err
		},
	}
	providers["AWS::ApiGatewayV2::Route"] = v2Child([]string{"ApiId", "RouteKey", "Target", "AuthorizationType", "AuthorizerId", "AuthorizationScopes",
		"ApiKeyRequired", "OperationName", "RequestModels", "RequestParameters", "RouteResponseSelectionExpression", "ModelSelectionExpression"},
		"CreateRoute", "UpdateRoute", "DeleteRoute", "routeId", "routeId", "RouteId")
	providers["AWS::ApiGatewayV2::Integration"] = v2Child([]string{"ApiId", "IntegrationType", "IntegrationUri", "IntegrationMethod",
		"IntegrationSubtype", "PayloadFormatVersion", "ConnectionId", "ConnectionType", "ContentHandlingStrategy", "CredentialsArn", "Description",
		"PassthroughBehavior", "RequestParameters", "RequestTemplates", "ResponseParameters", "TemplateSelectionExpression", "TimeoutInMillis"},
		"CreateIntegration", "UpdateIntegration", "DeleteIntegration", "integrationId", "integrationId", "IntegrationId")
	providers["AWS::ApiGatewayV2::Authorizer"] = v2Child([]string{"ApiId", "Name", "AuthorizerType", "AuthorizerUri", "AuthorizerCredentialsArn",
		"AuthorizerPayloadFormatVersion", "AuthorizerResultTtlInSeconds", "EnableSimpleResponses", "IdentitySource", "IdentityValidationExpression",
		"JwtConfiguration"},
		"CreateAuthorizer", "UpdateAuthorizer", "DeleteAuthorizer", "authorizerId", "authorizerId", "AuthorizerId")
	dep := v2Child([]string{"ApiId", "Description", "StageName"}, "CreateDeployment", "", "DeleteDeployment", "deploymentId", "deploymentId", "DeploymentId")
	dep.replace = []string{"*"}
	providers["AWS::ApiGatewayV2::Deployment"] = dep
	providers["AWS::ApiGatewayV2::Stage"] = &provider{
		props: []string{"ApiId", "StageName", "DeploymentId", "AutoDeploy", "Description", "StageVariables", "DefaultRouteSettings",
			"RouteSettings", "AccessLogSettings", "ClientCertificateId", "Tags"},
		replace: []string{"ApiId", "StageName"},
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			if _, err := x.call(ctx, "apigatewayv2", "CreateStage", v2Input(props)); err != nil {
				return err
			}
			r.PhysicalID = str(props, "StageName")
			r.Extra = map[string]string{"ApiId": str(props, "ApiId")}
			return nil
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			in := v2Input(props, "Tags", "StageName")
			in["stageName"] = r.PhysicalID
			_, err := x.call(ctx, "apigatewayv2", "UpdateStage", in)
			return err
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			_, err := x.call(ctx, "apigatewayv2", "DeleteStage", map[string]any{"apiId": r.Extra["ApiId"], "stageName": r.PhysicalID})
			return err
		},
	}
	providers["AWS::ApiGatewayV2::DomainName"] = &provider{
		props:   []string{"DomainName", "DomainNameConfigurations", "RoutingMode", "Tags"},
		replace: []string{"*"},
		name:    "DomainName",
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			out, err := x.call(ctx, "apigatewayv2", "CreateDomainName", v2Input(props))
			if err != nil {
				return err
			}
			r.PhysicalID, _ = out["domainName"].(string)
			r.Attrs = map[string]any{"DomainNameArn": out["domainNameArn"]}
			if cs, ok := out["domainNameConfigurations"].([]any); ok && len(cs) > 0 {
				c := mapOf(cs[0])
				r.Attrs["RegionalDomainName"], r.Attrs["RegionalHostedZoneId"] = c["apiGatewayDomainName"], c["hostedZoneId"]
			}
			return nil
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			_, err := x.call(ctx, "apigatewayv2", "DeleteDomainName", map[string]any{"domainName": r.PhysicalID})
			return err
		},
	}
	providers["AWS::ApiGatewayV2::ApiMapping"] = &provider{
		props:   []string{"ApiId", "DomainName", "Stage", "ApiMappingKey"},
		replace: []string{"DomainName"},
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			in := v2Input(props, "DomainName")
			in["domainName"] = str(props, "DomainName")
			out, err := x.call(ctx, "apigatewayv2", "CreateApiMapping", in)
			if err != nil {
				return err
			}
			r.PhysicalID, _ = out["apiMappingId"].(string)
			r.Attrs = map[string]any{"ApiMappingId": r.PhysicalID}
			r.Extra = map[string]string{"DomainName": str(props, "DomainName")}
			return nil
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			in := v2Input(props, "DomainName")
			in["domainName"], in["apiMappingId"] = r.Extra["DomainName"], r.PhysicalID
			_, err := x.call(ctx, "apigatewayv2", "UpdateApiMapping", in)
			return err
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			_, err := x.call(ctx, "apigatewayv2", "DeleteApiMapping", map[string]any{"domainName": r.Extra["DomainName"], "apiMappingId": r.PhysicalID})
			return err
		},
	}
}

// v2UpdateAPI applies an API's own properties (those an import does not set) and its tags.
func v2UpdateAPI(ctx context.Context, x *exec, id string, props map[string]any) error {
	in := v2Input(props, "Body", "BodyS3Location", "BasePath", "FailOnWarnings", "Tags", "ProtocolType", "RouteKey", "Target", "CredentialsArn")
	in["apiId"] = id
	if len(in) > 1 {
		if _, err := x.call(ctx, "apigatewayv2", "UpdateApi", in); err != nil {
			return err
		}
	}
	if tags := tagsOfMap(props["Tags"]); len(tags) > 0 {
		arn := "arn:aws:apigateway:" + x.region() + "::/apis/" + id
		if _, err := x.call(ctx, "apigatewayv2", "TagResource", map[string]any{"resource-arn": arn, "tags": tags}); err != nil {
			return err
		}
	}
	return nil
}
