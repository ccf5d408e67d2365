package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gureum/gureum/internal/gureumtest"
	"github.com/gureum/gureum/internal/store/sqlite"
)

func form(t *testing.T, srv *gureumtest.Server, body string, service string, headers map[string]string) (int, http.Header, string) {
	t.Helper()
	r, _ := http.NewRequest("POST", srv.Endpoint+"/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	return gureumtest.Do(t, gureumtest.Sign(t, r, []byte(body), service))
}

// TestWireErrors checks that requests the server cannot route get the AWS error shape of the
// protocol the client speaks, with a request id, never a 404 page.
func TestWireErrors(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	jsonReq := func(target, body string) (int, http.Header, string) {
		r, _ := http.NewRequest("POST", srv.Endpoint+"/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		r.Header.Set("X-Amz-Target", target)
		return gureumtest.Do(t, gureumtest.Sign(t, r, []byte(body), "kinesis"))
	}
	tests := []struct {
		name   string
		do     func() (int, http.Header, string)
		status int
		want   string
	}{
		{"unknown service (query)", func() (int, http.Header, string) {
			return form(t, srv, "Action=ListThings&Version=2020-01-01", "nosuchservice", nil)
		}, 400, "<Code>InvalidAction</Code>"},
		{"unknown service (JSON)", func() (int, http.Header, string) { return jsonReq("Kinesis_20131202.ListStreams", "{}") }, 400, `"__type":"UnknownOperationException"`},
		{"unknown action", func() (int, http.Header, string) {
			return form(t, srv, "Action=FlyToTheMoon&Version=2011-06-15", "sts", nil)
		}, 400, "<Code>InvalidAction</Code>"},
		{"wrong version", func() (int, http.Header, string) {
			return form(t, srv, "Action=GetCallerIdentity&Version=1999-01-01", "sts", nil)
		}, 400, "<Code>InvalidAction</Code>"},
		{"missing action", func() (int, http.Header, string) { return form(t, srv, "Version=2011-06-15", "sts", nil) }, 400, "<Code>InvalidAction</Code>"},
		{"malformed form", func() (int, http.Header, string) { return form(t, srv, "Action=%zz", "sts", nil) }, 404, "<Code>MalformedQueryString</Code>"},
		{"not a form", func() (int, http.Header, string) {
			return form(t, srv, `{"Action":"GetCallerIdentity"}`, "sts", map[string]string{"Content-Type": "application/json"})
		}, 404, "<Code>MalformedQueryString</Code>"},
		{"bad parameter value", func() (int, http.Header, string) {
			return form(t, srv, "Action=GetAccessKeyInfo&Version=2011-06-15&AccessKeyId=x", "sts", nil)
		}, 400, "<Code>ValidationError</Code>"},
		{"anonymous", func() (int, http.Header, string) {
			r, _ := http.NewRequest("POST", srv.Endpoint+"/", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return gureumtest.Do(t, r)
		}, 403, "<Code>MissingAuthenticationToken</Code>"},
		{"anonymous GET / (S3's ListBuckets)", func() (int, http.Header, string) {
			r, _ := http.NewRequest("GET", srv.Endpoint+"/", nil)
			return gureumtest.Do(t, r)
		}, 403, "<Code>AccessDenied</Code>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := tt.do()
			if status != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("got %d %s; want %d containing %s", status, body, tt.status, tt.want)
			}
			if h.Get("x-amzn-RequestId") == "" && h.Get("x-amz-request-id") == "" {
				t.Errorf("no x-amzn-RequestId header")
			}
			if h.Get("Date") == "" {
				t.Errorf("no Date header (SDKs correct clock skew from it)")
			}
		})
	}
}

func TestBodyLimits(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	big := "Action=GetCallerIdentity&Version=2011-06-15&Pad=" + strings.Repeat("x", 17<<20)
	status, _, body := form(t, srv, big, "sts", nil)
	if status != 413 || !strings.Contains(body, "<Code>RequestEntityTooLarge</Code>") {
		t.Errorf("17 MiB form = %d %.200s; want 413 RequestEntityTooLarge", status, body)
	}
}

// TestSlowClients checks that a client that stops sending gets a bounded answer, not a hang.
func TestSlowClients(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--body-timeout", "1s", "--header-timeout", "1s"}})
	addr := strings.TrimPrefix(srv.Endpoint, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A signed request (its headers pass the checks made before the body is read) whose body
	// stops after a few bytes; an unsigned one is refused before its body is read.
	body := "Action=GetCallerIdentity&Version=2011-06-15&Pad=" + strings.Repeat("x", 52)
	r, _ := http.NewRequest("POST", srv.Endpoint+"/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var raw bytes.Buffer
	gureumtest.Sign(t, r, []byte(body), "sts").Write(&raw)
	head, _, _ := strings.Cut(raw.String(), "\r\n\r\n")
	fmt.Fprintf(conn, "%s\r\n\r\nAction=", head)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	buf := make([]byte, 4096)
	n, _ := conn.Read(buf)
	if !strings.Contains(string(buf[:n]), "RequestTimeout") && n != 0 {
		t.Errorf("slow body got %q; want RequestTimeout or a closed connection", buf[:n])
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("slow body answered after %v\nlogs:\n%s", time.Since(start), srv.Logs.String())
	}
}

func TestHealthAndMetrics(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	if _, err := sts.NewFromConfig(srv.Config()).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	r, _ := http.NewRequest("GET", srv.Endpoint+"/_gureum/health", nil)
	status, _, body := gureumtest.Do(t, r)
	var h struct {
		Status, Version, Store string
		Driver                 string  `json:"store_driver"`
		Uptime                 float64 `json:"uptime_seconds"`
		Services               map[string]string
	}
	if err := json.Unmarshal([]byte(body), &h); err != nil || status != 200 {
		t.Fatalf("health = %d %s, %v", status, body, err)
	}
	if h.Status != "ok" || h.Store != "sqlite" || h.Driver != sqlite.Driver || h.Services["sts"] != "running" || h.Version == "" {
		t.Errorf("health = %+v", h)
	}
	r, _ = http.NewRequest("GET", srv.Endpoint+"/metrics", nil)
	_, _, metrics := gureumtest.Do(t, r)
	for _, want := range []string{
		`gureum_requests_total{operation="GetCallerIdentity",service="sts",status="200"} 1`,
		`gureum_request_duration_seconds_bucket{operation="GetCallerIdentity",service="sts"`,
		`gureum_store_commit_duration_seconds_count`,
		`gureum_store_commit_batch_size_bucket`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if logs := srv.Logs.String(); !strings.Contains(logs, "operation=GetCallerIdentity principal=arn:aws:iam::000000000000:root status=200") {
		t.Errorf("no request log line in:\n%s", logs)
	}
}

// TestFirstStartCredentials checks generation, the 0600 file, printing once, and reuse on restart.
func TestFirstStartCredentials(t *testing.T) {
	dir := t.TempDir()
	srv := gureumtest.Start(t, gureumtest.Options{DataDir: dir, NoRoot: true})
	printed := srv.Stdout.String()
	if !strings.Contains(printed, "export AWS_ACCESS_KEY_ID=AKIA") {
		t.Fatalf("first start printed %q; want generated credentials", printed)
	}
	fi, err := os.Stat(filepath.Join(dir, "root-credentials.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v, mode %v; want 0600", err, fi.Mode())
	}
	var creds struct {
		ID     string `json:"access_key_id"`
		Secret string `json:"secret_access_key"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "root-credentials.json"))
	json.Unmarshal(b, &creds)
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	again := gureumtest.Start(t, gureumtest.Options{DataDir: dir, NoRoot: true})
	if strings.Contains(again.Stdout.String(), "export AWS_ACCESS_KEY_ID") {
		t.Errorf("second start printed the credentials again")
	}
	cfg := gureumtest.ConfigFor(again.Endpoint, creds.ID, creds.Secret, "")
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("generated credentials after restart: %v", err)
	}
}

// TestGracefulShutdown checks that a request in flight when shutdown starts is answered.
func TestGracefulShutdown(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	addr := strings.TrimPrefix(srv.Endpoint, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	r, _ := http.NewRequest("POST", srv.Endpoint+"/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	gureumtest.Sign(t, r, []byte(body), "sts")
	var raw bytes.Buffer
	r.Write(&raw)
	wire := raw.Bytes()
	conn.Write(wire[:len(wire)-5])     // the request is in flight: its body is not complete
	time.Sleep(300 * time.Millisecond) // until the server has read the headers (a loaded machine is slow to)
	stopped := make(chan error, 1)
	go func() { stopped <- srv.Stop() }()
	time.Sleep(100 * time.Millisecond)
	conn.Write(wire[len(wire)-5:])
	resp, err := http.ReadResponse(bufioReader(conn), r)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("in-flight request during shutdown = %v, %v; want 200", resp, err)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Stop = %v", err)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Errorf("server still accepts connections after shutdown")
	}
}

func bufioReader(c net.Conn) *bufio.Reader { return bufio.NewReader(c) }
