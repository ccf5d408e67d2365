package sam

import (
	"sort"
	"strings"
)

// restAPI is an AWS::Serverless::Api (or the implicit ServerlessRestApi) being expanded.
type restAPI struct {
	id           string
	def          map[string]any
	props        map[string]any
	body         map[string]any // the OpenAPI document; nil with DefinitionUri
	location     map[string]any // DefinitionUri as a BodyS3Location
	generated    bool           // the body is built from events
	explicitBody bool
	stage        any
	keyRequired  bool // Auth.ApiKeyRequired
	usesKeys     bool
}

var apiProps = map[string]bool{"StageName": true, "DefinitionBody": true, "Name": true, "Description": true, "Auth": true,
	"Variables": true, "EndpointConfiguration": true, "BinaryMediaTypes": true, "Tags": true, "TracingEnabled": true,
	"OpenApiVersion": true, "DefinitionUri": true}

func (a *restAPI) permissionStage() string {
	if s, ok := a.stage.(string); ok {
		return s
	}
	return ""
}

func (x *expander) implicitAPI() *restAPI {
	a := &restAPI{id: "ServerlessRestApi", def: map[string]any{}, props: applyGlobals(x.globals["Api"], map[string]any{}, nil), generated: true, stage: "Prod"}
	a.body = map[string]any{"swagger": "2.0", "info": map[string]any{"version": "1.0", "title": ref("AWS::StackName")}, "paths": map[string]any{}}
	a.readAuth()
	x.apis[a.id] = a
	return a
}

func (a *restAPI) readAuth() {
	if auth, ok := a.props["Auth"].(map[string]any); ok {
		a.keyRequired, _ = auth["ApiKeyRequired"].(bool)
	}
}

