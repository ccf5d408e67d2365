// Package cloudformation is AWS CloudFormation (API 2010-05-15, the query protocol): stacks
// created, updated and deleted from templates (JSON or YAML, with the
// AWS::Serverless-2016-10-31 transform of package sam), change sets, events, exports and
// imports. A stack's operation is stored with the stack and run as a background task under a
// lease (a node that dies leaves it to the next), resource by resource in dependency order,
// each resource made by calling its service's own operation in process as the stack's creator,
// so IAM decides what a stack may do. A failure rolls the stack back.
package cloudformation

import (
	"context"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
)

// Store is what CloudFormation keeps: stacks and their events (and the leases of their tasks).
type Store interface {
	store.Stacks
}

// Deps is what CloudFormation is built with.
type Deps struct {
	service.Env
	Store Store
	// Authorizer authorizes the calls a stack makes (the router's).
	Authorizer Authorizer
	// Wait bounds how long a call that starts an operation waits for it to finish before it
	// answers (0: 20 s), so that small stacks are done when CreateStack or ExecuteChangeSet
	// returns and clients' first poll sees them finished.
	Wait time.Duration
	// References resolves the dynamic references ({{resolve:ssm:…}}, {{resolve:ssm-secure:…}},
	// {{resolve:secretsmanager:…}}) in resources' properties for the deploying account (nil:
	// they are passed on as written).
	References References
}

// References resolves dynamic references in a string (dynref.Resolver).
type References interface {
	Resolve(ctx context.Context, account, s string) (string, error)
}

// Service serves CloudFormation.
type Service struct {
	store  Store
	region string
	clock  background.Clock
	log    *slog.Logger
	calls  *caller
	tasks  *background.Tasks
	wait   time.Duration
	refs   References

	mu       sync.Mutex
	services []*service.Service
	done     map[string][]chan struct{} // operations finished on this node, by stack id
}

// New returns the CloudFormation service; its stack operations run as tasks on d.Runner.
func New(d Deps) *Service {
	d.Env = d.Env.For("cloudformation")
	s := &Service{store: d.Store, region: d.Region, clock: d.Clock, log: d.Log, wait: d.Wait, refs: d.References, done: map[string][]chan struct{}{}}
	if s.wait == 0 {
		s.wait = 20 * time.Second
	}
	s.calls = &caller{services: s.peers, auth: d.Authorizer, region: d.Region, now: s.clock.Now}
	if d.Runner != nil {
		s.tasks = d.Runner.Tasks(store.StackTaskLease, s.runTask)
	}
	return s
}

// Use gives CloudFormation the services its stacks' resources are made through (the server's
// whole list, called once it is built).
func (s *Service) Use(services []*service.Service) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.services = services
}

func (s *Service) peers() []*service.Service {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.services
}

// Describe returns CloudFormation's operation table: every operation of the 2010-05-15 API.
func (s *Service) Describe() *service.Service {
	served := map[string]service.Handler{
		"CreateStack":                 service.Func(s.CreateStack),
		"UpdateStack":                 service.Func(s.UpdateStack),
		"DeleteStack":                 service.Func(s.DeleteStack),
		"DescribeStacks":              service.Func(s.DescribeStacks),
		"ListStacks":                  service.Func(s.ListStacks),
		"DescribeStackEvents":         service.Func(s.DescribeStackEvents),
		"DescribeStackResource":       service.Func(s.DescribeStackResource),
		"DescribeStackResources":      service.Func(s.DescribeStackResources),
		"ListStackResources":          service.Func(s.ListStackResources),
		"GetTemplate":                 service.Func(s.GetTemplate),
		"GetTemplateSummary":          service.Func(s.GetTemplateSummary),
		"ValidateTemplate":            service.Func(s.ValidateTemplate),
		"ListExports":                 service.Func(s.ListExports),
		"ListImports":                 service.Func(s.ListImports),
		"UpdateTerminationProtection": service.Func(s.UpdateTerminationProtection),
		"SetStackPolicy":              service.Func(s.SetStackPolicy),
		"GetStackPolicy":              service.Func(s.GetStackPolicy),
		"CreateChangeSet":             service.Func(s.CreateChangeSet),
		"DescribeChangeSet":           service.Func(s.DescribeChangeSet),
		"ExecuteChangeSet":            service.Func(s.ExecuteChangeSet),
		"DeleteChangeSet":             service.Func(s.DeleteChangeSet),
		"ListChangeSets":              service.Func(s.ListChangeSets),
	}
	svc := &service.Service{
		Name:         "cloudformation",
		SigningName:  "cloudformation",
		Protocol:     service.Query,
		APIVersion:   "2010-05-15",
		XMLNamespace: "http://cloudformation.amazonaws.com/doc/2010-05-15/",
		Endpoints: []service.Endpoint{{Name: "cloudformation-response", Prefix: responsePrefix,
			Handler: http.HandlerFunc(s.serveResponse)}},
	}
	for _, name := range operationNames {
		op := service.Operation{Name: name, Action: "cloudformation:" + name, Handler: served[name]}
		if served[name] != nil {
			op.Resource = s.stackResource
		}
		switch name {
		case "CreateStack", "UpdateStack", "DeleteStack", "CreateChangeSet":
			op.Checks = s.roleChecks(op.Action)
		}
		svc.Operations = append(svc.Operations, op)
	}
	sort.Slice(svc.Operations, func(i, j int) bool { return svc.Operations[i].Name < svc.Operations[j].Name })
	return svc.Index()
}

