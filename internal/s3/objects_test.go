package s3_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

func TestMetadataRangesAndConditions(t *testing.T) {
	each(t, func(t *testing.T, c *s3.Client, srv *gureumtest.Server) {
		mustBucket(t, c, "meta")
		body := "0123456789abcdef"
		_, err := c.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String("meta"), Key: aws.String("doc.txt"), Body: strings.NewReader(body),
			ContentType: aws.String("text/plain"), CacheControl: aws.String("max-age=60"), ContentDisposition: aws.String("inline"),
			ContentLanguage: aws.String("ko"), Metadata: map[string]string{"Color": "blue", "size": "L"},
			StorageClass: types.StorageClassStandardIa, Tagging: aws.String("a=1&b=2")})
		if err != nil {
			t.Fatalf("PutObject: %v", err)
		}
		h, err := c.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String("meta"), Key: aws.String("doc.txt")})
		if err != nil {
			t.Fatal(err)
		}
		if *h.ContentType != "text/plain" || *h.CacheControl != "max-age=60" || *h.ContentDisposition != "inline" ||
			*h.ContentLanguage != "ko" || h.Metadata["color"] != "blue" || h.Metadata["size"] != "L" ||
			h.StorageClass != types.StorageClassStandardIa || *h.TagCount != 2 {
			t.Errorf("HeadObject = %+v", h)
		}
		rg, err := c.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String("meta"), Key: aws.String("doc.txt"), Range: aws.String("bytes=2-5"),
			ResponseContentType: aws.String("application/x-test")})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rg.Body)
		if string(got) != "2345" || *rg.ContentRange != "bytes 2-5/16" || *rg.ContentType != "application/x-test" {
			t.Errorf("GetObject(bytes=2-5) = %q, %s, %s", got, *rg.ContentRange, *rg.ContentType)
		}
		suffix, _ := c.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String("meta"), Key: aws.String("doc.txt"), Range: aws.String("bytes=-3")})
		if got, _ := io.ReadAll(suffix.Body); string(got) != "def" {
			t.Errorf("GetObject(bytes=-3) = %q; want def", got)
		}
		_, err = c.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String("meta"), Key: aws.String("doc.txt"), Range: aws.String("bytes=16-")})
		if code(err) != "InvalidRange" {
			t.Errorf("GetObject(bytes=16-) = %v; want InvalidRange", err)
		}
		etag := md5hex(body)
		_, err = c.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String("meta"), Key: aws.String("doc.txt"), IfNoneMatch: aws.String(etag)})
		if code(err) != "NotModified" {
			t.Errorf("GetObject(If-None-Match: etag) = %v; want NotModified", err)
		}
		_, err = c.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String("meta"), Key: aws.String("doc.txt"), IfMatch: aws.String(`"nope"`)})
		if code(err) != "PreconditionFailed" {
			t.Errorf("GetObject(If-Match: other) = %v; want PreconditionFailed", err)
		}
		_, err = c.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String("meta"), Key: aws.String("doc.txt"), IfModifiedSince: aws.Time(time.Now().Add(time.Hour))})
		if code(err) != "NotModified" {
			t.Errorf("GetObject(If-Modified-Since: future) = %v; want NotModified", err)
		}
		_, err = c.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String("meta"), Key: aws.String("doc.txt"), IfUnmodifiedSince: aws.Time(time.Now().Add(-time.Hour))})
		if code(err) != "PreconditionFailed" {
			t.Errorf("GetObject(If-Unmodified-Since: past) = %v; want PreconditionFailed", err)
		}
		// Conditional writes.
		_, err = c.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String("meta"), Key: aws.String("doc.txt"), Body: strings.NewReader("x"), IfNoneMatch: aws.String("*")})
		if code(err) != "PreconditionFailed" {
			t.Errorf("PutObject(If-None-Match: *, exists) = %v; want PreconditionFailed", err)
		}
		_, err = c.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String("meta"), Key: aws.String("new.txt"), Body: strings.NewReader("x"), IfNoneMatch: aws.String("*")})
		if err != nil {
			t.Errorf("PutObject(If-None-Match: *, absent) = %v", err)
		}
		_, err = c.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String("meta"), Key: aws.String("doc.txt"), Body: strings.NewReader("y"), IfMatch: aws.String(`"nope"`)})
		if code(err) != "PreconditionFailed" {
			t.Errorf("PutObject(If-Match: other) = %v; want PreconditionFailed", err)
		}
		_, err = c.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String("meta"), Key: aws.String("doc.txt"), Body: strings.NewReader("y"), IfMatch: aws.String(etag)})
		if err != nil {
			t.Errorf("PutObject(If-Match: current) = %v", err)
		}
	})
}

