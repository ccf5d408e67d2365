package kms

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"sort"
)

// A ciphertext blob is gureum's own format, opaque to clients:
//
//	magic "GKM1" | u16 len | key ARN | u32 key version | 12-byte nonce | AES-256-GCM sealed data
//
// Everything before the sealed data, followed by the encryption context in canonical form, is
// the GCM additional data: a changed header, a changed ciphertext or a different context all
// fail authentication.
const blobMagic = "GKM1"

const (
	nonceSize = 12
	tagSize   = 16
	maxARN    = 2048
)

// header is what a ciphertext blob says about itself.
type header struct {
	KeyARN  string
	Version uint32
	Nonce   []byte
	raw     []byte // the header's bytes, authenticated with the data
	sealed  []byte
}

var errBadBlob = errors.New("malformed ciphertext blob")

// parseBlob reads a blob's header without decrypting it.
func parseBlob(b []byte) (header, error) {
	if len(b) < len(blobMagic)+2 || string(b[:len(blobMagic)]) != blobMagic {
		return header{}, errBadBlob
	}
	n := int(binary.BigEndian.Uint16(b[len(blobMagic):]))
	off := len(blobMagic) + 2
	if n == 0 || n > maxARN || len(b) < off+n+4+nonceSize+tagSize {
		return header{}, errBadBlob
	}
	h := header{KeyARN: string(b[off : off+n])}
	off += n
	h.Version = binary.BigEndian.Uint32(b[off:])
	off += 4
	h.Nonce = b[off : off+nonceSize]
	off += nonceSize
	h.raw, h.sealed = b[:off], b[off:]
	return h, nil
}

// seal encrypts plaintext under aead, naming keyARN and version, bound to ctx.
func seal(aead cipher.AEAD, keyARN string, version uint32, plaintext []byte, ctx map[string]string) []byte {
	out := make([]byte, 0, len(blobMagic)+2+len(keyARN)+4+nonceSize+len(plaintext)+tagSize)
	out = append(out, blobMagic...)
	out = binary.BigEndian.AppendUint16(out, uint16(len(keyARN)))
	out = append(out, keyARN...)
	out = binary.BigEndian.AppendUint32(out, version)
	nonce := make([]byte, nonceSize)
	rand.Read(nonce)
	out = append(out, nonce...)
	ad := contextAD(out, ctx)
	return aead.Seal(out, nonce, plaintext, ad)
}

// open decrypts a parsed blob with aead, checking ctx.
func open(aead cipher.AEAD, h header, ctx map[string]string) ([]byte, error) {
	return aead.Open(nil, h.Nonce, h.sealed, contextAD(h.raw, ctx))
}

// contextAD is a blob's additional data: its header, then each context pair in key order, every
// string length-prefixed so that no two contexts encode alike.
func contextAD(head []byte, ctx map[string]string) []byte {
	keys := make([]string, 0, len(ctx))
	for k := range ctx {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ad := append([]byte(nil), head...)
	for _, k := range keys {
		ad = binary.BigEndian.AppendUint32(ad, uint32(len(k)))
		ad = append(ad, k...)
		ad = binary.BigEndian.AppendUint32(ad, uint32(len(ctx[k])))
		ad = append(ad, ctx[k]...)
	}
	return ad
}

// newAEAD is AES-256-GCM under a 32-byte key.
func newAEAD(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}
