package kms

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/gureum/gureum/internal/store"
)

// CreateGrantInput is CreateGrant's input.
type CreateGrantInput struct {
	KeyId             string
	GranteePrincipal  string
	RetiringPrincipal string
	Operations        []string
	Constraints       *GrantConstraints
	GrantTokens       []string
	Name              string
	DryRun            bool
}

func (i *CreateGrantInput) keyID() string { return i.KeyId }

// CreateGrantOutput is CreateGrant's answer.
type CreateGrantOutput struct{ GrantToken, GrantId string }

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// CreateGrant records a grant on a key. Grants are stored and listed; they are evaluated once
// identity enforcement evaluates key policies.
func (s *Service) CreateGrant(ctx context.Context, in *CreateGrantInput) (*CreateGrantOutput, error) {
	if in.GranteePrincipal == "" || len(in.Operations) == 0 {
		return nil, ErrValidation.Errorf("GranteePrincipal and Operations are required")
	}
	for _, p := range []string{in.GranteePrincipal, in.RetiringPrincipal} {
		if p != "" && !validPrincipal(p) {
			return nil, ErrValidation.Errorf("Invalid principal %s: must be an AWS principal ARN, an account id or a service principal", p)
		}
	}
	for _, op := range in.Operations {
		if !grantActions[op] {
			return nil, ErrValidation.Errorf("1 validation error detected: Value '[%s]' at 'operations' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [Decrypt, Encrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext, ReEncryptFrom, ReEncryptTo, Sign, Verify, GetPublicKey, CreateGrant, RetireGrant, DescribeKey, GenerateDataKeyPair, GenerateDataKeyPairWithoutPlaintext, GenerateMac, VerifyMac, DeriveSharedSecret]]", op)
		}
	}
	var out CreateGrantOutput
	_, err := s.update(ctx, in.KeyId, func(k *key) error {
		if err := usable(k); err != nil {
			return err
		}
		for _, g := range k.doc.Grants { // a grant created again with the same name is the same grant
			if in.Name != "" && g.Name == in.Name && g.GranteePrincipal == in.GranteePrincipal {
				out = CreateGrantOutput{GrantToken: g.Token, GrantId: g.GrantId}
				return nil
			}
		}
		if len(k.doc.Grants) >= 50000 {
			return ErrLimitExceeded.Errorf("Too many grants")
		}
		g := storedGrant{Grant: Grant{KeyId: k.arn(), GrantId: randomHex(32), Name: in.Name, CreationDate: at(s.clock.Now()),
			GranteePrincipal: in.GranteePrincipal, RetiringPrincipal: in.RetiringPrincipal, IssuingAccount: "arn:aws:iam::" + callerAccount(ctx) + ":root",
			Operations: in.Operations, Constraints: in.Constraints}, Token: randomHex(64)}
		k.doc.Grants = append(k.doc.Grants, g)
		out = CreateGrantOutput{GrantToken: g.Token, GrantId: g.GrantId}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ListGrantsInput is ListGrants' input.
type ListGrantsInput struct {
	KeyId            string
	Limit            *int32
	Marker           string
	GrantId          string
	GranteePrincipal string
}

func (i *ListGrantsInput) keyID() string { return i.KeyId }

// ListGrantsOutput is ListGrants' answer.
type ListGrantsOutput struct {
	Grants     []Grant
	NextMarker string `json:",omitempty"`
	Truncated  bool
}

// ListGrants lists a key's grants.
func (s *Service) ListGrants(ctx context.Context, in *ListGrantsInput) (*ListGrantsOutput, error) {
	n, err := limit(in.Limit)
	if err != nil {
		return nil, err
	}
	k, err := s.load(ctx, in.KeyId)
	if err != nil {
		return nil, err
	}
	out := &ListGrantsOutput{Grants: []Grant{}}
	started := in.Marker == ""
	for _, g := range k.doc.Grants {
		if !started {
			started = g.GrantId == in.Marker
			continue
		}
		if in.GrantId != "" && g.GrantId != in.GrantId || in.GranteePrincipal != "" && g.GranteePrincipal != in.GranteePrincipal {
			continue
		}
		if len(out.Grants) == n {
			out.Truncated, out.NextMarker = true, out.Grants[n-1].GrantId
			break
		}
		out.Grants = append(out.Grants, g.Grant)
	}
	return out, nil
}

// GrantInput is RetireGrant's and RevokeGrant's input.
type GrantInput struct {
	KeyId      string
	GrantId    string
	GrantToken string
	DryRun     bool
}

func (i *GrantInput) keyID() string { return i.KeyId }

// RevokeGrant deletes a grant by key and id.
func (s *Service) RevokeGrant(ctx context.Context, in *GrantInput) (*Empty, error) {
	if in.GrantId == "" {
		return nil, ErrValidation.Errorf("GrantId is required")
	}
	return s.dropGrant(ctx, in.KeyId, func(g storedGrant) bool { return g.GrantId == in.GrantId })
}

// RetireGrant deletes a grant by its token, or by key and id.
func (s *Service) RetireGrant(ctx context.Context, in *GrantInput) (*Empty, error) {
	if in.GrantToken == "" && (in.KeyId == "" || in.GrantId == "") {
		return nil, ErrValidation.Errorf("Either GrantToken or both KeyId and GrantId are required")
	}
	if in.KeyId == "" {
		k, err := s.keyOfToken(ctx, in.GrantToken)
		if err != nil {
			return nil, err
		}
		in.KeyId = k.arn()
	}
	return s.dropGrant(ctx, in.KeyId, func(g storedGrant) bool {
		return g.GrantId == in.GrantId || in.GrantToken != "" && g.Token == in.GrantToken
	})
}

func (s *Service) dropGrant(ctx context.Context, keyID string, match func(storedGrant) bool) (*Empty, error) {
	_, err := s.update(ctx, keyID, func(k *key) error {
		for i, g := range k.doc.Grants {
			if match(g) {
				k.doc.Grants = append(k.doc.Grants[:i], k.doc.Grants[i+1:]...)
				return nil
			}
		}
		return ErrNotFound.Errorf("Grant ID not found")
	})
	return &Empty{}, err
}

// eachKey calls fn for every key of the caller's account until it returns false.
func (s *Service) eachKey(ctx context.Context, fn func(k *key) bool) error {
	account := callerAccount(ctx)
	recs, err := s.store.ListSecretRecords(ctx, store.KindKMSKey, account, "", "", 0)
	if err != nil {
		return err
	}
	for _, r := range recs {
		k := &key{account: account, rev: r.Rev}
		if json.Unmarshal(r.Doc, &k.doc) == nil && !fn(k) {
			return nil
		}
	}
	return nil
}

// keyOfToken finds the key holding a grant token.
func (s *Service) keyOfToken(ctx context.Context, token string) (*key, error) {
	var found *key
	err := s.eachKey(ctx, func(k *key) bool {
		for _, g := range k.doc.Grants {
			if g.Token == token {
				found = k
			}
		}
		return found == nil
	})
	if err == nil && found == nil {
		err = ErrInvalidGrantToken.Errorf("Grant token is not valid")
	}
	return found, err
}

// ListRetirableGrantsInput is ListRetirableGrants' input.
type ListRetirableGrantsInput struct {
	RetiringPrincipal string
	Limit             *int32
	Marker            string
}

// ListRetirableGrants lists the grants of the caller's keys that a principal may retire.
func (s *Service) ListRetirableGrants(ctx context.Context, in *ListRetirableGrantsInput) (*ListGrantsOutput, error) {
	n, err := limit(in.Limit)
	if err != nil {
		return nil, err
	}
	if in.RetiringPrincipal == "" {
		return nil, ErrValidation.Errorf("RetiringPrincipal is required")
	}
	out := &ListGrantsOutput{Grants: []Grant{}}
	started := in.Marker == ""
	err = s.eachKey(ctx, func(k *key) bool {
		for _, g := range k.doc.Grants {
			if !started {
				started = g.GrantId == in.Marker
				continue
			}
			if g.RetiringPrincipal != in.RetiringPrincipal {
				continue
			}
			if len(out.Grants) == n {
				out.Truncated, out.NextMarker = true, out.Grants[n-1].GrantId
				return false
			}
			out.Grants = append(out.Grants, g.Grant)
		}
		return true
	})
	return out, err
}

// validPrincipal accepts what a key policy may name: an ARN, an account id, a service principal.
func validPrincipal(p string) bool {
	if strings.HasPrefix(p, "arn:") {
		return strings.Count(p, ":") >= 5 && !strings.ContainsAny(p, "*?")
	}
	if len(p) == 12 && strings.Trim(p, "0123456789") == "" {
		return true
	}
	return strings.HasSuffix(p, ".amazonaws.com") && !strings.ContainsAny(p, " *?")
}
