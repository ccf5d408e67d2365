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
}

// Service serves KMS.
type Service struct {
	store  Store
	region string
	clock  Clock
	master MasterKey

	mu         sync.Mutex
	masterAEAD cipher.AEAD
	aeads      sync.Map // keyARN + "#" + version → cipher.AEAD (unwrapped material)
	cache      sync.Map // account + "/" + key id → cachedKey
}

// New returns the KMS service.
func New(d Deps) *Service {
	d.Env = d.Env.For("kms")
	if d.Master == nil && d.Store != nil {
		d.Master = StoreMasterKey(d.Store)
	}
	return &Service{store: d.Store, region: d.Region, clock: d.Clock, master: d.Master}
}

// Describe returns KMS's operation table: every operation of the 2014-11-01 API.
func (s *Service) Describe() *service.Service {
	byKey := func(ctx context.Context, in any) string {
		if k, ok := in.(keyIDer); ok {
			return s.resourceARN(ctx, k.keyID())
		}
		return "*"
	}
	op := func(name string, h service.Handler) service.Operation {
		return service.Operation{Name: name, Action: "kms:" + name, Handler: h, Resource: byKey}
	}
	return (&service.Service{
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
			op("DeriveSharedSecret", nil),
			op("DescribeCustomKeyStores", nil),
			op("DescribeKey", service.Func(s.DescribeKey)),
			op("DisableKey", service.Func(s.DisableKey)),
			op("DisableKeyRotation", service.Func(s.DisableKeyRotation)),
			op("DisconnectCustomKeyStore", nil),
			op("EnableKey", service.Func(s.EnableKey)),
			op("EnableKeyRotation", service.Func(s.EnableKeyRotation)),
			op("Encrypt", service.Func(s.Encrypt)),
			op("GenerateDataKey", service.Func(s.GenerateDataKey)),
			op("GenerateDataKeyPair", nil),
			op("GenerateDataKeyPairWithoutPlaintext", nil),
			op("GenerateDataKeyWithoutPlaintext", service.Func(s.GenerateDataKeyWithoutPlaintext)),
			op("GenerateMac", service.Func(s.GenerateMac)),
			op("GenerateRandom", service.Func(s.GenerateRandom)),
			op("GetKeyLastUsage", nil),
			op("GetKeyPolicy", service.Func(s.GetKeyPolicy)),
			op("GetKeyRotationStatus", service.Func(s.GetKeyRotationStatus)),
			op("GetParametersForImport", nil),
			op("GetPublicKey", nil),
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
			op("Sign", nil),
			op("TagResource", service.Func(s.TagResource)),
			op("UntagResource", service.Func(s.UntagResource)),
			op("UpdateAlias", service.Func(s.UpdateAlias)),
			op("UpdateCustomKeyStore", nil),
			op("UpdateKeyDescription", service.Func(s.UpdateKeyDescription)),
			op("UpdatePrimaryRegion", nil),
			op("Verify", nil),
			op("VerifyMac", service.Func(s.VerifyMac)),
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
