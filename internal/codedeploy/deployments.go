package codedeploy

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// deployment is a deployment as it is kept: what it moves, and how far it got.
type deployment struct {
	ID          string
	Account     string
	Application string
	Group       string
	Config      string
	Description string
	Creator     string // user, CloudFormation...
	Revision    *RevisionLocation
	Spec        appSpec
	Status      string // Created, InProgress, Succeeded, Failed, Stopped
	ErrorCode   string `json:",omitempty"`
	ErrorMsg    string `json:",omitempty"`
	Rollback    string `json:",omitempty"` // why the alias went back to its version
	Created     time.Time
	Started     time.Time
	Completed   time.Time
	// Progress: the phase (BeforeAllowTraffic, AllowTraffic, AfterAllowTraffic), the traffic
	// step reached (-1: none yet), when the next step is due, and each hook's execution.
	Phase  string
	Step   int
	NextAt time.Time
	Hooks  map[string]*hookExec // by lifecycle event
	Stop   bool                 // StopDeployment asked
	Style  any                  `json:",omitempty"`
	Alarms any                  `json:",omitempty"` // the AlarmConfiguration watched during the deployment
	Auto   any                  `json:",omitempty"`
}

// hookExec is one run of a lifecycle hook.
type hookExec struct {
	ID       string
	Function string
	Status   string // Pending, InProgress, Succeeded, Failed
	Invoked  bool
	Deadline time.Time
}

func (d *deployment) done() bool {
	return d.Status == "Succeeded" || d.Status == "Failed" || d.Status == "Stopped"
}

// newDeploymentID is d- and nine letters and digits, as CodeDeploy names deployments.
func newDeploymentID() string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := []byte("d-")
	for range 9 {
		b = append(b, chars[rand.IntN(len(chars))])
	}
	return string(b)
}

func (s *Service) deployment(ctx context.Context, account, id string) (*deployment, store.SecretRecord, error) {
	if id == "" {
		return nil, store.SecretRecord{}, ErrDeploymentIDRequired.Errorf("Deployment ID is missing")
	}
	var d deployment
	r, err := s.read(ctx, kindDeployment, account, id, &d)
	if errors.Is(err, store.ErrNotFound) {
		return nil, r, ErrDeploymentDoesNotExist.Errorf("Deployment %s does not exist", id)
	}
	return &d, r, err
}

// change applies fn to a deployment under its revision, retrying when another writer (the
// task, a hook's status, a stop) changed it meanwhile.
func (s *Service) change(ctx context.Context, account, id string, fn func(d *deployment) error) (*deployment, error) {
	for {
		d, r, err := s.deployment(ctx, account, id)
		if err != nil {
			return nil, err
		}
		if err := fn(d); err != nil {
			return d, err
		}
		r.Doc, _ = json.Marshal(d)
		r.Updated = s.clock.Now()
		err = s.store.UpdateSecretRecord(ctx, r)
		if errors.Is(err, store.ErrConditionFailed) {
			continue
		}
		return d, err
	}
}

