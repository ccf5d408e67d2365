package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

func namespaceSupported() error {
	if os.Geteuid() != 0 {
		return errors.New("gureum is not running as root")
	}
	if _, err := os.Stat("/proc/self/ns/pid"); err != nil {
		return fmt.Errorf("no namespaces: %w", err)
	}
	return nil
}

func processAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// systemPaths are the host paths every sandbox sees read-only (those that exist).
var systemPaths = []string{
	"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
	"/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
	"/etc/ssl", "/etc/ca-certificates", "/etc/pki", "/etc/resolv.conf", "/etc/hosts",
	"/etc/nsswitch.conf", "/etc/localtime", "/etc/passwd", "/etc/group", "/etc/mime.types",
	"/etc/protocols", "/etc/services", "/etc/gai.conf", "/etc/os-release",
}

// initSpec is what the init step (in the child, see Init) needs to build the sandbox.
type initSpec struct {
	Root     string
	Binds    []bind
	Mounts   []initMount
	TmpMB    int
	UID, GID int
	Groups   []int // supplementary groups: the mounts' secondary gids (SecondaryGIDBase…)
	Argv     []string
	Env      []string
}

type bind struct {
	Src, Dst string
}

func (m *Manager) initSpec(spec Spec) (initSpec, error) {
	is := initSpec{Root: m.root, TmpMB: spec.TmpMB, UID: m.cfg.UID, GID: m.cfg.GID, Argv: spec.Argv, Env: spec.Env}
	var err error
	if is.Mounts, is.Groups, err = m.mounts(spec); err != nil {
		return is, err
	}
	for _, p := range append(append(append([]string{}, systemPaths...), m.cfg.Binds...), spec.Binds...) {
		is.Binds = append(is.Binds, bind{p, p})
	}
	for _, b := range []bind{{spec.Code, "/var/task"}, {spec.Layers, "/opt"}, {spec.Runtime, "/var/runtime"}} {
		if b.Src != "" {
			is.Binds = append(is.Binds, b)
		}
	}
	return is, nil
}

// spawned is an init step cloned into its namespaces and cgroup, with its listeners open,
// waiting for its spec: a sandbox still without a program (the pool keeps a few).
type spawned struct {
	cmd        *exec.Cmd
	cg         *cgroup
	cfgW, errR *os.File
	out        *os.File // the read end of the program's stdout and stderr
	lns        []net.Listener
	ports      []int
}

func (p *spawned) discard() {
	p.cmd.Process.Kill()
	p.cmd.Wait()
	closeAll(p.lns)
	p.cfgW.Close()
	p.errR.Close()
	p.out.Close()
	p.cg.remove()
}

