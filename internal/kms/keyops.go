package kms

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/iam/policy"

	"github.com/gureum/gureum/internal/store"
)

// KeyInput is an input that names only a key.
type KeyInput struct{ KeyId string }

func (i *KeyInput) keyID() string { return i.KeyId }

// CreateKeyInput is CreateKey's input.
type CreateKeyInput struct {
	Description                    string
	KeyUsage                       string
	KeySpec                        string
	CustomerMasterKeySpec          string
	Origin                         string
	Policy                         string
	Tags                           []Tag
	MultiRegion                    bool
	BypassPolicyLockoutSafetyCheck bool
}

// KeyMetadataOutput answers CreateKey and DescribeKey.
type KeyMetadataOutput struct{ KeyMetadata KeyMetadata }

// CreateKey makes a customer managed key.
func (s *Service) CreateKey(ctx context.Context, in *CreateKeyInput) (*KeyMetadataOutput, error) {
	spec := in.KeySpec
	if spec == "" {
		spec = in.CustomerMasterKeySpec
	}
	if spec == "" {
		spec = "SYMMETRIC_DEFAULT"
	}
	usage, err := specUsage(spec, in.KeyUsage)
	if err != nil {
		return nil, err
	}
	if in.Origin != "" && in.Origin != "AWS_KMS" {
		return nil, ErrUnsupported.Errorf("Origin %s is not supported", in.Origin)
	}
	if len(in.Description) > 8192 {
		return nil, ErrValidation.Errorf("Description must be at most 8192 characters")
	}
	if err := checkPolicy(in.Policy); err != nil {
		return nil, err
	}
	if err := s.lockedOut(ctx, in.Policy, "*", in.BypassPolicyLockoutSafetyCheck); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	k, err := s.newKeyWith(ctx, callerAccount(ctx), spec, usage, in)
	if err != nil {
		return nil, err
	}
	return &KeyMetadataOutput{KeyMetadata: k.doc.Meta}, nil
}

// newKeyWith creates a customer key with CreateKey's policy and tags.
func (s *Service) newKeyWith(ctx context.Context, account, spec, usage string, in *CreateKeyInput) (*key, error) {
	k, err := s.newKey(ctx, account, spec, usage, in.Description, "CUSTOMER")
	if err != nil || (in.Policy == "" && len(in.Tags) == 0 && !in.MultiRegion) {
		return k, err
	}
	if in.Policy != "" {
		k.doc.Policy = in.Policy
	}
	k.doc.Tags = mergeTags(nil, in.Tags)
	k.doc.Meta.MultiRegion = in.MultiRegion
	return k, s.save(ctx, k)
}

// DescribeKey describes a key.
func (s *Service) DescribeKey(ctx context.Context, in *KeyInput) (*KeyMetadataOutput, error) {
	k, err := s.load(ctx, in.KeyId)
	if err != nil {
		return nil, err
	}
	return &KeyMetadataOutput{KeyMetadata: k.doc.Meta}, nil
}

// ListInput pages a list.
type ListInput struct {
	Limit  *int32
	Marker string
	KeyId  string
}

func (i *ListInput) keyID() string { return i.KeyId }

// KeyListEntry is one key of ListKeys.
type KeyListEntry struct{ KeyId, KeyArn string }

// ListKeysOutput is ListKeys' answer.
type ListKeysOutput struct {
	Keys       []KeyListEntry
	NextMarker string `json:",omitempty"`
	Truncated  bool
}

// limit reads a Limit (1–1000, default 100).
func limit(l *int32) (int, error) {
	if l == nil {
		return 100, nil
	}
	if *l < 1 || *l > 1000 {
		return 0, ErrValidation.Errorf("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 1000", *l)
	}
	return int(*l), nil
}

// ListKeys lists the caller's keys by id.
func (s *Service) ListKeys(ctx context.Context, in *ListInput) (*ListKeysOutput, error) {
	n, err := limit(in.Limit)
	if err != nil {
		return nil, err
	}
	recs, err := s.store.ListSecretRecords(ctx, store.KindKMSKey, callerAccount(ctx), "", in.Marker, 0)
	if err != nil {
		return nil, err
	}
	out := &ListKeysOutput{Keys: []KeyListEntry{}}
	for _, r := range recs {
		if s.expired(ctx, r) {
			continue
		}
		if len(out.Keys) == n {
			out.Truncated, out.NextMarker = true, out.Keys[n-1].KeyId
			break
		}
		out.Keys = append(out.Keys, KeyListEntry{KeyId: r.Name, KeyArn: s.keyARN(r.Account, r.Name)})
	}
	return out, nil
}

// Empty is an operation's empty answer.
type Empty struct{}