// CreateDeployment starts a deployment of a Lambda AppSpec revision to a deployment group.
func (s *Service) CreateDeployment(ctx context.Context, in *CreateDeploymentInput) (*CreateDeploymentOutput, error) {
	account := callerAccount(ctx)
	a, err := s.app(ctx, account, in.ApplicationName)
	if err != nil {
		return nil, err
	}
	if in.DeploymentGroupName == "" {
		return nil, ErrDeploymentGroupNameRequired.Errorf("Deployment Group name is missing")
	}
	g, _, err := s.deploymentGroup(ctx, account, a.Name, in.DeploymentGroupName)
	if err != nil {
		return nil, err
	}
	if in.Revision == nil {
		return nil, ErrRevisionRequired.Errorf("Revision is missing")
	}
	content := ""
	switch {
	case in.Revision.AppSpecContent != nil:
		content = in.Revision.AppSpecContent.Content
	case in.Revision.String != nil:
		content = in.Revision.String.Content
	default:
		return nil, ErrInvalidRevision.Errorf("A Lambda deployment's revision must be AppSpecContent or String")
	}
	spec, err := parseAppSpec(content)
	if err != nil {
		return nil, ErrInvalidRevision.Errorf("%s", err.Error())
	}
	cfg := g.DeploymentConfigName
	if in.DeploymentConfigName != "" {
		if _, ok := configs[in.DeploymentConfigName]; !ok {
			return nil, ErrDeploymentConfigDoesNotExist.Errorf("No deployment configuration found for name: %s", in.DeploymentConfigName)
		}
		cfg = in.DeploymentConfigName
	}
	active, err := s.list(ctx, account, func(d *deployment) bool {
		return d.Application == a.Name && d.Group == g.DeploymentGroupName && !d.done()
	})
	if err != nil {
		return nil, err
	}
	if len(active) > 0 {
		return nil, ErrDeploymentLimitExceeded.Errorf("The Deployment Group '%s' for Application '%s' already has an active Deployment '%s'",
			g.DeploymentGroupName, a.Name, active[0].ID)
	}
	creator := "user"
	if strings.Contains(in.Description, "CloudFormation") {
		creator = "CloudFormation"
	}
	now := s.clock.Now().UTC()
	d := &deployment{ID: newDeploymentID(), Account: account, Application: a.Name, Group: g.DeploymentGroupName, Config: cfg,
		Description: in.Description, Creator: creator, Revision: in.Revision, Spec: *spec, Status: "Created", Created: now,
		Step: -1, Hooks: map[string]*hookExec{}, Style: g.DeploymentStyle, Auto: g.AutoRollbackConfiguration}
	if in.AutoRollbackConfiguration != nil {
		d.Auto = in.AutoRollbackConfiguration
	}
	d.Alarms = g.AlarmConfiguration
	if in.OverrideAlarmConfiguration != nil {
		d.Alarms = in.OverrideAlarmConfiguration
	}
	if _, err := parseAlarms(d.Alarms); err != nil {
		return nil, err
	}
	doc, _ := json.Marshal(d)
	if err := s.store.CreateSecretRecord(ctx, store.SecretRecord{Kind: kindDeployment, Account: account, Name: d.ID, Doc: doc, Updated: now}); err != nil {
		return nil, err
	}
	if err := s.store.AddLease(ctx, TaskLease, account+"/"+d.ID); err != nil {
		return nil, err
	}
	if s.tasks != nil {
		s.tasks.Wake()
	}
	return &CreateDeploymentOutput{DeploymentID: d.ID}, nil
}

