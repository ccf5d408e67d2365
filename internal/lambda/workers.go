package lambda

import (
	"archive/zip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gureum/gureum/internal/blob"
	"github.com/gureum/gureum/internal/lambda/runtimeapi"
	"github.com/gureum/gureum/internal/sandbox"
	"github.com/gureum/gureum/internal/store"
)

// Ports inside every sandbox: the Runtime API, and gureum's own endpoint (AWS_ENDPOINT_URL).
const (
	runtimePort  = 9001
	endpointPort = 9000
)

// initTimeout is Lambda's init phase: a runtime that has not reached its first /next by then goes
// on initialising within the first invoke, under the function's timeout.
const initTimeout = 10 * time.Second

// envKey identifies the environments that may serve an invoke: one version at one revision.
type envKey struct {
	account, function, version, revision string
}

// env is one execution environment: a sandbox and its Runtime API.
type env struct {
	key      envKey
	sb       *sandbox.Sandbox
	api      *runtimeapi.Server
	ep       *http.Server
	log      *logBuffer
	lastUsed time.Time
	stream   string
	expires  time.Time // when its execution-role credentials end (zero: it has none)
	slot     *slot     // its room on a worker (placement.go)

	provisioned bool      // started ahead for provisioned concurrency: kept warm (workers.mu)
	onKill      func()    // told once when the environment ends (provisioned.go)
	killOnce    sync.Once // guards onKill
}

// stale says whether an environment's credentials end too soon for it to take another invoke.
func (e *env) stale(now time.Time) bool {
	return !e.expires.IsZero() && now.Add(credentialsSlack).After(e.expires)
}

func (e *env) dead() bool {
	select {
	case <-e.sb.Done():
		return true
	default:
		return false
	}
}

func (e *env) kill() {
	if e.onKill != nil {
		e.killOnce.Do(e.onKill)
	}
	e.api.Close()
	if e.ep != nil {
		e.ep.Close()
	}
	e.sb.Kill()
	go func() { <-e.sb.Done(); e.slot.release() }()
}

// workers is the worker manager: warm environments per function version, reused LIFO, stopped
// after IdleTimeout or when their function changes.
type workers struct {
	s      *Service
	secret [32]byte // signs code download links
	seq    atomic.Int64

	mu   sync.Mutex
	idle map[envKey][]*env
	live int
	stop chan struct{}
	wg   sync.WaitGroup
}

func newWorkers(s *Service) *workers {
	w := &workers{s: s, idle: map[envKey][]*env{}, stop: make(chan struct{})}
	rand.Read(w.secret[:])
	return w
}

func (w *workers) start() {
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		t := time.NewTicker(max(w.s.cfg.IdleTimeout/4, 10*time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
				w.expire(w.s.cfg.Now().Add(-w.s.cfg.IdleTimeout))
			}
		}
	}()
}

func (w *workers) stopAll() {
	close(w.stop)
	w.wg.Wait()
	w.expire(time.Now().Add(time.Hour * 24 * 365 * 100))
}

// expire stops idle environments last used before cutoff.
func (w *workers) expire(cutoff time.Time) {
	var gone []*env
	w.mu.Lock()
	for k, list := range w.idle {
		keep := list[:0]
		for _, e := range list {
			if e.lastUsed.Before(cutoff) && !e.provisioned || e.dead() {
				gone = append(gone, e)
			} else {
				keep = append(keep, e)
			}
		}
		if len(keep) == 0 {
			delete(w.idle, k)
		} else {
			w.idle[k] = keep
		}
	}
	w.live -= len(gone)
	w.mu.Unlock()
	for _, e := range gone {
		e.kill()
	}
}

// retire stops a function's idle environments (its code or configuration changed).
func (w *workers) retire(account, function string) {
	var gone []*env
	w.mu.Lock()
	for k, list := range w.idle {
		if k.account == account && k.function == function {
			gone = append(gone, list...)
			delete(w.idle, k)
		}
	}
	w.live -= len(gone)
	w.mu.Unlock()
	for _, e := range gone {
		e.kill()
	}
}

// get returns a warm environment for key, or reserves room for a new one (nil, true).
func (w *workers) get(key envKey) (*env, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for list := w.idle[key]; len(list) > 0; list = w.idle[key] {
		e := list[len(list)-1]
		w.idle[key] = list[:len(list)-1]
		if !e.dead() && !e.stale(w.s.cfg.Now()) {
			return e, nil
		}
		go e.kill() // a dead one too: its provisioner must hear of it
		w.live--
	}
	if w.live >= w.s.cfg.MaxEnvironments && !w.evictLocked() {
		return nil, throttle(ReasonAccountExceeded)
	}
	w.live++
	return nil, nil
}