// EnableKey enables a disabled key.
func (s *Service) EnableKey(ctx context.Context, in *KeyInput) (*Empty, error) {
	return s.setState(ctx, in.KeyId, stateEnabled)
}

// DisableKey disables a key: it cannot encrypt or decrypt until enabled.
func (s *Service) DisableKey(ctx context.Context, in *KeyInput) (*Empty, error) {
	return s.setState(ctx, in.KeyId, stateDisabled)
}

func (s *Service) setState(ctx context.Context, keyID, state string) (*Empty, error) {
	_, err := s.update(ctx, keyID, func(k *key) error {
		if err := customerKey(k); err != nil {
			return err
		}
		if k.doc.Meta.KeyState == statePendingDeletion {
			return ErrInvalidState.Errorf("%s is pending deletion.", k.arn())
		}
		k.doc.Meta.KeyState, k.doc.Meta.Enabled = state, state == stateEnabled
		return nil
	})
	return &Empty{}, err
}

// customerKey refuses changes to AWS managed keys.
func customerKey(k *key) error {
	if k.doc.Meta.KeyManager == "AWS" {
		return ErrUnsupported.Errorf("%s is an AWS managed key and cannot be modified.", k.arn())
	}
	return nil
}

// UpdateKeyDescriptionInput is UpdateKeyDescription's input.
type UpdateKeyDescriptionInput struct{ KeyId, Description string }

func (i *UpdateKeyDescriptionInput) keyID() string { return i.KeyId }

// UpdateKeyDescription changes a key's description.
func (s *Service) UpdateKeyDescription(ctx context.Context, in *UpdateKeyDescriptionInput) (*Empty, error) {
	_, err := s.update(ctx, in.KeyId, func(k *key) error {
		if err := customerKey(k); err != nil {
			return err
		}
		k.doc.Meta.Description = in.Description
		return nil
	})
	return &Empty{}, err
}

// ScheduleKeyDeletionInput is ScheduleKeyDeletion's input.
type ScheduleKeyDeletionInput struct {
	KeyId               string
	PendingWindowInDays *int32
}

func (i *ScheduleKeyDeletionInput) keyID() string { return i.KeyId }

// ScheduleKeyDeletionOutput is ScheduleKeyDeletion's answer.
type ScheduleKeyDeletionOutput struct {
	KeyId               string
	DeletionDate        *Time
	KeyState            string
	PendingWindowInDays int32
}

