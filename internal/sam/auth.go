package sam

import (
	"sort"
	"strings"
)

// An AWS::Serverless::Api's Auth: ApiKeyRequired (api.go, events.go), UsagePlan (PER_API,
// SHARED, NONE) and ResourcePolicy (the body's x-amazon-apigateway-policy), as the translator
// writes them.

var (
	apiAuthProps        = map[string]bool{"ApiKeyRequired": true, "UsagePlan": true, "ResourcePolicy": true}
	eventAuthProps      = map[string]bool{"ApiKeyRequired": true}
	resourcePolicyProps = map[string]bool{"CustomStatements": true, "AwsAccountWhitelist": true, "AwsAccountBlacklist": true,
		"SourceVpcWhitelist": true, "SourceVpcBlacklist": true, "IntrinsicVpcWhitelist": true, "IntrinsicVpceWhitelist": true,
		"IntrinsicVpcBlacklist": true, "IntrinsicVpceBlacklist": true}
	usagePlanProps = map[string]bool{"CreateUsagePlan": true, "Description": true, "Quota": true, "Tags": true, "Throttle": true, "UsagePlanName": true}
)

// unsupported names the keys of m that allowed lacks.
func unsupported(m map[string]any, allowed map[string]bool) string {
	var out []string
	for k := range m {
		if !allowed[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// checkAuth refuses the parts of an API's Auth the transform does not write.
func checkAuth(id string, props map[string]any) error {
	auth, ok := props["Auth"].(map[string]any)
	if !ok {
		return nil
	}
	if bad := unsupported(auth, apiAuthProps); bad != "" {
		return invalid(id, "gureum does not support these Auth properties of AWS::Serverless::Api: %s.", bad)
	}
	if up, ok := auth["UsagePlan"]; ok {
		m, ok := up.(map[string]any)
		if !ok {
			return invalid(id, "'UsagePlan' must be a dictionary")
		}
		if unsupported(m, usagePlanProps) != "" {
			return invalid(id, "Invalid property for 'UsagePlan'")
		}
		switch m["CreateUsagePlan"] {
		case nil:
			return invalid(id, "'CreateUsagePlan' is a required field for UsagePlan.")
		case "SHARED", "PER_API", "NONE":
		default:
			return invalid(id, "'CreateUsagePlan' accepts one of ['SHARED', 'PER_API', 'NONE'].")
		}
	}
	if rp, ok := auth["ResourcePolicy"]; ok {
		m, ok := rp.(map[string]any)
		if !ok {
			return invalid(id, "ResourcePolicy must be a map (ResourcePolicyStatement).")
		}
		if bad := unsupported(m, resourcePolicyProps); bad != "" {
			return invalid(id, "gureum does not support these ResourcePolicy properties: %s.", bad)
		}
	}
	return nil
}

// statements is a policy's Statement as the translator builds it: nil, one statement or a list.
type statements struct{ v any }

func (s *statements) list() []any {
	switch x := s.v.(type) {
	case nil:
		return nil
	case []any:
		return x
	default:
		return []any{x}
	}
}

func (s *statements) has(st any) bool {
	want := pyJSON(st)
	for _, e := range s.list() {
		if pyJSON(e) == want {
			return true
		}
	}
	return false
}

// addOne appends a statement (the first stays a lone statement, not a list).
func (s *statements) addOne(st any) {
	if s.v == nil {
		s.v = st
		return
	}
	s.v = append(s.list(), st)
}

// addPair appends an Allow and its Deny unless the policy has them already.
func (s *statements) addPair(allow, deny any) {
	if s.v == nil {
		s.v = []any{allow, deny}
		return
	}
	l := s.list()
	if !s.has(allow) {
		l = append(l, allow)
	}
	s.v = l
	if !s.has(deny) {
		l = append(l, deny)
	}
	s.v = l
}

func (s *statements) addCustom(custom any) {
	if s.v == nil {
		s.v = custom
		return
	}
	cl, ok := custom.([]any)
	if !ok {
		cl = []any{custom}
	}
	l := s.list()
	for _, c := range cl {
		s.v = l
		if !s.has(c) {
			l = append(l, c)
		}
	}
	s.v = l
}

// resourcePolicy writes Auth.ResourcePolicy into the API's body: for each path, statements for
// its methods at the API's stage, then the custom statements.
func (a *restAPI) resourcePolicy() {
	auth, _ := a.props["Auth"].(map[string]any)
	rp, _ := auth["ResourcePolicy"].(map[string]any)
	if len(rp) == 0 {
		return
	}
	policy := map[string]any{}
	var st statements
	paths, _ := a.body["paths"].(map[string]any)
	keys := make([]string, 0, len(paths))
	for p := range paths {
		keys = append(keys, p)
	}
	sort.Strings(keys)
	for _, path := range keys {
		var resources []any
		methods, _ := paths[path].(map[string]any)
		verbs := make([]string, 0, len(methods))
		for m := range methods {
			verbs = append(verbs, m)
		}
		sort.Strings(verbs)
		for _, m := range verbs {
			method := strings.ToUpper(m)
			if m == "x-amazon-apigateway-any-method" || m == "any" {
				method = "*"
			}
			resources = append(resources, map[string]any{"Fn::Sub": []any{"execute-api:/${__Stage__}/" + method + pathParam.ReplaceAllString(path, "*"),
				map[string]any{"__Stage__": a.stage}}})
		}
		for _, acct := range []struct{ prop, effect string }{{"AwsAccountWhitelist", "Allow"}, {"AwsAccountBlacklist", "Deny"}} {
			list := rp[acct.prop]
			if list == nil || isEmpty(list) {
				continue
			}
			if _, isList := list.([]any); !isList {
				list = []any{list}
			}
			policy["Version"] = "2012-10-17"
			st.addOne(map[string]any{"Effect": acct.effect, "Action": "execute-api:Invoke", "Resource": resources,
				"Principal": map[string]any{"AWS": list}})
		}
		for _, v := range []struct{ strs, vpc, vpce, cond string }{
			{"SourceVpcBlacklist", "IntrinsicVpcBlacklist", "IntrinsicVpceBlacklist", "StringEquals"},
			{"SourceVpcWhitelist", "IntrinsicVpcWhitelist", "IntrinsicVpceWhitelist", "StringNotEquals"},
		} {
			cond := map[string][]any{}
			if l, ok := rp[v.strs].([]any); ok {
				for _, e := range l {
					s, _ := e.(string)
					switch {
					case strings.HasPrefix(s, "vpce-"):
						cond["aws:SourceVpce"] = append(cond["aws:SourceVpce"], e)
					case strings.HasPrefix(s, "vpc-"):
						cond["aws:SourceVpc"] = append(cond["aws:SourceVpc"], e)
					}
				}
			}
			if l, ok := rp[v.vpc].([]any); ok {
				cond["aws:SourceVpc"] = append(cond["aws:SourceVpc"], l...)
			}
			if l, ok := rp[v.vpce].([]any); ok {
				cond["aws:SourceVpce"] = append(cond["aws:SourceVpce"], l...)
			}
			if len(cond["aws:SourceVpc"]) == 0 && len(cond["aws:SourceVpce"]) == 0 {
				continue
			}
			c := map[string]any{}
			for k, l := range cond {
				c[k] = l
			}
			policy["Version"] = "2012-10-17"
			st.addPair(map[string]any{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": resources, "Principal": "*"},
				map[string]any{"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": resources, "Principal": "*",
					"Condition": map[string]any{v.cond: c}})
		}
	}
	if custom, ok := rp["CustomStatements"]; ok && !isEmpty(custom) {
		policy["Version"] = "2012-10-17"
		st.addCustom(custom)
	}
	if st.v != nil {
		policy["Statement"] = st.v
	}
	if len(keys) > 0 || len(policy) > 0 {
		a.body["x-amazon-apigateway-policy"] = policy
	}
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	case string:
		return x == ""
	}
	return v == nil
}

// sharedPlan is the SHARED usage plan's state across APIs.
type sharedPlan struct {
	dependsOn []any
	stages    []any
	keys      []any
	props     map[string]any
}

// sharedUsagePlan adds an API's stage to ServerlessUsagePlan and ServerlessApiKey.
func (x *expander) sharedUsagePlan(a *restAPI, stageID string, up map[string]any) {
	if x.shared == nil {
		x.shared = &sharedPlan{props: map[string]any{}}
	}
	s := x.shared
	s.dependsOn = append(s.dependsOn, a.id)
	s.stages = append(s.stages, map[string]any{"ApiId": ref(a.id), "Stage": ref(stageID)})
	s.keys = append(s.keys, map[string]any{"RestApiId": ref(a.id), "StageName": ref(stageID)})
	plan := map[string]any{"ApiStages": s.stages}
	for _, k := range []string{"UsagePlanName", "Description", "Quota", "Tags", "Throttle"} {
		if v, ok := up[k]; ok && !isEmpty(v) {
			plan[k] = v
		}
	}
	x.out["ServerlessUsagePlan"] = map[string]any{"Type": "AWS::ApiGateway::UsagePlan", "DependsOn": s.dependsOn, "Properties": plan}
	x.out["ServerlessApiKey"] = map[string]any{"Type": "AWS::ApiGateway::ApiKey", "DependsOn": []any{"ServerlessUsagePlan"},
		"Properties": map[string]any{"Enabled": true, "StageKeys": s.keys}}
	x.out["ServerlessUsagePlanKey"] = map[string]any{"Type": "AWS::ApiGateway::UsagePlanKey", "DependsOn": []any{"ServerlessApiKey"},
		"Properties": map[string]any{"KeyId": ref("ServerlessApiKey"), "KeyType": "API_KEY", "UsagePlanId": ref("ServerlessUsagePlan")}}
}
