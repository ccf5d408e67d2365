package iam

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/xml"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
)

// Store is what the IAM service keeps: accounts and access keys, and the identity store.
type Store interface {
	store.Accounts
	store.Identity
}

// Service serves IAM (query protocol, API version 2010-05-08): users, access keys, groups,
// roles, inline and managed policies with versions, attachments, permissions boundaries, tags,
// GetAccountAuthorizationDetails and the policy simulator.
type Service struct {
	store Store
	now   func() time.Time
	// OnChange, when set, runs after every operation that changes identity (an Enforcer's
	// Invalidate), so this node's cached policies never outlive a change made through it.
	OnChange func()
}

// Deps is what the IAM service is built with.
type Deps struct {
	service.Env
	Store Store
	// OnChange is called after every change the service makes (the Enforcer's Invalidate).
	OnChange func()
}

// New returns the IAM service.
func New(d Deps) *Service {
	d.Env = d.Env.For("iam")
	s := NewService(d.Store, d.Clock.Now)
	s.OnChange = d.OnChange
	return s
}

// NewService returns the IAM service on a store; now may be nil for real time.
func NewService(st Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, now: now}
}

// Describe returns IAM's operation table: every operation of the 2010-05-08 API.
func (s *Service) Describe() *service.Service {
	op := func(name string, h service.Handler) service.Operation {
		if h != nil && !readOnly(name) {
			h = changing{h, s}
		}
		return service.Operation{Name: name, Action: "iam:" + name, Handler: h, Resource: resourceOf}
	}
	return (&service.Service{
		Name:         "iam",
		SigningName:  "iam",
		Protocol:     service.Query,
		APIVersion:   "2010-05-08",
		XMLNamespace: "https://iam.amazonaws.com/doc/2010-05-08/",
		Operations: []service.Operation{
			op("AcceptDelegationRequest", nil),
			op("AddClientIDToOpenIDConnectProvider", nil),
			op("AddRoleToInstanceProfile", service.Func(s.AddRoleToInstanceProfile)),
			op("AddUserToGroup", service.Func(s.AddUserToGroup)),
			op("AssociateDelegationRequest", nil),
			op("AttachGroupPolicy", service.Func(s.AttachGroupPolicy)),
			op("AttachRolePolicy", service.Func(s.AttachRolePolicy)),
			op("AttachUserPolicy", service.Func(s.AttachUserPolicy)),
			op("ChangePassword", nil),
			op("CreateAccessKey", service.Func(s.CreateAccessKey)),
			op("CreateAccountAlias", nil),
			op("CreateDelegationRequest", nil),
			op("CreateGroup", service.Func(s.CreateGroup)),
			op("CreateInstanceProfile", service.Func(s.CreateInstanceProfile)),
			op("CreateLoginProfile", service.Func(s.CreateLoginProfile)),
			op("CreateOpenIDConnectProvider", nil),
			op("CreatePolicy", service.Func(s.CreatePolicy)),
			op("CreatePolicyVersion", service.Func(s.CreatePolicyVersion)),
			op("CreateRole", service.Func(s.CreateRole)),
			op("CreateSAMLProvider", nil),
			op("CreateServiceLinkedRole", service.Func(s.CreateServiceLinkedRole)),
			op("CreateServiceSpecificCredential", nil),
			op("CreateUser", service.Func(s.CreateUser)),
			op("CreateVirtualMFADevice", nil),
			op("DeactivateMFADevice", nil),
			op("DeleteAccessKey", service.Func(s.DeleteAccessKey)),
			op("DeleteAccountAlias", nil),
			op("DeleteAccountPasswordPolicy", nil),
			op("DeleteGroup", service.Func(s.DeleteGroup)),
			op("DeleteGroupPolicy", service.Func(s.DeleteGroupPolicy)),
			op("DeleteInstanceProfile", service.Func(s.DeleteInstanceProfile)),
			op("DeleteLoginProfile", service.Func(s.DeleteLoginProfile)),
			op("DeleteOpenIDConnectProvider", nil),
			op("DeletePolicy", service.Func(s.DeletePolicy)),
			op("DeletePolicyVersion", service.Func(s.DeletePolicyVersion)),
			op("DeleteRole", service.Func(s.DeleteRole)),
			op("DeleteRolePermissionsBoundary", service.Func(s.DeleteRolePermissionsBoundary)),
			op("DeleteRolePolicy", service.Func(s.DeleteRolePolicy)),
			op("DeleteSAMLProvider", nil),
			op("DeleteSSHPublicKey", nil),
			op("DeleteServerCertificate", nil),
			op("DeleteServiceLinkedRole", service.Func(s.DeleteServiceLinkedRole)),
			op("DeleteServiceSpecificCredential", nil),
			op("DeleteSigningCertificate", nil),
			op("DeleteUser", service.Func(s.DeleteUser)),
			op("DeleteUserPermissionsBoundary", service.Func(s.DeleteUserPermissionsBoundary)),
			op("DeleteUserPolicy", service.Func(s.DeleteUserPolicy)),
			op("DeleteVirtualMFADevice", nil),
			op("DetachGroupPolicy", service.Func(s.DetachGroupPolicy)),
			op("DetachRolePolicy", service.Func(s.DetachRolePolicy)),
			op("DetachUserPolicy", service.Func(s.DetachUserPolicy)),
			op("DisableOrganizationsRootCredentialsManagement", nil),
			op("DisableOrganizationsRootSessions", nil),
			op("DisableOutboundWebIdentityFederation", nil),
			op("EnableMFADevice", nil),
			op("EnableOrganizationsRootCredentialsManagement", nil),
			op("EnableOrganizationsRootSessions", nil),
			op("EnableOutboundWebIdentityFederation", nil),
			op("GenerateCredentialReport", nil),
			op("GenerateOrganizationsAccessReport", nil),
			op("GenerateServiceLastAccessedDetails", nil),
			op("GetAccessKeyLastUsed", service.Func(s.GetAccessKeyLastUsed)),
			op("GetAccountAuthorizationDetails", service.Func(s.GetAccountAuthorizationDetails)),
			op("GetAccountPasswordPolicy", nil),
			op("GetAccountSummary", nil),
			op("GetContextKeysForCustomPolicy", nil),
			op("GetContextKeysForPrincipalPolicy", nil),
			op("GetCredentialReport", nil),
			op("GetDelegationRequest", nil),
			op("GetGroup", service.Func(s.GetGroup)),
			op("GetGroupPolicy", service.Func(s.GetGroupPolicy)),
			op("GetHumanReadableSummary", nil),
			op("GetInstanceProfile", service.Func(s.GetInstanceProfile)),
			op("GetLoginProfile", service.Func(s.GetLoginProfile)),
			op("GetMFADevice", nil),
			op("GetOpenIDConnectProvider", nil),
			op("GetOrganizationsAccessReport", nil),
			op("GetOutboundWebIdentityFederationInfo", nil),
			op("GetPolicy", service.Func(s.GetPolicy)),
			op("GetPolicyVersion", service.Func(s.GetPolicyVersion)),
			op("GetRole", service.Func(s.GetRole)),
			op("GetRolePolicy", service.Func(s.GetRolePolicy)),
			op("GetSAMLProvider", nil),
			op("GetSSHPublicKey", nil),
			op("GetServerCertificate", nil),
			op("GetServiceLastAccessedDetails", nil),
			op("GetServiceLastAccessedDetailsWithEntities", nil),
			op("GetServiceLinkedRoleDeletionStatus", service.Func(s.GetServiceLinkedRoleDeletionStatus)),
			op("GetUser", service.Func(s.GetUser)),
			op("GetUserPolicy", service.Func(s.GetUserPolicy)),
			op("ListAccessKeys", service.Func(s.ListAccessKeys)),
			op("ListAccountAliases", nil),
			op("ListAttachedGroupPolicies", service.Func(s.ListAttachedGroupPolicies)),
			op("ListAttachedRolePolicies", service.Func(s.ListAttachedRolePolicies)),
			op("ListAttachedUserPolicies", service.Func(s.ListAttachedUserPolicies)),
			op("ListDelegationRequests", nil),
			op("ListEntitiesForPolicy", service.Func(s.ListEntitiesForPolicy)),
			op("ListGroupPolicies", service.Func(s.ListGroupPolicies)),
			op("ListGroups", service.Func(s.ListGroups)),
			op("ListGroupsForUser", service.Func(s.ListGroupsForUser)),
			op("ListInstanceProfileTags", service.Func(s.ListInstanceProfileTags)),
			op("ListInstanceProfiles", service.Func(s.ListInstanceProfiles)),
			op("ListInstanceProfilesForRole", service.Func(s.ListInstanceProfilesForRole)),
			op("ListMFADeviceTags", nil),
			op("ListMFADevices", nil),
			op("ListOpenIDConnectProviderTags", nil),
			op("ListOpenIDConnectProviders", nil),
			op("ListOrganizationsFeatures", nil),
			op("ListPolicies", service.Func(s.ListPolicies)),
			op("ListPoliciesGrantingServiceAccess", nil),
			op("ListPolicyTags", service.Func(s.ListPolicyTags)),
			op("ListPolicyVersions", service.Func(s.ListPolicyVersions)),
			op("ListRolePolicies", service.Func(s.ListRolePolicies)),
			op("ListRoleTags", service.Func(s.ListRoleTags)),
			op("ListRoles", service.Func(s.ListRoles)),
			op("ListSAMLProviderTags", nil),
			op("ListSAMLProviders", nil),
			op("ListSSHPublicKeys", nil),
			op("ListServerCertificateTags", nil),
			op("ListServerCertificates", nil),
			op("ListServiceSpecificCredentials", nil),
			op("ListSigningCertificates", nil),
			op("ListUserPolicies", service.Func(s.ListUserPolicies)),
			op("ListUserTags", service.Func(s.ListUserTags)),
			op("ListUsers", service.Func(s.ListUsers)),
			op("ListVirtualMFADevices", nil),
			op("PutGroupPolicy", service.Func(s.PutGroupPolicy)),
			op("PutRolePermissionsBoundary", service.Func(s.PutRolePermissionsBoundary)),
			op("PutRolePolicy", service.Func(s.PutRolePolicy)),
			op("PutUserPermissionsBoundary", service.Func(s.PutUserPermissionsBoundary)),
			op("PutUserPolicy", service.Func(s.PutUserPolicy)),
			op("RejectDelegationRequest", nil),
			op("RemoveClientIDFromOpenIDConnectProvider", nil),
			op("RemoveRoleFromInstanceProfile", service.Func(s.RemoveRoleFromInstanceProfile)),
			op("RemoveUserFromGroup", service.Func(s.RemoveUserFromGroup)),
			op("ResetServiceSpecificCredential", nil),
			op("ResyncMFADevice", nil),
			op("SendDelegationToken", nil),
			op("SetDefaultPolicyVersion", service.Func(s.SetDefaultPolicyVersion)),
			op("SetSecurityTokenServicePreferences", nil),
			op("SimulateCustomPolicy", service.Func(s.SimulateCustomPolicy)),
			op("SimulatePrincipalPolicy", service.Func(s.SimulatePrincipalPolicy)),
			op("TagInstanceProfile", service.Func(s.TagInstanceProfile)),
			op("TagMFADevice", nil),
			op("TagOpenIDConnectProvider", nil),
			op("TagPolicy", service.Func(s.TagPolicy)),
			op("TagRole", service.Func(s.TagRole)),
			op("TagSAMLProvider", nil),
			op("TagServerCertificate", nil),
			op("TagUser", service.Func(s.TagUser)),
			op("UntagInstanceProfile", service.Func(s.UntagInstanceProfile)),
			op("UntagMFADevice", nil),
			op("UntagOpenIDConnectProvider", nil),
			op("UntagPolicy", service.Func(s.UntagPolicy)),
			op("UntagRole", service.Func(s.UntagRole)),
			op("UntagSAMLProvider", nil),
			op("UntagServerCertificate", nil),
			op("UntagUser", service.Func(s.UntagUser)),
			op("UpdateAccessKey", service.Func(s.UpdateAccessKey)),
			op("UpdateAccountPasswordPolicy", nil),
			op("UpdateAssumeRolePolicy", service.Func(s.UpdateAssumeRolePolicy)),
			op("UpdateDelegationRequest", nil),
			op("UpdateGroup", service.Func(s.UpdateGroup)),
			op("UpdateLoginProfile", service.Func(s.UpdateLoginProfile)),
			op("UpdateOpenIDConnectProviderThumbprint", nil),
			op("UpdateRole", service.Func(s.UpdateRole)),
			op("UpdateRoleDescription", service.Func(s.UpdateRoleDescription)),
			op("UpdateSAMLProvider", nil),
			op("UpdateSSHPublicKey", nil),
			op("UpdateServerCertificate", nil),
			op("UpdateServiceSpecificCredential", nil),
			op("UpdateSigningCertificate", nil),
			op("UpdateUser", service.Func(s.UpdateUser)),
			op("UploadSSHPublicKey", nil),
			op("UploadServerCertificate", nil),
			op("UploadSigningCertificate", nil),
		},
	}).Index()
}

