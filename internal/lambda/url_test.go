package lambda_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

// urlEcho answers a function URL request with its event.
const urlEcho = `
import json
def handler(event, context):
    return {"statusCode": 201, "headers": {"x-echo": "yes", "Access-Control-Allow-Origin": "https://evil.example"}, "cookies": ["a=1"], "body": json.dumps(event)}
`

// urlClient sends every request to the server, whatever host its URL names (a function URL's
// <id>.lambda-url.us-east-1.localhost need not resolve).
func urlClient(srv *gureumtest.Server) *http.Client {
	addr := strings.TrimPrefix(srv.Endpoint, "http://")
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}}
}

func do(t *testing.T, c *http.Client, r *http.Request) (int, http.Header, []byte) {
	t.Helper()
	resp, err := c.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// TestFunctionURL: a URL's configuration calls, and its data plane: AuthType NONE runs only
// when the function's policy allows anyone both lambda:InvokeFunctionUrl and
// lambda:InvokeFunction; the event is payload 2.0; CORS is answered from the URL's settings;
// AuthType AWS_IAM takes a SigV4-signed request.
func TestFunctionURL(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	f.create(t, "web", "python3.12", "app.handler", pyZip(t, urlEcho))
	cors := &types.Cors{AllowOrigins: []string{"https://app.example"}, AllowMethods: []string{"GET", "POST"}, AllowHeaders: []string{"x-custom"},
		ExposeHeaders: []string{"x-echo"}, MaxAge: aws.Int32(300), AllowCredentials: aws.Bool(true)}
	created, err := f.client.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("web"), AuthType: types.FunctionUrlAuthTypeNone, Cors: cors})
	if err != nil {
		t.Fatal(err)
	}
	port := f.srv.Endpoint[strings.LastIndex(f.srv.Endpoint, ":")+1:]
	fnURL := aws.ToString(created.FunctionUrl)
	if !regexp.MustCompile(`^http://[a-z0-9]{32}\.lambda-url\.us-east-1\.localhost:`+port+`/$`).MatchString(fnURL) ||
		aws.ToString(created.FunctionArn) != "arn:aws:lambda:us-east-1:000000000000:function:web" || created.InvokeMode != types.InvokeModeBuffered {
		t.Fatalf("CreateFunctionUrlConfig = %+v", created)
	}
	if _, err := f.client.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("web"), AuthType: types.FunctionUrlAuthTypeNone}); errCode(err) != "ResourceConflictException" {
		t.Errorf("CreateFunctionUrlConfig twice = %v; want ResourceConflictException", err)
	}
	if _, err := f.client.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("web"), Qualifier: aws.String("1"), AuthType: types.FunctionUrlAuthTypeNone}); errCode(err) != "ValidationException" {
		t.Errorf("CreateFunctionUrlConfig on a version = %v; want ValidationException", err)
	}
	if _, err := f.client.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("web"), Qualifier: aws.String("nosuch"), AuthType: types.FunctionUrlAuthTypeNone}); errCode(err) != "ResourceNotFoundException" {
		t.Errorf("CreateFunctionUrlConfig on a missing alias = %v; want ResourceNotFoundException", err)
	}
	got, err := f.client.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String("web")})
	if err != nil || aws.ToString(got.FunctionUrl) != fnURL || got.Cors == nil || aws.ToInt32(got.Cors.MaxAge) != 300 {
		t.Fatalf("GetFunctionUrlConfig = %+v, %v", got, err)
	}
	list, err := f.client.ListFunctionUrlConfigs(ctx, &lambda.ListFunctionUrlConfigsInput{FunctionName: aws.String("web")})
	if err != nil || len(list.FunctionUrlConfigs) != 1 || aws.ToString(list.FunctionUrlConfigs[0].FunctionUrl) != fnURL {
		t.Fatalf("ListFunctionUrlConfigs = %+v, %v", list, err)
	}

	c := urlClient(f.srv)
	get := func(target string, mod ...func(*http.Request)) (int, http.Header, []byte) {
		r, _ := http.NewRequest("GET", target, nil)
		for _, m := range mod {
			m(r)
		}
		return do(t, c, r)
	}
	// No policy: refused.
	if status, _, body := get(fnURL + "items?x=1"); status != http.StatusForbidden {
		t.Fatalf("GET without a policy = %d %s; want 403", status, body)
	}
	if _, err := f.client.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("web"), StatementId: aws.String("url"),
		Action: aws.String("lambda:InvokeFunctionUrl"), Principal: aws.String("*"), FunctionUrlAuthType: types.FunctionUrlAuthTypeNone}); err != nil {
		t.Fatal(err)
	}
	// lambda:InvokeFunctionUrl alone no longer suffices.
	if status, _, body := get(fnURL + "items?x=1"); status != http.StatusForbidden {
		t.Fatalf("GET with only lambda:InvokeFunctionUrl = %d %s; want 403", status, body)
	}
	if _, err := f.client.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("web"), StatementId: aws.String("invoke"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*"), InvokedViaFunctionUrl: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	status, h, body := get(fnURL+"items/a%20b?x=1&x=2&y=z", func(r *http.Request) {
		r.Header.Set("Origin", "https://app.example")
		r.Header.Set("Cookie", "s=1; t=2")
	})
	if status != 201 || h.Get("X-Echo") != "yes" || h.Get("Set-Cookie") != "a=1" {
		t.Fatalf("GET = %d %v %s", status, h, body)
	}
	if h.Get("Access-Control-Allow-Origin") != "https://app.example" || h.Get("Access-Control-Expose-Headers") != "x-echo" || h.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("CORS headers of a GET = %v", h)
	}
	var ev struct {
		Version, RouteKey, RawPath, RawQueryString string
		Cookies                                    []string
		Headers, QueryStringParameters             map[string]string
		RequestContext                             struct {
			AccountID    string `json:"accountId"`
			APIID        string `json:"apiId"`
			DomainPrefix string `json:"domainPrefix"`
			Stage        string `json:"stage"`
			HTTP         struct{ Method, Path, SourceIP string }
		}
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatalf("event %s: %v", body, err)
	}
	id := strings.TrimPrefix(strings.SplitN(fnURL, ".", 2)[0], "http://")
	if ev.Version != "2.0" || ev.RouteKey != "$default" || ev.RawPath != "/items/a b" || ev.RawQueryString != "x=1&x=2&y=z" ||
		ev.QueryStringParameters["x"] != "1,2" || len(ev.Cookies) != 2 || ev.Headers["origin"] != "https://app.example" ||
		ev.RequestContext.APIID != id || ev.RequestContext.DomainPrefix != id || ev.RequestContext.Stage != "$default" ||
		ev.RequestContext.AccountID != "anonymous" || ev.RequestContext.HTTP.Method != "GET" || ev.RequestContext.HTTP.SourceIP != "127.0.0.1" {
		t.Errorf("event = %s", body)
	}
	// The same URL by path on the server's own address.
	if status, _, body := get(f.srv.Endpoint + "/_gureum/lambda-url/" + id + "/p"); status != 201 || !strings.Contains(string(body), `"rawPath": "/p"`) && !strings.Contains(string(body), `"rawPath":"/p"`) {
		t.Errorf("GET by path = %d %s", status, body)
	}
	// A preflight is answered from the URL's Cors without the function.
	pre, _ := http.NewRequest("OPTIONS", fnURL, nil)
	pre.Header.Set("Origin", "https://app.example")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	status, h, body = do(t, c, pre)
	if status != 200 || h.Get("Access-Control-Allow-Origin") != "https://app.example" || h.Get("Access-Control-Allow-Methods") != "GET,POST" ||
		h.Get("Access-Control-Allow-Headers") != "x-custom" || h.Get("Access-Control-Max-Age") != "300" || len(body) != 0 {
		t.Errorf("preflight = %d %v %q", status, h, body)
	}
	pre.Header.Set("Origin", "https://other.example")
	if _, h, _ = do(t, c, pre); h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from an origin not allowed = %v", h)
	}
	// A POST body reaches the function; binary bodies as base64.
	post, _ := http.NewRequest("POST", fnURL, bytes.NewReader([]byte{0xff, 0x00}))
	post.Header.Set("Content-Type", "application/octet-stream")
	if status, _, body := do(t, c, post); status != 201 || !strings.Contains(string(body), `"isBase64Encoded": true`) || !strings.Contains(string(body), `"/wA="`) {
		t.Errorf("POST binary = %d %s", status, body)
	}

	// AWS_IAM: unsigned is refused, signed by the account's root runs.
	if _, err := f.client.UpdateFunctionUrlConfig(ctx, &lambda.UpdateFunctionUrlConfigInput{FunctionName: aws.String("web"), AuthType: types.FunctionUrlAuthTypeAwsIam}); err != nil {
		t.Fatal(err)
	}
	if status, _, body := get(fnURL); status != http.StatusForbidden {
		t.Errorf("unsigned GET of an AWS_IAM URL = %d %s; want 403", status, body)
	}
	signed, _ := http.NewRequest("GET", fnURL+"signed", nil)
	gureumtest.Sign(t, signed, nil, "lambda")
	status, _, body = do(t, c, signed)
	if status != 201 || !strings.Contains(string(body), `"accountId": "000000000000"`) || !strings.Contains(string(body), `"iam"`) {
		t.Errorf("signed GET of an AWS_IAM URL = %d %s", status, body)
	}
	wrong, _ := http.NewRequest("GET", fnURL, nil)
	gureumtest.Sign(t, wrong, nil, "execute-api")
	if status, _, _ := do(t, c, wrong); status != http.StatusForbidden {
		t.Errorf("GET signed for another service = %d; want 403", status)
	}

	// Deleted: the URL no longer answers.
	if _, err := f.client.DeleteFunctionUrlConfig(ctx, &lambda.DeleteFunctionUrlConfigInput{FunctionName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String("web")}); errCode(err) != "ResourceNotFoundException" {
		t.Errorf("GetFunctionUrlConfig after delete = %v", err)
	}
	if status, _, _ := get(fnURL); status != http.StatusForbidden {
		t.Errorf("GET of a deleted URL = %d; want 403", status)
	}
}

