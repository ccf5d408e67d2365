package iam

import (
	"context"
	"strings"

	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
)

// RequestAuthorizer is the router's authorizer when identity is enforced: every check of an
// operation (its action and resource, or the several an operation such as CopyObject names) goes
// to the Enforcer with the request's condition context, looked up lazily as conditions ask.
type RequestAuthorizer struct {
	Enforcer *Enforcer
}

// Authorize allows the call when every check is allowed, or returns AWS's denial for the first
// that is not.
func (a RequestAuthorizer) Authorize(ctx context.Context, p *request.Principal, checks []service.Check, cond service.Conditions) error {
	if p == nil {
		// An anonymous caller reaches only operations that allow anonymous access (the router
		// sees to that), and their service decides with the resource's own policy or ACL (an S3
		// bucket's), which it holds.
		return nil
	}
	var policies service.ResourcePolicyFunc
	if src, ok := cond.(service.PolicySource); ok {
		policies = src.ResourcePolicies()
	}
	demands := make([]Demand, len(checks))
	withPolicy := false
	for i, c := range checks {
		demands[i] = Demand{Action: c.Action, Resource: c.Resource}
		if policies == nil || c.Resource == "*" {
			continue
		}
		owner, doc, err := policies(ctx, c.Resource)
		if err != nil {
			return err
		}
		if accountOf(c.Resource) == "" {
			demands[i].ResourceAccount = owner
		}
		demands[i].ResourcePolicy = doc
		withPolicy = withPolicy || doc != ""
	}
	if p.Root && !withPolicy && ownResources(p.Account, demands) {
		// An account's root on its own account's resources is allowed when no resource policy
		// could deny it: it has no identity policies to. The Enforcer decides the same, at the
		// cost of building a request for it (3% of the server's CPU under single SQS sends).
		return nil
	}
	return a.Enforcer.authorize(ctx, p, demands, nil, cond)
}

// Unenforced is the authorizer of a server run with --iam-enforcement=false: every
// authenticated caller may do anything, as in an emulator without IAM. Signatures are still
// verified; anonymous callers still reach only what allows anonymous access.
type Unenforced struct{}

// Authorize allows every call.
func (Unenforced) Authorize(context.Context, *request.Principal, []service.Check, service.Conditions) error {
	return nil
}

// ownResources reports whether every demand names "*" or a resource of account: by its ARN's
// account field, or for ARNs that carry none (S3's, API Gateway's) by the owner its service
// reported; such an ARN whose service reported no owner is checked by its service.
func ownResources(account string, demands []Demand) bool {
	for _, d := range demands {
		if d.Resource == "*" {
			continue
		}
		parts := strings.SplitN(d.Resource, ":", 6)
		if len(parts) < 6 || parts[0] != "arn" {
			return false
		}
		switch {
		case parts[4] == account:
		case parts[4] == "" && d.ResourceAccount == account:
		case parts[4] == "" && d.ResourceAccount == "" && (parts[2] == "s3" || parts[2] == "apigateway"):
		default:
			return false
		}
	}
	return true
}

// accountOf is the account field of an ARN ("" for ARNs without one, and for what is no ARN).
func accountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}
