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

func TestWebsiteHosting(t *testing.T) {
	each(t, func(t *testing.T, c *s3.Client, srv *gureumtest.Server) {
		mustBucket(t, c, "site")
		for k, v := range map[string]string{"index.html": "home", "docs/index.html": "docs home", "404.html": "not here"} {
			c.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String("site"), Key: aws.String(k), Body: strings.NewReader(v), ContentType: aws.String("text/html")})
		}
		web := &types.WebsiteConfiguration{IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")}, ErrorDocument: &types.ErrorDocument{Key: aws.String("404.html")}}
		if _, err := c.PutBucketWebsite(bg, &s3.PutBucketWebsiteInput{Bucket: aws.String("site"), WebsiteConfiguration: web}); err != nil {
			t.Fatal(err)
		}
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		fetch := func(path, host string) (int, string, http.Header) {
			r, _ := http.NewRequest("GET", srv.Endpoint+path, nil)
			if host != "" {
				r.Host = host
			}
			resp, err := noRedirect.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b), resp.Header
		}
		if status, _, _ := fetch("/_gureum/s3-website/site/", ""); status != 403 {
			t.Errorf("website of a private bucket = %d; want 403", status)
		}
		c.DeletePublicAccessBlock(bg, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("site")})
		policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"}]}`
		if _, err := c.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String("site"), Policy: aws.String(policy)}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			path, host string
			status     int
			body       string
		}{
			{"/_gureum/s3-website/site/", "", 200, "home"},
			{"/", "site.s3-website.localhost:4566", 200, "home"},
			{"/docs/", "site.s3-website.localhost", 200, "docs home"},
			// Without s3:ListBucket a missing key is AccessDenied, with the error document.
			{"/missing", "site.s3-website.localhost", 403, "not here"},
		}
		for _, tt := range tests {
			status, body, _ := fetch(tt.path, tt.host)
			if status != tt.status || body != tt.body {
				t.Errorf("GET %s (Host %s) = %d %q; want %d %q", tt.path, tt.host, status, body, tt.status, tt.body)
			}
		}
		if status, _, h := fetch("/docs", "site.s3-website.localhost"); status != 302 || h.Get("Location") != "/docs/" {
			t.Errorf("GET /docs = %d to %q; want 302 to /docs/", status, h.Get("Location"))
		}
		// With s3:ListBucket granted, a missing key is NoSuchKey (404), with the error document.
		listable := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"},
			{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::site"}]}`
		if _, err := c.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String("site"), Policy: aws.String(listable)}); err != nil {
			t.Fatal(err)
		}
		if status, body, _ := fetch("/missing", "site.s3-website.localhost"); status != 404 || body != "not here" {
			t.Errorf("GET /missing with s3:ListBucket = %d %q; want 404 with the error document", status, body)
		}
		// Without an error document, S3's own pages say which.
		plain := &types.WebsiteConfiguration{IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")}}
		if _, err := c.PutBucketWebsite(bg, &s3.PutBucketWebsiteInput{Bucket: aws.String("site"), WebsiteConfiguration: plain}); err != nil {
			t.Fatal(err)
		}
		if status, body, _ := fetch("/missing", "site.s3-website.localhost"); status != 404 || !strings.Contains(body, "Code: NoSuchKey") {
			t.Errorf("GET /missing with s3:ListBucket, no error document = %d %q; want 404 NoSuchKey", status, body)
		}
		if _, err := c.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String("site"), Policy: aws.String(policy)}); err != nil {
			t.Fatal(err)
		}
		if status, body, _ := fetch("/missing", "site.s3-website.localhost"); status != 403 || !strings.Contains(body, "Code: AccessDenied") {
			t.Errorf("GET /missing without s3:ListBucket, no error document = %d %q; want 403 AccessDenied", status, body)
		}
		// A routing rule on the 403 a missing key answers redirects.
		rule := &types.WebsiteConfiguration{IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")},
			RoutingRules: []types.RoutingRule{{Condition: &types.Condition{HttpErrorCodeReturnedEquals: aws.String("403")},
				Redirect: &types.Redirect{HostName: aws.String("example.com"), ReplaceKeyPrefixWith: aws.String("lost/")}}}}
		if _, err := c.PutBucketWebsite(bg, &s3.PutBucketWebsiteInput{Bucket: aws.String("site"), WebsiteConfiguration: rule}); err != nil {
			t.Fatal(err)
		}
		if status, _, h := fetch("/missing", "site.s3-website.localhost"); status != 301 || h.Get("Location") != "http://example.com/lost/missing" {
			t.Errorf("GET /missing with a 403 routing rule = %d to %q; want 301 to http://example.com/lost/missing", status, h.Get("Location"))
		}
		redirect := &types.WebsiteConfiguration{RedirectAllRequestsTo: &types.RedirectAllRequestsTo{HostName: aws.String("example.com"), Protocol: types.ProtocolHttps}}
		c.PutBucketWebsite(bg, &s3.PutBucketWebsiteInput{Bucket: aws.String("site"), WebsiteConfiguration: redirect})
		if status, _, h := fetch("/a/b", "site.s3-website.localhost"); status != 301 || h.Get("Location") != "https://example.com/a/b" {
			t.Errorf("RedirectAllRequestsTo = %d to %q", status, h.Get("Location"))
		}
	})
}
