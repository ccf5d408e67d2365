package sam

import (
	"regexp"
	"sort"
	"strings"
)

// HTTP APIs: AWS::Serverless::HttpApi, the implicit ServerlessHttpApi of HttpApi events, and
// those events. Each API is an AWS::ApiGatewayV2::Api whose OpenAPI 3 Body holds its routes
// and a stage that deploys automatically ($default unless StageName is given).

type httpAPI struct {
	id    string
	def   map[string]any
	props map[string]any
	body  map[string]any
	perms []httpPermission // added once every event is in the body
}

// httpPermission is an event's Lambda permission, written after the API's body is complete
// (the translator leaves it out when the function also has the API's $default route).
type httpPermission struct {
	f          *fn
	name, path string
	method     string
	uri        any
}

var httpAPIProps = map[string]bool{"StageName": true, "Name": true, "Description": true, "Tags": true, "StageVariables": true,
	"CorsConfiguration": true, "FailOnWarnings": true, "DisableExecuteApiEndpoint": true, "DefaultRouteSettings": true,
	"RouteSettings": true, "AccessLogSettings": true}

func (x *expander) newHTTPAPI(id string, def, props map[string]any) *httpAPI {
	info := map[string]any{"version": "1.0", "title": ref("AWS::StackName")}
	if n, ok := props["Name"]; ok {
		info["title"] = n
	}
	if d, ok := props["Description"]; ok {
		info["description"] = d
	}
	a := &httpAPI{id: id, def: def, props: props, body: map[string]any{"openapi": "3.0.1", "info": info, "paths": map[string]any{}}}
	if x.httpAPIs == nil {
		x.httpAPIs = map[string]*httpAPI{}
	}
	x.httpAPIs[id] = a
	return a
}

// httpAPI reads an explicit AWS::Serverless::HttpApi.
func (x *expander) httpAPI(id string, def map[string]any) error {
	props, _ := def["Properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
	}
	props = applyGlobals(x.globals["HttpApi"], props, def["IgnoreGlobals"])
	var unknown []string
	for k := range props {
		if !httpAPIProps[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return invalid(id, "gureum does not support these properties of AWS::Serverless::HttpApi: %s.", strings.Join(unknown, ", "))
	}
	x.newHTTPAPI(id, def, props)
	return nil
}

var httpPathParam = regexp.MustCompile(`\{(.*?)\}`)

// httpEvent adds an HttpApi event's route to its API (ServerlessHttpApi unless ApiId names
// one) and records its permission.
func (x *expander) httpEvent(f *fn, name string, props map[string]any) error {
	apiID := "ServerlessHttpApi"
	if v, ok := props["ApiId"]; ok {
		r, _ := v.(map[string]any)
		apiID, _ = r["Ref"].(string)
		if x.httpAPIs[apiID] == nil {
			return invalid(f.id, "Event with id [%s] is invalid. ApiId must be a valid reference to an 'AWS::Serverless::HttpApi' resource in same template.", name)
		}
	}
	a := x.httpAPIs[apiID]
	if a == nil {
		a = x.newHTTPAPI(apiID, map[string]any{}, applyGlobals(x.globals["HttpApi"], map[string]any{}, nil))
	}
	path, _ := props["Path"].(string)
	method, _ := props["Method"].(string)
	if _, ok := props["Path"]; !ok {
		path, method = "$default", "x-amazon-apigateway-any-method"
	} else if path == "" || method == "" {
		return invalid(f.id, "Event with id [%s] is invalid. Event is missing key 'Path' or 'Method'.", name)
	}
	method = strings.ToLower(method)
	if method == "any" {
		method = "x-amazon-apigateway-any-method"
	}
	uri := "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${" + f.id + ".Arn}/invocations"
	if r, _ := f.target.(map[string]any)["Ref"].(string); r != f.id {
		uri = "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${" + r + "}/invocations"
	}
	integ := map[string]any{"type": "aws_proxy", "httpMethod": "POST", "uri": sub(uri), "payloadFormatVersion": "2.0"}
	if v, ok := props["PayloadFormatVersion"]; ok {
		integ["payloadFormatVersion"] = v
	}
	if v, ok := props["TimeoutInMillis"]; ok {
		integ["timeoutInMillis"] = v
	}
	op := map[string]any{"x-amazon-apigateway-integration": integ, "responses": map[string]any{}}
	if path == "$default" {
		op["isDefaultRoute"] = true
	}
	var params []any
	for _, m := range httpPathParam.FindAllStringSubmatch(path, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true})
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	paths := a.body["paths"].(map[string]any)
	pm, _ := paths[path].(map[string]any)
	if pm == nil {
		pm = map[string]any{}
		paths[path] = pm
	}
	if _, dup := pm[method]; dup {
		return invalid(f.id, "Event with id [%s] is invalid. API method '%s' defined multiple times for path '%s'.", name, method, path)
	}
	pm[method] = op
	a.perms = append(a.perms, httpPermission{f: f, name: name, path: path, method: method, uri: integ["uri"]})
	return nil
}

