package kms

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
)

// MacInput is GenerateMac's and VerifyMac's input.
type MacInput struct {
	KeyId        string
	Message      []byte
	MacAlgorithm string
	Mac          []byte
	GrantTokens  []string
	DryRun       bool
}

func (i *MacInput) keyID() string { return i.KeyId }

// MacOutput is GenerateMac's and VerifyMac's answer.
type MacOutput struct {
	KeyId        string
	Mac          []byte `json:",omitempty"`
	MacAlgorithm string
	MacValid     *bool `json:",omitempty"`
}

var macHashes = map[string]func() hash.Hash{
	"HMAC_SHA_224": sha256.New224, "HMAC_SHA_256": sha256.New, "HMAC_SHA_384": sha512.New384, "HMAC_SHA_512": sha512.New,
}

// mac computes the HMAC of in.Message with the newest material of an HMAC key.
func (s *Service) mac(ctx context.Context, in *MacInput) ([]byte, *key, error) {
	if len(in.Message) == 0 || len(in.Message) > 4096 {
		return nil, nil, ErrValidation.Errorf("1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length between 1 and 4096")
	}
	k, err := s.encryptKey(ctx, in.KeyId, "GENERATE_VERIFY_MAC")
	if err != nil {
		return nil, nil, err
	}
	if len(k.doc.Meta.MacAlgorithms) == 0 || k.doc.Meta.MacAlgorithms[0] != in.MacAlgorithm {
		return nil, nil, ErrInvalidKeyUsage.Errorf("Algorithm %s is incompatible with key spec %s.", in.MacAlgorithm, k.doc.Meta.KeySpec)
	}
	material, err := s.material(ctx, k, uint32(len(k.doc.Versions)))
	if err != nil {
		return nil, nil, err
	}
	h := hmac.New(macHashes[in.MacAlgorithm], material)
	h.Write(in.Message)
	return h.Sum(nil), k, nil
}

// GenerateMac computes an HMAC.
func (s *Service) GenerateMac(ctx context.Context, in *MacInput) (*MacOutput, error) {
	sum, k, err := s.mac(ctx, in)
	if err != nil {
		return nil, err
	}
	return &MacOutput{KeyId: k.arn(), Mac: sum, MacAlgorithm: in.MacAlgorithm}, nil
}

// VerifyMac checks an HMAC; a wrong one is KMSInvalidMacException.
func (s *Service) VerifyMac(ctx context.Context, in *MacInput) (*MacOutput, error) {
	sum, k, err := s.mac(ctx, in)
	if err != nil {
		return nil, err
	}
	if !hmac.Equal(sum, in.Mac) {
		return nil, ErrKMSInvalidMac.Errorf("")
	}
	ok := true
	return &MacOutput{KeyId: k.arn(), MacAlgorithm: in.MacAlgorithm, MacValid: &ok}, nil
}
