package kms

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"strconv"

	"github.com/gureum/gureum/internal/request"
)

// aeadFor returns the cipher of version v of k's material, unwrapping it on first use.
func (s *Service) aeadFor(ctx context.Context, k *key, v uint32) (cipher.AEAD, error) {
	cacheKey := k.arn() + "#" + strconv.FormatUint(uint64(v), 10)
	if a, ok := s.aeads.Load(cacheKey); ok {
		return a.(cipher.AEAD), nil
	}
	material, err := s.material(ctx, k, v)
	if err != nil {
		return nil, err
	}
	a, err := newAEAD(material)
	if err != nil {
		return nil, err
	}
	s.aeads.Store(cacheKey, a)
	return a, nil
}

// material unwraps version v of k's material.
func (s *Service) material(ctx context.Context, k *key, v uint32) ([]byte, error) {
	if v == 0 || int(v) > len(k.doc.Versions) {
		return nil, ErrInvalidCiphertext.Errorf("")
	}
	master, err := s.masterAEADFor(ctx)
	if err != nil {
		return nil, err
	}
	return unwrap(master, k.arn(), v, k.doc.Versions[v-1])
}

// encryptKey loads a key for encryption, rotating it first when its rotation is due.
func (s *Service) encryptKey(ctx context.Context, keyID, usage string) (*key, error) {
	k, err := s.loadForUse(ctx, keyID)
	if err != nil {
		return nil, err
	}
	if err := usable(k); err != nil {
		return nil, err
	}
	if err := usedFor(ctx, k, usage); err != nil {
		return nil, err
	}
	if usage == "ENCRYPT_DECRYPT" && k.doc.Meta.KeySpec != "SYMMETRIC_DEFAULT" {
		return nil, ErrInvalidKeyUsage.Errorf("%s key spec is %s which is not valid for %s.", k.arn(), k.doc.Meta.KeySpec, opName(ctx))
	}
	return s.rotateIfDue(ctx, k)
}

// usedFor refuses a key whose usage is not usage, as AWS words it.
func usedFor(ctx context.Context, k *key, usage string) error {
	if k.doc.Meta.KeyUsage != usage {
		return ErrInvalidKeyUsage.Errorf("%s key usage is %s which is not valid for %s.", k.arn(), k.doc.Meta.KeyUsage, opName(ctx))
	}
	return nil
}

// opName is the operation being served, for error messages.
func opName(ctx context.Context) string {
	if op := request.From(ctx).Operation; op != "" {
		return op
	}
	return "this operation"
}

// encrypt seals plaintext under the newest version of keyID.
func (s *Service) encrypt(ctx context.Context, keyID string, plaintext []byte, ec map[string]string) ([]byte, *key, error) {
	k, err := s.encryptKey(ctx, keyID, "ENCRYPT_DECRYPT")
	if err != nil {
		return nil, nil, err
	}
	v := uint32(len(k.doc.Versions))
	a, err := s.aeadFor(ctx, k, v)
	if err != nil {
		return nil, nil, err
	}
	return seal(a, k.arn(), v, plaintext, ec), k, nil
}

// decrypt opens a blob; keyID, when given, must name the blob's key.
func (s *Service) decrypt(ctx context.Context, blob []byte, ec map[string]string, keyID string) ([]byte, *key, error) {
	h, err := parseBlob(blob)
	if err != nil {
		return nil, nil, ErrInvalidCiphertext.Errorf("")
	}
	k, err := s.loadForUse(ctx, h.KeyARN)
	if err != nil {
		return nil, nil, err
	}
	if keyID != "" {
		want, err := s.loadForUse(ctx, keyID)
		if err != nil {
			return nil, nil, err
		}
		if want.arn() != k.arn() {
			return nil, nil, ErrIncorrectKey.Errorf("The key ID in the request does not identify a CMK that can perform this operation.")
		}
	}
	if err := usable(k); err != nil {
		return nil, nil, err
	}
	a, err := s.aeadFor(ctx, k, h.Version)
	if err != nil {
		return nil, nil, err
	}
	plain, err := open(a, h, ec)
	if err != nil {
		return nil, nil, ErrInvalidCiphertext.Errorf("")
	}
	return plain, k, nil
}

