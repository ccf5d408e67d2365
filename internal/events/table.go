package events

import (
	"context"
	"strings"

	"github.com/gureum/gureum/internal/service"
)

// Describe returns EventBridge's operation table: every operation of the 2015-10-07 API. API
// destinations, connections, endpoints and partner event sources are not
// served yet.
func (s *Service) Describe() *service.Service {
	op := func(name string, h service.Handler, resource func(context.Context, any) string) service.Operation {
		return service.Operation{Name: name, Action: "events:" + name, Handler: h, Resource: resource}
	}
	busRes := func(name func(any) string) func(context.Context, any) string {
		return func(ctx context.Context, in any) string {
			account, bus := busOf(ctx, name(in))
			return s.busARN(account, bus)
		}
	}
	arnRes := func(arn func(any) string) func(context.Context, any) string {
		return func(ctx context.Context, in any) string {
			if a := arn(in); a != "" {
				return a
			}
			return "*"
		}
	}
	return (&service.Service{
		Name:         "events",
		SigningName:  "events",
		Protocol:     service.JSON11,
		APIVersion:   "2015-10-07",
		TargetPrefix: "AWSEvents",
		// Bus policies (PutPermission) are weighed beside the caller's own: another account may
		// put events on a bus whose policy allows it.
		ResourcePolicies: s.ResourcePolicy,
		Operations: []service.Operation{
			op("ActivateEventSource", nil, nil),
			op("CancelReplay", service.Func(s.CancelReplay), nil),
			op("CreateApiDestination", nil, nil),
			{Name: "CreateArchive", Action: "events:CreateArchive", Handler: service.Func(s.CreateArchive), Checks: s.createArchiveChecks},
			op("CreateConnection", nil, nil),
			op("CreateEndpoint", nil, nil),
			op("CreateEventBus", service.Func(s.CreateEventBus), busRes(func(in any) string { return in.(*CreateEventBusInput).Name })),
			op("CreatePartnerEventSource", nil, nil),
			op("DeactivateEventSource", nil, nil),
			op("DeauthorizeConnection", nil, nil),
			op("DeleteApiDestination", nil, nil),
			op("DeleteArchive", service.Func(s.DeleteArchive), nil),
			op("DeleteConnection", nil, nil),
			op("DeleteEndpoint", nil, nil),
			op("DeleteEventBus", service.Func(s.DeleteEventBus), busRes(func(in any) string { return in.(*NameInput).Name })),
			op("DeletePartnerEventSource", nil, nil),
			op("DeleteRule", service.Func(s.DeleteRule), s.ruleRes(ruleOf)),
			op("DescribeApiDestination", nil, nil),
			op("DescribeArchive", service.Func(s.DescribeArchive), nil),
			op("DescribeConnection", nil, nil),
			op("DescribeEndpoint", nil, nil),
			op("DescribeEventBus", service.Func(s.DescribeEventBus), busRes(func(in any) string { return in.(*NameInput).Name })),
			op("DescribeEventSource", nil, nil),
			op("DescribePartnerEventSource", nil, nil),
			op("DescribeReplay", service.Func(s.DescribeReplay), nil),
			op("DescribeRule", service.Func(s.DescribeRule), s.ruleRes(ruleOf)),
			op("DisableRule", service.Func(s.DisableRule), s.ruleRes(ruleOf)),
			op("EnableRule", service.Func(s.EnableRule), s.ruleRes(ruleOf)),
			op("ListApiDestinations", nil, nil),
			op("ListArchives", service.Func(s.ListArchives), nil),
			op("ListConnections", nil, nil),
			op("ListEndpoints", nil, nil),
			op("ListEventBuses", service.Func(s.ListEventBuses), nil),
			op("ListEventSources", nil, nil),
			op("ListPartnerEventSourceAccounts", nil, nil),
			op("ListPartnerEventSources", nil, nil),
			op("ListReplays", service.Func(s.ListReplays), nil),
			op("ListRuleNamesByTarget", service.Func(s.ListRuleNamesByTarget), busRes(func(in any) string { return in.(*ListRuleNamesByTargetInput).EventBusName })),
			op("ListRules", service.Func(s.ListRules), busRes(func(in any) string { return in.(*ListRulesInput).EventBusName })),
			op("ListTagsForResource", service.Func(s.ListTagsForResource), arnRes(func(in any) string { return in.(*ResourceInput).ResourceARN })),
			op("ListTargetsByRule", service.Func(s.ListTargetsByRule), s.ruleRes(func(in any) (string, string) { i := in.(*ListTargetsByRuleInput); return i.EventBusName, i.Rule })),
			{Name: "PutEvents", Action: "events:PutEvents", Handler: service.Func(s.PutEvents), Checks: s.putEventsChecks},
			op("PutPartnerEvents", nil, nil),
			op("PutPermission", service.Func(s.PutPermission), busRes(func(in any) string { return in.(*PutPermissionInput).EventBusName })),
			op("PutRule", service.Func(s.PutRule), s.ruleRes(func(in any) (string, string) { i := in.(*PutRuleInput); return i.EventBusName, i.Name })),
			op("PutTargets", service.Func(s.PutTargets), s.ruleRes(func(in any) (string, string) { i := in.(*PutTargetsInput); return i.EventBusName, i.Rule })),
			op("RemovePermission", service.Func(s.RemovePermission), busRes(func(in any) string { return in.(*RemovePermissionInput).EventBusName })),
			op("RemoveTargets", service.Func(s.RemoveTargets), s.ruleRes(func(in any) (string, string) { i := in.(*RemoveTargetsInput); return i.EventBusName, i.Rule })),
			op("StartReplay", service.Func(s.StartReplay), nil),
			op("TagResource", service.Func(s.TagResource), arnRes(func(in any) string { return in.(*TagResourceInput).ResourceARN })),
			op("TestEventPattern", service.Func(s.TestEventPattern), nil),
			op("UntagResource", service.Func(s.UntagResource), arnRes(func(in any) string { return in.(*UntagResourceInput).ResourceARN })),
			op("UpdateApiDestination", nil, nil),
			op("UpdateArchive", service.Func(s.UpdateArchive), nil),
			op("UpdateConnection", nil, nil),
			op("UpdateEndpoint", nil, nil),
			op("UpdateEventBus", service.Func(s.UpdateEventBus), busRes(func(in any) string { return in.(*UpdateEventBusInput).Name })),
		},
	}).Index()
}

func ruleOf(in any) (string, string) {
	i := in.(*RuleInput)
	return i.EventBusName, i.Name
}

// ruleRes is the IAM resource of an operation on a rule: the rule's ARN.
func (s *Service) ruleRes(of func(any) (bus, rule string)) func(context.Context, any) string {
	return func(ctx context.Context, in any) string {
		busName, rule := of(in)
		account, bus := busOf(ctx, busName)
		return s.ruleARN(account, bus, rule)
	}
}

// createArchiveChecks are CreateArchive's authorization questions: the archive, of the caller's
// account, and the bus it archives, which may be another account's (whose policy then decides).
func (s *Service) createArchiveChecks(ctx context.Context, in any) []service.Check {
	i := in.(*CreateArchiveInput)
	checks := []service.Check{{Action: "events:CreateArchive", Resource: s.archiveARN(callerAccount(ctx), i.ArchiveName)}}
	if strings.HasPrefix(i.EventSourceArn, "arn:") {
		account, bus := busOf(ctx, i.EventSourceArn)
		checks = append(checks, service.Check{Action: "events:CreateArchive", Resource: s.busARN(account, bus)})
	}
	return checks
}
