package codedeploy

import (
	"encoding/json"
	"strconv"
	"time"
)

// Epoch is a timestamp as AWS JSON 1.1 writes it: seconds since 1970, with a fraction.
type Epoch time.Time

// MarshalJSON writes seconds since 1970.
func (t Epoch) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(float64(time.Time(t).UnixMilli())/1000, 'f', -1, 64)), nil
}

// UnmarshalJSON reads seconds since 1970.
func (t *Epoch) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*t = Epoch(time.UnixMilli(int64(f * 1000)).UTC())
	return nil
}

func epoch(t time.Time) *Epoch {
	if t.IsZero() {
		return nil
	}
	e := Epoch(t)
	return &e
}

// Tag is a resource tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// ApplicationInput names an application (CreateApplication, GetApplication, DeleteApplication,
// ListDeploymentGroups).
type ApplicationInput struct {
	ApplicationName string `json:"applicationName"`
	ComputePlatform string `json:"computePlatform,omitempty"`
	Tags            []Tag  `json:"tags,omitempty"`
	NextToken       string `json:"nextToken,omitempty"`
}

func (i *ApplicationInput) app() string { return i.ApplicationName }

// ApplicationInfo is an application as the API gives it.
type ApplicationInfo struct {
	ApplicationID   string `json:"applicationId"`
	ApplicationName string `json:"applicationName"`
	CreateTime      *Epoch `json:"createTime,omitempty"`
	LinkedToGitHub  bool   `json:"linkedToGitHub"`
	ComputePlatform string `json:"computePlatform"`
}

// CreateApplicationOutput is CreateApplication's answer.
type CreateApplicationOutput struct {
	ApplicationID string `json:"applicationId"`
}

// GetApplicationOutput is GetApplication's answer.
type GetApplicationOutput struct {
	Application *ApplicationInfo `json:"application"`
}

// ListInput is a listing's paging.
type ListInput struct {
	NextToken string `json:"nextToken,omitempty"`
}

// ListApplicationsOutput is ListApplications' answer.
type ListApplicationsOutput struct {
	Applications []string `json:"applications"`
	NextToken    string   `json:"nextToken,omitempty"`
}

// DeploymentGroupInput is CreateDeploymentGroup's and UpdateDeploymentGroup's request (and
// names a group for Get and Delete).
type DeploymentGroupInput struct {
	ApplicationName            string `json:"applicationName"`
	DeploymentGroupName        string `json:"deploymentGroupName"`
	CurrentDeploymentGroupName string `json:"currentDeploymentGroupName,omitempty"`
	NewDeploymentGroupName     string `json:"newDeploymentGroupName,omitempty"`
	DeploymentConfigName       string `json:"deploymentConfigName,omitempty"`
	ServiceRoleArn             string `json:"serviceRoleArn,omitempty"`
	AlarmConfiguration         any    `json:"alarmConfiguration,omitempty"`
	AutoRollbackConfiguration  any    `json:"autoRollbackConfiguration,omitempty"`
	DeploymentStyle            any    `json:"deploymentStyle,omitempty"`
	TriggerConfigurations      any    `json:"triggerConfigurations,omitempty"`
	Tags                       []Tag  `json:"tags,omitempty"`
}

func (i *DeploymentGroupInput) app() string { return i.ApplicationName }
func (i *DeploymentGroupInput) group() string {
	if i.DeploymentGroupName == "" {
		return i.CurrentDeploymentGroupName
	}
	return i.DeploymentGroupName
}

// DeploymentGroupInfo is a deployment group as the API gives it (and as it is kept).
type DeploymentGroupInfo struct {
	ApplicationName           string `json:"applicationName"`
	DeploymentGroupID         string `json:"deploymentGroupId"`
	DeploymentGroupName       string `json:"deploymentGroupName"`
	DeploymentConfigName      string `json:"deploymentConfigName"`
	ServiceRoleArn            string `json:"serviceRoleArn"`
	AlarmConfiguration        any    `json:"alarmConfiguration,omitempty"`
	AutoRollbackConfiguration any    `json:"autoRollbackConfiguration,omitempty"`
	DeploymentStyle           any    `json:"deploymentStyle,omitempty"`
	TriggerConfigurations     any    `json:"triggerConfigurations,omitempty"`
	ComputePlatform           string `json:"computePlatform"`
}

