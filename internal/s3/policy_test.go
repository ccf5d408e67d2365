package s3_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gureum/gureum/internal/cli"
	"github.com/gureum/gureum/internal/gureumtest"
)

// partner creates a second account through `gureum account create` and returns an S3 client
// signed by its root.
func partner(t *testing.T, srv *gureumtest.Server) (*s3.Client, string) {
	t.Helper()
	env := map[string]string{"AWS_ACCESS_KEY_ID": gureumtest.AccessKeyID, "AWS_SECRET_ACCESS_KEY": gureumtest.SecretAccessKey}
	var out bytes.Buffer
	if err := cli.Run(bg, []string{"account", "create", "--name", "partner", "--output", "json", "--endpoint", srv.Endpoint},
		func(k string) string { return env[k] }, &out, &out); err != nil {
		t.Fatalf("gureum account create: %v (%s)", err, out.String())
	}
	var p struct{ AccountId, AccessKeyId, SecretAccessKey string }
	if err := json.Unmarshal(out.Bytes(), &p); err != nil {
		t.Fatalf("account create printed %q: %v", out.String(), err)
	}
	cfg := gureumtest.ConfigFor(srv.Endpoint, p.AccessKeyId, p.SecretAccessKey, "")
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }), p.AccountId
}

func anonGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestBucketPolicyEvaluated: another account is denied a bucket without a policy, allowed what a
// policy grants it (reads, a cross-account copy), and an explicit Deny binds even the owner
// (who may still replace the policy); anonymous GETs are denied unless the policy or an ACL
// makes the object public, with the public-access block honoured.
func TestBucketPolicyEvaluated(t *testing.T) {
	each(t, func(t *testing.T, c *s3.Client, srv *gureumtest.Server) {
		other, otherAcct := partner(t, srv)
		mustBucket(t, c, "shared")
		put(t, c, "shared", "doc.txt", "hello")
		put(t, c, "shared", "secret/x", "hidden")
		getOther := func(key string) error {
			out, err := other.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String("shared"), Key: aws.String(key)})
			if err == nil {
				out.Body.Close()
			}
			return err
		}
		if err := getOther("doc.txt"); code(err) != "AccessDenied" {
			t.Errorf("GetObject by another account without a policy = %v; want AccessDenied", err)
		}
		if _, err := other.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String("shared"), Key: aws.String("in"), Body: strings.NewReader("x")}); code(err) != "AccessDenied" {
			t.Errorf("PutObject by another account without a policy = %v; want AccessDenied", err)
		}
		grant := `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + otherAcct + `:root"},"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::shared","arn:aws:s3:::shared/*"]},
			{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/secret/*"}]}`
		if _, err := c.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String("shared"), Policy: aws.String(grant)}); err != nil {
			t.Fatal(err)
		}
		if err := getOther("doc.txt"); err != nil {
			t.Errorf("GetObject by the granted account = %v; want allowed", err)
		}
		if l, err := other.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String("shared")}); err != nil || len(l.Contents) != 2 {
			t.Errorf("ListObjectsV2 by the granted account = %v; want the two keys", err)
		}
		if _, err := other.DeleteObject(bg, &s3.DeleteObjectInput{Bucket: aws.String("shared"), Key: aws.String("doc.txt")}); code(err) != "AccessDenied" {
			t.Errorf("DeleteObject (not granted) = %v; want AccessDenied", err)
		}
		if err := getOther("secret/x"); code(err) != "AccessDenied" {
			t.Errorf("GetObject of a denied key by the granted account = %v; want AccessDenied", err)
		}
		if _, err := c.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String("shared"), Key: aws.String("secret/x")}); code(err) != "AccessDenied" {
			t.Errorf("GetObject of a denied key by the owner's root = %v; want AccessDenied (an explicit deny binds)", err)
		}
		// Cross-account copy: the partner reads the source through the policy into its own bucket.
		mustBucket(t, other, "partner-inbox")
		if _, err := other.CopyObject(bg, &s3.CopyObjectInput{Bucket: aws.String("partner-inbox"), Key: aws.String("copy.txt"), CopySource: aws.String("shared/doc.txt")}); err != nil {
			t.Errorf("cross-account CopyObject with a granted source = %v", err)
		} else if got := get(t, other, "partner-inbox", "copy.txt"); got != "hello" {
			t.Errorf("copied object = %q; want hello", got)
		}
		if _, err := other.CopyObject(bg, &s3.CopyObjectInput{Bucket: aws.String("partner-inbox"), Key: aws.String("s"), CopySource: aws.String("shared/secret/x")}); code(err) != "AccessDenied" {
			t.Errorf("cross-account CopyObject of a denied source = %v; want AccessDenied", err)
		}
		if _, err := c.CopyObject(bg, &s3.CopyObjectInput{Bucket: aws.String("shared"), Key: aws.String("back"), CopySource: aws.String("partner-inbox/copy.txt")}); code(err) != "AccessDenied" {
			t.Errorf("CopyObject from the partner's bucket without its policy = %v; want AccessDenied", err)
		}

		// Anonymous: denied while nothing is public.
		url := srv.Endpoint + "/shared/doc.txt"
		if status, body := anonGet(t, url); status != 403 || !strings.Contains(body, "<Code>AccessDenied</Code>") {
			t.Errorf("anonymous GET of a private object = %d %s; want 403 AccessDenied", status, body)
		}
		public := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"},
			{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/secret/*"}]}`
		if _, err := c.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String("shared"), Policy: aws.String(public)}); code(err) != "AccessDenied" {
			t.Errorf("PutBucketPolicy(public) under BlockPublicPolicy = %v; want AccessDenied", err)
		}
		if _, err := c.DeletePublicAccessBlock(bg, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("shared")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String("shared"), Policy: aws.String(public)}); err != nil {
			t.Fatal(err)
		}
		if status, body := anonGet(t, url); status != 200 || body != "hello" {
			t.Errorf("anonymous GET under a public policy = %d %q; want 200 hello", status, body)
		}
		if status, _ := anonGet(t, srv.Endpoint+"/shared/secret/x"); status != 403 {
			t.Errorf("anonymous GET of an explicitly denied key = %d; want 403", status)
		}
		if status, _ := anonGet(t, srv.Endpoint+"/shared?list-type=2"); status != 403 {
			t.Errorf("anonymous list without a grant = %d; want 403", status)
		}
		if status, _ := anonGet(t, srv.Endpoint+"/shared?policy"); status != 403 {
			t.Errorf("anonymous GetBucketPolicy = %d; want 403", status)
		}
		// RestrictPublicBuckets turns the public grant off again.
		if _, err := c.PutPublicAccessBlock(bg, &s3.PutPublicAccessBlockInput{Bucket: aws.String("shared"),
			PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(true)}}); err != nil {
			t.Fatal(err)
		}
		if status, _ := anonGet(t, url); status != 403 {
			t.Errorf("anonymous GET with RestrictPublicBuckets = %d; want 403", status)
		}
		// A public-read object ACL, on a bucket that allows ACLs, opens that object alone.
		mustBucket(t, c, "acls")
		if _, err := c.PutBucketOwnershipControls(bg, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("acls"),
			OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String("acls"), Key: aws.String("pub"), Body: strings.NewReader("open"), ACL: types.ObjectCannedACLPublicRead}); code(err) != "AccessDenied" {
			t.Errorf("PutObject(public-read) under BlockPublicAcls = %v; want AccessDenied", err)
		}
		c.DeletePublicAccessBlock(bg, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("acls")})
		if _, err := c.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String("acls"), Key: aws.String("pub"), Body: strings.NewReader("open"), ACL: types.ObjectCannedACLPublicRead}); err != nil {
			t.Fatal(err)
		}
		put(t, c, "acls", "priv", "closed")
		if status, body := anonGet(t, srv.Endpoint+"/acls/pub"); status != 200 || body != "open" {
			t.Errorf("anonymous GET of a public-read object = %d %q; want 200 open", status, body)
		}
		if status, _ := anonGet(t, srv.Endpoint+"/acls/priv"); status != 403 {
			t.Errorf("anonymous GET of a private object beside it = %d; want 403", status)
		}
		// The owner's root may always replace a policy that denies it.
		lockout := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::acls","arn:aws:s3:::acls/*"]}]}`
		if _, err := c.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String("acls"), Policy: aws.String(lockout)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String("acls")}); code(err) != "AccessDenied" {
			t.Errorf("ListObjectsV2 under a deny-all policy = %v; want AccessDenied", err)
		}
		if _, err := c.DeleteBucketPolicy(bg, &s3.DeleteBucketPolicyInput{Bucket: aws.String("acls")}); err != nil {
			t.Errorf("DeleteBucketPolicy by the owner's root under a deny-all policy = %v; want allowed", err)
		}
		if _, err := c.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String("acls")}); err != nil {
			t.Errorf("ListObjectsV2 after the policy's removal = %v", err)
		}
	})
}
