package sigv4

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/checksum"
)

// Limits on aws-chunked framing, against denial of service.
const (
	MaxChunkSize     = 16 << 20 // largest chunk accepted
	MinChunkSize     = 8 << 10  // smallest signed chunk that may be followed by another data chunk
	maxChunkLine     = 4 << 10  // longest chunk header or trailer line
	maxTrailerLines  = 16
	chunkSigPrefix   = "chunk-signature="
	trailerSigHeader = "x-amz-trailer-signature"
)

// chain is the state that links chunk signatures: the signing key, the request's date and scope,
// and the previous signature (the seed is the Authorization header's).
type chain struct {
	key         []byte
	date, scope string
	prev        string
}

func (c *chain) next(kind, payloadHash string) string {
	sts := kind + "\n" + c.date + "\n" + c.scope + "\n" + c.prev + "\n" + payloadHash
	return sign(c.key, sts)
}

// Body is a verifying request body for S3. It yields the decoded payload and reports any integrity
// failure (payload hash, chunk or trailer signature, checksum, framing, length) as an *awserr.Error
// from the Read that would otherwise return io.EOF, so a handler that commits only after a clean EOF
// never stores a tampered upload. Nothing is buffered beyond one signed chunk.
type Body struct {
	src  io.ReadCloser
	br   *bufio.Reader
	mode string

	sha     hash.Hash // "hash" mode: sha256 of the body, compared with wantSHA at EOF
	wantSHA string

	alg      checksum.Algorithm // the checksum being verified, if any
	sum      hash.Hash
	wantSum  string // from the x-amz-checksum-* header; trailers supply it otherwise
	verified string // the verified checksum value after EOF

	chain     chain
	trailers  []string // announced in x-amz-trailer
	declared  int64    // x-amz-decoded-content-length, or Content-Length for raw bodies (-1 unknown)
	n         int64    // decoded bytes delivered
	chunk     []byte   // the current verified signed chunk
	remaining int64    // bytes left in the current unsigned chunk
	small     bool     // the previous data chunk was below MinChunkSize
	err       error
}

