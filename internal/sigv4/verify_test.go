package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/service"
)

var (
	testNow  = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	rootCred = &Credential{AccessKeyID: "AKIAGUREUMTEST000001", SecretAccessKey: "secret/one+two"}
	tempCred = &Credential{AccessKeyID: "ASIAGUREUMTEST000002", SecretAccessKey: "temp-secret", SessionToken: "the-token", Expires: testNow.Add(time.Hour)}
	oldCred  = &Credential{AccessKeyID: "ASIAGUREUMTEST000003", SecretAccessKey: "old-secret", SessionToken: "old-token", Expires: testNow.Add(-time.Minute)}
)

func testVerifier() *Verifier {
	return &Verifier{
		Keys:   staticKeys{rootCred.AccessKeyID: rootCred, tempCred.AccessKeyID: tempCred, oldCred.AccessKeyID: oldCred},
		Region: "us-east-1",
		Now:    func() time.Time { return testNow },
	}
}

// verifyServer answers 200 with the decoded body when a request verifies, and the error kind's name
// (and message) otherwise.
func verifyServer(t *testing.T, opt Options) *httptest.Server {
	t.Helper()
	v := testVerifier()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o := opt
		if !o.S3 {
			o.Body, _ = io.ReadAll(r.Body)
		}
		res, err := v.Verify(r.Context(), r, o)
		if err == nil && res.Body != nil {
			var body []byte
			body, err = io.ReadAll(res.Body)
			if err == nil {
				w.Write(body)
				return
			}
		}
		if err != nil {
			code, e := awserr.Resolve(awserr.RESTXML, err)
			w.WriteHeader(code.Status)
			io.WriteString(w, code.Name+": "+e.Message)
			return
		}
		w.Write(o.Body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func send(t *testing.T, r *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func creds(c *Credential) aws.Credentials {
	return aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
}

// signQuery signs a form POST the way aws-sdk-go-v2 signs STS and SQS query requests.
func signQuery(t *testing.T, srv string, c *Credential, body string, at time.Time, service string) *http.Request {
	t.Helper()
	r, _ := http.NewRequest("POST", srv+"/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if c.SessionToken != "" {
		r.Header.Set("X-Amz-Security-Token", c.SessionToken)
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds(c), r, sha([]byte(body)), service, "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSDKSignedHeaderRequests(t *testing.T) {
	srv := verifyServer(t, Options{Service: "sts"})
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
		want   string
	}{
		{"root", func() *http.Request { return signQuery(t, srv.URL, rootCred, body, testNow, "sts") }, 200, body},
		{"temporary credentials", func() *http.Request { return signQuery(t, srv.URL, tempCred, body, testNow, "sts") }, 200, body},
		{"wrong secret", func() *http.Request {
			return signQuery(t, srv.URL, &Credential{AccessKeyID: rootCred.AccessKeyID, SecretAccessKey: "nope"}, body, testNow, "sts")
		}, 403, "SignatureDoesNotMatch"},
		{"unknown key", func() *http.Request {
			return signQuery(t, srv.URL, &Credential{AccessKeyID: "AKIAUNKNOWN", SecretAccessKey: "x"}, body, testNow, "sts")
		}, 403, "InvalidAccessKeyId"},
		{"tampered header", func() *http.Request {
			r := signQuery(t, srv.URL, rootCred, body, testNow, "sts")
			r.Header.Set("Content-Type", "text/plain")
			return r
		}, 403, "SignatureDoesNotMatch"},
		{"tampered body", func() *http.Request {
			r := signQuery(t, srv.URL, rootCred, body, testNow, "sts")
			r.Body = io.NopCloser(strings.NewReader(strings.Replace(body, "Get", "Got", 1)))
			return r
		}, 403, "SignatureDoesNotMatch"},
		{"clock skew", func() *http.Request {
			return signQuery(t, srv.URL, rootCred, body, testNow.Add(-16*time.Minute), "sts")
		}, 403, "RequestTimeTooSkewed"},
		{"future skew", func() *http.Request { return signQuery(t, srv.URL, rootCred, body, testNow.Add(16*time.Minute), "sts") }, 403, "RequestTimeTooSkewed"},
		{"within skew", func() *http.Request {
			return signQuery(t, srv.URL, rootCred, body, testNow.Add(-14*time.Minute), "sts")
		}, 200, body},
		{"missing security token", func() *http.Request {
			c := *tempCred
			c.SessionToken = ""
			return signQuery(t, srv.URL, &c, body, testNow, "sts")
		}, 400, "InvalidToken"},
		{"wrong security token", func() *http.Request {
			c := *tempCred
			c.SessionToken = "forged"
			return signQuery(t, srv.URL, &c, body, testNow, "sts")
		}, 400, "InvalidToken"},
		{"token on a long-term key", func() *http.Request {
			c := *rootCred
			c.SessionToken = "unexpected"
			return signQuery(t, srv.URL, &c, body, testNow, "sts")
		}, 400, "InvalidToken"},
		{"expired temporary credentials", func() *http.Request { return signQuery(t, srv.URL, oldCred, body, testNow, "sts") }, 400, "ExpiredToken"},
		{"wrong service in scope", func() *http.Request { return signQuery(t, srv.URL, rootCred, body, testNow, "iam") }, 400, "AuthorizationHeaderMalformed"},
		{"no credentials", func() *http.Request {
			r, _ := http.NewRequest("POST", srv.URL+"/", strings.NewReader(body))
			return r
		}, 403, "AccessDenied"},
		{"signature removed", func() *http.Request {
			r := signQuery(t, srv.URL, rootCred, body, testNow, "sts")
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:strings.Index(a, ", Signature=")])
			return r
		}, 400, "AuthorizationHeaderMalformed"},
		{"credentials moved into the query", func() *http.Request {
			r := signQuery(t, srv.URL, rootCred, body, testNow, "sts")
			a := r.Header.Get("Authorization")
			r.Header.Del("Authorization")
			cred := a[strings.Index(a, "Credential=")+11 : strings.Index(a, ",")]
			r.URL.RawQuery = "X-Amz-Credential=" + url.QueryEscape(cred)
			return r
		}, 400, "AuthorizationHeaderMalformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got := send(t, tt.req())
			if status != tt.status || !strings.HasPrefix(got, tt.want) {
				t.Errorf("got %d %q; want %d %q", status, got, tt.status, tt.want)
			}
		})
	}
}

