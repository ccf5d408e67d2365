package cloudformation

import "time"

// Wire types of the query protocol: requests are decoded from the form (lists as
// Name.member.N), answers encoded as XML with lists as <Name><member>…</member></Name>.

type Parameter struct {
	ParameterKey     string `xml:",omitempty"`
	ParameterValue   string `xml:",omitempty"`
	UsePreviousValue *bool  `xml:",omitempty"`
	ResolvedValue    string `xml:",omitempty"`
}

type Tag struct {
	Key   string
	Value string
}

type Output struct {
	OutputKey   string
	OutputValue string
	Description string `xml:",omitempty"`
	ExportName  string `xml:",omitempty"`
}

type CreateStackInput struct {
	StackName                   string
	TemplateBody                string
	TemplateURL                 string
	Parameters                  []Parameter
	DisableRollback             *bool
	TimeoutInMinutes            int
	NotificationARNs            []string
	Capabilities                []string
	ResourceTypes               []string
	RoleARN                     string
	OnFailure                   string
	StackPolicyBody             string
	StackPolicyURL              string
	Tags                        []Tag
	ClientRequestToken          string
	EnableTerminationProtection bool
	RetainExceptOnCreate        bool
}

type StackIDOutput struct {
	StackId string
}

type UpdateStackInput struct {
	StackName           string
	TemplateBody        string
	TemplateURL         string
	UsePreviousTemplate bool
	Parameters          []Parameter
	Capabilities        []string
	ResourceTypes       []string
	RoleARN             string
	StackPolicyBody     string
	StackPolicyURL      string
	NotificationARNs    []string
	Tags                []Tag
	DisableRollback     *bool
	ClientRequestToken  string
}

type DeleteStackInput struct {
	StackName          string
	RetainResources    []string
	RoleARN            string
	ClientRequestToken string
	DeletionMode       string
}

type Empty struct{}

type DescribeStacksInput struct {
	StackName string
	NextToken string
}

type Stack struct {
	StackId                     string
	StackName                   string
	ChangeSetId                 string      `xml:",omitempty"`
	Description                 string      `xml:",omitempty"`
	Parameters                  []Parameter `xml:"Parameters>member"`
	CreationTime                time.Time
	DeletionTime                *time.Time `xml:",omitempty"`
	LastUpdatedTime             *time.Time `xml:",omitempty"`
	StackStatus                 string
	StackStatusReason           string `xml:",omitempty"`
	DisableRollback             bool
	NotificationARNs            []string `xml:"NotificationARNs>member"`
	Capabilities                []string `xml:"Capabilities>member"`
	Outputs                     []Output `xml:"Outputs>member"`
	RoleARN                     string   `xml:",omitempty"`
	Tags                        []Tag    `xml:"Tags>member"`
	EnableTerminationProtection bool
	DriftInformation            struct{ StackDriftStatus string }
}

type DescribeStacksOutput struct {
	Stacks    []Stack `xml:"Stacks>member"`
	NextToken string  `xml:",omitempty"`
}

type ListStacksInput struct {
	NextToken         string
	StackStatusFilter []string
}

type StackSummary struct {
	StackId             string
	StackName           string
	TemplateDescription string `xml:",omitempty"`
	CreationTime        time.Time
	LastUpdatedTime     *time.Time `xml:",omitempty"`
	DeletionTime        *time.Time `xml:",omitempty"`
	StackStatus         string
	StackStatusReason   string `xml:",omitempty"`
	DriftInformation    struct{ StackDriftStatus string }
}

type ListStacksOutput struct {
	StackSummaries []StackSummary `xml:"StackSummaries>member"`
	NextToken      string         `xml:",omitempty"`
}

type DescribeStackEventsInput struct {
	StackName string
	NextToken string
}

type StackEvent struct {
	StackId              string
	EventId              string
	StackName            string
	LogicalResourceId    string
	PhysicalResourceId   string
	ResourceType         string
	Timestamp            time.Time
	ResourceStatus       string
	ResourceStatusReason string `xml:",omitempty"`
	ResourceProperties   string `xml:",omitempty"`
	ClientRequestToken   string `xml:",omitempty"`
}

type DescribeStackEventsOutput struct {
	StackEvents []StackEvent `xml:"StackEvents>member"`
	NextToken   string       `xml:",omitempty"`
}

type DescribeStackResourcesInput struct {
	StackName          string
	LogicalResourceId  string
	PhysicalResourceId string
}

type StackResource struct {
	StackName            string
	StackId              string
	LogicalResourceId    string
	PhysicalResourceId   string `xml:",omitempty"`
	ResourceType         string
	Timestamp            time.Time
	ResourceStatus       string
	ResourceStatusReason string `xml:",omitempty"`
	DriftInformation     struct{ StackResourceDriftStatus string }
}

type DescribeStackResourcesOutput struct {
	StackResources []StackResource `xml:"StackResources>member"`
}

type DescribeStackResourceInput struct {
	StackName         string
	LogicalResourceId string
}

type StackResourceDetail struct {
	StackName            string
	StackId              string
	LogicalResourceId    string
	PhysicalResourceId   string `xml:",omitempty"`
	ResourceType         string
	LastUpdatedTimestamp time.Time
	ResourceStatus       string
	ResourceStatusReason string `xml:",omitempty"`
	Metadata             string `xml:",omitempty"`
	DriftInformation     struct{ StackResourceDriftStatus string }
}

type DescribeStackResourceOutput struct {
	StackResourceDetail StackResourceDetail
}

type ListStackResourcesInput struct {
	StackName string
	NextToken string
}

