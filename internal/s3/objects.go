package s3

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/checksum"
	"github.com/gureum/gureum/internal/store"
)

// storedHeaders are the request headers kept with an object and returned on GET and HEAD.
var storedHeaders = []string{
	"Content-Type", "Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Expires",
	"X-Amz-Storage-Class", "X-Amz-Website-Redirect-Location", "X-Amz-Server-Side-Encryption",
	"X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", "X-Amz-Server-Side-Encryption-Bucket-Key-Enabled",
}

var storageClasses = map[string]bool{
	"STANDARD": true, "REDUCED_REDUNDANCY": true, "STANDARD_IA": true, "ONEZONE_IA": true, "INTELLIGENT_TIERING": true,
	"GLACIER": true, "DEEP_ARCHIVE": true, "OUTPOSTS": true, "GLACIER_IR": true, "SNOW": true, "EXPRESS_ONEZONE": true,
}

// metaFromHeaders reads the metadata S3 keeps from a request's headers.
func metaFromHeaders(h http.Header, owner string) (store.ObjectMeta, error) {
	m := store.ObjectMeta{Headers: map[string]string{}, User: map[string]string{}, Owner: owner}
	for _, name := range storedHeaders {
		if v := h.Get(name); v != "" {
			m.Headers[name] = v
		}
	}
	if ce, ok := m.Headers["Content-Encoding"]; ok {
		var kept []string
		for _, e := range strings.Split(ce, ",") {
			if e = strings.TrimSpace(e); e != "" && !strings.EqualFold(e, "aws-chunked") {
				kept = append(kept, e)
			}
		}
		if len(kept) == 0 {
			delete(m.Headers, "Content-Encoding")
		} else {
			m.Headers["Content-Encoding"] = strings.Join(kept, ",")
		}
	}
	if sc := m.Headers["X-Amz-Storage-Class"]; sc != "" && !storageClasses[sc] {
		return m, ErrInvalidStorageClass.Errorf("The storage class you specified is not valid").With("StorageClassRequested", sc)
	}
	size := 0
	for name, v := range h {
		if k, ok := strings.CutPrefix(strings.ToLower(name), "x-amz-meta-"); ok {
			m.User[k] = strings.Join(v, ",")
			size += len(k) + len(m.User[k])
		}
	}
	if size > 2048 {
		return m, (&metadataTooLarge).Errorf("Your metadata headers exceed the maximum allowed metadata size.").With("MaxSizeAllowed", "2048")
	}
	if acl := h.Get("X-Amz-Acl"); acl != "" {
		if !cannedACLs[acl] {
			return m, invalidArgument("", "x-amz-acl", acl)
		}
		if acl != "private" {
			m.ACL = acl
		}
	}
	if t := h.Get("X-Amz-Tagging"); t != "" {
		tags, err := parseTagQuery(t)
		if err != nil {
			return m, err
		}
		m.Tags = tags
	}
	return m, nil
}

var metadataTooLarge = *ErrInvalidArgument

func init() { metadataTooLarge.Name = "MetadataTooLarge" }

// ObjectInput is the request of operations on one object.
type ObjectInput struct {
	Bucket string      `rest:"uri=Bucket"`
	Key    string      `rest:"uri=Key"`
	Header http.Header `rest:"headers"`
	Query  url.Values  `rest:"querymap"`
}

// PutObjectInput is PutObject's request; the body streams.
type PutObjectInput struct {
	Bucket string      `rest:"uri=Bucket"`
	Key    string      `rest:"uri=Key"`
	Header http.Header `rest:"headers"`
	Body   io.Reader   `rest:"payload"`
}

// HeaderOutput is a response of headers only.
type HeaderOutput struct {
	Status int         `rest:"status"`
	Header http.Header `rest:"headers"`
}

// versionFor picks the version id a write gets in a bucket.
func versionFor(b store.Bucket) string {
	if b.Versioning == "Enabled" {
		return newVersionID()
	}
	return "null"
}

// preconditionOf reads a conditional write's If-None-Match: * and If-Match.
func preconditionOf(h http.Header) (*store.Precondition, error) {
	inm, im := h.Get("If-None-Match"), h.Get("If-Match")
	switch {
	case inm == "" && im == "":
		return nil, nil
	case inm != "" && inm != "*":
		return nil, ErrNotImplemented.Errorf("A header you provided implies functionality that is not implemented").With("Header", "If-None-Match")
	case inm == "*":
		return &store.Precondition{Absent: true}, nil
	}
	return &store.Precondition{ETag: `"` + unquote(im) + `"`}, nil
}

// ErrNotImplemented is S3's answer to a header it does not support.
var ErrNotImplemented = &notImplemented

var notImplemented = *ErrInvalidRequest

