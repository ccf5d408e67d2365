// Package codedeploy is AWS CodeDeploy (API 2014-10-06, AWS JSON 1.1) for the Lambda compute
// platform: applications, deployment groups, and deployments that shift a function alias's
// traffic from its current version to a target version as the deployment configuration says
// (canary, linear, all at once), running the BeforeAllowTraffic and AfterAllowTraffic hooks and
// waiting for their PutLifecycleEventHookExecutionStatus, and rolling the alias back when a hook
// fails, a hook times out or the deployment is stopped. A deployment is a background task under
// a lease (kind codedeploy.deployment) whose progress is kept in its record, so it survives its
// node. CloudFormation creates deployments for an alias's UpdatePolicy CodeDeployLambdaAliasUpdate.
package codedeploy

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
)

// TaskLease is the kind of the lease a deployment in progress runs under (named by its id).
const TaskLease = "codedeploy.deployment"

// Record kinds: CodeDeploy's documents are kept as store.SecretRecords (a document under an
// optimistic revision, by kind, account and name), which hold nothing secret here.
const (
	kindApp        = "codedeploy.application"
	kindGroup      = "codedeploy.group" // named application/group
	kindDeployment = "codedeploy.deployment"
)

// Store is what CodeDeploy keeps: its records, and the leases of its deployments.
type Store interface {
	store.Secrets
	store.Leases
}

// Functions is what a deployment does to Lambda, as CodeDeploy's service principal in the
// deployment's account.
type Functions interface {
	// Invoke runs a function (by ARN) synchronously; fnErr is its X-Amz-Function-Error.
	Invoke(ctx context.Context, arn string, payload []byte) (out []byte, fnErr string, err error)
	// Alias reads an alias's version and its routing weights.
	Alias(ctx context.Context, account, function, alias string) (version string, weights map[string]float64, err error)
	// PointAlias sets an alias's version and routing weights (nil: none).
	PointAlias(ctx context.Context, account, function, alias, version string, weights map[string]float64) error
}

// Deps is what CodeDeploy is built with.
type Deps struct {
	service.Env
	Store     Store
	Functions Functions
	// Alarms reads CloudWatch alarm states for deployments whose AlarmConfiguration is enabled
	// (nil: no alarm is ever read, and such a deployment stops unless ignorePollAlarmFailure).
	Alarms Alarms
	// Minute is how long one minute of a deployment configuration (and of a hook's hour) lasts
	// (0: a minute); shorter to test traffic shifting without waiting.
	Minute time.Duration
}

// Service serves CodeDeploy.
type Service struct {
	store  Store
	fns    Functions
	region string
	clock  background.Clock
	log    *slog.Logger
	minute time.Duration
	tasks  *background.Tasks
	alarms Alarms
}

// New returns the CodeDeploy service; its deployments run as tasks on d.Runner.
func New(d Deps) *Service {
	d.Env = d.Env.For("codedeploy")
	s := &Service{store: d.Store, fns: d.Functions, region: d.Region, clock: d.Clock, log: d.Log, minute: d.Minute, alarms: d.Alarms}
	if s.minute <= 0 {
		s.minute = time.Minute
	}
	if d.Runner != nil {
		s.tasks = d.Runner.Tasks(TaskLease, s.run)
	}
	return s
}

func callerAccount(ctx context.Context) string {
	if p := request.From(ctx).Principal; p != nil {
		return p.Account
	}
	return ""
}

