package cloudformation

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/cloudformation/template"
	"github.com/gureum/gureum/internal/sam"
)

const samTransform = "AWS::Serverless-2016-10-31"

// prepared is a template read, transformed and checked, with its parameters' values.
type prepared struct {
	body       string
	original   map[string]any
	tpl        map[string]any // processed
	transforms []string
	params     []paramValue
	caps       []string // capabilities the template needs
}

// transforms lists a template's declared transforms.
func transforms(tpl map[string]any) []string {
	switch t := tpl["Transform"].(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// readTemplate parses a body and applies its transforms (SAM's, the only one served) with the
// parameters' values (nil: their defaults).
func readTemplate(body string, params map[string]any) (original, processed map[string]any, ts []string, err error) {
	if strings.TrimSpace(body) == "" {
		return nil, nil, nil, validation("Template format error: template body is empty")
	}
	original, err = template.Parse(body)
	if err != nil {
		return nil, nil, nil, validation("%s", err.Error())
	}
	processed = template.Clone(original).(map[string]any)
	ts = transforms(original)
	for _, t := range ts {
		switch t {
		case samTransform:
			processed, err = sam.Transform(processed, params)
			if err != nil {
				return nil, nil, nil, validation("Transform %s failed with: %s", samTransform, err.Error())
			}
		case "AWS::LanguageExtensions":
		default:
			return nil, nil, nil, validation("Template format error: Unsupported transform %s: gureum serves %s and AWS::LanguageExtensions", t, samTransform)
		}
	}
	return original, processed, ts, nil
}

var knownSections = map[string]bool{"AWSTemplateFormatVersion": true, "Description": true, "Metadata": true, "Parameters": true,
	"Mappings": true, "Conditions": true, "Transform": true, "Resources": true, "Outputs": true, "Rules": true, "Hooks": true}

// check validates a processed template's structure and that gureum can make every resource and
// property in it, naming what it cannot before anything is made.
func check(tpl map[string]any) error {
	var unknown []string
	for k := range tpl {
		if !knownSections[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return validation("Template format error: Invalid template property or properties [%s]", strings.Join(unknown, ", "))
	}
	if v, ok := tpl["AWSTemplateFormatVersion"]; ok {
		if s, _ := template.String(v); s != "2010-09-09" {
			return validation("Template format error: '%v' is not a valid AWSTemplateFormatVersion", v)
		}
	}
	res, ok := tpl["Resources"].(map[string]any)
	if !ok || len(res) == 0 {
		return validation("Template format error: At least one Resources member must be defined.")
	}
	var types, props []string
	seen := map[string]bool{}
	for _, id := range sortedKeys(res) {
		def, ok := res[id].(map[string]any)
		if !ok {
			return validation("Template format error: [/Resources/%s] resource definition is malformed", id)
		}
		if !validLogicalID(id) {
			return validation("Template format error: Resource name %s is non alphanumeric.", id)
		}
		typ, _ := def["Type"].(string)
		if typ == "" {
			return validation("Template format error: [/Resources/%s] Every Resources object must contain a Type member.", id)
		}
		p := providerFor(typ)
		if p == nil {
			if !seen[typ] {
				types = append(types, typ)
				seen[typ] = true
			}
			continue
		}
		for k := range def {
			switch k {
			case "Type", "Properties", "DependsOn", "Condition", "DeletionPolicy", "UpdateReplacePolicy", "Metadata", "UpdatePolicy", "CreationPolicy":
			default:
				return validation("Template format error: Unrecognized resource attribute %s in resource %s", k, id)
			}
		}
		pm, _ := def["Properties"].(map[string]any)
		if _, has := def["Properties"]; has && pm == nil {
			if _, isFn := def["Properties"].(map[string]any); !isFn {
				return validation("Template format error: [/Resources/%s/Properties] must be an object", id)
			}
		}
		for _, k := range sortedKeys(pm) {
			if !p.accepts(k) {
				props = append(props, fmt.Sprintf("%s (%s) property %s", id, typ, k))
			}
		}
	}
	if len(types) > 0 {
		sort.Strings(types)
		return validation("Template format error: Unrecognized resource types: [%s] (gureum does not make these)", strings.Join(types, ", "))
	}
	if len(props) > 0 {
		return validation("Template format error: gureum does not support these properties, so nothing was made: %s", strings.Join(props, "; "))
	}
	return nil
}

var logicalIDRe = regexp.MustCompile(`^[A-Za-z0-9]{1,255}$`)

func validLogicalID(id string) bool { return logicalIDRe.MatchString(id) }

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// neededCaps lists the capabilities a template requires: IAM resources need CAPABILITY_IAM,
// or CAPABILITY_NAMED_IAM when they are named.
func neededCaps(tpl map[string]any) []string {
	res, _ := tpl["Resources"].(map[string]any)
	iam, named := false, false
	for _, v := range res {
		def, _ := v.(map[string]any)
		typ, _ := def["Type"].(string)
		if !strings.HasPrefix(typ, "AWS::IAM::") {
			continue
		}
		iam = true
		props, _ := def["Properties"].(map[string]any)
		for _, k := range []string{"RoleName", "UserName", "GroupName", "ManagedPolicyName", "InstanceProfileName"} {
			if _, ok := props[k]; ok {
				named = true
			}
		}
	}
	switch {
	case named:
		return []string{"CAPABILITY_NAMED_IAM"}
	case iam:
		return []string{"CAPABILITY_IAM"}
	}
	return nil
}

// checkCaps refuses a template whose needed capabilities were not acknowledged.
func checkCaps(need, given []string, ts []string, direct bool) error {
	has := map[string]bool{}
	for _, c := range given {
		has[c] = true
	}
	for _, c := range need {
		if !has[c] && !(c == "CAPABILITY_IAM" && has["CAPABILITY_NAMED_IAM"]) {
			return ErrInsufficientCaps.Errorf(ErrInsufficientCapsMessage, c)
		}
	}
	if direct && len(ts) > 0 && !has["CAPABILITY_AUTO_EXPAND"] {
		return ErrInsufficientCaps.Errorf(ErrInsufficientCapsMessage, "CAPABILITY_AUTO_EXPAND")
	}
	return nil
}

// resolveParams gives every template parameter its value: given, the previous one
// (UsePreviousValue), or its default, checked against its type and constraints.
func (s *Service) resolveParams(ctx context.Context, p principal, tpl map[string]any, given []Parameter, previous []paramValue) ([]paramValue, error) {
	decls, _ := tpl["Parameters"].(map[string]any)
	values := map[string]string{}
	set := map[string]bool{}
	for _, g := range given {
		if _, ok := decls[g.ParameterKey]; !ok {
			return nil, validation("Parameters: [%s] do not exist in the template", g.ParameterKey)
		}
		if g.UsePreviousValue != nil && *g.UsePreviousValue {
			found := false
			for _, pv := range previous {
				if pv.Key == g.ParameterKey {
					values[g.ParameterKey], found = pv.Value, true
				}
			}
			if !found {
				return nil, validation("Invalid input for parameter key %s. Cannot specify usePreviousValue as true for a parameter key not in the previous template", g.ParameterKey)
			}
		} else {
			values[g.ParameterKey] = g.ParameterValue
		}
		set[g.ParameterKey] = true
	}
	var missing []string
	var out []paramValue
	for _, key := range sortedKeys(decls) {
		decl, _ := decls[key].(map[string]any)
		if decl == nil {
			return nil, validation("Template format error: Every Parameters object must contain a Type member.")
		}
		typ, _ := decl["Type"].(string)
		if typ == "" {
			return nil, validation("Template format error: Every Parameters object must contain a Type member.")
		}
		v, ok := values[key]
		if !set[key] {
			if def, has := decl["Default"]; has {
				v, _ = template.String(def)
				ok = true
			}
		}
		if !ok {
			missing = append(missing, key)
			continue
		}
		if err := checkParam(key, typ, v, decl); err != nil {
			return nil, err
		}
		pv := paramValue{Key: key, Value: v, NoEcho: isTrue(decl["NoEcho"])}
		if strings.HasPrefix(typ, "AWS::SSM::Parameter::Value<") {
			r, err := s.ssmValue(ctx, p, v)
			if err != nil {
				return nil, err
			}
			pv.Resolved = r
		}
		out = append(out, pv)
	}
	if len(missing) > 0 {
		return nil, validation("Parameters: [%s] must have values", strings.Join(missing, ", "))
	}
	return out, nil
}

func isTrue(v any) bool {
	s, _ := template.String(v)
	return strings.EqualFold(s, "true")
}

// checkParam checks a value against its parameter's type and constraints.
func checkParam(key, typ, v string, decl map[string]any) error {
	bad := func(why string) error {
		if d, ok := decl["ConstraintDescription"].(string); ok && d != "" {
			why = d
		}
		return validation("Parameter '%s' %s", key, why)
	}
	var items []string
	switch {
	case typ == "String" || strings.HasPrefix(typ, "AWS::"):
		items = []string{v}
	case typ == "Number":
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return validation("Parameter '%s' must be a number not '%s'", key, v)
		}
		items = []string{v}
	case typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<"):
		items = strings.Split(v, ",")
		if typ == "List<Number>" {
			for _, it := range items {
				if _, err := strconv.ParseFloat(strings.TrimSpace(it), 64); err != nil {
					return validation("Parameter '%s' must be a number list not '%s'", key, v)
				}
			}
		}
	default:
		return validation("Template format error: Unrecognized parameter type: %s", typ)
	}
	if allowed, ok := decl["AllowedValues"].([]any); ok {
		for _, it := range items {
			found := false
			for _, a := range allowed {
				if s, _ := template.String(a); s == it {
					found = true
				}
			}
			if !found {
				return bad(fmt.Sprintf("must be one of AllowedValues"))
			}
		}
	}
	if pat, ok := decl["AllowedPattern"].(string); ok {
		re, err := regexp.Compile("^(?:" + pat + ")$")
		if err != nil {
			return validation("Template format error: AllowedPattern of parameter %s is not a valid pattern", key)
		}
		for _, it := range items {
			if !re.MatchString(it) {
				return bad("must match pattern " + pat)
			}
		}
	}
	num := func(k string) (float64, bool) {
		s, ok := template.String(decl[k])
		if !ok {
			return 0, false
		}
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil
	}
	if n, ok := num("MinLength"); ok && float64(len(v)) < n {
		return bad(fmt.Sprintf("must contain at least %v characters", n))
	}
	if n, ok := num("MaxLength"); ok && float64(len(v)) > n {
		return bad(fmt.Sprintf("must contain at most %v characters", n))
	}
	if typ == "Number" {
		f, _ := strconv.ParseFloat(v, 64)
		if n, ok := num("MinValue"); ok && f < n {
			return bad(fmt.Sprintf("must be a number greater than or equal to %v", n))
		}
		if n, ok := num("MaxValue"); ok && f > n {
			return bad(fmt.Sprintf("must be a number less than or equal to %v", n))
		}
	}
	return nil
}

// ssmValue reads an SSM parameter for an AWS::SSM::Parameter::Value<…> parameter.
func (s *Service) ssmValue(ctx context.Context, p principal, name string) (string, error) {
	out, err := s.calls.callMap(ctx, p, "ssm", "GetParameter", map[string]any{"Name": name, "WithDecryption": false})
	if err != nil {
		return "", validation("Parameters [%s] referenced by template have types not supported by CloudFormation: cannot read SSM parameter: %s", name, describeError(err))
	}
	param, _ := out["Parameter"].(map[string]any)
	v, _ := param["Value"].(string)
	return v, nil
}

// paramMap is the values the evaluator gives Refs to parameters: lists for list types.
func paramMap(tpl map[string]any, params []paramValue) map[string]any {
	decls, _ := tpl["Parameters"].(map[string]any)
	out := map[string]any{}
	for _, p := range params {
		decl, _ := decls[p.Key].(map[string]any)
		typ, _ := decl["Type"].(string)
		v := p.Value
		if p.Resolved != "" {
			v = p.Resolved
		}
		if typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<") || typ == "AWS::SSM::Parameter::Value<List<String>>" {
			var l []any
			for _, it := range strings.Split(v, ",") {
				l = append(l, strings.TrimSpace(it))
			}
			out[p.Key] = l
		} else {
			out[p.Key] = v
		}
	}
	return out
}
