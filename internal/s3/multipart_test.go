package s3_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

// multipartETag is AWS's rule: the MD5 of the parts' MD5s, then "-N".
func multipartETag(parts ...[]byte) string {
	var all []byte
	for _, p := range parts {
		sum := md5.Sum(p)
		all = append(all, sum[:]...)
	}
	sum := md5.Sum(all)
	return fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(sum[:]), len(parts))
}

func TestMultipartUpload(t *testing.T) {
	each(t, func(t *testing.T, c *s3.Client, srv *gureumtest.Server) {
		mustBucket(t, c, "mpu")
		create, err := c.CreateMultipartUpload(bg, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("big"),
			ContentType: aws.String("video/mp4"), Metadata: map[string]string{"m": "1"}})
		if err != nil {
			t.Fatal(err)
		}
		id := create.UploadId
		p1 := bytes.Repeat([]byte("1"), 5<<20)
		p2 := []byte("tail part")
		var done []types.CompletedPart
		for i, p := range [][]byte{p1, p2} {
			out, err := c.UploadPart(bg, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: id,
				PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
			if err != nil {
				t.Fatalf("UploadPart(%d): %v", i+1, err)
			}
			done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag})
		}
		parts, err := c.ListParts(bg, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: id})
		if err != nil || len(parts.Parts) != 2 || *parts.Parts[1].Size != int64(len(p2)) {
			t.Errorf("ListParts = %+v, %v", parts, err)
		}
		ups, err := c.ListMultipartUploads(bg, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpu")})
		if err != nil || len(ups.Uploads) != 1 || *ups.Uploads[0].UploadId != *id {
			t.Errorf("ListMultipartUploads = %+v, %v", ups, err)
		}
		_, err = c.CompleteMultipartUpload(bg, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: id,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{done[1], done[0]}}})
		if code(err) != "InvalidPartOrder" {
			t.Errorf("Complete(out of order) = %v; want InvalidPartOrder", err)
		}
		_, err = c.CompleteMultipartUpload(bg, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: id,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(`"bad"`)}}}})
		if code(err) != "InvalidPart" {
			t.Errorf("Complete(wrong ETag) = %v; want InvalidPart", err)
		}
		complete := &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: id,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}
		out, err := c.CompleteMultipartUpload(bg, complete)
		if err != nil {
			t.Fatalf("CompleteMultipartUpload: %v", err)
		}
		if want := multipartETag(p1, p2); *out.ETag != want {
			t.Errorf("multipart ETag = %s; want %s", *out.ETag, want)
		}
		again, err := c.CompleteMultipartUpload(bg, complete)
		if err != nil || *again.ETag != *out.ETag {
			t.Errorf("Complete(again) = %v, %v; want the same result", again, err)
		}
		if got := get(t, c, "mpu", "big"); got != string(p1)+string(p2) {
			t.Errorf("GetObject(multipart) returned %d bytes; want %d", len(got), len(p1)+len(p2))
		}
		part2, err := c.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big"), PartNumber: aws.Int32(2)})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(part2.Body)
		if string(b) != string(p2) || *part2.PartsCount != 2 {
			t.Errorf("GetObject(partNumber=2) = %q, %d parts", b, *part2.PartsCount)
		}
		// A range across the part boundary.
		rg, _ := c.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big"), Range: aws.String(fmt.Sprintf("bytes=%d-%d", len(p1)-2, len(p1)+3))})
		b, _ = io.ReadAll(rg.Body)
		if string(b) != "11tail" {
			t.Errorf("GetObject(range across parts) = %q; want 11tail", b)
		}
		h, _ := c.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big")})
		if *h.ContentType != "video/mp4" || h.Metadata["m"] != "1" {
			t.Errorf("multipart object metadata = %s %v", *h.ContentType, h.Metadata)
		}
		_, err = c.UploadPart(bg, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: id, PartNumber: aws.Int32(1), Body: bytes.NewReader(p2)})
		if code(err) != "NoSuchUpload" {
			t.Errorf("UploadPart(completed upload) = %v; want NoSuchUpload", err)
		}
	})
}

