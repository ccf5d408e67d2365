package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/blob"
	"github.com/gureum/gureum/internal/checksum"
	"github.com/gureum/gureum/internal/store"
)

// MaxPutSize is the largest single PUT (5 GiB); MaxKeyLength the longest key in bytes;
// MaxInline the largest object kept with its metadata rather than in a blob of its own (one
// synced commit instead of a file's sync, its rename and its directory's sync besides).
const (
	MaxPutSize   = 5 << 30
	MaxKeyLength = 1024
	MaxInline    = 64 << 10
)

func checkKey(key string) error {
	if len(key) > MaxKeyLength {
		return ErrKeyTooLong.Errorf("Your key is too long").With("MaxSizeAllowed", "1024").With("Size", strconv.Itoa(len(key)))
	}
	return nil
}

// upload is a body written to a blob with the digests S3 keeps.
type upload struct {
	inline   []byte // the whole body, when it is small and the caller keeps it inline (no ref)
	ref      blob.Ref
	size     int64
	md5      []byte
	alg      checksum.Algorithm
	sum      string
	declared bool // the client sent the checksum (so it is echoed)
}

func (u *upload) etag() string { return `"` + hex.EncodeToString(u.md5) + `"` }

// requestedChecksum finds the checksum a client announced: an x-amz-checksum-<alg> header (with
// its value), a trailer, or the algorithm header alone.
func requestedChecksum(h http.Header) (alg checksum.Algorithm, value string, announced bool, err error) {
	for name, v := range h {
		if a, ok := checksum.FromHeader(name); ok {
			if alg != "" {
				return "", "", false, ErrInvalidRequest.Errorf("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
			}
			alg, value = a, v[0]
		}
	}
	if alg != "" {
		return alg, value, true, nil
	}
	for _, name := range []string{"X-Amz-Trailer", "X-Amz-Sdk-Checksum-Algorithm", "X-Amz-Checksum-Algorithm"} {
		v := h.Get(name)
		if v == "" {
			continue
		}
		a, ok := checksum.FromHeader(v)
		if !ok {
			a, ok = checksum.Parse(v)
		}
		if !ok {
			return "", "", false, invalidArgument("Value for x-amz-checksum-algorithm header is invalid.", "x-amz-checksum-algorithm", v)
		}
		return a, "", true, nil
	}
	return checksum.CRC64NVME, "", false, nil
}

// declaredLength is the payload length the client announced, or -1.
func declaredLength(h http.Header) int64 {
	for _, name := range []string{"X-Amz-Decoded-Content-Length", "Content-Length"} {
		if v := h.Get(name); v != "" {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				return n
			}
		}
	}
	return -1
}

// receive streams body into a new blob, computing its MD5 and checksum, and checks them against
// Content-MD5 and a checksum header. The blob is durable when receive returns without error; on
// error there is none.
func (s *Service) receive(ctx context.Context, h http.Header, body io.Reader, max int64, inline bool) (*upload, error) {
	if n := declaredLength(h); n > max {
		return nil, ErrEntityTooLarge.Errorf("Your proposed upload exceeds the maximum allowed size").
			With("ProposedSize", strconv.FormatInt(n, 10)).With("MaxSizeAllowed", strconv.FormatInt(max, 10))
	}
	wantMD5, err := contentMD5(h)
	if err != nil {
		return nil, err
	}
	alg, wantSum, announced, err := requestedChecksum(h)
	if err != nil {
		return nil, err
	}
	if body == nil {
		body = http.NoBody
	}
	md := md5.New()
	sum := alg.New()
	src := io.TeeReader(&io.LimitedReader{R: body, N: max + 1}, io.MultiWriter(md, sum))
	u := &upload{alg: alg, declared: announced}
	if err := s.keep(ctx, u, src, inline); err != nil {
		return nil, err
	}
	u.md5, u.sum = md.Sum(nil), checksum.Encode(sum)
	if err := u.verify(u.size, max, wantMD5, wantSum); err != nil {
		if u.ref != "" {
			s.blobs.Delete(context.WithoutCancel(ctx), u.ref)
		}
		return nil, err
	}
	return u, nil
}

// keep reads src to its end: a body of at most MaxInline bytes stays in memory (when inline is
// allowed), a larger one streams into a blob.
func (s *Service) keep(ctx context.Context, u *upload, src io.Reader, inline bool) error {
	var head []byte
	if inline {
		head = make([]byte, MaxInline+1)
		n, err := io.ReadFull(src, head)
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			u.inline, u.size = head[:n:n], int64(n)
			return nil
		case err != nil:
			return readFailure(err)
		}
	}
	ref, n, err := s.blobs.Put(ctx, io.MultiReader(bytes.NewReader(head), src))
	if err != nil {
		return readFailure(err)
	}
	u.ref, u.size = ref, n
	return nil
}