type StackResourceSummary struct {
	LogicalResourceId    string
	PhysicalResourceId   string `xml:",omitempty"`
	ResourceType         string
	LastUpdatedTimestamp time.Time
	ResourceStatus       string
	ResourceStatusReason string `xml:",omitempty"`
	DriftInformation     struct{ StackResourceDriftStatus string }
}

type ListStackResourcesOutput struct {
	StackResourceSummaries []StackResourceSummary `xml:"StackResourceSummaries>member"`
	NextToken              string                 `xml:",omitempty"`
}

type GetTemplateInput struct {
	StackName     string
	ChangeSetName string
	TemplateStage string
}

type GetTemplateOutput struct {
	TemplateBody    string
	StagesAvailable []string `xml:"StagesAvailable>member"`
}

type GetTemplateSummaryInput struct {
	TemplateBody string
	TemplateURL  string
	StackName    string
	StackSetName string
}

type ParameterDeclaration struct {
	ParameterKey         string
	DefaultValue         string `xml:",omitempty"`
	ParameterType        string
	NoEcho               bool
	Description          string `xml:",omitempty"`
	ParameterConstraints struct {
		AllowedValues []string `xml:"AllowedValues>member"`
	}
}

type GetTemplateSummaryOutput struct {
	Parameters         []ParameterDeclaration `xml:"Parameters>member"`
	Description        string                 `xml:",omitempty"`
	Capabilities       []string               `xml:"Capabilities>member"`
	CapabilitiesReason string                 `xml:",omitempty"`
	ResourceTypes      []string               `xml:"ResourceTypes>member"`
	Version            string                 `xml:",omitempty"`
	Metadata           string                 `xml:",omitempty"`
	DeclaredTransforms []string               `xml:"DeclaredTransforms>member"`
}

type ValidateTemplateInput struct {
	TemplateBody string
	TemplateURL  string
}

type TemplateParameter struct {
	ParameterKey string
	DefaultValue string `xml:",omitempty"`
	NoEcho       bool
	Description  string `xml:",omitempty"`
}

type ValidateTemplateOutput struct {
	Parameters         []TemplateParameter `xml:"Parameters>member"`
	Description        string              `xml:",omitempty"`
	Capabilities       []string            `xml:"Capabilities>member"`
	CapabilitiesReason string              `xml:",omitempty"`
	DeclaredTransforms []string            `xml:"DeclaredTransforms>member"`
}

type ListExportsInput struct {
	NextToken string
}

type Export struct {
	ExportingStackId string
	Name             string
	Value            string
}

type ListExportsOutput struct {
	Exports   []Export `xml:"Exports>member"`
	NextToken string   `xml:",omitempty"`
}

type ListImportsInput struct {
	ExportName string
	NextToken  string
}

type ListImportsOutput struct {
	Imports   []string `xml:"Imports>member"`
	NextToken string   `xml:",omitempty"`
}

type UpdateTerminationProtectionInput struct {
	EnableTerminationProtection bool
	StackName                   string
}

type StackPolicyInput struct {
	StackName       string
	StackPolicyBody string
	StackPolicyURL  string
}

type GetStackPolicyOutput struct {
	StackPolicyBody string `xml:",omitempty"`
}

type CreateChangeSetInput struct {
	StackName           string
	TemplateBody        string
	TemplateURL         string
	UsePreviousTemplate bool
	Parameters          []Parameter
	Capabilities        []string
	ResourceTypes       []string
	RoleARN             string
	NotificationARNs    []string
	Tags                []Tag
	ChangeSetName       string
	ClientToken         string
	Description         string
	ChangeSetType       string
	IncludeNestedStacks bool
	OnStackFailure      string
}

type CreateChangeSetOutput struct {
	Id      string
	StackId string
}

type ChangeSetInput struct {
	ChangeSetName      string
	StackName          string
	NextToken          string
	ClientRequestToken string
	DisableRollback    *bool
}

type ResourceTargetDefinition struct {
	Attribute          string
	Name               string `xml:",omitempty"`
	RequiresRecreation string `xml:",omitempty"`
}

type ResourceChangeDetail struct {
	Target       ResourceTargetDefinition
	Evaluation   string
	ChangeSource string
}

type ResourceChange struct {
	Action             string
	LogicalResourceId  string
	PhysicalResourceId string `xml:",omitempty"`
	ResourceType       string
	Replacement        string                 `xml:",omitempty"`
	Scope              []string               `xml:"Scope>member"`
	Details            []ResourceChangeDetail `xml:"Details>member"`
}

type Change struct {
	Type           string
	ResourceChange ResourceChange
}

type DescribeChangeSetOutput struct {
	ChangeSetName       string
	ChangeSetId         string
	StackId             string
	StackName           string
	Description         string      `xml:",omitempty"`
	Parameters          []Parameter `xml:"Parameters>member"`
	CreationTime        time.Time
	ExecutionStatus     string
	Status              string
	StatusReason        string   `xml:",omitempty"`
	NotificationARNs    []string `xml:"NotificationARNs>member"`
	Capabilities        []string `xml:"Capabilities>member"`
	Tags                []Tag    `xml:"Tags>member"`
	Changes             []Change `xml:"Changes>member"`
	IncludeNestedStacks bool
}

type ListChangeSetsInput struct {
	StackName string
	NextToken string
}

type ChangeSetSummary struct {
	StackId         string
	StackName       string
	ChangeSetId     string
	ChangeSetName   string
	ExecutionStatus string
	Status          string
	StatusReason    string `xml:",omitempty"`
	CreationTime    time.Time
	Description     string `xml:",omitempty"`
}

type ListChangeSetsOutput struct {
	Summaries []ChangeSetSummary `xml:"Summaries>member"`
	NextToken string             `xml:",omitempty"`
}
