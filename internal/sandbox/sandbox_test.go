package sandbox

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	Init()
	if path := os.Getenv("GUREUM_BENCH_FSYNC"); path != "" { // BenchmarkMountFsync's program
		n, _ := strconv.Atoi(os.Getenv("GUREUM_BENCH_N"))
		took, err := writeSyncs(path, n)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("took", took.Nanoseconds())
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// syncBuffer is a log the sandbox writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var idSeq int

func nsManager(t *testing.T) *Manager {
	t.Helper()
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Skip("namespace sandboxes need Linux and root; this run is neither")
	}
	m, err := New(Config{Level: Namespace, StateDir: t.TempDir(), CgroupParent: "gureum-test"})
	if err != nil {
		t.Skipf("namespace sandboxes unavailable: %v", err)
	}
	return m
}

// run starts a shell script in a sandbox and returns its output once it exits.
func run(t *testing.T, m *Manager, spec Spec, script string) (string, *Sandbox) {
	t.Helper()
	log := &syncBuffer{}
	idSeq++
	if spec.ID == "" {
		spec.ID = fmt.Sprintf("t%d-%d", os.Getpid(), idSeq)
	}
	if spec.Code == "" {
		spec.Code = t.TempDir()
	}
	spec.Argv = []string{"/bin/bash", "-c", script}
	spec.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin"}
	if spec.MemoryMB == 0 {
		spec.MemoryMB = 128
	}
	spec.Log = log
	sb, err := m.Start(spec)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	select {
	case <-sb.Done():
	case <-time.After(20 * time.Second):
		sb.Kill()
		t.Fatalf("sandbox did not exit; log:\n%s", log)
	}
	if err := sb.CleanupErr(); err != nil {
		t.Errorf("cleanup: %v", err)
	}
	return log.String(), sb
}

func TestIsolation(t *testing.T) {
	m := nsManager(t)
	hostSecret := t.TempDir()
	os.WriteFile(filepath.Join(hostSecret, "secret"), []byte("x"), 0o644)
	code := t.TempDir()
	os.WriteFile(filepath.Join(code, "hello.txt"), []byte("hi"), 0o644)
	script := `
echo uid=$(id -u) gid=$(id -g)
echo host=$(hostname)
echo procs=$(ls -d /proc/[0-9]* | wc -l)
echo pid1=$(tr '\0' ' ' < /proc/1/cmdline)
echo code=$(cat /var/task/hello.txt)
test -e ` + hostSecret + `/secret && echo datadir=visible || echo datadir=hidden
touch /var/task/new 2>/dev/null && echo task=writable || echo task=readonly
touch /usr/new 2>/dev/null && echo usr=writable || echo usr=readonly
touch /newfile 2>/dev/null && echo root=writable || echo root=readonly
echo data > /tmp/mine && echo tmp=writable
unshare -m true 2>/dev/null && echo unshare=allowed || echo unshare=denied
echo caps=$(grep CapEff /proc/self/status | tr -d '\t')
echo bnd=$(grep CapBnd /proc/self/status | tr -d '\t')
echo nnp=$(grep NoNewPrivs /proc/self/status | tr -d '\t')
echo seccomp=$(grep '^Seccomp:' /proc/self/status | tr -d '\t')
echo ifaces=$(ls /sys/class/net 2>/dev/null | tr '\n' ' ')
`
	out, sb := run(t, m, Spec{Code: code}, script)
	if sb.Err() != nil {
		t.Fatalf("script failed: %v\n%s", sb.Err(), out)
	}
	for _, want := range []string{
		"uid=65534 gid=65534", "host=sandbox", "pid1=/bin/bash -c", "code=hi", "datadir=hidden",
		"task=readonly", "usr=readonly", "root=readonly", "tmp=writable", "unshare=denied",
		"caps=CapEff:0000000000000000", "bnd=CapBnd:0000000000000000", "nnp=NoNewPrivs:1", "seccomp=Seccomp:2",
	} {
		if !strings.Contains(out, want+"\n") && !strings.Contains(out, want) {
			t.Errorf("sandbox output lacks %q:\n%s", want, out)
		}
	}
	// The host runs many processes; the sandbox sees its shell and the few it starts.
	for _, line := range strings.Split(out, "\n") {
		if n, ok := strings.CutPrefix(line, "procs="); ok && len(n) > 1 {
			t.Errorf("sandbox sees %s processes; want only its own", n)
		}
	}
}

