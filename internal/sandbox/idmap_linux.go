package sandbox

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
	holders map[string]*exec.Cmd // by idKey
	pipes   []*os.File           // the holders' stdin; closing one ends its holder
}

func newIdmaps() *idmaps { return &idmaps{holders: map[string]*exec.Cmd{}} }

// idKey names a POSIX user's namespace: uid, gid and secondary gids in order.
func idKey(uid, gid uint32, secondary []uint32) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d:%d", uid, gid)
	for _, g := range secondary {
		fmt.Fprintf(&b, ",%d", g)
	}
	return b.String()
}

// secondaryGIDs are the host gids a user's secondary gids stand for: the i-th (past the primary
// gid and repeats, which need none) is SecondaryGIDBase+i, the supplementary group the program
// holds for it. n is how many supplementary groups the program needs.
func secondaryGIDs(gid uint32, secondary []uint32) (ids map[uint32]int, n int) {
	ids = map[uint32]int{}
	for i, g := range secondary {
		if _, dup := ids[g]; g != gid && !dup {
			ids[g] = SecondaryGIDBase + i
		}
		n = i + 1
	}
	return ids, n
}

// Everyone else's ids on a mount: ids below fillerSize that are not the user's own are mapped
// to fillerBase+id, host ids nothing on the host and no sandbox has. Such a file is then
// another user's (or group's) to the program, with the permissions that gives (a file of a
// secondary group's, made by another access point's user, is writable to the group); an
// unmapped one could not be written at all, whatever its permissions.
const (
	fillerBase = 0x7e000000
	fillerSize = 1 << 24
)

// idMaps maps own ids (on-disk id → the sandboxes' id) and fills the ids between them.
func idMaps(own map[uint32]int) []syscall.SysProcIDMap {
	keys := make([]uint32, 0, len(own))
	for k := range own {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var maps []syscall.SysProcIDMap
	next := uint32(0)
	for _, k := range keys {
		if k > next && next < fillerSize {
			end := min(k, fillerSize)
			maps = append(maps, syscall.SysProcIDMap{ContainerID: int(next), HostID: fillerBase + int(next), Size: int(end - next)})
		}
		maps = append(maps, syscall.SysProcIDMap{ContainerID: int(k), HostID: own[k], Size: 1})
		next = k + 1
	}
	if next < fillerSize {
		maps = append(maps, syscall.SysProcIDMap{ContainerID: int(next), HostID: fillerBase + int(next), Size: int(fillerSize - next)})
	}
	return maps
}

// holder returns the pid of the process holding the namespace in which the sandboxes' uid and
// gid (sandboxUID, sandboxGID) are uid and gid, and each supplementary group SecondaryGIDBase+i
// is secondary[i]: an idmapped mount through it stores a file the program creates as uid:gid,
// shows uid:gid's files as the program's own, and a secondary gid's as its group's.
func (ids *idmaps) holder(uid, gid uint32, secondary []uint32, sandboxUID, sandboxGID int) (int, error) {
	ids.mu.Lock()
	defer ids.mu.Unlock()
	key := idKey(uid, gid, secondary)
	if c, ok := ids.holders[key]; ok && c.ProcessState == nil {
		return c.Process.Pid, nil
	}
	gids, _ := secondaryGIDs(gid, secondary)
	gids[gid] = sandboxGID
	stdin, w, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	c := &exec.Cmd{
		Path: "/proc/self/exe", Args: []string{holdArg}, Env: []string{}, Stdin: stdin,
		SysProcAttr: &syscall.SysProcAttr{
			Cloneflags:  syscall.CLONE_NEWUSER,
			UidMappings: idMaps(map[uint32]int{uid: sandboxUID}),
			GidMappings: idMaps(gids),
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

// mounts turns a spec's mounts into the init step's, starting the namespaces they need, and
// returns the supplementary groups the program needs for their secondary gids.
func (m *Manager) mounts(spec Spec) ([]initMount, []int, error) {
	var out []initMount
	var groups []int
	for _, mt := range spec.Mounts {
		if !filepath.IsAbs(mt.Path) || !strings.HasPrefix(filepath.Clean(mt.Path), "/mnt/") {
			return nil, nil, fmt.Errorf("sandbox: mount path %q is not under /mnt", mt.Path)
		}
		im := initMount{Src: mt.Host, Dst: filepath.Clean(mt.Path), ReadOnly: mt.ReadOnly}
		if mt.AsUser {
			pid, err := m.ids.holder(mt.UID, mt.GID, mt.SecondaryGIDs, m.cfg.UID, m.cfg.GID)
			if err != nil {
				return nil, nil, err
			}
			im.UsernsPid = pid
			if _, n := secondaryGIDs(mt.GID, mt.SecondaryGIDs); n > len(groups) {
				for i := len(groups); i < n; i++ {
					groups = append(groups, SecondaryGIDBase+i)
				}
			}
		}
		out = append(out, im)
	}
	return out, groups, nil
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
