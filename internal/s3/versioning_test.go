package s3_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

func setVersioning(t *testing.T, c *s3.Client, bucket string, status types.BucketVersioningStatus) {
	t.Helper()
	_, err := c.PutBucketVersioning(bg, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: status}})
	if err != nil {
		t.Fatalf("PutBucketVersioning(%s): %v", status, err)
	}
}

func TestVersioning(t *testing.T) {
	each(t, func(t *testing.T, c *s3.Client, srv *gureumtest.Server) {
		mustBucket(t, c, "ver")
		v, _ := c.GetBucketVersioning(bg, &s3.GetBucketVersioningInput{Bucket: aws.String("ver")})
		if v.Status != "" {
			t.Errorf("new bucket versioning = %q; want none", v.Status)
		}
		put(t, c, "ver", "k", "null version")
		setVersioning(t, c, "ver", types.BucketVersioningStatusEnabled)
		v1 := put(t, c, "ver", "k", "one")
		v2 := put(t, c, "ver", "k", "two")
		if v1.VersionId == nil || *v1.VersionId == *v2.VersionId {
			t.Fatalf("version ids %v, %v", v1.VersionId, v2.VersionId)
		}
		if got := get(t, c, "ver", "k"); got != "two" {
			t.Errorf("latest = %q; want two", got)
		}
		old, err := c.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String("ver"), Key: aws.String("k"), VersionId: v1.VersionId})
		if err != nil || *old.VersionId != *v1.VersionId {
			t.Fatalf("GetObject(versionId) = %v, %v", old, err)
		}
		del, err := c.DeleteObject(bg, &s3.DeleteObjectInput{Bucket: aws.String("ver"), Key: aws.String("k")})
		if err != nil || !*del.DeleteMarker || del.VersionId == nil {
			t.Fatalf("DeleteObject(versioned) = %+v, %v; want a delete marker", del, err)
		}
		_, err = c.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String("ver"), Key: aws.String("k")})
		if code(err) != "NoSuchKey" {
			t.Errorf("GetObject under a delete marker = %v; want NoSuchKey", err)
		}
		_, err = c.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String("ver"), Key: aws.String("k"), VersionId: del.VersionId})
		if code(err) != "MethodNotAllowed" {
			t.Errorf("GetObject(delete marker's version) = %v; want MethodNotAllowed", err)
		}
		vs, err := c.ListObjectVersions(bg, &s3.ListObjectVersionsInput{Bucket: aws.String("ver")})
		if err != nil || len(vs.Versions) != 3 || len(vs.DeleteMarkers) != 1 || !*vs.DeleteMarkers[0].IsLatest {
			t.Fatalf("ListObjectVersions = %d versions, %d markers, %v", len(vs.Versions), len(vs.DeleteMarkers), err)
		}
		if *vs.Versions[0].VersionId != *v2.VersionId || *vs.Versions[2].VersionId != "null" {
			t.Errorf("versions newest first = %s … %s", *vs.Versions[0].VersionId, *vs.Versions[2].VersionId)
		}
		page, _ := c.ListObjectVersions(bg, &s3.ListObjectVersionsInput{Bucket: aws.String("ver"), MaxKeys: aws.Int32(2)})
		rest, _ := c.ListObjectVersions(bg, &s3.ListObjectVersionsInput{Bucket: aws.String("ver"), KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker})
		if !*page.IsTruncated || len(rest.Versions) != 2 {
			t.Errorf("paged versions: first truncated=%v, rest %d versions; want true, 2", *page.IsTruncated, len(rest.Versions))
		}
		// Deleting the marker by version id brings "two" back.
		if _, err := c.DeleteObject(bg, &s3.DeleteObjectInput{Bucket: aws.String("ver"), Key: aws.String("k"), VersionId: del.VersionId}); err != nil {
			t.Fatal(err)
		}
		if got := get(t, c, "ver", "k"); got != "two" {
			t.Errorf("after removing the marker latest = %q; want two", got)
		}
		if _, err := c.DeleteObject(bg, &s3.DeleteObjectInput{Bucket: aws.String("ver"), Key: aws.String("k"), VersionId: v2.VersionId}); err != nil {
			t.Fatal(err)
		}
		if got := get(t, c, "ver", "k"); got != "one" {
			t.Errorf("after deleting v2 latest = %q; want one", got)
		}
		// Suspended: writes replace the "null" version.
		setVersioning(t, c, "ver", types.BucketVersioningStatusSuspended)
		s1 := put(t, c, "ver", "k", "suspended")
		if s1.VersionId == nil || *s1.VersionId != "null" {
			t.Errorf("PutObject(suspended) version = %v; want null", s1.VersionId)
		}
		vs, _ = c.ListObjectVersions(bg, &s3.ListObjectVersionsInput{Bucket: aws.String("ver")})
		if len(vs.Versions) != 2 {
			t.Errorf("after a suspended PUT %d versions; want 2 (the null version replaced)", len(vs.Versions))
		}
		_, err = c.PutBucketVersioning(bg, &s3.PutBucketVersioningInput{Bucket: aws.String("ver"),
			VersioningConfiguration: &types.VersioningConfiguration{Status: "Sideways"}})
		if code(err) != "MalformedXML" {
			t.Errorf("PutBucketVersioning(bad status) = %v; want MalformedXML", err)
		}
	})
}

