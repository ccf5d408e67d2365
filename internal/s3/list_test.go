package s3_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gureum/gureum/internal/gureumtest"
)

func keysOf(objs []types.Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, *o.Key)
	}
	return out
}

func prefixesOf(cps []types.CommonPrefix) []string {
	var out []string
	for _, p := range cps {
		out = append(out, *p.Prefix)
	}
	return out
}

func TestListObjects(t *testing.T) {
	each(t, func(t *testing.T, c *s3.Client, srv *gureumtest.Server) {
		mustBucket(t, c, "list")
		keys := []string{"a.txt", "dir/1", "dir/2", "dir/sub/3", "dir2/x", "photos/2024/a.jpg", "photos/2024/b.jpg", "photos/2025/c.jpg", "z z"}
		for _, k := range keys {
			put(t, c, "list", k, k)
		}
		all, err := c.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String("list")})
		if err != nil || *all.KeyCount != int32(len(keys)) || *all.IsTruncated {
			t.Fatalf("ListObjectsV2 = %+v, %v", all, err)
		}
		if diff := cmp.Diff(keys, keysOf(all.Contents)); diff != "" {
			t.Errorf("ListObjectsV2 keys (-want +got):\n%s", diff)
		}
		d, err := c.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String("list"), Delimiter: aws.String("/")})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"a.txt", "z z"}, keysOf(d.Contents)); diff != "" {
			t.Errorf("delimited keys (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"dir/", "dir2/", "photos/"}, prefixesOf(d.CommonPrefixes)); diff != "" {
			t.Errorf("common prefixes (-want +got):\n%s", diff)
		}
		p, _ := c.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String("list"), Prefix: aws.String("photos/"), Delimiter: aws.String("/")})
		if diff := cmp.Diff([]string{"photos/2024/", "photos/2025/"}, prefixesOf(p.CommonPrefixes)); diff != "" {
			t.Errorf("prefix photos/ common prefixes (-want +got):\n%s", diff)
		}
		// Pages of two with a delimiter: common prefixes count once, and tokens resume after them.
		var got []string
		var token *string
		for pages := 0; ; pages++ {
			page, err := c.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String("list"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2), ContinuationToken: token})
			if err != nil || pages > 10 {
				t.Fatalf("page %d: %v", pages, err)
			}
			got = append(append(got, keysOf(page.Contents)...), prefixesOf(page.CommonPrefixes)...)
			if !*page.IsTruncated {
				break
			}
			token = page.NextContinuationToken
		}
		if diff := cmp.Diff([]string{"a.txt", "dir/", "dir2/", "photos/", "z z"}, got); diff != "" {
			t.Errorf("paged delimited listing (-want +got):\n%s", diff)
		}
		sa, _ := c.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String("list"), StartAfter: aws.String("photos/2024/b.jpg"), FetchOwner: aws.Bool(true)})
		if diff := cmp.Diff([]string{"photos/2025/c.jpg", "z z"}, keysOf(sa.Contents)); diff != "" || sa.Contents[0].Owner == nil {
			t.Errorf("start-after with fetch-owner (-want +got):\n%s", diff)
		}
		enc, _ := c.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String("list"), Prefix: aws.String("z"), EncodingType: types.EncodingTypeUrl})
		if len(enc.Contents) != 1 || *enc.Contents[0].Key != "z+z" || enc.EncodingType != types.EncodingTypeUrl {
			t.Errorf("encoding-type=url = %v; want [z+z] (form-encoded, as S3 sends it)", keysOf(enc.Contents))
		}
		// Version 1 with markers.
		v1, err := c.ListObjects(bg, &s3.ListObjectsInput{Bucket: aws.String("list"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)})
		if err != nil || !*v1.IsTruncated || *v1.NextMarker != "dir/" || v1.Contents[0].Owner == nil {
			t.Fatalf("ListObjects v1 = %+v, %v; want truncated at dir/", v1, err)
		}
		v1b, _ := c.ListObjects(bg, &s3.ListObjectsInput{Bucket: aws.String("list"), Delimiter: aws.String("/"), Marker: v1.NextMarker})
		if diff := cmp.Diff([]string{"dir2/", "photos/"}, prefixesOf(v1b.CommonPrefixes)); diff != "" {
			t.Errorf("ListObjects v1 after marker dir/ (-want +got):\n%s", diff)
		}
		if _, err := c.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String("nolist")}); code(err) != "NoSuchBucket" {
			t.Errorf("ListObjectsV2(missing bucket) = %v; want NoSuchBucket", err)
		}
	})
}

func TestListManyKeys(t *testing.T) {
	each(t, func(t *testing.T, c *s3.Client, srv *gureumtest.Server) {
		mustBucket(t, c, "many")
		for i := 0; i < 1100; i += 100 {
			put(t, c, "many", fmt.Sprintf("k%05d", i), "x")
		}
		pager := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String("many"), MaxKeys: aws.Int32(3)})
		n := 0
		for pager.HasMorePages() {
			page, err := pager.NextPage(bg)
			if err != nil {
				t.Fatal(err)
			}
			n += len(page.Contents)
		}
		if n != 11 {
			t.Errorf("paginated %d keys; want 11", n)
		}
	})
}
