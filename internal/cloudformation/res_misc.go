package cloudformation

import (
	"context"
	"slices"
	"strings"
)

// Log groups (CloudWatch Logs), parameters (SSM) and rules (EventBridge).

func init() {
	providers["AWS::Logs::LogGroup"] = &provider{
		props:   []string{"LogGroupName", "RetentionInDays", "Tags", "KmsKeyId", "LogGroupClass", "DataProtectionPolicy"},
		replace: []string{"LogGroupName", "LogGroupClass"},
		name:    "LogGroupName",
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			name := str(props, "LogGroupName")
			if name == "" {
				name = x.name(512)
			}
			in := map[string]any{"logGroupName": name, "tags": tagMap(props)}
			if c := str(props, "LogGroupClass"); c != "" {
				in["logGroupClass"] = c
			}
			if _, err := x.call(ctx, "logs", "CreateLogGroup", in); err != nil {
				return err
			}
			r.PhysicalID = name
			r.Attrs = map[string]any{"Arn": "arn:aws:logs:" + x.region() + ":" + x.account() + ":log-group:" + name + ":*"}
			return setRetention(ctx, x, name, nil, props)
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			return setRetention(ctx, x, r.PhysicalID, old, props)
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			_, err := x.call(ctx, "logs", "DeleteLogGroup", map[string]any{"logGroupName": r.PhysicalID})
			return err
		},
	}
	providers["AWS::SSM::Parameter"] = &provider{
		props:   []string{"Name", "Type", "Value", "Description", "AllowedPattern", "Tier", "DataType", "Tags", "Policies"},
		replace: []string{"Name"},
		name:    "Name",
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			name := str(props, "Name")
			if name == "" {
				name = "CFN-" + x.name(1000)
			}
			r.PhysicalID = name
			return putParameter(ctx, x, r, props, false)
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			return putParameter(ctx, x, r, props, true)
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			_, err := x.call(ctx, "ssm", "DeleteParameter", map[string]any{"Name": r.PhysicalID})
			return err
		},
	}
	providers["AWS::Events::Rule"] = &provider{
		props:   []string{"Name", "Description", "EventBusName", "EventPattern", "ScheduleExpression", "State", "Targets", "RoleArn"},
		replace: []string{"Name", "EventBusName"},
		name:    "Name",
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			name := str(props, "Name")
			if name == "" {
				name = x.name(64)
			}
			r.PhysicalID = name
			if bus := str(props, "EventBusName"); bus != "" && bus != "default" {
				r.PhysicalID = bus + "|" + name
			}
			return putRule(ctx, x, r, name, nil, props)
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			_, name := ruleName(r.PhysicalID)
			return putRule(ctx, x, r, name, old, props)
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			bus, name := ruleName(r.PhysicalID)
			var ids []string
			for _, t := range targets(r.Props) {
				ids = append(ids, str(t, "Id"))
			}
			if len(ids) > 0 {
				if _, err := x.call(ctx, "events", "RemoveTargets", map[string]any{"Rule": name, "EventBusName": bus, "Ids": ids}); err != nil && !notFound(err) {
					return err
				}
			}
			_, err := x.call(ctx, "events", "DeleteRule", map[string]any{"Name": name, "EventBusName": bus})
			return err
		},
	}
}

func setRetention(ctx context.Context, x *exec, name string, old, props map[string]any) error {
	n, has, err := num(props, "RetentionInDays")
	if err != nil {
		return err
	}
	_, had, _ := num(old, "RetentionInDays")
	switch {
	case has:
		_, err = x.call(ctx, "logs", "PutRetentionPolicy", map[string]any{"logGroupName": name, "retentionInDays": n})
	case had:
		_, err = x.call(ctx, "logs", "DeleteRetentionPolicy", map[string]any{"logGroupName": name})
	}
	return err
}

func putParameter(ctx context.Context, x *exec, r *resourceState, props map[string]any, overwrite bool) error {
	typ := str(props, "Type")
	in := map[string]any{"Name": r.PhysicalID, "Type": typ, "Value": str(props, "Value"), "Overwrite": overwrite}
	if typ == "StringList" {
		if l, ok := props["Value"].([]any); ok {
			in["Value"] = strings.Join(stringsOf(l), ",")
		}
	}
	for _, k := range []string{"Description", "AllowedPattern", "Tier", "DataType", "Policies"} {
		if v := str(props, k); v != "" {
			in[k] = v
		}
	}
	if !overwrite {
		var tags []map[string]any
		for k, v := range tagsOfMap(props["Tags"]) {
			tags = append(tags, map[string]any{"Key": k, "Value": v})
		}
		if tags != nil {
			in["Tags"] = tags
		}
	}
	if _, err := x.call(ctx, "ssm", "PutParameter", in); err != nil {
		return err
	}
	r.Attrs = map[string]any{"Type": typ, "Value": in["Value"]}
	return nil
}

// tagsOfMap reads SSM's Tags, a map in its CloudFormation schema.
func tagsOfMap(v any) map[string]string {
	m, _ := v.(map[string]any)
	out := map[string]string{}
	for k := range m {
		out[k] = str(m, k)
	}
	return out
}

func ruleName(physical string) (bus, name string) {
	if b, n, ok := strings.Cut(physical, "|"); ok {
		return b, n
	}
	return "", physical
}

func targets(props map[string]any) []map[string]any {
	l, _ := props["Targets"].([]any)
	var out []map[string]any
	for _, t := range l {
		if m, ok := t.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func putRule(ctx context.Context, x *exec, r *resourceState, name string, old, props map[string]any) error {
	in := map[string]any{"Name": name, "EventBusName": str(props, "EventBusName"), "Description": str(props, "Description"),
		"ScheduleExpression": str(props, "ScheduleExpression"), "State": str(props, "State"), "RoleArn": str(props, "RoleArn")}
	if p, ok := props["EventPattern"]; ok {
		in["EventPattern"] = jsonText(p)
	}
	out, err := x.call(ctx, "events", "PutRule", in)
	if err != nil {
		return err
	}
	r.Attrs = map[string]any{"Arn": out["RuleArn"]}
	var ts []map[string]any
	var ids []string
	for _, t := range targets(props) {
		tt := map[string]any{}
		for k, v := range t {
			if k == "Input" {
				v = jsonText(v)
			}
			tt[k] = v
		}
		ts = append(ts, tt)
		ids = append(ids, str(t, "Id"))
	}
	if len(ts) > 0 {
		if _, err := x.call(ctx, "events", "PutTargets", map[string]any{"Rule": name, "EventBusName": in["EventBusName"], "Targets": ts}); err != nil {
			return err
		}
	}
	var gone []string
	for _, t := range targets(old) {
		if !slices.Contains(ids, str(t, "Id")) {
			gone = append(gone, str(t, "Id"))
		}
	}
	if len(gone) > 0 {
		_, err = x.call(ctx, "events", "RemoveTargets", map[string]any{"Rule": name, "EventBusName": in["EventBusName"], "Ids": gone})
	}
	return err
}
