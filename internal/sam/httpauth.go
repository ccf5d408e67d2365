package sam

import (
	"regexp"
	"sort"
	"strings"
)

// An HTTP API's Auth (JWT and Lambda authorizers, the built-in AWS_IAM one, DefaultAuthorizer)
// and Domain (an AWS::ApiGatewayV2::DomainName with its ApiMappings), as the translator's
// http_api_generator and apiv2_generator write them. Authorizers live in the OpenAPI body's
// components.securitySchemes and each route's security; gureum's import turns them into
// AWS::ApiGatewayV2::Authorizer-equivalents.

// httpAuthorizer is one of Auth.Authorizers (or AWS_IAM with EnableIamAuthorizer).
type httpAuthorizer struct {
	name   string
	kind   string // JWT, REQUEST or AWS_IAM
	props  map[string]any
	scopes any // AuthorizationScopes, nil when absent
}

// httpAuthorizerProps are the properties each kind of authorizer takes, with the translator's
// hint for a property given to the wrong kind.
var httpAuthorizerProps = []struct {
	prop, kind, hint string
}{
	{"AuthorizationScopes", "JWT", "OAuth2 Authorizer"},
	{"JwtConfiguration", "JWT", "OAuth2 Authorizer"},
	{"IdentitySource", "JWT", "OAuth2 Authorizer. For Lambda Authorizer, use the 'Identity' property instead"},
	{"FunctionArn", "REQUEST", "Lambda Authorizer"},
	{"FunctionInvokeRole", "REQUEST", "Lambda Authorizer"},
	{"Identity", "REQUEST", "Lambda Authorizer"},
	{"AuthorizerPayloadFormatVersion", "REQUEST", "Lambda Authorizer"},
	{"EnableSimpleResponses", "REQUEST", "Lambda Authorizer"},
	{"EnableFunctionDefaultPermissions", "REQUEST", "Lambda Authorizer"},
}

// httpAuth reads an HTTP API's Auth property: its authorizers by name, and the default one.
func httpAuth(id string, auth map[string]any) (map[string]*httpAuthorizer, string, error) {
	for k := range auth {
		if k != "Authorizers" && k != "DefaultAuthorizer" && k != "EnableIamAuthorizer" {
			return nil, "", invalid(id, "Invalid value for 'Auth' property")
		}
	}
	out := map[string]*httpAuthorizer{}
	if auth["EnableIamAuthorizer"] == true {
		out["AWS_IAM"] = &httpAuthorizer{name: "AWS_IAM", kind: "AWS_IAM"}
	}
	if v, ok := auth["Authorizers"]; ok && v != nil {
		all, ok := v.(map[string]any)
		if !ok {
			return nil, "", invalid(id, "Property 'Auth.Authorizers' should be a map.")
		}
		for name, v := range all {
			a, err := readHTTPAuthorizer(id, name, v)
			if err != nil {
				return nil, "", err
			}
			out[name] = a
		}
	}
	def, _ := auth["DefaultAuthorizer"].(string)
	if d, ok := auth["DefaultAuthorizer"]; ok && d != nil && !isNoValue(d) {
		if _, isStr := d.(string); !isStr {
			return nil, "", invalid(id, "Property 'Auth.DefaultAuthorizer' should be a string.")
		}
		if out[def] == nil {
			return nil, "", invalid(id, "Unable to set DefaultAuthorizer because '%s' was not defined in 'Authorizers'.", def)
		}
	}
	return out, def, nil
}

func isNoValue(v any) bool {
	m, ok := v.(map[string]any)
	return ok && len(m) == 1 && m["Ref"] == "AWS::NoValue"
}

