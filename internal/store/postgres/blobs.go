package postgres

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/blob"
)

// ChunkSize is how many bytes of a blob one blob_chunks row holds.
const ChunkSize = 1 << 20

// Blobs keeps blobs in the database (migration 0145) so that every node sharing it reads them: a
// blob is a blobs row and its data as blob_chunks rows of ChunkSize bytes, written in one
// transaction, so a blob that Put returned is committed durably and a failed or interrupted Put
// leaves nothing. A reader fetches one chunk at a time, never the whole blob; a deleted blob's
// chunks stay for the readers already open until Sweep drops them. Each service has
// its own space, so that its orphan sweep sees only its own blobs. It implements blob.Store.
type Blobs struct {
	db    *sql.DB
	space string
	now   func() time.Time
}

// Blobs returns the blob store of one space ("s3", "lambda").
func (db *DB) Blobs(space string) *Blobs { return &Blobs{db: db.sql, space: space, now: time.Now} }

// Put writes r as a new blob in one transaction, a chunk at a time.
func (b *Blobs) Put(ctx context.Context, r io.Reader) (blob.Ref, int64, error) {
	var id [16]byte
	rand.Read(id[:])
	ref := hex.EncodeToString(id[:])
	tx, err := b.db.BeginTx(ctx, nil)
	if err != nil {
		return "", 0, fault("postgres.Blobs.Put", err)
	}
	defer tx.Rollback()
	size, err := putChunks(ctx, tx, ref, r)
	if err != nil {
		return "", 0, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO blobs (ref, space, size, chunk_size, created_at) VALUES ($1, $2, $3, $4, $5)`,
		ref, b.space, size, ChunkSize, b.now().UnixNano()); err != nil {
		return "", 0, fault("postgres.Blobs.Put", err)
	}
	if err := tx.Commit(); err != nil {
		return "", 0, fault("postgres.Blobs.Put", err)
	}
	return blob.Ref(ref), size, nil
}

// putChunks inserts r's bytes as ref's chunks and returns how many there were.
func putChunks(ctx context.Context, tx *sql.Tx, ref string, r io.Reader) (int64, error) {
	buf := make([]byte, ChunkSize)
	var size int64
	for seq := 0; ; seq++ {
		if err := ctx.Err(); err != nil {
			return 0, fmt.Errorf("blob: %w", err)
		}
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO blob_chunks (ref, seq, data) VALUES ($1, $2, $3)`, ref, seq, buf[:n]); err != nil {
				return 0, fault("postgres.Blobs.Put", err)
			}
			size += int64(n)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return size, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// Open reads a blob. Its reader reads with ctx's values but not its cancellation, as a file would.
func (b *Blobs) Open(ctx context.Context, ref blob.Ref) (blob.Reader, error) {
	r := &chunkReader{db: b.db, ctx: context.WithoutCancel(ctx), ref: string(ref), seq: -1}
	err := b.db.QueryRowContext(ctx, `SELECT size, chunk_size FROM blobs WHERE ref = $1 AND space = $2 AND deleted_at IS NULL`, string(ref), b.space).Scan(&r.size, &r.chunkSize)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, blob.ErrNotFound
	}
	if err != nil {
		return nil, fault("postgres.Blobs.Open", err)
	}
	return r, nil
}

// Delete removes a blob: Open no longer finds it, but its chunks stay, for the readers that
// opened it before (as an unlinked file's do), until Sweep drops them.
func (b *Blobs) Delete(ctx context.Context, ref blob.Ref) error {
	_, err := b.db.ExecContext(ctx, `UPDATE blobs SET deleted_at = $3 WHERE ref = $1 AND space = $2 AND deleted_at IS NULL`,
		string(ref), b.space, b.now().UnixNano())
	return fault("postgres.Blobs.Delete", err)
}

