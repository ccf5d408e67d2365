// Package organizations is AWS Organizations (AWS JSON 1.1, API version 2016-11-28) as gureum's
// admin API for accounts: the first account, the one the server bootstraps, is the management
// account, and only its root may create and list the others (`gureum account create` calls
// CreateAccount). Each account gets its own 12-digit id and root credentials; CreateAccount
// answers them, beside AWS's CreateAccountStatus, in GureumRootCredentials, a member AWS's
// clients ignore and the only place the new secret is ever shown.
package organizations

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
)

// Deps is what the service is built with.
type Deps struct {
	service.Env
	Store store.Accounts
	// Management is the first account's id: its root is the only caller of this API.
	Management string
}

// Service serves Organizations.
type Service struct {
	d Deps
}

// New returns the service.
func New(d Deps) *Service {
	d.Env = d.Env.For("organizations")
	return &Service{d: d}
}

// Describe returns the operation table: every operation of the 2016-11-28 API.
func (s *Service) Describe() *service.Service {
	served := map[string]service.Handler{
		"CreateAccount":               service.Func(s.CreateAccount),
		"DescribeAccount":             service.Func(s.DescribeAccount),
		"DescribeCreateAccountStatus": service.Func(s.DescribeCreateAccountStatus),
		"DescribeOrganization":        service.Func(s.DescribeOrganization),
		"ListAccounts":                service.Func(s.ListAccounts),
	}
	ops := make([]service.Operation, 0, len(operations))
	for _, name := range operations {
		ops = append(ops, service.Operation{Name: name, Action: "organizations:" + name, Handler: served[name]})
	}
	return (&service.Service{
		Name:            "organizations",
		SigningName:     "organizations",
		Protocol:        service.JSON11,
		APIVersion:      "2016-11-28",
		TargetPrefix:    "AWSOrganizationsV20161128",
		ErrorTypePrefix: "com.amazonaws.organizations#",
		Operations:      ops,
	}).Index()
}

// operations is the 2016-11-28 API, from botocore's model.
var operations = []string{
	"AcceptHandshake", "AttachPolicy", "CancelHandshake", "CloseAccount", "CreateAccount", "CreateGovCloudAccount",
	"CreateOrganization", "CreateOrganizationalUnit", "CreatePolicy", "DeclineHandshake", "DeleteOrganization",
	"DeleteOrganizationalUnit", "DeletePolicy", "DeleteResourcePolicy", "DeregisterDelegatedAdministrator",
	"DescribeAccount", "DescribeCreateAccountStatus", "DescribeEffectivePolicy", "DescribeHandshake",
	"DescribeOrganization", "DescribeOrganizationalUnit", "DescribePolicy", "DescribeResourcePolicy",
	"DescribeResponsibilityTransfer", "DetachPolicy", "DisableAWSServiceAccess", "DisablePolicyType",
	"EnableAWSServiceAccess", "EnableAllFeatures", "EnablePolicyType", "InviteAccountToOrganization",
	"InviteOrganizationToTransferResponsibility", "LeaveOrganization", "ListAWSServiceAccessForOrganization",
	"ListAccounts", "ListAccountsForParent", "ListAccountsWithInvalidEffectivePolicy", "ListChildren",
	"ListCreateAccountStatus", "ListDelegatedAdministrators", "ListDelegatedServicesForAccount",
	"ListEffectivePolicyValidationErrors", "ListHandshakesForAccount", "ListHandshakesForOrganization",
	"ListInboundResponsibilityTransfers", "ListOrganizationalUnitsForParent", "ListOutboundResponsibilityTransfers",
	"ListParents", "ListPolicies", "ListPoliciesForTarget", "ListRoots", "ListTagsForResource", "ListTargetsForPolicy",
	"MoveAccount", "PutResourcePolicy", "RegisterDelegatedAdministrator", "RemoveAccountFromOrganization", "TagResource",
	"TerminateResponsibilityTransfer", "UntagResource", "UpdateOrganizationalUnit", "UpdatePolicy",
	"UpdateResponsibilityTransfer",
}

// orgID is the organization's id, "o-" and 10 lowercase characters, fixed by the management
// account.
func (s *Service) orgID() string {
	h := sha256.Sum256([]byte("gureum-organization:" + s.d.Management))
	return "o-" + hex.EncodeToString(h[:5])
}

func (s *Service) orgARN() string {
	return "arn:aws:organizations::" + s.d.Management + ":organization/" + s.orgID()
}

func (s *Service) accountARN(id string) string {
	return "arn:aws:organizations::" + s.d.Management + ":account/" + s.orgID() + "/" + id
}
