package sandbox

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Config is how a Manager builds sandboxes.
type Config struct {
	Level Level
	// Auto falls back to Process, with a reason, when Namespace is unavailable.
	Auto bool
	// StateDir holds the empty directory each sandbox mounts its root on.
	StateDir string
	// UID and GID the program runs as at the Namespace level (0: 65534, nobody).
	UID, GID int
	// Binds are host paths shown read-only at the same path inside every sandbox, beside the
	// system directories (for example an interpreter installed outside /usr).
	Binds []string
	// CgroupParent is the cgroup every sandbox's cgroup lives under ("gureum").
	CgroupParent string
	// StrictCPU caps CPU with a CFS quota proportional to memory, as Lambda does; without it
	// CPU is shared by weight proportional to memory, and idle CPU is free to use.
	StrictCPU bool
	// Prebuilt is how many empty sandboxes with PrebuiltPorts to keep ready (Namespace level).
	Prebuilt      int
	PrebuiltPorts []int
}

// Manager starts sandboxes.
type Manager struct {
	cfg    Config
	level  Level
	reason string
	cg     *cgroups
	root   string
	pool   *pool
	ids    *idmaps
}

// New checks that the configured level is available. With Auto it falls back to Process and
// Reason says why.
func New(cfg Config) (*Manager, error) {
	if cfg.UID == 0 {
		cfg.UID = 65534
	}
	if cfg.GID == 0 {
		cfg.GID = 65534
	}
	if cfg.CgroupParent == "" {
		cfg.CgroupParent = "gureum"
	}
	m := &Manager{cfg: cfg, level: cfg.Level, ids: newIdmaps()}
	if cfg.Level != Namespace {
		m.reason = "isolation set to process"
		return m, nil
	}
	err := m.prepareNamespace()
	if err == nil {
		return m, nil
	}
	if !cfg.Auto {
		return nil, fmt.Errorf("namespace isolation unavailable: %w", err)
	}
	m.level, m.reason = Process, err.Error()
	return m, nil
}

func (m *Manager) prepareNamespace() error {
	if err := namespaceSupported(); err != nil {
		return err
	}
	if m.cfg.StateDir == "" {
		return fmt.Errorf("no state directory for sandbox roots")
	}
	m.root = filepath.Join(m.cfg.StateDir, "sandbox-root")
	if err := os.MkdirAll(m.root, 0o755); err != nil {
		return err
	}
	cg, err := newCgroups(m.cfg.CgroupParent)
	if err != nil {
		return err
	}
	m.cg = cg
	m.pool = newPool(m)
	return nil
}

// Close ends the pre-built sandboxes. Running sandboxes are their owners' to kill.
func (m *Manager) Close() {
	m.pool.close()
	m.ids.close()
}

// Level is the isolation sandboxes get.
func (m *Manager) Level() Level { return m.level }

// Reason says why sandboxes are only processes ("" at the Namespace level).
func (m *Manager) Reason() string {
	if m.level == Namespace {
		return ""
	}
	return m.reason
}

// Cgroups names the cgroup version in use ("v1", "v2", or "" at the Process level).
func (m *Manager) Cgroups() string {
	if m.cg == nil {
		return ""
	}
	return m.cg.version()
}

// Start starts a sandbox. Its program is running when Start returns.
func (m *Manager) Start(spec Spec) (*Sandbox, error) {
	if len(spec.Argv) == 0 {
		return nil, fmt.Errorf("sandbox: no program")
	}
	if spec.Pids == 0 {
		spec.Pids = DefaultPids
	}
	if m.level == Namespace {
		return m.startNamespace(spec)
	}
	if len(spec.Mounts) > 0 {
		// A process sees the host's paths: /mnt/… would be the host's own, and no uid could be
		// enforced on what it writes.
		return nil, fmt.Errorf("sandbox: file system mounts need the namespace isolation level (%s)", m.reason)
	}
	return startProcess(spec)
}

// execProc is a sandbox's program as os/exec runs it.
type execProc struct{ cmd *exec.Cmd }

func (p execProc) kill() {
	if p.cmd.SysProcAttr != nil && p.cmd.SysProcAttr.Setpgid {
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	}
	p.cmd.Process.Kill()
}

func (p execProc) wait() error { return p.cmd.Wait() }

// startProcess runs the program as a plain child in its code directory, serving its ports on
// free loopback ports of the host. The sandbox paths and ports in Argv and Env are rewritten to
// the host's (see processRewriter).
func startProcess(spec Spec) (*Sandbox, error) {
	sb := &Sandbox{done: make(chan struct{})}
	for range spec.Ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			closeAll(sb.Listeners)
			return nil, err
		}
		sb.Listeners = append(sb.Listeners, ln)
		sb.Addrs = append(sb.Addrs, "127.0.0.1:"+strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
	}
	rw := processRewriter(spec, sb.Addrs)
	argv := make([]string, len(spec.Argv))
	for i, a := range spec.Argv {
		argv[i] = rw.Replace(a)
	}
	env := make([]string, len(spec.Env))
	for i, kv := range spec.Env {
		env[i] = rw.Replace(kv)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		closeAll(sb.Listeners)
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env, cmd.Dir, cmd.Stdout, cmd.Stderr = env, spec.Code, outW, outW
	cmd.SysProcAttr = processAttr()
	err = cmd.Start()
	outW.Close()
	if err != nil {
		outR.Close()
		closeAll(sb.Listeners)
		return nil, err
	}
	sb.proc = execProc{cmd}
	sb.output(outR, spec.Log)
	go sb.watch()
	return sb, nil
}

// processRewriter rewrites the sandbox paths (/var/task, /opt, /var/runtime) and loopback
// ports (127.0.0.1:port) in a Process-level sandbox's argv and environment to the host's.
func processRewriter(spec Spec, addrs []string) *strings.Replacer {
	var pairs []string
	for i, p := range spec.Ports {
		pairs = append(pairs, "127.0.0.1:"+strconv.Itoa(p), addrs[i])
	}
	layers := spec.Layers
	if layers == "" {
		layers = filepath.Join(spec.Code, ".no-layers")
	}
	pairs = append(pairs, "/var/task", spec.Code, "/var/runtime", spec.Runtime, "/opt", layers)
	return strings.NewReplacer(pairs...)
}

// HostPath maps a path inside a sandbox to the host path it shows at the Process level.
func HostPath(spec Spec, p string) string {
	for _, m := range []struct{ in, host string }{{"/var/task", spec.Code}, {"/opt", spec.Layers}, {"/var/runtime", spec.Runtime}} {
		if m.host == "" {
			continue
		}
		if p == m.in {
			return m.host
		}
		if rel, ok := cutPrefix(p, m.in+"/"); ok {
			return filepath.Join(m.host, rel)
		}
	}
	return p
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return s, false
}

// Prebuilt is how many pre-built sandboxes are ready now.
func (m *Manager) Prebuilt() int { return m.pool.readyCount() }
