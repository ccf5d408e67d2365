package events

import (
	"encoding/json"

	"github.com/gureum/gureum/internal/protocol/scalar"
)

// Epoch is a timestamp as the JSON protocols write one (scalar.Epoch).
type Epoch = scalar.Epoch

// Tag is a resource tag.
type Tag struct {
	Key   string
	Value string
}

// DeadLetterConfig names a target's (or bus's) dead-letter queue.
type DeadLetterConfig struct {
	Arn string `json:",omitempty"`
}

// RetryPolicy bounds a target's delivery retries.
type RetryPolicy struct {
	MaximumRetryAttempts     *int `json:",omitempty"`
	MaximumEventAgeInSeconds *int `json:",omitempty"`
}

// InputTransformer rewrites the event for a target.
type InputTransformer struct {
	InputPathsMap map[string]string `json:",omitempty"`
	InputTemplate string
}

// SqsParameters are an SQS target's: the FIFO message group.
type SqsParameters struct {
	MessageGroupId string `json:",omitempty"`
}

// Target is a rule's target. Parameters gureum does not act on (ECS, Batch, Kinesis, …) are kept
// and returned as given.
type Target struct {
	Id                          string
	Arn                         string
	RoleArn                     string            `json:",omitempty"`
	Input                       string            `json:",omitempty"`
	InputPath                   string            `json:",omitempty"`
	InputTransformer            *InputTransformer `json:",omitempty"`
	SqsParameters               *SqsParameters    `json:",omitempty"`
	DeadLetterConfig            *DeadLetterConfig `json:",omitempty"`
	RetryPolicy                 *RetryPolicy      `json:",omitempty"`
	KinesisParameters           json.RawMessage   `json:",omitempty"`
	RunCommandParameters        json.RawMessage   `json:",omitempty"`
	EcsParameters               json.RawMessage   `json:",omitempty"`
	BatchParameters             json.RawMessage   `json:",omitempty"`
	HttpParameters              json.RawMessage   `json:",omitempty"`
	RedshiftDataParameters      json.RawMessage   `json:",omitempty"`
	SageMakerPipelineParameters json.RawMessage   `json:",omitempty"`
	AppSyncParameters           json.RawMessage   `json:",omitempty"`
}

// Bus operations.

type CreateEventBusInput struct {
	Name             string
	EventSourceName  string
	Description      string
	KmsKeyIdentifier string
	DeadLetterConfig *DeadLetterConfig
	LogConfig        json.RawMessage
	Tags             []Tag
}

type CreateEventBusOutput struct {
	EventBusArn      string
	Description      string            `json:",omitempty"`
	KmsKeyIdentifier string            `json:",omitempty"`
	DeadLetterConfig *DeadLetterConfig `json:",omitempty"`
	LogConfig        json.RawMessage   `json:",omitempty"`
}

type NameInput struct {
	Name string
}

type DescribeEventBusOutput struct {
	Name             string
	Arn              string
	Description      string            `json:",omitempty"`
	KmsKeyIdentifier string            `json:",omitempty"`
	DeadLetterConfig *DeadLetterConfig `json:",omitempty"`
	Policy           string            `json:",omitempty"`
	LogConfig        json.RawMessage   `json:",omitempty"`
	CreationTime     *Epoch            `json:",omitempty"`
	LastModifiedTime *Epoch            `json:",omitempty"`
}

type UpdateEventBusInput struct {
	Name             string
	Description      *string
	KmsKeyIdentifier string
	DeadLetterConfig *DeadLetterConfig
	LogConfig        json.RawMessage
}

type UpdateEventBusOutput struct {
	Arn              string
	Name             string
	Description      string            `json:",omitempty"`
	KmsKeyIdentifier string            `json:",omitempty"`
	DeadLetterConfig *DeadLetterConfig `json:",omitempty"`
	LogConfig        json.RawMessage   `json:",omitempty"`
}

type ListEventBusesInput struct {
	NamePrefix string
	NextToken  string
	Limit      *int
}

type EventBus struct {
	Name             string
	Arn              string
	Description      string `json:",omitempty"`
	Policy           string `json:",omitempty"`
	CreationTime     *Epoch `json:",omitempty"`
	LastModifiedTime *Epoch `json:",omitempty"`
}

type ListEventBusesOutput struct {
	EventBuses []EventBus
	NextToken  string `json:",omitempty"`
}

// Rule operations.

type PutRuleInput struct {
	Name               string
	ScheduleExpression string
	EventPattern       string
	State              string
	Description        string
	RoleArn            string
	Tags               []Tag
	EventBusName       string
}

type PutRuleOutput struct {
	RuleArn string
}

type RuleInput struct {
	Name         string
	EventBusName string
	Force        bool
}

type DescribeRuleOutput struct {
	Name               string
	Arn                string
	EventPattern       string `json:",omitempty"`
	ScheduleExpression string `json:",omitempty"`
	State              string
	Description        string `json:",omitempty"`
	RoleArn            string `json:",omitempty"`
	ManagedBy          string `json:",omitempty"`
	EventBusName       string
	CreatedBy          string `json:",omitempty"`
}

type Rule struct {
	Name               string
	Arn                string
	EventPattern       string `json:",omitempty"`
	State              string
	Description        string `json:",omitempty"`
	ScheduleExpression string `json:",omitempty"`
	RoleArn            string `json:",omitempty"`
	ManagedBy          string `json:",omitempty"`
	EventBusName       string
}

type ListRulesInput struct {
	NamePrefix   string
	EventBusName string
	NextToken    string
	Limit        *int
}

type ListRulesOutput struct {
	Rules     []Rule
	NextToken string `json:",omitempty"`
}

type ListRuleNamesByTargetInput struct {
	TargetArn    string
	EventBusName string
	NextToken    string
	Limit        *int
}

type ListRuleNamesByTargetOutput struct {
	RuleNames []string
	NextToken string `json:",omitempty"`
}

// Target operations.

type PutTargetsInput struct {
	Rule         string
	EventBusName string
	Targets      []Target
}

type TargetFailure struct {
	TargetId     string
	ErrorCode    string
	ErrorMessage string
}

type PutTargetsOutput struct {
	FailedEntryCount int
	FailedEntries    []TargetFailure
}

type RemoveTargetsInput struct {
	Rule         string
	EventBusName string
	Ids          []string
	Force        bool
}

type ListTargetsByRuleInput struct {
	Rule         string
	EventBusName string
	NextToken    string
	Limit        *int
}

type ListTargetsByRuleOutput struct {
	Targets   []Target
	NextToken string `json:",omitempty"`
}

// Events.

type PutEventsRequestEntry struct {
	Time         *Epoch
	Source       *string
	Resources    []string
	DetailType   *string
	Detail       *string
	EventBusName string
	TraceHeader  string
}

type PutEventsInput struct {
	Entries    []PutEventsRequestEntry
	EndpointId string
}

type PutEventsResultEntry struct {
	EventId      string `json:",omitempty"`
	ErrorCode    string `json:",omitempty"`
	ErrorMessage string `json:",omitempty"`
}

type PutEventsOutput struct {
	FailedEntryCount int
	Entries          []PutEventsResultEntry
}

type TestEventPatternInput struct {
	EventPattern string
	Event        string
}

type TestEventPatternOutput struct {
	Result bool
}

// Tags.

type TagResourceInput struct {
	ResourceARN string
	Tags        []Tag
}

type UntagResourceInput struct {
	ResourceARN string
	TagKeys     []string
}

type ResourceInput struct {
	ResourceARN string
}

type ListTagsForResourceOutput struct {
	Tags []Tag
}

// Empty is an output without members.
type Empty struct{}