func readFailure(err error) error {
	var e *awserr.Error
	if errors.As(err, &e) {
		return e
	}
	return awserr.FromRead(err)
}

func (u *upload) verify(n, max int64, wantMD5 []byte, wantSum string) error {
	if n > max {
		return ErrEntityTooLarge.Errorf("Your proposed upload exceeds the maximum allowed size").
			With("MaxSizeAllowed", strconv.FormatInt(max, 10))
	}
	if wantMD5 != nil && string(wantMD5) != string(u.md5) {
		return ErrBadDigest.Errorf("The Content-MD5 you specified did not match what we received.").
			With("ExpectedDigest", hex.EncodeToString(wantMD5)).With("CalculatedDigest", base64.StdEncoding.EncodeToString(u.md5))
	}
	if wantSum != "" && wantSum != u.sum {
		return ErrBadDigest.Errorf("The %s you specified did not match the calculated checksum.", u.alg)
	}
	return nil
}

func contentMD5(h http.Header) ([]byte, error) {
	v := h.Get("Content-Md5")
	if v == "" {
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(b) != md5.Size {
		return nil, ErrInvalidDigest.Errorf("The Content-MD5 you specified was not valid.").With("Content-MD5", v)
	}
	return b, nil
}

// checkMD5 verifies a small document against Content-MD5 (DeleteObjects, lifecycle, …).
func checkMD5(h http.Header, doc []byte) error {
	want, err := contentMD5(h)
	if err != nil || want == nil {
		return err
	}
	got := md5.Sum(doc)
	if string(got[:]) != string(want) {
		return ErrBadDigest.Errorf("The Content-MD5 you specified did not match what we received.")
	}
	return nil
}

// dataReader reads [off, off+n) of an object's blobs in turn, opening each when it is reached.
type dataReader struct {
	ctx   context.Context
	blobs blob.Store
	data  []store.Blob
	idx   int   // the blob being read
	skip  int64 // offset into data[idx] still to seek to
	n     int64 // bytes left
	cur   blob.Reader
}

func (s *Service) openData(ctx context.Context, o store.Object, off, n int64) io.ReadCloser {
	if len(o.Data) == 0 {
		end := min(off+n, int64(len(o.Inline)))
		return io.NopCloser(bytes.NewReader(o.Inline[min(off, end):end]))
	}
	data := o.Data
	r := &dataReader{ctx: ctx, blobs: s.blobs, data: data, n: n}
	for r.idx < len(data) && off >= data[r.idx].Size && data[r.idx].Size >= 0 {
		off -= data[r.idx].Size
		r.idx++
	}
	r.skip = off
	return r
}

func (r *dataReader) Read(p []byte) (int, error) {
	for {
		if r.n <= 0 {
			return 0, io.EOF
		}
		if r.cur == nil {
			if r.idx >= len(r.data) {
				return 0, io.ErrUnexpectedEOF
			}
			b, err := r.blobs.Open(r.ctx, blob.Ref(r.data[r.idx].Ref))
			if err != nil {
				return 0, err
			}
			if _, err := b.Seek(r.skip, io.SeekStart); err != nil {
				b.Close()
				return 0, err
			}
			r.cur, r.skip = b, 0
		}
		if int64(len(p)) > r.n {
			p = p[:r.n]
		}
		k, err := r.cur.Read(p)
		r.n -= int64(k)
		if err == io.EOF {
			r.cur.Close()
			r.cur = nil
			r.idx++
			err = nil
		}
		if k > 0 || err != nil {
			return k, err
		}
	}
}

func (r *dataReader) Close() error {
	if r.cur != nil {
		return r.cur.Close()
	}
	return nil
}

// copyData copies an object's range into a new blob (CopyObject, UploadPartCopy).
func (s *Service) copyData(ctx context.Context, src store.Object, off, n int64, alg checksum.Algorithm) (*upload, error) {
	r := s.openData(ctx, src, off, n)
	defer r.Close()
	md := md5.New()
	var sum hash.Hash = md5.New()
	if alg != "" {
		sum = alg.New()
	}
	ref, size, err := s.blobs.Put(ctx, io.TeeReader(r, io.MultiWriter(md, sum)))
	if err != nil {
		return nil, err
	}
	u := &upload{ref: ref, size: size, md5: md.Sum(nil), alg: alg}
	if alg != "" {
		u.sum = checksum.Encode(sum)
	}
	return u, nil
}

func unquote(etag string) string { return strings.Trim(strings.TrimSpace(etag), `"`) }

// data is the blob list of a received body ("none" when it is inline).
func (u *upload) data() []store.Blob {
	if u.ref == "" {
		return nil
	}
	return []store.Blob{{Ref: string(u.ref), Size: u.size}}
}
