package codedeploy

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/store"
)

var namePattern = regexp.MustCompile(`^[A-Za-z0-9._+@=,-]{1,100}$`)

// application is an application as it is kept.
type application struct {
	ID              string
	Name            string
	ComputePlatform string
	Created         time.Time
}

// newID is a random UUID.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// read reads a record's document into v; ErrNotFound passes through.
func (s *Service) read(ctx context.Context, kind, account, name string, v any) (store.SecretRecord, error) {
	r, err := s.store.SecretRecord(ctx, kind, account, name)
	if err != nil {
		return r, err
	}
	return r, json.Unmarshal(r.Doc, v)
}

func (s *Service) app(ctx context.Context, account, name string) (*application, error) {
	if name == "" {
		return nil, ErrApplicationNameRequired.Errorf("Application name is missing")
	}
	var a application
	_, err := s.read(ctx, kindApp, account, name, &a)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrApplicationDoesNotExist.Errorf("No application found for name: %s", name)
	}
	return &a, err
}

// CreateApplication creates an application (of the Lambda compute platform).
func (s *Service) CreateApplication(ctx context.Context, in *ApplicationInput) (*CreateApplicationOutput, error) {
	if in.ApplicationName == "" {
		return nil, ErrApplicationNameRequired.Errorf("Application name is missing")
	}
	if !namePattern.MatchString(in.ApplicationName) {
		return nil, ErrInvalidApplicationName.Errorf("Application name is invalid: %s", in.ApplicationName)
	}
	platform := in.ComputePlatform
	if platform == "" {
		platform = "Server"
	}
	if platform != "Server" && platform != "Lambda" && platform != "ECS" {
		return nil, ErrInvalidComputePlatform.Errorf("Compute platform %s is invalid", platform)
	}
	a := application{ID: newID(), Name: in.ApplicationName, ComputePlatform: platform, Created: s.clock.Now().UTC()}
	doc, _ := json.Marshal(a)
	err := s.store.CreateSecretRecord(ctx, store.SecretRecord{Kind: kindApp, Account: callerAccount(ctx), Name: a.Name, Doc: doc, Updated: a.Created})
	if errors.Is(err, store.ErrExists) {
		return nil, ErrApplicationAlreadyExists.Errorf("%s already exists in your account", in.ApplicationName)
	}
	if err != nil {
		return nil, err
	}
	return &CreateApplicationOutput{ApplicationID: a.ID}, nil
}

// GetApplication describes an application.
func (s *Service) GetApplication(ctx context.Context, in *ApplicationInput) (*GetApplicationOutput, error) {
	a, err := s.app(ctx, callerAccount(ctx), in.ApplicationName)
	if err != nil {
		return nil, err
	}
	return &GetApplicationOutput{Application: &ApplicationInfo{ApplicationID: a.ID, ApplicationName: a.Name,
		CreateTime: epoch(a.Created), ComputePlatform: a.ComputePlatform}}, nil
}

// DeleteApplication deletes an application with its deployment groups.
func (s *Service) DeleteApplication(ctx context.Context, in *ApplicationInput) (*Empty, error) {
	account := callerAccount(ctx)
	if in.ApplicationName == "" {
		return nil, ErrApplicationNameRequired.Errorf("Application name is missing")
	}
	groups, err := s.store.ListSecretRecords(ctx, kindGroup, account, in.ApplicationName+"/", "", 0)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		if err := s.store.DeleteSecretRecord(ctx, kindGroup, account, g.Name); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	// AWS answers success for an application that does not exist.
	if err := s.store.DeleteSecretRecord(ctx, kindApp, account, in.ApplicationName); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return &Empty{}, nil
}

// ListApplications lists the account's applications.
func (s *Service) ListApplications(ctx context.Context, in *ListInput) (*ListApplicationsOutput, error) {
	rs, err := s.store.ListSecretRecords(ctx, kindApp, callerAccount(ctx), "", "", 0)
	if err != nil {
		return nil, err
	}
	out := &ListApplicationsOutput{Applications: []string{}}
	for _, r := range rs {
		out.Applications = append(out.Applications, r.Name)
	}
	return out, nil
}