// CreateDeploymentGroupOutput is CreateDeploymentGroup's answer.
type CreateDeploymentGroupOutput struct {
	DeploymentGroupID string `json:"deploymentGroupId"`
}

// GetDeploymentGroupOutput is GetDeploymentGroup's answer.
type GetDeploymentGroupOutput struct {
	DeploymentGroupInfo *DeploymentGroupInfo `json:"deploymentGroupInfo"`
}

// UpdateDeploymentGroupOutput is UpdateDeploymentGroup's answer.
type UpdateDeploymentGroupOutput struct {
	HooksNotCleanedUp []any `json:"hooksNotCleanedUp"`
}

// ListDeploymentGroupsOutput is ListDeploymentGroups' answer.
type ListDeploymentGroupsOutput struct {
	ApplicationName  string   `json:"applicationName"`
	DeploymentGroups []string `json:"deploymentGroups"`
	NextToken        string   `json:"nextToken,omitempty"`
}

// Empty is an answer with nothing in it.
type Empty struct{}

// RevisionLocation is where a deployment's revision is: for Lambda, AppSpec content.
type RevisionLocation struct {
	RevisionType   string          `json:"revisionType,omitempty"`
	AppSpecContent *AppSpecContent `json:"appSpecContent,omitempty"`
	String         *RawString      `json:"string,omitempty"`
	S3Location     any             `json:"s3Location,omitempty"`
	GitHubLocation any             `json:"gitHubLocation,omitempty"`
}

// AppSpecContent is an AppSpec document given inline.
type AppSpecContent struct {
	Content string `json:"content,omitempty"`
	Sha256  string `json:"sha256,omitempty"`
}

// RawString is a revision given as a string (the older form of AppSpec content).
type RawString struct {
	Content string `json:"content,omitempty"`
	Sha256  string `json:"sha256,omitempty"`
}

// CreateDeploymentInput is CreateDeployment's request.
type CreateDeploymentInput struct {
	ApplicationName      string            `json:"applicationName"`
	DeploymentGroupName  string            `json:"deploymentGroupName"`
	Revision             *RevisionLocation `json:"revision"`
	DeploymentConfigName string            `json:"deploymentConfigName,omitempty"`
	Description          string            `json:"description,omitempty"`
	// The rest of the request (instances, file behaviour) does not apply to Lambda.
	AutoRollbackConfiguration  any `json:"autoRollbackConfiguration,omitempty"`
	OverrideAlarmConfiguration any `json:"overrideAlarmConfiguration,omitempty"`
}

func (i *CreateDeploymentInput) app() string   { return i.ApplicationName }
func (i *CreateDeploymentInput) group() string { return i.DeploymentGroupName }

// CreateDeploymentOutput is CreateDeployment's answer.
type CreateDeploymentOutput struct {
	DeploymentID string `json:"deploymentId"`
}

// DeploymentInput names a deployment.
type DeploymentInput struct {
	DeploymentID        string `json:"deploymentId"`
	AutoRollbackEnabled *bool  `json:"autoRollbackEnabled,omitempty"`
}

