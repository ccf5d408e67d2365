package kms

import (
	"context"

	"github.com/gureum/gureum/internal/request"
)

// EncryptFor encrypts plaintext for another service acting for account (SSM's SecureStrings,
// Secrets Manager's secret values): keyID is any KeyId form, alias/aws/<service> creating the AWS
// managed key on first use. It returns the blob and the key's ARN. With a customer managed key
// the service's caller needs kms:Encrypt (kms:GenerateDataKey through Secrets Manager, which
// encrypts under a data key on AWS) on it; see authorizeVia.
func (s *Service) EncryptFor(ctx context.Context, account, keyID string, plaintext []byte, ec map[string]string) ([]byte, string, error) {
	ctx = as(ctx, account)
	k, err := s.encryptKey(ctx, keyID, "ENCRYPT_DECRYPT")
	if err != nil {
		return nil, "", err
	}
	action := "kms:Encrypt"
	if request.From(ctx).Service == "secretsmanager" {
		action = "kms:GenerateDataKey"
	}
	if err := s.authorizeVia(ctx, action, k, ec); err != nil {
		return nil, "", err
	}
	blob, k, err := s.encrypt(ctx, k.arn(), plaintext, ec)
	if err != nil {
		return nil, "", err
	}
	return blob, k.arn(), nil
}

// DecryptFor decrypts a blob EncryptFor made; with a customer managed key the service's caller
// needs kms:Decrypt on it.
func (s *Service) DecryptFor(ctx context.Context, account string, blob []byte, ec map[string]string) ([]byte, error) {
	ctx = as(ctx, account)
	if h, err := parseBlob(blob); err == nil {
		if k, err := s.keyOfARN(ctx, h.KeyARN); err != nil || k != nil {
			if err != nil {
				return nil, err
			}
			if err := s.authorizeVia(ctx, "kms:Decrypt", k, ec); err != nil {
				return nil, err
			}
		}
	}
	plain, _, err := s.decrypt(ctx, blob, ec, "")
	return plain, err
}

// KeyARN resolves any KeyId form to the key's ARN (creating an AWS managed key on first use).
func (s *Service) KeyARN(ctx context.Context, account, keyID string) (string, error) {
	k, err := s.load(as(ctx, account), keyID)
	if err != nil {
		return "", err
	}
	return k.arn(), nil
}

// accountKey carries the account an in-process call acts for.
type accountKey struct{}

// as makes ctx a call acting for account.
func as(ctx context.Context, account string) context.Context {
	return context.WithValue(ctx, accountKey{}, account)
}
