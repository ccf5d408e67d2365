package cloudformation

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// REST APIs (API Gateway v1): an API whose Body is an OpenAPI document is built resource by
// resource from its paths and their x-amazon-apigateway-integration; deployments, stages, API
// keys and usage plans.

func init() {
	providers["AWS::ApiGateway::RestApi"] = &provider{
		props: []string{"Name", "Description", "Body", "EndpointConfiguration", "BinaryMediaTypes", "ApiKeySourceType", "Policy", "Tags",
			"FailOnWarnings", "Parameters", "Mode", "MinimumCompressionSize", "DisableExecuteApiEndpoint"},
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			name := str(props, "Name")
			if name == "" {
				if info, ok := mapOf(props["Body"])["info"].(map[string]any); ok {
					name = str(info, "title")
				}
			}
			if name == "" {
				name = x.logical
			}
			in := map[string]any{"name": name, "description": str(props, "Description"), "tags": tagMap(props),
				"binaryMediaTypes": stringsOf(props["BinaryMediaTypes"]), "apiKeySource": str(props, "ApiKeySourceType")}
			if p, ok := props["Policy"]; ok {
				in["policy"] = jsonText(p)
			}
			if ec, ok := props["EndpointConfiguration"].(map[string]any); ok {
				in["endpointConfiguration"] = map[string]any{"types": stringsOf(ec["Types"])}
			}
			out, err := x.call(ctx, "apigateway", "CreateRestApi", in)
			if err != nil {
				return err
			}
			id, _ := out["id"].(string)
			r.PhysicalID = id
			root, err := rootResource(ctx, x, id)
			if err != nil {
				return err
			}
			r.Attrs = map[string]any{"RestApiId": id, "RootResourceId": root}
			if body := mapOf(props["Body"]); body != nil {
				return importPaths(ctx, x, id, root, body)
			}
			return nil
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			if fmt.Sprint(normal(old["Body"])) == fmt.Sprint(normal(props["Body"])) {
				return nil
			}
			root, _ := r.Attrs["RootResourceId"].(string)
			out, err := x.call(ctx, "apigateway", "GetResources", map[string]any{"restapi_id": r.PhysicalID, "limit": 500})
			if err != nil {
				return err
			}
			items, _ := out["item"].([]any)
			for _, it := range items {
				m, _ := it.(map[string]any)
				if m["parentId"] == root {
					if _, err := x.call(ctx, "apigateway", "DeleteResource", map[string]any{"restapi_id": r.PhysicalID, "resource_id": m["id"]}); err != nil && !notFound(err) {
						return err
					}
				}
			}
			for _, m := range []string{"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY"} {
				x.call(ctx, "apigateway", "DeleteMethod", map[string]any{"restapi_id": r.PhysicalID, "resource_id": root, "http_method": m})
			}
			if body := mapOf(props["Body"]); body != nil {
				return importPaths(ctx, x, r.PhysicalID, root, body)
			}
			return nil
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			_, err := x.call(ctx, "apigateway", "DeleteRestApi", map[string]any{"restapi_id": r.PhysicalID})
			return err
		},
	}
	providers["AWS::ApiGateway::Deployment"] = &provider{
		props:   []string{"RestApiId", "Description", "StageName", "StageDescription"},
		replace: []string{"*"},
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			out, err := x.call(ctx, "apigateway", "CreateDeployment", map[string]any{"restapi_id": str(props, "RestApiId"),
				"description": str(props, "Description"), "stageName": str(props, "StageName")})
			if err != nil {
				return err
			}
			r.PhysicalID, _ = out["id"].(string)
			r.Attrs = map[string]any{"DeploymentId": r.PhysicalID}
			r.Extra = map[string]string{"RestApiId": str(props, "RestApiId"), "StageName": str(props, "StageName")}
			return nil
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			if st := r.Extra["StageName"]; st != "" {
				x.call(ctx, "apigateway", "DeleteStage", map[string]any{"restapi_id": r.Extra["RestApiId"], "stage_name": st})
			}
			_, err := x.call(ctx, "apigateway", "DeleteDeployment", map[string]any{"restapi_id": r.Extra["RestApiId"], "deployment_id": r.PhysicalID})
			return err
		},
	}
	providers["AWS::ApiGateway::Stage"] = &provider{
		props:   []string{"RestApiId", "StageName", "DeploymentId", "Description", "Variables", "TracingEnabled", "Tags", "CacheClusterEnabled"},
		replace: []string{"RestApiId", "StageName"},
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			_, err := x.call(ctx, "apigateway", "CreateStage", map[string]any{"restapi_id": str(props, "RestApiId"), "stageName": str(props, "StageName"),
				"deploymentId": str(props, "DeploymentId"), "description": str(props, "Description"), "variables": tagsOfMap(props["Variables"]),
				"tags": tagMap(props)})
			if err != nil {
				return err
			}
			r.PhysicalID = str(props, "StageName")
			r.Extra = map[string]string{"RestApiId": str(props, "RestApiId")}
			return nil
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			var ops []map[string]any
			if str(old, "DeploymentId") != str(props, "DeploymentId") {
				ops = append(ops, map[string]any{"op": "replace", "path": "/deploymentId", "value": str(props, "DeploymentId")})
			}
			if str(old, "Description") != str(props, "Description") {
				ops = append(ops, map[string]any{"op": "replace", "path": "/description", "value": str(props, "Description")})
			}
			vars, was := tagsOfMap(props["Variables"]), tagsOfMap(old["Variables"])
			for k, v := range vars {
				if was[k] != v {
					ops = append(ops, map[string]any{"op": "replace", "path": "/variables/" + k, "value": v})
				}
			}
			for k := range was {
				if _, ok := vars[k]; !ok {
					ops = append(ops, map[string]any{"op": "remove", "path": "/variables/" + k})
				}
			}
			if len(ops) == 0 {
				return nil
			}
			_, err := x.call(ctx, "apigateway", "UpdateStage", map[string]any{"restapi_id": str(props, "RestApiId"), "stage_name": r.PhysicalID, "patchOperations": ops})
			return err
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			_, err := x.call(ctx, "apigateway", "DeleteStage", map[string]any{"restapi_id": r.Extra["RestApiId"], "stage_name": r.PhysicalID})
			return err
		},
	}
	providers["AWS::ApiGateway::ApiKey"] = &provider{
		props:   []string{"Name", "Description", "Enabled", "Value", "StageKeys", "GenerateDistinctId", "CustomerId", "Tags"},
		replace: []string{"*"},
		name:    "Name",
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			name := str(props, "Name")
			if name == "" {
				name = x.name(128)
			}
			var stageKeys []map[string]any
			for _, sk := range sliceOfMaps(props["StageKeys"]) {
				stageKeys = append(stageKeys, map[string]any{"restApiId": str(sk, "RestApiId"), "stageName": str(sk, "StageName")})
			}
			out, err := x.call(ctx, "apigateway", "CreateApiKey", map[string]any{"name": name, "description": str(props, "Description"),
				"enabled": str(props, "Enabled") == "true", "value": str(props, "Value"), "stageKeys": stageKeys,
				"customerId": str(props, "CustomerId"), "tags": tagMap(props)})
			if err != nil {
				return err
			}
			r.PhysicalID, _ = out["id"].(string)
			r.Attrs = map[string]any{"APIKeyId": r.PhysicalID}
			return nil
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			_, err := x.call(ctx, "apigateway", "DeleteApiKey", map[string]any{"api_Key": r.PhysicalID})
			return err
		},
	}
	providers["AWS::ApiGateway::UsagePlan"] = &provider{
		props:   []string{"UsagePlanName", "Description", "ApiStages", "Throttle", "Quota", "Tags"},
		replace: []string{"*"},
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			in := map[string]any{"name": str(props, "UsagePlanName"), "description": str(props, "Description"), "tags": tagMap(props)}
			var stages []map[string]any
			for _, st := range sliceOfMaps(props["ApiStages"]) {
				stages = append(stages, map[string]any{"apiId": str(st, "ApiId"), "stage": str(st, "Stage")})
			}
			in["apiStages"] = stages
			if t := mapOf(props["Throttle"]); t != nil {
				in["throttle"] = map[string]any{"burstLimit": t["BurstLimit"], "rateLimit": t["RateLimit"]}
			}
			if q := mapOf(props["Quota"]); q != nil {
				in["quota"] = map[string]any{"limit": q["Limit"], "period": str(q, "Period"), "offset": q["Offset"]}
			}
			out, err := x.call(ctx, "apigateway", "CreateUsagePlan", in)
			if err != nil {
				return err
			}
			r.PhysicalID, _ = out["id"].(string)
			r.Attrs = map[string]any{"Id": r.PhysicalID}
			return nil
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			_, err := x.call(ctx, "apigateway", "DeleteUsagePlan", map[string]any{"usageplanId": r.PhysicalID})
			return err
		},
	}
	providers["AWS::ApiGateway::UsagePlanKey"] = &provider{
		props:   []string{"KeyId", "KeyType", "UsagePlanId"},
		replace: []string{"*"},
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			_, err := x.call(ctx, "apigateway", "CreateUsagePlanKey", map[string]any{"usageplanId": str(props, "UsagePlanId"),
				"keyId": str(props, "KeyId"), "keyType": str(props, "KeyType")})
			if err != nil {
				return err
			}
			r.PhysicalID = str(props, "UsagePlanId") + ":" + str(props, "KeyId")
			return nil
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			plan, key, _ := strings.Cut(r.PhysicalID, ":")
			_, err := x.call(ctx, "apigateway", "DeleteUsagePlanKey", map[string]any{"usageplanId": plan, "keyId": key})
			return err
		},
	}
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func sliceOfMaps(v any) []map[string]any {
	l, _ := v.([]any)
	var out []map[string]any
	for _, x := range l {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func rootResource(ctx context.Context, x *exec, api string) (string, error) {
	out, err := x.call(ctx, "apigateway", "GetResources", map[string]any{"restapi_id": api, "limit": 500})
	if err != nil {
		return "", err
	}
	items, _ := out["item"].([]any)
	for _, it := range items {
		m, _ := it.(map[string]any)
		if m["path"] == "/" {
			id, _ := m["id"].(string)
			return id, nil
		}
	}
	return "", fmt.Errorf("REST API %s has no root resource", api)
}

// importPaths builds an OpenAPI document's paths into a REST API: resources, methods (an
// api_key security requirement requires an API key) and integrations.
func importPaths(ctx context.Context, x *exec, api, root string, body map[string]any) error {
	paths := mapOf(body["paths"])
	ids := map[string]string{"/": root}
	keys := make([]string, 0, len(paths))
	for p := range paths {
		keys = append(keys, p)
	}
	sort.Strings(keys)
	for _, path := range keys {
		id, err := ensureResource(ctx, x, api, ids, path)
		if err != nil {
			return err
		}
		methods := mapOf(paths[path])
		for _, verb := range sortedKeys(methods) {
			op := mapOf(methods[verb])
			httpMethod := strings.ToUpper(verb)
			if verb == "x-amazon-apigateway-any-method" {
				httpMethod = "ANY"
			} else if strings.HasPrefix(verb, "x-") || op == nil {
				continue
			}
			apiKey := false
			for _, sec := range sliceOfMaps(op["security"]) {
				if _, ok := sec["api_key"]; ok {
					apiKey = true
				}
			}
			if _, err := x.call(ctx, "apigateway", "PutMethod", map[string]any{"restapi_id": api, "resource_id": id, "http_method": httpMethod,
				"authorizationType": "NONE", "apiKeyRequired": apiKey}); err != nil {
				return fmt.Errorf("PutMethod %s %s: %w", httpMethod, path, err)
			}
			integ := mapOf(op["x-amazon-apigateway-integration"])
			if integ == nil {
				continue
			}
			in := map[string]any{"restapi_id": api, "resource_id": id, "http_method": httpMethod, "type": strings.ToUpper(str(integ, "type")),
				"httpMethod": strings.ToUpper(str(integ, "httpMethod")), "uri": str(integ, "uri"), "credentials": str(integ, "credentials"),
				"passthroughBehavior": strings.ToUpper(str(integ, "passthroughBehavior")), "requestTemplates": tagsOfMap(integ["requestTemplates"]),
				"requestParameters": tagsOfMap(integ["requestParameters"])}
			if _, err := x.call(ctx, "apigateway", "PutIntegration", in); err != nil {
				return fmt.Errorf("PutIntegration %s %s: %w", httpMethod, path, err)
			}
		}
	}
	return nil
}

func ensureResource(ctx context.Context, x *exec, api string, ids map[string]string, path string) (string, error) {
	path = "/" + strings.Trim(path, "/")
	if id, ok := ids[path]; ok {
		return id, nil
	}
	i := strings.LastIndex(path, "/")
	parentPath := path[:i]
	if parentPath == "" {
		parentPath = "/"
	}
	parent, err := ensureResource(ctx, x, api, ids, parentPath)
	if err != nil {
		return "", err
	}
	out, err := x.call(ctx, "apigateway", "CreateResource", map[string]any{"restapi_id": api, "parent_id": parent, "pathPart": path[i+1:]})
	if err != nil {
		return "", fmt.Errorf("CreateResource %s: %w", path, err)
	}
	id, _ := out["id"].(string)
	ids[path] = id
	return id, nil
}