func TestChecksumsAndDigests(t *testing.T) {
	each(t, func(t *testing.T, c *s3.Client, srv *gureumtest.Server) {
		mustBucket(t, c, "sums")
		// Without a checksum from the client (the SDK sends none over plain HTTP with a seekable
		// body), S3 computes a CRC64NVME.
		out := put(t, c, "sums", "default", "hello")
		if out.ChecksumCRC64NVME == nil || out.ChecksumType != types.ChecksumTypeFullObject {
			t.Errorf("PutObject default checksum = %v %s; want a CRC64NVME, FULL_OBJECT", out.ChecksumCRC64NVME, out.ChecksumType)
		}
		out, err := c.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String("crc32"), Body: strings.NewReader("hello"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		if err != nil || out.ChecksumCRC32 == nil || *out.ChecksumCRC32 != "NhCmhg==" {
			t.Errorf("PutObject(CRC32) = %v, %v; want NhCmhg==", out, err)
		}
		for _, alg := range []types.ChecksumAlgorithm{types.ChecksumAlgorithmCrc32c, types.ChecksumAlgorithmSha1, types.ChecksumAlgorithmSha256, types.ChecksumAlgorithmCrc64nvme} {
			_, err := c.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String(string(alg)), Body: strings.NewReader("hello"), ChecksumAlgorithm: alg})
			if err != nil {
				t.Errorf("PutObject(%s): %v", alg, err)
			}
		}
		g, err := c.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String("sums"), Key: aws.String("SHA256"), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		io.ReadAll(g.Body)
		if g.ChecksumSHA256 == nil || *g.ChecksumSHA256 != "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=" {
			t.Errorf("GetObject(checksum mode) SHA256 = %v", g.ChecksumSHA256)
		}
		// A wrong Content-MD5 is BadDigest and nothing is stored.
		_, err = c.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String("bad"), Body: strings.NewReader("hello"),
			ContentMD5: aws.String("1B2M2Y8AsgTpgAmY7PhCfg==")})
		if code(err) != "BadDigest" {
			t.Errorf("PutObject(wrong Content-MD5) = %v; want BadDigest", err)
		}
		if _, err := c.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String("sums"), Key: aws.String("bad")}); code(err) != "NotFound" {
			t.Errorf("HeadObject(after BadDigest) = %v; want NotFound", err)
		}
		_, err = c.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String("bad"), Body: strings.NewReader("hello"),
			ChecksumCRC32: aws.String("AAAAAA==")})
		if code(err) != "BadDigest" {
			t.Errorf("PutObject(wrong CRC32) = %v; want BadDigest", err)
		}
	})
}

// tlsFront puts a TLS listener before the server (keeping the Host the client signed), so the SDK
// streams uploads with an unsigned trailer as it does over HTTPS.
func tlsFront(t *testing.T, srv *gureumtest.Server) *s3.Client {
	target, _ := url.Parse(srv.Endpoint)
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Host = r.In.Host
	}}
	front := httptest.NewTLSServer(proxy)
	t.Cleanup(front.Close)
	cfg := srv.Config()
	cfg.BaseEndpoint = aws.String(front.URL)
	cfg.HTTPClient = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

func TestUnsignedTrailerUpload(t *testing.T) {
	each(t, func(t *testing.T, c *s3.Client, srv *gureumtest.Server) {
		mustBucket(t, c, "trail")
		tc := tlsFront(t, srv)
		payload := bytes.Repeat([]byte("trailer-"), 40000)
		out, err := tc.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String("trail"), Key: aws.String("streamed"),
			Body: io.NopCloser(bytes.NewReader(payload)), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c})
		if err != nil {
			t.Fatalf("PutObject(unsigned trailer): %v", err)
		}
		if out.ChecksumCRC32C == nil {
			t.Errorf("PutObject(unsigned trailer) returned no CRC32C")
		}
		if got := get(t, c, "trail", "streamed"); got != string(payload) {
			t.Errorf("GetObject after a trailer upload: %d bytes; want %d", len(got), len(payload))
		}
	})
}

