package cloudformation

import (
	"context"
	"fmt"
)

// Schedules (EventBridge Scheduler) and topic policies (SNS).

func init() {
	providers["AWS::Scheduler::Schedule"] = &provider{
		props: []string{"Name", "Description", "FlexibleTimeWindow", "GroupName", "ScheduleExpression", "ScheduleExpressionTimezone",
			"State", "Target", "KmsKeyArn"},
		replace: []string{"Name", "GroupName"},
		name:    "Name",
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			name := str(props, "Name")
			if name == "" {
				name = x.name(64)
			}
			out, err := x.call(ctx, "scheduler", "CreateSchedule", scheduleInput(name, props))
			if err != nil {
				return err
			}
			r.PhysicalID = name
			r.Attrs = map[string]any{"Arn": out["ScheduleArn"]}
			r.Extra = map[string]string{"GroupName": str(props, "GroupName")}
			return nil
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			_, err := x.call(ctx, "scheduler", "UpdateSchedule", scheduleInput(r.PhysicalID, props))
			return err
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			_, err := x.call(ctx, "scheduler", "DeleteSchedule", map[string]any{"Name": r.PhysicalID, "GroupName": r.Extra["GroupName"]})
			return err
		},
	}
	providers["AWS::SNS::TopicPolicy"] = &provider{
		props: []string{"Topics", "PolicyDocument"},
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			r.PhysicalID = x.name(128)
			return setTopicPolicies(ctx, x, stringsOf(props["Topics"]), jsonText(props["PolicyDocument"]))
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			return setTopicPolicies(ctx, x, stringsOf(props["Topics"]), jsonText(props["PolicyDocument"]))
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			for _, arn := range stringsOf(r.Props["Topics"]) {
				if err := setTopicPolicies(ctx, x, []string{arn}, defaultTopicPolicy(arn, x.account())); err != nil && !notFound(err) {
					return err
				}
			}
			return nil
		},
	}
}

func scheduleInput(name string, props map[string]any) map[string]any {
	in := map[string]any{"Name": name}
	for _, k := range []string{"Description", "FlexibleTimeWindow", "GroupName", "ScheduleExpression", "ScheduleExpressionTimezone", "State",
		"Target", "KmsKeyArn"} {
		if v, ok := props[k]; ok {
			in[k] = v
		}
	}
	if t, ok := props["Target"].(map[string]any); ok {
		tt := map[string]any{}
		for k, v := range t {
			tt[k] = v
		}
		if v, ok := t["Input"]; ok {
			tt["Input"] = jsonText(v)
		}
		in["Target"] = tt
	}
	return in
}

func setTopicPolicies(ctx context.Context, x *exec, topics []string, doc string) error {
	for _, arn := range topics {
		if _, err := x.call(ctx, "sns", "SetTopicAttributes", map[string]any{"TopicArn": arn, "AttributeName": "Policy", "AttributeValue": doc}); err != nil {
			return err
		}
	}
	return nil
}

// defaultTopicPolicy is the policy SNS gives a new topic, which a deleted TopicPolicy restores.
func defaultTopicPolicy(arn, account string) string {
	return fmt.Sprintf(`{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow",`+
		`"Principal":{"AWS":"*"},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission",`+
		`"SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":%q,`+
		`"Condition":{"StringEquals":{"AWS:SourceOwner":%q}}}]}`, arn, account)
}
