package kms

import (
	"context"
	"encoding/json"
	"sort"
	"strings"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/iam/policy"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
)

// How KMS authorizes a call on a key.
//
// On AWS the key policy is primary: a principal may use a key only when the key policy (or a
// grant) allows it. IAM policies count only where the key policy delegates to them, by allowing
// the account itself ("Principal": {"AWS": "arn:aws:iam::ACCOUNT:root"}, as the default policy
// does); a key policy that names only some users shuts the account's administrators out. Across
// accounts both sides must allow: the key policy names the other account (or its principal) and
// that account's IAM allows its principal.
//
// gureum decides this in two steps, both with the shared evaluator (internal/iam/policy):
//
//  1. The router's authorizer: the service's ResourcePolicies hook (KeyPolicies) reports each
//     key's owner and its effective policy, the key policy with one statement per grant
//     appended. The generic rule then allows a call when, within the account, the key policy or
//     the caller's IAM policies allow it (and across accounts, when both do), and denies on any
//     explicit Deny.
//  2. KMS's own rule, which the generic one cannot express (within an account IAM alone would
//     suffice there): before the handler runs, the effective policy by itself must allow the
//     caller, directly or by naming its account (policy.Grants). Step 1 already required IAM to
//     allow wherever the key policy only names the account.
//
// The two together are AWS's rule: allowed when the key policy (or a grant) allows the caller,
// and, where it allows only the caller's account, the caller's IAM policies allow too. The
// second step runs only when the server enforces IAM. Its condition keys are KMS's own
// (kms:EncryptionContext:…, kms:CallerAccount, kms:GrantOperations, …) and those implied by the
// principal (a role session's role ARN, with its path, and tags are read from IAM; a user's
// tags are not); request keys only the router knows (aws:SourceIp) are absent there, so a key
// policy Allow that requires one of those does not count in step 2.

// grantActions are the operations a grant may allow, as IAM actions.
var grantActions = map[string]bool{
	"Decrypt": true, "Encrypt": true, "GenerateDataKey": true, "GenerateDataKeyWithoutPlaintext": true,
	"ReEncryptFrom": true, "ReEncryptTo": true, "Sign": true, "Verify": true, "GetPublicKey": true,
	"CreateGrant": true, "RetireGrant": true, "DescribeKey": true, "GenerateDataKeyPair": true,
	"GenerateDataKeyPairWithoutPlaintext": true, "GenerateMac": true, "VerifyMac": true, "DeriveSharedSecret": true,
}

// keyAuth is a key's effective policy at one revision of the key.
type keyAuth struct {
	rev int64
	doc string
	pol *policy.Policy
}

// KeyPolicies is KMS's service.ResourcePolicyFunc: the owner and the effective policy (key
// policy and grants) of a key ARN; nothing for aliases and keys that do not exist.
func (s *Service) KeyPolicies(ctx context.Context, resource string) (owner, doc string, err error) {
	k, err := s.keyOfARN(ctx, resource)
	if k == nil || err != nil {
		return "", "", err
	}
	a := s.authOf(k)
	return k.account, a.doc, nil
}