func (s *Service) deploymentGroup(ctx context.Context, account, app, name string) (*DeploymentGroupInfo, store.SecretRecord, error) {
	if name == "" {
		return nil, store.SecretRecord{}, ErrDeploymentGroupNameRequired.Errorf("Deployment Group name is missing")
	}
	var g DeploymentGroupInfo
	r, err := s.read(ctx, kindGroup, account, app+"/"+name, &g)
	if errors.Is(err, store.ErrNotFound) {
		return nil, r, ErrDeploymentGroupDoesNotExist.Errorf("No Deployment Group found for name: %s", name)
	}
	return &g, r, err
}

// checkGroup validates a deployment group's settings.
func checkGroup(g *DeploymentGroupInfo) error {
	if !namePattern.MatchString(g.DeploymentGroupName) {
		return ErrInvalidDeploymentGroupName.Errorf("Deployment group name is invalid: %s", g.DeploymentGroupName)
	}
	if g.ServiceRoleArn == "" {
		return ErrRoleRequired.Errorf("Role ARN is required")
	}
	if g.DeploymentConfigName == "" {
		g.DeploymentConfigName = "CodeDeployDefault.LambdaCanary10Percent5Minutes"
	}
	if _, ok := configs[g.DeploymentConfigName]; !ok {
		if strings.HasPrefix(g.DeploymentConfigName, "CodeDeployDefault.") {
			return ErrInvalidDeploymentConfigName.Errorf("Deployment config %s is not valid for the Lambda compute platform", g.DeploymentConfigName)
		}
		return ErrDeploymentConfigDoesNotExist.Errorf("No deployment configuration found for name: %s", g.DeploymentConfigName)
	}
	if g.DeploymentStyle == nil {
		g.DeploymentStyle = map[string]any{"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"}
	}
	return nil
}

// CreateDeploymentGroup creates a deployment group of a Lambda application.
func (s *Service) CreateDeploymentGroup(ctx context.Context, in *DeploymentGroupInput) (*CreateDeploymentGroupOutput, error) {
	account := callerAccount(ctx)
	a, err := s.app(ctx, account, in.ApplicationName)
	if err != nil {
		return nil, err
	}
	if in.DeploymentGroupName == "" {
		return nil, ErrDeploymentGroupNameRequired.Errorf("Deployment Group name is missing")
	}
	g := &DeploymentGroupInfo{ApplicationName: a.Name, DeploymentGroupID: newID(), DeploymentGroupName: in.DeploymentGroupName,
		DeploymentConfigName: in.DeploymentConfigName, ServiceRoleArn: in.ServiceRoleArn, AlarmConfiguration: in.AlarmConfiguration,
		AutoRollbackConfiguration: in.AutoRollbackConfiguration, DeploymentStyle: in.DeploymentStyle,
		TriggerConfigurations: in.TriggerConfigurations, ComputePlatform: a.ComputePlatform}
	if err := checkGroup(g); err != nil {
		return nil, err
	}
	doc, _ := json.Marshal(g)
	err = s.store.CreateSecretRecord(ctx, store.SecretRecord{Kind: kindGroup, Account: account, Name: a.Name + "/" + g.DeploymentGroupName,
		Doc: doc, Updated: s.clock.Now()})
	if errors.Is(err, store.ErrExists) {
		return nil, ErrDeploymentGroupAlreadyExists.Errorf("Deployment Group already exists with name %s for application %s", g.DeploymentGroupName, a.Name)
	}
	if err != nil {
		return nil, err
	}
	return &CreateDeploymentGroupOutput{DeploymentGroupID: g.DeploymentGroupID}, nil
}

// GetDeploymentGroup describes a deployment group.
func (s *Service) GetDeploymentGroup(ctx context.Context, in *DeploymentGroupInput) (*GetDeploymentGroupOutput, error) {
	account := callerAccount(ctx)
	if _, err := s.app(ctx, account, in.ApplicationName); err != nil {
		return nil, err
	}
	g, _, err := s.deploymentGroup(ctx, account, in.ApplicationName, in.DeploymentGroupName)
	if err != nil {
		return nil, err
	}
	return &GetDeploymentGroupOutput{DeploymentGroupInfo: g}, nil
}

