package sts

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// tokenKeyName names the server secret that seals session tokens and authorization messages.
const tokenKeyName = "sts-token-key"

// sealer seals and opens records with AES-256-GCM under a key every node shares through the
// store and that never leaves the server. A session token is a sealed record of the session (its
// key id, secret, principal and expiry): whoever holds the token learns nothing of the secret
// without the key, and any change to the token fails to open.
type sealer struct {
	mu   sync.Mutex
	aead cipher.AEAD
}

// init loads (or on the first start makes) the key; a failure is retried on the next call.
func (s *sealer) init(ctx context.Context, st store.Identity) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.aead != nil {
		return nil
	}
	fresh := make([]byte, 32)
	rand.Read(fresh)
	key, err := st.ServerSecret(ctx, tokenKeyName, []byte(hex.EncodeToString(fresh)))
	if err != nil {
		return err
	}
	raw, err := hex.DecodeString(string(key))
	if err != nil || len(raw) != 32 {
		return errors.New("sts: the stored token key is not 32 hex-encoded bytes")
	}
	block, _ := aes.NewCipher(raw)
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return err
	}
	s.aead = aead
	return nil
}

// seal encrypts v (as JSON) with a purpose bound in as additional data.
func (s *sealer) seal(purpose string, v any) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	out := s.aead.Seal(nonce, nonce, plain, []byte(purpose))
	return base64.StdEncoding.EncodeToString(out), nil
}

// open reverses seal; any change to the sealed text fails.
func (s *sealer) open(purpose, sealed string, v any) error {
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return errors.New("sts: not a sealed record")
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(purpose))
	if err != nil {
		return err
	}
	return json.Unmarshal(plain, v)
}

// tokenRecord is what a session token seals.
type tokenRecord struct {
	AccessKeyID string    `json:"k"`
	Secret      string    `json:"s"`
	Principal   string    `json:"p"`
	Expires     time.Time `json:"e"`
}
