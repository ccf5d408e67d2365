package kms

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/store"
)

// Key states.
const (
	stateEnabled         = "Enabled"
	stateDisabled        = "Disabled"
	statePendingDeletion = "PendingDeletion"
)

// key is a loaded key: its record's revision and its document.
type key struct {
	account string
	rev     int64
	doc     keyDoc
}

func (k *key) arn() string { return k.doc.Meta.Arn }

func (s *Service) keyARN(account, id string) string {
	return "arn:aws:kms:" + s.region + ":" + account + ":key/" + id
}

// resolve turns a KeyId parameter (a key id, key ARN, alias name or alias ARN) into the
// account and key id it names.
func (s *Service) resolve(ctx context.Context, keyID string) (account, id string, err error) {
	account = callerAccount(ctx)
	if keyID == "" {
		return "", "", ErrValidation.Errorf("1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null")
	}
	if strings.HasPrefix(keyID, "arn:") {
		parts := strings.SplitN(keyID, ":", 6)
		if len(parts) != 6 || parts[2] != "kms" {
			return "", "", ErrInvalidArn.Errorf("ARN %s is not a valid KMS ARN", keyID)
		}
		account, keyID = parts[4], parts[5]
		if strings.HasPrefix(keyID, "key/") {
			return account, strings.TrimPrefix(keyID, "key/"), nil
		}
	}
	if strings.HasPrefix(keyID, "alias/") {
		a, err := s.loadAlias(ctx, account, keyID)
		if err != nil {
			if isNotFound(err) && strings.HasPrefix(keyID, "alias/aws/") {
				k, err := s.managedKey(ctx, account, keyID)
				if err != nil {
					return "", "", err
				}
				return account, k.doc.Meta.KeyId, nil
			}
			return "", "", err
		}
		return account, a.TargetKeyId, nil
	}
	return account, keyID, nil
}

func isNotFound(err error) bool {
	var ae *awserr.Error
	return errors.As(err, &ae) && ae.Code == ErrNotFound
}

// load reads the key a KeyId names. A key whose deletion date has passed is deleted now.
func (s *Service) load(ctx context.Context, keyID string) (*key, error) {
	account, id, err := s.resolve(ctx, keyID)
	if err != nil {
		return nil, err
	}
	return s.loadID(ctx, account, id)
}

// cachedKey is a key as read for cryptography, kept briefly so that a burst of Encrypt and
// Decrypt calls does not read and parse the key each time.
type cachedKey struct {
	k     *key // never changed once cached
	until time.Time
}

// keyTTL is how long a node uses a key it read for cryptography before reading it again. Its
// own changes drop its copy at once; another node's (PostgreSQL) are seen within keyTTL, well
// inside the eventual consistency AWS documents for key state changes.
const keyTTL = time.Second

