package iam

import (
	"context"
	"errors"
	"strings"

	"github.com/gureum/gureum/internal/iam/managed"
	"github.com/gureum/gureum/internal/iam/policy"
	"github.com/gureum/gureum/internal/store"
)

// Policy source types as SimulatePrincipalPolicy names them.
const (
	sourceUser        = "user"
	sourceGroup       = "group"
	sourceRole        = "role"
	sourceAWSManaged  = "aws-managed"
	sourceUserManaged = "user-managed"
	sourceResource    = "resource"
	sourceInput       = "IAM Policy"
	sourceBoundary    = "PermissionsBoundaryPolicy"
	sourceSession     = "session"
)

// policyName labels a parsed policy with its source type and id, for matched statements.
func policyName(sourceType, id string) string { return sourceType + "|" + id }

func splitPolicyName(name string) (sourceType, id string) {
	t, id, _ := strings.Cut(name, "|")
	return t, id
}

// identityPolicies are a principal's policies as the evaluator takes them, with what the
// request context needs of the principal.
type identityPolicies struct {
	policies policy.Policies
	tags     map[string]string
	username string
}

// loader reads an entity's policies from the store.
type loader struct {
	store Store
}

// managedDocument returns the default version of a managed policy (AWS or the account's).
func (l loader) managedDocument(ctx context.Context, arn string) (string, error) {
	if m, ok := managed.Get(arn); ok {
		return m.Document, nil
	}
	p, err := l.store.Policy(ctx, arn)
	if err != nil {
		return "", err
	}
	vs, err := l.store.PolicyVersions(ctx, arn)
	if err != nil {
		return "", err
	}
	for _, v := range vs {
		if v.VersionID == p.DefaultVersion {
			return v.Document, nil
		}
	}
	return "", &store.Error{Op: "iam.managedDocument", Kind: store.ErrNotFound}
}

func parseNamed(doc string, kind policy.Kind, name string) (*policy.Policy, error) {
	p, err := policy.Parse(doc, kind)
	if err != nil {
		return nil, err
	}
	p.Name = name
	return p, nil
}

// entityPolicies appends an entity's inline and attached policies.
func (l loader) entityPolicies(ctx context.Context, account, kind, name string, out []*policy.Policy) ([]*policy.Policy, error) {
	inline, err := l.store.InlinePolicies(ctx, account, kind, name)
	if err != nil {
		return nil, err
	}
	for _, ip := range inline {
		p, err := parseNamed(ip.Document, policy.Identity, policyName(kind, ip.Name))
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	attached, err := l.store.Attached(ctx, account, kind, name)
	if err != nil {
		return nil, err
	}
	for _, arn := range attached {
		doc, err := l.managedDocument(ctx, arn)
		if errors.Is(err, store.ErrNotFound) {
			continue // deleted after attachment checks; nothing to grant
		}
		if err != nil {
			return nil, err
		}
		src := sourceUserManaged
		if strings.HasPrefix(arn, managed.Prefix) {
			src = sourceAWSManaged
		}
		p, err := parseNamed(doc, policy.Identity, policyName(src, arn))
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// load gathers the policies of a user (with its groups') or a role, and its boundary.
func (l loader) load(ctx context.Context, account, kind, name string) (*identityPolicies, store.Entity, error) {
	e, err := l.store.Entity(ctx, account, kind, name)
	if err != nil {
		return nil, e, err
	}
	ip := &identityPolicies{tags: map[string]string{}}
	for _, t := range e.Tags {
		ip.tags[t.Key] = t.Value
	}
	if kind == store.KindUser {
		ip.username = e.Name
	}
	pols, err := l.entityPolicies(ctx, account, kind, e.Name, nil)
	if err != nil {
		return nil, e, err
	}
	if kind == store.KindUser {
		groups, err := l.store.GroupsOf(ctx, account, e.Name)
		if err != nil {
			return nil, e, err
		}
		for _, g := range groups {
			if pols, err = l.entityPolicies(ctx, account, store.KindGroup, g, pols); err != nil {
				return nil, e, err
			}
		}
	}
	ip.policies.Identity = pols
	if e.Boundary != "" {
		doc, err := l.managedDocument(ctx, e.Boundary)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, e, err
		}
		b := &policy.Policy{Name: policyName(sourceBoundary, e.Boundary)} // a missing boundary allows nothing
		if err == nil {
			if b, err = parseNamed(doc, policy.Identity, policyName(sourceBoundary, e.Boundary)); err != nil {
				return nil, e, err
			}
		}
		ip.policies.Boundary = b
	}
	return ip, e, nil
}

// entityOfARN tells the kind and name of the entity behind a principal or entity ARN: a user,
// group or role (an assumed-role session names its role); ok is false for root and others.
func entityOfARN(arn string) (account, kind, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return "", "", "", false
	}
	segs := strings.Split(parts[5], "/")
	if len(segs) < 2 {
		return "", "", "", false
	}
	switch {
	case parts[2] == "iam" && (segs[0] == "user" || segs[0] == "group" || segs[0] == "role"):
		return parts[4], segs[0], segs[len(segs)-1], true
	case parts[2] == "sts" && segs[0] == "assumed-role":
		return parts[4], store.KindRole, segs[1], true
	}
	return "", "", "", false
}