func TestPresignedAndVirtualHosted(t *testing.T) {
	each(t, func(t *testing.T, c *s3.Client, srv *gureumtest.Server) {
		mustBucket(t, c, "presign")
		ps := s3.NewPresignClient(c)
		req, err := ps.PresignPutObject(bg, &s3.PutObjectInput{Bucket: aws.String("presign"), Key: aws.String("up load.txt")}, s3.WithPresignExpires(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		hr, _ := http.NewRequest(http.MethodPut, req.URL, strings.NewReader("presigned body"))
		resp, err := http.DefaultClient.Do(hr)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("presigned PUT = %v, %v", resp, err)
		}
		resp.Body.Close()
		greq, _ := ps.PresignGetObject(bg, &s3.GetObjectInput{Bucket: aws.String("presign"), Key: aws.String("up load.txt")})
		resp, err = http.Get(greq.URL)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "presigned body" {
			t.Errorf("presigned GET = %d %q", resp.StatusCode, b)
		}
		bad := strings.Replace(greq.URL, "X-Amz-Signature=", "X-Amz-Signature=0", 1)
		resp, _ = http.Get(bad)
		if resp.StatusCode != 403 {
			t.Errorf("presigned GET with a bad signature = %d; want 403", resp.StatusCode)
		}
		resp.Body.Close()
		// Virtual-hosted style: presign.localhost:<port>, dialled at the server.
		u, _ := url.Parse(srv.Endpoint)
		cfg := srv.Config()
		cfg.BaseEndpoint = aws.String("http://localhost:" + u.Port())
		cfg.HTTPClient = &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, u.Host)
		}}}
		vc := s3.NewFromConfig(cfg)
		if _, err := vc.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String("presign"), Key: aws.String("vhost/a"), Body: strings.NewReader("v")}); err != nil {
			t.Fatalf("PutObject(virtual-hosted): %v", err)
		}
		if got := get(t, c, "presign", "vhost/a"); got != "v" {
			t.Errorf("GetObject(path style) of a virtual-hosted PUT = %q", got)
		}
		list, err := vc.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String("presign")})
		if err != nil || len(list.Contents) != 2 {
			t.Errorf("ListObjectsV2(virtual-hosted) = %v, %v; want 2 keys", list, err)
		}
	})
}

func TestKeysByteExact(t *testing.T) {
	each(t, func(t *testing.T, c *s3.Client, srv *gureumtest.Server) {
		mustBucket(t, c, "keys")
		keys := []string{"a/b", "a/b/c", "sp ace", "a//b", "../x", "한글/파일.txt", "q?x=1&y#z", "plus+sign", "%41", strings.Repeat("k", 1024)}
		for i, k := range keys {
			put(t, c, "keys", k, k+string(rune('0'+i)))
		}
		for i, k := range keys {
			if got := get(t, c, "keys", k); got != k+string(rune('0'+i)) {
				t.Errorf("GetObject(%q) = %q", k, got)
			}
		}
		_, err := c.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String("keys"), Key: aws.String(strings.Repeat("k", 1025)), Body: strings.NewReader("x")})
		if code(err) != "KeyTooLongError" {
			t.Errorf("PutObject(1,025-byte key) = %v; want KeyTooLongError", err)
		}
	})
}

