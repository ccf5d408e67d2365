package router_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/iam"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/router"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/sigv4"
	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/sqlite"
	"github.com/gureum/gureum/internal/telemetry"
)

// objects is a fixture REST-XML service shaped like a slice of S3, used to exercise S3 routing,
// streamed authentication and anonymous access through the real router.
type objects struct {
	mu   sync.Mutex
	data map[string][]byte
	seen []string // principals that called
}

type putInput struct {
	Bucket string    `rest:"uri=Bucket"`
	Key    string    `rest:"uri=Key"`
	Body   io.Reader `rest:"payload"`
}

type putOutput struct {
	ETag string `rest:"header=ETag"`
}

type getInput struct {
	Bucket string `rest:"uri=Bucket"`
	Key    string `rest:"uri=Key"`
}

type getOutput struct {
	Body []byte `rest:"payload"`
}

func (o *objects) put(ctx context.Context, in *putInput) (*putOutput, error) {
	b, err := io.ReadAll(in.Body) // a verifying reader: an integrity failure surfaces here
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.data[in.Bucket+"/"+in.Key] = b
	if p := request.From(ctx).Principal; p != nil {
		o.seen = append(o.seen, p.ARN)
	}
	return &putOutput{ETag: `"etag"`}, nil
}

func (o *objects) get(ctx context.Context, in *getInput) (*getOutput, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	b, ok := o.data[in.Bucket+"/"+in.Key]
	if !ok {
		return nil, (&awserrCode).Errorf("The specified key does not exist.")
	}
	return &getOutput{Body: b}, nil
}

func (o *objects) describe() *service.Service {
	return (&service.Service{Name: "s3", SigningName: "s3", Protocol: service.RESTXML, Payload: service.PayloadUnsigned | service.PayloadStreaming, Operations: []service.Operation{
		{Name: "PutObject", Action: "s3:PutObject", UnsignedTrailer: true, Handler: service.Func(o.put),
			Route: service.Route{Method: "PUT", Path: "/{Bucket}/{Key+}"}},
		{Name: "GetObject", Action: "s3:GetObject", Anonymous: true, Handler: service.Func(o.get),
			Route: service.Route{Method: "GET", Path: "/{Bucket}/{Key+}"}},
		{Name: "DeleteObject", Action: "s3:DeleteObject", Route: service.Route{Method: "DELETE", Path: "/{Bucket}/{Key+}"},
			Handler: service.Func(func(context.Context, *getInput) (*getOutput, error) { panic("boom") })},
	}}).Index()
}

const (
	rootKey, rootSecret = "AKIAROUTERROOT000001", "root-secret"
	userKey, userSecret = "AKIAROUTERUSER000001", "user-secret"
)

func newRouter(t *testing.T) (*objects, *telemetry.Metrics, http.Handler) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	st.CreateAccount(ctx, store.Account{ID: "111111111111", Name: "a"})
	st.PutAccessKey(ctx, store.AccessKey{ID: rootKey, Secret: rootSecret, Account: "111111111111", PrincipalARN: "arn:aws:iam::111111111111:root", UserID: "111111111111"})
	st.PutAccessKey(ctx, store.AccessKey{ID: userKey, Secret: userSecret, Account: "111111111111", PrincipalARN: "arn:aws:iam::111111111111:user/bob", UserID: "AIDABOB"})
	o := &objects{data: map[string][]byte{}}
	m := telemetry.New()
	rt, err := router.New(router.Config{
		Services:   []*service.Service{o.describe()},
		Verifier:   &sigv4.Verifier{Keys: iam.NewKeys(st, nil), Region: "us-east-1"},
		Authorizer: iam.RequestAuthorizer{Enforcer: iam.NewEnforcer(st, nil)},
		Metrics:    m,
		Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		Region:     "us-east-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	return o, m, rt
}

// s3Client points the real S3 client at srv; with pathStyle false it addresses buckets as
// bucket.localhost and a custom dialer sends every connection to srv.
func s3Client(srv *httptest.Server, key, secret string, pathStyle bool) *s3.Client {
	addr := srv.Listener.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	endpoint := strings.Replace(srv.URL, addr, "localhost:"+port, 1)
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}
	return s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(endpoint), UsePathStyle: pathStyle, RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}, nil
		}),
		HTTPClient: &http.Client{Transport: tr, Timeout: 10 * time.Second},
	})
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestS3Addressing(t *testing.T) {
	o, _, rt := newRouter(t)
	var hosts sync.Map
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, _, _ := net.SplitHostPort(r.Host)
		hosts.Store(h, r.URL.Path)
		rt.ServeHTTP(w, r)
	}))
	defer srv.Close()
	payload := bytes.Repeat([]byte("gureum "), 30000)
	for _, pathStyle := range []bool{true, false} {
		c := s3Client(srv, rootKey, rootSecret, pathStyle)
		key := "dir/a key+with%chars"
		_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key), Body: io.NopCloser(bytes.NewReader(payload))})
		if err != nil {
			t.Fatalf("PutObject(pathStyle=%v): %v", pathStyle, err)
		}
		if got := o.data["bkt/"+key]; !bytes.Equal(got, payload) {
			t.Errorf("PutObject(pathStyle=%v) stored %d bytes; want %d", pathStyle, len(got), len(payload))
		}
		out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("GetObject(pathStyle=%v): %v", pathStyle, err)
		}
		b, _ := io.ReadAll(out.Body)
		if !bytes.Equal(b, payload) {
			t.Errorf("GetObject(pathStyle=%v) = %d bytes", pathStyle, len(b))
		}
	}
	if p, ok := hosts.Load("bkt.localhost"); !ok || !strings.HasPrefix(p.(string), "/dir/") {
		t.Errorf("no virtual-hosted request reached the server (hosts seen: %v)", p)
	}
	if len(o.seen) != 2 || o.seen[0] != "arn:aws:iam::111111111111:root" {
		t.Errorf("handlers saw principals %v; want the root twice", o.seen)
	}
}

