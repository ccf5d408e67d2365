// Package sam expands the AWS::Serverless-2016-10-31 transform of a CloudFormation template
// into plain CloudFormation resources, as AWS's SAM translator (aws-sam-translator, the
// behavioural reference) does: Globals are merged, each AWS::Serverless::Function becomes an
// AWS::Lambda::Function with its generated role, version and alias and the resources of its
// events, each AWS::Serverless::Api (and the implicit ServerlessRestApi of Api events) a
// REST API with its OpenAPI body, deployment and stage. Logical ids and generated names follow
// the translator's, so a template deployed here and on AWS has the same resources.
//
// Properties the transform does not support are an error that names them, never dropped.
package sam

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Error is a template the transform refuses; its text names the resource and the reason.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// invalid is the translator's message for a resource it refuses.
func invalid(id, format string, args ...any) error {
	return errorf("Resource with id [%s] is invalid. %s", id, fmt.Sprintf(format, args...))
}

// Transform expands a template's serverless resources; tpl is changed in place and returned.
// params are the stack's parameter values (nil: unknown), which the translator substitutes into
// a function's code location before hashing it into its version's logical id.
func Transform(tpl map[string]any, params map[string]any) (map[string]any, error) {
	res, ok := tpl["Resources"].(map[string]any)
	if !ok {
		return nil, errorf("Structure of the SAM template is invalid. 'Resources' section is required")
	}
	x := &expander{tpl: tpl, res: res, out: map[string]any{}, apis: map[string]*restAPI{}, params: params}
	globals, err := readGlobals(tpl)
	if err != nil {
		return nil, err
	}
	delete(tpl, "Globals")
	x.globals = globals
	ids := make([]string, 0, len(res))
	for id := range res {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	// APIs first, so that functions' Api events find theirs.
	for _, id := range ids {
		def, _ := res[id].(map[string]any)
		switch def["Type"] {
		case "AWS::Serverless::Api":
			if err := x.api(id, def); err != nil {
				return nil, err
			}
		case "AWS::Serverless::HttpApi":
			if err := x.httpAPI(id, def); err != nil {
				return nil, err
			}
		}
	}
	for _, id := range ids {
		def, _ := res[id].(map[string]any)
		switch t, _ := def["Type"].(string); t {
		case "AWS::Serverless::Function":
			if err := x.function(id, def); err != nil {
				return nil, err
			}
		case "AWS::Serverless::Api", "AWS::Serverless::HttpApi":
		case "AWS::Serverless::SimpleTable":
			if err := x.simpleTable(id, def); err != nil {
				return nil, err
			}
		case "AWS::Serverless::LayerVersion":
			if err := x.layer(id, def); err != nil {
				return nil, err
			}
		default:
			if strings.HasPrefix(t, "AWS::Serverless::") {
				return nil, invalid(id, "gureum does not support %s yet.", t)
			}
			x.out[id] = def
		}
	}
	if err := x.finishAPIs(); err != nil {
		return nil, err
	}
	if err := x.finishHTTPAPIs(); err != nil {
		return nil, err
	}
	x.finishDeployments()
	tpl["Resources"] = x.out
	x.rewriteRefs(tpl)
	if t, ok := tpl["Transform"].([]any); ok {
		var rest []any
		for _, v := range t {
			if v != "AWS::Serverless-2016-10-31" {
				rest = append(rest, v)
			}
		}
		if len(rest) == 0 {
			delete(tpl, "Transform")
		} else {
			tpl["Transform"] = rest
		}
	} else {
		delete(tpl, "Transform")
	}
	return tpl, nil
}

type expander struct {
	tpl     map[string]any
	res     map[string]any // the input resources
	out     map[string]any // the expanded resources
	globals map[string]map[string]any
	apis    map[string]*restAPI
	// httpAPIs are the HTTP APIs (AWS::Serverless::HttpApi and ServerlessHttpApi).
	httpAPIs map[string]*httpAPI
	// shared is the SHARED usage plan of the APIs that ask for one.
	shared  *sharedPlan
	aliases map[string]string // "Fn.Alias" / "Fn.Version" → logical id
	params  map[string]any
	// deployRoleNeeded: a DeploymentPreference without a Role of its own needs CodeDeploy's
	// service role.
	deployRoleNeeded bool
}

// resolveParams replaces Refs to parameters with their values, as the translator's
// resolve_parameter_refs does (inside other functions too, and Fn::Sub's ${Param}).
func (x *expander) resolveParams(v any) any {
	switch m := v.(type) {
	case map[string]any:
		if len(m) == 1 {
			if r, ok := m["Ref"].(string); ok {
				if val, ok := x.params[r]; ok {
					return val
				}
				return m
			}
			if s, ok := m["Fn::Sub"].(string); ok {
				for k, val := range x.params {
					if str, isStr := val.(string); isStr {
						s = strings.ReplaceAll(s, "${"+k+"}", str)
					}
				}
				return map[string]any{"Fn::Sub": s}
			}
		}
		out := make(map[string]any, len(m))
		for k, e := range m {
			out[k] = x.resolveParams(e)
		}
		return out
	case []any:
		out := make([]any, len(m))
		for i, e := range m {
			out[i] = x.resolveParams(e)
		}
		return out
	}
	return v
}

// readGlobals reads the Globals section.
func readGlobals(tpl map[string]any) (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	g, ok := tpl["Globals"]
	if !ok {
		return out, nil
	}
	gm, ok := g.(map[string]any)
	if !ok {
		return nil, errorf("'Globals' section is invalid. Globals must be a dictionary.")
	}
	for k, v := range gm {
		switch k {
		case "Function", "Api", "HttpApi", "SimpleTable", "StateMachine", "LayerVersion":
		default:
			return nil, errorf("'Globals' section is invalid. '%s' is not supported. Must be one of the following values - [Api, Function, HttpApi, LayerVersion, SimpleTable, StateMachine]", k)
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, errorf("'Globals' section is invalid. Value of %s must be a dictionary.", k)
		}
		out[k] = m
	}
	if f := out["Function"]; f != nil {
		for _, bad := range []string{"Role", "Policies", "FunctionName", "Events"} {
			if _, ok := f[bad]; ok {
				return nil, errorf("'Globals' section is invalid. '%s' is not a supported property of 'Function'.", bad)
			}
		}
	}
	return out, nil
}

// merge applies a Globals section to a resource's properties: a resource's scalar wins, maps
// merge (the resource's keys win), lists add the resource's entries after the global ones.
func merge(global, local any) any {
	switch g := global.(type) {
	case map[string]any:
		l, ok := local.(map[string]any)
		if !ok {
			if local == nil {
				return clone(g)
			}
			return local
		}
		if isIntrinsic(g) || isIntrinsic(l) {
			return local
		}
		out := clone(g).(map[string]any)
		for k, v := range l {
			if gv, ok := out[k]; ok {
				out[k] = merge(gv, v)
			} else {
				out[k] = v
			}
		}
		return out
	case []any:
		l, ok := local.([]any)
		if !ok {
			if local == nil {
				return clone(g)
			}
			return local
		}
		return append(clone(g).([]any), l...)
	}
	if local == nil {
		return global
	}
	return local
}

func isIntrinsic(m map[string]any) bool {
	if len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

func applyGlobals(global, props map[string]any, ignore any) map[string]any {
	out := map[string]any{}
	for k, v := range props {
		out[k] = v
	}
	if ignore == "*" {
		return out
	}
	skip := map[string]bool{}
	if l, ok := ignore.([]any); ok {
		for _, v := range l {
			if s, ok := v.(string); ok {
				skip[s] = true
			}
		}
	}
	for k, v := range global {
		if skip[k] {
			continue
		}
		out[k] = merge(v, props[k])
	}
	return out
}

func clone(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = clone(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = clone(e)
		}
		return l
	}
	return v
}

// hash is the translator's logical-id hash: the first 10 hex digits of the SHA-1 of the
// data's compact JSON with sorted keys.
func hash(data any) string {
	if s, ok := data.(string); ok {
		sum := sha1.Sum([]byte(s))
		return hex.EncodeToString(sum[:])[:10]
	}
	sum := sha1.Sum([]byte(pyJSON(data)))
	return hex.EncodeToString(sum[:])[:10]
}

// pyJSON renders data as Python's json.dumps(separators=(",", ":"), sort_keys=True) does.
func pyJSON(data any) string {
	var b strings.Builder
	writePy(&b, data)
	return b.String()
}

func writePy(b *strings.Builder, v any) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writePyString(b, k)
			b.WriteByte(':')
			writePy(b, x[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writePy(b, e)
		}
		b.WriteByte(']')
	case string:
		writePyString(b, x)
	default:
		j, _ := json.Marshal(x)
		b.Write(j)
	}
}

