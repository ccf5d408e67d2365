package sigv4

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/checksum"
)

// TestAWSStreamingExample replays the example in the S3 API reference page "sigv4-streaming"
// (66,560 bytes of 'a' in a 65,536-byte chunk and a 1,024-byte chunk) with its published signatures.
func TestAWSStreamingExample(t *testing.T) {
	example := &Credential{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	v := &Verifier{Keys: staticKeys{example.AccessKeyID: example}, Region: "us-east-1",
		Now: func() time.Time { return time.Date(2013, 5, 24, 0, 0, 30, 0, time.UTC) }}
	build := func(mid string) []byte {
		var b bytes.Buffer
		b.WriteString("10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n")
		b.Write(bytes.Repeat([]byte("a"), 65536))
		b.WriteString("\r\n400;chunk-signature=" + mid + "\r\n")
		b.Write(bytes.Repeat([]byte("a"), 1024))
		b.WriteString("\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n")
		return b.Bytes()
	}
	run := func(body []byte) ([]byte, error) {
		r, _ := http.NewRequest("PUT", "http://s3.amazonaws.com/examplebucket/chunkObject.txt", bytes.NewReader(body))
		r.RequestURI = "/examplebucket/chunkObject.txt"
		r.Header.Set("X-Amz-Date", "20130524T000000Z")
		r.Header.Set("X-Amz-Storage-Class", "REDUCED_REDUNDANCY")
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9")
		r.Header.Set("X-Amz-Content-Sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
		r.Header.Set("Content-Encoding", "aws-chunked")
		r.Header.Set("X-Amz-Decoded-Content-Length", "66560")
		res, err := v.Verify(context.Background(), r, Options{Service: "s3", S3: true, Payload: s3Payload})
		if err != nil {
			return nil, err
		}
		return io.ReadAll(res.Body)
	}
	good := build("0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497")
	if len(good) != 66824 {
		t.Fatalf("example body is %d bytes; the page says 66824", len(good))
	}
	got, err := run(good)
	if err != nil || !bytes.Equal(got, bytes.Repeat([]byte("a"), 66560)) {
		t.Fatalf("decode(example) = %d bytes, %v; want 66560 bytes of 'a'", len(got), err)
	}
	_, err = run(build("1055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"))
	if kindOf(err) != awserr.SignatureMismatch {
		t.Errorf("decode(wrong middle chunk signature) = %v; want SignatureMismatch", err)
	}
}

func kindOf(err error) awserr.Kind {
	if err == nil {
		return -1
	}
	return awserr.As(err).Kind
}

// chunkedUpload builds a signed aws-chunked request the way the S3 reference describes it.
type chunkedUpload struct {
	chunks    [][]byte
	mode      string
	trailer   string // trailer header name, e.g. x-amz-checksum-crc32c
	value     string // trailer value; computed when empty
	badSig    int    // index of a chunk whose signature is corrupted (-1 none)
	badTrail  bool   // corrupt the trailer signature
	extraLine string // an extra trailer line
	noFinal   bool   // drop the final empty line
}

func (u chunkedUpload) request(t *testing.T, url string) *http.Request {
	t.Helper()
	var data []byte
	for _, c := range u.chunks {
		data = append(data, c...)
	}
	r, _ := http.NewRequest("PUT", url+"/bucket/key", nil)
	r.Header.Set("X-Amz-Content-Sha256", u.mode)
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(data)))
	if u.trailer != "" {
		r.Header.Set("X-Amz-Trailer", u.trailer)
	}
	signed := u.mode != streamUnsignT
	// The body's length is signed, so frame it first with placeholder signatures of the same size.
	body := u.frame(nil, data)
	r.ContentLength = int64(len(body))
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(context.Background(), creds(rootCred), r, u.mode, "s3", "us-east-1", testNow); err != nil {
		t.Fatal(err)
	}
	if signed {
		a := r.Header.Get("Authorization")
		seed := a[strings.LastIndex(a, "=")+1:]
		c := &chain{key: deriveSigningKey(rootCred.SecretAccessKey, testNow.Format("20060102"), "us-east-1", "s3"),
			date: testNow.Format(timeFormat), scope: testNow.Format("20060102") + "/us-east-1/s3/aws4_request", prev: seed}
		body = u.frame(c, data)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return r
}

func (u chunkedUpload) frame(c *chain, data []byte) []byte {
	var b bytes.Buffer
	signed := u.mode != streamUnsignT
	for i, chunk := range append(u.chunks, nil) {
		fmt.Fprintf(&b, "%x", len(chunk))
		if signed {
			sig := strings.Repeat("0", 64)
			if c != nil {
				sig = c.next("AWS4-HMAC-SHA256-PAYLOAD", emptySHA256+"\n"+hashHex(chunk))
				c.prev = sig
				if i == u.badSig {
					sig = strings.Repeat("f", 64)
				}
			}
			b.WriteString(";chunk-signature=" + sig)
		}
		b.WriteString("\r\n")
		b.Write(chunk)
		if len(chunk) > 0 || u.trailer == "" && u.mode == streamSigned {
			b.WriteString("\r\n")
		}
	}
	if u.trailer != "" {
		alg, _ := checksum.FromHeader(u.trailer)
		value := u.value
		if value == "" {
			value = alg.Sum(data)
		}
		line := u.trailer + ":" + value
		b.WriteString(line + "\r\n")
		if u.extraLine != "" {
			b.WriteString(u.extraLine + "\r\n")
		}
		if u.mode == streamSignedT {
			sig := strings.Repeat("0", 64)
			if c != nil {
				sig = c.next("AWS4-HMAC-SHA256-TRAILER", hashHex([]byte(line+"\n")))
				if u.badTrail {
					sig = strings.Repeat("e", 64)
				}
			}
			b.WriteString("x-amz-trailer-signature:" + sig + "\r\n")
		}
		if !u.noFinal {
			b.WriteString("\r\n")
		}
	}
	return b.Bytes()
}

func TestChunkedModes(t *testing.T) {
	srv := verifyServer(t, Options{Service: "s3", S3: true, Payload: s3Payload, AllowUnsignedTrailer: true})
	big := bytes.Repeat([]byte("x"), 9000)
	tail := []byte("tail")
	want := string(big) + string(tail)
	ck := func(m chunkedUpload) chunkedUpload { m.chunks = [][]byte{big, tail}; m.badSig = -1; return m }
	tests := []struct {
		name   string
		upload chunkedUpload
		status int
		want   string
	}{
		{"signed", ck(chunkedUpload{mode: streamSigned}), 200, want},
		{"signed with trailer", ck(chunkedUpload{mode: streamSignedT, trailer: "x-amz-checksum-crc32c"}), 200, want},
		{"unsigned trailer crc32", ck(chunkedUpload{mode: streamUnsignT, trailer: "x-amz-checksum-crc32"}), 200, want},
		{"unsigned trailer crc64nvme", ck(chunkedUpload{mode: streamUnsignT, trailer: "x-amz-checksum-crc64nvme"}), 200, want},
		{"unsigned trailer sha1", ck(chunkedUpload{mode: streamUnsignT, trailer: "x-amz-checksum-sha1"}), 200, want},
		{"unsigned trailer sha256", ck(chunkedUpload{mode: streamUnsignT, trailer: "x-amz-checksum-sha256"}), 200, want},
		{"wrong chunk signature mid-stream", func() chunkedUpload { u := ck(chunkedUpload{mode: streamSigned}); u.badSig = 1; return u }(), 403, "SignatureDoesNotMatch"},
		{"wrong trailer signature", ck(chunkedUpload{mode: streamSignedT, trailer: "x-amz-checksum-crc32", badTrail: true}), 403, "SignatureDoesNotMatch"},
		{"tampered trailer checksum", ck(chunkedUpload{mode: streamUnsignT, trailer: "x-amz-checksum-crc32", value: "AAAAAA=="}), 400, "BadDigest"},
		{"tampered signed trailer checksum", ck(chunkedUpload{mode: streamSignedT, trailer: "x-amz-checksum-sha256", value: "AAAA"}), 400, "BadDigest"},
		{"unannounced trailer", ck(chunkedUpload{mode: streamUnsignT, trailer: "x-amz-checksum-crc32", extraLine: "x-amz-meta-evil:1"}), 400, "InvalidRequest"},
		{"missing terminator", ck(chunkedUpload{mode: streamUnsignT, trailer: "x-amz-checksum-crc32", noFinal: true}), 400, "IncompleteBody"},
		{"small chunk before another", chunkedUpload{mode: streamSigned, chunks: [][]byte{tail, big}, badSig: -1}, 400, "InvalidRequest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got := send(t, tt.upload.request(t, srv.URL))
			if status != tt.status || !strings.HasPrefix(got, tt.want) {
				if len(got) > 80 {
					got = got[:80]
				}
				t.Errorf("got %d %q; want %d %q", status, got, tt.status, tt.want)
			}
		})
	}
}

