package s3_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestCORSPreflight: an OPTIONS preflight is answered by the first CORS rule that allows its
// origin, method and headers, and refused with S3's 403 otherwise or without CORS rules.
func TestCORSPreflight(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	c := client(srv, true)
	mustBucket(t, c, "web")
	preflight := func(origin, method, headers string) (int, http.Header, string) {
		r, _ := http.NewRequest(http.MethodOptions, srv.Endpoint+"/web/app.js", nil)
		r.Header.Set("Origin", origin)
		r.Header.Set("Access-Control-Request-Method", method)
		if headers != "" {
			r.Header.Set("Access-Control-Request-Headers", headers)
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	if status, _, body := preflight("https://app.example", "GET", ""); status != 403 || !strings.Contains(body, "CORS is not enabled for this bucket") {
		t.Errorf("preflight without CORS rules = %d %s; want 403", status, body)
	}
	rules := &types.CORSConfiguration{CORSRules: []types.CORSRule{{AllowedOrigins: []string{"https://*.example"}, AllowedMethods: []string{"GET", "PUT"},
		AllowedHeaders: []string{"content-*", "x-amz-*"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(600)}}}
	if _, err := c.PutBucketCors(bg, &s3.PutBucketCorsInput{Bucket: aws.String("web"), CORSConfiguration: rules}); err != nil {
		t.Fatal(err)
	}
	status, h, body := preflight("https://app.example", "PUT", "Content-Type, X-Amz-Date")
	if status != 200 || h.Get("Access-Control-Allow-Origin") != "https://app.example" || h.Get("Access-Control-Allow-Methods") != "GET, PUT" ||
		h.Get("Access-Control-Allow-Headers") != "content-type, x-amz-date" || h.Get("Access-Control-Max-Age") != "600" || h.Get("Access-Control-Expose-Headers") != "ETag" {
		t.Errorf("allowed preflight = %d %v %s", status, h, body)
	}
	for _, tt := range []struct{ origin, method, headers string }{
		{"https://evil.test", "GET", ""},
		{"https://app.example", "DELETE", ""},
		{"https://app.example", "PUT", "authorization"},
	} {
		if status, _, body := preflight(tt.origin, tt.method, tt.headers); status != 403 || !strings.Contains(body, "<Code>AccessForbidden</Code>") {
			t.Errorf("preflight %+v = %d %s; want 403 AccessForbidden", tt, status, body)
		}
	}
}

// signedPost builds a browser form upload signed with the test root's key.
func signedPost(t *testing.T, endpoint, bucket string, policy string, fields map[string]string, file string) *http.Request {
	t.Helper()
	now := time.Now().UTC()
	date := now.Format("20060102")
	cred := gureumtest.AccessKeyID + "/" + date + "/" + gureumtest.Region + "/s3/aws4_request"
	policy = strings.NewReplacer("$CRED", cred, "$DATE", now.Format("20060102T150405Z"), "$BUCKET", bucket).Replace(policy)
	b64 := base64.StdEncoding.EncodeToString([]byte(policy))
	key := []byte("AWS4" + gureumtest.SecretAccessKey)
	for _, part := range []string{date, gureumtest.Region, "s3", "aws4_request"} {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(part))
		key = m.Sum(nil)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(b64))
	all := map[string]string{"policy": b64, "x-amz-algorithm": "AWS4-HMAC-SHA256", "x-amz-credential": cred,
		"x-amz-date": now.Format("20060102T150405Z"), "x-amz-signature": hex.EncodeToString(m.Sum(nil))}
	for k, v := range fields {
		all[k] = v
	}
	return formRequest(t, endpoint+"/"+bucket, all, file)
}

func formRequest(t *testing.T, url string, fields map[string]string, file string) *http.Request {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", "photo.jpg")
	fw.Write([]byte(file))
	mw.Close()
	r, _ := http.NewRequest(http.MethodPost, url, &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return r
}

// TestPostObject: a form upload with a signed POST policy stores the file (event
// ObjectCreated:Post) when every condition holds, and is refused with S3's errors when the
// signature, a condition, the size range or the expiration does not hold; without a policy
// only a bucket that lets anyone put takes it.
func TestPostObject(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	c := client(srv, true)
	mustBucket(t, c, "forms")
	expires := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	policy := `{"expiration":"` + expires + `","conditions":[{"bucket":"$BUCKET"},["starts-with","$key","user/"],
		{"x-amz-credential":"$CRED"},{"x-amz-algorithm":"AWS4-HMAC-SHA256"},{"x-amz-date":"$DATE"},["content-length-range",1,100],
		["starts-with","$Content-Type","image/"],{"success_action_status":"201"},["starts-with","$x-amz-meta-note",""]]}`
	fields := map[string]string{"key": "user/${filename}", "Content-Type": "image/jpeg", "success_action_status": "201", "x-amz-meta-note": "hi"}
	send := func(r *http.Request) (int, string) {
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := send(signedPost(t, srv.Endpoint, "forms", policy, fields, "jpeg bytes"))
	if status != 201 || !strings.Contains(body, "<Key>user/photo.jpg</Key>") {
		t.Fatalf("PostObject = %d %s; want 201 with a PostResponse", status, body)
	}
	if got := get(t, c, "forms", "user/photo.jpg"); got != "jpeg bytes" {
		t.Errorf("posted object = %q", got)
	}
	head, err := c.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String("forms"), Key: aws.String("user/photo.jpg")})
	if err != nil || aws.ToString(head.ContentType) != "image/jpeg" || head.Metadata["note"] != "hi" {
		t.Errorf("HeadObject = %+v, %v; want image/jpeg with x-amz-meta-note", head, err)
	}
	bad := func(name string, r *http.Request, wantStatus int, wantCode string) {
		t.Helper()
		if status, body := send(r); status != wantStatus || !strings.Contains(body, "<Code>"+wantCode+"</Code>") {
			t.Errorf("%s: %d %s; want %d %s", name, status, body, wantStatus, wantCode)
		}
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range fields {
			m[a] = b
		}
		m[k] = v
		return m
	}
	bad("key outside the prefix", signedPost(t, srv.Endpoint, "forms", policy, with("key", "other/x"), "x"), 403, "AccessDenied")
	bad("a field the policy does not cover", signedPost(t, srv.Endpoint, "forms", policy, with("x-amz-meta-other", "y"), "x"), 403, "AccessDenied")
	bad("too large", signedPost(t, srv.Endpoint, "forms", policy, fields, strings.Repeat("x", 101)), 400, "EntityTooLarge")
	expired := strings.Replace(policy, expires, "2020-01-01T00:00:00Z", 1)
	bad("expired", signedPost(t, srv.Endpoint, "forms", expired, fields, "x"), 403, "AccessDenied")
	bad("a policy changed after signing", forgedSignature(t, srv.Endpoint, policy), 403, "SignatureDoesNotMatch")
	bad("anonymous to a private bucket", formRequest(t, srv.Endpoint+"/forms", map[string]string{"key": "anon"}, "x"), 403, "AccessDenied")
	if _, err := c.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String("forms"), Key: aws.String("other/x")}); err == nil {
		t.Errorf("a refused upload was stored")
	}
}

// forgedSignature builds a form whose policy differs from the one its signature is over.
func forgedSignature(t *testing.T, endpoint, signedPolicy string) *http.Request {
	good := signedPost(t, endpoint, "forms", signedPolicy, map[string]string{}, "x")
	good.ParseMultipartForm(1 << 20)
	fields := map[string]string{}
	for k, v := range good.MultipartForm.Value {
		fields[k] = v[0]
	}
	fields["policy"] = base64.StdEncoding.EncodeToString([]byte(`{"expiration":"2099-01-01T00:00:00Z","conditions":[{"bucket":"forms"},["starts-with","$key",""]]}`))
	fields["key"] = "root.txt"
	return formRequest(t, endpoint+"/forms", fields, "x")
}
