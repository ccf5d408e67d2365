// Package sandbox runs a function's execution environment: a process tree isolated from the host
// and from other environments.
//
// At the Namespace level (Linux, root) a sandbox is a process in new mount, pid, ipc, uts and
// network namespaces whose root is a read-only tmpfs holding read-only bind mounts of the host's
// system directories, the function code at /var/task, layers at /opt, the runtime client at
// /var/runtime and a private size-capped tmpfs at /tmp. It runs as an unprivileged uid/gid with
// no_new_privs, an empty capability bounding set and a seccomp deny-list, in a cgroup (v1 or v2)
// that caps memory, CPU and pids. The namespaces are set up by an init step that re-executes the
// current binary (see Init), because Go runs nothing between fork and exec.
//
// The host serves the sandbox's TCP ports (the Runtime API on 127.0.0.1:9001, gureum's endpoint)
// from listeners it creates inside the sandbox's network namespace, so nothing outside that
// namespace can reach them and the sandbox reaches nothing else.
//
// At the Process level (not root, not Linux, or chosen) a sandbox is a plain child process in
// the code directory with host-side listeners on free loopback ports: no isolation at all.
package sandbox

import (
	"fmt"
	"io"
	"net"
	"os"
	"strings"
)

// Level is how strongly sandboxes are isolated.
type Level int

const (
	// Namespace isolates with Linux namespaces, a pivoted read-only root, a cgroup, dropped
	// capabilities and seccomp.
	Namespace Level = iota
	// Process runs functions as plain child processes.
	Process
)

func (l Level) String() string {
	if l == Namespace {
		return "namespace"
	}
	return "process"
}

// ParseLevel reads a level name as a flag gives it ("namespace", "process", or "auto"/"").
func ParseLevel(s string) (Level, bool, error) {
	switch strings.ToLower(s) {
	case "", "auto":
		return Namespace, true, nil
	case "namespace":
		return Namespace, false, nil
	case "process":
		return Process, false, nil
	}
	return 0, false, fmt.Errorf("isolation %q: want auto, namespace or process", s)
}

// Spec is one execution environment.
type Spec struct {
	ID      string   // unique among live sandboxes: the cgroup's name
	Argv    []string // the program and its arguments, as paths inside the sandbox
	Env     []string // the complete environment
	Code    string   // host directory shown read-only at /var/task
	Layers  string   // host directory shown read-only at /opt ("" for an empty /opt)
	Runtime string   // host directory shown read-only at /var/runtime ("" for none)
	Binds   []string // more host paths shown read-only at the same path (an interpreter's prefix)
	// Mounts are host directories shown read-write (shared file systems: EFS access points).
	Mounts []Mount

	MemoryMB int // cgroup memory limit; CPU is proportional (1,769 MB = one vCPU)
	TmpMB    int // size of the /tmp tmpfs
	Pids     int // cgroup pids limit (0: DefaultPids)

	// Ports are the loopback TCP ports the host serves inside the sandbox: for each, Start
	// returns a listener (inside the sandbox's network namespace at the Namespace level, on a
	// free host port at the Process level; Addrs says which address the program must use).
	Ports []int

	// Log receives the program's stdout and stderr; when nil, the caller reads Sandbox.Output.
	Log io.Writer
}

// Mount is a host directory shown read-write at Path inside a sandbox. With AsUser, every file
// operation through it acts as UID and GID on the host's files, whatever uid the program runs as
// (an idmapped mount: files it creates are owned by UID:GID, and permissions are checked as for
// them), as EFS enforces an access point's POSIX user. At the Process level a mount is the host
// directory itself, named by its host path, and the program's own uid applies.
//
// SecondaryGIDs are the user's other groups: the program holds one supplementary group for each
// (SecondaryGIDBase, SecondaryGIDBase+1, …, which no host file carries), and the mount shows each
// secondary gid's files as that group's, so a file group-owned by one is open to the program as
// to its group, as EFS applies an access point's SecondaryGids.
type Mount struct {
	Host          string
	Path          string // absolute, under /mnt
	ReadOnly      bool
	AsUser        bool
	UID, GID      uint32
	SecondaryGIDs []uint32
}

// SecondaryGIDBase is the first of the host gids that stand for a Mount's SecondaryGIDs inside
// a sandbox: a range no distribution allocates (below the 32-bit ids' top, above subordinate
// ranges), so the supplementary groups give a program nothing on the host's own files.
const SecondaryGIDBase = 0x7fff0000

// DefaultPids is the pids limit when a Spec does not set one.
const DefaultPids = 1024

// Sandbox is a running execution environment.
type Sandbox struct {
	// Listeners are the host's listeners for Spec.Ports, in order; the caller serves them and
	// Close closes them.
	Listeners []net.Listener
	// Addrs are the host:port addresses the program reaches Listeners at, in order.
	Addrs []string
	// Output is the read end of the program's stdout and stderr when Spec.Log was nil; the
	// caller reads it to EOF and closes it.
	Output *os.File

	proc interface {
		kill()
		wait() error
	}
	done       chan struct{}
	waitErr    error
	cleanupErr error
	cleanup    func() error
	oom        func() bool
	oomKilled  bool
	copied     chan struct{} // closed when the output has been copied to Spec.Log
}

// output hands the program's output pipe to the caller, or copies it to log.
func (s *Sandbox) output(r *os.File, log io.Writer) {
	if log == nil {
		s.Output = r
		return
	}
	s.copied = make(chan struct{})
	go func() {
		io.Copy(log, r)
		r.Close()
		close(s.copied)
	}()
}

// OOMKilled reports whether the kernel killed a process of the sandbox for exceeding its memory
// limit (the Namespace level only); valid after Done.
func (s *Sandbox) OOMKilled() bool { return s.oomKilled }

// Done is closed when the sandbox's program has exited and the sandbox is cleaned up.
func (s *Sandbox) Done() <-chan struct{} { return s.done }

// Err is how the program ended (an *exec.ExitError); valid after Done.
func (s *Sandbox) Err() error { return s.waitErr }

// CleanupErr reports a failure to remove what the sandbox left (its cgroup); valid after Done.
func (s *Sandbox) CleanupErr() error { return s.cleanupErr }

// Kill ends the sandbox's whole process tree and waits until it is gone and cleaned up.
func (s *Sandbox) Kill() {
	s.proc.kill()
	<-s.done
}

func (s *Sandbox) watch() {
	s.waitErr = s.proc.wait()
	if s.copied != nil {
		<-s.copied
	}
	closeAll(s.Listeners)
	s.oomKilled = s.oom != nil && s.oom()
	if s.cleanup != nil {
		s.cleanupErr = s.cleanup()
	}
	close(s.done)
}

func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		ln.Close()
	}
}