// evictLocked stops the least recently used idle environment of any function to make room
// (provisioned ones are kept).
func (w *workers) evictLocked() bool {
	var oldest *env
	at := 0
	for _, list := range w.idle {
		for i, e := range list {
			if !e.provisioned && (oldest == nil || e.lastUsed.Before(oldest.lastUsed)) {
				oldest, at = e, i
			}
		}
	}
	if oldest == nil {
		return false
	}
	list := w.idle[oldest.key]
	w.idle[oldest.key] = append(list[:at:at], list[at+1:]...)
	if len(w.idle[oldest.key]) == 0 {
		delete(w.idle, oldest.key)
	}
	w.live--
	go oldest.kill()
	return true
}

// evictIdle stops an idle environment for a new one that finds no room on any worker.
func (w *workers) evictIdle() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.evictLocked()
}

// put returns an environment to the warm pool, or ends it when it is dead.
func (w *workers) put(e *env) {
	e.lastUsed = w.s.cfg.Now()
	w.mu.Lock()
	if e.dead() {
		w.live--
		w.mu.Unlock()
		go e.kill()
		return
	}
	w.idle[e.key] = append(w.idle[e.key], e)
	w.mu.Unlock()
	w.s.place.notify() // one waiting for room may stop it
}

// discard ends an environment that failed (timed out, crashed) or was never started.
func (w *workers) discard(e *env) {
	w.mu.Lock()
	w.live--
	w.mu.Unlock()
	if e != nil {
		e.kill()
	}
}

// launch starts a new environment for a version and waits for its runtime's first /next.
func (s *Service) launch(ctx context.Context, key envKey, v store.FunctionVersion, c *FunctionConfiguration) (*env, error) {
	if s.cfg.Sandboxes == nil {
		return nil, ErrService.Errorf("Functions cannot run: gureum has no sandbox manager.")
	}
	code, err := s.unpackCode(ctx, v)
	if err != nil {
		return nil, err
	}
	opt, err := s.unpackLayers(ctx, c)
	if err != nil {
		return nil, err
	}
	vars, expires := s.roleEnv(ctx, key, c)
	e, err := s.launchCode(ctx, key, c, code, opt, vars...)
	if e != nil {
		e.expires = expires
	}
	return e, err
}

// launchCode places an environment on a worker and starts it there on unpacked code and layers
// (opt), with extra environment variables.
func (s *Service) launchCode(ctx context.Context, key envKey, c *FunctionConfiguration, code, opt string, vars ...string) (*env, error) {
	e := &env{key: key, log: &logBuffer{}, api: runtimeapi.New()}
	e.stream = time.Now().UTC().Format("2006/01/02") + "/[" + c.Version + "]" + randomHex(16)
	spec, err := s.sandboxSpec(c, code, e.stream)
	if err != nil {
		return nil, err
	}
	if spec.Mounts, err = s.fileSystemMounts(c); err != nil {
		return nil, err
	}
	spec.Env = setEnv(spec.Env, vars...)
	spec.Layers = opt
	spec.ID = "fn-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "-" + strconv.FormatInt(s.workers.seq.Add(1), 36)
	if e.slot, err = s.place.reserve(ctx, int(c.MemorySize), s.workers.evictIdle); err != nil {
		return nil, err
	}
	sb, err := e.slot.at.w.Start(spec) // no Spec.Log: the environment reads sb.Output itself
	if err != nil {
		e.slot.release()
		return nil, fmt.Errorf("start sandbox: %w", err)
	}
	e.log.pipe = sb.Output
	go e.log.drain()
	e.sb = sb
	go e.api.Serve(sb.Listeners[0])
	if s.endpoint != nil {
		e.ep = &http.Server{Handler: s.endpoint, ReadHeaderTimeout: 10 * time.Second}
		go e.ep.Serve(sb.Listeners[1])
	}
	go func() { <-sb.Done(); e.api.Close() }()
	return e, nil
}

// awaitInit waits for the runtime's first /next; a failed init is the invoke's error. ctx bounds
// the whole wait (a provisioned environment's init phase).
func (e *env) awaitInit(ctx context.Context, requestID string, timeout int32) *invokeFailure {
	f, _ := e.initPhase(ctx, requestID, timeout)
	return f
}

// initPhase is Lambda's init phase: the runtime has initTimeout (10 s) of its own to reach its first
// /next, outside the function's timeout. An init that takes longer goes on within the first invoke,
// under the function's timeout counted from the end of the init phase (Lambda restarts it there;
// gureum lets it finish). It answers when the invoke phase starts: the invoke's timeout counts from
// then. ctx is the caller's (its end is a timeout too).
func (e *env) initPhase(ctx context.Context, requestID string, timeout int32) (*invokeFailure, time.Time) {
	t := time.NewTimer(initTimeout)
	defer t.Stop()
	select {
	case <-e.api.Ready():
		return nil, time.Now()
	case <-e.api.InitFailed():
		ie := e.api.InitErr()
		return &invokeFailure{typ: ie.Type, payload: ie.Payload}, time.Now()
	case <-e.sb.Done():
		return exitFailure(requestID, e.sb), time.Now()
	case <-ctx.Done():
		return timeoutFailure(requestID, timeout), time.Now()
	case <-t.C:
	}
	begun := time.Now()
	tctx, cancel := context.WithDeadline(ctx, begun.Add(time.Duration(timeout)*time.Second))
	defer cancel()
	select {
	case <-e.api.Ready():
		return nil, begun
	case <-e.api.InitFailed():
		ie := e.api.InitErr()
		return &invokeFailure{typ: ie.Type, payload: ie.Payload}, begun
	case <-e.sb.Done():
		return exitFailure(requestID, e.sb), begun
	case <-tctx.Done():
		return timeoutFailure(requestID, timeout), begun
	}
}