// keyOfARN reads the key a key ARN names; nil, nil when resource is no key ARN or its key does
// not exist (the handler then answers NotFoundException).
func (s *Service) keyOfARN(ctx context.Context, resource string) (*key, error) {
	parts := strings.SplitN(resource, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "kms" || !strings.HasPrefix(parts[5], "key/") {
		return nil, nil
	}
	k, err := s.loadForUse(ctx, resource)
	if isNotFound(err) {
		return nil, nil
	}
	return k, err
}

// authOf returns k's effective policy, parsed once per revision.
func (s *Service) authOf(k *key) *keyAuth {
	if v, ok := s.auths.Load(k.arn()); ok && v.(*keyAuth).rev == k.rev {
		return v.(*keyAuth)
	}
	a := &keyAuth{rev: k.rev, doc: effectivePolicy(k)}
	p, err := policy.Parse(a.doc, policy.Resource)
	if err != nil {
		p = &policy.Policy{Name: "unparsable key policy"}
	}
	p.Name = k.arn() + "/default"
	a.pol = p
	s.auths.Store(k.arn(), a)
	return a
}

// effectivePolicy is k's policy with a statement per grant: the grantee allowed the grant's
// operations, under its encryption-context constraints. It is evaluator-ready (see evaluable).
func effectivePolicy(k *key) string {
	doc, stmts, err := statements(k.doc.Policy)
	if err != nil {
		return k.doc.Policy
	}
	for _, g := range k.doc.Grants {
		stmts = append(stmts, grantStatement(g.Grant))
		if g.RetiringPrincipal != "" { // the retiring principal may retire the grant
			stmts = append(stmts, map[string]any{"Effect": "Allow", "Principal": principalOf(g.RetiringPrincipal), "Action": "kms:RetireGrant", "Resource": "*"})
		}
	}
	doc["Statement"] = stmts
	b, _ := json.Marshal(doc)
	return string(b)
}

// evaluable is a key policy as the shared evaluator reads it. KMS accepts statement ids that
// IAM's grammar does not (the default policy's "Enable IAM User Permissions" has spaces); a Sid
// only names a statement, so they are left out.
func evaluable(doc string) string {
	d, stmts, err := statements(doc)
	if err != nil {
		return doc
	}
	d["Statement"] = stmts
	b, _ := json.Marshal(d)
	return string(b)
}

// statements decodes a policy and its statements, their Sids dropped.
func statements(doc string) (map[string]any, []any, error) {
	var d map[string]any
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return nil, nil, err
	}
	var stmts []any
	switch st := d["Statement"].(type) {
	case []any:
		stmts = st
	case map[string]any:
		stmts = []any{st}
	}
	for _, st := range stmts {
		if m, ok := st.(map[string]any); ok {
			delete(m, "Sid")
		}
	}
	return d, stmts, nil
}

func grantStatement(g Grant) map[string]any {
	var actions []string
	for _, op := range g.Operations {
		actions = append(actions, "kms:"+op)
	}
	st := map[string]any{"Effect": "Allow", "Principal": principalOf(g.GranteePrincipal), "Action": actions, "Resource": "*"}
	if c := g.Constraints; c != nil {
		cond := map[string]any{}
		equals := map[string]any{}
		for k, v := range c.EncryptionContextSubset {
			equals["kms:EncryptionContext:"+k] = v
		}
		if c.EncryptionContextEquals != nil {
			keys := []string{}
			for k, v := range c.EncryptionContextEquals {
				equals["kms:EncryptionContext:"+k] = v
				keys = append(keys, k)
			}
			sort.Strings(keys)
			if len(keys) == 0 {
				cond["Null"] = map[string]any{"kms:EncryptionContextKeys": "true"}
			} else {
				cond["ForAllValues:StringEquals"] = map[string]any{"kms:EncryptionContextKeys": keys}
			}
		}
		if len(equals) > 0 {
			cond["StringEquals"] = equals
		}
		if len(cond) > 0 {
			st["Condition"] = cond
		}
	}
	return st
}

// principalOf is a grant's principal as a policy's Principal element.
func principalOf(p string) map[string]any {
	if !strings.HasPrefix(p, "arn:") && strings.HasSuffix(p, ".amazonaws.com") {
		return map[string]any{"Service": p}
	}
	return map[string]any{"AWS": p}
}

// guarded is an operation's handler behind KMS's own rule (step 2 above).
type guarded struct {
	service.Handler
	s  *Service
	op *service.Operation
}

func (g guarded) Call(ctx context.Context, in any) (any, error) {
	if err := g.s.keyPolicyAllows(ctx, g.op, in); err != nil {
		return nil, err
	}
	return g.Handler.Call(ctx, in)
}

// keyPolicyAllows requires, for every check of the call on a key, that the key's effective
// policy allows the caller.
func (s *Service) keyPolicyAllows(ctx context.Context, op *service.Operation, in any) error {
	if !s.enforce || request.From(ctx).Principal == nil {
		return nil
	}
	return s.keyPoliciesGrant(ctx, op.AuthChecks(ctx, in), func() map[string][]string { return s.conditionKeys(ctx, in) })
}