// api reads an explicit AWS::Serverless::Api.
func (x *expander) api(id string, def map[string]any) error {
	props, _ := def["Properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
	}
	props = applyGlobals(x.globals["Api"], props, def["IgnoreGlobals"])
	var unknown []string
	for k := range props {
		if !apiProps[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return invalid(id, "gureum does not support these properties of AWS::Serverless::Api: %s.", strings.Join(unknown, ", "))
	}
	if err := checkAuth(id, props); err != nil {
		return err
	}
	stage, ok := props["StageName"]
	if !ok {
		return invalid(id, "Missing required property 'StageName'.")
	}
	a := &restAPI{id: id, def: def, props: props, stage: stage}
	uri, hasURI := props["DefinitionUri"]
	if body, ok := props["DefinitionBody"].(map[string]any); ok {
		if hasURI {
			return invalid(id, "Specify either 'DefinitionUri' or 'DefinitionBody' property and not both.")
		}
		a.body, a.explicitBody = clone(body).(map[string]any), true
	} else if hasURI {
		loc, err := bodyS3Location(id, uri)
		if err != nil {
			return err
		}
		if _, ok := props["Auth"]; ok {
			return invalid(id, "Auth works only with inline Swagger specified in 'DefinitionBody' property.")
		}
		a.location = loc
	} else {
		a.generated = true
		a.body = map[string]any{"swagger": "2.0", "info": map[string]any{"version": "1.0", "title": ref("AWS::StackName")}, "paths": map[string]any{}}
	}
	a.readAuth()
	x.apis[id] = a
	return nil
}

// finishAPIs writes each API's RestApi, Deployment and Stage (and usage plan).
func (x *expander) finishAPIs() error {
	ids := make([]string, 0, len(x.apis))
	for id := range x.apis {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		a := x.apis[id]
		if a.body != nil && (a.usesKeys || a.keyRequired) {
			sd, _ := a.body["securityDefinitions"].(map[string]any)
			if sd == nil {
				sd = map[string]any{}
				a.body["securityDefinitions"] = sd
			}
			sd["api_key"] = map[string]any{"type": "apiKey", "name": "x-api-key", "in": "header"}
		}
		rest := map[string]any{"BodyS3Location": a.location}
		if a.body != nil {
			a.resourcePolicy()
			rest = map[string]any{"Body": a.body}
		}
		copyProps(a.props, rest, "Name", "Description", "BinaryMediaTypes")
		if ec, ok := a.props["EndpointConfiguration"]; ok {
			if s, isStr := ec.(string); isStr {
				rest["EndpointConfiguration"] = map[string]any{"Types": []any{s}}
			} else {
				rest["EndpointConfiguration"] = ec
			}
		}
		if tm, ok := a.props["Tags"].(map[string]any); ok {
			rest["Tags"] = tagsOf(tm)
		}
		x.out[id] = resourceAttrs(a.def, map[string]any{"Type": "AWS::ApiGateway::RestApi", "Properties": rest})
		h := sha1hex(pyJSON(a.body))
		if a.body == nil {
			h = sha1hex(pyJSON(a.location))
		}
		dep := id + "Deployment" + h[:10]
		x.out[dep] = map[string]any{"Type": "AWS::ApiGateway::Deployment", "Properties": map[string]any{"RestApiId": ref(id),
			"Description": "RestApi deployment id: " + h, "StageName": "Stage"}}
		stageID := id + a.permissionStage() + "Stage"
		stage := map[string]any{"DeploymentId": ref(dep), "RestApiId": ref(id), "StageName": a.stage}
		copyProps(a.props, stage, "Variables", "TracingEnabled")
		if tm, ok := a.props["Tags"].(map[string]any); ok {
			stage["Tags"] = tagsOf(tm)
		}
		x.out[stageID] = map[string]any{"Type": "AWS::ApiGateway::Stage", "Properties": stage}
		if x.aliases == nil {
			x.aliases = map[string]string{}
		}
		x.aliases[id+".Stage"], x.aliases[id+".Deployment"] = stageID, dep
		if err := x.usagePlan(a, stageID); err != nil {
			return err
		}
	}
	return nil
}

// usagePlan adds a PER_API usage plan with its key (Auth.UsagePlan.CreateUsagePlan).
func (x *expander) usagePlan(a *restAPI, stageID string) error {
	auth, _ := a.props["Auth"].(map[string]any)
	up, _ := auth["UsagePlan"].(map[string]any)
	if up == nil {
		return nil
	}
	switch up["CreateUsagePlan"] {
	case "NONE":
		return nil
	case "SHARED":
		x.sharedUsagePlan(a, stageID, up)
		return nil
	case "PER_API":
	default:
		return invalid(a.id, "'CreateUsagePlan' accepts one of ['SHARED', 'PER_API', 'NONE'].")
	}
	plan := map[string]any{"ApiStages": []any{map[string]any{"ApiId": ref(a.id), "Stage": ref(stageID)}}}
	copyProps(up, plan, "Description", "Quota", "Throttle", "UsagePlanName", "Tags")
	x.out[a.id+"UsagePlan"] = map[string]any{"Type": "AWS::ApiGateway::UsagePlan", "DependsOn": []any{a.id}, "Properties": plan}
	x.out[a.id+"ApiKey"] = map[string]any{"Type": "AWS::ApiGateway::ApiKey", "DependsOn": []any{a.id + "UsagePlan"},
		"Properties": map[string]any{"Enabled": true, "StageKeys": []any{map[string]any{"RestApiId": ref(a.id), "StageName": ref(stageID)}}}}
	x.out[a.id+"UsagePlanKey"] = map[string]any{"Type": "AWS::ApiGateway::UsagePlanKey", "DependsOn": []any{a.id + "ApiKey"},
		"Properties": map[string]any{"KeyId": ref(a.id + "ApiKey"), "KeyType": "API_KEY", "UsagePlanId": ref(a.id + "UsagePlan")}}
	return nil
}

func tagsOf(tm map[string]any) []any {
	keys := make([]string, 0, len(tm))
	for k := range tm {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []any
	for _, k := range keys {
		out = append(out, map[string]any{"Key": k, "Value": tm[k]})
	}
	return out
}