// UpdateDeploymentGroup changes a deployment group's settings (a rename too).
func (s *Service) UpdateDeploymentGroup(ctx context.Context, in *DeploymentGroupInput) (*UpdateDeploymentGroupOutput, error) {
	account := callerAccount(ctx)
	if _, err := s.app(ctx, account, in.ApplicationName); err != nil {
		return nil, err
	}
	g, rec, err := s.deploymentGroup(ctx, account, in.ApplicationName, in.CurrentDeploymentGroupName)
	if err != nil {
		return nil, err
	}
	if in.DeploymentConfigName != "" {
		g.DeploymentConfigName = in.DeploymentConfigName
	}
	if in.ServiceRoleArn != "" {
		g.ServiceRoleArn = in.ServiceRoleArn
	}
	if in.AlarmConfiguration != nil {
		g.AlarmConfiguration = in.AlarmConfiguration
	}
	if in.AutoRollbackConfiguration != nil {
		g.AutoRollbackConfiguration = in.AutoRollbackConfiguration
	}
	if in.DeploymentStyle != nil {
		g.DeploymentStyle = in.DeploymentStyle
	}
	if in.TriggerConfigurations != nil {
		g.TriggerConfigurations = in.TriggerConfigurations
	}
	rename := in.NewDeploymentGroupName != "" && in.NewDeploymentGroupName != g.DeploymentGroupName
	if rename {
		g.DeploymentGroupName = in.NewDeploymentGroupName
	}
	if err := checkGroup(g); err != nil {
		return nil, err
	}
	doc, _ := json.Marshal(g)
	if rename {
		err = s.store.CreateSecretRecord(ctx, store.SecretRecord{Kind: kindGroup, Account: account, Name: in.ApplicationName + "/" + g.DeploymentGroupName,
			Doc: doc, Updated: s.clock.Now()})
		if errors.Is(err, store.ErrExists) {
			return nil, ErrDeploymentGroupAlreadyExists.Errorf("Deployment Group already exists with name %s for application %s", g.DeploymentGroupName, in.ApplicationName)
		}
		if err == nil {
			err = s.store.DeleteSecretRecord(ctx, kindGroup, account, rec.Name)
		}
	} else {
		rec.Doc, rec.Updated = doc, s.clock.Now()
		err = s.store.UpdateSecretRecord(ctx, rec)
	}
	if err != nil {
		return nil, err
	}
	return &UpdateDeploymentGroupOutput{HooksNotCleanedUp: []any{}}, nil
}

// DeleteDeploymentGroup deletes a deployment group.
func (s *Service) DeleteDeploymentGroup(ctx context.Context, in *DeploymentGroupInput) (*UpdateDeploymentGroupOutput, error) {
	account := callerAccount(ctx)
	if _, err := s.app(ctx, account, in.ApplicationName); err != nil {
		return nil, err
	}
	if in.DeploymentGroupName == "" {
		return nil, ErrDeploymentGroupNameRequired.Errorf("Deployment Group name is missing")
	}
	err := s.store.DeleteSecretRecord(ctx, kindGroup, account, in.ApplicationName+"/"+in.DeploymentGroupName)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return &UpdateDeploymentGroupOutput{HooksNotCleanedUp: []any{}}, nil
}

// ListDeploymentGroups lists an application's deployment groups.
func (s *Service) ListDeploymentGroups(ctx context.Context, in *ApplicationInput) (*ListDeploymentGroupsOutput, error) {
	account := callerAccount(ctx)
	if _, err := s.app(ctx, account, in.ApplicationName); err != nil {
		return nil, err
	}
	rs, err := s.store.ListSecretRecords(ctx, kindGroup, account, in.ApplicationName+"/", "", 0)
	if err != nil {
		return nil, err
	}
	out := &ListDeploymentGroupsOutput{ApplicationName: in.ApplicationName, DeploymentGroups: []string{}}
	for _, r := range rs {
		out.DeploymentGroups = append(out.DeploymentGroups, strings.TrimPrefix(r.Name, in.ApplicationName+"/"))
	}
	return out, nil
}
