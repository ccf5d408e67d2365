package server

import (
	"context"

	"github.com/gureum/gureum/internal/cloudwatch"
	"github.com/gureum/gureum/internal/lambda"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/sns"
)

// newCloudWatch builds CloudWatch; its alarm actions reach SNS through topics, which is set
// once SNS is built (it is built after Lambda, whose metrics CloudWatch receives).
func newCloudWatch(st cloudwatch.Store, env service.Env, topics *alarmTopics) *cloudwatch.Service {
	return cloudwatch.New(cloudwatch.Deps{Env: env, Store: st, Topics: topics})
}

// alarmTopics is SNS for alarm actions, bound after both services are built.
type alarmTopics struct{ sns *sns.Service }

func (t *alarmTopics) PublishFrom(ctx context.Context, src sns.Source, topicARN, body, groupID, dedupID string) (string, error) {
	return t.sns.PublishFrom(ctx, src, topicARN, body, groupID, dedupID)
}

// usageRecorders hands each completed invocation to the cost ledger and to CloudWatch's
// AWS/Lambda metrics (a throttled invocation to the metrics only: it costs nothing).
type usageRecorders struct {
	cost    lambda.UsageRecorder // nil: no ledger
	metrics *cloudwatch.Service  // nil: no metrics
}

func (u usageRecorders) RecordUsage(ctx context.Context, x lambda.Usage) {
	if u.cost != nil && !x.Throttled {
		u.cost.RecordUsage(ctx, x)
	}
	if u.metrics != nil {
		u.metrics.Record(lambdaMetrics(x)...)
	}
}

// lambdaMetrics are an invocation's AWS/Lambda data points: by FunctionName; by FunctionName
// and Resource (function:qualifier) when a qualifier was invoked; by FunctionName, Resource and
// ExecutedVersion when an alias ran a version.
func lambdaMetrics(x lambda.Usage) []cloudwatch.Datum {
	dimSets := [][]cloudwatch.Dimension{{{Name: "FunctionName", Value: x.FunctionName}}}
	if x.Qualifier != "" {
		res := x.FunctionName + ":" + x.Qualifier
		dimSets = append(dimSets, []cloudwatch.Dimension{{Name: "FunctionName", Value: x.FunctionName}, {Name: "Resource", Value: res}})
		if x.Qualifier != x.Version && !x.Throttled {
			dimSets = append(dimSets, []cloudwatch.Dimension{{Name: "FunctionName", Value: x.FunctionName}, {Name: "Resource", Value: res},
				{Name: "ExecutedVersion", Value: x.Version}})
		}
	}
	var out []cloudwatch.Datum
	add := func(name string, v float64, unit string) {
		for _, dims := range dimSets {
			out = append(out, cloudwatch.Datum{Account: x.AccountID, Namespace: "AWS/Lambda", Name: name, Dimensions: dims, Value: v, Unit: unit, At: x.At})
		}
	}
	if x.Throttled {
		add("Throttles", 1, "Count")
		return out
	}
	errs := 0.0
	if x.FunctionError {
		errs = 1
	}
	add("Invocations", 1, "Count")
	add("Errors", errs, "Count")
	add("Duration", float64(x.Duration.Microseconds())/1000, "Milliseconds")
	return out
}
