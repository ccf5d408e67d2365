package secretsmanager

import (
	"context"
)

// Resolve reads a secret's SecretString for another service acting for account, as
// CloudFormation does for {{resolve:secretsmanager:…}} dynamic references: secretID is a name
// or an ARN; versionStage and versionID choose the version as in GetSecretValue (neither:
// AWSCURRENT). It answers GetSecretValue's errors (ResourceNotFoundException,
// InvalidRequestException for a deleted secret, …); a binary secret has no SecretString and is
// InvalidRequestException.
func (s *Service) Resolve(ctx context.Context, account, secretID, versionStage, versionID string) (string, error) {
	ctx = context.WithValue(ctx, accountKey{}, account)
	x, err := s.load(ctx, secretID)
	if err != nil {
		return "", err
	}
	out, err := s.valueOf(ctx, x, versionID, versionStage)
	if err != nil {
		return "", err
	}
	if out.SecretString == nil {
		return "", ErrInvalidRequest.Errorf("The secret %s has no SecretString: a dynamic reference reads SecretString only.", x.doc.Name)
	}
	s.accessed(ctx, x)
	return *out.SecretString, nil
}