// Describe returns CodeDeploy's operation table: every operation of the 2014-10-06 API; those
// of the EC2/on-premises and ECS platforms are not served.
func (s *Service) Describe() *service.Service {
	served := map[string]service.Handler{
		"CreateApplication":                    service.Func(s.CreateApplication),
		"GetApplication":                       service.Func(s.GetApplication),
		"DeleteApplication":                    service.Func(s.DeleteApplication),
		"ListApplications":                     service.Func(s.ListApplications),
		"CreateDeploymentGroup":                service.Func(s.CreateDeploymentGroup),
		"GetDeploymentGroup":                   service.Func(s.GetDeploymentGroup),
		"UpdateDeploymentGroup":                service.Func(s.UpdateDeploymentGroup),
		"DeleteDeploymentGroup":                service.Func(s.DeleteDeploymentGroup),
		"ListDeploymentGroups":                 service.Func(s.ListDeploymentGroups),
		"CreateDeployment":                     service.Func(s.CreateDeployment),
		"GetDeployment":                        service.Func(s.GetDeployment),
		"ListDeployments":                      service.Func(s.ListDeployments),
		"StopDeployment":                       service.Func(s.StopDeployment),
		"PutLifecycleEventHookExecutionStatus": service.Func(s.PutLifecycleEventHookExecutionStatus),
		"GetDeploymentConfig":                  service.Func(s.GetDeploymentConfig),
		"ListDeploymentConfigs":                service.Func(s.ListDeploymentConfigs),
	}
	resources := map[string]func(context.Context, any) string{
		"CreateApplication": s.appResource, "GetApplication": s.appResource, "DeleteApplication": s.appResource,
		"CreateDeploymentGroup": s.groupResource, "GetDeploymentGroup": s.groupResource,
		"UpdateDeploymentGroup": s.groupResource, "DeleteDeploymentGroup": s.groupResource,
		"ListDeploymentGroups": s.appResource, "CreateDeployment": s.groupResource,
	}
	svc := &service.Service{
		Name:         "codedeploy",
		SigningName:  "codedeploy",
		Protocol:     service.JSON11,
		APIVersion:   "2014-10-06",
		TargetPrefix: "CodeDeploy_20141006",
	}
	for _, name := range operationNames {
		op := service.Operation{Name: name, Action: "codedeploy:" + name, Handler: served[name], Resource: resources[name]}
		if strings.HasSuffix(name, "DeploymentGroup") {
			op.Checks = s.groupChecks(op.Action)
		}
		svc.Operations = append(svc.Operations, op)
	}
	return svc.Index()
}

// appNamer and groupNamer are inputs that name an application, and a deployment group in it.
type appNamer interface{ app() string }
type groupNamer interface{ group() string }

func (s *Service) appResource(ctx context.Context, in any) string {
	n, ok := in.(appNamer)
	if !ok || n.app() == "" {
		return "*"
	}
	return "arn:aws:codedeploy:" + s.region + ":" + callerAccount(ctx) + ":application:" + n.app()
}

func (s *Service) groupResource(ctx context.Context, in any) string {
	a, ok1 := in.(appNamer)
	g, ok2 := in.(groupNamer)
	if !ok1 || !ok2 || a.app() == "" || g.group() == "" {
		return "*"
	}
	return "arn:aws:codedeploy:" + s.region + ":" + callerAccount(ctx) + ":deploymentgroup:" + a.app() + "/" + g.group()
}

// groupChecks are a deployment group call's questions: the group, and iam:PassRole on the
// service role it is given.
func (s *Service) groupChecks(action string) func(context.Context, any) []service.Check {
	return func(ctx context.Context, in any) []service.Check {
		checks := []service.Check{{Action: action, Resource: s.groupResource(ctx, in)}}
		if g, ok := in.(*DeploymentGroupInput); ok && g.ServiceRoleArn != "" {
			checks = append(checks, service.Check{Action: "iam:PassRole", Resource: g.ServiceRoleArn})
		}
		return checks
	}
}

// operationNames is every operation of the 2014-10-06 API (botocore's model).
var operationNames = []string{
	"AddTagsToOnPremisesInstances", "BatchGetApplicationRevisions", "BatchGetApplications", "BatchGetDeploymentGroups",
	"BatchGetDeploymentInstances", "BatchGetDeploymentTargets", "BatchGetDeployments", "BatchGetOnPremisesInstances",
	"ContinueDeployment", "CreateApplication", "CreateDeployment", "CreateDeploymentConfig", "CreateDeploymentGroup",
	"DeleteApplication", "DeleteDeploymentConfig", "DeleteDeploymentGroup", "DeleteGitHubAccountToken",
	"DeleteResourcesByExternalId", "DeregisterOnPremisesInstance", "GetApplication", "GetApplicationRevision",
	"GetDeployment", "GetDeploymentConfig", "GetDeploymentGroup", "GetDeploymentInstance", "GetDeploymentTarget",
	"GetOnPremisesInstance", "ListApplicationRevisions", "ListApplications", "ListDeploymentConfigs",
	"ListDeploymentGroups", "ListDeploymentInstances", "ListDeploymentTargets", "ListDeployments",
	"ListGitHubAccountTokenNames", "ListOnPremisesInstances", "ListTagsForResource", "PutLifecycleEventHookExecutionStatus",
	"RegisterApplicationRevision", "RegisterOnPremisesInstance", "RemoveTagsFromOnPremisesInstances",
	"SkipWaitTimeForInstanceTermination", "StopDeployment", "TagResource", "UntagResource", "UpdateApplication",
	"UpdateDeploymentGroup",
}
