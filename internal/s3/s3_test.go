package s3_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/gureum/gureum/internal/gureumtest"
)

var bg = context.Background()

// each runs fn against a fresh server on every store backend, with a path-style client.
func each(t *testing.T, fn func(t *testing.T, c *s3.Client, srv *gureumtest.Server)) {
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			srv := gureumtest.Start(t, gureumtest.Options{Args: append([]string{"--log-level", "warn"}, b.Args...)})
			fn(t, client(srv, true), srv)
		})
	}
}

func client(srv *gureumtest.Server, pathStyle bool) *s3.Client {
	return s3.NewFromConfig(srv.Config(), func(o *s3.Options) { o.UsePathStyle = pathStyle })
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return fmt.Sprintf("no API error: %v", err)
}

func mustBucket(t *testing.T, c *s3.Client, name string) {
	t.Helper()
	if _, err := c.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("CreateBucket(%s): %v", name, err)
	}
}

func put(t *testing.T, c *s3.Client, bucket, key, body string) *s3.PutObjectOutput {
	t.Helper()
	out, err := c.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
	if err != nil {
		t.Fatalf("PutObject(%s/%s): %v", bucket, key, err)
	}
	return out
}

func get(t *testing.T, c *s3.Client, bucket, key string) string {
	t.Helper()
	out, err := c.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject(%s/%s): %v", bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("GetObject(%s/%s) body: %v", bucket, key, err)
	}
	return string(b)
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

func TestBuckets(t *testing.T) {
	each(t, func(t *testing.T, c *s3.Client, srv *gureumtest.Server) {
		mustBucket(t, c, "photos")
		if _, err := c.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("photos")}); err != nil {
			t.Errorf("CreateBucket(own, us-east-1) = %v; want success as AWS answers in us-east-1", err)
		}
		for _, bad := range []string{"ab", "UPPER", "-dash", "a..b", "192.168.1.1", "xn--abc", strings.Repeat("a", 64)} {
			_, err := c.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String(bad)})
			if code(err) != "InvalidBucketName" {
				t.Errorf("CreateBucket(%q) = %v; want InvalidBucketName", bad, err)
			}
		}
		if _, err := c.HeadBucket(bg, &s3.HeadBucketInput{Bucket: aws.String("photos")}); err != nil {
			t.Errorf("HeadBucket: %v", err)
		}
		if _, err := c.HeadBucket(bg, &s3.HeadBucketInput{Bucket: aws.String("nope")}); code(err) != "NotFound" {
			t.Errorf("HeadBucket(missing) = %v; want NotFound", err)
		}
		loc, err := c.GetBucketLocation(bg, &s3.GetBucketLocationInput{Bucket: aws.String("photos")})
		if err != nil || loc.LocationConstraint != "" {
			t.Errorf("GetBucketLocation = %v, %v; want the empty constraint (us-east-1)", loc, err)
		}
		mustBucket(t, c, "videos")
		list, err := c.ListBuckets(bg, &s3.ListBucketsInput{})
		if err != nil || len(list.Buckets) != 2 || *list.Buckets[0].Name != "photos" || list.Owner == nil {
			t.Errorf("ListBuckets = %+v, %v; want photos, videos with an owner", list, err)
		}
		put(t, c, "photos", "a.jpg", "x")
		if _, err := c.DeleteBucket(bg, &s3.DeleteBucketInput{Bucket: aws.String("photos")}); code(err) != "BucketNotEmpty" {
			t.Errorf("DeleteBucket(non-empty) = %v; want BucketNotEmpty", err)
		}
		if _, err := c.DeleteBucket(bg, &s3.DeleteBucketInput{Bucket: aws.String("videos")}); err != nil {
			t.Errorf("DeleteBucket: %v", err)
		}
		if _, err := c.DeleteBucket(bg, &s3.DeleteBucketInput{Bucket: aws.String("videos")}); code(err) != "NoSuchBucket" {
			t.Errorf("DeleteBucket(again) = %v; want NoSuchBucket", err)
		}
	})
}

func TestObjects(t *testing.T) {
	each(t, func(t *testing.T, c *s3.Client, srv *gureumtest.Server) {
		mustBucket(t, c, "bkt")
		out := put(t, c, "bkt", "hello.txt", "hello world")
		if *out.ETag != md5hex("hello world") {
			t.Errorf("PutObject ETag = %s; want %s", *out.ETag, md5hex("hello world"))
		}
		if got := get(t, c, "bkt", "hello.txt"); got != "hello world" {
			t.Errorf("GetObject = %q", got)
		}
		_, err := c.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("missing")})
		var nsk *types.NoSuchKey
		if !errors.As(err, &nsk) {
			t.Errorf("GetObject(missing) = %v; want NoSuchKey", err)
		}
		_, err = c.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String("nobucket"), Key: aws.String("k")})
		if code(err) != "NoSuchBucket" {
			t.Errorf("GetObject(no bucket) = %v; want NoSuchBucket", err)
		}
		head, err := c.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("hello.txt")})
		if err != nil || *head.ContentLength != 11 || *head.ETag != md5hex("hello world") {
			t.Errorf("HeadObject = %+v, %v", head, err)
		}
		if _, err := c.DeleteObject(bg, &s3.DeleteObjectInput{Bucket: aws.String("bkt"), Key: aws.String("hello.txt")}); err != nil {
			t.Errorf("DeleteObject: %v", err)
		}
		if _, err := c.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("hello.txt")}); code(err) != "NotFound" {
			t.Errorf("HeadObject(deleted) = %v; want NotFound", err)
		}
	})
}

var _ = bytes.NewReader
var _ = http.StatusOK