// ErrorInformation is why a deployment failed.
type ErrorInformation struct {
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// DeploymentOverview counts a deployment's targets (one function) by state.
type DeploymentOverview struct {
	Pending    int `json:"Pending"`
	InProgress int `json:"InProgress"`
	Succeeded  int `json:"Succeeded"`
	Failed     int `json:"Failed"`
	Skipped    int `json:"Skipped"`
	Ready      int `json:"Ready"`
}

// RollbackInfo says what rolled a deployment back.
type RollbackInfo struct {
	RollbackDeploymentID string `json:"rollbackDeploymentId,omitempty"`
	RollbackTriggeringID string `json:"rollbackTriggeringDeploymentId,omitempty"`
	RollbackMessage      string `json:"rollbackMessage,omitempty"`
}

// DeploymentInfo is a deployment as the API gives it.
type DeploymentInfo struct {
	ApplicationName           string              `json:"applicationName"`
	DeploymentGroupName       string              `json:"deploymentGroupName"`
	DeploymentConfigName      string              `json:"deploymentConfigName"`
	DeploymentID              string              `json:"deploymentId"`
	Revision                  *RevisionLocation   `json:"revision,omitempty"`
	Status                    string              `json:"status"`
	ErrorInformation          *ErrorInformation   `json:"errorInformation,omitempty"`
	CreateTime                *Epoch              `json:"createTime,omitempty"`
	StartTime                 *Epoch              `json:"startTime,omitempty"`
	CompleteTime              *Epoch              `json:"completeTime,omitempty"`
	DeploymentOverview        *DeploymentOverview `json:"deploymentOverview,omitempty"`
	Description               string              `json:"description,omitempty"`
	Creator                   string              `json:"creator"`
	AutoRollbackConfiguration any                 `json:"autoRollbackConfiguration,omitempty"`
	RollbackInfo              *RollbackInfo       `json:"rollbackInfo,omitempty"`
	DeploymentStyle           any                 `json:"deploymentStyle,omitempty"`
	DeploymentStatusMessages  []string            `json:"deploymentStatusMessages"`
	ComputePlatform           string              `json:"computePlatform"`
}

// GetDeploymentOutput is GetDeployment's answer.
type GetDeploymentOutput struct {
	DeploymentInfo *DeploymentInfo `json:"deploymentInfo"`
}

// ListDeploymentsInput is ListDeployments' request.
type ListDeploymentsInput struct {
	ApplicationName     string   `json:"applicationName,omitempty"`
	DeploymentGroupName string   `json:"deploymentGroupName,omitempty"`
	IncludeOnlyStatuses []string `json:"includeOnlyStatuses,omitempty"`
	NextToken           string   `json:"nextToken,omitempty"`
	CreateTimeRange     any      `json:"createTimeRange,omitempty"`
	ExternalID          string   `json:"externalId,omitempty"`
}

// ListDeploymentsOutput is ListDeployments' answer.
type ListDeploymentsOutput struct {
	Deployments []string `json:"deployments"`
	NextToken   string   `json:"nextToken,omitempty"`
}

// StopDeploymentOutput is StopDeployment's answer.
type StopDeploymentOutput struct {
	Status        string `json:"status"`
	StatusMessage string `json:"statusMessage"`
}

// HookStatusInput is PutLifecycleEventHookExecutionStatus' request.
type HookStatusInput struct {
	DeploymentID                  string `json:"deploymentId"`
	LifecycleEventHookExecutionID string `json:"lifecycleEventHookExecutionId"`
	Status                        string `json:"status"`
}

// HookStatusOutput is PutLifecycleEventHookExecutionStatus' answer.
type HookStatusOutput struct {
	LifecycleEventHookExecutionID string `json:"lifecycleEventHookExecutionId"`
}

// DeploymentConfigInput names a deployment configuration.
type DeploymentConfigInput struct {
	DeploymentConfigName string `json:"deploymentConfigName"`
}

// DeploymentConfigInfo is a deployment configuration as the API gives it.
type DeploymentConfigInfo struct {
	DeploymentConfigID   string         `json:"deploymentConfigId"`
	DeploymentConfigName string         `json:"deploymentConfigName"`
	CreateTime           *Epoch         `json:"createTime,omitempty"`
	ComputePlatform      string         `json:"computePlatform"`
	TrafficRoutingConfig map[string]any `json:"trafficRoutingConfig"`
}

// GetDeploymentConfigOutput is GetDeploymentConfig's answer.
type GetDeploymentConfigOutput struct {
	DeploymentConfigInfo *DeploymentConfigInfo `json:"deploymentConfigInfo"`
}

// ListDeploymentConfigsOutput is ListDeploymentConfigs' answer.
type ListDeploymentConfigsOutput struct {
	DeploymentConfigsList []string `json:"deploymentConfigsList"`
	NextToken             string   `json:"nextToken,omitempty"`
}
