// Package blob stores the large, immutable byte streams of gureum's services (object data, function
// code, layer archives) apart from their metadata, which lives in the store. A blob is written once
// to a temporary file, synced and renamed into place, so a blob that Put returned is durable; its
// metadata then points at it by Ref in a store transaction. Blobs that no metadata refers to (a
// crash between the two steps) are found by Sweep.
//
// Files is the implementation on a directory (local, or a shared file system's mount);
// postgres.Blobs keeps blobs in PostgreSQL for nodes that share it. Both pass blobtest's suite.
package blob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Ref names a blob. It is opaque to callers: store it, hand it back.
type Ref string

// ErrNotFound is returned for a Ref that names no blob.
var ErrNotFound = errors.New("blob: not found")

// Store keeps blobs.
type Store interface {
	// Put writes r to a new blob and makes it durable before it returns.
	Put(ctx context.Context, r io.Reader) (Ref, int64, error)
	// Open reads a blob. The reader also seeks, for ranges.
	Open(ctx context.Context, ref Ref) (Reader, error)
	// Delete removes a blob; a missing blob is not an error.
	Delete(ctx context.Context, ref Ref) error
}

// Reader reads one blob.
type Reader interface {
	io.ReadSeekCloser
	io.ReaderAt
	Size() int64
}

// Files keeps blobs as files under a directory, fanned out by the first two bytes of their name.
type Files struct {
	Dir string
}

// NewFiles prepares dir.
func NewFiles(dir string) (*Files, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		return nil, err
	}
	return &Files{Dir: dir}, nil
}

func (f *Files) path(ref Ref) (string, error) {
	s := string(ref)
	if len(s) != 32 || strings.Trim(s, "0123456789abcdef") != "" {
		return "", ErrNotFound
	}
	return filepath.Join(f.Dir, s[:2], s), nil
}

// Put writes to a temporary file, syncs it, renames it into place and syncs the directory.
func (f *Files) Put(ctx context.Context, r io.Reader) (Ref, int64, error) {
	var id [16]byte
	rand.Read(id[:])
	ref := Ref(hex.EncodeToString(id[:]))
	tmp, err := os.CreateTemp(filepath.Join(f.Dir, "tmp"), "put-*")
	if err != nil {
		return "", 0, err
	}
	n, err := io.Copy(tmp, ctxReader{ctx, r})
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", 0, err
	}
	final, _ := f.path(ref)
	dir := filepath.Dir(final)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		os.Remove(tmp.Name())
		return "", 0, err
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		os.Remove(tmp.Name())
		return "", 0, err
	}
	if err := syncDir(dir); err != nil {
		return "", 0, err
	}
	return ref, n, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Open opens a blob for reading.
func (f *Files) Open(ctx context.Context, ref Ref) (Reader, error) {
	p, err := f.path(ref)
	if err != nil {
		return nil, err
	}
	file, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	st, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, err
	}
	return &fileReader{File: file, size: st.Size()}, nil
}

// Delete removes a blob.
func (f *Files) Delete(ctx context.Context, ref Ref) error {
	p, err := f.path(ref)
	if err != nil {
		return nil
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Sweep removes temporary files older than minAge and the blobs, older than minAge, for which
// live returns false: what a crash between writing a blob and recording it leaves behind. It
// returns how many it removed.
func (f *Files) Sweep(ctx context.Context, now time.Time, minAge time.Duration, live func(Ref) (bool, error)) (int, error) {
	removed := 0
	err := filepath.WalkDir(f.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		info, err := d.Info()
		if err != nil || now.Sub(info.ModTime()) < minAge {
			return nil
		}
		if filepath.Base(filepath.Dir(p)) != "tmp" {
			ok, err := live(Ref(d.Name()))
			if err != nil || ok {
				return err
			}
		}
		if os.Remove(p) == nil {
			removed++
		}
		return nil
	})
	return removed, err
}

type fileReader struct {
	*os.File
	size int64
}

func (r *fileReader) Size() int64 { return r.size }

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, fmt.Errorf("blob: %w", err)
	}
	return c.r.Read(p)
}