// ScheduleKeyDeletion puts a key in PendingDeletion for 7–30 days (30 by default); it is
// deleted when the window ends.
func (s *Service) ScheduleKeyDeletion(ctx context.Context, in *ScheduleKeyDeletionInput) (*ScheduleKeyDeletionOutput, error) {
	window := int32(30)
	if in.PendingWindowInDays != nil {
		window = *in.PendingWindowInDays
	}
	if window < 7 || window > 30 {
		return nil, ErrValidation.Errorf("1 validation error detected: Value '%d' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30", window)
	}
	k, err := s.update(ctx, in.KeyId, func(k *key) error {
		if err := customerKey(k); err != nil {
			return err
		}
		if k.doc.Meta.KeyState == statePendingDeletion {
			return ErrInvalidState.Errorf("%s is pending deletion.", k.arn())
		}
		k.doc.Meta.KeyState, k.doc.Meta.Enabled = statePendingDeletion, false
		k.doc.Meta.DeletionDate = at(s.clock.Now().Add(days(window)))
		k.doc.Meta.PendingDeletionWindowInDays = &window
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ScheduleKeyDeletionOutput{KeyId: k.arn(), DeletionDate: k.doc.Meta.DeletionDate, KeyState: statePendingDeletion, PendingWindowInDays: window}, nil
}

// CancelKeyDeletionOutput is CancelKeyDeletion's answer.
type CancelKeyDeletionOutput struct{ KeyId string }

// CancelKeyDeletion takes a key out of PendingDeletion; it is Disabled afterwards, as on AWS.
func (s *Service) CancelKeyDeletion(ctx context.Context, in *KeyInput) (*CancelKeyDeletionOutput, error) {
	k, err := s.update(ctx, in.KeyId, func(k *key) error {
		if k.doc.Meta.KeyState != statePendingDeletion {
			return ErrInvalidState.Errorf("%s is not pending deletion.", k.arn())
		}
		k.doc.Meta.KeyState, k.doc.Meta.DeletionDate, k.doc.Meta.PendingDeletionWindowInDays = stateDisabled, nil, nil
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &CancelKeyDeletionOutput{KeyId: k.arn()}, nil
}

// PolicyInput is Get/PutKeyPolicy's input.
type PolicyInput struct {
	KeyId                          string
	PolicyName                     string
	Policy                         string
	BypassPolicyLockoutSafetyCheck bool
}

func (i *PolicyInput) keyID() string { return i.KeyId }

// PolicyOutput is GetKeyPolicy's answer.
type PolicyOutput struct {
	Policy     string
	PolicyName string
}

// GetKeyPolicy returns a key's policy (its one policy is named "default").
func (s *Service) GetKeyPolicy(ctx context.Context, in *PolicyInput) (*PolicyOutput, error) {
	if in.PolicyName != "" && in.PolicyName != "default" {
		return nil, ErrNotFound.Errorf("No such policy exists")
	}
	k, err := s.load(ctx, in.KeyId)
	if err != nil {
		return nil, err
	}
	return &PolicyOutput{Policy: k.doc.Policy, PolicyName: "default"}, nil
}

// PutKeyPolicy replaces a key's policy. The policy is stored and returned; it is evaluated once
// identity enforcement evaluates resource policies.
func (s *Service) PutKeyPolicy(ctx context.Context, in *PolicyInput) (*Empty, error) {
	if in.PolicyName != "" && in.PolicyName != "default" {
		return nil, ErrValidation.Errorf("PolicyName must be default")
	}
	if in.Policy == "" {
		return nil, ErrValidation.Errorf("1 validation error detected: Value null at 'policy' failed to satisfy constraint: Member must not be null")
	}
	if err := checkPolicy(in.Policy); err != nil {
		return nil, err
	}
	_, err := s.update(ctx, in.KeyId, func(k *key) error {
		if err := customerKey(k); err != nil {
			return err
		}
		if err := s.lockedOut(ctx, in.Policy, k.arn(), in.BypassPolicyLockoutSafetyCheck); err != nil {
			return err
		}
		k.doc.Policy = in.Policy
		return nil
	})
	return &Empty{}, err
}

// ListKeyPoliciesOutput is ListKeyPolicies' answer.
type ListKeyPoliciesOutput struct {
	PolicyNames []string
	Truncated   bool
}

// ListKeyPolicies lists a key's one policy.
func (s *Service) ListKeyPolicies(ctx context.Context, in *ListInput) (*ListKeyPoliciesOutput, error) {
	if _, err := s.load(ctx, in.KeyId); err != nil {
		return nil, err
	}
	return &ListKeyPoliciesOutput{PolicyNames: []string{"default"}}, nil
}

// checkPolicy accepts a key policy of at most 32 KB that the IAM policy grammar accepts.
func checkPolicy(p string) error {
	if p == "" {
		return nil
	}
	if len(p) > 32768 {
		return ErrLimitExceeded.Errorf("Policy document exceeds the maximum size of 32768 bytes.")
	}
	if _, err := policy.Parse(evaluable(p), policy.Resource); err != nil {
		return ErrMalformedPolicy.Errorf("%s", err.Error())
	}
	return nil
}

// specUsage checks a KeyUsage against a KeySpec; usage "" takes the default (ENCRYPT_DECRYPT,
// GENERATE_VERIFY_MAC for HMAC keys, as AWS does).
func specUsage(spec, usage string) (string, error) {
	var usages []string
	if ks, ok := keySpecs[spec]; ok {
		usages = []string{ks.usage}
	} else if as, ok := asymSpecs[spec]; ok {
		usages = as.usages
	} else {
		return "", ErrValidation.Errorf("1 validation error detected: Value '%s' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [RSA_2048, ECC_NIST_P384, ECC_NIST_P256, ECC_NIST_P521, HMAC_384, RSA_3072, ECC_SECG_P256K1, RSA_4096, SYMMETRIC_DEFAULT, HMAC_256, HMAC_224, HMAC_512]", spec)
	}
	if usage == "" {
		usage = "ENCRYPT_DECRYPT"
		if strings.HasPrefix(spec, "HMAC_") {
			usage = "GENERATE_VERIFY_MAC"
		}
	}
	if !slices.Contains(usages, usage) {
		return "", ErrValidation.Errorf("KeyUsage %s is not compatible with KeySpec %s", usage, spec)
	}
	return usage, nil
}

func itoa(n int) string { return strconv.Itoa(n) }

// expired deletes a listed key whose deletion date has passed and reports it gone.
func (s *Service) expired(ctx context.Context, r store.SecretRecord) bool {
	var doc struct{ Meta KeyMetadata }
	if json.Unmarshal(r.Doc, &doc) != nil || doc.Meta.KeyState != statePendingDeletion || s.clock.Now().Before(doc.Meta.DeletionDate.Time) {
		return false
	}
	s.cache.Delete(r.Account + "/" + r.Name)
	s.store.DeleteSecretRecord(ctx, store.KindKMSKey, r.Account, r.Name)
	return true
}
