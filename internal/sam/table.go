package sam

import "sort"

// simpleTableProps are the AWS::Serverless::SimpleTable properties the transform supports.
var simpleTableProps = map[string]bool{"PrimaryKey": true, "ProvisionedThroughput": true, "TableName": true, "Tags": true,
	"SSESpecification": true}

// simpleTable expands an AWS::Serverless::SimpleTable into an AWS::DynamoDB::Table with one
// hash key (id, a string, unless PrimaryKey says otherwise), billed per request unless
// ProvisionedThroughput is given.
func (x *expander) simpleTable(id string, def map[string]any) error {
	props, _ := def["Properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
	}
	props = applyGlobals(x.globals["SimpleTable"], props, def["IgnoreGlobals"])
	for k := range props {
		if !simpleTableProps[k] {
			return invalid(id, "gureum does not support the AWS::Serverless::SimpleTable property %s.", k)
		}
	}
	name, typ := any("id"), "S"
	if pk, ok := props["PrimaryKey"]; ok {
		m, isMap := pk.(map[string]any)
		if !isMap || m["Name"] == nil || m["Type"] == nil {
			return invalid(id, "'PrimaryKey' is missing required Property 'Name' or 'Type'.")
		}
		name = m["Name"]
		switch m["Type"] {
		case "String":
			typ = "S"
		case "Number":
			typ = "N"
		case "Binary":
			typ = "B"
		default:
			return invalid(id, "Property PrimaryKey.Type must be String, Number or Binary.")
		}
	}
	table := map[string]any{
		"AttributeDefinitions": []any{map[string]any{"AttributeName": name, "AttributeType": typ}},
		"KeySchema":            []any{map[string]any{"AttributeName": name, "KeyType": "HASH"}},
	}
	if pt, ok := props["ProvisionedThroughput"]; ok {
		table["ProvisionedThroughput"] = pt
	} else {
		table["BillingMode"] = "PAY_PER_REQUEST"
	}
	for _, k := range []string{"TableName", "SSESpecification"} {
		if v, ok := props[k]; ok {
			table[k] = v
		}
	}
	if tags, ok := props["Tags"].(map[string]any); ok {
		keys := make([]string, 0, len(tags))
		for k := range tags {
			keys = append(keys, k)
		}
		sort.Strings(keys) // the template's order is not kept; the translator keeps it
		list := make([]any, 0, len(keys))
		for _, k := range keys {
			list = append(list, map[string]any{"Key": k, "Value": tags[k]})
		}
		table["Tags"] = list
	}
	x.out[id] = resourceAttrs(def, map[string]any{"Type": "AWS::DynamoDB::Table", "Properties": table})
	return nil
}
