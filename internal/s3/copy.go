package s3

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"

	"github.com/gureum/gureum/internal/checksum"
	"github.com/gureum/gureum/internal/store"
)

// copySource is a parsed x-amz-copy-source: "bucket/key" or "/bucket/key", URL-encoded, with an
// optional "?versionId=".
type copySource struct {
	bucket, key, versionID string
}

func parseCopySource(v string) (copySource, error) {
	bad := func() error {
		return invalidArgument("Invalid copy source object key", "x-amz-copy-source", v)
	}
	path, query, _ := strings.Cut(v, "?")
	path, err := url.PathUnescape(strings.TrimPrefix(path, "/"))
	if err != nil {
		return copySource{}, bad()
	}
	bucket, key, ok := strings.Cut(path, "/")
	if !ok || bucket == "" || key == "" {
		return copySource{}, bad()
	}
	cs := copySource{bucket: bucket, key: key}
	if query != "" {
		q, err := url.ParseQuery(query)
		if err != nil {
			return copySource{}, bad()
		}
		cs.versionID = q.Get("versionId")
	}
	return cs, nil
}

// source reads a copy's source object and checks the x-amz-copy-source-if-* conditions.
func (s *Service) source(ctx context.Context, h http.Header) (store.Bucket, store.Object, error) {
	cs, err := parseCopySource(h.Get("X-Amz-Copy-Source"))
	if err != nil {
		return store.Bucket{}, store.Object{}, err
	}
	b, o, err := s.lookup(ctx, cs.bucket, cs.key, cs.versionID)
	if err != nil {
		return b, o, err
	}
	if o.DeleteMarker {
		if cs.versionID != "" {
			return b, o, invalidRequest("The source of a copy request may not specifically refer to a delete marker by version id.")
		}
		return b, o, noSuchKey(cs.key)
	}
	cond := http.Header{}
	for _, n := range []string{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"} {
		if v := h.Get("X-Amz-Copy-Source-" + n); v != "" {
			cond.Set(n, v)
		}
	}
	if err := checkConditions(cond, o); err != nil {
		return b, o, preconditionFailed("x-amz-copy-source-if")
	}
	return b, o, nil
}

// CopyObjectOutput is CopyObject's response.
type CopyObjectOutput struct {
	Header http.Header      `rest:"headers"`
	Result copyObjectResult `rest:"payload"`
}

type copyObjectResult struct {
	XMLName           xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CopyObjectResult"`
	ETag              string   `xml:"ETag"`
	LastModified      string   `xml:"LastModified"`
	ChecksumType      string   `xml:"ChecksumType,omitempty"`
	ChecksumCRC32     string   `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string   `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string   `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string   `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string   `xml:"ChecksumSHA256,omitempty"`
}

func (r *copyObjectResult) setChecksum(alg checksum.Algorithm, v string) {
	switch alg {
	case checksum.CRC32:
		r.ChecksumCRC32 = v
	case checksum.CRC32C:
		r.ChecksumCRC32C = v
	case checksum.CRC64NVME:
		r.ChecksumCRC64NVME = v
	case checksum.SHA1:
		r.ChecksumSHA1 = v
	case checksum.SHA256:
		r.ChecksumSHA256 = v
	}
}

// CopyObject copies an object (any size; the data is copied into a new blob), keeping its
// metadata (COPY) or taking the request's (REPLACE).
func (s *Service) CopyObject(ctx context.Context, in *ObjectInput) (*CopyObjectOutput, error) {
	if err := checkKey(in.Key); err != nil {
		return nil, err
	}
	db, err := s.bucketFor(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	sb, src, err := s.source(ctx, in.Header)
	if err != nil {
		return nil, err
	}
	meta, err := copyMeta(in, src, caller(ctx))
	if err != nil {
		return nil, err
	}
	pre, err := preconditionOf(in.Header)
	if err != nil {
		return nil, err
	}
	alg := checksum.CRC64NVME
	if a, ok := checksum.Parse(in.Header.Get("X-Amz-Checksum-Algorithm")); ok {
		alg = a
	}
	u, err := s.copyData(ctx, src, 0, src.Size, alg)
	if err != nil {
		return nil, err
	}
	meta.Checksums = map[string]string{string(alg): u.sum, "TYPE": "FULL_OBJECT"}
	meta.Parts, meta.Upload = nil, ""
	o := store.Object{Bucket: in.Bucket, Key: in.Key, VersionID: versionFor(db), Size: u.size, ETag: u.etag(),
		Modified: s.now(), Data: []store.Blob{{Ref: string(u.ref), Size: u.size}}, Meta: meta}
	freed, err := s.store.PutObject(ctx, o, pre, s.events(ctx, db, "ObjectCreated:Copy", o)...)
	if err != nil {
		s.free(ctx, o.Data)
		return nil, s.writeError(err, in.Bucket, in.Key, pre)
	}
	s.free(ctx, freed)
	h := http.Header{}
	setVersionHeader(h, db, o.VersionID)
	if sb.Versioning != "" {
		h.Set("X-Amz-Copy-Source-Version-Id", src.VersionID)
	}
	echoSSE(h, meta)
	res := copyObjectResult{ETag: o.ETag, LastModified: xmlTime(o.Modified)}
	res.setChecksum(alg, u.sum)
	if in.Header.Get("X-Amz-Checksum-Algorithm") != "" {
		res.ChecksumType = "FULL_OBJECT"
	}
	return &CopyObjectOutput{Header: h, Result: res}, nil
}

// copyMeta is the copy's metadata under the metadata and tagging directives.
func copyMeta(in *ObjectInput, src store.Object, owner string) (store.ObjectMeta, error) {
	md, td := in.Header.Get("X-Amz-Metadata-Directive"), in.Header.Get("X-Amz-Tagging-Directive")
	if md != "" && md != "COPY" && md != "REPLACE" {
		return store.ObjectMeta{}, invalidArgument("Unknown metadata directive.", "x-amz-metadata-directive", md)
	}
	if td != "" && td != "COPY" && td != "REPLACE" {
		return store.ObjectMeta{}, invalidArgument("Unknown tagging directive.", "x-amz-tagging-directive", td)
	}
	cs, _ := parseCopySource(in.Header.Get("X-Amz-Copy-Source"))
	same := cs.bucket == in.Bucket && cs.key == in.Key && cs.versionID == ""
	changes := md == "REPLACE" || in.Header.Get("X-Amz-Storage-Class") != "" || in.Header.Get("X-Amz-Website-Redirect-Location") != "" ||
		in.Header.Get("X-Amz-Server-Side-Encryption") != ""
	if same && !changes {
		return store.ObjectMeta{}, invalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	meta := src.Meta
	if md == "REPLACE" {
		m, err := metaFromHeaders(in.Header, owner)
		if err != nil {
			return m, err
		}
		m.Tags = src.Meta.Tags
		meta = m
	} else if sc := in.Header.Get("X-Amz-Storage-Class"); sc != "" {
		meta.Headers = cloneMap(meta.Headers)
		meta.Headers["X-Amz-Storage-Class"] = sc
	}
	if td == "REPLACE" {
		meta.Tags = nil
		if t := in.Header.Get("X-Amz-Tagging"); t != "" {
			tags, err := parseTagQuery(t)
			if err != nil {
				return meta, err
			}
			meta.Tags = tags
		}
	}
	meta.Owner = owner
	return meta, nil
}

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
