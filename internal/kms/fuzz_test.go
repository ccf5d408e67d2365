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