func TestAnonymousAndAuthorization(t *testing.T) {
	o, _, rt := newRouter(t)
	srv := httptest.NewTLSServer(rt)
	defer srv.Close()
	o.data["bkt/public"] = []byte("hello")
	client := srv.Client()
	get := func(method, path string) (int, string) {
		r, _ := http.NewRequest(method, srv.URL+path, nil)
		resp, err := client.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := get("GET", "/bkt/public"); status != 200 || body != "hello" {
		t.Errorf("anonymous GET of an operation that allows it = %d %q", status, body)
	}
	if status, body := get("PUT", "/bkt/x"); status != 403 || !strings.Contains(body, "<Code>AccessDenied</Code>") {
		t.Errorf("anonymous PUT = %d %s; want 403 AccessDenied", status, body)
	}
	if status, body := get("POST", "/bkt/x"); status != 405 || !strings.Contains(body, "<Code>MethodNotAllowed</Code>") {
		t.Errorf("POST to an object = %d %s; want 405 MethodNotAllowed", status, body)
	}
	_, err := s3Client(srv, userKey, userSecret, true).PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"), Body: strings.NewReader("x")})
	if code(err) != "AccessDenied" {
		t.Errorf("PutObject by a non-root user = %v; want AccessDenied (default deny)", err)
	}
	_, err = s3Client(srv, rootKey, "wrong", true).GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("public")})
	if code(err) != "SignatureDoesNotMatch" {
		t.Errorf("GetObject with a bad signature = %v; want SignatureDoesNotMatch, even where anonymous access is allowed", err)
	}
}

func TestPanicBecomesInternalError(t *testing.T) {
	_, m, rt := newRouter(t)
	srv := httptest.NewTLSServer(rt)
	defer srv.Close()
	c := s3Client(srv, rootKey, rootSecret, true)
	_, err := c.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
	if code(err) != "InternalError" {
		t.Errorf("DeleteObject (handler panics) = %v; want InternalError", err)
	}
	if _, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("nope")}); code(err) != "NoSuchKey" {
		t.Errorf("server after a panic: GetObject = %v; want NoSuchKey", err)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(rec.Body.String(), `gureum_requests_total{operation="DeleteObject",service="s3",status="500"} 1`) {
		t.Errorf("metrics do not count the 500")
	}
}

var awserrCode = awserr.Code{Name: "NoSuchKey", Status: 404}

// TestS3KeysAreByteExact checks that keys with dot segments and empty segments reach the handler
// as the client wrote them (issue 20: paths are never rewritten).
func TestS3KeysAreByteExact(t *testing.T) {
	o, _, rt := newRouter(t)
	srv := httptest.NewTLSServer(rt)
	defer srv.Close()
	c := s3Client(srv, rootKey, rootSecret, true)
	for _, key := range []string{"a/../b", "a//b", "./c", "d/./e/", "../../f", "g/.."} {
		_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key), Body: strings.NewReader(key)})
		if err != nil {
			t.Errorf("PutObject(%q): %v", key, err)
			continue
		}
		if got := string(o.data["bkt/"+key]); got != key {
			t.Errorf("PutObject(%q) stored %q under that key; want the key byte for byte", key, got)
		}
	}
}