func TestCopyDeleteAndTagging(t *testing.T) {
	each(t, func(t *testing.T, c *s3.Client, srv *gureumtest.Server) {
		mustBucket(t, c, "src")
		mustBucket(t, c, "dst")
		c.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("a b"), Body: strings.NewReader("copy me"),
			ContentType: aws.String("text/x"), Metadata: map[string]string{"k": "v"}})
		cp, err := c.CopyObject(bg, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: aws.String("src/a%20b")})
		if err != nil || *cp.CopyObjectResult.ETag != md5hex("copy me") {
			t.Fatalf("CopyObject = %v, %v", cp, err)
		}
		h, _ := c.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy")})
		if *h.ContentType != "text/x" || h.Metadata["k"] != "v" {
			t.Errorf("CopyObject(COPY) metadata = %s %v", *h.ContentType, h.Metadata)
		}
		_, err = c.CopyObject(bg, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: aws.String("dst/copy"),
			MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"new": "1"}, ContentType: aws.String("text/y")})
		if err != nil {
			t.Fatalf("CopyObject(REPLACE onto itself): %v", err)
		}
		h, _ = c.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy")})
		if *h.ContentType != "text/y" || h.Metadata["new"] != "1" || h.Metadata["k"] != "" {
			t.Errorf("CopyObject(REPLACE) metadata = %s %v", *h.ContentType, h.Metadata)
		}
		_, err = c.CopyObject(bg, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: aws.String("dst/copy")})
		if code(err) != "InvalidRequest" {
			t.Errorf("CopyObject(onto itself, COPY) = %v; want InvalidRequest", err)
		}
		_, err = c.CopyObject(bg, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("x"), CopySource: aws.String("src/a%20b"), CopySourceIfMatch: aws.String(`"no"`)})
		if code(err) != "PreconditionFailed" {
			t.Errorf("CopyObject(copy-source-if-match other) = %v; want PreconditionFailed", err)
		}
		// Tagging.
		_, err = c.PutObjectTagging(bg, &s3.PutObjectTaggingInput{Bucket: aws.String("dst"), Key: aws.String("copy"),
			Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("team"), Value: aws.String("data")}}}})
		if err != nil {
			t.Fatalf("PutObjectTagging: %v", err)
		}
		tags, err := c.GetObjectTagging(bg, &s3.GetObjectTaggingInput{Bucket: aws.String("dst"), Key: aws.String("copy")})
		if err != nil || len(tags.TagSet) != 1 || *tags.TagSet[0].Value != "data" {
			t.Errorf("GetObjectTagging = %v, %v", tags, err)
		}
		many := make([]types.Tag, 11)
		for i := range many {
			many[i] = types.Tag{Key: aws.String(string(rune('a' + i))), Value: aws.String("v")}
		}
		_, err = c.PutObjectTagging(bg, &s3.PutObjectTaggingInput{Bucket: aws.String("dst"), Key: aws.String("copy"), Tagging: &types.Tagging{TagSet: many}})
		if code(err) != "BadRequest" {
			t.Errorf("PutObjectTagging(11 tags) = %v; want BadRequest", err)
		}
		c.DeleteObjectTagging(bg, &s3.DeleteObjectTaggingInput{Bucket: aws.String("dst"), Key: aws.String("copy")})
		tags, _ = c.GetObjectTagging(bg, &s3.GetObjectTaggingInput{Bucket: aws.String("dst"), Key: aws.String("copy")})
		if len(tags.TagSet) != 0 {
			t.Errorf("GetObjectTagging after delete = %v", tags.TagSet)
		}
		// DeleteObjects, verbose and quiet.
		for _, k := range []string{"d1", "d2", "d3"} {
			put(t, c, "dst", k, k)
		}
		del, err := c.DeleteObjects(bg, &s3.DeleteObjectsInput{Bucket: aws.String("dst"), Delete: &types.Delete{
			Objects: []types.ObjectIdentifier{{Key: aws.String("d1")}, {Key: aws.String("never")}}}})
		if err != nil || len(del.Deleted) != 2 || len(del.Errors) != 0 {
			t.Errorf("DeleteObjects = %+v, %v; want 2 deleted", del, err)
		}
		del, err = c.DeleteObjects(bg, &s3.DeleteObjectsInput{Bucket: aws.String("dst"), Delete: &types.Delete{Quiet: aws.Bool(true),
			Objects: []types.ObjectIdentifier{{Key: aws.String("d2")}, {Key: aws.String("d3")}}}})
		if err != nil || len(del.Deleted) != 0 || len(del.Errors) != 0 {
			t.Errorf("DeleteObjects(quiet) = %+v, %v; want nothing reported", del, err)
		}
		if list, _ := c.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String("dst")}); len(list.Contents) != 1 {
			t.Errorf("after DeleteObjects %d keys remain; want 1", len(list.Contents))
		}
	})
}
