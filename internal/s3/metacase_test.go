package s3_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestUserMetadataSpelling: S3 answers user metadata as x-amz-meta-<key>, lower case, and SDKs
// keep the key after the prefix as written (boto3 showed "Sha256" for the "sha256" it stored
// while the header went out as X-Amz-Meta-Sha256). Go's client canonicalizes what it reads, so
// the answer is read off the connection.
func TestUserMetadataSpelling(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	ctx := context.Background()
	c := awss3.NewFromConfig(srv.Config(), func(o *awss3.Options) { o.UsePathStyle = true })
	if _, err := c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("spelling")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("spelling"), Key: aws.String("k"),
		Body: strings.NewReader("x"), Metadata: map[string]string{"sha256": "abc"}}); err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{"HEAD", "GET"} {
		r, _ := http.NewRequest(method, srv.Endpoint+"/spelling/k", nil)
		r.Header.Set("X-Amz-Content-Sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") // of no body
		r = gureumtest.Sign(t, r, nil, "s3")
		conn, err := net.Dial("tcp", r.URL.Host)
		if err != nil {
			t.Fatal(err)
		}
		r.Close = true
		if err := r.Write(conn); err != nil {
			t.Fatal(err)
		}
		var raw bytes.Buffer
		io.Copy(&raw, bufio.NewReader(conn))
		conn.Close()
		head, _, _ := strings.Cut(raw.String(), "\r\n\r\n")
		if !strings.Contains(head, "\r\nx-amz-meta-sha256: abc") {
			t.Errorf("%s answered headers:\n%s\nwant the line x-amz-meta-sha256: abc", method, head)
		}
	}
}
