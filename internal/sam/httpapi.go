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
	body  map[string]any // nil with DefinitionUri
	// explicit: the body is the template's DefinitionBody, whose integrations events keep.
	explicit bool
	perms    []httpPermission // added once every event is in the body
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
	"RouteSettings": true, "AccessLogSettings": true, "Auth": true, "Domain": true, "DefinitionBody": true, "DefinitionUri": true}

func (x *expander) newHTTPAPI(id string, def, props map[string]any) *httpAPI {
	a := &httpAPI{id: id, def: def, props: props}
	switch b := props["DefinitionBody"].(type) {
	case map[string]any:
		a.body, a.explicit = clone(b).(map[string]any), true
		if _, ok := a.body["paths"].(map[string]any); !ok {
			a.body["paths"] = map[string]any{}
		}
	case nil:
		if _, ok := props["DefinitionUri"]; !ok {
			a.body = map[string]any{"openapi": "3.0.1", "info": map[string]any{"version": "1.0", "title": ref("AWS::StackName")}, "paths": map[string]any{}}
		}
	}
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
	_, hasBody := props["DefinitionBody"]
	uri, hasURI := props["DefinitionUri"]
	switch {
	case hasBody && hasURI:
		return invalid(id, "Specify either 'DefinitionUri' or 'DefinitionBody' property and not both.")
	case hasBody:
		if _, ok := props["DefinitionBody"].(map[string]any); !ok {
			return invalid(id, "Property 'DefinitionBody' should be a map.")
		}
	case hasURI:
		if _, err := bodyS3Location(id, uri); err != nil {
			return err
		}
	}
	x.newHTTPAPI(id, def, props)
	return nil
}

// bodyS3Location is a DefinitionUri (s3://bucket/key[?versionId=v] or {Bucket, Key, Version})
// as a BodyS3Location.
func bodyS3Location(id string, uri any) (map[string]any, error) {
	switch u := uri.(type) {
	case map[string]any:
		if u["Bucket"] == nil || u["Key"] == nil {
			return nil, invalid(id, "'DefinitionUri' requires Bucket and Key properties to be specified.")
		}
		out := map[string]any{"Bucket": u["Bucket"], "Key": u["Key"]}
		if v, ok := u["Version"]; ok {
			out["Version"] = v
		}
		return out, nil
	case string:
		if loc := parseS3URI(u); loc != nil {
			return loc, nil
		}
	}
	return nil, invalid(id, "'DefinitionUri' is not a valid S3 Uri of the form 's3://bucket/key' with optional versionId query parameter.")
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
	a.perms = append(a.perms, httpPermission{f: f, name: name, path: path, method: method, uri: integ["uri"]})
	if a.body == nil {
		return nil // DefinitionUri: the routes are the document's
	}
	paths := a.body["paths"].(map[string]any)
	pm, _ := paths[path].(map[string]any)
	if pm == nil {
		pm = map[string]any{}
		paths[path] = pm
	}
	if old, dup := pm[method].(map[string]any); dup {
		if !a.explicit {
			return invalid(f.id, "Event with id [%s] is invalid. API method '%s' defined multiple times for path '%s'.", name, method, path)
		}
		if old["x-amazon-apigateway-integration"] != nil {
			op = old // an integration of the DefinitionBody's own is kept
		} else {
			for k, v := range op {
				old[k] = v
			}
			op = old
		}
	}
	pm[method] = op
	if auth, ok := props["Auth"]; ok && auth != nil {
		am, ok := auth.(map[string]any)
		if !ok {
			return invalid(f.id, "Event with id [%s] is invalid. Property 'Auth' should be a map.", name)
		}
		return x.routeAuth(f, name, a, op, path, method, am)
	}
	return nil
}

// parseS3URI reads s3://bucket/key[?versionId=v] as {Bucket, Key[, Version]}; nil if it is not one.
func parseS3URI(u string) map[string]any {
	rest, ok := strings.CutPrefix(u, "s3://")
	bucket, key, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || bucket == "" || key == "" {
		return nil
	}
	if k, v, found := strings.Cut(key, "?versionId="); found {
		return map[string]any{"Bucket": bucket, "Key": k, "Version": v}
	}
	return map[string]any{"Bucket": bucket, "Key": key}
}

// finishHTTPAPIs writes each HTTP API, its stage, domain and its events' permissions.
func (x *expander) finishHTTPAPIs() error {
	ids := make([]string, 0, len(x.httpAPIs))
	for id := range x.httpAPIs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if err := x.finishHTTPAPI(x.httpAPIs[id]); err != nil {
			return err
		}
	}
	return nil
}

