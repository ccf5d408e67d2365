package iam

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/store"
)

// maxKeysPerUser is IAM's quota of access keys a user.
const maxKeysPerUser = 2

func splitResource(arn string) []string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return nil
	}
	return strings.Split(parts[5], "/")
}

func equalFold(a, b string) bool { return strings.EqualFold(a, b) }

// NewAccessKeyID returns an access key id: prefix (AKIA for long-term keys, ASIA for temporary
// ones) and 16 random characters of the base32 alphabet, the shape of AWS's.
func NewAccessKeyID(prefix string) string {
	b := make([]byte, 10)
	rand.Read(b)
	return prefix + base32.StdEncoding.EncodeToString(b)
}

// NewSecret returns a 40-character secret access key.
func NewSecret() string {
	b := make([]byte, 30)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// AccessKeyMetadata is IAM's AccessKeyMetadata shape.
type AccessKeyMetadata struct {
	UserName    string
	AccessKeyId string
	Status      string
	CreateDate  time.Time
}

// userKeys lists a user's keys, active and inactive.
func (s *Service) userKeys(ctx context.Context, e store.Entity) ([]AccessKeyMetadata, error) {
	return s.keysOf(ctx, e.Account, e.ARN, e.Name)
}

func (s *Service) keysOf(ctx context.Context, account, principalARN, userName string) ([]AccessKeyMetadata, error) {
	active, err := s.store.ListAccessKeys(ctx, account)
	if err != nil {
		return nil, err
	}
	inactive, err := s.store.InactiveKeys(ctx, account)
	if err != nil {
		return nil, err
	}
	var out []AccessKeyMetadata
	for i, list := range [][]store.AccessKey{active, inactive} {
		for _, k := range list {
			if k.PrincipalARN != principalARN || !k.Expires.IsZero() {
				continue
			}
			out = append(out, AccessKeyMetadata{UserName: userName, AccessKeyId: k.ID, Status: [...]string{"Active", "Inactive"}[i], CreateDate: k.Created})
		}
	}
	return out, nil
}

// keyOwner resolves an optional UserName to the principal whose keys are meant: a user, or the
// caller's root.
func (s *Service) keyOwner(ctx context.Context, name string) (arn, userID, userName string, err error) {
	if name, err = s.userOrCaller(ctx, name); err != nil {
		return "", "", "", err
	}
	if name == "" {
		p, _ := caller(ctx)
		return p.ARN, p.Account, "", nil
	}
	e, err := s.entity(ctx, store.KindUser, name)
	if err != nil {
		return "", "", "", err
	}
	return e.ARN, e.ID, e.Name, nil
}

type CreateAccessKeyInput struct {
	UserName string
}

// AccessKey is IAM's AccessKey shape, with the secret.
type AccessKey struct {
	UserName        string
	AccessKeyId     string
	Status          string
	SecretAccessKey string
	CreateDate      time.Time
}

type CreateAccessKeyOutput struct {
	AccessKey AccessKey
}

// CreateAccessKey creates a long-term key that authenticates as the user from its creation.
func (s *Service) CreateAccessKey(ctx context.Context, in *CreateAccessKeyInput) (*CreateAccessKeyOutput, error) {
	arn, userID, userName, err := s.keyOwner(ctx, in.UserName)
	if err != nil {
		return nil, err
	}
	account := callerAccount(ctx)
	have, err := s.keysOf(ctx, account, arn, userName)
	if err != nil {
		return nil, err
	}
	if len(have) >= maxKeysPerUser {
		return nil, ErrLimitExceeded.Errorf("Cannot exceed quota for AccessKeysPerUser: %d", maxKeysPerUser)
	}
	k := store.AccessKey{ID: newID("AKIA", 20), Secret: NewSecret(), Account: account, PrincipalARN: arn, UserID: userID, Created: s.now().UTC().Truncate(time.Second)}
	if err := s.store.PutAccessKey(ctx, k); err != nil {
		return nil, err
	}
	return &CreateAccessKeyOutput{AccessKey: AccessKey{UserName: userName, AccessKeyId: k.ID, Status: "Active", SecretAccessKey: k.Secret, CreateDate: k.Created}}, nil
}

type ListAccessKeysInput struct {
	UserName string
	Marker   string
	MaxItems int
}

type ListAccessKeysOutput struct {
	AccessKeyMetadata members[AccessKeyMetadata] `xml:"AccessKeyMetadata"`
	IsTruncated       bool
	Marker            string `xml:",omitempty"`
}

// ListAccessKeys lists a user's keys (the caller's when no user is named).
func (s *Service) ListAccessKeys(ctx context.Context, in *ListAccessKeysInput) (*ListAccessKeysOutput, error) {
	arn, _, userName, err := s.keyOwner(ctx, in.UserName)
	if err != nil {
		return nil, err
	}
	keys, err := s.keysOf(ctx, callerAccount(ctx), arn, userName)
	if err != nil {
		return nil, err
	}
	out := &ListAccessKeysOutput{}
	out.AccessKeyMetadata, out.Marker, out.IsTruncated, err = page(keys, in.Marker, in.MaxItems)
	return out, err
}

// ownKey finds one of the owner's keys, or NoSuchEntity.
func (s *Service) ownKey(ctx context.Context, userName, id string) (AccessKeyMetadata, error) {
	arn, _, name, err := s.keyOwner(ctx, userName)
	if err != nil {
		return AccessKeyMetadata{}, err
	}
	keys, err := s.keysOf(ctx, callerAccount(ctx), arn, name)
	if err != nil {
		return AccessKeyMetadata{}, err
	}
	for _, k := range keys {
		if k.AccessKeyId == id {
			return k, nil
		}
	}
	return AccessKeyMetadata{}, ErrNoSuchEntity.Errorf("The Access Key with id %s cannot be found.", id)
}

type UpdateAccessKeyInput struct {
	UserName    string
	AccessKeyId string
	Status      string
}

type UpdateAccessKeyOutput struct{}

// UpdateAccessKey makes a key Active or Inactive.
func (s *Service) UpdateAccessKey(ctx context.Context, in *UpdateAccessKeyInput) (*UpdateAccessKeyOutput, error) {
	if in.Status != "Active" && in.Status != "Inactive" {
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]", in.Status)
	}
	if _, err := s.ownKey(ctx, in.UserName, in.AccessKeyId); err != nil {
		return nil, err
	}
	return &UpdateAccessKeyOutput{}, s.store.SetKeyActive(ctx, in.AccessKeyId, in.Status == "Active")
}

