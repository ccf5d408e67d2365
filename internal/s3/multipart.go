package s3

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/checksum"
	"github.com/gureum/gureum/internal/store"
)

// Multipart limits: parts 1–10,000, each at most 5 GiB and, but for the last, at least 5 MiB.
const (
	MaxParts    = 10000
	MinPartSize = 5 << 20
	MaxPartSize = 5 << 30
)

// CreateMultipartUploadOutput is InitiateMultipartUploadResult.
type CreateMultipartUploadOutput struct {
	XMLName           xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ InitiateMultipartUploadResult"`
	Bucket            string   `xml:"Bucket"`
	Key               string   `xml:"Key"`
	UploadID          string   `xml:"UploadId"`
	ChecksumAlgorithm string   `rest:"header=x-amz-checksum-algorithm" xml:"-"`
	ChecksumType      string   `rest:"header=x-amz-checksum-type" xml:"-"`
}

// CreateMultipartUpload starts an upload; the request's metadata is kept for the object.
func (s *Service) CreateMultipartUpload(ctx context.Context, in *ObjectInput) (*CreateMultipartUploadOutput, error) {
	if err := checkKey(in.Key); err != nil {
		return nil, err
	}
	if _, err := s.bucketFor(ctx, in.Bucket); err != nil {
		return nil, err
	}
	meta, err := metaFromHeaders(in.Header, caller(ctx))
	if err != nil {
		return nil, err
	}
	out := &CreateMultipartUploadOutput{Bucket: in.Bucket, Key: in.Key, UploadID: newUploadID()}
	if v := in.Header.Get("X-Amz-Checksum-Algorithm"); v != "" {
		alg, ok := checksum.Parse(v)
		if !ok {
			return nil, invalidArgument("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]", "x-amz-checksum-algorithm", v)
		}
		meta.Checksums = map[string]string{"ALGORITHM": string(alg)}
		out.ChecksumAlgorithm, out.ChecksumType = string(alg), "COMPOSITE"
		if t := in.Header.Get("X-Amz-Checksum-Type"); t != "" {
			out.ChecksumType = t
		}
	}
	u := store.Upload{ID: out.UploadID, Bucket: in.Bucket, Key: in.Key, Initiated: s.now(), Meta: meta}
	if err := s.store.CreateUpload(ctx, u); errors.Is(err, store.ErrNotFound) {
		return nil, noSuchBucket(in.Bucket)
	} else if err != nil {
		return nil, err
	}
	return out, nil
}

func newUploadID() string { return newVersionID() + newVersionID() }

