package kms

import (
	"bytes"
	"testing"
)

// FuzzParseBlob feeds arbitrary bytes to the ciphertext parser and opener: they never panic,
// and a blob changed anywhere never opens.
func FuzzParseBlob(f *testing.F) {
	a, _ := newAEAD(bytes.Repeat([]byte{7}, 32))
	good := seal(a, "arn:aws:kms:us-east-1:000000000000:key/k", 1, []byte("secret"), map[string]string{"a": "b"})
	f.Add(good, 0)
	f.Add([]byte("GKM1"), 3)
	f.Add([]byte{}, 0)
	f.Fuzz(func(t *testing.T, b []byte, flipAt int) {
		h, err := parseBlob(b)
		if err == nil {
			open(a, h, map[string]string{"a": "b"})
		}
		if len(good) == 0 || flipAt < 0 {
			return
		}
		changed := bytes.Clone(good)
		changed[flipAt%len(changed)] ^= 0x40
		if h, err := parseBlob(changed); err == nil {
			if _, err := open(a, h, map[string]string{"a": "b"}); err == nil {
				t.Fatalf("a blob changed at %d opened", flipAt%len(changed))
			}
		}
	})
}

// FuzzParseKeys feeds arbitrary bytes to the public key reader (DeriveSharedSecret's PublicKey)
// and the private key reader: they never panic, and the encodings they read back are the ones
// written (secp256k1's, which this package encodes itself, included).
func FuzzParseKeys(f *testing.F) {
	for _, spec := range []string{"ECC_SECG_P256K1", "ECC_NIST_P256"} {
		p, err := newKeyPair(spec)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(p.pubDER)
		f.Add(p.privDER)
	}
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		parsePublic(b)
		if p, err := parsePrivate(b); err == nil {
			if _, err := parsePublic(p.pubDER); err != nil {
				t.Fatalf("the public key of a parsed private key does not parse: %v", err)
			}
		}
	})
}
