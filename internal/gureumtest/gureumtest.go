// Package gureumtest starts a real gureum for tests: in-process through the same cli.Run that main
// calls (Start), or as the built binary in its own process (StartBinary). Both hand back the
// endpoint, the root credentials and an aws-sdk-go-v2 configuration pointed at the server.
package gureumtest

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/gureum/gureum/internal/cli"
	"github.com/gureum/gureum/internal/store/postgres"
)

// Test root credentials, set through the environment as a user would.
const (
	AccessKeyID     = "AKIAGUREUMTESTROOT01"
	SecretAccessKey = "gureum-test-secret-access-key/0123456789"
	Region          = "us-east-1"
	AccountID       = "000000000000"
)

// PostgresEnv names the variable holding the PostgreSQL DSN for tests.
const PostgresEnv = "GUREUM_TEST_POSTGRES"

// Server is a running gureum.
type Server struct {
	Endpoint string
	DataDir  string
	Stdout   *syncBuffer // what the server printed (credentials, the listening line)
	Logs     *syncBuffer // its log
	stop     func() error
}

// Options change how a server starts.
type Options struct {
	DataDir string            // reuse a data dir (restart tests); a fresh temp dir when empty
	Args    []string          // extra server flags
	Env     map[string]string // extra environment; "" values unset a variable
	NoRoot  bool              // do not set GUREUM_ROOT_* (first-start credential generation)
}

func (o Options) env(dataDir string) map[string]string {
	env := map[string]string{}
	if !o.NoRoot {
		env["GUREUM_ROOT_ACCESS_KEY_ID"] = AccessKeyID
		env["GUREUM_ROOT_SECRET_ACCESS_KEY"] = SecretAccessKey
	}
	for k, v := range o.Env {
		env[k] = v
	}
	return env
}

func (o Options) args(dataDir string) []string {
	return append([]string{"server", "--listen", "127.0.0.1:0", "--data-dir", dataDir, "--region", Region}, o.Args...)
}

// Start runs gureum in-process through cli.Run and waits until it listens. It stops with the test.
func Start(t testing.TB, opt Options) *Server {
	t.Helper()
	dir := opt.DataDir
	if dir == "" {
		dir = t.TempDir()
	}
	env := opt.env(dir)
	getenv := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		if strings.HasPrefix(k, "GUREUM_") { // the test's own environment must not leak in
			return ""
		}
		return os.Getenv(k)
	}
	pr, pw := io.Pipe()
	s := &Server{DataDir: dir, Stdout: &syncBuffer{}, Logs: &syncBuffer{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		err := cli.Run(ctx, opt.args(dir), getenv, pw, s.Logs)
		pw.CloseWithError(fmt.Errorf("server exited: %v", err))
		done <- err
	}()
	endpoint, err := waitListening(pr, s.Stdout)
	if err != nil {
		cancel()
		t.Fatalf("gureum did not start: %v\nlogs:\n%s", err, s.Logs.String())
	}
	go io.Copy(s.Stdout, pr)
	s.Endpoint = endpoint
	waitReady(endpoint)
	var stopped bool
	s.stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			return fmt.Errorf("gureum did not stop within 30s")
		}
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("gureum stop: %v", err)
		}
	})
	return s
}

// waitListening reads the server's stdout up to the "listening on" line and returns the endpoint.
func waitListening(r io.Reader, copyTo io.Writer) (string, error) {
	type result struct {
		endpoint string
		err      error
	}
	res := make(chan result, 1)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(copyTo, line)
			if _, ep, ok := strings.Cut(line, " listening on "); ok {
				res <- result{endpoint: strings.TrimSpace(ep)}
				return
			}
		}
		res <- result{err: fmt.Errorf("no listening line: %v", sc.Err())}
	}()
	select {
	case r := <-res:
		return r.endpoint, r.err
	case <-time.After(30 * time.Second):
		return "", fmt.Errorf("timed out waiting for the listening line")
	}
}