// TestSDKUnsignedTrailerUpload uploads through the real aws-sdk-go-v2 S3 client over TLS, where it
// streams the body as STREAMING-UNSIGNED-PAYLOAD-TRAILER with a CRC32 trailer (the default since
// January 2025), and checks that the decoded body arrives intact and a corrupted one is refused.
func TestSDKUnsignedTrailerUpload(t *testing.T) {
	v := testVerifier()
	v.Now = nil
	var gotBody []byte
	var gotMode string
	corrupt := false
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotMode = r.Header.Get("X-Amz-Content-Sha256")
		if corrupt {
			raw, _ := io.ReadAll(r.Body)
			raw[bytes.Index(raw, []byte("payload"))] ^= 1
			r.Body = io.NopCloser(bytes.NewReader(raw))
		}
		res, err := v.Verify(r.Context(), r, Options{Service: "s3", S3: true, Payload: s3Payload, AllowUnsignedTrailer: true})
		if err == nil {
			gotBody, err = io.ReadAll(res.Body)
		}
		if err != nil {
			code, e := awserr.Resolve(awserr.RESTXML, err)
			w.WriteHeader(code.Status)
			fmt.Fprintf(w, "<Error><Code>%s</Code><Message>%s</Message></Error>", code.Name, e.Message)
			return
		}
		w.Header().Set("ETag", `"x"`)
	}))
	defer srv.Close()
	client := s3.New(s3.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(srv.URL),
		UsePathStyle:     true,
		Credentials:      aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds(rootCred), nil }),
		HTTPClient:       &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}},
		RetryMaxAttempts: 1,
	})
	payload := bytes.Repeat([]byte("payload-"), 20000)
	put := func() error {
		_, err := client.PutObject(context.Background(), &s3.PutObjectInput{
			Bucket: aws.String("bucket"), Key: aws.String("dir/key with space"),
			Body: io.NopCloser(bytes.NewReader(payload)), ChecksumAlgorithm: s3types.ChecksumAlgorithmCrc32,
		})
		return err
	}
	if err := put(); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	if gotMode != streamUnsignT {
		t.Errorf("SDK sent x-amz-content-sha256 %q; want %s", gotMode, streamUnsignT)
	}
	if !bytes.Equal(gotBody, payload) {
		t.Errorf("decoded %d bytes; want the %d-byte payload", len(gotBody), len(payload))
	}
	corrupt = true
	if err := put(); err == nil || !strings.Contains(err.Error(), "BadDigest") {
		t.Errorf("PutObject(corrupted in flight) = %v; want BadDigest", err)
	}
}