func TestSDKPresignedRequests(t *testing.T) {
	srv := verifyServer(t, Options{Service: "s3", S3: true, Payload: s3Payload})
	presign := func(c *Credential, path string, expires time.Duration, at time.Time) string {
		r, _ := http.NewRequest("GET", srv.URL+path, nil)
		q := r.URL.Query()
		q.Set("X-Amz-Expires", fmtSeconds(expires))
		r.URL.RawQuery = q.Encode()
		signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
		u, _, err := signer.PresignHTTP(context.Background(), creds(c), r, "UNSIGNED-PAYLOAD", "s3", "us-east-1", at)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	get := func(u string) (int, string) {
		r, _ := http.NewRequest("GET", u, nil)
		return send(t, r)
	}
	odd := "/bucket/a//b/../c%20d%2Be%21"
	tests := []struct {
		name   string
		url    string
		status int
		want   string
	}{
		{"valid", presign(rootCred, odd, time.Hour, testNow), 200, ""},
		{"temporary credentials", presign(tempCred, "/bucket/key", time.Hour, testNow), 200, ""},
		{"seven days", presign(rootCred, "/bucket/key", 7*24*time.Hour, testNow.Add(-6*24*time.Hour)), 200, ""},
		{"expired", presign(rootCred, "/bucket/key", time.Hour, testNow.Add(-2*time.Hour)), 403, "AccessDenied: Request has expired"},
		{"longer than seven days", presign(rootCred, "/bucket/key", 8*24*time.Hour, testNow), 400, "AuthorizationHeaderMalformed"},
		{"signed in the future", presign(rootCred, "/bucket/key", time.Hour, testNow.Add(time.Hour)), 403, "AccessDenied: Request is not yet valid"},
		{"wrong secret", presign(&Credential{AccessKeyID: rootCred.AccessKeyID, SecretAccessKey: "bad"}, "/bucket/key", time.Hour, testNow), 403, "SignatureDoesNotMatch"},
		{"tampered path", strings.Replace(presign(rootCred, "/bucket/key", time.Hour, testNow), "/key", "/other", 1), 403, "SignatureDoesNotMatch"},
		{"token removed", strings.Replace(presign(tempCred, "/bucket/key", time.Hour, testNow), "&X-Amz-Security-Token=the-token", "", 1), 400, "InvalidToken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got := get(tt.url)
			if status != tt.status || !strings.HasPrefix(got, tt.want) {
				t.Errorf("GET %s = %d %q; want %d %q", tt.url, status, got, tt.status, tt.want)
			}
		})
	}
}