// upload finds an upload of the bucket and key, or NoSuchUpload.
func (s *Service) upload(ctx context.Context, bucket, key, id string) (store.Upload, error) {
	if _, err := s.bucketFor(ctx, bucket); err != nil {
		return store.Upload{}, err
	}
	u, err := s.store.Upload(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && (u.Bucket != bucket || u.Key != key) {
		return u, noSuchUpload(id)
	}
	return u, err
}

// UploadPartInput is UploadPart's request; the body streams.
type UploadPartInput struct {
	Bucket     string      `rest:"uri=Bucket"`
	Key        string      `rest:"uri=Key"`
	PartNumber string      `rest:"query=partNumber"`
	UploadID   string      `rest:"query=uploadId"`
	Header     http.Header `rest:"headers"`
	Body       io.Reader   `rest:"payload"`
}

func partNumber(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxParts {
		return 0, invalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", v)
	}
	return n, nil
}

// UploadPart stores one part.
func (s *Service) UploadPart(ctx context.Context, in *UploadPartInput) (*HeaderOutput, error) {
	n, err := partNumber(in.PartNumber)
	if err != nil {
		return nil, err
	}
	up, err := s.upload(ctx, in.Bucket, in.Key, in.UploadID)
	if err != nil {
		return nil, err
	}
	u, err := s.receive(ctx, in.Header, in.Body, MaxPartSize, false)
	if err != nil {
		return nil, err
	}
	return s.storePart(ctx, up, n, u, http.Header{})
}

func (s *Service) storePart(ctx context.Context, up store.Upload, n int, u *upload, h http.Header) (*HeaderOutput, error) {
	p := store.Part{UploadID: up.ID, Number: n, Size: u.size, ETag: u.etag(), Ref: string(u.ref), Modified: s.now()}
	if u.sum != "" {
		p.Checksum = string(u.alg) + ":" + u.sum
	}
	freed, err := s.store.PutPart(ctx, p)
	if err != nil {
		s.free(ctx, []store.Blob{{Ref: p.Ref}})
		if errors.Is(err, store.ErrNotFound) {
			return nil, noSuchUpload(up.ID)
		}
		return nil, err
	}
	s.free(ctx, freed)
	h.Set("Etag", p.ETag)
	if u.declared || up.Meta.Checksums["ALGORITHM"] == string(u.alg) {
		h.Set(u.alg.Header(), u.sum)
	}
	echoSSE(h, up.Meta)
	return &HeaderOutput{Header: h}, nil
}

// UploadPartCopyOutput is UploadPartCopy's response.
type UploadPartCopyOutput struct {
	Header http.Header    `rest:"headers"`
	Result copyPartResult `rest:"payload"`
}

type copyPartResult struct {
	XMLName      xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CopyPartResult"`
	ETag         string   `xml:"ETag"`
	LastModified string   `xml:"LastModified"`
}

// UploadPartCopyInput is UploadPartCopy's request.
type UploadPartCopyInput struct {
	Bucket     string      `rest:"uri=Bucket"`
	Key        string      `rest:"uri=Key"`
	PartNumber string      `rest:"query=partNumber"`
	UploadID   string      `rest:"query=uploadId"`
	Header     http.Header `rest:"headers"`
}

// UploadPartCopy makes a part from (a range of) another object.
func (s *Service) UploadPartCopy(ctx context.Context, in *UploadPartCopyInput) (*UploadPartCopyOutput, error) {
	n, err := partNumber(in.PartNumber)
	if err != nil {
		return nil, err
	}
	up, err := s.upload(ctx, in.Bucket, in.Key, in.UploadID)
	if err != nil {
		return nil, err
	}
	sb, src, err := s.source(ctx, in.Header)
	if err != nil {
		return nil, err
	}
	off, size := int64(0), src.Size
	if rg := in.Header.Get("X-Amz-Copy-Source-Range"); rg != "" {
		start, end, ok, err := parseRange(rg, src.Size)
		if err != nil || !ok || end >= src.Size {
			return nil, invalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy", "x-amz-copy-source-range", rg)
		}
		off, size = start, end-start+1
	}
	if size > MaxPartSize {
		return nil, ErrEntityTooLarge.Errorf("Your proposed upload exceeds the maximum allowed size")
	}
	alg := checksum.Algorithm(up.Meta.Checksums["ALGORITHM"])
	u, err := s.copyData(ctx, src, off, size, alg)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	if sb.Versioning != "" {
		h.Set("X-Amz-Copy-Source-Version-Id", src.VersionID)
	}
	if _, err := s.storePart(ctx, up, n, u, h); err != nil {
		return nil, err
	}
	h.Del("Etag")
	return &UploadPartCopyOutput{Header: h, Result: copyPartResult{ETag: u.etag(), LastModified: xmlTime(s.now())}}, nil
}

// CompleteInput is CompleteMultipartUpload's request.
type CompleteInput struct {
	Bucket   string      `rest:"uri=Bucket"`
	Key      string      `rest:"uri=Key"`
	UploadID string      `rest:"query=uploadId"`
	Header   http.Header `rest:"headers"`
	Body     io.Reader   `rest:"payload"`
}

type completeRequest struct {
	XMLName xml.Name       `xml:"CompleteMultipartUpload"`
	Parts   []completePart `xml:"Part"`
}

type completePart struct {
	PartNumber        int    `xml:"PartNumber"`
	ETag              string `xml:"ETag"`
	ChecksumCRC32     string `xml:"ChecksumCRC32"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME"`
	ChecksumSHA1      string `xml:"ChecksumSHA1"`
	ChecksumSHA256    string `xml:"ChecksumSHA256"`
}

// parseComplete reads a CompleteMultipartUpload document: at least one part, in ascending order.
func parseComplete(doc []byte) (*completeRequest, error) {
	var req completeRequest
	if xml.Unmarshal(doc, &req) != nil || len(req.Parts) == 0 || len(req.Parts) > MaxParts {
		return nil, malformedXML()
	}
	for i, p := range req.Parts {
		if i > 0 && p.PartNumber <= req.Parts[i-1].PartNumber {
			return nil, ErrInvalidPartOrder.Errorf("The list of parts was not in ascending order. Parts must be ordered by part number.").With("UploadId", "")
		}
	}
	return &req, nil
}

// CompleteOutput is CompleteMultipartUploadResult.
type CompleteOutput struct {
	XMLName  xml.Name    `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CompleteMultipartUploadResult"`
	Header   http.Header `rest:"headers" xml:"-"`
	Location string      `xml:"Location"`
	Bucket   string      `xml:"Bucket"`
	Key      string      `xml:"Key"`
	ETag     string      `xml:"ETag"`
	Checksums
}

// Checksums are the checksum members of several results.
type Checksums struct {
	ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
}

// CompleteMultipartUpload assembles the listed parts into the object. Its ETag is the MD5 of the
// parts' MD5s followed by "-N". Completing an upload that already completed into the key's
// current object answers that object again, as AWS does.
func (s *Service) CompleteMultipartUpload(ctx context.Context, in *CompleteInput) (*CompleteOutput, error) {
	doc, err := readDoc(in.Body)
	if err != nil {
		return nil, err
	}
	up, err := s.upload(ctx, in.Bucket, in.Key, in.UploadID)
	if err != nil {
		return s.completedBefore(ctx, in, err)
	}
	req, err := parseComplete(doc)
	if err != nil {
		return nil, err
	}
	pre, err := preconditionOf(in.Header)
	if err != nil {
		return nil, err
	}
	o, err := s.assemble(ctx, up, req)
	if err != nil {
		return nil, err
	}
	b, _ := s.bucketFor(ctx, in.Bucket)
	o.VersionID = versionFor(b)
	freed, err := s.store.CompleteUpload(ctx, up.ID, o, pre, s.events(ctx, b, "ObjectCreated:CompleteMultipartUpload", o)...)
	if errors.Is(err, store.ErrNotFound) && pre == nil {
		return nil, noSuchUpload(up.ID)
	}
	if err != nil {
		return nil, s.writeError(err, in.Bucket, in.Key, pre)
	}
	s.free(ctx, freed)
	return s.completed(b, o), nil
}

func (s *Service) completed(b store.Bucket, o store.Object) *CompleteOutput {
	out := &CompleteOutput{Header: http.Header{}, Location: "/" + o.Bucket + "/" + o.Key, Bucket: o.Bucket, Key: o.Key, ETag: o.ETag}
	setVersionHeader(out.Header, b, o.VersionID)
	echoSSE(out.Header, o.Meta)
	for alg, v := range o.Meta.Checksums {
		var r copyObjectResult
		r.setChecksum(checksum.Algorithm(alg), v)
		out.ChecksumCRC32 += r.ChecksumCRC32
		out.ChecksumCRC32C += r.ChecksumCRC32C
		out.ChecksumCRC64NVME += r.ChecksumCRC64NVME
		out.ChecksumSHA1 += r.ChecksumSHA1
		out.ChecksumSHA256 += r.ChecksumSHA256
	}
	out.ChecksumType = o.Meta.Checksums["TYPE"]
	return out
}

// completedBefore answers a repeated Complete of an upload that made the key's current object.
func (s *Service) completedBefore(ctx context.Context, in *CompleteInput, err error) (*CompleteOutput, error) {
	if awserr.As(err).Code != ErrNoSuchUpload {
		return nil, err
	}
	b, o, lerr := s.lookup(ctx, in.Bucket, in.Key, "")
	if lerr != nil || o.Meta.Upload != in.UploadID {
		return nil, err
	}
	return s.completed(b, o), nil
}

// assemble checks the listed parts against the stored ones and builds the object.
func (s *Service) assemble(ctx context.Context, up store.Upload, req *completeRequest) (store.Object, error) {
	stored, err := s.store.ListParts(ctx, up.ID, 0, 0)
	if err != nil {
		return store.Object{}, err
	}
	byNum := make(map[int]store.Part, len(stored))
	for _, p := range stored {
		byNum[p.Number] = p
	}
	md := md5.New()
	o := store.Object{Bucket: up.Bucket, Key: up.Key, Modified: s.now(), Meta: up.Meta}
	o.Meta.Upload, o.Meta.Parts = up.ID, nil
	alg := checksum.Algorithm(up.Meta.Checksums["ALGORITHM"])
	sums := []byte{}
	for i, cp := range req.Parts {
		p, ok := byNum[cp.PartNumber]
		if !ok || unquote(cp.ETag) != unquote(p.ETag) {
			return o, ErrInvalidPart.Errorf("One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.").
				With("UploadId", up.ID).With("PartNumber", strconv.Itoa(cp.PartNumber)).With("ETag", cp.ETag)
		}
		if i < len(req.Parts)-1 && p.Size < MinPartSize {
			return o, ErrEntityTooSmall.Errorf("Your proposed upload is smaller than the minimum allowed object size.").
				With("ProposedSize", strconv.FormatInt(p.Size, 10)).With("MinSizeAllowed", strconv.Itoa(MinPartSize)).
				With("PartNumber", strconv.Itoa(p.Number)).With("ETag", unquote(p.ETag))
		}
		raw, _ := hex.DecodeString(unquote(p.ETag))
		md.Write(raw)
		o.Size += p.Size
		o.Data = append(o.Data, store.Blob{Ref: p.Ref, Size: p.Size})
		o.Meta.Parts = append(o.Meta.Parts, p.Size)
		if alg != "" {
			sums = append(sums, partSum(p.Checksum, alg)...)
		}
	}
	o.ETag = fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(md.Sum(nil)), len(req.Parts))
	o.Meta.Checksums = nil
	if alg != "" {
		o.Meta.Checksums = map[string]string{string(alg): alg.Sum(sums) + "-" + strconv.Itoa(len(req.Parts)), "TYPE": "COMPOSITE"}
	}
	return o, nil
}

// partSum is the raw digest of a part's stored "ALG:base64" checksum.
func partSum(stored string, alg checksum.Algorithm) []byte {
	prefix := string(alg) + ":"
	if len(stored) <= len(prefix) || stored[:len(prefix)] != prefix {
		return nil
	}
	b, _ := base64.StdEncoding.DecodeString(stored[len(prefix):])
	return b
}

// AbortInput names an upload.
type AbortInput struct {
	Bucket   string `rest:"uri=Bucket"`
	Key      string `rest:"uri=Key"`
	UploadID string `rest:"query=uploadId"`
}

// AbortMultipartUpload discards an upload and its parts.
func (s *Service) AbortMultipartUpload(ctx context.Context, in *AbortInput) (*NoContent, error) {
	if _, err := s.upload(ctx, in.Bucket, in.Key, in.UploadID); err != nil {
		return nil, err
	}
	freed, err := s.store.AbortUpload(ctx, in.UploadID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, noSuchUpload(in.UploadID)
	}
	if err != nil {
		return nil, err
	}
	s.free(ctx, freed)
	return noContent(), nil
}
