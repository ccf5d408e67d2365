package kms

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"slices"
	"strings"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	k1ecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// maxRawMessage is Sign's and Verify's limit on a RAW message.
const maxRawMessage = 4096

// asymmetricKey loads keyID for a call that also serves asymmetric keys: the key when it is
// one (usable), nil when it is symmetric (the caller goes on as before).
func (s *Service) asymmetricKey(ctx context.Context, keyID string) (*key, error) {
	if keyID == "" {
		return nil, nil
	}
	k, err := s.loadForUse(ctx, keyID)
	if err != nil || !isAsymmetric(k.doc.Meta.KeySpec) {
		return nil, err
	}
	return k, usable(k)
}

// pairFor unwraps an asymmetric key's private key, once per key.
func (s *Service) pairFor(ctx context.Context, k *key) (*keyPair, error) {
	if p, ok := s.pairs.Load(k.arn()); ok {
		return p.(*keyPair), nil
	}
	der, err := s.material(ctx, k, 1)
	if err != nil {
		return nil, err
	}
	p, err := parsePrivate(der)
	if err != nil {
		return nil, err
	}
	s.pairs.Store(k.arn(), p)
	return p, nil
}

// signHash is a signing algorithm's hash.
func signHash(alg string) crypto.Hash {
	switch {
	case strings.HasSuffix(alg, "_SHA_384"):
		return crypto.SHA384
	case strings.HasSuffix(alg, "_SHA_512"):
		return crypto.SHA512
	case strings.HasSuffix(alg, "_SHA_1"):
		return crypto.SHA1
	}
	return crypto.SHA256
}

func newHash(h crypto.Hash) hash.Hash {
	switch h {
	case crypto.SHA384:
		return sha512.New384()
	case crypto.SHA512:
		return sha512.New()
	case crypto.SHA1:
		return sha1.New()
	}
	return sha256.New()
}

// SignInput is Sign's and Verify's input.
type SignInput struct {
	KeyId            string
	Message          []byte
	MessageType      string
	SigningAlgorithm string
	Signature        []byte
	GrantTokens      []string
	DryRun           bool
}

func (i *SignInput) keyID() string { return i.KeyId }

func messageType(t string) string {
	if t == "" {
		return "RAW"
	}
	return t
}

// SignOutput is Sign's and Verify's answer.
type SignOutput struct {
	KeyId            string
	Signature        []byte `json:",omitempty"`
	SignatureValid   *bool  `json:",omitempty"`
	SigningAlgorithm string
}

