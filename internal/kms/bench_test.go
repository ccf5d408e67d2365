package kms

import "testing"

// BenchmarkEncryptDecrypt4KB is KMS's own cost (key read from the store, AES-256-GCM) of an
// Encrypt and a Decrypt of 4 KB, without HTTP.
func BenchmarkEncryptDecrypt4KB(b *testing.B) {
	s, _, ctx, _ := newClocked(b)
	k, err := s.CreateKey(ctx, &CreateKeyInput{})
	if err != nil {
		b.Fatal(err)
	}
	data := make([]byte, 4096)
	b.SetBytes(2 * 4096)
	for b.Loop() {
		enc, err := s.Encrypt(ctx, &EncryptInput{KeyId: k.KeyMetadata.KeyId, Plaintext: data, EncryptionContext: map[string]string{"a": "b"}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Decrypt(ctx, &DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: map[string]string{"a": "b"}}); err != nil {
			b.Fatal(err)
		}
	}
}
