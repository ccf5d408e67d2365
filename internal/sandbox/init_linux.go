package sandbox

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"

	seccomp "github.com/elastic/go-seccomp-bpf"
	"github.com/elastic/go-seccomp-bpf/arch"
	"golang.org/x/sys/unix"
)

// initArg is argv[0] of the re-executed binary that builds a sandbox from the inside.
const initArg = "gureum-sandbox-init"

// Init builds a sandbox and executes its program when the current process is a sandbox's init
// step; otherwise it returns at once. Every binary that starts sandboxes (gureum's main, and
// the TestMain of tests that do) calls it first thing.
func Init() {
	if len(os.Args) == 1 && os.Args[0] == holdArg {
		hold()
	}
	if len(os.Args) == 0 || os.Args[0] != initArg {
		return
	}
	runtime.LockOSThread() // no_new_privs, the bounding set and seccomp are per thread
	errw := os.NewFile(4, "init-error")
	unix.CloseOnExec(4)
	err := runInit()
	fmt.Fprint(errw, err.Error())
	os.Exit(127)
}

func runInit() error {
	var spec initSpec
	f := os.NewFile(3, "init-spec")
	if err := json.NewDecoder(f).Decode(&spec); err != nil {
		return fmt.Errorf("read spec: %w", err)
	}
	f.Close()
	if err := buildRoot(spec); err != nil {
		return err
	}
	if err := unix.Sethostname([]byte("sandbox")); err != nil {
		return fmt.Errorf("sethostname: %w", err)
	}
	if err := dropPrivileges(spec.UID, spec.GID, spec.Groups); err != nil {
		return err
	}
	if err := os.Chdir("/var/task"); err != nil {
		os.Chdir("/")
	}
	path, err := lookPath(spec.Argv[0], spec.Env)
	if err != nil {
		return err
	}
	if err := loadSeccomp(); err != nil {
		return err
	}
	err = syscall.Exec(path, spec.Argv, spec.Env)
	return fmt.Errorf("exec %s: %w", spec.Argv[0], err)
}

// buildRoot assembles the sandbox's root on a tmpfs and pivots into it.
func buildRoot(spec initSpec) error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make / private: %w", err)
	}
	root := spec.Root
	if err := unix.Mount("tmpfs", root, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "size=1m,mode=755"); err != nil {
		return fmt.Errorf("root tmpfs: %w", err)
	}
	for _, b := range spec.Binds {
		if err := bindInto(root, b); err != nil {
			return err
		}
	}
	if err := mountSpecial(root, spec.TmpMB); err != nil {
		return err
	}
	for _, mt := range spec.Mounts {
		if err := mountInto(root, mt); err != nil {
			return err
		}
	}
	if err := unix.Chdir(root); err != nil {
		return err
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot_root: %w", err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("detach old root: %w", err)
	}
	if err := unix.Chdir("/"); err != nil {
		return err
	}
	if err := unix.Mount("", "/", "", unix.MS_REMOUNT|unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV, ""); err != nil {
		return fmt.Errorf("read-only root: %w", err)
	}
	return nil
}

// bindInto shows host path b.Src read-only at b.Dst under root; a symbolic link is copied as a
// link, a missing source is skipped.
func bindInto(root string, b bind) error {
	fi, err := os.Lstat(b.Src)
	if err != nil {
		return nil
	}
	dst := filepath.Join(root, b.Dst)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		target, err := os.Readlink(b.Src)
		if err != nil {
			return err
		}
		return os.Symlink(target, dst)
	}
	if fi.IsDir() {
		err = os.Mkdir(dst, 0o755)
	} else {
		err = os.WriteFile(dst, nil, 0o644)
	}
	if err != nil && !os.IsExist(err) {
		return err
	}
	if err := unix.Mount(b.Src, dst, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("bind %s: %w", b.Src, err)
	}
	flags := uintptr(unix.MS_BIND | unix.MS_REMOUNT | unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV)
	if err := unix.Mount("", dst, "", flags, ""); err != nil {
		return fmt.Errorf("read-only %s: %w", b.Dst, err)
	}
	return nil
}

