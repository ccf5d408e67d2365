package store

import (
	"context"
	"errors"
	"time"
)

// Kinds of object-store errors.
var (
	ErrNotEmpty     = errors.New("not empty")           // a bucket still holds objects or uploads
	ErrPrecondition = errors.New("precondition failed") // a conditional write's condition does not hold
)

// Precondition makes a write conditional on the key's current object (not a delete marker):
// Absent requires none, ETag requires one with that ETag.
type Precondition struct {
	Absent bool
	ETag   string
}

// Bucket is an S3 bucket. Names are global across accounts.
type Bucket struct {
	Name       string
	Account    string
	Region     string
	Versioning string            // "", "Enabled" or "Suspended"
	Configs    map[string]string // sub-resource documents by kind ("tagging", "cors", "policy", …)
	Created    time.Time
}

// Blob is one stored piece of an object's data: a whole PUT, or one part of a multipart upload.
type Blob struct {
	Ref  string `json:"ref"`
	Size int64  `json:"size"`
}

// Object is one version of an S3 object (or a delete marker).
type Object struct {
	Bucket       string
	Key          string
	VersionID    string // "null" for an object written while versioning was off or suspended
	Seq          int64  // orders a key's versions, newest highest (set by the store)
	Latest       bool
	DeleteMarker bool
	Size         int64
	ETag         string // quoted, as S3 sends it
	Modified     time.Time
	Data         []Blob // the data, in order; none for a small object kept inline
	Inline       []byte // a small object's bytes, kept with its metadata (nil in listings)
	Meta         ObjectMeta
}

// ObjectMeta is what S3 keeps beside an object's data.
type ObjectMeta struct {
	Headers   map[string]string `json:"h,omitempty"` // Content-Type, Cache-Control, … as sent
	User      map[string]string `json:"u,omitempty"` // x-amz-meta-* without the prefix
	Checksums map[string]string `json:"c,omitempty"` // algorithm → base64 value
	Tags      map[string]string `json:"t,omitempty"`
	Parts     []int64           `json:"p,omitempty"`   // part sizes of a multipart object
	Owner     string            `json:"o,omitempty"`   // the account that wrote it
	Upload    string            `json:"up,omitempty"`  // the multipart upload that made it
	ACL       string            `json:"acl,omitempty"` // a canned ACL
}

// Upload is a multipart upload in progress.
type Upload struct {
	ID        string
	Bucket    string
	Key       string
	Initiated time.Time
	Meta      ObjectMeta
}

// Part is one uploaded part.
type Part struct {
	UploadID string
	Number   int
	Size     int64
	ETag     string
	Ref      string
	Checksum string // "ALG:value" when the part was uploaded with a checksum
	Modified time.Time
}

// ObjectRange asks for a bucket's keys in byte order: those with Prefix, after After (or from
// From inclusive when After is empty), at most Limit of them.
type ObjectRange struct {
	Bucket string
	Prefix string
	After  string
	From   string
	Limit  int
}

// Objects stores S3 buckets, object versions and multipart uploads. The writes that change an
// object take the deliveries the change causes (event notifications) and record them in the
// outbox in the same transaction, so they are durable exactly when the change is. Object data lives in blobs
// (package blob); the store records their refs. Methods that drop an object's data return the
// blobs no longer referenced, for the caller to delete once the change is durable.
type Objects interface {
	CreateBucket(ctx context.Context, b Bucket) error // ErrExists when the name is taken
	Bucket(ctx context.Context, name string) (Bucket, error)
	ListBuckets(ctx context.Context, account string) ([]Bucket, error) // account "": every bucket (the lifecycle scanner)
	DeleteBucket(ctx context.Context, name string) error               // ErrNotEmpty while objects or uploads remain
	// SetBucketConfig stores a sub-resource document; "" removes it. kind "versioning" sets the
	// bucket's versioning state.
	SetBucketConfig(ctx context.Context, name, kind, doc string) error

	// PutObject makes o the latest version of its key, replacing any version with the same id;
	// with pre, only when pre holds (else ErrPrecondition, or ErrNotFound for an ETag
	// condition on a key with no current object).
	PutObject(ctx context.Context, o Object, pre *Precondition, ds ...Delivery) (freed []Blob, err error)
	// Object reads a version; versionID "" reads the latest (which may be a delete marker).
	Object(ctx context.Context, bucket, key, versionID string) (Object, error)
	// DeleteVersion removes one version; when it was the latest the next newest becomes latest.
	DeleteVersion(ctx context.Context, bucket, key, versionID string, ds ...Delivery) (Object, error)
	// SetObjectMeta replaces a version's metadata (tagging).
	SetObjectMeta(ctx context.Context, bucket, key, versionID string, m ObjectMeta, ds ...Delivery) error
	// ListObjects lists the current objects (no delete markers) in key order.
	ListObjects(ctx context.Context, r ObjectRange) ([]Object, error)
	// ListVersions lists every version in key order, newest first within a key, starting after
	// (After, afterVersionSeq) when After is set.
	ListVersions(ctx context.Context, r ObjectRange, afterSeq int64) ([]Object, error)

	CreateUpload(ctx context.Context, u Upload) error
	Upload(ctx context.Context, id string) (Upload, error)
	ListUploads(ctx context.Context, r ObjectRange) ([]Upload, error)
	// PutPart stores a part, replacing one with the same number.
	PutPart(ctx context.Context, p Part) (freed []Blob, err error)
	ListParts(ctx context.Context, uploadID string, after, limit int) ([]Part, error)
	// CompleteUpload turns the upload into o (latest) and forgets the upload and its parts;
	// blobs of parts not in o.Data are freed.
	CompleteUpload(ctx context.Context, uploadID string, o Object, pre *Precondition, ds ...Delivery) (freed []Blob, err error)
	// AbortUpload forgets an upload and frees its parts.
	AbortUpload(ctx context.Context, uploadID string) (freed []Blob, err error)

	// LiveBlobs lists every blob the store refers to: an object version's or part's, and a
	// function version's code or a layer version's archive (`layer-version` settings, whose
	// document names its blob as "ref"). S3's orphan sweep keeps these: on SQLite S3 and Lambda
	// share <data-dir>/blobs, and a sweep that knew only S3's refs removed functions' code.
	LiveBlobs(ctx context.Context) (map[string]bool, error)
}
