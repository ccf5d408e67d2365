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
	"sync"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/sigv4"
	"github.com/gureum/gureum/internal/store"
)

// KeyCacheTTL is how long a looked-up access key is trusted without asking the store again. AWS
// documents IAM as eventually consistent; a deleted key may keep working this long on a node.
const KeyCacheTTL = time.Second

const maxCachedKeys = 10000

// Keys looks access keys up in the account store, remembering found keys for KeyCacheTTL. Keys
// that are not found are never cached.
type Keys struct {
	Store store.Accounts
	Now   func() time.Time

	mu    sync.Mutex
	cache map[string]cachedKey
}

type cachedKey struct {
	cred    *sigv4.Credential
	expires time.Time
}

// NewKeys returns a Keys on a store with a clock (time.Now when nil).
func NewKeys(st store.Accounts, now func() time.Time) *Keys {
	if now == nil {
		now = time.Now
	}
	return &Keys{Store: st, Now: now, cache: map[string]cachedKey{}}
}

// Credential implements sigv4.Keys.
func (k *Keys) Credential(ctx context.Context, id string) (*sigv4.Credential, error) {
	now := k.Now()
	k.mu.Lock()
	c, ok := k.cache[id]
	k.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.cred, nil
	}
	cred, err := k.load(ctx, id)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	if len(k.cache) >= maxCachedKeys {
		clear(k.cache)
	}
	k.cache[id] = cachedKey{cred: cred, expires: now.Add(KeyCacheTTL)}
	k.mu.Unlock()
	return cred, nil
}

func (k *Keys) load(ctx context.Context, id string) (*sigv4.Credential, error) {
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

// Authorize allows p every check of a call, or returns AccessDenied for the first it may not
// perform. The condition context is not read yet (policy evaluation will).
func (a Authorizer) Authorize(ctx context.Context, p *request.Principal, checks []service.Check, _ service.Conditions) error {
	for _, c := range checks {
		if err := a.authorize(ctx, p, c.Action, c.Resource); err != nil {
			return err
		}
	}
	return nil
}

// authorize allows p to perform action on resource, or returns AccessDenied. A nil principal is an
// anonymous caller of an operation that allows anonymous access; its resource policy (a later
// issue) decides, so for now only the operation's own checks apply.
func (Authorizer) authorize(ctx context.Context, p *request.Principal, action, resource string) error {
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