// stackNamer is an input that names a stack.
type stackNamer interface{ stackName() string }

func (i *CreateStackInput) stackName() string            { return i.StackName }
func (i *UpdateStackInput) stackName() string            { return i.StackName }
func (i *DeleteStackInput) stackName() string            { return i.StackName }
func (i *DescribeStacksInput) stackName() string         { return i.StackName }
func (i *DescribeStackEventsInput) stackName() string    { return i.StackName }
func (i *DescribeStackResourceInput) stackName() string  { return i.StackName }
func (i *DescribeStackResourcesInput) stackName() string { return i.StackName }
func (i *ListStackResourcesInput) stackName() string     { return i.StackName }
func (i *GetTemplateInput) stackName() string            { return i.StackName }
func (i *CreateChangeSetInput) stackName() string        { return i.StackName }
func (i *ChangeSetInput) stackName() string              { return i.StackName }
func (i *StackPolicyInput) stackName() string            { return i.StackName }
func (i *UpdateTerminationProtectionInput) stackName() string {
	return i.StackName
}

// stackResource is the IAM resource of a call: the stack's ARN pattern
// (arn:aws:cloudformation:R:A:stack/NAME/*), or "*" for calls that name none.
func (s *Service) stackResource(ctx context.Context, in any) string {
	n, ok := in.(stackNamer)
	if !ok || n.stackName() == "" {
		return "*"
	}
	name := n.stackName()
	if isARN(name) {
		return name
	}
	return "arn:aws:cloudformation:" + s.region + ":" + callerAccount(ctx) + ":stack/" + name + "/*"
}

// operationNames is every operation of the 2010-05-15 API (botocore's model).
var operationNames = []string{
	"ActivateOrganizationsAccess", "ActivateType", "BatchDescribeTypeConfigurations", "CancelUpdateStack",
	"ContinueUpdateRollback", "CreateChangeSet", "CreateGeneratedTemplate", "CreateStack", "CreateStackInstances",
	"CreateStackRefactor", "CreateStackSet", "DeactivateOrganizationsAccess", "DeactivateType", "DeleteChangeSet",
	"DeleteGeneratedTemplate", "DeleteStack", "DeleteStackInstances", "DeleteStackSet", "DeregisterType",
	"DescribeAccountLimits", "DescribeChangeSet", "DescribeChangeSetHooks", "DescribeEvents",
	"DescribeGeneratedTemplate", "DescribeOrganizationsAccess", "DescribePublisher", "DescribeResourceScan",
	"DescribeStackDriftDetectionStatus", "DescribeStackEvents", "DescribeStackInstance", "DescribeStackRefactor",
	"DescribeStackResource", "DescribeStackResourceDrifts", "DescribeStackResources", "DescribeStackSet",
	"DescribeStackSetOperation", "DescribeStacks", "DescribeType", "DescribeTypeRegistration", "DetectStackDrift",
	"DetectStackResourceDrift", "DetectStackSetDrift", "EstimateTemplateCost", "ExecuteChangeSet",
	"ExecuteStackRefactor", "GetGeneratedTemplate", "GetHookResult", "GetStackPolicy", "GetTemplate",
	"GetTemplateSummary", "ImportStacksToStackSet", "ListChangeSets", "ListExports", "ListGeneratedTemplates",
	"ListHookResults", "ListImports", "ListResourceScanRelatedResources", "ListResourceScanResources",
	"ListResourceScans", "ListStackInstanceResourceDrifts", "ListStackInstances", "ListStackRefactorActions",
	"ListStackRefactors", "ListStackResources", "ListStackSetAutoDeploymentTargets", "ListStackSetOperationResults",
	"ListStackSetOperations", "ListStackSets", "ListStacks", "ListTypeRegistrations", "ListTypeVersions", "ListTypes",
	"PublishType", "RecordHandlerProgress", "RegisterPublisher", "RegisterType", "RollbackStack", "SetStackPolicy",
	"SetTypeConfiguration", "SetTypeDefaultVersion", "SignalResource", "StartResourceScan", "StopStackSetOperation",
	"TestType", "UpdateGeneratedTemplate", "UpdateStack", "UpdateStackInstances", "UpdateStackSet",
	"UpdateTerminationProtection", "ValidateTemplate",
}
