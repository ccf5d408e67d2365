package scheduler

import (
	"encoding/json"
	"time"

	"github.com/gureum/gureum/internal/protocol/scalar"
)

// Epoch is a timestamp as the JSON protocols write one (scalar.Epoch).
type Epoch = scalar.Epoch

func epochOf(t time.Time) *Epoch { return scalar.EpochOf(t) }

type Tag struct {
	Key   string
	Value string
}

type FlexibleTimeWindow struct {
	Mode                   string
	MaximumWindowInMinutes *int `json:",omitempty"`
}

type RetryPolicy struct {
	MaximumEventAgeInSeconds *int `json:",omitempty"`
	MaximumRetryAttempts     *int `json:",omitempty"`
}

type DeadLetterConfig struct {
	Arn string `json:",omitempty"`
}

type SqsParameters struct {
	MessageGroupId string `json:",omitempty"`
}

type EventBridgeParameters struct {
	DetailType string
	Source     string
}

// Target is a schedule's target; parameters gureum does not act on are kept as given.
type Target struct {
	Arn                         string
	RoleArn                     string
	Input                       string                 `json:",omitempty"`
	DeadLetterConfig            *DeadLetterConfig      `json:",omitempty"`
	RetryPolicy                 *RetryPolicy           `json:",omitempty"`
	SqsParameters               *SqsParameters         `json:",omitempty"`
	EventBridgeParameters       *EventBridgeParameters `json:",omitempty"`
	EcsParameters               json.RawMessage        `json:",omitempty"`
	KinesisParameters           json.RawMessage        `json:",omitempty"`
	SageMakerPipelineParameters json.RawMessage        `json:",omitempty"`
}

// ScheduleInput is CreateSchedule's and UpdateSchedule's input.
type ScheduleInput struct {
	Name                       string `json:"-" rest:"uri=Name"`
	ActionAfterCompletion      string
	ClientToken                string
	Description                string
	EndDate                    *Epoch
	FlexibleTimeWindow         *FlexibleTimeWindow
	GroupName                  string
	KmsKeyArn                  string
	ScheduleExpression         string
	ScheduleExpressionTimezone string
	StartDate                  *Epoch
	State                      string
	Target                     *Target
}

type ScheduleArnOutput struct {
	ScheduleArn string
}

type GetScheduleInput struct {
	Name      string `json:"-" rest:"uri=Name"`
	GroupName string `json:"-" rest:"query=groupName"`
}

type DeleteScheduleInput struct {
	Name        string `json:"-" rest:"uri=Name"`
	GroupName   string `json:"-" rest:"query=groupName"`
	ClientToken string `json:"-" rest:"query=clientToken"`
}

type GetScheduleOutput struct {
	ActionAfterCompletion      string              `json:",omitempty"`
	Arn                        string              `json:",omitempty"`
	CreationDate               *Epoch              `json:",omitempty"`
	Description                string              `json:",omitempty"`
	EndDate                    *Epoch              `json:",omitempty"`
	FlexibleTimeWindow         *FlexibleTimeWindow `json:",omitempty"`
	GroupName                  string              `json:",omitempty"`
	KmsKeyArn                  string              `json:",omitempty"`
	LastModificationDate       *Epoch              `json:",omitempty"`
	Name                       string              `json:",omitempty"`
	ScheduleExpression         string              `json:",omitempty"`
	ScheduleExpressionTimezone string              `json:",omitempty"`
	StartDate                  *Epoch              `json:",omitempty"`
	State                      string              `json:",omitempty"`
	Target                     *Target             `json:",omitempty"`
}

type ListSchedulesInput struct {
	GroupName  string `json:"-" rest:"query=ScheduleGroup"`
	MaxResults int    `json:"-" rest:"query=MaxResults"`
	NamePrefix string `json:"-" rest:"query=NamePrefix"`
	NextToken  string `json:"-" rest:"query=NextToken"`
	State      string `json:"-" rest:"query=State"`
}

type TargetSummary struct {
	Arn string
}

type ScheduleSummary struct {
	Arn                  string
	CreationDate         *Epoch `json:",omitempty"`
	GroupName            string
	LastModificationDate *Epoch `json:",omitempty"`
	Name                 string
	State                string
	Target               *TargetSummary
}

type ListSchedulesOutput struct {
	NextToken string `json:",omitempty"`
	Schedules []ScheduleSummary
}

type CreateScheduleGroupInput struct {
	Name        string `json:"-" rest:"uri=Name"`
	ClientToken string
	Tags        []Tag
}

type ScheduleGroupArnOutput struct {
	ScheduleGroupArn string
}

type GroupNameInput struct {
	Name        string `json:"-" rest:"uri=Name"`
	ClientToken string `json:"-" rest:"query=clientToken"`
}

type GetScheduleGroupOutput struct {
	Arn                  string
	CreationDate         *Epoch `json:",omitempty"`
	LastModificationDate *Epoch `json:",omitempty"`
	Name                 string
	State                string
}

type ListScheduleGroupsInput struct {
	MaxResults int    `json:"-" rest:"query=MaxResults"`
	NamePrefix string `json:"-" rest:"query=NamePrefix"`
	NextToken  string `json:"-" rest:"query=NextToken"`
}

type ListScheduleGroupsOutput struct {
	NextToken      string `json:",omitempty"`
	ScheduleGroups []GetScheduleGroupOutput
}

type TagResourceInput struct {
	ResourceArn string `json:"-" rest:"uri=ResourceArn"`
	Tags        []Tag
}

type UntagResourceInput struct {
	ResourceArn string `json:"-" rest:"uri=ResourceArn"`
	// TagKeys is a query list; the REST binder keeps its first value (one key per call).
	TagKeys string `json:"-" rest:"query=TagKeys"`
}

type ResourceArnInput struct {
	ResourceArn string `json:"-" rest:"uri=ResourceArn"`
}

type ListTagsForResourceOutput struct {
	Tags []Tag
}

type Empty struct{}