func readHTTPAuthorizer(id, name string, v any) (*httpAuthorizer, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, invalid(id, "Property 'Auth.Authorizers.%s' should be a map.", name)
	}
	if _, ok := m["OpenIdConnectUrl"]; ok {
		return nil, invalid(id, "'OpenIdConnectUrl' is no longer a supported property for authorizer '%s'. Please refer to the AWS SAM documentation.", name)
	}
	a := &httpAuthorizer{name: name, kind: "REQUEST", props: m, scopes: m["AuthorizationScopes"]}
	if jc, ok := m["JwtConfiguration"]; ok && jc != nil {
		a.kind = "JWT"
	}
	if s, ok := m["AuthorizationScopes"]; ok && s != nil {
		if _, isList := s.([]any); !isList {
			return nil, invalid(id, "AuthorizationScopes must be a list.")
		}
	}
	for _, p := range httpAuthorizerProps {
		if v, ok := m[p.prop]; ok && v != nil && p.kind != a.kind {
			return nil, invalid(id, "%s is only supported for %s.", p.prop, p.hint)
		}
	}
	for k := range m {
		if !knownAuthorizerProp(k) {
			return nil, invalid(id, "gureum does not support property %s of authorizer '%s'.", k, name)
		}
	}
	switch a.kind {
	case "JWT":
		if _, ok := m["JwtConfiguration"].(map[string]any); !ok {
			return nil, invalid(id, "Property 'JwtConfiguration' should be a map.")
		}
		if m["IdentitySource"] == nil {
			return nil, invalid(id, "%s OAuth2 Authorizer must define 'IdentitySource'.", name)
		}
	case "REQUEST":
		if m["FunctionArn"] == nil {
			return nil, invalid(id, "%s Lambda Authorizer must define 'FunctionArn'.", name)
		}
		if m["AuthorizerPayloadFormatVersion"] == nil {
			return nil, invalid(id, "%s Lambda Authorizer must define 'AuthorizerPayloadFormatVersion'.", name)
		}
		if v, ok := m["EnableFunctionDefaultPermissions"]; ok && v != nil {
			if _, isBool := v.(bool); !isBool {
				return nil, invalid(id, "Property 'Authorizers.%s.EnableFunctionDefaultPermissions' should be a boolean.", name)
			}
		}
	}
	return a, nil
}

func knownAuthorizerProp(k string) bool {
	for _, p := range httpAuthorizerProps {
		if p.prop == k {
			return true
		}
	}
	return false
}

// scheme is the authorizer's entry in components.securitySchemes.
func (a *httpAuthorizer) scheme(id string) (map[string]any, error) {
	switch a.kind {
	case "AWS_IAM":
		return map[string]any{"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"}, nil
	case "JWT":
		jc := map[string]any{}
		for k, v := range a.props["JwtConfiguration"].(map[string]any) {
			jc[strings.ToLower(k)] = v
		}
		return map[string]any{"type": "oauth2", "x-amazon-apigateway-authorizer": map[string]any{
			"jwtConfiguration": jc, "identitySource": a.props["IdentitySource"], "type": "jwt"}}, nil
	}
	az := map[string]any{"type": "request", "authorizerUri": map[string]any{"Fn::Sub": []any{
		"arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}/invocations",
		map[string]any{"__FunctionArn__": a.props["FunctionArn"]}}}}
	if r, ok := a.props["FunctionInvokeRole"]; ok && r != nil && r != "NONE" {
		az["authorizerCredentials"] = r
	}
	if v, ok := a.props["Identity"]; ok && v != nil {
		ident, ok := v.(map[string]any)
		if !ok {
			return nil, invalid(id, "Property 'Auth.Authorizers.%s.Identity' should be a map.", a.name)
		}
		if r, ok := ident["ReauthorizeEvery"]; ok && r != nil {
			az["authorizerResultTtlInSeconds"] = r
		}
		sources := []any{}
		for _, p := range []struct{ prefix, prop string }{{"$request.header.", "Headers"}, {"$request.querystring.", "QueryStrings"},
			{"$stageVariables.", "StageVariables"}, {"$context.", "Context"}} {
			l, _ := ident[p.prop].([]any)
			for _, s := range l {
				str, ok := s.(string)
				if !ok {
					return nil, invalid(id, "Property 'Authorizers.%s.Identity.%s' should be a list of strings.", a.name, p.prop)
				}
				sources = append(sources, p.prefix+str)
			}
		}
		az["identitySource"] = sources
	}
	az["authorizerPayloadFormatVersion"] = a.props["AuthorizerPayloadFormatVersion"]
	if e, ok := a.props["EnableSimpleResponses"]; ok && e != nil && e != false {
		az["enableSimpleResponses"] = e
	}
	return map[string]any{"type": "apiKey", "name": "Unused", "in": "header", "x-amazon-apigateway-authorizer": az}, nil
}