// finishHTTPAPIs writes each HTTP API, its stage and its events' permissions.
func (x *expander) finishHTTPAPIs() error {
	ids := make([]string, 0, len(x.httpAPIs))
	for id := range x.httpAPIs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		a := x.httpAPIs[id]
		var tags []any
		stageTags := map[string]any{}
		if tm, ok := a.props["Tags"].(map[string]any); ok {
			keys := make([]string, 0, len(tm))
			for k := range tm {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				tags = append(tags, map[string]any{"name": k, "x-amazon-apigateway-tag-value": tm[k]})
				stageTags[k] = tm[k]
			}
		}
		tags = append(tags, map[string]any{"name": "httpapi:createdBy", "x-amazon-apigateway-tag-value": "SAM"})
		stageTags["httpapi:createdBy"] = "SAM"
		a.body["tags"] = tags
		switch c := a.props["CorsConfiguration"].(type) {
		case nil:
		case bool:
			if c {
				a.body["x-amazon-apigateway-cors"] = map[string]any{"allowOrigins": []any{"*"}}
			}
		case map[string]any:
			cors := map[string]any{}
			for k, v := range c {
				if k != "" {
					k = strings.ToLower(k[:1]) + k[1:]
				}
				cors[k] = v
			}
			a.body["x-amazon-apigateway-cors"] = cors
		default:
			return invalid(id, "gureum supports CorsConfiguration as true or a map.")
		}
		if d, ok := a.props["DisableExecuteApiEndpoint"]; ok {
			a.body["servers"] = []any{map[string]any{"x-amazon-apigateway-endpoint-configuration": map[string]any{"disableExecuteApiEndpoint": d}}}
		}
		api := map[string]any{"Body": a.body}
		copyProps(a.props, api, "FailOnWarnings")
		x.out[id] = resourceAttrs(a.def, map[string]any{"Type": "AWS::ApiGatewayV2::Api", "Properties": api})
		stageName, ok := a.props["StageName"]
		stageID := id + "ApiGatewayDefaultStage"
		if ok {
			s, _ := stageName.(string)
			stageID = id + s + "Stage"
		} else {
			stageName = "$default"
		}
		stage := map[string]any{"ApiId": ref(id), "StageName": stageName, "Tags": stageTags, "AutoDeploy": true}
		copyProps(a.props, stage, "StageVariables", "DefaultRouteSettings", "RouteSettings", "AccessLogSettings")
		x.out[stageID] = map[string]any{"Type": "AWS::ApiGatewayV2::Stage", "Properties": stage}
		if x.aliases == nil {
			x.aliases = map[string]string{}
		}
		x.aliases[id+".Stage"] = stageID

		// A function with the $default route is allowed everything; its other routes need no
		// permission of their own.
		var def any
		if d, ok := a.body["paths"].(map[string]any)["$default"].(map[string]any); ok {
			if op, ok := d["x-amazon-apigateway-any-method"].(map[string]any); ok {
				def = op["x-amazon-apigateway-integration"].(map[string]any)["uri"]
			}
		}
		for _, p := range a.perms {
			path := p.path
			if path == "$default" {
				path = ""
			} else if def != nil && pyJSON(def) == pyJSON(p.uri) {
				continue
			}
			if len(path) > 1 {
				path = strings.TrimSuffix(path, "/")
			}
			path = httpPathParam.ReplaceAllString(path, "*")
			method := strings.ToUpper(p.method)
			if p.method == "x-amazon-apigateway-any-method" {
				method = "*"
			}
			x.permission(p.f, p.f.id+p.name+"Permission", "apigateway.amazonaws.com", map[string]any{"SourceArn": map[string]any{
				"Fn::Sub": []any{"arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/${__Stage__}/" + method + path,
					map[string]any{"__ApiId__": ref(id), "__Stage__": "*"}}}})
		}
		// With FailOnWarnings the $default route is written /$default, which the import takes
		// without a warning.
		if a.props["FailOnWarnings"] == true {
			paths := a.body["paths"].(map[string]any)
			if d, ok := paths["$default"]; ok {
				delete(paths, "$default")
				paths["/$default"] = d
			}
		}
	}
	return nil
}