func TestMultipartRules(t *testing.T) {
	each(t, func(t *testing.T, c *s3.Client, srv *gureumtest.Server) {
		mustBucket(t, c, "mpr")
		put(t, c, "mpr", "source", "0123456789")
		create, _ := c.CreateMultipartUpload(bg, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpr"), Key: aws.String("k")})
		id := create.UploadId
		var done []types.CompletedPart
		for i := 1; i <= 2; i++ {
			out, err := c.UploadPart(bg, &s3.UploadPartInput{Bucket: aws.String("mpr"), Key: aws.String("k"), UploadId: id,
				PartNumber: aws.Int32(int32(i)), Body: bytes.NewReader([]byte("small"))})
			if err != nil {
				t.Fatal(err)
			}
			done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i)), ETag: out.ETag})
		}
		_, err := c.CompleteMultipartUpload(bg, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpr"), Key: aws.String("k"), UploadId: id,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
		if code(err) != "EntityTooSmall" {
			t.Errorf("Complete(small first part) = %v; want EntityTooSmall", err)
		}
		_, err = c.UploadPart(bg, &s3.UploadPartInput{Bucket: aws.String("mpr"), Key: aws.String("k"), UploadId: id,
			PartNumber: aws.Int32(10001), Body: bytes.NewReader([]byte("x"))})
		if code(err) != "InvalidArgument" {
			t.Errorf("UploadPart(10001) = %v; want InvalidArgument", err)
		}
		cp, err := c.UploadPartCopy(bg, &s3.UploadPartCopyInput{Bucket: aws.String("mpr"), Key: aws.String("k"), UploadId: id,
			PartNumber: aws.Int32(3), CopySource: aws.String("mpr/source"), CopySourceRange: aws.String("bytes=2-4")})
		if err != nil || *cp.CopyPartResult.ETag != md5hex("234") {
			t.Errorf("UploadPartCopy = %v, %v; want the ETag of 234", cp, err)
		}
		single, _ := c.CreateMultipartUpload(bg, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpr"), Key: aws.String("one")})
		c.UploadPartCopy(bg, &s3.UploadPartCopyInput{Bucket: aws.String("mpr"), Key: aws.String("one"), UploadId: single.UploadId,
			PartNumber: aws.Int32(1), CopySource: aws.String("mpr/source"), CopySourceRange: aws.String("bytes=2-4")})
		_, err = c.CompleteMultipartUpload(bg, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpr"), Key: aws.String("one"), UploadId: single.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(md5hex("234"))}}}})
		if err != nil || get(t, c, "mpr", "one") != "234" {
			t.Errorf("Complete(one copied part) = %v", err)
		}
		if _, err := c.AbortMultipartUpload(bg, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpr"), Key: aws.String("k"), UploadId: id}); err != nil {
			t.Errorf("AbortMultipartUpload: %v", err)
		}
		if _, err := c.AbortMultipartUpload(bg, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpr"), Key: aws.String("k"), UploadId: id}); code(err) != "NoSuchUpload" {
			t.Errorf("AbortMultipartUpload(again) = %v; want NoSuchUpload", err)
		}
		if _, err := c.ListParts(bg, &s3.ListPartsInput{Bucket: aws.String("mpr"), Key: aws.String("k"), UploadId: aws.String("nope")}); code(err) != "NoSuchUpload" {
			t.Errorf("ListParts(unknown) = %v; want NoSuchUpload", err)
		}
	})
}

func TestGetObjectAttributes(t *testing.T) {
	each(t, func(t *testing.T, c *s3.Client, srv *gureumtest.Server) {
		mustBucket(t, c, "attrs")
		c.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String("attrs"), Key: aws.String("k"), Body: bytes.NewReader([]byte("hello")), ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
		out, err := c.GetObjectAttributes(bg, &s3.GetObjectAttributesInput{Bucket: aws.String("attrs"), Key: aws.String("k"),
			ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesObjectSize, types.ObjectAttributesChecksum, types.ObjectAttributesStorageClass}})
		if err != nil {
			t.Fatal(err)
		}
		if *out.ETag != "5d41402abc4b2a76b9719d911017c592" || *out.ObjectSize != 5 || out.StorageClass != types.StorageClassStandard ||
			out.Checksum == nil || *out.Checksum.ChecksumSHA256 != "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=" {
			t.Errorf("GetObjectAttributes = %+v", out)
		}
		_, err = c.GetObjectAttributes(bg, &s3.GetObjectAttributesInput{Bucket: aws.String("attrs"), Key: aws.String("nope"), ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesEtag}})
		if code(err) != "NoSuchKey" {
			t.Errorf("GetObjectAttributes(missing) = %v; want NoSuchKey", err)
		}
	})
}