func init() { notImplemented.Name, notImplemented.Status = "NotImplemented", 501 }

// PutObject stores an object: the body streams into a blob (synced and renamed), then the
// metadata commits.
func (s *Service) PutObject(ctx context.Context, in *PutObjectInput) (*HeaderOutput, error) {
	return s.putObject(ctx, in, "ObjectCreated:Put")
}

// putObject stores an object and notifies event (ObjectCreated:Put, or :Post for a form upload).
func (s *Service) putObject(ctx context.Context, in *PutObjectInput, event string) (*HeaderOutput, error) {
	if err := checkKey(in.Key); err != nil {
		return nil, err
	}
	b, err := s.bucketFor(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	pre, err := preconditionOf(in.Header)
	if err != nil {
		return nil, err
	}
	meta, err := metaFromHeaders(in.Header, caller(ctx))
	if err != nil {
		return nil, err
	}
	if err := aclAllowed(b, meta.ACL); err != nil {
		return nil, err
	}
	if in.Header.Get("Content-Length") == "" && in.Header.Get("X-Amz-Decoded-Content-Length") == "" && in.Header.Get("Transfer-Encoding") == "" {
		// Go removes Content-Length for an empty body; a body of unknown length arrives chunked.
	}
	u, err := s.receive(ctx, in.Header, in.Body, MaxPutSize, true)
	if err != nil {
		return nil, err
	}
	meta.Checksums = map[string]string{string(u.alg): u.sum, "TYPE": "FULL_OBJECT"}
	o := store.Object{Bucket: in.Bucket, Key: in.Key, VersionID: versionFor(b), Latest: true, Size: u.size, ETag: u.etag(),
		Modified: s.now(), Data: u.data(), Inline: u.inline, Meta: meta}
	freed, err := s.store.PutObject(ctx, o, pre, s.events(ctx, b, event, o)...)
	if err != nil {
		s.free(ctx, o.Data)
		return nil, s.writeError(err, in.Bucket, in.Key, pre)
	}
	s.free(ctx, freed)
	// The checksum the client asked for, or the CRC64NVME S3 computes for every new object.
	h := http.Header{"Etag": {o.ETag}, u.alg.Header(): {u.sum}, "X-Amz-Checksum-Type": {"FULL_OBJECT"}}
	setVersionHeader(h, b, o.VersionID)
	echoSSE(h, meta)
	corsHeaders(b, in.Header, http.MethodPut, h)
	return &HeaderOutput{Header: h}, nil
}

// writeError maps a failed object write.
func (s *Service) writeError(err error, bucket, key string, pre *store.Precondition) error {
	switch {
	case errors.Is(err, store.ErrPrecondition):
		if pre != nil && pre.Absent {
			return preconditionFailed("If-None-Match")
		}
		return preconditionFailed("If-Match")
	case errors.Is(err, store.ErrNotFound) && pre != nil && pre.ETag != "":
		return noSuchKey(key)
	case errors.Is(err, store.ErrNotFound):
		return noSuchBucket(bucket)
	}
	return err
}

func setVersionHeader(h http.Header, b store.Bucket, versionID string) {
	if b.Versioning != "" {
		h.Set("X-Amz-Version-Id", versionID)
	}
}

func echoSSE(h http.Header, m store.ObjectMeta) {
	sse := m.Headers["X-Amz-Server-Side-Encryption"]
	if sse == "" {
		sse = "AES256"
	}
	h.Set("X-Amz-Server-Side-Encryption", sse)
	for _, k := range []string{"X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", "X-Amz-Server-Side-Encryption-Bucket-Key-Enabled"} {
		if v := m.Headers[k]; v != "" {
			h.Set(k, v)
		}
	}
}

// GetObjectOutput is GetObject's response: headers and the streamed body.
type GetObjectOutput struct {
	Status int         `rest:"status"`
	Header http.Header `rest:"headers"`
	Body   io.Reader   `rest:"payload"`
}

// lookup finds the object a GET, HEAD or copy names: the latest version or ?versionId.
func (s *Service) lookup(ctx context.Context, bucket, key, versionID string) (store.Bucket, store.Object, error) {
	b, err := s.bucketFor(ctx, bucket)
	if err != nil {
		return b, store.Object{}, err
	}
	o, err := s.store.Object(ctx, bucket, key, versionID)
	switch {
	case errors.Is(err, store.ErrNotFound) && versionID != "":
		if versionID != "null" && !validVersionID(versionID) {
			return b, o, invalidArgument("Invalid version id specified", "versionId", versionID)
		}
		return b, o, ErrNoSuchVersion.Errorf("The specified version does not exist.").With("Key", key).With("VersionId", versionID)
	case errors.Is(err, store.ErrNotFound):
		return b, o, noSuchKey(key)
	case err != nil:
		return b, o, err
	}
	return b, o, nil
}

func validVersionID(v string) bool { return len(v) == 32 }

// GetObject streams an object (or a range or part of it) after its conditions pass.
func (s *Service) GetObject(ctx context.Context, in *ObjectInput) (*GetObjectOutput, error) {
	b, o, h, err := s.readable(ctx, in)
	if err != nil {
		return nil, err
	}
	off, n, status, err := selectRange(in, o, h)
	if err != nil {
		return nil, err
	}
	h.Set("Content-Length", strconv.FormatInt(n, 10))
	_ = b
	out := &GetObjectOutput{Status: status, Header: h}
	if n > 0 {
		out.Body = s.openData(ctx, o, off, n)
	} else {
		out.Body = strings.NewReader("")
	}
	return out, nil
}

// HeadObject is GetObject without the body.
func (s *Service) HeadObject(ctx context.Context, in *ObjectInput) (*HeaderOutput, error) {
	_, o, h, err := s.readable(ctx, in)
	if err != nil {
		return nil, err
	}
	_, n, status, err := selectRange(in, o, h)
	if err != nil {
		return nil, err
	}
	h.Set("Content-Length", strconv.FormatInt(n, 10))
	return &HeaderOutput{Status: status, Header: h}, nil
}

// readable finds the object of a GET or HEAD, checks its conditions and builds its headers.
func (s *Service) readable(ctx context.Context, in *ObjectInput) (store.Bucket, store.Object, http.Header, error) {
	versionID := in.Query.Get("versionId")
	b, o, err := s.lookup(ctx, in.Bucket, in.Key, versionID)
	if err != nil {
		return b, o, nil, err
	}
	if o.DeleteMarker {
		h := http.Header{"X-Amz-Delete-Marker": {"true"}}
		setVersionHeader(h, b, o.VersionID)
		if versionID != "" {
			return b, o, nil, withHeaders(ErrMethodNotAllowed.Errorf("The specified method is not allowed against this resource.").
				With("Method", "GET").With("ResourceType", "DeleteMarker"), h)
		}
		return b, o, nil, withHeaders(noSuchKey(in.Key), h)
	}
	var e expiry
	if versionID == "" {
		var expired bool
		if e, expired = s.expireIfDue(ctx, b, o); expired {
			return b, o, nil, noSuchKey(in.Key)
		}
	}
	if err := checkConditions(in.Header, o); err != nil {
		return b, o, nil, err
	}
	h := objectHeaders(b, o)
	if !e.at.IsZero() {
		h.Set("X-Amz-Expiration", expirationHeader(e))
	}
	if strings.EqualFold(in.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") && in.Header.Get("Range") == "" && in.Query.Get("partNumber") == "" {
		for alg, v := range o.Meta.Checksums {
			if a, ok := checksum.Parse(alg); ok {
				h.Set(a.Header(), v)
			}
		}
		if t := o.Meta.Checksums["TYPE"]; t != "" {
			h.Set("X-Amz-Checksum-Type", t)
		}
	}
	corsHeaders(b, in.Header, http.MethodGet, h)
	for q, name := range responseOverrides {
		if v := in.Query.Get(q); v != "" {
			h.Set(name, v)
		}
	}
	return b, o, h, nil
}

var responseOverrides = map[string]string{
	"response-content-type": "Content-Type", "response-content-language": "Content-Language",
	"response-expires": "Expires", "response-cache-control": "Cache-Control",
	"response-content-disposition": "Content-Disposition", "response-content-encoding": "Content-Encoding",
}

// objectHeaders are the headers GET and HEAD return for an object.
func objectHeaders(b store.Bucket, o store.Object) http.Header {
	h := http.Header{}
	h.Set("Etag", o.ETag)
	h.Set("Last-Modified", o.Modified.UTC().Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Type", "binary/octet-stream")
	for k, v := range o.Meta.Headers {
		if k == "X-Amz-Storage-Class" && v == "STANDARD" {
			continue
		}
		h.Set(k, v)
	}
	for k, v := range o.Meta.User {
		h["x-amz-meta-"+k] = []string{v} // S3's spelling, kept by restbind
	}
	if len(o.Meta.Tags) > 0 {
		h.Set("X-Amz-Tagging-Count", strconv.Itoa(len(o.Meta.Tags)))
	}
	if len(o.Meta.Parts) > 0 {
		h.Set("X-Amz-Mp-Parts-Count", strconv.Itoa(len(o.Meta.Parts)))
	}
	setVersionHeader(h, b, o.VersionID)
	echoSSE(h, o.Meta)
	return h
}

// checkConditions applies If-Match, If-Unmodified-Since, If-None-Match and If-Modified-Since
// in the order RFC 7232 gives (S3 follows it).
func checkConditions(h http.Header, o store.Object) error {
	im, inm := h.Get("If-Match"), h.Get("If-None-Match")
	if im != "" && !etagMatches(im, o.ETag) {
		return preconditionFailed("If-Match")
	}
	if im == "" {
		if t, ok := httpTime(h.Get("If-Unmodified-Since")); ok && o.Modified.Truncate(time.Second).After(t) {
			return preconditionFailed("If-Unmodified-Since")
		}
	}
	if inm != "" && etagMatches(inm, o.ETag) {
		return notModified(o)
	}
	if inm == "" {
		if t, ok := httpTime(h.Get("If-Modified-Since")); ok && !o.Modified.Truncate(time.Second).After(t) {
			return notModified(o)
		}
	}
	return nil
}

func notModified(o store.Object) error {
	return withHeaders(ErrNotModified.Errorf("Not Modified"), http.Header{
		"Etag": {o.ETag}, "Last-Modified": {o.Modified.UTC().Format(http.TimeFormat)}})
}

func etagMatches(cond, etag string) bool {
	for _, c := range strings.Split(cond, ",") {
		if c = strings.TrimSpace(c); c == "*" || unquote(c) == unquote(etag) {
			return true
		}
	}
	return false
}

func httpTime(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	t, err := http.ParseTime(v)
	if err != nil {
		if t, err = time.Parse(time.RFC3339, v); err != nil {
			return time.Time{}, false
		}
	}
	return t, true
}

// selectRange picks the bytes a GET returns: a Range, a partNumber, or the whole object.
func selectRange(in *ObjectInput, o store.Object, h http.Header) (off, n int64, status int, err error) {
	if pn := in.Query.Get("partNumber"); pn != "" {
		return selectPart(pn, o, h)
	}
	rg := in.Header.Get("Range")
	start, end, ok, err := parseRange(rg, o.Size)
	if err != nil || !ok {
		return 0, o.Size, http.StatusOK, err
	}
	h.Set("Content-Range", "bytes "+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(end, 10)+"/"+strconv.FormatInt(o.Size, 10))
	return start, end - start + 1, http.StatusPartialContent, nil
}

func selectPart(pn string, o store.Object, h http.Header) (off, n int64, status int, err error) {
	p, perr := strconv.Atoi(pn)
	if perr != nil || p < 1 || p > 10000 {
		return 0, 0, 0, invalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", pn)
	}
	parts := o.Meta.Parts
	if len(parts) == 0 {
		parts = []int64{o.Size}
	}
	if p > len(parts) {
		return 0, 0, 0, ErrInvalidRange.Errorf("The requested partnumber is not satisfiable").With("PartNumberRequested", pn).
			With("ActualPartCount", strconv.Itoa(len(parts)))
	}
	for _, size := range parts[:p-1] {
		off += size
	}
	n = parts[p-1]
	h.Set("X-Amz-Mp-Parts-Count", strconv.Itoa(len(parts)))
	if len(o.Meta.Parts) == 0 {
		return 0, n, http.StatusOK, nil
	}
	h.Set("Content-Range", "bytes "+strconv.FormatInt(off, 10)+"-"+strconv.FormatInt(off+n-1, 10)+"/"+strconv.FormatInt(o.Size, 10))
	return off, n, http.StatusPartialContent, nil
}

// parseRange reads "bytes=a-b", "bytes=a-" or "bytes=-n". A header S3 cannot parse (or one with
// several ranges) is ignored, as S3 does; a range that starts past the end is InvalidRange.
func parseRange(v string, size int64) (start, end int64, ok bool, err error) {
	spec, found := strings.CutPrefix(strings.TrimSpace(v), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false, nil
	}
	a, b, found := strings.Cut(spec, "-")
	if !found {
		return 0, 0, false, nil
	}
	invalid := func() error {
		return ErrInvalidRange.Errorf("The requested range is not satisfiable").With("RangeRequested", v).
			With("ActualObjectSize", strconv.FormatInt(size, 10))
	}
	if a == "" {
		n, perr := strconv.ParseInt(b, 10, 64)
		if perr != nil || n < 0 {
			return 0, 0, false, nil
		}
		if n == 0 || size == 0 {
			return 0, 0, false, invalid()
		}
		return max(size-n, 0), size - 1, true, nil
	}
	start, perr := strconv.ParseInt(a, 10, 64)
	if perr != nil || start < 0 {
		return 0, 0, false, nil
	}
	end = size - 1
	if b != "" {
		if end, perr = strconv.ParseInt(b, 10, 64); perr != nil || end < start {
			return 0, 0, false, nil
		}
	}
	if start >= size {
		return 0, 0, false, invalid()
	}
	return start, min(end, size-1), true, nil
}