// signingKey loads a SIGN_VERIFY key and the digest of the call's message.
func (s *Service) signingKey(ctx context.Context, in *SignInput) (*key, []byte, error) {
	if len(in.Message) == 0 {
		return nil, nil, ErrValidation.Errorf("1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if in.SigningAlgorithm == "" {
		return nil, nil, ErrValidation.Errorf("1 validation error detected: Value null at 'signingAlgorithm' failed to satisfy constraint: Member must not be null")
	}
	mt := messageType(in.MessageType)
	if mt != "RAW" && mt != "DIGEST" {
		return nil, nil, ErrValidation.Errorf("1 validation error detected: Value '%s' at 'messageType' failed to satisfy constraint: Member must satisfy enum value set: [RAW, DIGEST]", in.MessageType)
	}
	if mt == "RAW" && len(in.Message) > maxRawMessage {
		return nil, nil, ErrValidation.Errorf("1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to %d", maxRawMessage)
	}
	k, err := s.loadForUse(ctx, in.KeyId)
	if err != nil {
		return nil, nil, err
	}
	if err := usable(k); err != nil {
		return nil, nil, err
	}
	if err := usedFor(ctx, k, "SIGN_VERIFY"); err != nil {
		return nil, nil, err
	}
	if !slices.Contains(k.doc.Meta.SigningAlgorithms, in.SigningAlgorithm) {
		return nil, nil, ErrInvalidKeyUsage.Errorf("Algorithm %s is incompatible with key spec %s.", in.SigningAlgorithm, k.doc.Meta.KeySpec)
	}
	h := signHash(in.SigningAlgorithm)
	digest := in.Message
	if mt == "RAW" {
		w := newHash(h)
		w.Write(in.Message)
		digest = w.Sum(nil)
	} else if len(digest) != h.Size() {
		return nil, nil, ErrValidation.Errorf("Digest is invalid length for algorithm %s.", in.SigningAlgorithm)
	}
	return k, digest, nil
}

// Sign signs a message or digest with an asymmetric key's private key.
func (s *Service) Sign(ctx context.Context, in *SignInput) (*SignOutput, error) {
	k, digest, err := s.signingKey(ctx, in)
	if err != nil {
		return nil, err
	}
	pair, err := s.pairFor(ctx, k)
	if err != nil {
		return nil, err
	}
	var sig []byte
	h := signHash(in.SigningAlgorithm)
	switch priv := pair.priv.(type) {
	case *rsa.PrivateKey:
		if strings.HasPrefix(in.SigningAlgorithm, "RSASSA_PSS_") {
			sig, err = rsa.SignPSS(rand.Reader, priv, h, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		} else {
			sig, err = rsa.SignPKCS1v15(rand.Reader, priv, h, digest)
		}
	case *ecdsa.PrivateKey:
		sig, err = ecdsa.SignASN1(rand.Reader, priv, digest)
	case k1Key:
		sig = k1Sign(priv.PrivateKey, digest)
	}
	if err != nil {
		return nil, err
	}
	return &SignOutput{KeyId: k.arn(), Signature: sig, SigningAlgorithm: in.SigningAlgorithm}, nil
}

// Verify checks a signature with an asymmetric key's public key; an invalid signature is
// KMSInvalidSignatureException, as on AWS.
func (s *Service) Verify(ctx context.Context, in *SignInput) (*SignOutput, error) {
	if len(in.Signature) == 0 {
		return nil, ErrValidation.Errorf("1 validation error detected: Value at 'signature' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	k, digest, err := s.signingKey(ctx, in)
	if err != nil {
		return nil, err
	}
	pub, err := parsePublic(k.doc.PublicKey)
	if err != nil {
		return nil, err
	}
	if !verify(pub, in.SigningAlgorithm, digest, in.Signature) {
		return nil, ErrInvalidSignature.Errorf("")
	}
	ok := true
	return &SignOutput{KeyId: k.arn(), SignatureValid: &ok, SigningAlgorithm: in.SigningAlgorithm}, nil
}

func verify(pub crypto.PublicKey, alg string, digest, sig []byte) bool {
	h := signHash(alg)
	switch pub := pub.(type) {
	case *rsa.PublicKey:
		if strings.HasPrefix(alg, "RSASSA_PSS_") {
			return rsa.VerifyPSS(pub, h, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
		}
		return rsa.VerifyPKCS1v15(pub, h, digest, sig) == nil
	case *ecdsa.PublicKey:
		return ecdsa.VerifyASN1(pub, digest, sig)
	case *secp256k1.PublicKey:
		parsed, err := k1ecdsa.ParseDERSignature(sig)
		return err == nil && parsed.Verify(digest, pub)
	}
	return false
}

// k1Sign is a deterministic (RFC 6979) secp256k1 ECDSA signature in DER, its S in the lower
// half of the order as the library makes it.
func k1Sign(k *secp256k1.PrivateKey, digest []byte) []byte {
	return k1ecdsa.Sign(k, digest).Serialize()
}

// GetPublicKeyOutput is GetPublicKey's answer.
type GetPublicKeyOutput struct {
	KeyId                  string
	PublicKey              []byte
	CustomerMasterKeySpec  string
	KeySpec                string
	KeyUsage               string
	EncryptionAlgorithms   []string `json:",omitempty"`
	SigningAlgorithms      []string `json:",omitempty"`
	KeyAgreementAlgorithms []string `json:",omitempty"`
}

// GetPublicKeyInput is GetPublicKey's input.
type GetPublicKeyInput struct {
	KeyId       string
	GrantTokens []string
}

func (i *GetPublicKeyInput) keyID() string { return i.KeyId }

// GetPublicKey returns an asymmetric key's public key as DER SubjectPublicKeyInfo.
func (s *Service) GetPublicKey(ctx context.Context, in *GetPublicKeyInput) (*GetPublicKeyOutput, error) {
	k, err := s.loadForUse(ctx, in.KeyId)
	if err != nil {
		return nil, err
	}
	if err := usable(k); err != nil {
		return nil, err
	}
	if !isAsymmetric(k.doc.Meta.KeySpec) {
		return nil, ErrUnsupported.Errorf("%s key spec is %s which is not valid for GetPublicKey.", k.arn(), k.doc.Meta.KeySpec)
	}
	m := k.doc.Meta
	return &GetPublicKeyOutput{KeyId: k.arn(), PublicKey: k.doc.PublicKey, CustomerMasterKeySpec: m.KeySpec, KeySpec: m.KeySpec, KeyUsage: m.KeyUsage,
		EncryptionAlgorithms: m.EncryptionAlgorithms, SigningAlgorithms: m.SigningAlgorithms, KeyAgreementAlgorithms: m.KeyAgreementAlgorithms}, nil
}

// oaep checks an RSA encryption algorithm against k and returns its hash.
func oaep(ctx context.Context, k *key, alg string) (hash.Hash, error) {
	if err := usedFor(ctx, k, "ENCRYPT_DECRYPT"); err != nil {
		return nil, err
	}
	if alg == "" {
		return nil, ErrValidation.Errorf("EncryptionAlgorithm is required for asymmetric KMS keys.")
	}
	if !slices.Contains(k.doc.Meta.EncryptionAlgorithms, alg) {
		return nil, ErrInvalidKeyUsage.Errorf("Algorithm %s is incompatible with key spec %s.", alg, k.doc.Meta.KeySpec)
	}
	return newHash(signHash(alg)), nil
}

// rsaEncrypt encrypts with RSAES-OAEP under an RSA key's public key; the ciphertext is RSA's,
// as on AWS, and Decrypt needs the key named.
func (s *Service) rsaEncrypt(ctx context.Context, k *key, in *EncryptInput) (*EncryptOutput, error) {
	h, err := oaep(ctx, k, in.EncryptionAlgorithm)
	if err != nil {
		return nil, err
	}
	if len(in.EncryptionContext) > 0 {
		return nil, ErrValidation.Errorf("EncryptionContext is not supported with asymmetric KMS keys.")
	}
	pub, err := parsePublic(k.doc.PublicKey)
	if err != nil {
		return nil, err
	}
	rk := pub.(*rsa.PublicKey)
	if max := rk.Size() - 2*h.Size() - 2; len(in.Plaintext) > max {
		return nil, ErrValidation.Errorf("Plaintext is too long for %s with %s: at most %d bytes.", k.doc.Meta.KeySpec, in.EncryptionAlgorithm, max)
	}
	ct, err := rsa.EncryptOAEP(h, rand.Reader, rk, in.Plaintext, nil)
	if err != nil {
		return nil, err
	}
	return &EncryptOutput{CiphertextBlob: ct, KeyId: k.arn(), EncryptionAlgorithm: in.EncryptionAlgorithm}, nil
}

// rsaDecrypt decrypts an RSAES-OAEP ciphertext with an RSA key's private key.
func (s *Service) rsaDecrypt(ctx context.Context, k *key, in *DecryptInput) (*DecryptOutput, error) {
	h, err := oaep(ctx, k, in.EncryptionAlgorithm)
	if err != nil {
		return nil, err
	}
	pair, err := s.pairFor(ctx, k)
	if err != nil {
		return nil, err
	}
	rk, ok := pair.priv.(*rsa.PrivateKey)
	if !ok {
		return nil, ErrInvalidCiphertext.Errorf("")
	}
	plain, err := rsa.DecryptOAEP(h, nil, rk, in.CiphertextBlob, nil)
	if err != nil {
		return nil, ErrInvalidCiphertext.Errorf("")
	}
	return &DecryptOutput{KeyId: k.arn(), Plaintext: plain, EncryptionAlgorithm: in.EncryptionAlgorithm}, nil
}

// GenerateDataKeyPairInput is GenerateDataKeyPair's input.
type GenerateDataKeyPairInput struct {
	KeyId             string
	KeyPairSpec       string
	EncryptionContext map[string]string
	GrantTokens       []string
	DryRun            bool
}

func (i *GenerateDataKeyPairInput) keyID() string                        { return i.KeyId }
func (i *GenerateDataKeyPairInput) encryptionContext() map[string]string { return i.EncryptionContext }

// GenerateDataKeyPairOutput is GenerateDataKeyPair's answer.
type GenerateDataKeyPairOutput struct {
	KeyId                    string
	KeyPairSpec              string
	PrivateKeyCiphertextBlob []byte
	PrivateKeyPlaintext      []byte `json:",omitempty"`
	PublicKey                []byte
}

// GenerateDataKeyPair makes a key pair: the public key and the private key (PKCS #8) in the
// clear and encrypted under a symmetric key.
func (s *Service) GenerateDataKeyPair(ctx context.Context, in *GenerateDataKeyPairInput) (*GenerateDataKeyPairOutput, error) {
	if in.KeyPairSpec == "" {
		return nil, ErrValidation.Errorf("1 validation error detected: Value null at 'keyPairSpec' failed to satisfy constraint: Member must not be null")
	}
	if _, ok := asymSpecs[in.KeyPairSpec]; !ok {
		return nil, ErrValidation.Errorf("1 validation error detected: Value '%s' at 'keyPairSpec' failed to satisfy constraint: Member must satisfy enum value set: [RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1]", in.KeyPairSpec)
	}
	k, err := s.encryptKey(ctx, in.KeyId, "ENCRYPT_DECRYPT")
	if err != nil {
		return nil, err
	}
	pair, err := newKeyPair(in.KeyPairSpec)
	if err != nil {
		return nil, err
	}
	blob, k, err := s.encrypt(ctx, k.arn(), pair.privDER, in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	return &GenerateDataKeyPairOutput{KeyId: k.arn(), KeyPairSpec: in.KeyPairSpec, PrivateKeyCiphertextBlob: blob, PrivateKeyPlaintext: pair.privDER, PublicKey: pair.pubDER}, nil
}

// GenerateDataKeyPairWithoutPlaintext is GenerateDataKeyPair without the private key in the clear.
func (s *Service) GenerateDataKeyPairWithoutPlaintext(ctx context.Context, in *GenerateDataKeyPairInput) (*GenerateDataKeyPairOutput, error) {
	out, err := s.GenerateDataKeyPair(ctx, in)
	if out != nil {
		out.PrivateKeyPlaintext = nil
	}
	return out, err
}

// DeriveSharedSecretInput is DeriveSharedSecret's input.
type DeriveSharedSecretInput struct {
	KeyId                 string
	KeyAgreementAlgorithm string
	PublicKey             []byte
	GrantTokens           []string
	DryRun                bool
	Recipient             *struct{ KeyEncryptionAlgorithm, AttestationDocument string }
}

func (i *DeriveSharedSecretInput) keyID() string { return i.KeyId }

// DeriveSharedSecretOutput is DeriveSharedSecret's answer.
type DeriveSharedSecretOutput struct {
	KeyId                 string
	SharedSecret          []byte
	KeyAgreementAlgorithm string
	KeyOrigin             string
}

// DeriveSharedSecret is ECDH between a KEY_AGREEMENT key's private key and a peer's public key
// (SubjectPublicKeyInfo DER on the same curve): the shared secret is the raw x coordinate.
func (s *Service) DeriveSharedSecret(ctx context.Context, in *DeriveSharedSecretInput) (*DeriveSharedSecretOutput, error) {
	if in.KeyAgreementAlgorithm != "ECDH" {
		return nil, ErrValidation.Errorf("1 validation error detected: Value '%s' at 'keyAgreementAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [ECDH]", in.KeyAgreementAlgorithm)
	}
	if in.Recipient != nil {
		return nil, ErrUnsupported.Errorf("Recipient (Nitro Enclaves attestation) is not supported")
	}
	k, err := s.loadForUse(ctx, in.KeyId)
	if err != nil {
		return nil, err
	}
	if err := usable(k); err != nil {
		return nil, err
	}
	if err := usedFor(ctx, k, "KEY_AGREEMENT"); err != nil {
		return nil, err
	}
	pair, err := s.pairFor(ctx, k)
	if err != nil {
		return nil, err
	}
	mine, err := pair.priv.(*ecdsa.PrivateKey).ECDH()
	if err != nil {
		return nil, err
	}
	pub, err := parsePublic(in.PublicKey)
	peer, ok := pub.(*ecdsa.PublicKey)
	if err != nil || !ok {
		return nil, ErrValidation.Errorf("PublicKey must be a DER-encoded X.509 SubjectPublicKeyInfo of an elliptic curve key.")
	}
	theirs, err := peer.ECDH()
	if err != nil || theirs.Curve() != mine.Curve() {
		return nil, ErrInvalidKeyUsage.Errorf("The public key's curve does not match %s.", k.doc.Meta.KeySpec)
	}
	secret, err := mine.ECDH(theirs)
	if err != nil {
		return nil, ErrValidation.Errorf("The public key is not valid.")
	}
	return &DeriveSharedSecretOutput{KeyId: k.arn(), SharedSecret: secret, KeyAgreementAlgorithm: "ECDH", KeyOrigin: "AWS_KMS"}, nil
}
