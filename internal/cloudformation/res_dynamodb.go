package cloudformation

import (
	"context"
	"fmt"
	"strconv"
)

// DynamoDB tables (and so SAM's SimpleTable).

func init() {
	providers["AWS::DynamoDB::Table"] = &provider{
		props: []string{"TableName", "KeySchema", "AttributeDefinitions", "BillingMode", "ProvisionedThroughput", "GlobalSecondaryIndexes",
			"LocalSecondaryIndexes", "StreamSpecification", "SSESpecification", "TableClass", "Tags", "DeletionProtectionEnabled"},
		replace: []string{"TableName", "KeySchema", "AttributeDefinitions", "LocalSecondaryIndexes", "GlobalSecondaryIndexes", "BillingMode",
			"ProvisionedThroughput", "StreamSpecification", "SSESpecification", "TableClass"},
		name: "TableName",
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			name := str(props, "TableName")
			if name == "" {
				name = x.name(255)
			}
			in := map[string]any{"TableName": name}
			for _, k := range []string{"KeySchema", "AttributeDefinitions", "GlobalSecondaryIndexes", "LocalSecondaryIndexes", "StreamSpecification", "TableClass"} {
				if v, ok := props[k]; ok {
					in[k] = numbers(v)
				}
			}
			in["BillingMode"] = "PROVISIONED"
			if b := str(props, "BillingMode"); b != "" {
				in["BillingMode"] = b
			}
			if pt, ok := props["ProvisionedThroughput"]; ok {
				in["ProvisionedThroughput"] = numbers(pt)
			}
			if sse, ok := props["SSESpecification"].(map[string]any); ok {
				spec := map[string]any{"Enabled": sse["SSEEnabled"] == true || str(sse, "SSEEnabled") == "true"}
				for _, k := range []string{"SSEType", "KMSMasterKeyId"} {
					if v := str(sse, k); v != "" {
						spec[k] = v
					}
				}
				in["SSESpecification"] = spec
			}
			if tags := tagList(props); len(tags) > 0 {
				in["Tags"] = tags
			}
			if str(props, "DeletionProtectionEnabled") == "true" {
				in["DeletionProtectionEnabled"] = true
			}
			out, err := x.call(ctx, "dynamodb", "CreateTable", in)
			if err != nil {
				return err
			}
			desc, _ := out["TableDescription"].(map[string]any)
			r.PhysicalID = name
			r.Attrs = map[string]any{"Arn": desc["TableArn"]}
			if s, ok := desc["LatestStreamArn"]; ok {
				r.Attrs["StreamArn"] = s
			}
			return nil
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			return fmt.Errorf("gureum does not change a table's Tags or DeletionProtectionEnabled in place yet")
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			_, err := x.call(ctx, "dynamodb", "DeleteTable", map[string]any{"TableName": r.PhysicalID})
			return err
		},
	}
}

// numbers turns the numeric strings of a document's capacity members into numbers (templates
// give them either way; the API wants numbers).
func numbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			if s, ok := e.(string); ok && (k == "ReadCapacityUnits" || k == "WriteCapacityUnits") {
				if n, err := strconv.ParseInt(s, 10, 64); err == nil {
					out[k] = n
					continue
				}
			}
			out[k] = numbers(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = numbers(e)
		}
		return out
	}
	return v
}
