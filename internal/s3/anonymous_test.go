package s3_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestAnonymousConditionKeys: a bucket policy's conditions see an anonymous caller's request
// keys as AWS sets them (aws:Referer, aws:UserAgent, aws:SourceIp, s3:prefix, s3:x-amz-acl),
// on the REST endpoint and on the website endpoint, which decides as the REST endpoint does.
func TestAnonymousConditionKeys(t *testing.T) {
	each(t, func(t *testing.T, c *s3.Client, srv *gureumtest.Server) {
		other, otherAcct := partner(t, srv)
		mustBucket(t, c, "cond")
		if _, err := c.DeletePublicAccessBlock(bg, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("cond")}); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"public/a", "private/b", "ip/c", "index.html"} {
			put(t, c, "cond", k, "body of "+k)
		}
		policy := `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::cond/*",
			 "Condition":{"StringLike":{"aws:Referer":"https://example.com/*"}}},
			{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::cond/*",
			 "Condition":{"StringLike":{"aws:UserAgent":"*BadBot*"}}},
			{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::cond/ip/*",
			 "Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}},
			{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::cond/private/*",
			 "Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
			{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::cond",
			 "Condition":{"StringEquals":{"s3:prefix":"public/"}}},
			{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::cond/uploads/*",
			 "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}},
			{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::cond/*",
			 "Condition":{"Null":{"aws:PrincipalArn":"false"},"StringEquals":{"aws:PrincipalType":"Anonymous"}}},
			{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + otherAcct + `:root"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::cond",
			 "Condition":{"StringLike":{"s3:prefix":"shared/*"}}}]}`
		if _, err := c.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String("cond"), Policy: aws.String(policy)}); err != nil {
			t.Fatal(err)
		}
		web := &types.WebsiteConfiguration{IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")}}
		if _, err := c.PutBucketWebsite(bg, &s3.PutBucketWebsiteInput{Bucket: aws.String("cond"), WebsiteConfiguration: web}); err != nil {
			t.Fatal(err)
		}
		do := func(method, path string, h map[string]string) int {
			t.Helper()
			r, _ := http.NewRequest(method, srv.Endpoint+path, strings.NewReader(""))
			for k, v := range h {
				r.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return resp.StatusCode
		}
		ref := map[string]string{"Referer": "https://example.com/page"}
		tests := []struct {
			name, method, path string
			h                  map[string]string
			want               int
		}{
			{"GET without the Referer", "GET", "/cond/public/a", nil, 403},
			{"GET with the Referer", "GET", "/cond/public/a", ref, 200},
			{"GET with the Referer by a denied User-Agent", "GET", "/cond/public/a", map[string]string{"Referer": "https://example.com/", "User-Agent": "BadBot/1.0"}, 403},
			{"GET from an allowed source address", "GET", "/cond/ip/c", nil, 200},
			{"GET from another source address", "GET", "/cond/private/b", nil, 403},
			{"list with the allowed prefix", "GET", "/cond?list-type=2&prefix=public/", nil, 200},
			{"list without a prefix", "GET", "/cond?list-type=2", nil, 403},
			{"list with another prefix", "GET", "/cond?list-type=2&prefix=private/", nil, 403},
			{"PUT with the required ACL", "PUT", "/cond/uploads/x", map[string]string{"X-Amz-Acl": "bucket-owner-full-control"}, 200},
			{"PUT without it", "PUT", "/cond/uploads/y", nil, 403},
			{"website without the Referer", "GET", "/_gureum/s3-website/cond/", nil, 403},
			{"website with the Referer", "GET", "/_gureum/s3-website/cond/", ref, 200},
			{"website by a denied User-Agent", "GET", "/_gureum/s3-website/cond/public/a", map[string]string{"Referer": "https://example.com/", "User-Agent": "BadBot/2"}, 403},
			{"website from an allowed source address", "GET", "/_gureum/s3-website/cond/ip/c", nil, 200},
		}
		for _, tt := range tests {
			if got := do(tt.method, tt.path, tt.h); got != tt.want {
				t.Errorf("%s: %s %s = %d; want %d", tt.name, tt.method, tt.path, got, tt.want)
			}
		}
		// A signed caller's policy conditions read S3's keys too.
		if _, err := other.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String("cond"), Prefix: aws.String("shared/x")}); err != nil {
			t.Errorf("signed ListObjectsV2 with the granted prefix = %v", err)
		}
		if _, err := other.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String("cond"), Prefix: aws.String("private/")}); code(err) != "AccessDenied" {
			t.Errorf("signed ListObjectsV2 with another prefix = %v; want AccessDenied", err)
		}
	})
}
