package cloudformation

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gureum/gureum/internal/s3"
)

// REST APIs (API Gateway v1): an API whose Body is an OpenAPI document is built resource by
// resource from its paths and their x-amazon-apigateway-integration; deployments, stages, API
// keys and usage plans.

func init() {
	providers["AWS::ApiGateway::RestApi"] = &provider{
		props: []string{"Name", "Description", "Body", "BodyS3Location", "EndpointConfiguration", "BinaryMediaTypes", "ApiKeySourceType", "Policy", "Tags",
			"FailOnWarnings", "Parameters", "Mode", "MinimumCompressionSize", "DisableExecuteApiEndpoint", "CloneFrom"},
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			def, err := restAPIDefinition(ctx, x, props)
			if err != nil {
				return err
			}
			name := str(props, "Name")
			if name == "" {
				if info := mapOf(definitionInfo(def)); info != nil {
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
			// The definition's own settings, as an import takes them (the properties win).
			ext := definitionExtensions(def)
			if _, ok := props["Policy"]; !ok && ext.Policy != nil {
				in["policy"] = jsonText(ext.Policy)
			}
			if _, ok := props["ApiKeySourceType"]; !ok && ext.KeySource != "" {
				in["apiKeySource"] = ext.KeySource
			}
			if _, ok := props["BinaryMediaTypes"]; !ok && len(ext.Binary) > 0 {
				in["binaryMediaTypes"] = ext.Binary
			}
			if ec, ok := props["EndpointConfiguration"].(map[string]any); ok {
				e := map[string]any{"types": stringsOf(ec["Types"])}
				if ids := stringsOf(ec["VpcEndpointIds"]); len(ids) > 0 {
					e["vpcEndpointIds"] = ids
				}
				in["endpointConfiguration"] = e
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
			return putDefinition(ctx, x, id, props, def)
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			if fmt.Sprint(normal(old["Body"])) == fmt.Sprint(normal(props["Body"])) &&
				fmt.Sprint(normal(old["BodyS3Location"])) == fmt.Sprint(normal(props["BodyS3Location"])) {
				return nil
			}
			def, err := restAPIDefinition(ctx, x, props)
			if err != nil {
				return err
			}
			return putDefinition(ctx, x, r.PhysicalID, props, def)
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
			name := str(props, "UsagePlanName")
			if name == "" {
				name = x.name(128) // CloudFormation names a plan without a UsagePlanName
			}
			in := map[string]any{"name": name, "description": str(props, "Description"), "tags": tagMap(props)}
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

// restAPIDefinition is a RestApi's OpenAPI definition: Body (an object or its text) or the
// object at BodyS3Location, read as the stack's caller; nil without either.
func restAPIDefinition(ctx context.Context, x *exec, props map[string]any) ([]byte, error) {
	switch b := props["Body"].(type) {
	case string:
		return []byte(b), nil
	case map[string]any:
		return json.Marshal(b)
	}
	loc := mapOf(props["BodyS3Location"])
	if loc == nil {
		return nil, nil
	}
	bucket, key := str(loc, "Bucket"), str(loc, "Key")
	if bucket == "" || key == "" {
		return nil, fmt.Errorf("Property BodyS3Location needs Bucket and Key")
	}
	q := url.Values{}
	if v := str(loc, "Version"); v != "" {
		q.Set("versionId", v)
	}
	h := http.Header{}
	if e := str(loc, "ETag"); e != "" {
		h.Set("If-Match", e)
	}
	out, err := x.s.calls.call(ctx, x.stack.Caller, "s3", "GetObject", &s3.ObjectInput{Bucket: bucket, Key: key, Header: h, Query: q})
	if err != nil {
		return nil, fmt.Errorf("Error occurred while GetObject. S3 Bucket: %s, S3 Key: %s: %s", bucket, key, describeError(err))
	}
	body := out.(*s3.GetObjectOutput).Body
	b, err := io.ReadAll(io.LimitReader(body, 10<<20))
	if c, ok := body.(io.Closer); ok {
		c.Close()
	}
	return b, err
}

// definitionInfo is a definition's info object (JSON or YAML), for the API's default name.
func definitionInfo(def []byte) any {
	info, _ := definitionHead(def)
	return info
}

// extensions are a definition's API-wide x-amazon-apigateway-* settings.
type extensions struct {
	Policy    any      `json:"x-amazon-apigateway-policy" yaml:"x-amazon-apigateway-policy"`
	KeySource string   `json:"x-amazon-apigateway-api-key-source" yaml:"x-amazon-apigateway-api-key-source"`
	Binary    []string `json:"x-amazon-apigateway-binary-media-types" yaml:"x-amazon-apigateway-binary-media-types"`
}

func definitionExtensions(def []byte) extensions {
	var e extensions
	if def == nil {
		return e
	}
	if json.Unmarshal(def, &e) != nil {
		yaml.Unmarshal(def, &e)
	}
	return e
}

// definitionHead reads a definition's info object and how many paths it has.
func definitionHead(def []byte) (map[string]any, int) {
	var d struct {
		Info  map[string]any `json:"info" yaml:"info"`
		Paths map[string]any `json:"paths" yaml:"paths"`
	}
	if json.Unmarshal(def, &d) != nil {
		yaml.Unmarshal(def, &d)
	}
	return d.Info, len(d.Paths)
}

// putDefinition builds a definition into a REST API through PutRestApi, as AWS imports a Body:
// resources, methods, integrations, method and integration responses (mode overwrite unless
// the Mode property says merge).
func putDefinition(ctx context.Context, x *exec, api string, props map[string]any, def []byte) error {
	if def == nil {
		return nil
	}
	if _, n := definitionHead(def); n == 0 {
		return nil // nothing to build (PutRestApi refuses a definition without paths)
	}
	mode := strings.ToLower(str(props, "Mode"))
	if mode != "merge" {
		mode = "overwrite"
	}
	_, err := x.call(ctx, "apigateway", "PutRestApi", map[string]any{"restapi_id": api, "Body": def, "mode": mode,
		"failonwarnings": str(props, "FailOnWarnings") == "true"})
	if err != nil {
		return fmt.Errorf("Errors found during import: %s", describeError(err))
	}
	return nil
}
