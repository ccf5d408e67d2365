package ssm

import (
	"context"
	"strings"
)

// Resolve reads a parameter for another service acting for account, as CloudFormation does for
// AWS::SSM::Parameter::Value<…> template parameters and {{resolve:ssm:…}} /
// {{resolve:ssm-secure:…}} dynamic references. ref is a name, or name:version / name:label;
// decrypt returns a SecureString's plaintext (a SecureString read without it is its
// ciphertext, as GetParameter answers). It answers the parameter's type and value, or
// GetParameter's errors (ParameterNotFound, ParameterVersionNotFound, ValidationException).
func (s *Service) Resolve(ctx context.Context, account, ref string, decrypt bool) (typ, value string, err error) {
	p, err := s.get(context.WithValue(ctx, accountKey{}, account), ref, decrypt)
	if err != nil {
		return "", "", err
	}
	return p.Type, p.Value, nil
}

// SplitList splits a StringList (or a CommaDelimitedList template parameter) into its items.
func SplitList(v string) []string {
	if v == "" {
		return []string{}
	}
	return strings.Split(v, ",")
}
