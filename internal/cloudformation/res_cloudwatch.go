package cloudformation

import (
	"context"
	"fmt"
	"strconv"
)

// CloudWatch metric alarms (AWS::CloudWatch::Alarm): made and changed by PutMetricAlarm; Ref is
// the alarm's name, Fn::GetAtt Arn its ARN.

func init() {
	providers["AWS::CloudWatch::Alarm"] = &provider{
		props: []string{"AlarmName", "AlarmDescription", "ActionsEnabled", "AlarmActions", "OKActions", "InsufficientDataActions",
			"MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "EvaluationPeriods", "DatapointsToAlarm",
			"Threshold", "ComparisonOperator", "TreatMissingData", "Unit", "EvaluateLowSampleCountPercentile", "Metrics",
			"ThresholdMetricId", "Tags"},
		replace: []string{"AlarmName"},
		name:    "AlarmName",
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			name := str(props, "AlarmName")
			if name == "" {
				name = x.name(255)
			}
			in, err := alarmInput(name, props)
			if err != nil {
				return err
			}
			if tags := tagList(props); len(tags) > 0 {
				in["Tags"] = tags
			}
			if _, err := x.call(ctx, "cloudwatch", "PutMetricAlarm", in); err != nil {
				return err
			}
			r.PhysicalID = name
			r.Attrs = map[string]any{"Arn": "arn:aws:cloudwatch:" + x.region() + ":" + x.account() + ":alarm:" + name}
			return nil
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			in, err := alarmInput(r.PhysicalID, props)
			if err != nil {
				return err
			}
			_, err = x.call(ctx, "cloudwatch", "PutMetricAlarm", in)
			return err
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			_, err := x.call(ctx, "cloudwatch", "DeleteAlarms", map[string]any{"AlarmNames": []string{r.PhysicalID}})
			return err
		},
	}
}

// alarmInput is PutMetricAlarm's input from an alarm's properties.
func alarmInput(name string, props map[string]any) (map[string]any, error) {
	in := map[string]any{"AlarmName": name}
	for _, k := range []string{"AlarmDescription", "MetricName", "Namespace", "Statistic", "ExtendedStatistic", "ComparisonOperator",
		"TreatMissingData", "Unit", "EvaluateLowSampleCountPercentile", "ThresholdMetricId"} {
		if v := str(props, k); v != "" {
			in[k] = v
		}
	}
	for _, k := range []string{"AlarmActions", "OKActions", "InsufficientDataActions"} {
		if _, ok := props[k]; ok {
			in[k] = stringsOf(props[k])
		}
	}
	if v := str(props, "ActionsEnabled"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("Property ActionsEnabled: %q is not a boolean", v)
		}
		in["ActionsEnabled"] = b
	}
	for _, k := range []string{"Period", "EvaluationPeriods", "DatapointsToAlarm"} {
		n, ok, err := num(props, k)
		if err != nil {
			return nil, err
		}
		if ok {
			in[k] = n
		}
	}
	if v := str(props, "Threshold"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("Property Threshold: %q is not a number", v)
		}
		in["Threshold"] = f
	}
	if l, ok := props["Dimensions"].([]any); ok {
		dims := make([]map[string]any, 0, len(l))
		for _, d := range l {
			m, _ := d.(map[string]any)
			dims = append(dims, map[string]any{"Name": str(m, "Name"), "Value": str(m, "Value")})
		}
		in["Dimensions"] = dims
	}
	if v, ok := props["Metrics"]; ok {
		in["Metrics"] = v
	}
	return in, nil
}
