package runtimeapi

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func start(t *testing.T) (*Server, string) {
	t.Helper()
	s := New()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(s.Close)
	return s, "http://" + ln.Addr().String() + "/2018-06-01/runtime/"
}

func do(t *testing.T, method, url, body string, hdr ...string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestInvokeRoundTrip(t *testing.T) {
	s, base := start(t)
	deadline := time.UnixMilli(time.Now().Add(3 * time.Second).UnixMilli())
	inv := &Invocation{RequestID: "req-1", Payload: []byte(`{"a":1}`), Deadline: deadline,
		FunctionARN: "arn:aws:lambda:us-east-1:000000000000:function:f", TraceID: "Root=1-abc", ClientContext: `{"custom":{}}`}
	done := make(chan Result, 1)
	go func() {
		r, err := s.Invoke(context.Background(), inv)
		if err != nil {
			t.Error(err)
		}
		done <- r
	}()
	status, h, body := do(t, "GET", base+"invocation/next", "")
	if status != 200 || body != `{"a":1}` {
		t.Fatalf("next = %d %q", status, body)
	}
	for k, want := range map[string]string{
		"Lambda-Runtime-Aws-Request-Id": "req-1", "Lambda-Runtime-Deadline-Ms": "",
		"Lambda-Runtime-Invoked-Function-Arn": inv.FunctionARN, "Lambda-Runtime-Trace-Id": "Root=1-abc",
		"Lambda-Runtime-Client-Context": `{"custom":{}}`,
	} {
		if got := h.Get(k); got == "" || want != "" && got != want {
			t.Errorf("header %s = %q; want %q", k, got, want)
		}
	}
	select {
	case <-s.Ready():
	default:
		t.Error("Ready not closed after /next")
	}
	if status, _, _ := do(t, "GET", base+"invocation/next", ""); status != 403 {
		t.Errorf("second /next while invoking = %d; want 403", status)
	}
	if status, _, _ := do(t, "POST", base+"invocation/other/response", "x"); status != 400 {
		t.Errorf("response for an unknown id = %d; want 400", status)
	}
	if status, _, body := do(t, "POST", base+"invocation/req-1/response", `"ok"`); status != 202 {
		t.Errorf("response = %d %s; want 202", status, body)
	}
	if r := <-done; string(r.Payload) != `"ok"` || r.ErrorType != "" {
		t.Errorf("Invoke = %+v", r)
	}
	if status, _, _ := do(t, "POST", base+"invocation/req-1/response", `"again"`); status != 403 {
		t.Errorf("second response = %d; want 403", status)
	}
}

func TestInvokeError(t *testing.T) {
	s, base := start(t)
	done := make(chan Result, 1)
	go func() {
		r, _ := s.Invoke(context.Background(), &Invocation{RequestID: "r2", Payload: []byte("{}")})
		done <- r
	}()
	do(t, "GET", base+"invocation/next", "")
	doc := `{"errorMessage":"boom","errorType":"ValueError","stackTrace":[]}`
	if status, _, _ := do(t, "POST", base+"invocation/r2/error", doc, "Lambda-Runtime-Function-Error-Type", "Runtime.Handled"); status != 202 {
		t.Errorf("error = %d; want 202", status)
	}
	if r := <-done; r.ErrorType != "Runtime.Handled" || string(r.Payload) != doc {
		t.Errorf("Invoke = %+v", r)
	}
}

func TestResponseTooLarge(t *testing.T) {
	s, base := start(t)
	done := make(chan Result, 1)
	go func() {
		r, _ := s.Invoke(context.Background(), &Invocation{RequestID: "big", Payload: []byte("{}")})
		done <- r
	}()
	do(t, "GET", base+"invocation/next", "")
	if status, _, _ := do(t, "POST", base+"invocation/big/response", strings.Repeat("x", MaxResponse+1)); status != 413 {
		t.Errorf("oversized response = %d; want 413", status)
	}
	if r := <-done; r.ErrorType != "Function.ResponseSizeTooLarge" {
		t.Errorf("Invoke = %+v", r)
	}
}

func TestInitError(t *testing.T) {
	s, base := start(t)
	if status, _, _ := do(t, "POST", base+"init/error", `{"errorMessage":"no module","errorType":"Runtime.ImportModuleError"}`); status != 202 {
		t.Fatalf("init/error = %d", status)
	}
	<-s.InitFailed()
	if e := s.InitErr(); e == nil || e.Type != "Runtime.ImportModuleError" {
		t.Errorf("InitErr = %+v", e)
	}
	if status, _, _ := do(t, "POST", base+"init/error", `{}`); status != 403 {
		t.Errorf("second init/error = %d; want 403", status)
	}
}

func TestInvokeTimeoutAndClose(t *testing.T) {
	s, _ := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := s.Invoke(ctx, &Invocation{RequestID: "t"}); err != context.DeadlineExceeded {
		t.Errorf("Invoke with nobody polling = %v; want DeadlineExceeded", err)
	}
	go func() { time.Sleep(10 * time.Millisecond); s.Close() }()
	if _, err := s.Invoke(context.Background(), &Invocation{RequestID: "c"}); err != ErrClosed {
		t.Errorf("Invoke on a closing environment = %v; want ErrClosed", err)
	}
}

func FuzzServeHTTP(f *testing.F) {
	f.Add("POST", "/2018-06-01/runtime/init/error", []byte(`{"errorType":"x"}`), "")
	f.Add("POST", "/2018-06-01/runtime/invocation/a/error", []byte(`{`), "T")
	f.Add("GET", "/2018-06-01/ping", []byte(nil), "")
	f.Fuzz(func(t *testing.T, method, path string, body []byte, errType string) {
		if !strings.HasPrefix(path, "/") || strings.Contains(path, "invocation/next") {
			return // /next blocks for an event by design
		}
		s := New()
		req := httptest.NewRequest(http.MethodGet, "/", bytes.NewReader(body))
		req.Method, req.URL.Path = method, path
		if errType != "" {
			req.Header.Set("Lambda-Runtime-Function-Error-Type", errType)
		}
		s.ServeHTTP(httptest.NewRecorder(), req)
	})
}