// mountSpecial adds /proc (of the sandbox's pid namespace), a minimal /dev and the /tmp tmpfs.
func mountSpecial(root string, tmpMB int) error {
	for _, d := range []string{"proc", "dev", "tmp", "var/task", "opt"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			return err
		}
	}
	if err := unix.Mount("proc", filepath.Join(root, "proc"), "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return fmt.Errorf("proc: %w", err)
	}
	if tmpMB <= 0 {
		tmpMB = 512
	}
	if err := unix.Mount("tmpfs", filepath.Join(root, "tmp"), "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=1777,size="+strconv.Itoa(tmpMB)+"m"); err != nil {
		return fmt.Errorf("tmp: %w", err)
	}
	dev := filepath.Join(root, "dev")
	if err := unix.Mount("tmpfs", dev, "tmpfs", unix.MS_NOSUID|unix.MS_NOEXEC, "size=64k,mode=755"); err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	for _, n := range []string{"null", "zero", "full", "random", "urandom", "tty"} {
		if err := bindInto(root, bind{"/dev/" + n, "/dev/" + n}); err != nil {
			return err
		}
		// Device nodes must stay writable: undo the read-only remount bindInto applied.
		unix.Mount("", filepath.Join(dev, n), "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_NOSUID|unix.MS_NOEXEC, "")
	}
	for name, target := range map[string]string{"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2"} {
		if err := os.Symlink(target, filepath.Join(dev, name)); err != nil {
			return err
		}
	}
	return nil
}

// dropPrivileges empties the capability bounding set, switches to the unprivileged user with only
// the given supplementary groups (which clears the effective and permitted sets), clears the
// inheritable set and sets no_new_privs.
func dropPrivileges(uid, gid int, groups []int) error {
	for c := 0; c <= unix.CAP_LAST_CAP; c++ {
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0); err != nil && err != unix.EINVAL {
			return fmt.Errorf("drop capability %d: %w", c, err)
		}
	}
	if err := syscall.Setgroups(groups); err != nil {
		return fmt.Errorf("setgroups: %w", err)
	}
	if err := syscall.Setresgid(gid, gid, gid); err != nil {
		return fmt.Errorf("setgid: %w", err)
	}
	if err := syscall.Setresuid(uid, uid, uid); err != nil {
		return fmt.Errorf("setuid: %w", err)
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capset: %w", err)
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("no_new_privs: %w", err)
	}
	return nil
}

// deniedSyscalls fail with EPERM inside a sandbox: the calls that change the system or escape
// the namespaces (most already need capabilities the sandbox no longer has; the filter is the
// second wall).
var deniedSyscalls = []string{
	"acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "create_module", "delete_module",
	"finit_module", "fsconfig", "fsmount", "fsopen", "fspick", "get_kernel_syms", "init_module",
	"ioperm", "iopl", "kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie", "mount",
	"move_mount", "name_to_handle_at", "nfsservctl", "open_by_handle_at", "open_tree",
	"perf_event_open", "pivot_root", "process_vm_writev", "ptrace", "query_module", "quotactl",
	"reboot", "request_key", "setns", "settimeofday", "swapoff", "swapon", "syslog", "umount2",
	"unshare", "uselib", "userfaultfd", "vhangup",
}

func loadSeccomp() error {
	info, err := arch.GetInfo("")
	if err != nil {
		return fmt.Errorf("seccomp: %w", err)
	}
	var names []string
	for _, n := range deniedSyscalls {
		if _, ok := info.SyscallNames[n]; ok {
			names = append(names, n)
		}
	}
	f := seccomp.Filter{
		NoNewPrivs: true,
		Policy: seccomp.Policy{
			DefaultAction: seccomp.ActionAllow,
			Syscalls:      []seccomp.SyscallGroup{{Action: seccomp.ActionErrno, Names: names}},
		},
	}
	if err := seccomp.LoadFilter(f); err != nil {
		return fmt.Errorf("seccomp: %w", err)
	}
	return nil
}

// lookPath finds the program in the sandbox's PATH when its name has no slash.
func lookPath(name string, env []string) (string, error) {
	if filepath.IsAbs(name) || filepath.Base(name) != name {
		return name, nil
	}
	path := "/usr/local/bin:/usr/bin:/bin"
	for _, kv := range env {
		if v, ok := cutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: not found in PATH", name)
}