func TestBucketConfigurations(t *testing.T) {
	each(t, func(t *testing.T, c *s3.Client, srv *gureumtest.Server) {
		mustBucket(t, c, "conf")
		b := aws.String("conf")
		if _, err := c.GetBucketTagging(bg, &s3.GetBucketTaggingInput{Bucket: b}); code(err) != "NoSuchTagSet" {
			t.Errorf("GetBucketTagging(none) = %v; want NoSuchTagSet", err)
		}
		if _, err := c.PutBucketTagging(bg, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}}); err != nil {
			t.Fatal(err)
		}
		tags, err := c.GetBucketTagging(bg, &s3.GetBucketTaggingInput{Bucket: b})
		if err != nil || len(tags.TagSet) != 1 || *tags.TagSet[0].Key != "env" {
			t.Errorf("GetBucketTagging = %v, %v", tags, err)
		}
		cors := &types.CORSConfiguration{CORSRules: []types.CORSRule{{AllowedMethods: []string{"GET", "PUT"}, AllowedOrigins: []string{"https://example.com"}, MaxAgeSeconds: aws.Int32(60)}}}
		if _, err := c.PutBucketCors(bg, &s3.PutBucketCorsInput{Bucket: b, CORSConfiguration: cors}); err != nil {
			t.Fatal(err)
		}
		gc, err := c.GetBucketCors(bg, &s3.GetBucketCorsInput{Bucket: b})
		if err != nil || len(gc.CORSRules) != 1 || len(gc.CORSRules[0].AllowedMethods) != 2 {
			t.Errorf("GetBucketCors = %v, %v", gc, err)
		}
		_, err = c.PutBucketCors(bg, &s3.PutBucketCorsInput{Bucket: b, CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{{AllowedMethods: []string{"PATCH"}, AllowedOrigins: []string{"*"}}}}})
		if code(err) != "InvalidRequest" {
			t.Errorf("PutBucketCors(PATCH) = %v; want InvalidRequest", err)
		}
		c.DeleteBucketCors(bg, &s3.DeleteBucketCorsInput{Bucket: b})
		if _, err := c.GetBucketCors(bg, &s3.GetBucketCorsInput{Bucket: b}); code(err) != "NoSuchCORSConfiguration" {
			t.Errorf("GetBucketCors(deleted) = %v; want NoSuchCORSConfiguration", err)
		}
		policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::conf/*"}]}`
		if _, err := c.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(policy)}); err != nil {
			t.Fatal(err)
		}
		gp, err := c.GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: b})
		if err != nil || *gp.Policy != policy {
			t.Errorf("GetBucketPolicy = %v, %v", gp, err)
		}
		if _, err := c.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String("{not json")}); code(err) != "MalformedPolicy" {
			t.Errorf("PutBucketPolicy(bad) = %v; want MalformedPolicy", err)
		}
		own, err := c.GetBucketOwnershipControls(bg, &s3.GetBucketOwnershipControlsInput{Bucket: b})
		if err != nil || own.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipBucketOwnerEnforced {
			t.Errorf("GetBucketOwnershipControls(new bucket) = %v, %v; want BucketOwnerEnforced", own, err)
		}
		pab, err := c.GetPublicAccessBlock(bg, &s3.GetPublicAccessBlockInput{Bucket: b})
		if err != nil || !*pab.PublicAccessBlockConfiguration.BlockPublicAcls {
			t.Errorf("GetPublicAccessBlock(new bucket) = %v, %v; want all blocked", pab, err)
		}
		enc, err := c.GetBucketEncryption(bg, &s3.GetBucketEncryptionInput{Bucket: b})
		if err != nil || enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAes256 {
			t.Errorf("GetBucketEncryption(default) = %v, %v; want AES256", enc, err)
		}
		if _, err := c.PutBucketAcl(bg, &s3.PutBucketAclInput{Bucket: b, ACL: types.BucketCannedACLPublicRead}); code(err) != "AccessControlListNotSupported" {
			t.Errorf("PutBucketAcl(public-read, ACLs off) = %v; want AccessControlListNotSupported", err)
		}
		acl, err := c.GetBucketAcl(bg, &s3.GetBucketAclInput{Bucket: b})
		if err != nil || len(acl.Grants) != 1 || acl.Grants[0].Permission != types.PermissionFullControl {
			t.Errorf("GetBucketAcl = %+v, %v", acl, err)
		}
		web := &types.WebsiteConfiguration{IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")}, ErrorDocument: &types.ErrorDocument{Key: aws.String("404.html")}}
		if _, err := c.PutBucketWebsite(bg, &s3.PutBucketWebsiteInput{Bucket: b, WebsiteConfiguration: web}); err != nil {
			t.Fatal(err)
		}
		gw, err := c.GetBucketWebsite(bg, &s3.GetBucketWebsiteInput{Bucket: b})
		if err != nil || *gw.IndexDocument.Suffix != "index.html" {
			t.Errorf("GetBucketWebsite = %v, %v", gw, err)
		}
		lc := &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{ID: aws.String("expire"), Status: types.ExpirationStatusEnabled,
			Filter: &types.LifecycleRuleFilter{Prefix: aws.String("logs/")}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(7)}}}}
		if _, err := c.PutBucketLifecycleConfiguration(bg, &s3.PutBucketLifecycleConfigurationInput{Bucket: b, LifecycleConfiguration: lc}); err != nil {
			t.Fatal(err)
		}
		gl, err := c.GetBucketLifecycleConfiguration(bg, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
		if err != nil || len(gl.Rules) != 1 || *gl.Rules[0].Expiration.Days != 7 {
			t.Errorf("GetBucketLifecycleConfiguration = %v, %v", gl, err)
		}
		put(t, c, "conf", "logs/today", "x")
		h, err := c.HeadObject(bg, &s3.HeadObjectInput{Bucket: b, Key: aws.String("logs/today")})
		if err != nil || h.Expiration == nil || !strings.Contains(*h.Expiration, `rule-id="expire"`) {
			t.Errorf("HeadObject under a lifecycle rule: x-amz-expiration = %v, %v", h.Expiration, err)
		}
		bad := &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{ID: aws.String("x"), Status: types.ExpirationStatusEnabled,
			Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(0)}}}}
		if _, err := c.PutBucketLifecycleConfiguration(bg, &s3.PutBucketLifecycleConfigurationInput{Bucket: b, LifecycleConfiguration: bad}); code(err) != "InvalidArgument" {
			t.Errorf("PutBucketLifecycleConfiguration(Days 0) = %v; want InvalidArgument", err)
		}
		_, err = c.GetBucketAnalyticsConfiguration(bg, &s3.GetBucketAnalyticsConfigurationInput{Bucket: b, Id: aws.String("x")})
		if code(err) != "NotImplemented" || !strings.Contains(err.Error(), "501") {
			t.Errorf("GetBucketAnalyticsConfiguration = %v; want NotImplemented (501)", err)
		}
	})
}

func TestCORSResponseHeaders(t *testing.T) {
	each(t, func(t *testing.T, c *s3.Client, srv *gureumtest.Server) {
		mustBucket(t, c, "web")
		cors := &types.CORSConfiguration{CORSRules: []types.CORSRule{{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"https://*.example.com"},
			ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(300)}}}
		if _, err := c.PutBucketCors(bg, &s3.PutBucketCorsInput{Bucket: aws.String("web"), CORSConfiguration: cors}); err != nil {
			t.Fatal(err)
		}
		put(t, c, "web", "app.js", "js")
		get := func(origin string) http.Header {
			r, _ := http.NewRequest("GET", srv.Endpoint+"/web/app.js", nil)
			r.Header.Set("Origin", origin)
			r.Header.Set("X-Amz-Content-Sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
			r = gureumtest.Sign(t, r, nil, "s3")
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.Header
		}
		h := get("https://app.example.com")
		if h.Get("Access-Control-Allow-Origin") != "https://app.example.com" || h.Get("Access-Control-Expose-Headers") != "ETag" {
			t.Errorf("CORS headers for an allowed origin = %v", h)
		}
		if h := get("https://evil.test"); h.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("CORS headers for another origin = %v; want none", h)
		}
	})
}