func newBody(r *http.Request, mode, payloadHash string, c chain) (*Body, error) {
	b := &Body{src: r.Body, mode: mode, chain: c, declared: r.ContentLength}
	if b.src == nil {
		b.src = http.NoBody
	}
	if err := b.setHeaderChecksum(r); err != nil {
		return nil, err
	}
	switch mode {
	case "hash":
		b.sha, b.wantSHA = sha256.New(), payloadHash
	case unsignedBody:
	default: // aws-chunked
		// aws-sdk-go-v2 leaves the header out when it streams a body of unknown length; the
		// decoded length is then whatever the chunks carry.
		b.declared = -1
		if h := r.Header.Get("X-Amz-Decoded-Content-Length"); h != "" {
			dl, err := strconv.ParseInt(h, 10, 64)
			if err != nil || dl < 0 {
				return nil, awserr.New(awserr.InvalidRequest, "x-amz-decoded-content-length must be a non-negative integer.")
			}
			b.declared = dl
		}
		b.br = newBufReader(b.src)
		if err := b.setTrailers(r); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// setHeaderChecksum picks up an x-amz-checksum-<alg> request header to verify against the payload.
func (b *Body) setHeaderChecksum(r *http.Request) error {
	for name, vals := range r.Header {
		alg, ok := checksum.FromHeader(name)
		if !ok {
			continue
		}
		if b.alg != "" {
			return awserr.New(awserr.InvalidRequest, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		b.alg, b.sum, b.wantSum = alg, alg.New(), vals[0]
	}
	return nil
}

func (b *Body) setTrailers(r *http.Request) error {
	announced := r.Header.Get("X-Amz-Trailer")
	if announced == "" {
		if b.mode != streamSigned {
			return awserr.New(awserr.InvalidRequest, "x-amz-trailer is required for trailer payloads.")
		}
		return nil
	}
	if b.mode == streamSigned {
		return awserr.New(awserr.InvalidRequest, "x-amz-trailer is not allowed with STREAMING-AWS4-HMAC-SHA256-PAYLOAD.")
	}
	for _, name := range strings.Split(announced, ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		alg, ok := checksum.FromHeader(name)
		if !ok {
			return awserr.New(awserr.InvalidRequest, "The value specified in the x-amz-trailer header is not supported")
		}
		if b.alg != "" && b.alg != alg {
			return awserr.New(awserr.InvalidRequest, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		b.alg, b.sum = alg, alg.New()
		b.trailers = append(b.trailers, name)
	}
	return nil
}

func newBufReader(r io.Reader) *bufio.Reader { return bufio.NewReaderSize(r, 64<<10) }

// DecodedLength is the payload's length as the client declared it, or -1 when unknown.
func (b *Body) DecodedLength() int64 { return b.declared }

// Checksum returns the verified checksum after the body has been read to a clean EOF.
func (b *Body) Checksum() (checksum.Algorithm, string, bool) {
	if b.verified == "" {
		return "", "", false
	}
	return b.alg, b.verified, true
}

// Close closes the underlying body.
func (b *Body) Close() error { return b.src.Close() }

// Read implements io.Reader.
func (b *Body) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	var n int
	var err error
	if b.br == nil {
		n, err = b.readRaw(p)
	} else {
		n, err = b.readChunked(p)
	}
	if err != nil {
		b.err = err
	}
	return n, err
}

func (b *Body) readRaw(p []byte) (int, error) {
	n, err := b.src.Read(p)
	b.consume(p[:n])
	if err == io.EOF {
		return n, b.finish()
	}
	if err != nil {
		return n, readError(err)
	}
	return n, nil
}

func (b *Body) consume(p []byte) {
	b.n += int64(len(p))
	if b.sha != nil {
		b.sha.Write(p)
	}
	if b.sum != nil {
		b.sum.Write(p)
	}
}

// finish runs the end-of-payload checks and returns io.EOF when they pass.
func (b *Body) finish() error {
	if b.declared >= 0 && b.n != b.declared {
		return awserr.New(awserr.IncompleteBody, "The request body terminated unexpectedly")
	}
	if b.sha != nil && hex.EncodeToString(b.sha.Sum(nil)) != b.wantSHA {
		return awserr.New(awserr.ContentSHA256Mismatch, "The provided 'x-amz-content-sha256' header does not match what was computed.").
			With("ClientComputedContentSHA256", b.wantSHA).
			With("S3ComputedContentSHA256", hex.EncodeToString(b.sha.Sum(nil)))
	}
	if b.sum != nil {
		got := checksum.Encode(b.sum)
		if b.wantSum == "" {
			return awserr.New(awserr.IncompleteBody, "The announced trailing checksum %s was not sent.", b.alg.Header())
		}
		if got != b.wantSum {
			return awserr.New(awserr.BadDigest, "The %s you specified did not match the calculated checksum.", b.alg)
		}
		b.verified = got
	}
	return io.EOF
}

func readError(err error) error { return awserr.FromRead(err) }

func (b *Body) readChunked(p []byte) (int, error) {
	for {
		if len(b.chunk) > 0 {
			n := copy(p, b.chunk)
			b.chunk = b.chunk[n:]
			return n, nil
		}
		if b.remaining > 0 {
			return b.readUnsignedData(p)
		}
		done, err := b.nextChunk()
		if err != nil {
			return 0, err
		}
		if done {
			return 0, b.finish()
		}
	}
}

func (b *Body) signedChunks() bool { return b.mode == streamSigned || b.mode == streamSignedT }

// nextChunk reads one chunk header and, for signed chunks, the whole chunk, which it verifies
// before any of it is released. It reports done after the final chunk and its trailers.
func (b *Body) nextChunk() (done bool, err error) {
	line, err := b.line()
	if err != nil {
		return false, err
	}
	sizeHex, ext, _ := strings.Cut(line, ";")
	size, perr := strconv.ParseInt(strings.TrimSpace(sizeHex), 16, 64)
	if perr != nil || size < 0 {
		return false, framing("malformed chunk size")
	}
	if size > MaxChunkSize {
		return false, awserr.New(awserr.InvalidRequest, "Chunk size %d exceeds the maximum of %d bytes.", size, MaxChunkSize)
	}
	if b.declared >= 0 && b.n+size > b.declared {
		return false, framing("chunks exceed x-amz-decoded-content-length")
	}
	if size > 0 && b.small && b.signedChunks() {
		return false, awserr.New(awserr.InvalidRequest, "Only the last chunk is allowed to have a size less than 8192 bytes")
	}
	b.small = size < MinChunkSize
	if !b.signedChunks() {
		if ext != "" && !strings.HasPrefix(ext, chunkSigPrefix) {
			return false, framing("unexpected chunk extension")
		}
		if size == 0 {
			return true, b.readTrailers()
		}
		b.remaining = size
		return false, nil
	}
	sig, ok := strings.CutPrefix(ext, chunkSigPrefix)
	if !ok || len(sig) != 64 {
		return false, framing("missing chunk-signature")
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(b.br, data); err != nil {
		return false, readError(err)
	}
	if size > 0 {
		if err := b.crlf(); err != nil {
			return false, err
		}
	}
	want := b.chain.next("AWS4-HMAC-SHA256-PAYLOAD", emptySHA256+"\n"+hashHex(data))
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return false, awserr.New(awserr.SignatureMismatch, "The chunk signature we calculated does not match the signature you provided.")
	}
	b.chain.prev = sig
	b.consume(data)
	if size == 0 {
		return true, b.readTrailers()
	}
	b.chunk = data
	return false, nil
}

func (b *Body) readUnsignedData(p []byte) (int, error) {
	if int64(len(p)) > b.remaining {
		p = p[:b.remaining]
	}
	n, err := b.br.Read(p)
	b.remaining -= int64(n)
	b.consume(p[:n])
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return n, readError(err)
	}
	if b.remaining == 0 {
		if err := b.crlf(); err != nil {
			return n, err
		}
	}
	return n, nil
}

// readTrailers reads the trailer lines after the final chunk up to the terminating empty line,
// checking names against x-amz-trailer and, in signed mode, the trailer signature.
func (b *Body) readTrailers() error {
	var canonical strings.Builder
	sigSeen := false
	seen := 0
	for i := 0; ; i++ {
		if i > maxTrailerLines {
			return framing("too many trailer lines")
		}
		line, err := b.line()
		if err != nil {
			return err
		}
		if line == "" {
			break
		}
		if sigSeen {
			return framing("trailer after x-amz-trailer-signature")
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return framing("malformed trailer")
		}
		name, value = strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(value)
		if name == trailerSigHeader {
			if b.mode != streamSignedT {
				return framing("unexpected trailer signature")
			}
			want := b.chain.next("AWS4-HMAC-SHA256-TRAILER", hashHex([]byte(canonical.String())))
			if !hmac.Equal([]byte(want), []byte(value)) {
				return awserr.New(awserr.SignatureMismatch, "The trailer signature we calculated does not match the signature you provided.")
			}
			sigSeen = true
			continue
		}
		if !contains(b.trailers, name) {
			return awserr.New(awserr.InvalidRequest, "The trailer %q was not announced in x-amz-trailer.", name)
		}
		canonical.WriteString(name + ":" + value + "\n")
		b.wantSum = value
		seen++
	}
	if b.mode == streamSignedT && !sigSeen {
		return awserr.New(awserr.SignatureMismatch, "The trailer signature is missing.")
	}
	if seen != len(b.trailers) {
		return awserr.New(awserr.IncompleteBody, "An announced trailer was not sent.")
	}
	return nil
}

// line reads one CRLF-terminated line of at most maxChunkLine bytes, without the CRLF.
func (b *Body) line() (string, error) {
	var buf []byte
	for {
		frag, err := b.br.ReadSlice('\n')
		buf = append(buf, frag...)
		if len(buf) > maxChunkLine {
			return "", framing("chunk header line too long")
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return "", readError(err)
		}
		break
	}
	s := string(buf)
	if !strings.HasSuffix(s, "\r\n") {
		return "", framing("chunk line not terminated by CRLF")
	}
	return s[:len(s)-2], nil
}

func (b *Body) crlf() error {
	var two [2]byte
	if _, err := io.ReadFull(b.br, two[:]); err != nil {
		return readError(err)
	}
	if two != [2]byte{'\r', '\n'} {
		return framing("chunk data not followed by CRLF")
	}
	return nil
}

func framing(what string) error {
	return awserr.New(awserr.IncompleteBody, "The aws-chunked request body is malformed: %s.", what)
}