// keyPoliciesGrant is step 2 for checks: each on an existing key must be allowed by its
// effective policy by itself. keys supplies the condition keys, computed once if needed.
func (s *Service) keyPoliciesGrant(ctx context.Context, checks []service.Check, keys func() map[string][]string) error {
	p := request.From(ctx).Principal
	var r *policy.Request
	for _, c := range checks {
		k, err := s.keyOfARN(ctx, c.Resource)
		if err != nil {
			return err
		}
		if k == nil {
			continue
		}
		if r == nil {
			r = &policy.Request{Principal: s.principal(ctx, p), Context: lowerKeys(keys())}
		}
		r.Action, r.Resource, r.ResourceAccount = c.Action, c.Resource, k.account
		if !policy.Grants(r, s.authOf(k).pol) {
			return awserr.New(awserr.AccessDenied, "User: %s is not authorized to perform: %s on resource: %s because no resource-based policy allows the %s action",
				p.ARN, c.Action, c.Resource, c.Action)
		}
	}
	return nil
}

// Authorizer is the router's authorizer (iam.RequestAuthorizer), which KMS asks when another
// service uses a customer managed key for its caller.
type Authorizer interface {
	Authorize(ctx context.Context, p *request.Principal, checks []service.Check, cond service.Conditions) error
}

// authorizeVia decides whether the caller of another service (SSM, Secrets Manager) may have it
// use key k for action, as AWS does: the caller itself needs the permission on a customer
// managed key, with kms:ViaService naming the service; AWS managed keys (alias/aws/…) serve
// every principal of their account through their service. Background work (no caller) and a
// server without IAM enforcement are not checked.
func (s *Service) authorizeVia(ctx context.Context, action string, k *key, ec map[string]string) error {
	info := request.From(ctx)
	if s.authz == nil || !s.enforce || info.Principal == nil || k.doc.Meta.KeyManager == "AWS" {
		return nil
	}
	keys := map[string][]string{"kms:CallerAccount": {info.Principal.Account}}
	if info.Service != "" {
		keys["kms:ViaService"] = []string{info.Service + "." + s.region + ".amazonaws.com"}
	}
	for k, v := range ec {
		keys["kms:EncryptionContext:"+k] = []string{v}
		keys["kms:EncryptionContextKeys"] = append(keys["kms:EncryptionContextKeys"], k)
	}
	checks := []service.Check{{Action: action, Resource: k.arn()}}
	if err := s.authz.Authorize(ctx, info.Principal, checks, viaConditions{s: s, keys: keys}); err != nil {
		return err
	}
	return s.keyPoliciesGrant(ctx, checks, func() map[string][]string { return keys })
}

// viaConditions is the condition context of a use through another service: KMS's keys and its
// key policies.
type viaConditions struct {
	s    *Service
	keys map[string][]string
}

