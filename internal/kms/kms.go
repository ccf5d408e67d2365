// Package kms is AWS Key Management Service (API 2014-11-01, AWS JSON 1.1, TrentService):
// symmetric keys (AES-256-GCM) and HMAC keys whose material is wrapped by the server master key
// (MasterKey) before it reaches the store, aliases with the AWS managed keys alias/aws/<service>
// created on first use, encryption contexts bound into every ciphertext, rotation that keeps old
// material for decryption, scheduled deletion, key policies, grants and tags. Keys and aliases
// live in a store.Secrets.
package kms

import (
	"context"
	"crypto/cipher"
	"sync"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
)

// Clock is the service's time.
type Clock = background.Clock

// Store is what KMS keeps: its keys and aliases as secret records, and on a shared database
// the master key.
type Store interface {
	store.Secrets
}

// Deps is what KMS is built with.
type Deps struct {
	service.Env
	Store  Store
	Master MasterKey // where the master key comes from; nil: StoreMasterKey(Store)
	// Enforce applies KMS's key-policy rule (see authz.go) before each call on a key: set when
	// the server enforces IAM.
	Enforce bool
	// Authorizer decides other services' uses of customer managed keys for their callers
	// (EncryptFor, DecryptFor); nil: not checked.
	Authorizer Authorizer
	// Roles reads IAM roles (their paths and tags) for key policies naming a session's role;
	// nil: a role ARN is taken from the session's ARN, without a path.
	Roles Roles
}

// Roles is where KMS reads IAM roles (store.Identity's Entity).
type Roles interface {
	Entity(ctx context.Context, account, kind, name string) (store.Entity, error)
}

// Service serves KMS.
type Service struct {
	store   Store
	region  string
	clock   Clock
	master  MasterKey
	enforce bool
	authz   Authorizer
	roles   Roles

	mu         sync.Mutex
	masterAEAD cipher.AEAD
	aeads      sync.Map // keyARN + "#" + version → cipher.AEAD (unwrapped material)
	cache      sync.Map // account + "/" + key id → cachedKey
	auths      sync.Map // key ARN → *keyAuth
	pairs      sync.Map // key ARN → *keyPair (asymmetric keys, unwrapped)
}

// New returns the KMS service.
func New(d Deps) *Service {
	d.Env = d.Env.For("kms")
	if d.Master == nil && d.Store != nil {
		d.Master = StoreMasterKey(d.Store)
	}
	return &Service{store: d.Store, region: d.Region, clock: d.Clock, master: d.Master, enforce: d.Enforce, authz: d.Authorizer, roles: d.Roles}
}

