// Package cloudwatch is Amazon CloudWatch's metrics and alarms (API 2010-08-01), served in
// Smithy RPC v2 CBOR (what aws-sdk-go-v2 and botocore send) and AWS JSON 1.0: PutMetricData,
// GetMetricStatistics, GetMetricData (MetricStat queries), ListMetrics, metric alarms with
// their history and tags. Alarms are evaluated on one node at a time (a periodic job under a
// lease, `cloudwatch.alarms`), and a state change is written with its history entry and the
// deliveries of its actions (SNS topics, outbox kind `cloudwatch.alarm`) in one transaction.
// Other services report metrics in process through Record (Lambda's AWS/Lambda metrics).
package cloudwatch

import (
	"context"
	"log/slog"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/sns"
	"github.com/gureum/gureum/internal/store"
)

// Store is what CloudWatch keeps.
type Store interface {
	store.Metrics
}

// Topics is how alarm actions reach SNS (sns.Service's PublishFrom).
type Topics interface {
	PublishFrom(ctx context.Context, src sns.Source, topicARN, body, groupID, dedupID string) (string, error)
}

// Deps is what CloudWatch is built with.
type Deps struct {
	service.Env
	Store  Store
	Topics Topics
	// Evaluate is how often alarms are evaluated (0: every second).
	Evaluate time.Duration
}

// Service serves CloudWatch.
type Service struct {
	store    Store
	topics   Topics
	region   string
	clock    background.Clock
	log      *slog.Logger
	interval time.Duration
	buf      *buffer
}

// New returns the CloudWatch service and registers its background work on d.Runner: the alarm
// evaluator (one node), the flusher of in-process metrics (every node), the retention sweep and
// the outbox handler of alarm actions.
func New(d Deps) *Service {
	d.Env = d.Env.For("cloudwatch")
	s := &Service{store: d.Store, topics: d.Topics, region: d.Region, clock: d.Clock, log: d.Log, interval: d.Evaluate}
	if s.interval <= 0 {
		s.interval = time.Second
	}
	s.buf = newBuffer(s)
	if d.Runner != nil {
		d.Runner.Every("cloudwatch.alarms", s.interval, s.EvaluateAlarms)
		d.Runner.Every("cloudwatch.retention", time.Hour, s.sweep)
		d.Runner.Go("cloudwatch.flush", s.buf.run)
	}
	if d.Outbox != nil {
		d.Outbox.Handle(ActionKind, s.deliverAction)
	}
	return s
}

// Start does nothing: the background work is on the runner.
func (s *Service) Start(context.Context) error { return nil }

// Stop writes the metrics still buffered.
func (s *Service) Stop() { s.buf.flush(context.Background()) }

func callerAccount(ctx context.Context) string {
	if p := request.From(ctx).Principal; p != nil {
		return p.Account
	}
	return ""
}

// AlarmARN is an alarm's ARN.
func (s *Service) AlarmARN(account, name string) string {
	return "arn:aws:cloudwatch:" + s.region + ":" + account + ":alarm:" + name
}

