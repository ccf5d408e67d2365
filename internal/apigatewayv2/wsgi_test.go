package apigatewayv2_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestWSGIFlask: a Flask app, served by a Python function through a small WSGI ↔ payload 2.0
// adapter (testdata/wsgi), behind an HTTP API: query strings with repeated keys, cookies both
// ways, a binary body both ways and a redirect.
func TestWSGIFlask(t *testing.T) {
	if err := exec.Command("python3", "-c", "import flask").Run(); err != nil {
		t.Skip("NOTICE: Flask is not importable by this host's python3 (pip install flask); skipping the WSGI test")
	}
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"app.py", "wsgi_adapter.py"} {
		b, err := os.ReadFile("testdata/wsgi/" + name)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := zw.Create(name)
		w.Write(b)
	}
	zw.Close()
	fn, err := lambda.NewFromConfig(srv.Config()).CreateFunction(bg, &lambda.CreateFunctionInput{FunctionName: aws.String("flask"),
		Runtime: ltypes.RuntimePython312, Role: aws.String("arn:aws:iam::000000000000:role/lambda-role"), Handler: aws.String("app.handler"),
		Code: &ltypes.FunctionCode{ZipFile: buf.Bytes()}, Timeout: aws.Int32(10)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lambda.NewFromConfig(srv.Config()).AddPermission(bg, &lambda.AddPermissionInput{FunctionName: aws.String("flask"),
		StatementId: aws.String("apigateway"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("apigateway.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	c := apigatewayv2.NewFromConfig(srv.Config())
	api := must(c.CreateApi(bg, &apigatewayv2.CreateApiInput{Name: aws.String("flask"), ProtocolType: types.ProtocolTypeHttp, Target: fn.FunctionArn}))
	id := aws.ToString(api.ApiId)

	status, h, body := get(t, srv, "POST", id, "/login", nil, "")
	if status != 200 || body == "" {
		t.Fatalf("POST /login = %d %s", status, body)
	}
	cookies := h.Values("Set-Cookie")
	if len(cookies) != 2 || !strings.HasPrefix(cookies[0], "session=s3cr3t;") || !strings.Contains(cookies[0], "HttpOnly") || !strings.HasPrefix(cookies[1], "theme=dark;") {
		t.Errorf("POST /login Set-Cookie = %q; want both cookies, each its own header", cookies)
	}

	status, _, body = get(t, srv, "GET", id, "/hello?name=J%C3%BCrgen+K&tag=a&tag=b", http.Header{"Cookie": {"session=s3cr3t; theme=dark"}}, "")
	var hello struct {
		Name, Session, Theme string
		Tags                 []string
	}
	if err := json.Unmarshal([]byte(body), &hello); err != nil || status != 200 || hello.Name != "Jürgen K" || strings.Join(hello.Tags, ",") != "a,b" ||
		hello.Session != "s3cr3t" || hello.Theme != "dark" {
		t.Errorf("GET /hello = %d %s; want the query (repeated tags) and both cookies", status, body)
	}

	in := "\x00\x01\x02\xfe\xff binary"
	status, h, body = get(t, srv, "POST", id, "/reverse", http.Header{"Content-Type": {"application/octet-stream"}}, in)
	want := []byte(in)
	for i, j := 0, len(want)-1; i < j; i, j = i+1, j-1 {
		want[i], want[j] = want[j], want[i]
	}
	if status != 200 || body != string(want) || h.Get("Content-Type") != "application/octet-stream" {
		t.Errorf("POST /reverse = %d %q %s; want %q", status, body, h.Get("Content-Type"), want)
	}

	req, _ := http.NewRequest("GET", srv.Endpoint+"/_gureum/execute-api-v2/"+id+"/old", nil)
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != 301 || !strings.HasSuffix(loc, "/hello?name=moved") {
		t.Errorf("GET /old = %d Location %q; want 301 to /hello?name=moved", resp.StatusCode, loc)
	}
}