func fmtSeconds(d time.Duration) string { return strconv.Itoa(int(d.Seconds())) }

func TestS3PayloadHash(t *testing.T) {
	srv := verifyServer(t, Options{Service: "s3", S3: true, Payload: s3Payload})
	put := func(declared string, body []byte, sent []byte) *http.Request {
		r, _ := http.NewRequest("PUT", srv.URL+"/bucket/key", bytes.NewReader(body))
		r.Header.Set("X-Amz-Content-Sha256", declared)
		signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
		if err := signer.SignHTTP(context.Background(), creds(rootCred), r, declared, "s3", "us-east-1", testNow); err != nil {
			t.Fatal(err)
		}
		if sent != nil {
			r.Body = io.NopCloser(bytes.NewReader(sent))
		}
		return r
	}
	data := []byte("hello, gureum")
	tests := []struct {
		name   string
		req    *http.Request
		status int
		want   string
	}{
		{"hashed", put(sha(data), data, nil), 200, string(data)},
		{"unsigned", put("UNSIGNED-PAYLOAD", data, nil), 200, string(data)},
		{"tampered body", put(sha(data), data, []byte("hello, gureuM")), 400, "XAmzContentSHA256Mismatch"},
		{"missing header", func() *http.Request { r := put(sha(data), data, nil); r.Header.Del("X-Amz-Content-Sha256"); return r }(), 400, "InvalidRequest"},
		{"unsigned trailer not allowed here", put("STREAMING-UNSIGNED-PAYLOAD-TRAILER", data, nil), 400, "InvalidRequest"},
		{"bogus mode", put("SOMETHING", data, nil), 400, "InvalidArgument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got := send(t, tt.req)
			if status != tt.status || !strings.HasPrefix(got, tt.want) {
				t.Errorf("got %d %q; want %d %q", status, got, tt.status, tt.want)
			}
		})
	}
}

func TestErrorKinds(t *testing.T) {
	v := testVerifier()
	r := signQuery(t, "http://localhost", rootCred, "x=1", testNow, "sts")
	_, err := v.Verify(context.Background(), r, Options{Service: "sts", Body: []byte("x=2")})
	var e *awserr.Error
	if !errors.As(err, &e) || e.Kind != awserr.SignatureMismatch {
		t.Errorf("Verify(tampered body) = %v; want kind SignatureMismatch", err)
	}
}

// s3Payload is what S3's description declares: unsigned and streaming bodies.
const s3Payload = service.PayloadUnsigned | service.PayloadStreaming