// spawn clones the init step into new namespaces and a cgroup and opens its listeners inside its
// network namespace.
func (m *Manager) spawn(id string, memoryMB, pids int, ports []int) (*spawned, error) {
	cg, err := m.cg.create(id, memoryMB, pids, m.cfg.StrictCPU)
	if err != nil {
		return nil, err
	}
	var files [6]*os.File // cfgR, cfgW, errR, errW, outR, outW
	for i := 0; i < 6; i += 2 {
		if files[i], files[i+1], err = os.Pipe(); err != nil {
			for _, f := range files[:i] {
				f.Close()
			}
			cg.remove()
			return nil, err
		}
	}
	p := &spawned{cg: cg, cfgW: files[1], errR: files[2], out: files[4], ports: ports}
	p.cmd = &exec.Cmd{
		Path: "/proc/self/exe", Args: []string{initArg}, Env: []string{},
		ExtraFiles: []*os.File{files[0], files[3]}, Stdout: files[5], Stderr: files[5],
		SysProcAttr: &syscall.SysProcAttr{
			Cloneflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWPID | syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS | syscall.CLONE_NEWNET,
			Pdeathsig:  syscall.SIGKILL,
		},
	}
	if cg.v2 {
		fd, err := unix.Open(cg.dirs[0], unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err == nil {
			defer unix.Close(fd)
			p.cmd.SysProcAttr.UseCgroupFD, p.cmd.SysProcAttr.CgroupFD = true, fd
		}
	}
	err = p.cmd.Start()
	files[0].Close()
	files[3].Close()
	files[5].Close()
	if err != nil {
		p.cfgW.Close()
		p.errR.Close()
		p.out.Close()
		cg.remove()
		return nil, err
	}
	if !cg.v2 {
		err = cg.join(p.cmd.Process.Pid)
	}
	if err == nil {
		p.lns, err = listenIn(p.cmd.Process.Pid, ports)
	}
	if err != nil {
		p.discard()
		return nil, err
	}
	return p, nil
}

// startNamespace takes a pre-built sandbox from the pool, or spawns one, and hands its init
// step the spec; the init step builds the root and executes the program, or says why not.
func (m *Manager) startNamespace(spec Spec) (*Sandbox, error) {
	p := m.pool.take(spec.Ports)
	if p != nil {
		if err := p.cg.limit(spec.MemoryMB, spec.Pids, m.cfg.StrictCPU); err != nil {
			p.discard()
			p = nil
		}
	}
	m.pool.refill(m)
	if p == nil {
		var err error
		if p, err = m.spawn(spec.ID, spec.MemoryMB, spec.Pids, spec.Ports); err != nil {
			return nil, err
		}
	}
	if err := m.handOver(p, spec); err != nil {
		p.discard()
		return nil, err
	}
	sb := &Sandbox{proc: execProc{p.cmd}, Listeners: p.lns, done: make(chan struct{}), cleanup: p.cg.remove, oom: p.cg.oomKilled}
	for _, port := range spec.Ports {
		sb.Addrs = append(sb.Addrs, "127.0.0.1:"+strconv.Itoa(port))
	}
	sb.output(p.out, spec.Log)
	go sb.watch()
	return sb, nil
}

// handOver sends the init step its spec and waits until the program runs or init fails.
func (m *Manager) handOver(p *spawned, spec Spec) error {
	defer p.errR.Close()
	is, err := m.initSpec(spec)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(p.cfgW).Encode(is); err != nil {
		return fmt.Errorf("sandbox init: %w", err)
	}
	p.cfgW.Close()
	msg, _ := io.ReadAll(p.errR) // EOF without a word: the program was executed
	if len(msg) > 0 {
		return fmt.Errorf("sandbox init: %s", msg)
	}
	return nil
}

// listenIn opens TCP listeners on 127.0.0.1 inside the network namespace of process pid,
// bringing its loopback interface up first. A socket stays in the namespace it was created in,
// so the host serves the listeners from any thread afterwards.
func listenIn(pid int, ports []int) ([]net.Listener, error) {
	type result struct {
		lns []net.Listener
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		lns, restored, err := listenInLocked(pid, ports)
		if restored {
			runtime.UnlockOSThread()
		} // otherwise the thread, stuck in the sandbox's namespace, ends with this goroutine
		ch <- result{lns, err}
	}()
	r := <-ch
	return r.lns, r.err
}

func listenInLocked(pid int, ports []int) (lns []net.Listener, restored bool, err error) {
	self, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, false, err
	}
	defer unix.Close(self)
	target, err := unix.Open("/proc/"+strconv.Itoa(pid)+"/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, false, err
	}
	defer unix.Close(target)
	if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
		return nil, false, fmt.Errorf("setns: %w", err)
	}
	err = loopbackUp()
	for _, p := range ports {
		if err != nil {
			break
		}
		var ln net.Listener
		if ln, err = net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p)); err == nil {
			lns = append(lns, ln)
		}
	}
	restored = unix.Setns(self, unix.CLONE_NEWNET) == nil
	if err != nil {
		closeAll(lns)
		return nil, restored, err
	}
	return lns, restored, nil
}

func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	ifr.SetUint16(unix.IFF_UP | unix.IFF_LOOPBACK | unix.IFF_RUNNING)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("loopback up: %w", err)
	}
	return nil
}