// TestFunctionURLPayloadHash: an AWS_IAM URL takes what aws-sdk-go-v2's signer makes of each
// payload mode: a request without a body signed over UNSIGNED-PAYLOAD or over its empty hash; a
// body signed over its SHA-256, declared in x-amz-content-sha256 or not. A body signed over
// UNSIGNED-PAYLOAD (Lambda does not support unsigned payloads), over another body's hash, or
// streamed as aws-chunked is refused, and a wrong secret too.
func TestFunctionURLPayloadHash(t *testing.T) {
	t.Parallel()
	f := start(t)
	ctx := context.Background()
	f.create(t, "signed", "python3.12", "app.handler", pyZip(t, urlEcho))
	created, err := f.client.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("signed"), AuthType: types.FunctionUrlAuthTypeAwsIam})
	if err != nil {
		t.Fatal(err)
	}
	fnURL, c := aws.ToString(created.FunctionUrl), urlClient(f.srv)
	hash := func(b string) string { sum := sha256.Sum256([]byte(b)); return hex.EncodeToString(sum[:]) }
	for _, tc := range []struct {
		name, method, body, declared, signedOver, secret string
		want                                             int
	}{
		{"GET over UNSIGNED-PAYLOAD", "GET", "", "UNSIGNED-PAYLOAD", "UNSIGNED-PAYLOAD", "", 201},
		{"GET over the empty hash", "GET", "", "", hash(""), "", 201},
		{"GET over the empty hash, declared", "GET", "", hash(""), hash(""), "", 201},
		{"POST over its hash", "POST", `{"a":1}`, "", hash(`{"a":1}`), "", 201},
		{"POST over its hash, declared", "POST", `{"a":1}`, hash(`{"a":1}`), hash(`{"a":1}`), "", 201},
		{"POST over UNSIGNED-PAYLOAD", "POST", `{"a":1}`, "UNSIGNED-PAYLOAD", "UNSIGNED-PAYLOAD", "", 403},
		{"POST over another body's hash", "POST", `{"a":1}`, hash(`{"a":2}`), hash(`{"a":2}`), "", 403},
		{"POST over its hash, another declared", "POST", `{"a":1}`, hash(`{"a":2}`), hash(`{"a":1}`), "", 403},
		{"POST streamed", "POST", `{"a":1}`, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "", 403},
		{"GET over UNSIGNED-PAYLOAD, wrong secret", "GET", "", "UNSIGNED-PAYLOAD", "UNSIGNED-PAYLOAD", "wrong", 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := http.NewRequest(tc.method, fnURL+"p", strings.NewReader(tc.body))
			if tc.body == "" {
				r.Body, r.ContentLength = nil, 0
			}
			if tc.declared != "" {
				r.Header.Set("X-Amz-Content-Sha256", tc.declared)
			}
			secret := gureumtest.SecretAccessKey
			if tc.secret != "" {
				secret = tc.secret
			}
			creds := aws.Credentials{AccessKeyID: gureumtest.AccessKeyID, SecretAccessKey: secret}
			if err := v4.NewSigner().SignHTTP(ctx, creds, r, tc.signedOver, "lambda", gureumtest.Region, time.Now()); err != nil {
				t.Fatal(err)
			}
			status, _, body := do(t, c, r)
			if status != tc.want {
				t.Fatalf("%s = %d %s; want %d", tc.name, status, body, tc.want)
			}
			if status == 201 && tc.body != "" && !strings.Contains(string(body), `\"a\":1`) && !strings.Contains(string(body), `"a": 1`) {
				t.Errorf("%s: the function saw %s", tc.name, body)
			}
		})
	}
}