// Describe returns CloudWatch's operation table: every operation of the 2010-08-01 API, those
// of dashboards, insight rules, anomaly detectors, metric streams and composite alarms not served.
func (s *Service) Describe() *service.Service {
	served := map[string]service.Handler{
		"PutMetricData":           service.Func(s.PutMetricData),
		"GetMetricStatistics":     service.Func(s.GetMetricStatistics),
		"GetMetricData":           service.Func(s.GetMetricData),
		"ListMetrics":             service.Func(s.ListMetrics),
		"PutMetricAlarm":          service.Func(s.PutMetricAlarm),
		"DescribeAlarms":          service.Func(s.DescribeAlarms),
		"DescribeAlarmsForMetric": service.Func(s.DescribeAlarmsForMetric),
		"DeleteAlarms":            service.Func(s.DeleteAlarms),
		"SetAlarmState":           service.Func(s.SetAlarmState),
		"EnableAlarmActions":      service.Func(s.EnableAlarmActions),
		"DisableAlarmActions":     service.Func(s.DisableAlarmActions),
		"DescribeAlarmHistory":    service.Func(s.DescribeAlarmHistory),
		"TagResource":             service.Func(s.TagResource),
		"UntagResource":           service.Func(s.UntagResource),
		"ListTagsForResource":     service.Func(s.ListTagsForResource),
	}
	svc := &service.Service{
		Name:            "cloudwatch",
		SigningName:     "monitoring",
		Protocol:        service.JSON10,
		AlsoCBOR:        true,
		APIVersion:      "2010-08-01",
		TargetPrefix:    "GraniteServiceVersion20100801",
		ErrorTypePrefix: "com.amazonaws.cloudwatch#",
		QueryCompatible: true,
	}
	for _, name := range operationNames {
		op := service.Operation{Name: name, Action: "cloudwatch:" + name, Handler: served[name]}
		switch name {
		case "PutMetricAlarm", "SetAlarmState":
			op.Resource = s.alarmResource
		case "DeleteAlarms", "EnableAlarmActions", "DisableAlarmActions":
			op.Checks = s.alarmChecks(op.Action)
		case "TagResource", "UntagResource", "ListTagsForResource":
			op.Resource = taggedResource
		}
		svc.Operations = append(svc.Operations, op)
	}
	return svc.Index()
}

func (s *Service) alarmResource(ctx context.Context, in any) string {
	var name string
	switch x := in.(type) {
	case *PutMetricAlarmInput:
		name = x.AlarmName
	case *SetAlarmStateInput:
		name = x.AlarmName
	}
	if name == "" {
		return "*"
	}
	return s.AlarmARN(callerAccount(ctx), name)
}

// alarmChecks asks for the action on every alarm a call names.
func (s *Service) alarmChecks(action string) func(context.Context, any) []service.Check {
	return func(ctx context.Context, in any) []service.Check {
		x, _ := in.(*AlarmNamesInput)
		if x == nil || len(x.AlarmNames) == 0 {
			return []service.Check{{Action: action, Resource: "*"}}
		}
		checks := make([]service.Check, 0, len(x.AlarmNames))
		for _, n := range x.AlarmNames {
			checks = append(checks, service.Check{Action: action, Resource: s.AlarmARN(callerAccount(ctx), n)})
		}
		return checks
	}
}

func taggedResource(_ context.Context, in any) string {
	switch x := in.(type) {
	case *TagResourceInput:
		return orStar(x.ResourceARN)
	case *UntagResourceInput:
		return orStar(x.ResourceARN)
	case *ListTagsForResourceInput:
		return orStar(x.ResourceARN)
	}
	return "*"
}

func orStar(s string) string {
	if s == "" {
		return "*"
	}
	return s
}

// operationNames is every operation of the 2010-08-01 API (botocore's model).
var operationNames = []string{
	"DeleteAlarmMuteRule", "DeleteAlarms", "DeleteAnomalyDetector", "DeleteDashboards", "DeleteInsightRules",
	"DeleteMetricStream", "DescribeAlarmContributors", "DescribeAlarmHistory", "DescribeAlarms", "DescribeAlarmsForMetric",
	"DescribeAnomalyDetectors", "DescribeInsightRules", "DisableAlarmActions", "DisableInsightRules", "EnableAlarmActions",
	"EnableInsightRules", "GetAlarmMuteRule", "GetDashboard", "GetInsightRuleReport", "GetMetricData", "GetMetricStatistics",
	"GetMetricStream", "GetMetricWidgetImage", "GetOTelEnrichment", "ListAlarmMuteRules", "ListDashboards",
	"ListManagedInsightRules", "ListMetricStreams", "ListMetrics", "ListTagsForResource", "PutAlarmMuteRule",
	"PutAnomalyDetector", "PutCompositeAlarm", "PutDashboard", "PutInsightRule", "PutManagedInsightRules",
	"PutMetricAlarm", "PutMetricData", "PutMetricStream", "SetAlarmState", "StartMetricStreams", "StartOTelEnrichment",
	"StopMetricStreams", "StopOTelEnrichment", "TagResource", "UntagResource",
}
