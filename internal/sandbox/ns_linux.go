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
	TmpMB    int
	UID, GID int
	Argv     []string
	Env      []string
}

type bind struct {
	Src, Dst string
}

func (m *Manager) initSpec(spec Spec) initSpec {
	is := initSpec{Root: m.root, TmpMB: spec.TmpMB, UID: m.cfg.UID, GID: m.cfg.GID, Argv: spec.Argv, Env: spec.Env}
	for _, p := range append(append(append([]string{}, systemPaths...), m.cfg.Binds...), spec.Binds...) {
		is.Binds = append(is.Binds, bind{p, p})
	}
	for _, b := range []bind{{spec.Code, "/var/task"}, {spec.Layers, "/opt"}, {spec.Runtime, "/var/runtime"}} {
		if b.Src != "" {
			is.Binds = append(is.Binds, b)
		}
	}
	return is
}

// startNamespace clones the init step into new namespaces and a cgroup, opens the sandbox's
// listeners inside its network namespace, then hands the init step its spec; the init step
// builds the root and executes the program, or reports why it could not.
func (m *Manager) startNamespace(spec Spec) (sb *Sandbox, err error) {
	cg, err := m.cg.create(spec.ID, spec.MemoryMB, spec.Pids, m.cfg.StrictCPU)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			cg.remove()
		}
	}()
	cfgR, cfgW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer cfgW.Close()
	errR, errW, err := os.Pipe()
	if err != nil {
		cfgR.Close()
		return nil, err
	}
	defer errR.Close()
	cmd := &exec.Cmd{
		Path:       "/proc/self/exe",
		Args:       []string{initArg},
		Env:        []string{},
		ExtraFiles: []*os.File{cfgR, errW},
		Stdout:     spec.Log,
		Stderr:     spec.Log,
		SysProcAttr: &syscall.SysProcAttr{
			Cloneflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWPID | syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS | syscall.CLONE_NEWNET,
			Pdeathsig:  syscall.SIGKILL,
		},
	}
	if cg.v2 {
		fd, err := unix.Open(cg.dirs[0], unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return nil, err
		}
		defer unix.Close(fd)
		cmd.SysProcAttr.UseCgroupFD, cmd.SysProcAttr.CgroupFD = true, fd
	}
	err = cmd.Start()
	cfgR.Close()
	errW.Close()
	if err != nil {
		return nil, err
	}
	sb = &Sandbox{proc: execProc{cmd}, done: make(chan struct{})}
	if err = m.handOver(sb, cmd.Process.Pid, cg, spec, cfgW, errR); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		closeAll(sb.Listeners)
		return nil, err
	}
	sb.cleanup = cg.remove
	sb.oom = cg.oomKilled
	go sb.watch()
	return sb, nil
}

func (m *Manager) handOver(sb *Sandbox, pid int, cg *cgroup, spec Spec, cfgW io.WriteCloser, errR io.Reader) error {
	if !cg.v2 {
		if err := cg.join(pid); err != nil {
			return err
		}
	}
	lns, err := listenIn(pid, spec.Ports)
	if err != nil {
		return err
	}
	sb.Listeners = lns
	for _, p := range spec.Ports {
		sb.Addrs = append(sb.Addrs, "127.0.0.1:"+strconv.Itoa(p))
	}
	if err := json.NewEncoder(cfgW).Encode(m.initSpec(spec)); err != nil {
		return fmt.Errorf("sandbox init: %w", err)
	}
	cfgW.Close()
	msg, _ := io.ReadAll(errR) // EOF without a word: the program was executed
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
