package server_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gureum/gureum/internal/gureumtest"
)

// rss is the process's resident set size, from /proc.
func rss(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	t.Skip("no VmRSS")
	return 0
}

// raiseFileLimit lets the test hold both ends of n connections.
func raiseFileLimit(t *testing.T, n uint64) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skipf("getrlimit: %v", err)
	}
	if lim.Cur >= n {
		return
	}
	lim.Cur = min(n, lim.Max)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur < n {
		t.Skipf("cannot raise the open-file limit to %d (hard limit %d): %v", n, lim.Max, err)
	}
}

// TestHostileConnections holds the server's memory under a bound while 2,000 hostile connections
// are open, each declaring a 16 MiB body: unsigned ones that send nothing after their headers,
// ones signed with a known key (whose signature cannot be checked before the body is read) that
// trickle a few bytes, and ones that never finish their headers. Meanwhile a legitimate SDK
// client's calls succeed with low latency. (Issue 20, finding 2: 100 such connections took the
// server from 24 MiB to 1.67 GiB.)
func TestHostileConnections(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 2,000 connections")
	}
	const hostile = 2000
	raiseFileLimit(t, 3*hostile+1000)
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	ctx := context.Background()
	client := sqs.NewFromConfig(srv.Config(), func(o *sqs.Options) { o.RetryMaxAttempts = 1 })
	q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("legit")})
	if err != nil {
		t.Fatal(err)
	}
	send := func() time.Duration {
		start := time.Now()
		if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("hello")}); err != nil {
			t.Errorf("SendMessage among hostile connections: %v", err)
		}
		return time.Since(start)
	}
	for range 20 {
		send()
	}
	runtime.GC()
	before := rss(t)

	addr := strings.TrimPrefix(srv.Endpoint, "http://")
	signedHead := signedHeaders(t, srv)
	conns := make([]net.Conn, 0, hostile)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := range hostile {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		conns = append(conns, c)
		switch i % 3 {
		case 0: // unsigned, declares 16 MiB, sends nothing more
			fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AmazonSQS.SendMessage\r\nContent-Length: 16777216\r\n\r\n", addr)
		case 1: // signed with a known key, declares 16 MiB, trickles
			fmt.Fprintf(c, "%s\r\n\r\n{\"QueueUrl\":", signedHead)
		case 2: // never finishes its headers
			fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Length: 16777216\r\n", addr)
		}
	}
	for i, c := range conns {
		if i%3 == 1 {
			c.Write(bytes.Repeat([]byte(" "), 100))
		}
	}
	var lat []time.Duration
	for range 50 {
		lat = append(lat, send())
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	runtime.GC()
	after := rss(t)
	grown := after - before
	t.Logf("RSS %d MiB before, %d MiB with %d hostile connections open; SendMessage p50 %v, max %v",
		before>>20, after>>20, hostile, lat[len(lat)/2], lat[len(lat)-1])
	if grown > 160<<20 && !raceEnabled { // the race detector's shadow memory multiplies the heap
		t.Errorf("RSS grew by %d MiB with %d hostile connections open; want at most 160 MiB", grown>>20, hostile)
	}
	// A liveness bound (the server keeps answering), not a speed figure.
	if p50 := lat[len(lat)/2]; p50 > 500*time.Millisecond {
		t.Errorf("SendMessage p50 %v among hostile connections; want at most 500ms", p50)
	}
	// The unsigned ones were refused before their bodies were read, and their connections closed.
	c := conns[0]
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != 403 || !resp.Close {
		t.Errorf("unsigned hostile request answered %v, %v; want a refusal that closes the connection", resp, err)
	}
}

// signedHeaders returns the header block of a SendMessage request signed by the root key but
// declaring a 16 MiB body: its headers pass every check made before a body is read.
func signedHeaders(t *testing.T, srv *gureumtest.Server) string {
	body := []byte(`{}`)
	r, _ := http.NewRequest("POST", srv.Endpoint+"/", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	r.Header.Set("X-Amz-Target", "AmazonSQS.SendMessage")
	gureumtest.Sign(t, r, body, "sqs")
	r.ContentLength = 16 << 20
	var raw bytes.Buffer
	r.Header.Set("Content-Length", "16777216")
	fmt.Fprintf(&raw, "POST / HTTP/1.1\r\nHost: %s\r\n", r.Host)
	r.Header.Write(&raw)
	return strings.TrimSuffix(raw.String(), "\r\n")
}

// TestPathsAreNotRewritten checks that no path is cleaned or redirected before the router sees
// it (issue 20, finding 5): a dot segment gets an AWS error from the service's protocol, and the
// server's own endpoints answer only at their exact paths.
func TestPathsAreNotRewritten(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(r *http.Request) (int, string) {
		resp, err := noRedirect.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return resp.StatusCode, b.String()
	}
	get := func(path string) (int, string) {
		r, _ := http.NewRequest("GET", srv.Endpoint+path, nil)
		return do(r)
	}
	for _, path := range []string{"/000000000000/../x", "/a/./b", "//_gureum/health", "/_gureum/../metrics"} {
		if status, body := get(path); status/100 == 3 || !strings.Contains(body, "<Code>") {
			t.Errorf("GET %s = %d %.200s; want an AWS error, not a redirect", path, status, body)
		}
	}
	queryBody := "Action=GetQueueAttributes&Version=2012-11-05&AttributeName.1=All"
	r, _ := http.NewRequest("POST", srv.Endpoint+"/000000000000/../x", strings.NewReader(queryBody))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if status, body := do(gureumtest.Sign(t, r, []byte(queryBody), "sqs")); status != 400 || !strings.Contains(body, "<Code>InvalidRequest</Code>") {
		t.Errorf("signed SQS call to /000000000000/../x = %d %.300s; want 400 InvalidRequest", status, body)
	}
	if status, _ := get("/_gureum/health"); status != 200 {
		t.Errorf("GET /_gureum/health = %d; want 200", status)
	}
	if status, body := get("/metrics"); status != 200 || !strings.Contains(body, "gureum_") {
		t.Errorf("GET /metrics = %d; want the metrics", status)
	}
}

// TestConnectionCap checks --max-connections: with the cap's worth of idle connections open, a
// further client waits to be accepted, and gets in once one closes.
func TestConnectionCap(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--max-connections", "4"}})
	addr := strings.TrimPrefix(srv.Endpoint, "http://")
	var held []net.Conn
	for range 4 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held = append(held, c)
	}
	time.Sleep(100 * time.Millisecond) // let the server accept them
	answered := make(chan time.Time, 1)
	go func() {
		r, _ := http.NewRequest("GET", srv.Endpoint+"/_gureum/health", nil)
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(r)
		if err == nil {
			resp.Body.Close()
		}
		answered <- time.Now()
	}()
	select {
	case <-answered:
		t.Fatalf("a fifth connection was served while four were open under --max-connections 4")
	case <-time.After(300 * time.Millisecond):
	}
	closed := time.Now()
	held[0].Close()
	select {
	case at := <-answered:
		if at.Before(closed) {
			t.Errorf("answered before a slot was free")
		}
	case <-time.After(5 * time.Second):
		t.Errorf("the waiting client was not served after a connection closed")
	}
}