// EncryptInput is Encrypt's input.
type EncryptInput struct {
	KeyId               string
	Plaintext           []byte
	EncryptionContext   map[string]string
	GrantTokens         []string
	EncryptionAlgorithm string
	DryRun              bool
}

func (i *EncryptInput) keyID() string { return i.KeyId }

// EncryptOutput is Encrypt's answer.
type EncryptOutput struct {
	CiphertextBlob      []byte
	KeyId               string
	EncryptionAlgorithm string
}

func checkAlgorithm(alg string) error {
	if alg != "" && alg != "SYMMETRIC_DEFAULT" {
		return ErrInvalidKeyUsage.Errorf("Algorithm %s is not supported by a symmetric key.", alg)
	}
	return nil
}

// Encrypt encrypts up to 4096 bytes under a key, bound to an encryption context.
func (s *Service) Encrypt(ctx context.Context, in *EncryptInput) (*EncryptOutput, error) {
	if len(in.Plaintext) == 0 || len(in.Plaintext) > 4096 {
		return nil, ErrValidation.Errorf("1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length between 1 and 4096")
	}
	if k, err := s.asymmetricKey(ctx, in.KeyId); err != nil || k != nil {
		if err != nil {
			return nil, err
		}
		return s.rsaEncrypt(ctx, k, in)
	}
	if err := checkAlgorithm(in.EncryptionAlgorithm); err != nil {
		return nil, err
	}
	blob, k, err := s.encrypt(ctx, in.KeyId, in.Plaintext, in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	return &EncryptOutput{CiphertextBlob: blob, KeyId: k.arn(), EncryptionAlgorithm: "SYMMETRIC_DEFAULT"}, nil
}

// DecryptInput is Decrypt's input.
type DecryptInput struct {
	CiphertextBlob      []byte
	EncryptionContext   map[string]string
	GrantTokens         []string
	KeyId               string
	EncryptionAlgorithm string
	DryRun              bool
}

func (i *DecryptInput) keyID() string { return i.KeyId }

// DecryptOutput is Decrypt's answer.
type DecryptOutput struct {
	KeyId               string
	Plaintext           []byte
	EncryptionAlgorithm string
}

// Decrypt decrypts a ciphertext blob with the key and version it names.
func (s *Service) Decrypt(ctx context.Context, in *DecryptInput) (*DecryptOutput, error) {
	if _, err := parseBlob(in.CiphertextBlob); err != nil && in.KeyId != "" {
		k, err := s.asymmetricKey(ctx, in.KeyId)
		if err != nil || k != nil {
			if err != nil {
				return nil, err
			}
			return s.rsaDecrypt(ctx, k, in)
		}
	}
	if err := checkAlgorithm(in.EncryptionAlgorithm); err != nil {
		return nil, err
	}
	plain, k, err := s.decrypt(ctx, in.CiphertextBlob, in.EncryptionContext, in.KeyId)
	if err != nil {
		return nil, err
	}
	return &DecryptOutput{KeyId: k.arn(), Plaintext: plain, EncryptionAlgorithm: "SYMMETRIC_DEFAULT"}, nil
}

// ReEncryptInput is ReEncrypt's input.
type ReEncryptInput struct {
	CiphertextBlob                 []byte
	SourceEncryptionContext        map[string]string
	SourceKeyId                    string
	DestinationKeyId               string
	DestinationEncryptionContext   map[string]string
	SourceEncryptionAlgorithm      string
	DestinationEncryptionAlgorithm string
	GrantTokens                    []string
	DryRun                         bool
}

func (i *ReEncryptInput) keyID() string { return i.DestinationKeyId }

// ReEncryptOutput is ReEncrypt's answer.
type ReEncryptOutput struct {
	CiphertextBlob                 []byte
	SourceKeyId                    string
	KeyId                          string
	SourceEncryptionAlgorithm      string
	DestinationEncryptionAlgorithm string
}

// ReEncrypt decrypts a blob and encrypts its plaintext under another key (or the newest version
// of the same), never returning the plaintext.
func (s *Service) ReEncrypt(ctx context.Context, in *ReEncryptInput) (*ReEncryptOutput, error) {
	dec, err := s.Decrypt(ctx, &DecryptInput{CiphertextBlob: in.CiphertextBlob, EncryptionContext: in.SourceEncryptionContext,
		KeyId: in.SourceKeyId, EncryptionAlgorithm: in.SourceEncryptionAlgorithm})
	if err != nil {
		return nil, err
	}
	enc, err := s.Encrypt(ctx, &EncryptInput{KeyId: in.DestinationKeyId, Plaintext: dec.Plaintext, EncryptionContext: in.DestinationEncryptionContext,
		EncryptionAlgorithm: in.DestinationEncryptionAlgorithm})
	if err != nil {
		return nil, err
	}
	return &ReEncryptOutput{CiphertextBlob: enc.CiphertextBlob, SourceKeyId: dec.KeyId, KeyId: enc.KeyId,
		SourceEncryptionAlgorithm: dec.EncryptionAlgorithm, DestinationEncryptionAlgorithm: enc.EncryptionAlgorithm}, nil
}

// GenerateDataKeyInput is GenerateDataKey's input.
type GenerateDataKeyInput struct {
	KeyId             string
	EncryptionContext map[string]string
	NumberOfBytes     *int32
	KeySpec           string
	GrantTokens       []string
	DryRun            bool
}

func (i *GenerateDataKeyInput) keyID() string { return i.KeyId }

// GenerateDataKeyOutput is GenerateDataKey's answer.
type GenerateDataKeyOutput struct {
	CiphertextBlob []byte
	Plaintext      []byte `json:",omitempty"`
	KeyId          string
}

// dataKeySize reads NumberOfBytes (1–1024) or KeySpec (AES_128, AES_256), exactly one.
func dataKeySize(in *GenerateDataKeyInput) (int, error) {
	switch {
	case in.NumberOfBytes != nil && in.KeySpec != "":
		return 0, ErrValidation.Errorf("Please specify either number of bytes or key spec.")
	case in.NumberOfBytes != nil:
		if *in.NumberOfBytes < 1 || *in.NumberOfBytes > 1024 {
			return 0, ErrValidation.Errorf("1 validation error detected: Value '%d' at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024", *in.NumberOfBytes)
		}
		return int(*in.NumberOfBytes), nil
	case in.KeySpec == "AES_256":
		return 32, nil
	case in.KeySpec == "AES_128":
		return 16, nil
	case in.KeySpec == "":
		return 0, ErrValidation.Errorf("Please specify either number of bytes or key spec.")
	}
	return 0, ErrValidation.Errorf("1 validation error detected: Value '%s' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]", in.KeySpec)
}

// GenerateDataKey returns a fresh data key in the clear and encrypted under a key.
func (s *Service) GenerateDataKey(ctx context.Context, in *GenerateDataKeyInput) (*GenerateDataKeyOutput, error) {
	n, err := dataKeySize(in)
	if err != nil {
		return nil, err
	}
	plain := make([]byte, n)
	rand.Read(plain)
	blob, k, err := s.encrypt(ctx, in.KeyId, plain, in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	return &GenerateDataKeyOutput{CiphertextBlob: blob, Plaintext: plain, KeyId: k.arn()}, nil
}

// GenerateDataKeyWithoutPlaintext is GenerateDataKey without the plaintext copy.
func (s *Service) GenerateDataKeyWithoutPlaintext(ctx context.Context, in *GenerateDataKeyInput) (*GenerateDataKeyOutput, error) {
	out, err := s.GenerateDataKey(ctx, in)
	if out != nil {
		out.Plaintext = nil
	}
	return out, err
}

// GenerateRandomInput is GenerateRandom's input.
type GenerateRandomInput struct {
	NumberOfBytes    *int32
	CustomKeyStoreId string
}

// GenerateRandomOutput is GenerateRandom's answer.
type GenerateRandomOutput struct{ Plaintext []byte }

// GenerateRandom returns 1–1024 random bytes.
func (s *Service) GenerateRandom(ctx context.Context, in *GenerateRandomInput) (*GenerateRandomOutput, error) {
	if in.CustomKeyStoreId != "" {
		return nil, ErrUnsupported.Errorf("Custom key stores are not supported")
	}
	if in.NumberOfBytes == nil || *in.NumberOfBytes < 1 || *in.NumberOfBytes > 1024 {
		return nil, ErrValidation.Errorf("1 validation error detected: Value at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024")
	}
	out := make([]byte, *in.NumberOfBytes)
	rand.Read(out)
	return &GenerateRandomOutput{Plaintext: out}, nil
}
