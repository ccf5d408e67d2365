// Package iam decides who a request is and what it may do, and serves AWS IAM. Keys adapts the
// account store to the SigV4 verifier; RequestAuthorizer is the authorization hook the router
// calls for every request, which hands each check to the Enforcer: AWS's policy evaluation
// (package policy) over the caller's identity policies, boundary and session policies and the
// resource's policy, deny by default. The IAM service (service.go and its families) keeps users,
// groups, roles and policies in the store.
package iam

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/request"
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