func randomHex(n int) string {
	b := make([]byte, n/2)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// unpackCode extracts a version's zip once into DataDir/code/<sha>, shared by its environments.
func (s *Service) unpackCode(ctx context.Context, v store.FunctionVersion) (string, error) {
	sum, _ := hexOfBase64(v.CodeSha256)
	dir := filepath.Join(s.cfg.DataDir, "code", sum)
	if _, err := os.Stat(dir); err == nil {
		return dir, nil
	}
	rd, err := s.cfg.Blobs.Open(ctx, blob.Ref(v.CodeRef))
	if err != nil {
		return "", fmt.Errorf("open code: %w", err)
	}
	defer rd.Close()
	zr, err := zip.NewReader(rd, rd.Size())
	if err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Join(s.cfg.DataDir, "code"), "unpack-")
	if err != nil {
		if err = os.MkdirAll(filepath.Join(s.cfg.DataDir, "code"), 0o755); err == nil {
			tmp, err = os.MkdirTemp(filepath.Join(s.cfg.DataDir, "code"), "unpack-")
		}
		if err != nil {
			return "", err
		}
	}
	os.Chmod(tmp, 0o755)
	if err := extract(zr, tmp); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		if _, serr := os.Stat(dir); serr == nil {
			return dir, nil // another invoke unpacked it first
		}
		return "", err
	}
	return dir, nil
}

// extract writes a zip's files under dir, readable by the sandbox's unprivileged user and
// keeping their executable bits; names that leave dir are refused.
func extract(zr *zip.Reader, dir string) error {
	for _, f := range zr.File {
		p := filepath.Join(dir, f.Name)
		if !isWithin(dir, p) {
			return fmt.Errorf("zip entry %q leaves the code directory", f.Name)
		}
		if f.FileInfo().IsDir() {
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if f.Mode()&0o111 != 0 {
			mode = 0o755
		}
		if err := extractFile(f, p, mode); err != nil {
			return err
		}
	}
	return nil
}

func extractFile(f *zip.File, p string, mode os.FileMode) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	out, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, io.LimitReader(rc, maxUnzipped))
	return errors.Join(err, out.Close())
}

func isWithin(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !filepath.IsAbs(rel) && (len(rel) < 3 || rel[:3] != "../")
}

// logBuffer collects an environment's output (its stdout and stderr pipe) for the current
// invoke, up to maxInvokeLog bytes.
type logBuffer struct {
	pipe    *os.File
	reading atomic.Bool // a read has returned and its bytes are not appended yet
	mu      sync.Mutex
	buf     []byte
}

const maxInvokeLog = 1 << 20

// drain copies the pipe into the buffer until every writer has closed it.
func (l *logBuffer) drain() {
	defer l.pipe.Close()
	p := make([]byte, 32<<10)
	for {
		n, err := l.pipe.Read(p)
		l.reading.Store(true)
		l.Write(p[:n])
		l.reading.Store(false)
		if err != nil {
			return
		}
	}
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	if len(l.buf)+len(p) <= maxInvokeLog {
		l.buf = append(l.buf, p...)
	}
	l.mu.Unlock()
	return len(p), nil
}

// settle waits (up to a few milliseconds) until what the runtime wrote before answering has
// left the pipe: the runtime writes its log before it posts the response, so the bytes are in
// the pipe by then, but the reader may not have copied them yet.
func (l *logBuffer) settle() {
	if l.pipe == nil {
		return
	}
	rc, err := l.pipe.SyscallConn()
	if err != nil {
		return
	}
	for i := 0; i < 50; i++ {
		pending := 0
		rc.Control(func(fd uintptr) { pending = pipePending(fd) })
		if pending == 0 && !l.reading.Load() {
			return
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// take returns what was written since the last take.
func (l *logBuffer) take() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buf
	l.buf = nil
	return b
}

// setEnv sets variables ("K=V") in an environment list, replacing those already there.
func setEnv(env []string, vars ...string) []string {
	for _, v := range vars {
		k, _, _ := strings.Cut(v, "=")
		replaced := false
		for i, old := range env {
			if strings.HasPrefix(old, k+"=") {
				env[i], replaced = v, true
				break
			}
		}
		if !replaced {
			env = append(env, v)
		}
	}
	return env
}
