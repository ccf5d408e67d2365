package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const cgroupRoot = "/sys/fs/cgroup"

// cgroups creates one cgroup per sandbox under a parent, on cgroup v2 (one unified hierarchy)
// or v1 (the memory, cpu and pids hierarchies).
type cgroups struct {
	v2     bool
	parent string // the parent's name under each hierarchy
}

var v1Controllers = []string{"memory", "cpu", "pids"}

func newCgroups(parent string) (*cgroups, error) {
	c := &cgroups{parent: parent}
	if _, err := os.Stat(filepath.Join(cgroupRoot, "cgroup.controllers")); err == nil {
		c.v2 = true
		dir := filepath.Join(cgroupRoot, parent)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		// Controllers must be enabled on the way down to the sandboxes' cgroups.
		if err := os.WriteFile(filepath.Join(cgroupRoot, "cgroup.subtree_control"), []byte("+memory +cpu +pids"), 0); err != nil {
			return nil, fmt.Errorf("cgroup v2: enable controllers: %w", err)
		}
		if err := os.WriteFile(filepath.Join(dir, "cgroup.subtree_control"), []byte("+memory +cpu +pids"), 0); err != nil {
			return nil, fmt.Errorf("cgroup v2: enable controllers: %w", err)
		}
		return c, nil
	}
	for _, ctrl := range v1Controllers {
		if _, err := os.Stat(filepath.Join(cgroupRoot, ctrl, "cgroup.procs")); err != nil {
			return nil, fmt.Errorf("cgroup v1 %s controller not mounted: %w", ctrl, err)
		}
		if err := os.MkdirAll(filepath.Join(cgroupRoot, ctrl, parent), 0o755); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *cgroups) version() string {
	if c.v2 {
		return "v2"
	}
	return "v1"
}

// cgroup is one sandbox's cgroup: a directory per hierarchy.
type cgroup struct {
	dirs []string
	v2   bool
}

// create makes the sandbox's cgroup with its limits.
func (c *cgroups) create(id string, memoryMB, pids int, strictCPU bool) (*cgroup, error) {
	g := &cgroup{v2: c.v2}
	if c.v2 {
		g.dirs = []string{filepath.Join(cgroupRoot, c.parent, id)}
	} else {
		for _, ctrl := range v1Controllers {
			g.dirs = append(g.dirs, filepath.Join(cgroupRoot, ctrl, c.parent, id))
		}
	}
	for _, d := range g.dirs {
		if err := os.Mkdir(d, 0o755); err != nil {
			g.remove()
			return nil, err
		}
	}
	if err := g.limit(memoryMB, pids, strictCPU); err != nil {
		g.remove()
		return nil, err
	}
	return g, nil
}

// limit writes the memory, CPU and pids limits. CPU weight is proportional to memory (1,769 MB
// = one vCPU = the default weight); with strictCPU a CFS quota caps it at that share.
func (g *cgroup) limit(memoryMB, pids int, strictCPU bool) error {
	mem := strconv.FormatInt(int64(memoryMB)<<20, 10)
	quota := max(1000, memoryMB*100000/1769)
	var files [][2]string
	if g.v2 {
		d := g.dirs[0]
		files = [][2]string{
			{filepath.Join(d, "memory.max"), mem},
			{filepath.Join(d, "memory.swap.max"), "0"},
			{filepath.Join(d, "pids.max"), strconv.Itoa(pids)},
			{filepath.Join(d, "cpu.weight"), strconv.Itoa(max(1, min(10000, memoryMB*100/1769)))},
		}
		if strictCPU {
			files = append(files, [2]string{filepath.Join(d, "cpu.max"), strconv.Itoa(quota) + " 100000"})
		}
	} else {
		files = [][2]string{
			{filepath.Join(g.dirs[0], "memory.limit_in_bytes"), mem},
			{filepath.Join(g.dirs[2], "pids.max"), strconv.Itoa(pids)},
			{filepath.Join(g.dirs[1], "cpu.shares"), strconv.Itoa(max(2, memoryMB*1024/1769))},
		}
		if strictCPU {
			files = append(files, [2]string{filepath.Join(g.dirs[1], "cpu.cfs_quota_us"), strconv.Itoa(quota)})
		}
	}
	for _, f := range files {
		if err := os.WriteFile(f[0], []byte(f[1]), 0); err != nil {
			if os.IsNotExist(err) && filepath.Base(f[0]) == "memory.swap.max" {
				continue // no swap accounting
			}
			return fmt.Errorf("cgroup: %w", err)
		}
	}
	if !g.v2 {
		// No swap either, where the kernel accounts it.
		os.WriteFile(filepath.Join(g.dirs[0], "memory.memsw.limit_in_bytes"), []byte(mem), 0)
	}
	return nil
}

// join moves a process into the cgroup (v1; on v2 the process is cloned into it).
func (g *cgroup) join(pid int) error {
	for _, d := range g.dirs {
		if err := os.WriteFile(filepath.Join(d, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0); err != nil {
			return fmt.Errorf("cgroup join: %w", err)
		}
	}
	return nil
}

// oomKilled reports whether the kernel's OOM killer acted in the cgroup.
func (g *cgroup) oomKilled() bool {
	name := "memory.oom_control"
	if g.v2 {
		name = "memory.events"
	}
	b, err := os.ReadFile(filepath.Join(g.dirs[0], name))
	if err != nil {
		return false
	}
	return oomCount(string(b)) > 0
}

func oomCount(s string) int {
	for _, line := range strings.Split(s, "\n") {
		if v, ok := strings.CutPrefix(line, "oom_kill "); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

// remove deletes the cgroup, waiting briefly for the kernel to let go of exited tasks.
func (g *cgroup) remove() error {
	var errs []error
	for _, d := range g.dirs {
		var err error
		for i := 0; i < 200; i++ {
			err = syscall.Rmdir(d)
			if err == nil || errors.Is(err, syscall.ENOENT) {
				err = nil
				break
			}
			if !errors.Is(err, syscall.EBUSY) {
				break
			}
			time.Sleep(time.Millisecond)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("cgroup remove %s: %w", d, err))
		}
	}
	return errors.Join(errs...)
}
