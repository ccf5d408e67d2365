package kms_test

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	k1ecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

func createAsym(t *testing.T, c *kms.Client, spec types.KeySpec, usage types.KeyUsageType) string {
	t.Helper()
	out, err := c.CreateKey(bg, &kms.CreateKeyInput{KeySpec: spec, KeyUsage: usage})
	if err != nil {
		t.Fatalf("CreateKey(%s, %s): %v", spec, usage, err)
	}
	if out.KeyMetadata.KeySpec != spec || out.KeyMetadata.KeyUsage != usage {
		t.Errorf("CreateKey(%s) = %+v", spec, out.KeyMetadata)
	}
	return *out.KeyMetadata.Arn
}

// verifyLocally checks a KMS signature with Go's crypto against the key GetPublicKey returned.
func verifyLocally(t *testing.T, der []byte, alg types.SigningAlgorithmSpec, msg, sig []byte) bool {
	t.Helper()
	h, newH := crypto.SHA256, sha256.New
	switch {
	case strings.HasSuffix(string(alg), "384"):
		h, newH = crypto.SHA384, sha512.New384
	case strings.HasSuffix(string(alg), "512"):
		h, newH = crypto.SHA512, sha512.New
	}
	w := newH()
	w.Write(msg)
	digest := w.Sum(nil)
	if strings.Contains(string(der), "\x2b\x81\x04\x00\x0a") { // secp256k1's OID: crypto/x509 does not read it
		pub, err := secp256k1.ParsePubKey(der[len(der)-65:])
		if err != nil {
			t.Fatal(err)
		}
		s, err := k1ecdsa.ParseDERSignature(sig)
		return err == nil && s.Verify(digest, pub)
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatalf("ParsePKIXPublicKey: %v", err)
	}
	switch pub := pub.(type) {
	case *rsa.PublicKey:
		if strings.HasPrefix(string(alg), "RSASSA_PSS") {
			return rsa.VerifyPSS(pub, h, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
		}
		return rsa.VerifyPKCS1v15(pub, h, digest, sig) == nil
	case *ecdsa.PublicKey:
		return ecdsa.VerifyASN1(pub, digest, sig)
	}
	return false
}

// TestSignVerify: every signing key spec and algorithm signs RAW and DIGEST messages; Go's
// crypto verifies each signature against GetPublicKey's key, as does Verify; a changed
// message is KMSInvalidSignatureException.
func TestSignVerify(t *testing.T) {
	each(t, func(t *testing.T, c *kms.Client) {
		cases := map[types.KeySpec][]types.SigningAlgorithmSpec{
			types.KeySpecRsa2048: {types.SigningAlgorithmSpecRsassaPssSha256, types.SigningAlgorithmSpecRsassaPssSha384, types.SigningAlgorithmSpecRsassaPssSha512,
				types.SigningAlgorithmSpecRsassaPkcs1V15Sha256, types.SigningAlgorithmSpecRsassaPkcs1V15Sha384, types.SigningAlgorithmSpecRsassaPkcs1V15Sha512},
			types.KeySpecEccNistP256:   {types.SigningAlgorithmSpecEcdsaSha256},
			types.KeySpecEccNistP384:   {types.SigningAlgorithmSpecEcdsaSha384},
			types.KeySpecEccNistP521:   {types.SigningAlgorithmSpecEcdsaSha512},
			types.KeySpecEccSecgP256k1: {types.SigningAlgorithmSpecEcdsaSha256},
		}
		msg := []byte("the message to sign")
		for spec, algs := range cases {
			arn := createAsym(t, c, spec, types.KeyUsageTypeSignVerify)
			pk, err := c.GetPublicKey(bg, &kms.GetPublicKeyInput{KeyId: aws.String(arn)})
			if err != nil || pk.KeySpec != spec || pk.KeyUsage != types.KeyUsageTypeSignVerify || len(pk.SigningAlgorithms) != len(algs) {
				t.Fatalf("GetPublicKey(%s) = %+v, %v", spec, pk, err)
			}
			for _, alg := range algs {
				sig, err := c.Sign(bg, &kms.SignInput{KeyId: aws.String(arn), Message: msg, SigningAlgorithm: alg})
				if err != nil {
					t.Fatalf("Sign(%s, %s) = %v", spec, alg, err)
				}
				if !verifyLocally(t, pk.PublicKey, alg, msg, sig.Signature) {
					t.Errorf("Sign(%s, %s): Go's crypto rejects the signature", spec, alg)
				}
				v, err := c.Verify(bg, &kms.VerifyInput{KeyId: aws.String(arn), Message: msg, Signature: sig.Signature, SigningAlgorithm: alg})
				if err != nil || !v.SignatureValid {
					t.Errorf("Verify(%s, %s) = %+v, %v", spec, alg, v, err)
				}
				_, err = c.Verify(bg, &kms.VerifyInput{KeyId: aws.String(arn), Message: []byte("another message"), Signature: sig.Signature, SigningAlgorithm: alg})
				if code(err) != "KMSInvalidSignatureException" {
					t.Errorf("Verify(%s, %s, changed message) = %v; want KMSInvalidSignatureException", spec, alg, err)
				}
			}
			// DIGEST: the caller hashes; the signature is the same kind.
			alg := algs[0]
			var digest []byte
			switch {
			case strings.HasSuffix(string(alg), "384"):
				d := sha512.Sum384(msg)
				digest = d[:]
			case strings.HasSuffix(string(alg), "512"):
				d := sha512.Sum512(msg)
				digest = d[:]
			default:
				d := sha256.Sum256(msg)
				digest = d[:]
			}
			sig, err := c.Sign(bg, &kms.SignInput{KeyId: aws.String(arn), Message: digest, MessageType: types.MessageTypeDigest, SigningAlgorithm: alg})
			if err != nil || !verifyLocally(t, pk.PublicKey, alg, msg, sig.Signature) {
				t.Errorf("Sign(%s, DIGEST) = %v; or Go's crypto rejects it", spec, err)
			}
			if _, err := c.Sign(bg, &kms.SignInput{KeyId: aws.String(arn), Message: digest[1:], MessageType: types.MessageTypeDigest, SigningAlgorithm: alg}); code(err) != "ValidationException" {
				t.Errorf("Sign(%s, short DIGEST) = %v; want ValidationException", spec, err)
			}
		}
	})
}

// TestAsymmetricErrors: AWS's usage and spec validation.
func TestAsymmetricErrors(t *testing.T) {
	each(t, func(t *testing.T, c *kms.Client) {
		ec := createAsym(t, c, types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify)
		sym := newKey(t, c)
		if _, err := c.CreateKey(bg, &kms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeEncryptDecrypt}); code(err) != "ValidationException" {
			t.Errorf("CreateKey(ECC, ENCRYPT_DECRYPT) = %v; want ValidationException", err)
		}
		if _, err := c.CreateKey(bg, &kms.CreateKeyInput{KeySpec: types.KeySpecEccSecgP256k1, KeyUsage: types.KeyUsageTypeKeyAgreement}); code(err) != "ValidationException" {
			t.Errorf("CreateKey(secp256k1, KEY_AGREEMENT) = %v; want ValidationException", err)
		}
		_, err := c.Sign(bg, &kms.SignInput{KeyId: sym.Arn, Message: []byte("m"), SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
		if code(err) != "InvalidKeyUsageException" || !strings.Contains(err.Error(), "key usage is ENCRYPT_DECRYPT which is not valid for Sign.") {
			t.Errorf("Sign(symmetric key) = %v; want InvalidKeyUsageException", err)
		}
		if err := encryptAs(c, ec, nil); code(err) != "InvalidKeyUsageException" || !strings.Contains(err.Error(), "key usage is SIGN_VERIFY which is not valid for Encrypt.") {
			t.Errorf("Encrypt(signing key) = %v; want InvalidKeyUsageException", err)
		}
		if _, err := c.Sign(bg, &kms.SignInput{KeyId: aws.String(ec), Message: []byte("m"), SigningAlgorithm: types.SigningAlgorithmSpecRsassaPssSha256}); code(err) != "InvalidKeyUsageException" {
			t.Errorf("Sign(ECC key, RSA algorithm) = %v; want InvalidKeyUsageException", err)
		}
		if _, err := c.Sign(bg, &kms.SignInput{KeyId: aws.String(ec), Message: make([]byte, 4097), SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256}); code(err) != "ValidationException" {
			t.Errorf("Sign(4097-byte RAW message) = %v; want ValidationException", err)
		}
		if _, err := c.Sign(bg, &kms.SignInput{KeyId: aws.String(ec), Message: make([]byte, 4096), SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256}); err != nil {
			t.Errorf("Sign(4096-byte RAW message) = %v", err)
		}
		if _, err := c.GetPublicKey(bg, &kms.GetPublicKeyInput{KeyId: sym.Arn}); code(err) != "UnsupportedOperationException" {
			t.Errorf("GetPublicKey(symmetric) = %v; want UnsupportedOperationException", err)
		}
		if _, err := c.EnableKeyRotation(bg, &kms.EnableKeyRotationInput{KeyId: aws.String(ec)}); code(err) != "UnsupportedOperationException" {
			t.Errorf("EnableKeyRotation(asymmetric) = %v; want UnsupportedOperationException", err)
		}
		if _, err := c.GenerateDataKey(bg, &kms.GenerateDataKeyInput{KeyId: aws.String(ec), KeySpec: types.DataKeySpecAes256}); code(err) != "InvalidKeyUsageException" {
			t.Errorf("GenerateDataKey(asymmetric) = %v; want InvalidKeyUsageException", err)
		}
	})
}

// TestRSAEncryption: RSAES_OAEP round trips with Decrypt, and Go's crypto encrypts to
// GetPublicKey's key for KMS to decrypt.
func TestRSAEncryption(t *testing.T) {
	each(t, func(t *testing.T, c *kms.Client) {
		arn := createAsym(t, c, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)
		for _, alg := range []types.EncryptionAlgorithmSpec{types.EncryptionAlgorithmSpecRsaesOaepSha1, types.EncryptionAlgorithmSpecRsaesOaepSha256} {
			enc, err := c.Encrypt(bg, &kms.EncryptInput{KeyId: aws.String(arn), Plaintext: []byte("rsa secret"), EncryptionAlgorithm: alg})
			if err != nil || len(enc.CiphertextBlob) != 256 {
				t.Fatalf("Encrypt(%s) = %+v, %v", alg, enc, err)
			}
			dec, err := c.Decrypt(bg, &kms.DecryptInput{KeyId: aws.String(arn), CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: alg})
			if err != nil || string(dec.Plaintext) != "rsa secret" {
				t.Errorf("Decrypt(%s) = %+v, %v", alg, dec, err)
			}
		}
		if _, err := c.Encrypt(bg, &kms.EncryptInput{KeyId: aws.String(arn), Plaintext: make([]byte, 191), EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256}); code(err) != "ValidationException" {
			t.Errorf("Encrypt(191 bytes, RSA_2048 OAEP SHA-256) = %v; want ValidationException", err)
		}
		if _, err := c.Encrypt(bg, &kms.EncryptInput{KeyId: aws.String(arn), Plaintext: []byte("x")}); code(err) != "ValidationException" {
			t.Errorf("Encrypt(RSA, no algorithm) = %v; want ValidationException", err)
		}
		pk, err := c.GetPublicKey(bg, &kms.GetPublicKeyInput{KeyId: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		pub, _ := x509.ParsePKIXPublicKey(pk.PublicKey)
		ct, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub.(*rsa.PublicKey), []byte("from outside"), nil)
		if err != nil {
			t.Fatal(err)
		}
		dec, err := c.Decrypt(bg, &kms.DecryptInput{KeyId: aws.String(arn), CiphertextBlob: ct, EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256})
		if err != nil || string(dec.Plaintext) != "from outside" {
			t.Errorf("Decrypt(Go's OAEP ciphertext) = %+v, %v", dec, err)
		}
		ct[10] ^= 1
		if _, err := c.Decrypt(bg, &kms.DecryptInput{KeyId: aws.String(arn), CiphertextBlob: ct, EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256}); code(err) != "InvalidCiphertextException" {
			t.Errorf("Decrypt(tampered RSA ciphertext) = %v; want InvalidCiphertextException", err)
		}
	})
}

// TestDataKeyPairsAndAgreement: GenerateDataKeyPair's private key decrypts (through Decrypt) to
// the PKCS #8 key matching its public key; DeriveSharedSecret agrees with Go's ECDH.
func TestDataKeyPairsAndAgreement(t *testing.T) {
	each(t, func(t *testing.T, c *kms.Client) {
		sym := newKey(t, c)
		for _, spec := range []types.DataKeyPairSpec{types.DataKeyPairSpecEccNistP256, types.DataKeyPairSpecRsa2048, types.DataKeyPairSpecEccSecgP256k1} {
			out, err := c.GenerateDataKeyPair(bg, &kms.GenerateDataKeyPairInput{KeyId: sym.Arn, KeyPairSpec: spec, EncryptionContext: map[string]string{"k": "v"}})
			if err != nil {
				t.Fatalf("GenerateDataKeyPair(%s) = %v", spec, err)
			}
			dec, err := c.Decrypt(bg, &kms.DecryptInput{CiphertextBlob: out.PrivateKeyCiphertextBlob, EncryptionContext: map[string]string{"k": "v"}})
			if err != nil || string(dec.Plaintext) != string(out.PrivateKeyPlaintext) {
				t.Errorf("Decrypt(private key blob of %s) = %v", spec, err)
			}
			if spec == types.DataKeyPairSpecEccSecgP256k1 {
				continue // crypto/x509 reads neither of secp256k1's encodings
			}
			priv, err := x509.ParsePKCS8PrivateKey(out.PrivateKeyPlaintext)
			if err != nil {
				t.Fatalf("ParsePKCS8PrivateKey(%s) = %v", spec, err)
			}
			pubDER, _ := x509.MarshalPKIXPublicKey(priv.(crypto.Signer).Public())
			if string(pubDER) != string(out.PublicKey) {
				t.Errorf("GenerateDataKeyPair(%s): the public key does not match the private key", spec)
			}
		}
		w, err := c.GenerateDataKeyPairWithoutPlaintext(bg, &kms.GenerateDataKeyPairWithoutPlaintextInput{KeyId: sym.Arn, KeyPairSpec: types.DataKeyPairSpecEccNistP384})
		if err != nil || len(w.PublicKey) == 0 || len(w.PrivateKeyCiphertextBlob) == 0 {
			t.Errorf("GenerateDataKeyPairWithoutPlaintext = %+v, %v", w, err)
		}

		arn := createAsym(t, c, types.KeySpecEccNistP256, types.KeyUsageTypeKeyAgreement)
		peer, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		peerDER, _ := x509.MarshalPKIXPublicKey(&peer.PublicKey)
		got, err := c.DeriveSharedSecret(bg, &kms.DeriveSharedSecretInput{KeyId: aws.String(arn), KeyAgreementAlgorithm: types.KeyAgreementAlgorithmSpecEcdh, PublicKey: peerDER})
		if err != nil {
			t.Fatalf("DeriveSharedSecret = %v", err)
		}
		pk, _ := c.GetPublicKey(bg, &kms.GetPublicKeyInput{KeyId: aws.String(arn)})
		kmsPub, _ := x509.ParsePKIXPublicKey(pk.PublicKey)
		theirs, _ := kmsPub.(*ecdsa.PublicKey).ECDH()
		mine, _ := peer.ECDH()
		want, _ := mine.ECDH(theirs)
		if string(got.SharedSecret) != string(want) {
			t.Errorf("DeriveSharedSecret disagrees with Go's ECDH")
		}
		other, _ := ecdh.P384().GenerateKey(rand.Reader)
		otherDER, _ := x509.MarshalPKIXPublicKey(other.PublicKey())
		if _, err := c.DeriveSharedSecret(bg, &kms.DeriveSharedSecretInput{KeyId: aws.String(arn), KeyAgreementAlgorithm: types.KeyAgreementAlgorithmSpecEcdh, PublicKey: otherDER}); code(err) == "" {
			t.Errorf("DeriveSharedSecret(P-384 peer for a P-256 key) succeeded")
		}
	})
}

// TestReEncryptAsymmetric: ReEncrypt moves a ciphertext from an RSA key to a symmetric key and
// back, with the algorithms named.
func TestReEncryptAsymmetric(t *testing.T) {
	each(t, func(t *testing.T, c *kms.Client) {
		rsaKey := createAsym(t, c, types.KeySpecRsa3072, types.KeyUsageTypeEncryptDecrypt)
		sym := newKey(t, c)
		oaep := types.EncryptionAlgorithmSpecRsaesOaepSha256
		enc, err := c.Encrypt(bg, &kms.EncryptInput{KeyId: aws.String(rsaKey), Plaintext: []byte("moving"), EncryptionAlgorithm: oaep})
		if err != nil {
			t.Fatal(err)
		}
		re, err := c.ReEncrypt(bg, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceKeyId: aws.String(rsaKey), SourceEncryptionAlgorithm: oaep,
			DestinationKeyId: sym.Arn, DestinationEncryptionContext: map[string]string{"a": "b"}})
		if err != nil || *re.SourceKeyId != rsaKey || re.SourceEncryptionAlgorithm != oaep || re.DestinationEncryptionAlgorithm != types.EncryptionAlgorithmSpecSymmetricDefault {
			t.Fatalf("ReEncrypt(RSA → symmetric) = %+v, %v", re, err)
		}
		back, err := c.ReEncrypt(bg, &kms.ReEncryptInput{CiphertextBlob: re.CiphertextBlob, SourceEncryptionContext: map[string]string{"a": "b"},
			DestinationKeyId: aws.String(rsaKey), DestinationEncryptionAlgorithm: oaep})
		if err != nil {
			t.Fatalf("ReEncrypt(symmetric → RSA) = %v", err)
		}
		dec, err := c.Decrypt(bg, &kms.DecryptInput{KeyId: aws.String(rsaKey), CiphertextBlob: back.CiphertextBlob, EncryptionAlgorithm: oaep})
		if err != nil || string(dec.Plaintext) != "moving" {
			t.Errorf("Decrypt after the round trip = %+v, %v", dec, err)
		}
	})
}
