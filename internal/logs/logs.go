// Package logs is Amazon CloudWatch Logs (API 2014-03-28, AWS JSON 1.1): log groups, streams
// and events, retention, tags, and FilterLogEvents with CloudWatch's filter-pattern syntax
// (package filter). Events live in a store.Logs, appended in batches and read by range scans;
// a retention sweep on one node deletes expired events in slices. Other services write log
// lines through Append (inprocess.go).
package logs

import (
	"context"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
)

// Store is what CloudWatch Logs keeps.
type Store interface {
	store.Logs
}

// Service serves CloudWatch Logs.
type Service struct {
	store  store.Logs
	region string
	clock  background.Clock
}

// Deps is what CloudWatch Logs is built with.
type Deps struct {
	service.Env
	Store Store
}

// sweepEvery is how often the retention sweep runs; sweepSlice how many events one of its
// transactions deletes at most.
const (
	sweepEvery = time.Minute
	sweepSlice = 1000
)

// New returns the CloudWatch Logs service; its retention sweep is registered on d.Runner when
// there is one.
func New(d Deps) *Service {
	d.Env = d.Env.For("logs")
	s := &Service{store: d.Store, region: d.Region, clock: d.Clock}
	if d.Runner != nil {
		d.Runner.Every("logs.retention", sweepEvery, s.sweep)
	}
	return s
}

// sweep deletes events past their group's retention, and those of deleted groups and streams,
// a slice per transaction until none are left.
func (s *Service) sweep(ctx context.Context) error {
	for ctx.Err() == nil {
		n, err := s.store.SweepLogs(ctx, s.clock.Now(), sweepSlice)
		if err != nil || n == 0 {
			return err
		}
	}
	return ctx.Err()
}

// operations lists every operation of the 2014-03-28 API, from botocore's model.
var operations = []string{
	"AssociateKmsKey", "AssociateSourceToS3TableIntegration", "CancelExportTask",
	"CancelImportTask", "CreateDelivery", "CreateExportTask", "CreateImportTask",
	"CreateLogAnomalyDetector", "CreateLogGroup", "CreateLogStream", "CreateLookupTable",
	"CreateScheduledQuery", "DeleteAccountPolicy", "DeleteDataProtectionPolicy", "DeleteDelivery",
	"DeleteDeliveryDestination", "DeleteDeliveryDestinationPolicy", "DeleteDeliverySource",
	"DeleteDestination", "DeleteIndexPolicy", "DeleteIntegration", "DeleteLogAnomalyDetector",
	"DeleteLogGroup", "DeleteLogStream", "DeleteLookupTable", "DeleteMetricFilter",
	"DeleteQueryDefinition", "DeleteResourcePolicy", "DeleteRetentionPolicy",
	"DeleteScheduledQuery", "DeleteSubscriptionFilter", "DeleteTransformer",
	"DescribeAccountPolicies", "DescribeConfigurationTemplates", "DescribeDeliveries",
	"DescribeDeliveryDestinations", "DescribeDeliverySources", "DescribeDestinations",
	"DescribeExportTasks", "DescribeFieldIndexes", "DescribeImportTaskBatches",
	"DescribeImportTasks", "DescribeIndexPolicies", "DescribeLogGroups", "DescribeLogStreams",
	"DescribeLookupTables", "DescribeMetricFilters", "DescribeQueries",
	"DescribeQueryDefinitions", "DescribeResourcePolicies", "DescribeSubscriptionFilters",
	"DisassociateKmsKey", "DisassociateSourceFromS3TableIntegration", "FilterLogEvents",
	"GetDataProtectionPolicy", "GetDelivery", "GetDeliveryDestination",
	"GetDeliveryDestinationPolicy", "GetDeliverySource", "GetIntegration",
	"GetLogAnomalyDetector", "GetLogEvents", "GetLogFields", "GetLogGroupFields", "GetLogObject",
	"GetLogRecord", "GetLookupTable", "GetQueryResults", "GetScheduledQuery",
	"GetScheduledQueryHistory", "GetTransformer", "ListAggregateLogGroupSummaries",
	"ListAnomalies", "ListIntegrations", "ListLogAnomalyDetectors", "ListLogGroups",
	"ListLogGroupsForQuery", "ListScheduledQueries", "ListSourcesForS3TableIntegration",
	"ListTagsForResource", "ListTagsLogGroup", "PutAccountPolicy", "PutBearerTokenAuthentication",
	"PutDataProtectionPolicy", "PutDeliveryDestination", "PutDeliveryDestinationPolicy",
	"PutDeliverySource", "PutDestination", "PutDestinationPolicy", "PutIndexPolicy",
	"PutIntegration", "PutLogEvents", "PutLogGroupDeletionProtection", "PutMetricFilter",
	"PutQueryDefinition", "PutResourcePolicy", "PutRetentionPolicy", "PutSubscriptionFilter",
	"PutTransformer", "StartLiveTail", "StartQuery", "StopQuery", "TagLogGroup", "TagResource",
	"TestMetricFilter", "TestTransformer", "UntagLogGroup", "UntagResource", "UpdateAnomaly",
	"UpdateDeliveryConfiguration", "UpdateLogAnomalyDetector", "UpdateLookupTable",
	"UpdateScheduledQuery",
}

