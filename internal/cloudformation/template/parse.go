// Package template reads CloudFormation templates (JSON, or YAML with the short-form tags such
// as !Ref and !GetAtt) into plain values (map[string]any, []any, string, int64, float64, bool,
// nil), evaluates their intrinsic functions and conditions, and orders their resources by
// dependency.
package template

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MaxBody is the largest template body accepted (CloudFormation's limit for a TemplateURL; a
// TemplateBody is limited to 51,200 bytes by the API itself).
const MaxBody = 1 << 20

// maxNodes bounds the values an alias-heavy YAML document may expand to.
const maxNodes = 200000

// Error is a template that cannot be read or evaluated; its text is CloudFormation's.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// Parse reads a template body, JSON or YAML, into a map of its sections.
func Parse(body string) (map[string]any, error) {
	if len(body) > MaxBody {
		return nil, errorf("Template format error: the template is larger than %d bytes", MaxBody)
	}
	var v any
	var err error
	trimmed := strings.TrimSpace(body)
	if strings.HasPrefix(trimmed, "{") {
		v, err = parseJSON(trimmed)
	} else {
		v, err = parseYAML(body)
	}
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errorf("Template format error: not a well-formed template: the document is not a mapping")
	}
	return m, nil
}

func parseJSON(body string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, errorf("Template format error: JSON not well-formed. (%v)", err)
	}
	if dec.More() {
		return nil, errorf("Template format error: JSON not well-formed. (text after the document)")
	}
	return fromJSON(v), nil
}

// fromJSON turns json.Numbers into int64 or float64.
func fromJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = fromJSON(e)
		}
	case []any:
		for i, e := range x {
			x[i] = fromJSON(e)
		}
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	}
	return v
}

func parseYAML(body string) (any, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader([]byte(body)))
	if err := dec.Decode(&doc); err != nil {
		return nil, errorf("Template format error: YAML not well-formed. (%v)", err)
	}
	budget := maxNodes
	return convert(&doc, &budget, 0)
}

// shortTags are the YAML short forms and the function each stands for.
var shortTags = map[string]string{
	"!Ref": "Ref", "!Condition": "Condition", "!GetAtt": "Fn::GetAtt", "!Sub": "Fn::Sub", "!Join": "Fn::Join",
	"!If": "Fn::If", "!Select": "Fn::Select", "!Split": "Fn::Split", "!FindInMap": "Fn::FindInMap",
	"!ImportValue": "Fn::ImportValue", "!Base64": "Fn::Base64", "!Equals": "Fn::Equals", "!And": "Fn::And",
	"!Or": "Fn::Or", "!Not": "Fn::Not", "!GetAZs": "Fn::GetAZs", "!Cidr": "Fn::Cidr", "!Length": "Fn::Length",
	"!ToJsonString": "Fn::ToJsonString", "!Transform": "Fn::Transform", "!Contains": "Fn::Contains",
	"!EachMemberEquals": "Fn::EachMemberEquals", "!EachMemberIn": "Fn::EachMemberIn", "!ValueOf": "Fn::ValueOf",
	"!ValueOfAll": "Fn::ValueOfAll", "!RefAll": "Fn::RefAll",
}

func convert(n *yaml.Node, budget *int, depth int) (any, error) {
	if *budget--; *budget < 0 {
		return nil, errorf("Template format error: the template expands to more than %d values", maxNodes)
	}
	if depth > 200 {
		return nil, errorf("Template format error: the template nests deeper than 200 levels")
	}
	if fn, ok := shortTags[n.Tag]; ok {
		inner := *n
		inner.Tag = ""
		if inner.Kind == yaml.ScalarNode {
			inner.Tag = "!!str"
		}
		v, err := convertPlain(&inner, budget, depth+1)
		if err != nil {
			return nil, err
		}
		if fn == "Fn::GetAtt" {
			if s, ok := v.(string); ok {
				res, attr, found := strings.Cut(s, ".")
				if !found {
					return nil, errorf("Template error: every Fn::GetAtt object requires two non-empty parameters")
				}
				v = []any{res, attr}
			}
		}
		return map[string]any{fn: v}, nil
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return nil, errorf("Template format error: YAML not well-formed. (unknown tag %s at line %d)", n.Tag, n.Line)
	}
	return convertPlain(n, budget, depth)
}

func convertPlain(n *yaml.Node, budget *int, depth int) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return convert(n.Content[0], budget, depth+1)
	case yaml.AliasNode:
		return convert(n.Alias, budget, depth+1)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, errorf("Template format error: YAML not well-formed. (a key at line %d is not a scalar)", k.Line)
			}
			if _, dup := m[k.Value]; dup {
				return nil, errorf("Template format error: YAML not well-formed. (duplicate key %q at line %d)", k.Value, k.Line)
			}
			v, err := convert(n.Content[i+1], budget, depth+1)
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := convert(c, budget, depth+1)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	case yaml.ScalarNode:
		return scalar(n), nil
	}
	return nil, errorf("Template format error: YAML not well-formed. (line %d)", n.Line)
}

func scalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		b, err := strconv.ParseBool(strings.ToLower(n.Value))
		if err == nil {
			return b
		}
	case "!!int":
		if i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil {
			return i
		}
	case "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f
		}
	}
	return n.Value
}

// String is a scalar's text as CloudFormation passes it on: numbers without a trailing ".0",
// booleans as "true"/"false".
func String(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int64:
		return strconv.FormatInt(x, 10), true
	case int:
		return strconv.Itoa(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// JSON renders a value as compact JSON (a template's processed form, a property for an event).
func JSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

// Clone deep-copies a value.
func Clone(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = Clone(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = Clone(e)
		}
		return l
	}
	return v
}
