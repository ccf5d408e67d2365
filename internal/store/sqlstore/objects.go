package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"math"

	"github.com/gureum/gureum/internal/store"
)

// S3's buckets, object versions and multipart uploads. Keys are stored as bytes so both
// backends compare them byte-wise; a listing is a range scan [lower, upper) on the key.

const (
	bucketColumns = `name, account_id, region, versioning, configs, created_at`
	objectColumns = `bucket, okey, version_id, seq, is_latest, delete_marker, size, etag, modified_at, data, meta, inline`
	// listColumns are objectColumns without the inline bytes, which a listing does not read.
	listColumns   = `bucket, okey, version_id, seq, is_latest, delete_marker, size, etag, modified_at, data, meta, NULL`
	uploadColumns = `upload_id, bucket, okey, initiated, meta`
	partColumns   = `upload_id, part_number, size, etag, blob_ref, checksum, modified_at`
)

// objectWriteSQL is built for a dialect: PostgreSQL locks the bucket's row so that writes to one
// bucket's keys serialise (SQLite's single writer already does).
func objectWriteSQL(postgres bool) map[string]string {
	lock := ""
	if postgres {
		lock = " FOR UPDATE"
	}
	return map[string]string{
		"createBucket":     `INSERT INTO buckets (` + bucketColumns + `) VALUES (?, ?, ?, ?, ?, ?)`,
		"lockBucket":       `SELECT configs FROM buckets WHERE name = ?` + lock,
		"bucketHasObjects": `SELECT COUNT(*) FROM (SELECT 1 FROM objects WHERE bucket = ? LIMIT 1) x`,
		"bucketHasUploads": `SELECT COUNT(*) FROM (SELECT 1 FROM uploads WHERE bucket = ? LIMIT 1) x`,
		"deleteBucket":     `DELETE FROM buckets WHERE name = ?`,
		"setConfigs":       `UPDATE buckets SET configs = ? WHERE name = ?`,
		"setVersioning":    `UPDATE buckets SET versioning = ? WHERE name = ?`,
		"latestForUpdate":  `SELECT ` + objectColumns + ` FROM objects WHERE bucket = ? AND okey = ? AND is_latest = 1`,
		"versionForUpdate": `SELECT ` + objectColumns + ` FROM objects WHERE bucket = ? AND okey = ? AND version_id = ?`,
		"deleteVersionRow": `DELETE FROM objects WHERE bucket = ? AND okey = ? AND version_id = ?`,
		"unlatest":         `UPDATE objects SET is_latest = 0 WHERE bucket = ? AND okey = ? AND is_latest = 1`,
		"promote":          `UPDATE objects SET is_latest = 1 WHERE bucket = ? AND okey = ? AND seq = (SELECT MAX(seq) FROM objects WHERE bucket = ? AND okey = ?)`,
		"setObjectMeta":    `UPDATE objects SET meta = ? WHERE bucket = ? AND okey = ? AND version_id = ?`,
		"insertObject": `INSERT INTO objects (` + objectColumns + `) VALUES (?, ?, ?,
			(SELECT COALESCE(MAX(seq), 0) + 1 FROM objects WHERE bucket = ? AND okey = ?), 1, ?, ?, ?, ?, ?, ?, ?)`,
		"createUpload": `INSERT INTO uploads (` + uploadColumns + `) VALUES (?, ?, ?, ?, ?)`,
		"lockUpload":   `SELECT bucket FROM uploads WHERE upload_id = ?` + lock,
		"deleteUpload": `DELETE FROM uploads WHERE upload_id = ?`,
		"partRef":      `SELECT blob_ref, size FROM parts WHERE upload_id = ? AND part_number = ?`,
		"upsertPart": `INSERT INTO parts (` + partColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (upload_id, part_number) DO UPDATE SET size = excluded.size, etag = excluded.etag,
			blob_ref = excluded.blob_ref, checksum = excluded.checksum, modified_at = excluded.modified_at`,
		"allParts":    `SELECT ` + partColumns + ` FROM parts WHERE upload_id = ? ORDER BY part_number`,
		"deleteParts": `DELETE FROM parts WHERE upload_id = ?`,
	}
}

var objectReadSQL = map[string]string{
	"bucket":        `SELECT ` + bucketColumns + ` FROM buckets WHERE name = ?`,
	"listBuckets":   `SELECT ` + bucketColumns + ` FROM buckets WHERE account_id = ? ORDER BY name`,
	"allBuckets":    `SELECT ` + bucketColumns + ` FROM buckets ORDER BY name`,
	"latestObject":  `SELECT ` + objectColumns + ` FROM objects WHERE bucket = ? AND okey = ? AND is_latest = 1`,
	"objectVersion": `SELECT ` + objectColumns + ` FROM objects WHERE bucket = ? AND okey = ? AND version_id = ?`,
	"listObjects": `SELECT ` + listColumns + ` FROM objects
		WHERE bucket = ? AND is_latest = 1 AND delete_marker = 0 AND okey >= ? AND okey < ? ORDER BY okey LIMIT ?`,
	"listVersions": `SELECT ` + listColumns + ` FROM objects
		WHERE bucket = ? AND okey >= ? AND okey < ? AND NOT (okey = ? AND seq >= ?) ORDER BY okey, seq DESC LIMIT ?`,
	"upload":      `SELECT ` + uploadColumns + ` FROM uploads WHERE upload_id = ?`,
	"listUploads": `SELECT ` + uploadColumns + ` FROM uploads WHERE bucket = ? AND okey >= ? AND okey < ? ORDER BY okey, initiated, upload_id LIMIT ?`,
	"listParts":   `SELECT ` + partColumns + ` FROM parts WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?`,
	"objectData":  `SELECT data FROM objects`,
	"partRefs":    `SELECT blob_ref FROM parts`,
	"codeRefs":    `SELECT code_ref FROM function_versions`,
	"layerDocs":   `SELECT config FROM function_settings WHERE kind = 'layer-version'`,
}

// Objects implements store.Objects. Its writes record the deliveries they cause (S3 event
// notifications) in the outbox in their own transaction.
type Objects struct {
	base
	outbox *Outbox
	st     map[string]*stmt
}

var _ store.Objects = (*Objects)(nil)

func newObjects(b base, outbox *Outbox) *Objects {
	o := &Objects{base: b.of("objects"), outbox: outbox, st: map[string]*stmt{}}
	for name, q := range objectWriteSQL(b.d.Postgres) {
		o.st[name] = o.stmts.w(name, q)
	}
	for name, q := range objectReadSQL {
		o.st[name] = o.stmts.r(name, q)
	}
	return o
}

func (s *Objects) ofault(op string, err error) error { return s.fault(op, err) }

func (s *Objects) wst(ctx context.Context, tx Tx, name string) *sql.Stmt {
	return s.st[name].in(ctx, tx)
}

// deliver records deliveries in tx.
func (s *Objects) deliver(ctx context.Context, tx Tx, ds []store.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	return s.outbox.append(ctx, tx, ds)
}

// keyBytes is a key as stored: never nil, which a driver would send as NULL.
func keyBytes(k string) []byte {
	if k == "" {
		return []byte{}
	}
	return []byte(k)
}

// noUpper is above every key (keys are at most 1,024 bytes).
var noUpper = bytes.Repeat([]byte{0xff}, 1100)

// bounds turns a range into [lower, upper).
func bounds(r store.ObjectRange) (lower, upper []byte) {
	lower = keyBytes(r.Prefix)
	if r.From > r.Prefix {
		lower = keyBytes(r.From)
	}
	if r.After != "" && r.After+"\x00" > string(lower) {
		lower = []byte(r.After + "\x00")
	}
	upper = noUpper
	if end, ok := prefixEnd(r.Prefix); ok {
		upper = end
	}
	return lower, upper
}

// prefixEnd is the smallest byte string above every string with prefix p.
func prefixEnd(p string) ([]byte, bool) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return b[:i+1], true
		}
	}
	return nil, false
}

func limitOf(n int) int {
	if n <= 0 {
		return math.MaxInt32
	}
	return n
}

func scanBucket(row scanner) (store.Bucket, error) {
	var b store.Bucket
	var configs string
	var created int64
	if err := row.Scan(&b.Name, &b.Account, &b.Region, &b.Versioning, &configs, &created); err != nil {
		return b, err
	}
	b.Configs, b.Created = decodeMap(configs), fromNanos(created)
	return b, nil
}

func scanObject(row scanner) (store.Object, error) {
	var o store.Object
	var key []byte
	var latest, marker int
	var modified int64
	var data, meta string
	if err := row.Scan(&o.Bucket, &key, &o.VersionID, &o.Seq, &latest, &marker, &o.Size, &o.ETag, &modified, &data, &meta, &o.Inline); err != nil {
		return o, err
	}
	o.Key, o.Latest, o.DeleteMarker, o.Modified = string(key), latest == 1, marker == 1, fromNanos(modified)
	json.Unmarshal([]byte(data), &o.Data)
	json.Unmarshal([]byte(meta), &o.Meta)
	return o, nil
}

func scanUpload(row scanner) (store.Upload, error) {
	var u store.Upload
	var key []byte
	var initiated int64
	var meta string
	if err := row.Scan(&u.ID, &u.Bucket, &key, &initiated, &meta); err != nil {
		return u, err
	}
	u.Key, u.Initiated = string(key), fromNanos(initiated)
	json.Unmarshal([]byte(meta), &u.Meta)
	return u, nil
}

func scanPart(row scanner) (store.Part, error) {
	var p store.Part
	var modified int64
	err := row.Scan(&p.UploadID, &p.Number, &p.Size, &p.ETag, &p.Ref, &p.Checksum, &modified)
	p.Modified = fromNanos(modified)
	return p, err
}

func encodeJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// CreateBucket stores a new bucket.
func (s *Objects) CreateBucket(ctx context.Context, b store.Bucket) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.wst(ctx, tx, "createBucket").ExecContext(ctx, b.Name, b.Account, b.Region, b.Versioning, encodeMap(b.Configs), nanos(b.Created))
		return s.ofault("CreateBucket", err)
	})
}

// Bucket reads a bucket.
func (s *Objects) Bucket(ctx context.Context, name string) (store.Bucket, error) {
	b, err := scanBucket(s.st["bucket"].ps.QueryRowContext(ctx, name))
	return b, s.ofault("Bucket", err)
}

// ListBuckets lists an account's buckets by name.
func (s *Objects) ListBuckets(ctx context.Context, account string) ([]store.Bucket, error) {
	if account == "" {
		rows, err := s.st["allBuckets"].ps.QueryContext(ctx)
		out, err := collect(rows, err, 0, scanBucket)
		return out, s.ofault("ListBuckets", err)
	}
	rows, err := s.st["listBuckets"].ps.QueryContext(ctx, account)
	out, err := collect(rows, err, 0, scanBucket)
	return out, s.ofault("ListBuckets", err)
}

// DeleteBucket removes an empty bucket.
func (s *Objects) DeleteBucket(ctx context.Context, name string) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		if _, err := s.lockBucket(ctx, tx, name); err != nil {
			return err
		}
		for _, q := range []string{"bucketHasObjects", "bucketHasUploads"} {
			var n int
			if err := s.wst(ctx, tx, q).QueryRowContext(ctx, name).Scan(&n); err != nil {
				return s.ofault("DeleteBucket", err)
			}
			if n > 0 {
				return &store.Error{Op: "objects.DeleteBucket", Kind: store.ErrNotEmpty}
			}
		}
		_, err := s.wst(ctx, tx, "deleteBucket").ExecContext(ctx, name)
		return s.ofault("DeleteBucket", err)
	})
}

func (s *Objects) lockBucket(ctx context.Context, tx Tx, name string) (map[string]string, error) {
	var configs string
	if err := s.wst(ctx, tx, "lockBucket").QueryRowContext(ctx, name).Scan(&configs); err != nil {
		return nil, s.ofault("lockBucket", err)
	}
	return decodeMap(configs), nil
}

// SetBucketConfig stores or removes a sub-resource document, or sets the versioning state.
func (s *Objects) SetBucketConfig(ctx context.Context, name, kind, doc string) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		configs, err := s.lockBucket(ctx, tx, name)
		if err != nil {
			return err
		}
		if kind == "versioning" {
			_, err = s.wst(ctx, tx, "setVersioning").ExecContext(ctx, doc, name)
			return s.ofault("SetBucketConfig", err)
		}
		if doc == "" {
			delete(configs, kind)
		} else {
			configs[kind] = doc
		}
		_, err = s.wst(ctx, tx, "setConfigs").ExecContext(ctx, encodeMap(configs), name)
		return s.ofault("SetBucketConfig", err)
	})
}

// PutObject makes o its key's latest version.
func (s *Objects) PutObject(ctx context.Context, o store.Object, pre *store.Precondition, ds ...store.Delivery) ([]store.Blob, error) {
	var freed []store.Blob
	err := s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		freed = nil
		if _, err := s.lockBucket(ctx, tx, o.Bucket); err != nil {
			return err
		}
		if err := s.checkPrecondition(ctx, tx, o, pre); err != nil {
			return err
		}
		var err error
		if freed, err = s.putObject(ctx, tx, o); err != nil {
			return err
		}
		return s.deliver(ctx, tx, ds)
	})
	return freed, err
}

// checkPrecondition tests a conditional write against the key's current object.
func (s *Objects) checkPrecondition(ctx context.Context, tx Tx, o store.Object, pre *store.Precondition) error {
	if pre == nil {
		return nil
	}
	cur, err := scanObject(s.wst(ctx, tx, "latestForUpdate").QueryRowContext(ctx, o.Bucket, keyBytes(o.Key)))
	err = s.ofault("PutObject", err)
	exists := err == nil && !cur.DeleteMarker
	if err != nil && !isNotFound(err) {
		return err
	}
	switch {
	case pre.Absent && exists:
		return &store.Error{Op: "objects.PutObject", Kind: store.ErrPrecondition}
	case pre.ETag != "" && !exists:
		return &store.Error{Op: "objects.PutObject", Kind: store.ErrNotFound}
	case pre.ETag != "" && cur.ETag != pre.ETag:
		return &store.Error{Op: "objects.PutObject", Kind: store.ErrPrecondition}
	}
	return nil
}

func (s *Objects) putObject(ctx context.Context, tx Tx, o store.Object) ([]store.Blob, error) {
	key := keyBytes(o.Key)
	var freed []store.Blob
	old, err := scanObject(s.wst(ctx, tx, "versionForUpdate").QueryRowContext(ctx, o.Bucket, key, o.VersionID))
	switch err = s.ofault("PutObject", err); {
	case err == nil:
		freed = old.Data
		if _, err := s.wst(ctx, tx, "deleteVersionRow").ExecContext(ctx, o.Bucket, key, o.VersionID); err != nil {
			return nil, s.ofault("PutObject", err)
		}
	case !isNotFound(err):
		return nil, err
	}
	if _, err := s.wst(ctx, tx, "unlatest").ExecContext(ctx, o.Bucket, key); err != nil {
		return nil, s.ofault("PutObject", err)
	}
	_, err = s.wst(ctx, tx, "insertObject").ExecContext(ctx, o.Bucket, key, o.VersionID, o.Bucket, key,
		boolInt(o.DeleteMarker), o.Size, o.ETag, nanos(o.Modified), encodeJSON(o.Data), encodeJSON(o.Meta), o.Inline)
	return freed, s.ofault("PutObject", err)
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// Object reads a version, or the latest.
func (s *Objects) Object(ctx context.Context, bucket, key, versionID string) (store.Object, error) {
	var o store.Object
	var err error
	if versionID == "" {
		o, err = scanObject(s.st["latestObject"].ps.QueryRowContext(ctx, bucket, keyBytes(key)))
	} else {
		o, err = scanObject(s.st["objectVersion"].ps.QueryRowContext(ctx, bucket, keyBytes(key), versionID))
	}
	return o, s.ofault("Object", err)
}

// DeleteVersion removes one version and promotes the next newest when it was the latest.
func (s *Objects) DeleteVersion(ctx context.Context, bucket, key, versionID string, ds ...store.Delivery) (store.Object, error) {
	var old store.Object
	err := s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		if _, err := s.lockBucket(ctx, tx, bucket); err != nil {
			return err
		}
		k := keyBytes(key)
		var err error
		if old, err = scanObject(s.wst(ctx, tx, "versionForUpdate").QueryRowContext(ctx, bucket, k, versionID)); err != nil {
			return s.ofault("DeleteVersion", err)
		}
		if _, err := s.wst(ctx, tx, "deleteVersionRow").ExecContext(ctx, bucket, k, versionID); err != nil {
			return s.ofault("DeleteVersion", err)
		}
		if old.Latest {
			if _, err = s.wst(ctx, tx, "promote").ExecContext(ctx, bucket, k, bucket, k); err != nil {
				return s.ofault("DeleteVersion", err)
			}
		}
		return s.deliver(ctx, tx, ds)
	})
	return old, err
}

// SetObjectMeta replaces a version's metadata.
func (s *Objects) SetObjectMeta(ctx context.Context, bucket, key, versionID string, m store.ObjectMeta, ds ...store.Delivery) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.wst(ctx, tx, "setObjectMeta").ExecContext(ctx, encodeJSON(m), bucket, keyBytes(key), versionID)
		if err != nil {
			return s.ofault("SetObjectMeta", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &store.Error{Op: "objects.SetObjectMeta", Kind: store.ErrNotFound}
		}
		return s.deliver(ctx, tx, ds)
	})
}

// ListObjects range-scans the current objects.
func (s *Objects) ListObjects(ctx context.Context, r store.ObjectRange) ([]store.Object, error) {
	lower, upper := bounds(r)
	rows, err := s.st["listObjects"].ps.QueryContext(ctx, r.Bucket, lower, upper, limitOf(r.Limit))
	out, err := collect(rows, err, 0, scanObject)
	return out, s.ofault("ListObjects", err)
}

// ListVersions range-scans every version, newest first within a key.
func (s *Objects) ListVersions(ctx context.Context, r store.ObjectRange, afterSeq int64) ([]store.Object, error) {
	after := r.After
	r.After = ""
	if r.From < after {
		r.From = after
	}
	lower, upper := bounds(r)
	if after == "" {
		afterSeq = math.MaxInt64
	}
	rows, err := s.st["listVersions"].ps.QueryContext(ctx, r.Bucket, lower, upper, keyBytes(after), afterSeq, limitOf(r.Limit))
	out, err := collect(rows, err, 0, scanObject)
	return out, s.ofault("ListVersions", err)
}

// CreateUpload records a new multipart upload.
func (s *Objects) CreateUpload(ctx context.Context, u store.Upload) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		if _, err := s.lockBucket(ctx, tx, u.Bucket); err != nil {
			return err
		}
		_, err := s.wst(ctx, tx, "createUpload").ExecContext(ctx, u.ID, u.Bucket, keyBytes(u.Key), nanos(u.Initiated), encodeJSON(u.Meta))
		return s.ofault("CreateUpload", err)
	})
}

// Upload reads an upload.
func (s *Objects) Upload(ctx context.Context, id string) (store.Upload, error) {
	u, err := scanUpload(s.st["upload"].ps.QueryRowContext(ctx, id))
	return u, s.ofault("Upload", err)
}

// ListUploads lists a bucket's uploads by key, then initiation.
func (s *Objects) ListUploads(ctx context.Context, r store.ObjectRange) ([]store.Upload, error) {
	lower, upper := bounds(r)
	rows, err := s.st["listUploads"].ps.QueryContext(ctx, r.Bucket, lower, upper, limitOf(r.Limit))
	out, err := collect(rows, err, 0, scanUpload)
	return out, s.ofault("ListUploads", err)
}

// PutPart stores a part; ErrNotFound when the upload is gone.
func (s *Objects) PutPart(ctx context.Context, p store.Part) ([]store.Blob, error) {
	var freed []store.Blob
	err := s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		freed = nil
		var bucket string
		if err := s.wst(ctx, tx, "lockUpload").QueryRowContext(ctx, p.UploadID).Scan(&bucket); err != nil {
			return s.ofault("PutPart", err)
		}
		var old store.Blob
		err := s.wst(ctx, tx, "partRef").QueryRowContext(ctx, p.UploadID, p.Number).Scan(&old.Ref, &old.Size)
		if err = s.ofault("PutPart", err); err == nil {
			freed = []store.Blob{old}
		} else if !isNotFound(err) {
			return err
		}
		_, err = s.wst(ctx, tx, "upsertPart").ExecContext(ctx, p.UploadID, p.Number, p.Size, p.ETag, p.Ref, p.Checksum, nanos(p.Modified))
		return s.ofault("PutPart", err)
	})
	return freed, err
}

// ListParts lists an upload's parts after a part number.
func (s *Objects) ListParts(ctx context.Context, uploadID string, after, limit int) ([]store.Part, error) {
	rows, err := s.st["listParts"].ps.QueryContext(ctx, uploadID, after, limitOf(limit))
	out, err := collect(rows, err, 0, scanPart)
	return out, s.ofault("ListParts", err)
}

// CompleteUpload makes o the latest version and forgets the upload.
func (s *Objects) CompleteUpload(ctx context.Context, uploadID string, o store.Object, pre *store.Precondition, ds ...store.Delivery) ([]store.Blob, error) {
	var freed []store.Blob
	err := s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		if err := s.checkPrecondition(ctx, tx, o, pre); err != nil {
			return err
		}
		var err error
		if freed, err = s.dropUpload(ctx, tx, uploadID, o.Bucket, o.Data); err != nil {
			return err
		}
		replaced, err := s.putObject(ctx, tx, o)
		if err != nil {
			return err
		}
		freed = append(freed, replaced...)
		return s.deliver(ctx, tx, ds)
	})
	return freed, err
}

// AbortUpload forgets an upload and frees its parts.
func (s *Objects) AbortUpload(ctx context.Context, uploadID string) ([]store.Blob, error) {
	var freed []store.Blob
	err := s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		freed, err = s.dropUpload(ctx, tx, uploadID, "", nil)
		return err
	})
	return freed, err
}

// dropUpload deletes an upload and its parts and returns the parts' blobs not in keep.
func (s *Objects) dropUpload(ctx context.Context, tx Tx, uploadID, bucket string, keep []store.Blob) ([]store.Blob, error) {
	var got string
	if err := s.wst(ctx, tx, "lockUpload").QueryRowContext(ctx, uploadID).Scan(&got); err != nil {
		return nil, s.ofault("dropUpload", err)
	}
	if bucket != "" && got != bucket {
		return nil, &store.Error{Op: "objects.dropUpload", Kind: store.ErrNotFound}
	}
	rows, err := s.wst(ctx, tx, "allParts").QueryContext(ctx, uploadID)
	parts, err := collect(rows, err, 0, scanPart)
	if err != nil {
		return nil, s.ofault("dropUpload", err)
	}
	kept := map[string]bool{}
	for _, b := range keep {
		kept[b.Ref] = true
	}
	var freed []store.Blob
	for _, p := range parts {
		if !kept[p.Ref] {
			freed = append(freed, store.Blob{Ref: p.Ref, Size: p.Size})
		}
	}
	for _, q := range []string{"deleteParts", "deleteUpload"} {
		if _, err := s.wst(ctx, tx, q).ExecContext(ctx, uploadID); err != nil {
			return nil, s.ofault("dropUpload", err)
		}
	}
	return freed, nil
}

// LiveBlobs reads every blob ref the objects and parts hold.
func (s *Objects) LiveBlobs(ctx context.Context) (map[string]bool, error) {
	live := map[string]bool{}
	rows, err := s.st["objectData"].ps.QueryContext(ctx)
	_, err = collect(rows, err, 0, func(r scanner) (struct{}, error) {
		var data string
		if err := r.Scan(&data); err != nil {
			return struct{}{}, err
		}
		var blobs []store.Blob
		json.Unmarshal([]byte(data), &blobs)
		for _, b := range blobs {
			live[b.Ref] = true
		}
		return struct{}{}, nil
	})
	if err != nil {
		return nil, s.ofault("LiveBlobs", err)
	}
	for _, q := range []string{"partRefs", "codeRefs"} {
		rows, err = s.st[q].ps.QueryContext(ctx)
		_, err = collect(rows, err, 0, func(r scanner) (struct{}, error) {
			var ref string
			err := r.Scan(&ref)
			live[ref] = true
			return struct{}{}, err
		})
		if err != nil {
			return nil, s.ofault("LiveBlobs", err)
		}
	}
	rows, err = s.st["layerDocs"].ps.QueryContext(ctx)
	_, err = collect(rows, err, 0, func(r scanner) (struct{}, error) {
		var doc []byte
		if err := r.Scan(&doc); err != nil {
			return struct{}{}, err
		}
		var layer struct{ Ref string }
		if json.Unmarshal(doc, &layer) == nil && layer.Ref != "" {
			live[layer.Ref] = true
		}
		return struct{}{}, nil
	})
	return live, s.ofault("LiveBlobs", err)
}
