package kms

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"io"
	"strings"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// Asymmetric key specs: their usages, algorithms and how their key pairs are made. Private keys
// are kept as PKCS #8 DER (secp256k1's too, which crypto/x509 does not write: see k1PKCS8),
// wrapped by the master key like symmetric material; public keys as SubjectPublicKeyInfo DER,
// which GetPublicKey returns.
type asymSpec struct {
	usages  []string // the first is CreateKey's default
	signing []string
	encrypt []string
	agree   []string
	curve   elliptic.Curve // NIST curves; nil for RSA and secp256k1
	bits    int            // RSA
}

var (
	rsaSigning = []string{"RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512", "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512"}
	rsaEncrypt = []string{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}
)

var asymSpecs = map[string]asymSpec{
	"RSA_2048":        {usages: []string{"ENCRYPT_DECRYPT", "SIGN_VERIFY"}, signing: rsaSigning, encrypt: rsaEncrypt, bits: 2048},
	"RSA_3072":        {usages: []string{"ENCRYPT_DECRYPT", "SIGN_VERIFY"}, signing: rsaSigning, encrypt: rsaEncrypt, bits: 3072},
	"RSA_4096":        {usages: []string{"ENCRYPT_DECRYPT", "SIGN_VERIFY"}, signing: rsaSigning, encrypt: rsaEncrypt, bits: 4096},
	"ECC_NIST_P256":   {usages: []string{"SIGN_VERIFY", "KEY_AGREEMENT"}, signing: []string{"ECDSA_SHA_256"}, agree: []string{"ECDH"}, curve: elliptic.P256()},
	"ECC_NIST_P384":   {usages: []string{"SIGN_VERIFY", "KEY_AGREEMENT"}, signing: []string{"ECDSA_SHA_384"}, agree: []string{"ECDH"}, curve: elliptic.P384()},
	"ECC_NIST_P521":   {usages: []string{"SIGN_VERIFY", "KEY_AGREEMENT"}, signing: []string{"ECDSA_SHA_512"}, agree: []string{"ECDH"}, curve: elliptic.P521()},
	"ECC_SECG_P256K1": {usages: []string{"SIGN_VERIFY"}, signing: []string{"ECDSA_SHA_256"}},
}

// keyPair is a generated or unwrapped key pair.
type keyPair struct {
	priv    crypto.Signer // *rsa.PrivateKey, *ecdsa.PrivateKey, or k1Key
	privDER []byte        // PKCS #8
	pubDER  []byte        // SubjectPublicKeyInfo
}

// k1Key is a secp256k1 private key.
type k1Key struct{ *secp256k1.PrivateKey }

// Public implements crypto.Signer.
func (k k1Key) Public() crypto.PublicKey { return k.PubKey() }

// Sign implements crypto.Signer: an ASN.1 DER ECDSA signature of digest.
func (k k1Key) Sign(_ io.Reader, digest []byte, _ crypto.SignerOpts) ([]byte, error) {
	return k1Sign(k.PrivateKey, digest), nil
}

var (
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidSecp256k1   = asn1.ObjectIdentifier{1, 3, 132, 0, 10}
)

// newKeyPair generates a key pair of an asymmetric spec.
func newKeyPair(spec string) (*keyPair, error) {
	as, ok := asymSpecs[spec]
	if !ok {
		return nil, errors.New("kms: not an asymmetric key spec: " + spec)
	}
	var priv crypto.Signer
	var err error
	switch {
	case as.bits > 0:
		priv, err = rsa.GenerateKey(rand.Reader, as.bits)
	case as.curve != nil:
		priv, err = ecdsa.GenerateKey(as.curve, rand.Reader)
	default:
		var k *secp256k1.PrivateKey
		k, err = secp256k1.GeneratePrivateKey()
		priv = k1Key{k}
	}
	if err != nil {
		return nil, err
	}
	return pairOf(priv)
}