func writePyString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r > 0x7e:
			if r > 0xffff {
				r -= 0x10000
				fmt.Fprintf(b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
			} else {
				fmt.Fprintf(b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}

// ref and getAtt build intrinsic functions.
func ref(id string) map[string]any { return map[string]any{"Ref": id} }
func getAtt(id, attr string) map[string]any {
	return map[string]any{"Fn::GetAtt": []any{id, attr}}
}
func sub(s string) map[string]any { return map[string]any{"Fn::Sub": s} }

// rewriteRefs turns the SAM-only references (Fn.Alias, Fn.Version) into the generated ids.
func (x *expander) rewriteRefs(v any) {
	switch m := v.(type) {
	case map[string]any:
		if r, ok := m["Ref"].(string); ok && len(m) == 1 {
			if id, ok := x.aliases[r]; ok {
				m["Ref"] = id
			}
			return
		}
		for _, e := range m {
			x.rewriteRefs(e)
		}
	case []any:
		for _, e := range m {
			x.rewriteRefs(e)
		}
	}
}

// resourceAttrs copies the resource attributes every generated resource keeps.
func resourceAttrs(def map[string]any, into map[string]any) map[string]any {
	for _, k := range []string{"Condition", "DependsOn", "Metadata", "DeletionPolicy", "UpdateReplacePolicy"} {
		if v, ok := def[k]; ok {
			into[k] = v
		}
	}
	return into
}

func sha1hex(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}
