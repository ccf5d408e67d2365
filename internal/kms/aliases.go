package kms

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"

	"github.com/gureum/gureum/internal/store"
)

var aliasPattern = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]{1,250}$`)

func (s *Service) aliasARN(account, name string) string {
	return "arn:aws:kms:" + s.region + ":" + account + ":" + name
}

// loadAlias reads an alias.
func (s *Service) loadAlias(ctx context.Context, account, name string) (aliasDoc, error) {
	var a aliasDoc
	rec, err := s.store.SecretRecord(ctx, store.KindKMSAlias, account, name)
	if errors.Is(err, store.ErrNotFound) {
		return a, ErrNotFound.Errorf("Alias %s is not found.", s.aliasARN(account, name))
	}
	if err != nil {
		return a, err
	}
	return a, json.Unmarshal(rec.Doc, &a)
}

// managedKey creates the AWS managed key of alias/aws/<service> on its first use.
func (s *Service) managedKey(ctx context.Context, account, alias string) (*key, error) {
	svc := strings.TrimPrefix(alias, "alias/aws/")
	if !aliasPattern.MatchString(alias) || svc == "" {
		return nil, ErrNotFound.Errorf("Alias %s is not found.", s.aliasARN(account, alias))
	}
	k, err := s.newKey(ctx, account, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "Default key that protects my "+svc+" data when no other key is defined", "AWS")
	if err != nil {
		return nil, err
	}
	err = s.putAlias(ctx, account, alias, k.doc.Meta.KeyId, true)
	if errors.Is(err, store.ErrExists) { // another request made it first: use theirs
		s.store.DeleteSecretRecord(ctx, store.KindKMSKey, account, k.doc.Meta.KeyId)
		a, err := s.loadAlias(ctx, account, alias)
		if err != nil {
			return nil, err
		}
		return s.load(ctx, s.keyARN(account, a.TargetKeyId))
	}
	return k, err
}

// putAlias creates an alias or points it at another key.
func (s *Service) putAlias(ctx context.Context, account, name, keyID string, create bool) error {
	now := s.clock.Now()
	a := aliasDoc{AliasName: name, AliasArn: s.aliasARN(account, name), TargetKeyId: keyID, CreationDate: at(now), LastUpdatedDate: at(now)}
	if !create {
		rec, err := s.store.SecretRecord(ctx, store.KindKMSAlias, account, name)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotFound.Errorf("Alias %s is not found.", a.AliasArn)
		}
		if err != nil {
			return err
		}
		var old aliasDoc
		json.Unmarshal(rec.Doc, &old)
		a.CreationDate = old.CreationDate
		doc, _ := json.Marshal(a)
		rec.Doc, rec.Updated = doc, now
		return s.store.UpdateSecretRecord(ctx, rec)
	}
	doc, _ := json.Marshal(a)
	return s.store.CreateSecretRecord(ctx, store.SecretRecord{Kind: store.KindKMSAlias, Account: account, Name: name, Doc: doc, Updated: now})
}

// AliasInput is Create/Update/DeleteAlias' input.
type AliasInput struct {
	AliasName   string
	TargetKeyId string
}

func (i *AliasInput) keyID() string { return i.AliasName }

// checkAliasName refuses names outside AWS's pattern and the reserved alias/aws/ prefix.
func checkAliasName(name string) error {
	if !aliasPattern.MatchString(name) {
		return ErrValidation.Errorf("1 validation error detected: Value '%s' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$", name)
	}
	if strings.HasPrefix(name, "alias/aws/") {
		return ErrNotAuthorized
	}
	return nil
}

// ErrNotAuthorized is what AWS answers for an alias in the reserved alias/aws/ namespace.
var ErrNotAuthorized = ErrInvalidAliasName.Errorf("Alias must not begin with 'alias/aws/'")

// target loads the customer key an alias is to point at.
func (s *Service) target(ctx context.Context, keyID string) (*key, error) {
	if strings.HasPrefix(keyID, "alias/") || strings.Contains(keyID, ":alias/") {
		return nil, ErrValidation.Errorf("TargetKeyId must be a key id or key ARN, not an alias")
	}
	k, err := s.load(ctx, keyID)
	if err != nil {
		return nil, err
	}
	if k.doc.Meta.KeyState == statePendingDeletion {
		return nil, ErrInvalidState.Errorf("%s is pending deletion.", k.arn())
	}
	return k, customerKey(k)
}

// CreateAlias names a key.
func (s *Service) CreateAlias(ctx context.Context, in *AliasInput) (*Empty, error) {
	if err := checkAliasName(in.AliasName); err != nil {
		return nil, err
	}
	k, err := s.target(ctx, in.TargetKeyId)
	if err != nil {
		return nil, err
	}
	err = s.putAlias(ctx, k.account, in.AliasName, k.doc.Meta.KeyId, true)
	if errors.Is(err, store.ErrExists) {
		return nil, ErrAlreadyExists.Errorf("An alias with the name %s already exists", s.aliasARN(k.account, in.AliasName))
	}
	return &Empty{}, err
}

// UpdateAlias points an alias at another key.
func (s *Service) UpdateAlias(ctx context.Context, in *AliasInput) (*Empty, error) {
	if err := checkAliasName(in.AliasName); err != nil {
		return nil, err
	}
	k, err := s.target(ctx, in.TargetKeyId)
	if err != nil {
		return nil, err
	}
	return &Empty{}, s.putAlias(ctx, k.account, in.AliasName, k.doc.Meta.KeyId, false)
}

// DeleteAlias removes an alias; its key stays.
func (s *Service) DeleteAlias(ctx context.Context, in *AliasInput) (*Empty, error) {
	if err := checkAliasName(in.AliasName); err != nil {
		return nil, err
	}
	account := callerAccount(ctx)
	err := s.store.DeleteSecretRecord(ctx, store.KindKMSAlias, account, in.AliasName)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound.Errorf("Alias %s is not found.", s.aliasARN(account, in.AliasName))
	}
	return &Empty{}, err
}

// AliasListEntry is one alias of ListAliases.
type AliasListEntry struct {
	AliasName       string
	AliasArn        string
	TargetKeyId     string `json:",omitempty"`
	CreationDate    *Time  `json:",omitempty"`
	LastUpdatedDate *Time  `json:",omitempty"`
}

// ListAliasesOutput is ListAliases' answer.
type ListAliasesOutput struct {
	Aliases    []AliasListEntry
	NextMarker string `json:",omitempty"`
	Truncated  bool
}

// ListAliases lists the caller's aliases by name, or those of one key.
func (s *Service) ListAliases(ctx context.Context, in *ListInput) (*ListAliasesOutput, error) {
	n, err := limit(in.Limit)
	if err != nil {
		return nil, err
	}
	account, keyID := callerAccount(ctx), ""
	if in.KeyId != "" {
		k, err := s.load(ctx, in.KeyId)
		if err != nil {
			return nil, err
		}
		account, keyID = k.account, k.doc.Meta.KeyId
	}
	recs, err := s.store.ListSecretRecords(ctx, store.KindKMSAlias, account, "alias/", in.Marker, 0)
	if err != nil {
		return nil, err
	}
	out := &ListAliasesOutput{Aliases: []AliasListEntry{}}
	for _, r := range recs {
		var a aliasDoc
		if json.Unmarshal(r.Doc, &a) != nil || keyID != "" && a.TargetKeyId != keyID {
			continue
		}
		if len(out.Aliases) == n {
			out.Truncated, out.NextMarker = true, out.Aliases[n-1].AliasName
			break
		}
		out.Aliases = append(out.Aliases, AliasListEntry(a))
	}
	return out, nil
}