func (c viaConditions) Lookup(key string) ([]string, bool) {
	for k, v := range c.keys {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

func (c viaConditions) ResourcePolicies() service.ResourcePolicyFunc { return c.s.KeyPolicies }

func lowerKeys(m map[string][]string) map[string][]string {
	out := make(map[string][]string, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

// principal is the evaluator's view of a caller: from its ARN, and for a role session its
// role's ARN (with its path, which the session's ARN leaves out) and tags, read from IAM.
func (s *Service) principal(ctx context.Context, p *request.Principal) policy.Principal {
	pp := evalPrincipal(p)
	if pp.Type != "AssumedRole" || s.roles == nil {
		return pp
	}
	name := pp.RoleARN[strings.LastIndex(pp.RoleARN, "/")+1:]
	if e, err := s.roles.Entity(ctx, p.Account, store.KindRole, name); err == nil {
		pp.RoleARN = e.ARN
		pp.Tags = map[string]string{}
		for _, t := range e.Tags {
			pp.Tags[t.Key] = t.Value
		}
	}
	return pp
}

// evalPrincipal is the evaluator's view of a caller, from its ARN.
func evalPrincipal(p *request.Principal) policy.Principal {
	pp := policy.Principal{ARN: p.ARN, Account: p.Account, UserID: p.UserID, Type: "User"}
	switch {
	case p.Root:
		pp.Type = "Account"
	case !strings.HasPrefix(p.ARN, "arn:") && strings.HasSuffix(p.ARN, ".amazonaws.com"):
		pp = policy.Principal{Type: "Service", Service: p.ARN, ARN: p.ARN}
	case strings.Contains(p.ARN, ":assumed-role/"):
		pp.Type = "AssumedRole"
		role, _, _ := strings.Cut(p.ARN[strings.Index(p.ARN, ":assumed-role/")+len(":assumed-role/"):], "/")
		pp.RoleARN = "arn:aws:iam::" + p.Account + ":role/" + role
	case strings.Contains(p.ARN, ":federated-user/"):
		pp.Type = "FederatedUser"
	}
	return pp
}

// conditionKeys are KMS's condition keys for a call.
func (s *Service) conditionKeys(ctx context.Context, in any) map[string][]string {
	m := map[string][]string{}
	if p := request.From(ctx).Principal; p != nil {
		m["kms:CallerAccount"] = []string{p.Account}
	}
	if e, ok := in.(interface{ encryptionContext() map[string]string }); ok {
		ec := e.encryptionContext()
		keys := make([]string, 0, len(ec))
		for k, v := range ec {
			m["kms:EncryptionContext:"+k] = []string{v}
			keys = append(keys, k)
		}
		if len(keys) > 0 {
			sort.Strings(keys)
			m["kms:EncryptionContextKeys"] = keys
		}
	}
	switch in := in.(type) {
	case *CreateGrantInput:
		m["kms:GrantOperations"] = in.Operations
		m["kms:GranteePrincipal"] = []string{in.GranteePrincipal}
		if in.RetiringPrincipal != "" {
			m["kms:RetiringPrincipal"] = []string{in.RetiringPrincipal}
		}
	case *CreateKeyInput:
		spec := orDefault(in.KeySpec, orDefault(in.CustomerMasterKeySpec, "SYMMETRIC_DEFAULT"))
		usage, _ := specUsage(spec, in.KeyUsage)
		m["kms:KeySpec"], m["kms:KeyUsage"], m["kms:KeyOrigin"] = []string{spec}, []string{usage}, []string{"AWS_KMS"}
		m["kms:BypassPolicyLockoutSafetyCheck"] = []string{boolString(in.BypassPolicyLockoutSafetyCheck)}
	case *PolicyInput:
		m["kms:BypassPolicyLockoutSafetyCheck"] = []string{boolString(in.BypassPolicyLockoutSafetyCheck)}
	case *SignInput:
		m["kms:SigningAlgorithm"] = []string{in.SigningAlgorithm}
		m["kms:MessageType"] = []string{messageType(in.MessageType)}
	case *EncryptInput:
		m["kms:EncryptionAlgorithm"] = []string{orDefault(in.EncryptionAlgorithm, "SYMMETRIC_DEFAULT")}
	case *DecryptInput:
		m["kms:EncryptionAlgorithm"] = []string{orDefault(in.EncryptionAlgorithm, "SYMMETRIC_DEFAULT")}
	}
	return m
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (i *EncryptInput) encryptionContext() map[string]string         { return i.EncryptionContext }
func (i *DecryptInput) encryptionContext() map[string]string         { return i.EncryptionContext }
func (i *GenerateDataKeyInput) encryptionContext() map[string]string { return i.EncryptionContext }
func (i *ReEncryptInput) encryptionContext() map[string]string       { return i.SourceEncryptionContext }

// lockedOut is AWS's policy lockout safety check: unless bypassed, a key policy must let the
// caller change it later (PutKeyPolicy), by naming it or by delegating to its account.
func (s *Service) lockedOut(ctx context.Context, doc, keyARN string, bypass bool) error {
	p := request.From(ctx).Principal
	if bypass || doc == "" || p == nil {
		return nil
	}
	pol, err := policy.Parse(evaluable(doc), policy.Resource)
	if err != nil {
		return ErrMalformedPolicy.Errorf("%s", err.Error())
	}
	r := &policy.Request{Principal: s.principal(ctx, p), Action: "kms:PutKeyPolicy", Resource: keyARN,
		Context: map[string][]string{"kms:calleraccount": {p.Account}}}
	if !policy.Grants(r, pol) {
		return ErrMalformedPolicy.Errorf("The new key policy will not allow you to update the key policy in the future.")
	}
	return nil
}