// TestPayloadModes: SQS and STS took UNSIGNED-PAYLOAD, so a signed request's body could be replaced
// in flight; a service accepts it only when its description says so.
func TestPayloadModes(t *testing.T) {
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	signed := func(declared, sent string) func() *http.Request {
		return func() *http.Request {
			r, _ := http.NewRequest("POST", "http://localhost/", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("X-Amz-Content-Sha256", declared)
			if err := v4.NewSigner().SignHTTP(context.Background(), creds(rootCred), r, declared, "sts", "us-east-1", testNow); err != nil {
				t.Fatal(err)
			}
			r.Body = io.NopCloser(strings.NewReader(sent))
			return r
		}
	}
	swapped := "Action=DeleteQueue&Version=2011-06-15&Pad=x" // as long as body: Content-Length is signed
	tests := []struct {
		name    string
		payload service.PayloadModes
		req     func() *http.Request
		status  int
		want    string
	}{
		{"unsigned payload, swapped body", 0, signed("UNSIGNED-PAYLOAD", swapped), 403, "SignatureDoesNotMatch"},
		{"unsigned payload, same body", 0, signed("UNSIGNED-PAYLOAD", body), 403, "SignatureDoesNotMatch"},
		{"unsigned payload where declared", service.PayloadUnsigned, signed("UNSIGNED-PAYLOAD", swapped), 200, swapped},
		{"streaming", 0, signed("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", body), 400, "InvalidRequest"},
		{"signed hash", 0, signed(sha([]byte(body)), body), 200, body},
		{"signed hash, swapped body", 0, signed(sha([]byte(body)), swapped), 400, "XAmzContentSHA256Mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := verifyServer(t, Options{Service: "sts", Payload: tt.payload})
			r := tt.req()
			r.URL, _ = url.Parse(srv.URL + "/")
			status, got := send(t, r)
			if status != tt.status || !strings.HasPrefix(got, tt.want) {
				t.Errorf("got %d %q; want %d %q", status, got, tt.status, tt.want)
			}
		})
	}
	// S3's presigned URLs carry no payload hash, which means UNSIGNED-PAYLOAD.
	r, _ := http.NewRequest("GET", "http://localhost/b/k?X-Amz-Expires=60", nil)
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds(rootCred), r, "UNSIGNED-PAYLOAD", "s3", "us-east-1", testNow)
	if err != nil {
		t.Fatal(err)
	}
	r, _ = http.NewRequest("GET", u, nil)
	if _, err := testVerifier().Verify(context.Background(), r, Options{Service: "s3", S3: true}); awserr.As(err).Kind != awserr.SignatureMismatch {
		t.Errorf("Verify(presigned S3 URL without PayloadUnsigned) = %v; want SignatureMismatch", err)
	}
}

