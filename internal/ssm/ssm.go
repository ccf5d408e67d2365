// Package ssm is AWS Systems Manager's Parameter Store (API 2014-11-06, AWS JSON 1.1,
// AmazonSSM): String, StringList and SecureString parameters with versions, labels, tiers,
// allowed patterns and data types, by name, by name:version or name:label, and by path. A
// SecureString value is encrypted by KMS (alias/aws/ssm unless a key is given) before it reaches
// the store; the rest of the SSM API answers NotImplemented.
package ssm

import (
	"context"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
)

// Clock is the service's time.
type Clock = background.Clock

// Store is what Parameter Store keeps: its parameters as secret records.
type Store interface {
	store.Secrets
}

// Keys is the KMS that encrypts SecureString values (kms.Service satisfies it).
type Keys interface {
	EncryptFor(ctx context.Context, account, keyID string, plaintext []byte, ec map[string]string) (blob []byte, keyARN string, err error)
	DecryptFor(ctx context.Context, account string, blob []byte, ec map[string]string) ([]byte, error)
}

// Deps is what Parameter Store is built with.
type Deps struct {
	service.Env
	Store Store
	Keys  Keys
}

// Service serves Parameter Store.
type Service struct {
	store  Store
	keys   Keys
	region string
	clock  Clock
}

// New returns the Parameter Store service.
func New(d Deps) *Service {
	d.Env = d.Env.For("ssm")
	return &Service{store: d.Store, keys: d.Keys, region: d.Region, clock: d.Clock}
}

// nameInput is an input naming one parameter.
type nameInput interface{ paramName() string }