// waitReady waits a while for the health report's 200: on PostgreSQL a node is ready once its
// notifier listens for other nodes (a test that starts two nodes and at once expects one to hear
// the other would otherwise race the LISTEN). A server that stays degraded is the test's to see.
func waitReady(endpoint string) {
	// A connection of its own, closed after: an idle one left in the default pool would count
	// against --max-connections and be reused by the test's own requests.
	// (A test's own certificate is not checked here: this only waits.)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
		Timeout: 5 * time.Second}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := client.Get(endpoint + "/_gureum/health")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Stop shuts the server down gracefully and returns what Serve returned.
func (s *Server) Stop() error { return s.stop() }

// Config is an aws-sdk-go-v2 configuration for the server's root credentials.
func (s *Server) Config() aws.Config {
	return ConfigFor(s.Endpoint, AccessKeyID, SecretAccessKey, "")
}

// ConfigFor is an aws-sdk-go-v2 configuration for any credentials at an endpoint.
func ConfigFor(endpoint, keyID, secret, token string) aws.Config {
	return aws.Config{
		Region:           Region,
		Credentials:      credentials.NewStaticCredentialsProvider(keyID, secret, token),
		BaseEndpoint:     aws.String(endpoint),
		RetryMaxAttempts: 1,
		HTTPClient:       &http.Client{Timeout: 30 * time.Second},
	}
}

// Binary is the built gureum binary for end-to-end tests.
type Binary struct{ Path string }

// Build compiles cmd/gureum into dir. Call it from TestMain.
func Build(dir string) (Binary, error) {
	root, err := moduleRoot()
	if err != nil {
		return Binary{}, err
	}
	out := filepath.Join(dir, "gureum")
	cmd := exec.Command("go", "build", "-o", out, "./cmd/gureum")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return Binary{}, fmt.Errorf("go build: %v\n%s", err, b)
	}
	return Binary{Path: out}, nil
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	return filepath.Dir(strings.TrimSpace(string(out))), nil
}

// Process is gureum running as its own process.
type Process struct {
	Server
	Cmd *exec.Cmd
}

// StartBinary runs the built binary and waits until it listens. It is killed with the test if it
// is still running.
func StartBinary(t testing.TB, bin Binary, opt Options) *Process {
	t.Helper()
	dir := opt.DataDir
	if dir == "" {
		dir = t.TempDir()
	}
	cmd := exec.Command(bin.Path, opt.args(dir)...)
	env := os.Environ()
	for k, v := range opt.env(dir) {
		env = append(env, k+"="+v)
	}
	cmd.Env = env
	p := &Process{Server: Server{DataDir: dir, Stdout: &syncBuffer{}, Logs: &syncBuffer{}}, Cmd: cmd}
	cmd.Stderr = p.Logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	endpoint, err := waitListening(stdout, p.Stdout)
	if err != nil {
		t.Fatalf("gureum binary did not start: %v\nlogs:\n%s", err, p.Logs.String())
	}
	go io.Copy(p.Stdout, stdout)
	p.Endpoint = endpoint
	waitReady(endpoint)
	return p
}

// Sign signs r with the root credentials for a service, as aws-sdk-go-v2 would.
func Sign(t testing.TB, r *http.Request, body []byte, service string) *http.Request {
	t.Helper()
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), service, Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	return r
}

// Do sends r and returns the status, headers and body.
func Do(t testing.TB, r *http.Request) (int, http.Header, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// Backend is a store backend for a test to run on.
type Backend struct {
	Name string
	Args []string // server flags that select it
}

// Backends lists the store backends to run a suite on: SQLite always, and PostgreSQL (in a fresh
// schema dropped after the test) when GUREUM_TEST_POSTGRES holds a DSN.
func Backends(t testing.TB) []Backend {
	out := []Backend{{Name: "sqlite"}}
	dsn := os.Getenv(PostgresEnv)
	if dsn == "" {
		return out
	}
	schema := fmt.Sprintf("gureum_test_%d", time.Now().UnixNano())
	db, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	t.Cleanup(func() { db.DropSchema(context.Background(), schema); db.Close() })
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return append(out, Backend{Name: "postgres", Args: []string{"--store", dsn + sep + "search_path=" + schema}})
}
