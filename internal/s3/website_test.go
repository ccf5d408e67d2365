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
			{"/missing", "site.s3-website.localhost", 404, "not here"},
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
		redirect := &types.WebsiteConfiguration{RedirectAllRequestsTo: &types.RedirectAllRequestsTo{HostName: aws.String("example.com"), Protocol: types.ProtocolHttps}}
		c.PutBucketWebsite(bg, &s3.PutBucketWebsiteInput{Bucket: aws.String("site"), WebsiteConfiguration: redirect})
		if status, _, h := fetch("/a/b", "site.s3-website.localhost"); status != 301 || h.Get("Location") != "https://example.com/a/b" {
			t.Errorf("RedirectAllRequestsTo = %d to %q", status, h.Get("Location"))
		}
	})
}