type DeleteAccessKeyInput struct {
	UserName    string
	AccessKeyId string
}

type DeleteAccessKeyOutput struct{}

// DeleteAccessKey deletes a key.
func (s *Service) DeleteAccessKey(ctx context.Context, in *DeleteAccessKeyInput) (*DeleteAccessKeyOutput, error) {
	k, err := s.ownKey(ctx, in.UserName, in.AccessKeyId)
	if err != nil {
		return nil, err
	}
	if k.Status == "Active" {
		err = s.store.DeleteAccessKey(ctx, k.AccessKeyId)
	} else {
		err = s.store.DeleteInactiveKey(ctx, k.AccessKeyId)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoSuchEntity.Errorf("The Access Key with id %s cannot be found.", in.AccessKeyId)
	}
	return &DeleteAccessKeyOutput{}, err
}

type GetAccessKeyLastUsedInput struct {
	AccessKeyId string
}

// AccessKeyLastUsed is IAM's shape; gureum does not record use, so it answers as AWS does for
// a key never used.
type AccessKeyLastUsed struct {
	ServiceName string
	Region      string
}

type GetAccessKeyLastUsedOutput struct {
	UserName          string `xml:",omitempty"`
	AccessKeyLastUsed AccessKeyLastUsed
}

// GetAccessKeyLastUsed names a key's user.
func (s *Service) GetAccessKeyLastUsed(ctx context.Context, in *GetAccessKeyLastUsedInput) (*GetAccessKeyLastUsedOutput, error) {
	k, err := s.store.AccessKey(ctx, in.AccessKeyId)
	if errors.Is(err, store.ErrNotFound) {
		inactive, ierr := s.store.InactiveKeys(ctx, callerAccount(ctx))
		if ierr != nil {
			return nil, ierr
		}
		for _, ik := range inactive {
			if ik.ID == in.AccessKeyId {
				k, err = ik, nil
			}
		}
	}
	if err != nil || k.Account != callerAccount(ctx) {
		return nil, awserr.New(awserr.AccessDenied, "Access key %s is not in the caller's account.", in.AccessKeyId)
	}
	name, _ := userNameOf(k.PrincipalARN)
	return &GetAccessKeyLastUsedOutput{UserName: name, AccessKeyLastUsed: AccessKeyLastUsed{ServiceName: "N/A", Region: "N/A"}}, nil
}