// pairOf encodes a private key and its public key.
func pairOf(priv crypto.Signer) (*keyPair, error) {
	if k, ok := priv.(k1Key); ok {
		return &keyPair{priv: k, privDER: k1PKCS8(k.PrivateKey), pubDER: k1SPKI(k.PubKey())}, nil
	}
	privDER, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		return nil, err
	}
	return &keyPair{priv: priv, privDER: privDER, pubDER: pubDER}, nil
}

// parsePrivate reads a PKCS #8 private key, secp256k1's included.
func parsePrivate(der []byte) (*keyPair, error) {
	var info pkcs8
	if _, err := asn1.Unmarshal(der, &info); err == nil && info.Algo.Algorithm.Equal(oidECPublicKey) {
		var curve asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(info.Algo.Parameters.FullBytes, &curve); err == nil && curve.Equal(oidSecp256k1) {
			var ec ecPrivateKey
			if _, err := asn1.Unmarshal(info.PrivateKey, &ec); err != nil {
				return nil, err
			}
			k := secp256k1.PrivKeyFromBytes(ec.PrivateKey)
			return &keyPair{priv: k1Key{k}, privDER: der, pubDER: k1SPKI(k.PubKey())}, nil
		}
	}
	p, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, err
	}
	s, ok := p.(crypto.Signer)
	if !ok {
		return nil, errors.New("kms: unsupported private key")
	}
	return pairOf(s)
}

type pkcs8 struct {
	Version    int
	Algo       pkix.AlgorithmIdentifier
	PrivateKey []byte
}

type ecPrivateKey struct {
	Version    int
	PrivateKey []byte
	PublicKey  asn1.BitString `asn1:"optional,explicit,tag:1"`
}

type spki struct {
	Algo      pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

// k1SPKI is a secp256k1 public key as SubjectPublicKeyInfo (RFC 5480), the point uncompressed.
func k1SPKI(pub *secp256k1.PublicKey) []byte {
	params, _ := asn1.Marshal(oidSecp256k1)
	point := pub.SerializeUncompressed()
	der, _ := asn1.Marshal(spki{Algo: pkix.AlgorithmIdentifier{Algorithm: oidECPublicKey, Parameters: asn1.RawValue{FullBytes: params}},
		PublicKey: asn1.BitString{Bytes: point, BitLength: 8 * len(point)}})
	return der
}

// k1PKCS8 is a secp256k1 private key as PKCS #8 (RFC 5208) holding an RFC 5915 ECPrivateKey.
func k1PKCS8(k *secp256k1.PrivateKey) []byte {
	params, _ := asn1.Marshal(oidSecp256k1)
	point := k.PubKey().SerializeUncompressed()
	inner, _ := asn1.Marshal(ecPrivateKey{Version: 1, PrivateKey: k.Serialize(), PublicKey: asn1.BitString{Bytes: point, BitLength: 8 * len(point)}})
	der, _ := asn1.Marshal(pkcs8{Algo: pkix.AlgorithmIdentifier{Algorithm: oidECPublicKey, Parameters: asn1.RawValue{FullBytes: params}}, PrivateKey: inner})
	return der
}

// parsePublic reads a SubjectPublicKeyInfo, secp256k1's included.
func parsePublic(der []byte) (crypto.PublicKey, error) {
	var info spki
	if _, err := asn1.Unmarshal(der, &info); err == nil && info.Algo.Algorithm.Equal(oidECPublicKey) {
		var curve asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(info.Algo.Parameters.FullBytes, &curve); err == nil && curve.Equal(oidSecp256k1) {
			return secp256k1.ParsePubKey(info.PublicKey.Bytes)
		}
	}
	return x509.ParsePKIXPublicKey(der)
}

// isAsymmetric reports whether spec is an RSA or ECC key spec.
func isAsymmetric(spec string) bool {
	return strings.HasPrefix(spec, "RSA_") || strings.HasPrefix(spec, "ECC_")
}