// routeAuth applies an HttpApi event's Auth to its route's operation, as the translator's
// _add_auth_to_openapi_integration does (the API's DefaultAuthorizer comes later, to routes
// without security of their own).
func (x *expander) routeAuth(f *fn, name string, a *httpAPI, op map[string]any, path, method string, auth map[string]any) error {
	apiAuth, _ := a.props["Auth"].(map[string]any)
	authorizer, _ := auth["Authorizer"].(string)
	if auth["Authorizer"] == nil {
		d, _ := apiAuth["DefaultAuthorizer"].(string)
		if d == "" {
			return invalid(f.id, "Event with id [%s] is invalid. 'Auth' section requires either an explicit 'Authorizer' set or a 'DefaultAuthorizer' configured on the HttpApi.", name)
		}
		authorizer = d
	} else if _, isStr := auth["Authorizer"].(string); !isStr {
		return invalid(f.id, "Event with id [%s] is invalid. Unable to set Authorizer [%v] on API method [%s] for path [%s]. The method authorizer must be a string with a corresponding dict entry in the api authorizer.", name, auth["Authorizer"], method, path)
	}
	authorizers, _ := apiAuth["Authorizers"].(map[string]any)
	iam := apiAuth["EnableIamAuthorizer"] == true
	switch {
	case authorizer == "NONE":
		if d, _ := apiAuth["DefaultAuthorizer"].(string); d == "" {
			return invalid(f.id, "Event with id [%s] is invalid. Unable to set Authorizer on API method [%s] for path [%s] because 'NONE' is only a valid value when a DefaultAuthorizer on the API is specified.", name, method, path)
		}
	case authorizer == "AWS_IAM" && iam:
	case len(authorizers) == 0:
		return invalid(f.id, "Event with id [%s] is invalid. Unable to set Authorizer [%s] on API method [%s] for path [%s] because the related API does not define any Authorizers.", name, authorizer, method, path)
	case authorizers[authorizer] == nil:
		return invalid(f.id, "Event with id [%s] is invalid. Unable to set Authorizer [%s] on API method [%s] for path [%s] because it wasn't defined in the API's Authorizers.", name, authorizer, method, path)
	}
	scopes, hasScopes := auth["AuthorizationScopes"]
	if hasScopes && scopes != nil {
		if _, isList := scopes.([]any); !isList {
			return invalid(f.id, "Event with id [%s] is invalid. Unable to set Authorizer on API method [%s] for path [%s] because 'AuthorizationScopes' must be a list of strings.", name, method, path)
		}
	}
	sec := []any{}
	if authorizer != "NONE" && authorizer != "AWS_IAM" {
		def, _ := authorizers[authorizer].(map[string]any)
		s := def["AuthorizationScopes"]
		if l, _ := scopes.([]any); len(l) > 0 {
			s = scopes
		}
		if l, _ := s.([]any); len(def) > 0 && len(l) > 0 {
			sec = l
		}
	}
	existing, _ := op["security"].([]any)
	op["security"] = append(existing, map[string]any{authorizer: sec})
	return nil
}

// applyHTTPAuth writes the API's security schemes and gives the default authorizer to every
// route without security of its own; Lambda authorizers with EnableFunctionDefaultPermissions
// get a permission for the API to call them.
func (x *expander) applyHTTPAuth(a *httpAPI) error {
	v, ok := a.props["Auth"]
	if !ok || v == nil {
		return nil
	}
	auth, ok := v.(map[string]any)
	if !ok {
		return invalid(a.id, "Property 'Auth' should be a map.")
	}
	if a.body == nil {
		return invalid(a.id, "Auth works only with inline OpenApi specified in the 'DefinitionBody' property.")
	}
	authorizers, def, err := httpAuth(a.id, auth)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(authorizers))
	for n := range authorizers {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) > 0 {
		comps, _ := a.body["components"].(map[string]any)
		if comps == nil {
			comps = map[string]any{}
			a.body["components"] = comps
		}
		schemes, _ := comps["securitySchemes"].(map[string]any)
		if schemes == nil {
			schemes = map[string]any{}
			comps["securitySchemes"] = schemes
		}
		for _, n := range names {
			s, err := authorizers[n].scheme(a.id)
			if err != nil {
				return err
			}
			schemes[n] = s
		}
	}
	if def != "" {
		scopes := []any{}
		if l, ok := authorizers[def].scopes.([]any); ok {
			scopes = l
		}
		paths, _ := a.body["paths"].(map[string]any)
		for _, item := range paths {
			methods, _ := item.(map[string]any)
			for m, op := range methods {
				o, ok := op.(map[string]any)
				if !ok || m == "parameters" || m == "options" || o["x-amazon-apigateway-integration"] == nil {
					continue
				}
				if s, _ := o["security"].([]any); len(s) > 0 {
					continue
				}
				o["security"] = []any{map[string]any{def: scopes}}
			}
		}
	}
	for _, n := range names {
		az := authorizers[n]
		if az.kind != "REQUEST" || az.props["EnableFunctionDefaultPermissions"] != true {
			continue
		}
		perm := map[string]any{"Action": "lambda:InvokeFunction", "FunctionName": az.props["FunctionArn"], "Principal": "apigateway.amazonaws.com",
			"SourceArn": map[string]any{"Fn::Sub": []any{"arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/authorizers/*",
				map[string]any{"__ApiId__": ref(a.id)}}}}
		x.out[a.id+n+"AuthorizerPermission"] = passthrough(a.def, map[string]any{"Type": "AWS::Lambda::Permission", "Properties": perm})
	}
	return nil
}