// Describe returns CloudWatch Logs' operation table.
func (s *Service) Describe() *service.Service {
	byGroup := func(ctx context.Context, in any) string { return s.resource(ctx, in) }
	served := map[string]service.Handler{
		"CreateLogGroup":        service.Func(s.CreateLogGroup),
		"CreateLogStream":       service.Func(s.CreateLogStream),
		"DeleteLogGroup":        service.Func(s.DeleteLogGroup),
		"DeleteLogStream":       service.Func(s.DeleteLogStream),
		"DeleteRetentionPolicy": service.Func(s.DeleteRetentionPolicy),
		"DescribeLogGroups":     service.Func(s.DescribeLogGroups),
		"DescribeLogStreams":    service.Func(s.DescribeLogStreams),
		"FilterLogEvents":       service.Func(s.FilterLogEvents),
		"GetLogEvents":          service.Func(s.GetLogEvents),
		"ListTagsForResource":   service.Func(s.ListTagsForResource),
		"ListTagsLogGroup":      service.Func(s.ListTagsLogGroup),
		"PutLogEvents":          service.Func(s.PutLogEvents),
		"PutRetentionPolicy":    service.Func(s.PutRetentionPolicy),
		"TagLogGroup":           service.Func(s.TagLogGroup),
		"TagResource":           service.Func(s.TagResource),
		"TestMetricFilter":      service.Func(s.TestMetricFilter),
		"UntagLogGroup":         service.Func(s.UntagLogGroup),
		"UntagResource":         service.Func(s.UntagResource),
	}
	ops := make([]service.Operation, 0, len(operations))
	for _, name := range operations {
		op := service.Operation{Name: name, Action: "logs:" + name, Handler: served[name]}
		if op.Handler != nil && name != "DescribeLogGroups" && name != "TestMetricFilter" {
			op.Resource = byGroup
		}
		if name == "DescribeLogGroups" {
			op.Checks = s.describeChecks
		}
		ops = append(ops, op)
	}
	return (&service.Service{
		Name:         "logs",
		SigningName:  "logs",
		Protocol:     service.JSON11,
		APIVersion:   "2014-03-28",
		TargetPrefix: "Logs_20140328",
		Operations:   ops,
	}).Index()
}

func callerAccount(ctx context.Context) string {
	if p := request.From(ctx).Principal; p != nil {
		return p.Account
	}
	return ""
}

// groupARN is a log group's ARN as logGroupArn gives it (DescribeLogGroups' arn adds ":*").
func (s *Service) groupARN(account, group string) string {
	return "arn:aws:logs:" + s.region + ":" + account + ":log-group:" + group
}

func (s *Service) streamARN(account, group, stream string) string {
	return s.groupARN(account, group) + ":log-stream:" + stream
}

