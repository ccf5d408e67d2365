package kms

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// MasterKey supplies the server master key that wraps every KMS key's material.
//
// The trade-off between the two sources: an embedded (SQLite) server keeps its master key in a
// file of the data dir with mode 0600, apart from the database, so a copy of the database file
// (a backup, a leaked WAL) reveals no key material; whoever can read the data dir as the server's
// user can read both. Nodes that share a PostgreSQL database must share the key too, so it lives
// in the database (kms_master): then a dump of the database holds the wrapped material and the
// key that unwraps it, and the encryption protects against reading single rows or columns (a
// leaked parameter or secret value), not against a full copy of the database. (A key given by the operator
// on every node, from a file or the environment, would remove that; it is not wired yet.)
type MasterKey func(ctx context.Context) ([]byte, error)

// FileMasterKey reads the 32-byte master key in path, creating it (mode 0600) when absent.
func FileMasterKey(path string) MasterKey {
	return func(context.Context) ([]byte, error) {
		key, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			key = make([]byte, 32)
			rand.Read(key)
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if errors.Is(err, fs.ErrExist) { // another process made it meanwhile
				return os.ReadFile(path)
			}
			if err != nil {
				return nil, err
			}
			if _, err := f.Write(key); err != nil {
				f.Close()
				return nil, err
			}
			if err := f.Sync(); err != nil {
				f.Close()
				return nil, err
			}
			return key, f.Close()
		}
		if err == nil && len(key) != 32 {
			return nil, fmt.Errorf("kms master key %s: %d bytes; want 32", path, len(key))
		}
		return key, err
	}
}

// StoreMasterKey is the master key kept in a store shared by several nodes.
func StoreMasterKey(st interface {
	MasterKey(ctx context.Context, candidate []byte) ([]byte, error)
}) MasterKey {
	return func(ctx context.Context) ([]byte, error) {
		key := make([]byte, 32)
		rand.Read(key)
		return st.MasterKey(ctx, key)
	}
}

// wrap seals key material under the master key, bound to the key's ARN and version.
func wrap(master cipher.AEAD, keyARN string, version uint32, material []byte) []byte {
	return seal(master, keyARN, version, material, nil)
}

// unwrap opens wrapped key material.
func unwrap(master cipher.AEAD, keyARN string, version uint32, wrapped []byte) ([]byte, error) {
	h, err := parseBlob(wrapped)
	if err != nil || h.KeyARN != keyARN || h.Version != version {
		return nil, errors.New("kms: wrapped key material does not match its key")
	}
	return open(master, h, nil)
}