// passthrough copies the attributes the translator passes to resources generated from another
// (Condition, DeletionPolicy, UpdateReplacePolicy).
func passthrough(def map[string]any, into map[string]any) map[string]any {
	for _, k := range []string{"Condition", "DeletionPolicy", "UpdateReplacePolicy"} {
		if v, ok := def[k]; ok {
			into[k] = v
		}
	}
	return into
}

var basePathInvalid = regexp.MustCompile(`[^0-9a-zA-Z/\-_]+`)
var basePathStrip = regexp.MustCompile(`[\-_/]+`)

// httpDomain writes an HTTP API's Domain: the domain name (its logical id hashes the name) and
// a mapping per base path (one with no key without BasePath).
// tags are the API's tags (nil: none), which the domain name carries too.
func (x *expander) httpDomain(a *httpAPI, stageID string, tags map[string]any) error {
	v, ok := a.props["Domain"]
	if !ok || v == nil {
		return nil
	}
	d, ok := v.(map[string]any)
	if !ok {
		return invalid(a.id, "Property 'Domain' should be a map.")
	}
	for k := range d {
		switch k {
		case "DomainName", "CertificateArn", "EndpointConfiguration", "BasePath", "SecurityPolicy", "OwnershipVerificationCertificateArn", "MutualTlsAuthentication":
		default:
			return invalid(a.id, "gureum does not support property %s of an HttpApi's Domain.", k)
		}
	}
	name, cert := d["DomainName"], d["CertificateArn"]
	if name == nil || cert == nil {
		return invalid(a.id, "Custom Domains only works if both DomainName and CertificateArn are provided.")
	}
	conf := map[string]any{"CertificateArn": cert, "EndpointType": "REGIONAL"}
	if ec, ok := d["EndpointConfiguration"]; ok && ec != nil {
		if ec != "REGIONAL" {
			return invalid(a.id, "EndpointConfiguration for Custom Domains must be one of ['REGIONAL'].")
		}
	}
	copyProps(d, conf, "OwnershipVerificationCertificateArn", "SecurityPolicy")
	domainID := "ApiGatewayDomainNameV2" + hash(name)
	if tags == nil {
		tags = map[string]any{"httpapi:createdBy": "SAM"}
	}
	dn := map[string]any{"DomainName": name, "DomainNameConfigurations": []any{conf}, "Tags": tags}
	if m, ok := d["MutualTlsAuthentication"]; ok && m != nil {
		mm, ok := m.(map[string]any)
		if !ok {
			return invalid(a.id, "MutualTlsAuthentication must be a map with at least one of the following fields ['TruststoreUri', 'TruststoreVersion'].")
		}
		mtls := map[string]any{}
		for k, v := range mm {
			if k != "TruststoreUri" && k != "TruststoreVersion" {
				return errorf("Resource with id [%s] is invalid. Available MutualTlsAuthentication fields are ['TruststoreUri', 'TruststoreVersion'].", k)
			}
			if v != nil && v != "" {
				mtls[k] = v
			}
		}
		dn["MutualTlsAuthentication"] = mtls
	}
	x.out[domainID] = passthrough(a.def, map[string]any{"Type": "AWS::ApiGatewayV2::DomainName", "Properties": dn})
	var paths []any
	switch bp := d["BasePath"].(type) {
	case string:
		if bp != "" {
			paths = []any{bp}
		}
	case []any:
		paths = bp
	}
	mapping := func(id string, key any) {
		p := map[string]any{"DomainName": ref(domainID), "ApiId": ref(a.id), "Stage": ref(stageID)}
		if key != nil {
			p["ApiMappingKey"] = key
		}
		x.out[id] = passthrough(a.def, map[string]any{"Type": "AWS::ApiGatewayV2::ApiMapping", "Properties": p})
	}
	if len(paths) == 0 {
		mapping(a.id+"ApiMapping", nil)
		return nil
	}
	for _, p := range paths {
		s, ok := p.(string)
		if !ok {
			return invalid(a.id, "Basepath must be a string.")
		}
		if basePathInvalid.MatchString(s) {
			return invalid(a.id, "Invalid Basepath name provided.")
		}
		mapping(a.id+basePathStrip.ReplaceAllString(s, "")+"ApiMapping", strings.Trim(s, "/"))
	}
	return nil
}
