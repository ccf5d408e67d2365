package sigv4

import (
	"context"
	"crypto/subtle"
	"strings"

	"github.com/gureum/gureum/internal/awserr"
)

// PostPolicy is the signature material of a browser POST upload (S3's PostObject): form fields,
// not headers. The signature is over the base64 policy document itself.
type PostPolicy struct {
	Policy     string // the policy field, base64 as sent
	Credential string // x-amz-credential: AKID/20260101/us-east-1/s3/aws4_request
	Date       string // x-amz-date: 20260101T000000Z
	Signature  string // x-amz-signature: hex
	Token      string // x-amz-security-token, for temporary credentials
}

// VerifyPostPolicy checks a POST policy's SigV4 signature (the hex HMAC-SHA256 of the base64
// policy under the signing key of the credential's scope) and returns the credential that
// signed it. The policy's own expiration and conditions are the caller's to check.
func (v *Verifier) VerifyPostPolicy(ctx context.Context, p PostPolicy, service string) (*Credential, error) {
	parts := strings.Split(p.Credential, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" || parts[0] == "" {
		return nil, malformed("Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
	}
	if _, ok := parseAmzDate(p.Date); !ok {
		return nil, malformed("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	s := &signed{scope: Scope{AccessKeyID: parts[0], Date: parts[1], Region: parts[2], Service: parts[3]}, amzDate: p.Date, token: p.Token}
	if err := v.checkScope(s, Options{Service: service}); err != nil {
		return nil, err
	}
	cred, err := v.Keys.Credential(ctx, s.scope.AccessKeyID)
	if err != nil {
		return nil, err
	}
	if err := v.checkToken(cred, s); err != nil {
		return nil, err
	}
	want := sign(v.signingKey(cred.SecretAccessKey, s.scope).key, p.Policy)
	if subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(p.Signature))) != 1 {
		return nil, awserr.New(awserr.SignatureMismatch,
			"The request signature we calculated does not match the signature you provided. Check your key and signing method.")
	}
	return cred, nil
}
