package sam

import (
	"sort"
	"strings"
)

// layerProps are the AWS::Serverless::LayerVersion properties the transform supports.
var layerProps = map[string]bool{"LayerName": true, "Description": true, "ContentUri": true, "CompatibleRuntimes": true,
	"CompatibleArchitectures": true, "LicenseInfo": true, "RetentionPolicy": true}

// layer expands an AWS::Serverless::LayerVersion into an AWS::Lambda::LayerVersion whose
// logical id carries the hash of the SAM resource (a new version on every change, the old one
// kept by its DeletionPolicy, Retain unless RetentionPolicy says Delete), as the translator does.
func (x *expander) layer(id string, def map[string]any) error {
	props, _ := def["Properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
	}
	props = applyGlobals(x.globals["LayerVersion"], props, def["IgnoreGlobals"])
	var unknown []string
	for k := range props {
		if !layerProps[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return invalid(id, "gureum does not support these properties of AWS::Serverless::LayerVersion: %s.", strings.Join(unknown, ", "))
	}
	deletion := "Retain"
	if d, ok := def["DeletionPolicy"]; ok {
		deletion, _ = d.(string)
	}
	switch rp := props["RetentionPolicy"].(type) {
	case nil:
	case string:
		switch strings.ToLower(rp) {
		case "retain":
			deletion = "Retain"
		case "delete":
			deletion = "Delete"
		default:
			return invalid(id, "'RetentionPolicy' must be one of the following options: ['Retain', 'Delete'].")
		}
	default:
		return invalid(id, "'RetentionPolicy' does not accept intrinsic functions, please use one of the following options: ['Retain', 'Delete']")
	}
	hashed := map[string]any{"Type": "AWS::Serverless::LayerVersion", "Properties": props}
	for _, k := range []string{"Condition", "DependsOn"} {
		if v, ok := def[k]; ok {
			hashed[k] = v
		}
	}
	newID := id + hash(map[string]any{id: hashed})
	content, err := codeOf(id, map[string]any{"CodeUri": props["ContentUri"]})
	if err != nil {
		return invalid(id, "%s", strings.ReplaceAll(strings.TrimPrefix(err.Error(), "Resource with id ["+id+"] is invalid. "), "CodeUri", "ContentUri"))
	}
	out := map[string]any{"Content": content, "LayerName": id}
	copyProps(props, out, "LayerName", "Description", "CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo")
	res := resourceAttrs(def, map[string]any{"Type": "AWS::Lambda::LayerVersion", "Properties": out})
	res["DeletionPolicy"] = deletion
	x.out[newID] = res
	if x.aliases == nil {
		x.aliases = map[string]string{}
	}
	x.aliases[id] = newID
	return nil
}