// Describe returns SSM's operation table: every operation of the 2014-11-06 API, Parameter
// Store's served.
func (s *Service) Describe() *service.Service {
	resource := func(ctx context.Context, in any) string {
		if n, ok := in.(nameInput); ok && n.paramName() != "" {
			sel, err := parseSelector(n.paramName())
			if err == nil {
				return s.arn(callerAccount(ctx), sel.name)
			}
		}
		return "*"
	}
	op := func(name string, h service.Handler) service.Operation {
		return service.Operation{Name: name, Action: "ssm:" + name, Handler: h, Resource: resource}
	}
	return (&service.Service{
		Name:            "ssm",
		SigningName:     "ssm",
		Protocol:        service.JSON11,
		APIVersion:      "2014-11-06",
		TargetPrefix:    "AmazonSSM",
		ErrorTypePrefix: "com.amazonaws.ssm#",
		Operations: []service.Operation{
			op("AddTagsToResource", service.Func(s.AddTagsToResource)),
			op("AssociateOpsItemRelatedItem", nil),
			op("CancelCommand", nil),
			op("CancelMaintenanceWindowExecution", nil),
			op("CreateActivation", nil),
			op("CreateAssociation", nil),
			op("CreateAssociationBatch", nil),
			op("CreateDocument", nil),
			op("CreateMaintenanceWindow", nil),
			op("CreateOpsItem", nil),
			op("CreateOpsMetadata", nil),
			op("CreatePatchBaseline", nil),
			op("CreateResourceDataSync", nil),
			op("DeleteActivation", nil),
			op("DeleteAssociation", nil),
			op("DeleteDocument", nil),
			op("DeleteInventory", nil),
			op("DeleteMaintenanceWindow", nil),
			op("DeleteOpsItem", nil),
			op("DeleteOpsMetadata", nil),
			op("DeleteParameter", service.Func(s.DeleteParameter)),
			op("DeleteParameters", service.Func(s.DeleteParameters)),
			op("DeletePatchBaseline", nil),
			op("DeleteResourceDataSync", nil),
			op("DeleteResourcePolicy", nil),
			op("DeregisterManagedInstance", nil),
			op("DeregisterPatchBaselineForPatchGroup", nil),
			op("DeregisterTargetFromMaintenanceWindow", nil),
			op("DeregisterTaskFromMaintenanceWindow", nil),
			op("DescribeActivations", nil),
			op("DescribeAssociation", nil),
			op("DescribeAssociationExecutionTargets", nil),
			op("DescribeAssociationExecutions", nil),
			op("DescribeAutomationExecutions", nil),
			op("DescribeAutomationStepExecutions", nil),
			op("DescribeAvailablePatches", nil),
			op("DescribeDocument", nil),
			op("DescribeDocumentPermission", nil),
			op("DescribeEffectiveInstanceAssociations", nil),
			op("DescribeEffectivePatchesForPatchBaseline", nil),
			op("DescribeInstanceAssociationsStatus", nil),
			op("DescribeInstanceInformation", nil),
			op("DescribeInstancePatchStates", nil),
			op("DescribeInstancePatchStatesForPatchGroup", nil),
			op("DescribeInstancePatches", nil),
			op("DescribeInstanceProperties", nil),
			op("DescribeInventoryDeletions", nil),
			op("DescribeMaintenanceWindowExecutionTaskInvocations", nil),
			op("DescribeMaintenanceWindowExecutionTasks", nil),
			op("DescribeMaintenanceWindowExecutions", nil),
			op("DescribeMaintenanceWindowSchedule", nil),
			op("DescribeMaintenanceWindowTargets", nil),
			op("DescribeMaintenanceWindowTasks", nil),
			op("DescribeMaintenanceWindows", nil),
			op("DescribeMaintenanceWindowsForTarget", nil),
			op("DescribeOpsItems", nil),
			op("DescribeParameters", service.Func(s.DescribeParameters)),
			op("DescribePatchBaselines", nil),
			op("DescribePatchGroupState", nil),
			op("DescribePatchGroups", nil),
			op("DescribePatchProperties", nil),
			op("DescribeSessions", nil),
			op("DisassociateOpsItemRelatedItem", nil),
			op("GetAccessToken", nil),
			op("GetAutomationExecution", nil),
			op("GetCalendarState", nil),
			op("GetCommandInvocation", nil),
			op("GetConnectionStatus", nil),
			op("GetDefaultPatchBaseline", nil),
			op("GetDeployablePatchSnapshotForInstance", nil),
			op("GetDocument", nil),
			op("GetExecutionPreview", nil),
			op("GetInventory", nil),
			op("GetInventorySchema", nil),
			op("GetMaintenanceWindow", nil),
			op("GetMaintenanceWindowExecution", nil),
			op("GetMaintenanceWindowExecutionTask", nil),
			op("GetMaintenanceWindowExecutionTaskInvocation", nil),
			op("GetMaintenanceWindowTask", nil),
			op("GetOpsItem", nil),
			op("GetOpsMetadata", nil),
			op("GetOpsSummary", nil),
			op("GetParameter", service.Func(s.GetParameter)),
			op("GetParameterHistory", service.Func(s.GetParameterHistory)),
			op("GetParameters", service.Func(s.GetParameters)),
			op("GetParametersByPath", service.Func(s.GetParametersByPath)),
			op("GetPatchBaseline", nil),
			op("GetPatchBaselineForPatchGroup", nil),
			op("GetResourcePolicies", nil),
			op("GetServiceSetting", nil),
			op("LabelParameterVersion", service.Func(s.LabelParameterVersion)),
			op("ListAssociationVersions", nil),
			op("ListAssociations", nil),
			op("ListCommandInvocations", nil),
			op("ListCommands", nil),
			op("ListComplianceItems", nil),
			op("ListComplianceSummaries", nil),
			op("ListDocumentMetadataHistory", nil),
			op("ListDocumentVersions", nil),
			op("ListDocuments", nil),
			op("ListInventoryEntries", nil),
			op("ListNodes", nil),
			op("ListNodesSummary", nil),
			op("ListOpsItemEvents", nil),
			op("ListOpsItemRelatedItems", nil),
			op("ListOpsMetadata", nil),
			op("ListResourceComplianceSummaries", nil),
			op("ListResourceDataSync", nil),
			op("ListTagsForResource", service.Func(s.ListTagsForResource)),
			op("ModifyDocumentPermission", nil),
			op("PutComplianceItems", nil),
			op("PutInventory", nil),
			op("PutParameter", service.Func(s.PutParameter)),
			op("PutResourcePolicy", nil),
			op("RegisterDefaultPatchBaseline", nil),
			op("RegisterPatchBaselineForPatchGroup", nil),
			op("RegisterTargetWithMaintenanceWindow", nil),
			op("RegisterTaskWithMaintenanceWindow", nil),
			op("RemoveTagsFromResource", service.Func(s.RemoveTagsFromResource)),
			op("ResetServiceSetting", nil),
			op("ResumeSession", nil),
			op("SendAutomationSignal", nil),
			op("SendCommand", nil),
			op("StartAccessRequest", nil),
			op("StartAssociationsOnce", nil),
			op("StartAutomationExecution", nil),
			op("StartChangeRequestExecution", nil),
			op("StartExecutionPreview", nil),
			op("StartSession", nil),
			op("StopAutomationExecution", nil),
			op("TerminateSession", nil),
			op("UnlabelParameterVersion", service.Func(s.UnlabelParameterVersion)),
			op("UpdateAssociation", nil),
			op("UpdateAssociationStatus", nil),
			op("UpdateDocument", nil),
			op("UpdateDocumentDefaultVersion", nil),
			op("UpdateDocumentMetadata", nil),
			op("UpdateMaintenanceWindow", nil),
			op("UpdateMaintenanceWindowTarget", nil),
			op("UpdateMaintenanceWindowTask", nil),
			op("UpdateManagedInstanceRole", nil),
			op("UpdateOpsItem", nil),
			op("UpdateOpsMetadata", nil),
			op("UpdatePatchBaseline", nil),
			op("UpdateResourceDataSync", nil),
			op("UpdateServiceSetting", nil),
		},
	}).Index()
}

func callerAccount(ctx context.Context) string {
	if a, ok := ctx.Value(accountKey{}).(string); ok {
		return a
	}
	if p := request.From(ctx).Principal; p != nil {
		return p.Account
	}
	return ""
}

func callerARN(ctx context.Context) string {
	if p := request.From(ctx).Principal; p != nil {
		return p.ARN
	}
	return ""
}

// arn is a parameter's ARN: "parameter/a/b" for "/a/b", "parameter/x" for "x".
func (s *Service) arn(account, name string) string {
	if len(name) > 0 && name[0] == '/' {
		name = name[1:]
	}
	return "arn:aws:ssm:" + s.region + ":" + account + ":parameter/" + name
}

// accountKey carries the account an in-process call (Resolve) acts for.
type accountKey struct{}
