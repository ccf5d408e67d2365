package kms

import (
	"context"
)

// EncryptFor encrypts plaintext for another service acting for account (SSM's SecureStrings,
// Secrets Manager's secret values): keyID is any KeyId form, alias/aws/<service> creating the AWS
// managed key on first use. It returns the blob and the key's ARN.
func (s *Service) EncryptFor(ctx context.Context, account, keyID string, plaintext []byte, ec map[string]string) ([]byte, string, error) {
	blob, k, err := s.encrypt(as(ctx, account), keyID, plaintext, ec)
	if err != nil {
		return nil, "", err
	}
	return blob, k.arn(), nil
}

// DecryptFor decrypts a blob EncryptFor made.
func (s *Service) DecryptFor(ctx context.Context, account string, blob []byte, ec map[string]string) ([]byte, error) {
	plain, _, err := s.decrypt(as(ctx, account), blob, ec, "")
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
