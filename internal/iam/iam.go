// Package iam decides who a request is and what it may do. Keys adapts the account store to the
// SigV4 verifier; Authorizer is the authorization hook the router calls for every request.
//
// For now the Authorizer allows the root principal of an account on its own account's resources
// and denies everything else: default deny. The IAM issue replaces the body of Authorize with
// policy evaluation; the call sites stay as they are.
package iam

import (
	"context"
	"errors"
	"strings"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/sigv4"
	"github.com/gureum/gureum/internal/store"
)

// Keys looks access keys up in the account store.
type Keys struct{ Store store.Accounts }

// Credential implements sigv4.Keys.
func (k Keys) Credential(ctx context.Context, id string) (*sigv4.Credential, error) {
	key, err := k.Store.AccessKey(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, awserr.New(awserr.UnknownAccessKey, "The security token included in the request is invalid.")
	}
	if err != nil {
		return nil, err
	}
	p := &request.Principal{
		Account:     key.Account,
		ARN:         key.PrincipalARN,
		UserID:      key.UserID,
		AccessKeyID: key.ID,
		Root:        key.PrincipalARN == "arn:aws:iam::"+key.Account+":root",
	}
	return &sigv4.Credential{
		AccessKeyID:     key.ID,
		SecretAccessKey: key.Secret,
		SessionToken:    key.SessionToken,
		Expires:         key.Expires,
		Principal:       p,
	}, nil
}

// Authorizer is the authorization hook.
type Authorizer struct{}

// Authorize allows p to perform action on resource, or returns AccessDenied. A nil principal is an
// anonymous caller of an operation that allows anonymous access; its resource policy (a later
// issue) decides, so for now only the operation's own checks apply.
func (Authorizer) Authorize(ctx context.Context, p *request.Principal, action, resource string) error {
	if p == nil {
		return nil
	}
	if p.Root && sameAccount(p.Account, resource) {
		return nil
	}
	return awserr.New(awserr.AccessDenied, "User: %s is not authorized to perform: %s on resource: %s", p.ARN, action, resource)
}

// sameAccount reports whether resource ("*" or an ARN) belongs to account. An ARN without an
// account field (S3 buckets) is checked by the owning service.
func sameAccount(account, resource string) bool {
	if resource == "*" || resource == "" {
		return true
	}
	parts := strings.SplitN(resource, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return false
	}
	return parts[4] == "" || parts[4] == account
}