// describeChecks authorizes DescribeLogGroups: on every group logGroupIdentifiers names (an ARN
// of another account's group is that account's to allow), or on "*" for a listing.
func (s *Service) describeChecks(ctx context.Context, in any) []service.Check {
	i := in.(*DescribeLogGroupsInput)
	if len(i.LogGroupIdentifiers) == 0 {
		return []service.Check{{Action: "logs:DescribeLogGroups", Resource: "*"}}
	}
	checks := make([]service.Check, len(i.LogGroupIdentifiers))
	for n, id := range i.LogGroupIdentifiers {
		checks[n] = service.Check{Action: "logs:DescribeLogGroups", Resource: s.groupResource(ctx, "", id)}
	}
	return checks
}

// resource is the IAM resource of a call on a group or stream.
func (s *Service) resource(ctx context.Context, in any) string {
	account := callerAccount(ctx)
	switch i := in.(type) {
	case *PutLogEventsInput:
		return s.streamARN(account, i.LogGroupName, i.LogStreamName)
	case *CreateLogStreamInput:
		return s.streamARN(account, i.LogGroupName, i.LogStreamName)
	case *DeleteLogStreamInput:
		return s.streamARN(account, i.LogGroupName, i.LogStreamName)
	case *GetLogEventsInput:
		return s.groupResource(ctx, i.LogGroupName, i.LogGroupIdentifier) + ":log-stream:" + i.LogStreamName
	case *LogGroupInput:
		return s.groupResource(ctx, i.LogGroupName, i.LogGroupIdentifier)
	case *DescribeLogStreamsInput:
		return s.groupResource(ctx, i.LogGroupName, i.LogGroupIdentifier)
	case *FilterLogEventsInput:
		return s.groupResource(ctx, i.LogGroupName, i.LogGroupIdentifier)
	case *TagResourceInput:
		return i.ResourceArn
	case *UntagResourceInput:
		return i.ResourceArn
	case *ListTagsForResourceInput:
		return i.ResourceArn
	}
	if g := groupNameOf(in); g != "" {
		return s.groupARN(account, g)
	}
	return "*"
}

// groupNameOf reads the log group an input names.
func groupNameOf(in any) string {
	switch i := in.(type) {
	case *CreateLogGroupInput:
		return i.LogGroupName
	case *PutRetentionPolicyInput:
		return i.LogGroupName
	case *TagLogGroupInput:
		return i.LogGroupName
	case *UntagLogGroupInput:
		return i.LogGroupName
	case *ListTagsLogGroupInput:
		return i.LogGroupName
	}
	return ""
}

// nameOf is a group's name from logGroupName or logGroupIdentifier (a name or an ARN).
func nameOf(name, identifier string) string {
	_, group := refOf("", name, identifier)
	return group
}

// refOf is the account and name of the group logGroupName or logGroupIdentifier names: an
// identifier that is an ARN names its own account's group, anything else one of account. The
// identifier wins when both are given (the handler refuses that; the authorizer sees the ARN).
func refOf(account, name, identifier string) (string, string) {
	if identifier == "" {
		return account, name
	}
	rest, ok := strings.CutPrefix(identifier, "arn:")
	if !ok {
		return account, identifier
	}
	parts := strings.SplitN(rest, ":", 6) // aws, logs, region, account, log-group, name
	if len(parts) < 6 || parts[4] != "log-group" {
		return account, identifier
	}
	return parts[3], strings.TrimSuffix(parts[5], ":*")
}

// groupNamed is the name of the caller's group that logGroupName or logGroupIdentifier names.
// The two are mutually exclusive; an ARN of another account's group is no group of the
// caller's (the authorizer has refused it already when IAM is enforced).
func (s *Service) groupNamed(ctx context.Context, name, identifier string) (string, error) {
	if name != "" && identifier != "" {
		return "", ErrInvalidParameter.Errorf("LogGroupName and LogGroupIdentifier are mutually exclusive parameters.")
	}
	caller := callerAccount(ctx)
	account, group := refOf(caller, name, identifier)
	if account != caller {
		return "", ErrResourceNotFound.Errorf(msgGroupNotFound)
	}
	return group, nil
}

// groupResource is the IAM resource of a call on the group logGroupName or logGroupIdentifier
// names: its ARN, in the identifier's account when that is an ARN.
func (s *Service) groupResource(ctx context.Context, name, identifier string) string {
	account, group := refOf(callerAccount(ctx), name, identifier)
	return s.groupARN(account, group)
}