// Describe returns KMS's operation table: every operation of the 2014-11-01 API.
func (s *Service) Describe() *service.Service {
	op := func(name string, h service.Handler) service.Operation {
		return service.Operation{Name: name, Action: "kms:" + name, Handler: h, Resource: s.resourceOf, Conditions: s.conditionKeys}
	}
	svc := &service.Service{
		Name:            "kms",
		SigningName:     "kms",
		Protocol:        service.JSON11,
		APIVersion:      "2014-11-01",
		TargetPrefix:    "TrentService",
		ErrorTypePrefix: "com.amazonaws.kms#",
		Operations: []service.Operation{
			op("CancelKeyDeletion", service.Func(s.CancelKeyDeletion)),
			op("ConnectCustomKeyStore", nil),
			op("CreateAlias", service.Func(s.CreateAlias)),
			op("CreateCustomKeyStore", nil),
			op("CreateGrant", service.Func(s.CreateGrant)),
			op("CreateKey", service.Func(s.CreateKey)),
			op("Decrypt", service.Func(s.Decrypt)),
			op("DeleteAlias", service.Func(s.DeleteAlias)),
			op("DeleteCustomKeyStore", nil),
			op("DeleteImportedKeyMaterial", nil),
			op("DeriveSharedSecret", service.Func(s.DeriveSharedSecret)),
			op("DescribeCustomKeyStores", nil),
			op("DescribeKey", service.Func(s.DescribeKey)),
			op("DisableKey", service.Func(s.DisableKey)),
			op("DisableKeyRotation", service.Func(s.DisableKeyRotation)),
			op("DisconnectCustomKeyStore", nil),
			op("EnableKey", service.Func(s.EnableKey)),
			op("EnableKeyRotation", service.Func(s.EnableKeyRotation)),
			op("Encrypt", service.Func(s.Encrypt)),
			op("GenerateDataKey", service.Func(s.GenerateDataKey)),
			op("GenerateDataKeyPair", service.Func(s.GenerateDataKeyPair)),
			op("GenerateDataKeyPairWithoutPlaintext", service.Func(s.GenerateDataKeyPairWithoutPlaintext)),
			op("GenerateDataKeyWithoutPlaintext", service.Func(s.GenerateDataKeyWithoutPlaintext)),
			op("GenerateMac", service.Func(s.GenerateMac)),
			op("GenerateRandom", service.Func(s.GenerateRandom)),
			op("GetKeyLastUsage", nil),
			op("GetKeyPolicy", service.Func(s.GetKeyPolicy)),
			op("GetKeyRotationStatus", service.Func(s.GetKeyRotationStatus)),
			op("GetParametersForImport", nil),
			op("GetPublicKey", service.Func(s.GetPublicKey)),
			op("ImportKeyMaterial", nil),
			op("ListAliases", service.Func(s.ListAliases)),
			op("ListGrants", service.Func(s.ListGrants)),
			op("ListKeyPolicies", service.Func(s.ListKeyPolicies)),
			op("ListKeyRotations", service.Func(s.ListKeyRotations)),
			op("ListKeys", service.Func(s.ListKeys)),
			op("ListResourceTags", service.Func(s.ListResourceTags)),
			op("ListRetirableGrants", service.Func(s.ListRetirableGrants)),
			op("PutKeyPolicy", service.Func(s.PutKeyPolicy)),
			op("ReEncrypt", service.Func(s.ReEncrypt)),
			op("ReplicateKey", nil),
			op("RetireGrant", service.Func(s.RetireGrant)),
			op("RevokeGrant", service.Func(s.RevokeGrant)),
			op("RotateKeyOnDemand", service.Func(s.RotateKeyOnDemand)),
			op("ScheduleKeyDeletion", service.Func(s.ScheduleKeyDeletion)),
			op("Sign", service.Func(s.Sign)),
			op("TagResource", service.Func(s.TagResource)),
			op("UntagResource", service.Func(s.UntagResource)),
			op("UpdateAlias", service.Func(s.UpdateAlias)),
			op("UpdateCustomKeyStore", nil),
			op("UpdateKeyDescription", service.Func(s.UpdateKeyDescription)),
			op("UpdatePrimaryRegion", nil),
			op("Verify", service.Func(s.Verify)),
			op("VerifyMac", service.Func(s.VerifyMac)),
		},
		ResourcePolicies: s.KeyPolicies,
	}
	for i := range svc.Operations {
		o := &svc.Operations[i]
		switch o.Name {
		case "ReEncrypt":
			o.Checks = s.reEncryptChecks
		case "CreateAlias", "UpdateAlias":
			o.Checks = s.aliasChecks
		}
		if o.Handler != nil {
			o.Handler = guarded{Handler: o.Handler, s: s, op: o}
		}
	}
	return svc.Index()
}

// resourceOf is the IAM resource of a call: the key it names (through its alias), the key of
// the ciphertext it decrypts, the alias it changes, or "*".
func (s *Service) resourceOf(ctx context.Context, in any) string {
	switch in := in.(type) {
	case *AliasInput:
		return s.resourceARN(ctx, in.keyID())
	case *DecryptInput:
		if h, err := parseBlob(in.CiphertextBlob); err == nil {
			return h.KeyARN
		}
	}
	if k, ok := in.(keyIDer); ok {
		return s.keyResource(ctx, k.keyID())
	}
	return "*"
}

// aliasChecks: CreateAlias and UpdateAlias need the action on the alias and on its target key.
func (s *Service) aliasChecks(ctx context.Context, in any) []service.Check {
	a := in.(*AliasInput)
	action := "kms:" + request.From(ctx).Operation
	if action == "kms:" {
		action = "kms:CreateAlias"
	}
	return []service.Check{{Action: action, Resource: s.resourceARN(ctx, a.AliasName)}, {Action: action, Resource: s.keyResource(ctx, a.TargetKeyId)}}
}

// reEncryptChecks: ReEncrypt decrypts under the ciphertext's key (kms:ReEncryptFrom) and
// encrypts under the destination key (kms:ReEncryptTo).
func (s *Service) reEncryptChecks(ctx context.Context, in any) []service.Check {
	r := in.(*ReEncryptInput)
	from := "*"
	if h, err := parseBlob(r.CiphertextBlob); err == nil {
		from = h.KeyARN
	} else if r.SourceKeyId != "" { // an RSA ciphertext names no key: the call does
		from = s.keyResource(ctx, r.SourceKeyId)
	}
	return []service.Check{{Action: "kms:ReEncryptFrom", Resource: from}, {Action: "kms:ReEncryptTo", Resource: s.keyResource(ctx, r.DestinationKeyId)}}
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

// keyIDer is an input that names a key.
type keyIDer interface{ keyID() string }

// masterAEADFor returns the master key's cipher, loading the key on first use.
func (s *Service) masterAEADFor(ctx context.Context) (cipher.AEAD, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.masterAEAD != nil {
		return s.masterAEAD, nil
	}
	key, err := s.master(ctx)
	if err != nil {
		return nil, err
	}
	a, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	s.masterAEAD = a
	return a, nil
}