// httpAPITags are the API's tags (with SAM's httpapi:createdBy) as the body's tag list and as
// the stage's map; nil without a body.
func (a *httpAPI) tags() ([]any, map[string]any, error) {
	tm, _ := a.props["Tags"].(map[string]any)
	if a.body == nil {
		if len(tm) > 0 {
			return nil, nil, invalid(a.id, "Tags works only with inline OpenApi specified in the 'DefinitionBody' property.")
		}
		return nil, nil, nil
	}
	tags, _ := a.body["tags"].([]any)
	stageTags := map[string]any{}
	keys := make([]string, 0, len(tm))
	for k := range tm {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	keys = append(keys, "httpapi:createdBy")
	for _, k := range keys {
		v := tm[k]
		if k == "httpapi:createdBy" {
			v = "SAM"
		}
		stageTags[k] = v
		found := false
		for _, t := range tags {
			if tag, _ := t.(map[string]any); tag != nil && tag["name"] == k {
				tag["x-amazon-apigateway-tag-value"], found = v, true
			}
		}
		if !found {
			tags = append(tags, map[string]any{"name": k, "x-amazon-apigateway-tag-value": v})
		}
	}
	return tags, stageTags, nil
}

// info sets the body's title and description from Name and Description, as the translator's
// _add_title and _add_description do.
func (a *httpAPI) info() error {
	for _, p := range []struct{ prop, field, name string }{{"Name", "title", "Name"}, {"Description", "description", "Description"}} {
		v, ok := a.props[p.prop]
		if !ok || v == nil {
			continue
		}
		if a.body == nil {
			return invalid(a.id, "%s works only with inline OpenApi specified in the 'DefinitionBody' property.", p.name)
		}
		info, _ := a.body["info"].(map[string]any)
		if info == nil {
			info = map[string]any{}
			a.body["info"] = info
		}
		cur, has := info[p.field] // the generated body's title is {"Ref": "AWS::StackName"}
		if p.field == "title" && pyJSON(cur) != pyJSON(ref("AWS::StackName")) ||
			p.field == "description" && has && cur != nil && cur != "" {
			return invalid(a.id, "Unable to set %s because it is already defined within inline OpenAPI specified in the 'DefinitionBody' property.", p.name)
		}
		info[p.field] = v
	}
	return nil
}

func (x *expander) finishHTTPAPI(a *httpAPI) error {
	id := a.id
	if a.body == nil {
		if _, ok := a.props["CorsConfiguration"]; ok {
			return invalid(id, "Cors works only with inline OpenApi specified in the 'DefinitionBody' property.")
		}
		if _, ok := a.props["DisableExecuteApiEndpoint"]; ok {
			return invalid(id, "DisableExecuteApiEndpoint works only within 'DefinitionBody' property.")
		}
	}
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
	if err := x.applyHTTPAuth(a); err != nil {
		return err
	}
	tags, stageTags, err := a.tags()
	if err != nil {
		return err
	}
	if a.body != nil {
		a.body["tags"] = tags
	}
	if d, ok := a.props["DisableExecuteApiEndpoint"]; ok {
		a.body["servers"] = []any{map[string]any{"x-amazon-apigateway-endpoint-configuration": map[string]any{"disableExecuteApiEndpoint": d}}}
	}
	if err := a.info(); err != nil {
		return err
	}
	api := map[string]any{}
	if a.body != nil {
		api["Body"] = a.body
	} else {
		loc, err := bodyS3Location(id, a.props["DefinitionUri"])
		if err != nil {
			return err
		}
		api["BodyS3Location"] = loc
	}
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
	stage := map[string]any{"ApiId": ref(id), "StageName": stageName, "AutoDeploy": true}
	if stageTags != nil {
		stage["Tags"] = stageTags
	}
	copyProps(a.props, stage, "StageVariables", "DefaultRouteSettings", "RouteSettings", "AccessLogSettings")
	x.out[stageID] = map[string]any{"Type": "AWS::ApiGatewayV2::Stage", "Properties": stage}
	if x.aliases == nil {
		x.aliases = map[string]string{}
	}
	x.aliases[id+".Stage"] = stageID
	if err := x.httpDomain(a, stageID, stageTags); err != nil {
		return err
	}

	// A function with the $default route is allowed everything; its other routes need no
	// permission of their own.
	var def any
	paths, _ := a.body["paths"].(map[string]any)
	if d, ok := paths["$default"].(map[string]any); ok {
		if op, ok := d["x-amazon-apigateway-any-method"].(map[string]any); ok {
			if integ, ok := op["x-amazon-apigateway-integration"].(map[string]any); ok {
				def = integ["uri"]
			}
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
	if a.props["FailOnWarnings"] == true && paths != nil {
		if d, ok := paths["$default"]; ok {
			delete(paths, "$default")
			paths["/$default"] = d
		}
	}
	return nil
}