func TestTmpPrivateAndCapped(t *testing.T) {
	m := nsManager(t)
	out, _ := run(t, m, Spec{TmpMB: 4}, `echo secret > /tmp/a-secret; dd if=/dev/zero of=/tmp/big bs=1M count=8 2>&1; echo size=$(stat -c %s /tmp/big)`)
	if !strings.Contains(out, "No space left on device") || !strings.Contains(out, "size=41") {
		t.Errorf("writing 8 MB into a 4 MB /tmp: %s; want No space left on device", out)
	}
	out, _ = run(t, m, Spec{}, `ls /tmp; echo end`)
	if strings.Contains(out, "a-secret") {
		t.Errorf("a second sandbox sees the first one's /tmp: %s", out)
	}
}

func TestMemoryLimit(t *testing.T) {
	m := nsManager(t)
	out, sb := run(t, m, Spec{MemoryMB: 32}, `x=$(head -c 200000000 /dev/zero | tr '\0' a); echo survived ${#x}`)
	if strings.Contains(out, "survived") {
		t.Fatalf("a 32 MB sandbox held 200 MB: %s", out)
	}
	if !sb.OOMKilled() {
		t.Errorf("OOMKilled() = false after %v; want true", sb.Err())
	}
}

func TestPidsLimit(t *testing.T) {
	m := nsManager(t)
	out, _ := run(t, m, Spec{Pids: 8}, `for i in $(seq 20); do sleep 5 & done 2>&1 | head -1; echo forked; kill $(jobs -p) 2>/dev/null; exit 0`)
	if !strings.Contains(out, "Resource temporarily unavailable") && !strings.Contains(out, "retry") {
		t.Errorf("forking 20 processes under pids.max 8: %s; want fork failures", out)
	}
}