// list lists an account's deployments that keep says, newest first.
func (s *Service) list(ctx context.Context, account string, keep func(*deployment) bool) ([]*deployment, error) {
	rs, err := s.store.ListSecretRecords(ctx, kindDeployment, account, "", "", 0)
	if err != nil {
		return nil, err
	}
	var out []*deployment
	for _, r := range rs {
		var d deployment
		if json.Unmarshal(r.Doc, &d) == nil && keep(&d) {
			out = append(out, &d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// GetDeployment describes a deployment.
func (s *Service) GetDeployment(ctx context.Context, in *DeploymentInput) (*GetDeploymentOutput, error) {
	d, _, err := s.deployment(ctx, callerAccount(ctx), in.DeploymentID)
	if err != nil {
		return nil, err
	}
	return &GetDeploymentOutput{DeploymentInfo: d.info()}, nil
}

func (d *deployment) info() *DeploymentInfo {
	out := &DeploymentInfo{ApplicationName: d.Application, DeploymentGroupName: d.Group, DeploymentConfigName: d.Config,
		DeploymentID: d.ID, Revision: d.Revision, Status: d.Status, CreateTime: epoch(d.Created), StartTime: epoch(d.Started),
		CompleteTime: epoch(d.Completed), Description: d.Description, Creator: d.Creator, DeploymentStyle: d.Style,
		AutoRollbackConfiguration: d.Auto, DeploymentStatusMessages: []string{}, ComputePlatform: "Lambda",
		DeploymentOverview: &DeploymentOverview{}}
	switch d.Status {
	case "Succeeded":
		out.DeploymentOverview.Succeeded = 1
	case "Failed", "Stopped":
		out.DeploymentOverview.Failed = 1
	case "InProgress":
		out.DeploymentOverview.InProgress = 1
	default:
		out.DeploymentOverview.Pending = 1
	}
	if d.ErrorCode != "" {
		out.ErrorInformation = &ErrorInformation{Code: d.ErrorCode, Message: d.ErrorMsg}
	}
	if d.Rollback != "" {
		out.RollbackInfo = &RollbackInfo{RollbackMessage: d.Rollback}
	}
	return out
}

// ListDeployments lists deployments, of a deployment group when one is named.
func (s *Service) ListDeployments(ctx context.Context, in *ListDeploymentsInput) (*ListDeploymentsOutput, error) {
	account := callerAccount(ctx)
	if in.ApplicationName != "" {
		if _, err := s.app(ctx, account, in.ApplicationName); err != nil {
			return nil, err
		}
		if in.DeploymentGroupName != "" {
			if _, _, err := s.deploymentGroup(ctx, account, in.ApplicationName, in.DeploymentGroupName); err != nil {
				return nil, err
			}
		}
	} else if in.DeploymentGroupName != "" {
		return nil, ErrApplicationNameRequired.Errorf("If deploymentGroupName is given, applicationName must be given too")
	}
	statuses := map[string]bool{}
	for _, st := range in.IncludeOnlyStatuses {
		switch st {
		case "Created", "Queued", "InProgress", "Baking", "Succeeded", "Failed", "Stopped", "Ready":
			statuses[st] = true
		default:
			return nil, ErrInvalidDeploymentStatus.Errorf("Invalid deployment status: %s", st)
		}
	}
	ds, err := s.list(ctx, account, func(d *deployment) bool {
		return (in.ApplicationName == "" || d.Application == in.ApplicationName) &&
			(in.DeploymentGroupName == "" || d.Group == in.DeploymentGroupName) && (len(statuses) == 0 || statuses[d.Status])
	})
	if err != nil {
		return nil, err
	}
	out := &ListDeploymentsOutput{Deployments: []string{}}
	for _, d := range ds {
		out.Deployments = append(out.Deployments, d.ID)
	}
	return out, nil
}

// StopDeployment asks a deployment in progress to stop; its task rolls the alias back.
func (s *Service) StopDeployment(ctx context.Context, in *DeploymentInput) (*StopDeploymentOutput, error) {
	_, err := s.change(ctx, callerAccount(ctx), in.DeploymentID, func(d *deployment) error {
		if d.done() {
			return ErrDeploymentAlreadyCompleted.Errorf("Deployment %s has already completed", d.ID)
		}
		d.Stop = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &StopDeploymentOutput{Status: "Pending", StatusMessage: "Stop request is pending"}, nil
}

// PutLifecycleEventHookExecutionStatus records what a hook function found.
func (s *Service) PutLifecycleEventHookExecutionStatus(ctx context.Context, in *HookStatusInput) (*HookStatusOutput, error) {
	if in.Status != "Succeeded" && in.Status != "Failed" {
		return nil, ErrInvalidLifecycleEventHookStatus.Errorf("The status %s is not valid: a hook reports Succeeded or Failed", in.Status)
	}
	_, err := s.change(ctx, callerAccount(ctx), in.DeploymentID, func(d *deployment) error {
		for _, h := range d.Hooks {
			if h.ID != in.LifecycleEventHookExecutionID {
				continue
			}
			if h.Status == "Succeeded" || h.Status == "Failed" || d.done() {
				return ErrLifecycleEventAlreadyCompleted.Errorf("The execution %s of this lifecycle event has already completed", h.ID)
			}
			h.Status = in.Status
			return nil
		}
		return ErrInvalidLifecycleEventHookID.Errorf("Lifecycle event hook execution id %s is not valid", in.LifecycleEventHookExecutionID)
	})
	if err != nil {
		return nil, err
	}
	return &HookStatusOutput{LifecycleEventHookExecutionID: in.LifecycleEventHookExecutionID}, nil
}