func readOnly(op string) bool {
	for _, p := range []string{"Get", "List", "Simulate"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

// changing runs the service's OnChange after an operation that succeeded.
type changing struct {
	service.Handler
	s *Service
}

func (c changing) Call(ctx context.Context, in any) (any, error) {
	out, err := c.Handler.Call(ctx, in)
	if err == nil && c.s.OnChange != nil {
		c.s.OnChange()
	}
	return out, err
}

// resourceOf names the IAM resource of a call from the entity its input names: a user, group,
// role or policy ARN (without the entity's path, which only the store knows), else "*".
// Reflection is fine here: IAM calls are rare beside data-plane calls.
func resourceOf(ctx context.Context, in any) string {
	v := reflect.ValueOf(in)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return "*"
	}
	str := func(name string) string {
		f := v.FieldByName(name)
		if f.IsValid() && f.Kind() == reflect.String {
			return f.String()
		}
		return ""
	}
	account := callerAccount(ctx)
	// The entity comes first: attaching a policy to a user is an action on the user.
	switch {
	case str("RoleName") != "":
		return "arn:aws:iam::" + account + ":role/" + str("RoleName")
	case str("GroupName") != "":
		return "arn:aws:iam::" + account + ":group/" + str("GroupName")
	case str("UserName") != "":
		return "arn:aws:iam::" + account + ":user/" + str("UserName")
	case str("PolicyArn") != "":
		return str("PolicyArn")
	case str("InstanceProfileName") != "":
		return "arn:aws:iam::" + account + ":instance-profile/" + str("InstanceProfileName")
	}
	return "*"
}

func callerAccount(ctx context.Context) string {
	if p := request.From(ctx).Principal; p != nil {
		return p.Account
	}
	return ""
}

// caller returns the calling principal; IAM has no anonymous operations.
func caller(ctx context.Context) (*request.Principal, error) {
	p := request.From(ctx).Principal
	if p == nil {
		return nil, awserr.New(awserr.MissingAuth, "Request is missing Authentication Token")
	}
	return p, nil
}

// newID returns a unique id with an IAM prefix (AIDA, AGPA, AROA, ANPA, AKIA, ASIA): 21
// characters of base32, as AWS's ids look.
func newID(prefix string, n int) string {
	b := make([]byte, 20)
	rand.Read(b)
	return prefix + base32.StdEncoding.EncodeToString(b)[:n-len(prefix)]
}

// entityARN is an entity's ARN: arn:aws:iam::ACCOUNT:KIND/PATH…NAME.
func entityARN(account, kind, path, name string) string {
	return "arn:aws:iam::" + account + ":" + kind + path + name
}

// Tag is a tag as IAM's wire shapes carry it.
type Tag struct {
	Key   string
	Value string
}

func toStoreTags(tags []Tag) []store.Tag {
	var out []store.Tag
	for _, t := range tags {
		out = append(out, store.Tag{Key: t.Key, Value: t.Value})
	}
	return out
}

func fromStoreTags(tags []store.Tag) []Tag {
	var out []Tag
	for _, t := range tags {
		out = append(out, Tag{Key: t.Key, Value: t.Value})
	}
	return out
}

// page cuts a listing at Marker (an index) and MaxItems (default 100, at most 1000).
func page[T any](items []T, marker string, maxItems int) (out []T, next string, truncated bool, err error) {
	start := 0
	if marker != "" {
		if start, err = strconv.Atoi(marker); err != nil || start < 0 || start > len(items) {
			return nil, "", false, ErrInvalidInput.Errorf("Invalid Marker.")
		}
	}
	if maxItems == 0 {
		maxItems = 100
	}
	if maxItems < 1 || maxItems > 1000 {
		return nil, "", false, awserr.New(awserr.Validation, "1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000", maxItems)
	}
	end := min(start+maxItems, len(items))
	if end < len(items) {
		return items[start:end], strconv.Itoa(end), true, nil
	}
	return items[start:end], "", false, nil
}

// members is a list as the query protocol's XML writes it: <Name><member>…</member></Name>,
// and <Name></Name> when empty (AWS always writes the element; boto3 reads an absent one as no key).
type members[T any] []T

// MarshalXML writes the list's element and one member element a value.
func (m members[T]) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, v := range m {
		if err := e.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: "member"}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// encodeDocument percent-encodes a policy document as IAM returns them (RFC 3986: every byte
// but the unreserved characters).
func encodeDocument(doc string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