func TestRuntimePortInsideOnly(t *testing.T) {
	m := nsManager(t)
	log := &syncBuffer{}
	spec := Spec{ID: fmt.Sprintf("port-%d", os.Getpid()), Code: t.TempDir(), MemoryMB: 128, Ports: []int{9001}, Log: log,
		Argv: []string{"/bin/bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/9001; echo ping >&3; read -r line <&3; echo got=$line`}}
	sb, err := m.Start(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Kill()
	if sb.Addrs[0] != "127.0.0.1:9001" {
		t.Errorf("Addrs = %v; want 127.0.0.1:9001", sb.Addrs)
	}
	c, err := sb.Listeners[0].Accept()
	if err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(c).ReadString('\n')
	// The host's own 127.0.0.1:9001 is not the sandbox's: a connection made there (to whatever the
	// host runs on that port, if anything: tests running beside this one may) never reaches the
	// sandbox's listener, which is still open while the sandbox waits for its answer.
	exec.Command("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9001").Run()
	if tl, ok := sb.Listeners[0].(*net.TCPListener); ok {
		tl.SetDeadline(time.Now().Add(300 * time.Millisecond))
		if other, err := tl.Accept(); err == nil {
			other.Close()
			t.Error("a connection to the host's 127.0.0.1:9001 reached the sandbox's listener")
		}
	}
	c.Write([]byte("pong\n"))
	c.Close()
	<-sb.Done()
	if line != "ping\n" || !strings.Contains(log.String(), "got=pong") {
		t.Errorf("exchange: host read %q, sandbox log %q", line, log)
	}
}

// TestNothingLeftBehind starts and kills sandboxes, including ones killed mid-run, and checks that
// no cgroup, process, mount or file descriptor remains.
func TestNothingLeftBehind(t *testing.T) {
	m := nsManager(t)
	fds := countFDs(t)
	mounts := countMounts(t)
	for i := 0; i < 20; i++ {
		spec := Spec{ID: fmt.Sprintf("leak-%d-%d", os.Getpid(), i), Code: t.TempDir(), MemoryMB: 64, Ports: []int{9001}, Log: &syncBuffer{},
			Argv: []string{"/bin/bash", "-c", "sleep 30 & sleep 30"}}
		sb, err := m.Start(spec)
		if err != nil {
			t.Fatal(err)
		}
		sb.Kill()
		if err := sb.CleanupErr(); err != nil {
			t.Error(err)
		}
	}
	dirs, _ := filepath.Glob("/sys/fs/cgroup/*/gureum-test/leak-*")
	if len(dirs) > 0 {
		t.Errorf("cgroups left: %v", dirs)
	}
	if out, _ := exec.Command("pgrep", "-f", "sleep 30").Output(); len(out) > 0 {
		t.Errorf("processes left: %s", out)
	}
	if n := countFDs(t); n > fds {
		t.Errorf("file descriptors: %d before, %d after", fds, n)
	}
	if n := countMounts(t); n != mounts {
		t.Errorf("host mounts: %d before, %d after", mounts, n)
	}
}

func countFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

func countMounts(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(b, []byte("\n"))
}

func TestProcessLevel(t *testing.T) {
	m, err := New(Config{Level: Process})
	if err != nil {
		t.Fatal(err)
	}
	if m.Level() != Process || m.Reason() == "" {
		t.Errorf("Level, Reason = %v, %q", m.Level(), m.Reason())
	}
	code := t.TempDir()
	log := &syncBuffer{}
	sb, err := m.Start(Spec{Code: code, Ports: []int{9001}, Log: log, Argv: []string{"/bin/sh", "-c", "pwd; echo $X"}, Env: []string{"X=y"}})
	if err != nil {
		t.Fatal(err)
	}
	<-sb.Done()
	if want := code + "\ny\n"; log.String() != want {
		t.Errorf("log = %q; want %q", log, want)
	}
	if sb.Addrs[0] == "127.0.0.1:9001" || !strings.HasPrefix(sb.Addrs[0], "127.0.0.1:") {
		t.Errorf("Addrs = %v; want a free loopback port", sb.Addrs)
	}
	// A process would see the host's /mnt: mounts are refused.
	if _, err := m.Start(Spec{Code: code, Argv: []string{"/bin/true"}, Mounts: []Mount{{Host: t.TempDir(), Path: "/mnt/x"}}}); err == nil {
		t.Errorf("a mount at the Process level started")
	}
}

// benchMounts are the mounts BenchmarkStart gives each sandbox (BenchmarkStartWithMount: one
// idmapped file system, what a mount adds to a cold start).
var benchMounts []Mount

func BenchmarkStartWithMount(b *testing.B) {
	dir := b.TempDir()
	os.Chown(dir, 1001, 1001)
	benchMounts = []Mount{{Host: dir, Path: "/mnt/efs", AsUser: true, UID: 1001, GID: 1001}}
	defer func() { benchMounts = nil }()
	BenchmarkStart(b)
}

// writeSyncs writes 4 KiB at one of 256 offsets of path and fsyncs it, n times, and returns
// how long that took.
func writeSyncs(path string, n int) (time.Duration, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	buf := bytes.Repeat([]byte("e"), 4<<10)
	start := time.Now()
	for i := 0; i < n; i++ {
		if _, err := f.WriteAt(buf, int64(i%256)<<12); err != nil {
			return 0, err
		}
		if err := f.Sync(); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// BenchmarkMountFsync: a 4 KiB write and fsync on a host directory (the floor) and on the same
// directory as a sandbox's idmapped mount, from a program inside the sandbox (this test binary,
// copied in as the code). Figures only: ns/op of the mount's run includes the sandbox's start;
// ns/fsync is the loop's own time per write.
func BenchmarkMountFsync(b *testing.B) {
	b.Run("host", func(b *testing.B) {
		took, err := writeSyncs(filepath.Join(b.TempDir(), "f"), b.N)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(took.Nanoseconds())/float64(b.N), "ns/fsync")
	})
	b.Run("mount", func(b *testing.B) {
		if os.Geteuid() != 0 {
			b.Skip("needs root")
		}
		m, err := New(Config{Level: Namespace, StateDir: b.TempDir(), CgroupParent: "gureum-test"})
		if err != nil {
			b.Skip(err)
		}
		defer m.Close()
		code, dir := b.TempDir(), b.TempDir()
		os.Chown(dir, 1001, 1001)
		self, _ := os.ReadFile("/proc/self/exe")
		if err := os.WriteFile(filepath.Join(code, "fsyncer"), self, 0o755); err != nil {
			b.Fatal(err)
		}
		log := &syncBuffer{}
		idSeq++
		sb, err := m.Start(Spec{ID: fmt.Sprintf("fsync-%d-%d", os.Getpid(), idSeq), Code: code, MemoryMB: 256, Log: log,
			Argv:   []string{"/var/task/fsyncer"},
			Env:    []string{"GUREUM_BENCH_FSYNC=/mnt/efs/f", "GUREUM_BENCH_N=" + strconv.Itoa(b.N)},
			Mounts: []Mount{{Host: dir, Path: "/mnt/efs", AsUser: true, UID: 1001, GID: 1001}}})
		if err != nil {
			b.Fatal(err)
		}
		<-sb.Done()
		var ns int64
		if _, err := fmt.Sscanf(strings.TrimSpace(log.String()), "took %d", &ns); err != nil {
			b.Fatalf("the program printed %q", log.String())
		}
		b.ReportMetric(float64(ns)/float64(b.N), "ns/fsync")
	})
}

func BenchmarkStart(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root")
	}
	m, err := New(Config{Level: Namespace, StateDir: b.TempDir(), CgroupParent: "gureum-test"})
	if err != nil {
		b.Skip(err)
	}
	code := b.TempDir()
	for i := 0; b.Loop(); i++ {
		sb, err := m.Start(Spec{ID: fmt.Sprintf("bench-%d", i), Code: code, MemoryMB: 128, Ports: []int{9001}, Argv: []string{"/bin/true"}, Mounts: benchMounts})
		if err != nil {
			b.Fatal(err)
		}
		<-sb.Done()
	}
}

func TestPrebuiltPool(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	m, err := New(Config{Level: Namespace, StateDir: t.TempDir(), CgroupParent: "gureum-test", Prebuilt: 2, PrebuiltPorts: []int{9001}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		out, sb := run(t, m, Spec{Ports: []int{9001}, MemoryMB: 64}, `echo mem=$(cat /proc/self/cgroup | grep -c memory) host=$(hostname)`)
		if sb.Err() != nil || !strings.Contains(out, "host=sandbox") {
			t.Errorf("pooled sandbox %d: %v %s", i, sb.Err(), out)
		}
	}
	m.Close()
	if dirs, _ := filepath.Glob("/sys/fs/cgroup/*/gureum-test/pool-*"); len(dirs) > 0 {
		t.Errorf("pool cgroups left after Close: %v", dirs)
	}
}

// TestMountsActAsUser: a Mount with a POSIX user stores what the program writes as that user,
// shows that user's files as the program's own, checks permissions as for that user, and leaves
// the program no more than other users' permissions on anyone else's files. A plain mount is the
// program's own uid's.
func TestMountsActAsUser(t *testing.T) {
	m := nsManager(t)
	shared := t.TempDir()
	os.Chmod(shared, 0o755)
	apRoot := filepath.Join(shared, "ap")
	os.Mkdir(apRoot, 0o750)
	os.Chown(apRoot, 1001, 1002)
	os.WriteFile(filepath.Join(apRoot, "theirs"), []byte("t"), 0o600)
	os.Chown(filepath.Join(apRoot, "theirs"), 1001, 1002)
	os.WriteFile(filepath.Join(apRoot, "root-only"), []byte("r"), 0o600)
	script := `
echo hello > /mnt/data/mine && echo write=ok || echo write=denied
cat /mnt/data/theirs >/dev/null && echo theirs=readable || echo theirs=denied
cat /mnt/data/root-only >/dev/null 2>&1 && echo rootonly=readable || echo rootonly=denied
mkdir /mnt/data/sub && echo x > /mnt/data/sub/f && echo mkdir=ok
echo uid=$(id -u)
sync /mnt/data/mine && echo sync=ok
`
	out, sb := run(t, m, Spec{Mounts: []Mount{{Host: apRoot, Path: "/mnt/data", AsUser: true, UID: 1001, GID: 1002}}}, script)
	if sb.Err() != nil {
		t.Fatalf("script failed: %v\n%s", sb.Err(), out)
	}
	for _, want := range []string{"write=ok", "theirs=readable", "rootonly=denied", "mkdir=ok", "uid=65534", "sync=ok"} {
		if !strings.Contains(out, want) {
			t.Errorf("sandbox output lacks %q:\n%s", want, out)
		}
	}
	for _, f := range []string{"mine", "sub", "sub/f"} {
		fi, err := os.Stat(filepath.Join(apRoot, f))
		if err != nil {
			t.Fatal(err)
		}
		if st := fi.Sys().(*syscall.Stat_t); st.Uid != 1001 || st.Gid != 1002 {
			t.Errorf("%s is owned by %d:%d on the host; want the access point's 1001:1002", f, st.Uid, st.Gid)
		}
	}
	// A second mount of the same user reuses its namespace; another user's is its own, and
	// that user cannot write into a directory of 1001's.
	out, _ = run(t, m, Spec{Mounts: []Mount{{Host: apRoot, Path: "/mnt/other", AsUser: true, UID: 2002, GID: 2002}}},
		`echo x > /mnt/other/intruder 2>/dev/null && echo write=ok || echo write=denied; cat /mnt/other/mine >/dev/null 2>&1 && echo read=ok || echo read=denied`)
	if !strings.Contains(out, "write=denied") || !strings.Contains(out, "read=denied") {
		t.Errorf("another user's mount of 1001's 0750 directory:\n%s", out)
	}
	// A read-only mount reads but does not write.
	out, _ = run(t, m, Spec{Mounts: []Mount{{Host: apRoot, Path: "/mnt/ro", ReadOnly: true, AsUser: true, UID: 1001, GID: 1002}}},
		`cat /mnt/ro/mine >/dev/null && echo read=ok; echo x > /mnt/ro/new 2>/dev/null && echo write=ok || echo write=denied`)
	if !strings.Contains(out, "read=ok") || !strings.Contains(out, "write=denied") {
		t.Errorf("read-only mount:\n%s", out)
	}
	// Only /mnt paths.
	if _, err := m.Start(Spec{ID: "bad-mount", Argv: []string{"/bin/true"}, Code: t.TempDir(), Mounts: []Mount{{Host: apRoot, Path: "/etc"}}}); err == nil {
		t.Errorf("a mount at /etc started")
	}
}

// TestMountsSecondaryGids: a Mount's secondary gids are the program's groups on it: a file or
// directory group-owned by one, group-writable, is writable through the mount (and what the
// program creates there is the user's primary gid's); a gid not among them gives only "other"
// permissions.
func TestMountsSecondaryGids(t *testing.T) {
	m := nsManager(t)
	apRoot := filepath.Join(t.TempDir(), "ap")
	os.Mkdir(apRoot, 0o755)
	os.Chown(apRoot, 1001, 1001)
	for name, gid := range map[string]int{"team": 3003, "other": 4004} {
		dir := filepath.Join(apRoot, name)
		os.Mkdir(dir, 0o770)
		os.Chown(dir, 0, gid)
		os.Chmod(dir, 0o770)
		os.WriteFile(filepath.Join(dir, "shared"), []byte("s"), 0o660)
		os.Chown(filepath.Join(dir, "shared"), 0, gid)
		os.Chmod(filepath.Join(dir, "shared"), 0o660) // past the umask
	}
	script := `
echo more >> /mnt/data/team/shared && echo file=ok || echo file=denied
echo new > /mnt/data/team/new && echo create=ok || echo create=denied
echo x >> /mnt/data/other/shared 2>/dev/null && echo other=ok || echo other=denied
echo groups=$(id -G)
`
	mt := Mount{Host: apRoot, Path: "/mnt/data", AsUser: true, UID: 1001, GID: 1001, SecondaryGIDs: []uint32{1001, 3003}}
	out, sb := run(t, m, Spec{Mounts: []Mount{mt}}, script)
	if sb.Err() != nil {
		t.Fatalf("script failed: %v\n%s", sb.Err(), out)
	}
	for _, want := range []string{"file=ok", "create=ok", "other=denied"} {
		if !strings.Contains(out, want) {
			t.Errorf("sandbox output lacks %q:\n%s", want, out)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(apRoot, "team", "shared")); string(b) != "smore\n" {
		t.Errorf("team/shared = %q; want the function's append", b)
	}
	if fi, err := os.Stat(filepath.Join(apRoot, "team", "new")); err != nil {
		t.Error(err)
	} else if st := fi.Sys().(*syscall.Stat_t); st.Uid != 1001 || st.Gid != 1001 {
		t.Errorf("team/new is %d:%d on the host; want the access point's 1001:1001", st.Uid, st.Gid)
	}
	// The same user without secondary gids is another namespace, and the group's files are closed.
	mt.SecondaryGIDs = nil
	out, _ = run(t, m, Spec{Mounts: []Mount{mt}}, `echo x >> /mnt/data/team/shared 2>/dev/null && echo file=ok || echo file=denied`)
	if !strings.Contains(out, "file=denied") {
		t.Errorf("without secondary gids:\n%s", out)
	}
}