// Sweep removes the space's blobs, written more than minAge before now, for which live returns
// false: what a crash between a blob's commit and its metadata's leaves behind (blob.Files.Sweep's
// contract; an interrupted Put leaves nothing here, its transaction never committed). It returns
// how many it removed. It also drops the chunks of blobs deleted more than minAge before now, of
// every space (Lambda has no sweep of its own).
func (b *Blobs) Sweep(ctx context.Context, now time.Time, minAge time.Duration, live func(blob.Ref) (bool, error)) (int, error) {
	before := now.Add(-minAge).UnixNano()
	old, err := b.refs(ctx, `SELECT ref FROM blobs WHERE space = $1 AND created_at <= $2 AND deleted_at IS NULL`, b.space, before)
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, ref := range old {
		ok, err := live(ref)
		if err != nil {
			return removed, err
		}
		if ok {
			continue
		}
		if err := b.drop(ctx, ref); err != nil {
			return removed, err
		}
		removed++
	}
	deleted, err := b.refs(ctx, `SELECT ref FROM blobs WHERE deleted_at <= $1`, before)
	for _, ref := range deleted {
		if err == nil {
			err = b.drop(ctx, ref)
		}
	}
	return removed, err
}

// refs runs a query of blob refs.
func (b *Blobs) refs(ctx context.Context, query string, args ...any) ([]blob.Ref, error) {
	rows, err := b.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fault("postgres.Blobs.Sweep", err)
	}
	var out []blob.Ref
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			rows.Close()
			return nil, fault("postgres.Blobs.Sweep", err)
		}
		out = append(out, blob.Ref(ref))
	}
	return out, fault("postgres.Blobs.Sweep", errors.Join(rows.Err(), rows.Close()))
}

// drop removes a blob and its chunks in one transaction, one blob at a time so that sweeps on
// several nodes never wait on each other in a cycle.
func (b *Blobs) drop(ctx context.Context, ref blob.Ref) error {
	tx, err := b.db.BeginTx(ctx, nil)
	if err != nil {
		return fault("postgres.Blobs.Sweep", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM blobs WHERE ref = $1`, string(ref)); err != nil {
		return fault("postgres.Blobs.Sweep", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM blob_chunks WHERE ref = $1`, string(ref)); err != nil {
		return fault("postgres.Blobs.Sweep", err)
	}
	return fault("postgres.Blobs.Sweep", tx.Commit())
}

// chunkReader reads a blob a chunk at a time, keeping the last chunk it fetched.
type chunkReader struct {
	db        *sql.DB
	ctx       context.Context
	ref       string
	size      int64
	chunkSize int64

	mu     sync.Mutex // guards seq, chunk, pos and closed
	seq    int64      // the chunk held, -1 for none
	chunk  []byte
	pos    int64
	closed bool
}

func (r *chunkReader) Size() int64 { return r.size }

func (r *chunkReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, err := r.readAt(p, r.pos)
	r.pos += int64(n)
	if n > 0 && err == io.EOF {
		err = nil
	}
	return n, err
}

func (r *chunkReader) ReadAt(p []byte, off int64) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.readAt(p, off)
}

func (r *chunkReader) readAt(p []byte, off int64) (int, error) {
	if r.closed {
		return 0, errors.New("blob: read after close")
	}
	if off < 0 {
		return 0, errors.New("blob: negative offset")
	}
	n := 0
	for n < len(p) && off < r.size {
		seq := off / r.chunkSize
		if err := r.load(seq); err != nil {
			return n, err
		}
		c := copy(p[n:], r.chunk[off-seq*r.chunkSize:])
		n += c
		off += int64(c)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// load fetches chunk seq unless it is the one held.
func (r *chunkReader) load(seq int64) error {
	if r.seq == seq {
		return nil
	}
	r.seq, r.chunk = -1, r.chunk[:0]
	err := r.db.QueryRowContext(r.ctx, `SELECT data FROM blob_chunks WHERE ref = $1 AND seq = $2`, r.ref, seq).Scan(&r.chunk)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("blob: chunk %d of %s: %w", seq, r.ref, blob.ErrNotFound) // deleted and swept while read
	}
	if err != nil {
		return fault("postgres.Blobs.Read", err)
	}
	if want := min(r.chunkSize, r.size-seq*r.chunkSize); int64(len(r.chunk)) != want {
		return fmt.Errorf("blob: chunk %d of %s has %d bytes; want %d", seq, r.ref, len(r.chunk), want)
	}
	r.seq = seq
	return nil
}

func (r *chunkReader) Seek(offset int64, whence int) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.pos
	case io.SeekEnd:
		offset += r.size
	default:
		return 0, errors.New("blob: bad whence")
	}
	if offset < 0 {
		return 0, errors.New("blob: negative position")
	}
	r.pos = offset
	return offset, nil
}

func (r *chunkReader) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed, r.chunk = true, nil
	return nil
}
