package sandbox

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// holdArg is argv[0] of a re-executed binary that only holds a user namespace open: a mount
// made through it maps one uid and gid of the sandboxes to the host's ids a Mount asks for.
const holdArg = "gureum-sandbox-userns"

// hold keeps the process alive until its stdin closes (the manager closes it, or dies).
func hold() {
	var b [1]byte
	os.Stdin.Read(b[:])
	os.Exit(0)
}

// idmaps are the user namespaces behind idmapped mounts, one per host uid and gid, each held by
// a process of holdArg; an init step opens /proc/<pid>/ns/user to idmap its mount.
type idmaps struct {
	mu      sync.Mutex
	holders map[[2]uint32]*exec.Cmd
	pipes   []*os.File // the holders' stdin; closing one ends its holder
}

func newIdmaps() *idmaps { return &idmaps{holders: map[[2]uint32]*exec.Cmd{}} }

// holder returns the pid of the process holding the namespace in which the sandboxes' uid and
// gid (sandboxUID, sandboxGID) are uid and gid: an idmapped mount through it stores a file the
// program creates as uid:gid, and shows uid:gid's files as the program's own.
func (ids *idmaps) holder(uid, gid uint32, sandboxUID, sandboxGID int) (int, error) {
	ids.mu.Lock()
	defer ids.mu.Unlock()
	key := [2]uint32{uid, gid}
	if c, ok := ids.holders[key]; ok && c.ProcessState == nil {
		return c.Process.Pid, nil
	}
	stdin, w, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	c := &exec.Cmd{
		Path: "/proc/self/exe", Args: []string{holdArg}, Env: []string{}, Stdin: stdin,
		SysProcAttr: &syscall.SysProcAttr{
			Cloneflags:  syscall.CLONE_NEWUSER,
			UidMappings: []syscall.SysProcIDMap{{ContainerID: int(uid), HostID: sandboxUID, Size: 1}},
			GidMappings: []syscall.SysProcIDMap{{ContainerID: int(gid), HostID: sandboxGID, Size: 1}},
			Pdeathsig:   syscall.SIGKILL,
		},
	}
	err = c.Start()
	stdin.Close()
	if err != nil {
		w.Close()
		return 0, fmt.Errorf("sandbox: user namespace for %d:%d: %w", uid, gid, err)
	}
	go func() { c.Wait() }() // reaped when it exits; ProcessState says so
	ids.holders[key] = c
	ids.pipes = append(ids.pipes, w)
	return c.Process.Pid, nil
}

func (ids *idmaps) close() {
	ids.mu.Lock()
	defer ids.mu.Unlock()
	for _, w := range ids.pipes {
		w.Close()
	}
	for _, c := range ids.holders {
		c.Process.Kill()
	}
	clear(ids.holders)
	ids.pipes = nil
}

// initMount is a Mount as the init step makes it.
type initMount struct {
	Src, Dst  string
	ReadOnly  bool
	UsernsPid int // 0: a plain bind
}

// mounts turns a spec's mounts into the init step's, starting the namespaces they need.
func (m *Manager) mounts(spec Spec) ([]initMount, error) {
	var out []initMount
	for _, mt := range spec.Mounts {
		if !filepath.IsAbs(mt.Path) || !strings.HasPrefix(filepath.Clean(mt.Path), "/mnt/") {
			return nil, fmt.Errorf("sandbox: mount path %q is not under /mnt", mt.Path)
		}
		im := initMount{Src: mt.Host, Dst: filepath.Clean(mt.Path), ReadOnly: mt.ReadOnly}
		if mt.AsUser {
			pid, err := m.ids.holder(mt.UID, mt.GID, m.cfg.UID, m.cfg.GID)
			if err != nil {
				return nil, err
			}
			im.UsernsPid = pid
		}
		out = append(out, im)
	}
	return out, nil
}

// mountInto shows a host directory (read-write unless mt.ReadOnly) at mt.Dst under root, idmapped through the user
// namespace of mt.UsernsPid when there is one.
func mountInto(root string, mt initMount) error {
	dst := filepath.Join(root, mt.Dst)
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	tree, err := unix.OpenTree(unix.AT_FDCWD, mt.Src, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
	if err != nil {
		return fmt.Errorf("open_tree %s: %w", mt.Src, err)
	}
	defer unix.Close(tree)
	attr := &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV}
	if mt.ReadOnly {
		attr.Attr_set |= unix.MOUNT_ATTR_RDONLY
	}
	if mt.UsernsPid != 0 {
		ns, err := unix.Open("/proc/"+strconv.Itoa(mt.UsernsPid)+"/ns/user", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("user namespace of %s: %w", mt.Dst, err)
		}
		defer unix.Close(ns)
		attr.Attr_set |= unix.MOUNT_ATTR_IDMAP
		attr.Userns_fd = uint64(ns)
	}
	if err := unix.MountSetattr(tree, "", unix.AT_EMPTY_PATH, attr); err != nil {
		return fmt.Errorf("idmap %s: %w", mt.Dst, err)
	}
	if err := unix.MoveMount(tree, "", unix.AT_FDCWD, dst, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return fmt.Errorf("mount %s: %w", mt.Dst, err)
	}
	return nil
}