// loadForUse reads a key for Encrypt and Decrypt, from the cache when fresh. The key returned
// must not be changed: update through load.
func (s *Service) loadForUse(ctx context.Context, keyID string) (*key, error) {
	account, id, err := s.resolve(ctx, keyID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	if c, ok := s.cache.Load(account + "/" + id); ok && now.Before(c.(cachedKey).until) {
		return c.(cachedKey).k, nil
	}
	k, err := s.loadID(ctx, account, id)
	if err != nil {
		return nil, err
	}
	s.cache.Store(account+"/"+id, cachedKey{k: k, until: now.Add(keyTTL)})
	return k, nil
}

// loadID reads a key by account and id.
func (s *Service) loadID(ctx context.Context, account, id string) (*key, error) {
	rec, err := s.store.SecretRecord(ctx, store.KindKMSKey, account, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound.Errorf("Key '%s' does not exist", s.keyARN(account, id))
	}
	if err != nil {
		return nil, err
	}
	k := &key{account: account, rev: rec.Rev}
	if err := json.Unmarshal(rec.Doc, &k.doc); err != nil {
		return nil, err
	}
	if k.doc.Meta.KeyState == statePendingDeletion && !s.clock.Now().Before(k.doc.Meta.DeletionDate.Time) {
		s.cache.Delete(account + "/" + id)
		s.store.DeleteSecretRecord(ctx, store.KindKMSKey, account, id)
		return nil, ErrNotFound.Errorf("Key '%s' does not exist", k.arn())
	}
	return k, nil
}

// save writes a loaded key back; a concurrent change makes the caller's request fail rather
// than lose either write.
func (s *Service) save(ctx context.Context, k *key) error {
	s.cache.Delete(k.account + "/" + k.doc.Meta.KeyId)
	doc, _ := json.Marshal(k.doc)
	err := s.store.UpdateSecretRecord(ctx, store.SecretRecord{Kind: store.KindKMSKey, Account: k.account, Name: k.doc.Meta.KeyId, Rev: k.rev, Doc: doc, Updated: s.clock.Now()})
	if errors.Is(err, store.ErrConditionFailed) {
		return ErrInvalidState.Errorf("%s was changed by a concurrent request; retry", k.arn())
	}
	if err == nil {
		k.rev++
	}
	s.cache.Delete(k.account + "/" + k.doc.Meta.KeyId)
	return err
}

// update loads a key, applies fn and saves it.
func (s *Service) update(ctx context.Context, keyID string, fn func(k *key) error) (*key, error) {
	k, err := s.load(ctx, keyID)
	if err != nil {
		return nil, err
	}
	if err := fn(k); err != nil {
		return nil, err
	}
	return k, s.save(ctx, k)
}

// keySpecs maps a KeySpec to its usage and material size.
var keySpecs = map[string]struct {
	usage string
	size  int
	algs  []string
}{
	"SYMMETRIC_DEFAULT": {"ENCRYPT_DECRYPT", 32, []string{"SYMMETRIC_DEFAULT"}},
	"HMAC_224":          {"GENERATE_VERIFY_MAC", 28, []string{"HMAC_SHA_224"}},
	"HMAC_256":          {"GENERATE_VERIFY_MAC", 32, []string{"HMAC_SHA_256"}},
	"HMAC_384":          {"GENERATE_VERIFY_MAC", 48, []string{"HMAC_SHA_384"}},
	"HMAC_512":          {"GENERATE_VERIFY_MAC", 64, []string{"HMAC_SHA_512"}},
}

// newKey makes a key's document with its first material, wrapped.
func (s *Service) newKey(ctx context.Context, account, spec, usage, description, manager string) (*key, error) {
	id := uuid.NewString()
	ks := keySpecs[spec]
	now := s.clock.Now()
	k := &key{account: account, doc: keyDoc{Meta: KeyMetadata{
		AWSAccountId: account, KeyId: id, Arn: s.keyARN(account, id), CreationDate: at(now), Enabled: true,
		Description: description, KeyUsage: usage, KeyState: stateEnabled, Origin: "AWS_KMS", KeyManager: manager,
		CustomerMasterKeySpec: spec, KeySpec: spec,
	}, RotationPeriod: 365}}
	if as, ok := asymSpecs[spec]; ok {
		switch usage {
		case "ENCRYPT_DECRYPT":
			k.doc.Meta.EncryptionAlgorithms = as.encrypt
		case "SIGN_VERIFY":
			k.doc.Meta.SigningAlgorithms = as.signing
		case "KEY_AGREEMENT":
			k.doc.Meta.KeyAgreementAlgorithms = as.agree
		}
	} else if usage == "ENCRYPT_DECRYPT" {
		k.doc.Meta.EncryptionAlgorithms = ks.algs
	} else {
		k.doc.Meta.MacAlgorithms = ks.algs
	}
	k.doc.Policy = defaultPolicy(account)
	if err := s.addVersion(ctx, k); err != nil {
		return nil, err
	}
	if manager == "AWS" {
		k.doc.Rotation, k.doc.NextRotation = true, now.AddDate(1, 0, 0)
	}
	doc, _ := json.Marshal(k.doc)
	err := s.store.CreateSecretRecord(ctx, store.SecretRecord{Kind: store.KindKMSKey, Account: account, Name: id, Doc: doc, Updated: now})
	k.rev = 1
	return k, err
}

// addVersion generates new material for k, wrapped by the master key.
func (s *Service) addVersion(ctx context.Context, k *key) error {
	master, err := s.masterAEADFor(ctx)
	if err != nil {
		return err
	}
	var material []byte
	if isAsymmetric(k.doc.Meta.KeySpec) {
		pair, err := newKeyPair(k.doc.Meta.KeySpec)
		if err != nil {
			return err
		}
		material, k.doc.PublicKey = pair.privDER, pair.pubDER
	} else {
		material = make([]byte, keySpecs[k.doc.Meta.KeySpec].size)
		rand.Read(material)
	}
	k.doc.Versions = append(k.doc.Versions, wrap(master, k.arn(), uint32(len(k.doc.Versions)+1), material))
	return nil
}

// defaultPolicy is the key policy AWS gives a key created without one.
func defaultPolicy(account string) string {
	return `{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::` + account + `:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`
}

// usable reports why k cannot be used for cryptography now, as AWS words it.
func usable(k *key) error {
	switch k.doc.Meta.KeyState {
	case stateEnabled:
		return nil
	case stateDisabled:
		return ErrDisabled.Errorf("%s is disabled.", k.arn())
	}
	return ErrInvalidState.Errorf("%s is pending deletion.", k.arn())
}

// rotateIfDue rotates an automatically rotated key whose rotation date has passed, and returns
// the key to use: k itself, or the key read again and rotated.
func (s *Service) rotateIfDue(ctx context.Context, k *key) (*key, error) {
	now := s.clock.Now()
	if !k.doc.Rotation || k.doc.NextRotation.IsZero() || now.Before(k.doc.NextRotation) {
		return k, nil
	}
	fresh, err := s.loadID(ctx, k.account, k.doc.Meta.KeyId)
	if err != nil || !fresh.doc.Rotation || now.Before(fresh.doc.NextRotation) {
		return fresh, err
	}
	if err := s.rotate(ctx, fresh, "AUTOMATIC"); err != nil {
		return nil, err
	}
	fresh.doc.NextRotation = now.AddDate(0, 0, int(fresh.doc.RotationPeriod))
	return fresh, s.save(ctx, fresh)
}

// rotate gives k new material; its earlier versions stay for decryption.
func (s *Service) rotate(ctx context.Context, k *key, kind string) error {
	if err := s.addVersion(ctx, k); err != nil {
		return err
	}
	k.doc.Rotations = append(k.doc.Rotations, Rotation{KeyId: k.arn(), RotationDate: at(s.clock.Now()), RotationType: kind})
	return nil
}

// resourceARN is the IAM resource of a call naming keyID, without reading the store.
func (s *Service) resourceARN(ctx context.Context, keyID string) string {
	switch {
	case keyID == "":
		return "*"
	case strings.HasPrefix(keyID, "arn:"):
		return keyID
	case strings.HasPrefix(keyID, "alias/"):
		return "arn:aws:kms:" + s.region + ":" + callerAccount(ctx) + ":" + keyID
	}
	return s.keyARN(callerAccount(ctx), keyID)
}

// keyResource is the IAM resource of a call naming keyID: the key's ARN, an alias resolved to
// its key's (an alias that does not exist, or an AWS managed alias not made yet, stays itself).
func (s *Service) keyResource(ctx context.Context, keyID string) string {
	arn := s.resourceARN(ctx, keyID)
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || !strings.HasPrefix(parts[5], "alias/") {
		return arn
	}
	a, err := s.loadAlias(ctx, parts[4], parts[5])
	if err != nil {
		return arn
	}
	return s.keyARN(parts[4], a.TargetKeyId)
}

func days(n int32) time.Duration { return time.Duration(n) * 24 * time.Hour }