// TestDuplicateAuth: two Authorization headers (the first won), a component repeated in one (the
// last won), repeated presign parameters and header and query authentication together are refused.
func TestDuplicateAuth(t *testing.T) {
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	good := func() *http.Request { return signQuery(t, "http://localhost", rootCred, body, testNow, "sts") }
	auth := func(r *http.Request) (string, string) {
		a := r.Header.Get("Authorization")
		i := strings.Index(a, "Signature=")
		return a, a[i+len("Signature="):]
	}
	tests := []struct {
		name string
		edit func(r *http.Request)
		kind awserr.Kind
	}{
		{"valid then garbage", func(r *http.Request) { r.Header.Add("Authorization", "garbage") }, awserr.IncompleteSignature},
		{"garbage then valid", func(r *http.Request) {
			a, _ := auth(r)
			r.Header["Authorization"] = []string{"AWS4-HMAC-SHA256 Credential=x", a}
		}, awserr.IncompleteSignature},
		{"the same header twice", func(r *http.Request) { a, _ := auth(r); r.Header.Add("Authorization", a) }, awserr.IncompleteSignature},
		{"repeated Signature", func(r *http.Request) {
			a, sig := auth(r)
			r.Header.Set("Authorization", strings.Replace(a, "Signature="+sig, "Signature=0000, Signature="+sig, 1))
		}, awserr.IncompleteSignature},
		{"repeated Signature, the empty one first", func(r *http.Request) {
			a, sig := auth(r)
			r.Header.Set("Authorization", strings.Replace(a, "Signature="+sig, "Signature=, Signature="+sig, 1))
		}, awserr.IncompleteSignature},
		{"repeated Credential", func(r *http.Request) {
			a, _ := auth(r)
			r.Header.Set("Authorization", strings.Replace(a, "Credential=", "Credential=AKIAOTHER/20261122/us-east-1/sts/aws4_request, Credential=", 1))
		}, awserr.IncompleteSignature},
		{"repeated SignedHeaders", func(r *http.Request) {
			a, _ := auth(r)
			r.Header.Set("Authorization", strings.Replace(a, "SignedHeaders=", "SignedHeaders=host, SignedHeaders=", 1))
		}, awserr.IncompleteSignature},
		{"header and query auth", func(r *http.Request) { r.URL.RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256" }, awserr.InvalidRequest},
		{"header and query signature", func(r *http.Request) { r.URL.RawQuery = "X-Amz-SignedHeaders=host" }, awserr.InvalidRequest},
	}
	v := testVerifier()
	if _, err := v.Verify(context.Background(), good(), Options{Service: "sts", Body: []byte(body)}); err != nil {
		t.Fatalf("Verify(good) = %v", err)
	}
	for _, tt := range tests {
		r := good()
		tt.edit(r)
		_, err := v.Verify(context.Background(), r, Options{Service: "sts", Body: []byte(body)})
		if awserr.As(err).Kind != tt.kind {
			t.Errorf("%s: Verify = %v; want kind %d", tt.name, err, tt.kind)
		}
		if _, ok := ParseScope(r); ok && tt.kind == awserr.IncompleteSignature {
			t.Errorf("%s: ParseScope found a scope Verify refuses", tt.name)
		}
	}
	r, _ := http.NewRequest("GET", "http://localhost/b/k?X-Amz-Expires=60", nil)
	u, _, _ := v4.NewSigner().PresignHTTP(context.Background(), creds(rootCred), r, "UNSIGNED-PAYLOAD", "s3", "us-east-1", testNow)
	r, _ = http.NewRequest("GET", u+"&X-Amz-Signature=0000", nil)
	if _, err := v.Verify(context.Background(), r, Options{Service: "s3", S3: true, Payload: s3Payload}); awserr.As(err).Kind != awserr.IncompleteSignature {
		t.Errorf("Verify(repeated X-Amz-Signature) = %v; want IncompleteSignature", err)
	}
}

// TestVerifyAfterPrecheck: Verify goes on from Precheck's finding for the same request under the
// same rules, and ignores a finding of another request, which it verifies on its own material.
func TestVerifyAfterPrecheck(t *testing.T) {
	v := testVerifier()
	ctx := context.Background()
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	good := signQuery(t, "http://localhost", rootCred, body, testNow, "sts")
	bad := signQuery(t, "http://localhost", rootCred, body, testNow, "sts")
	bad.Header.Set("Authorization", strings.Replace(bad.Header.Get("Authorization"), "Signature=", "Signature=0", 1)[:len(bad.Header.Get("Authorization"))])
	opt := Options{Service: "sts", Body: []byte(body)}
	checked, err := v.Precheck(ctx, good, opt)
	if err != nil {
		t.Fatal(err)
	}
	o := opt
	o.Checked = checked
	if res, err := v.Verify(ctx, good, o); err != nil || res.Credential.AccessKeyID != rootCred.AccessKeyID {
		t.Fatalf("Verify after Precheck = %v, %v", res, err)
	}
	// Another request with the first one's finding: verified on its own (bad) signature.
	if _, err := v.Verify(ctx, bad, o); awserr.As(err).Kind != awserr.SignatureMismatch {
		t.Errorf("Verify of another request with a foreign finding = %v; want SignatureMismatch", err)
	}
	// The body still counts: a finding does not stand for the signature.
	o.Body = []byte(body + "&x=1")
	if _, err := v.Verify(ctx, good, o); awserr.As(err).Kind != awserr.SignatureMismatch {
		t.Errorf("Verify of a changed body after Precheck = %v; want SignatureMismatch", err)
	}
	// Under other rules (another service's name) the finding is not used: the scope is checked.
	o = Options{Service: "sqs", Body: []byte(body), Checked: checked}
	if _, err := v.Verify(ctx, good, o); err == nil {
		t.Errorf("Verify as sqs of an sts-scoped request with an sts finding passed")
	}
}
