package lambda

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// The runtime clients gureum ships: our own code, run by the host's interpreters.
//
//go:embed runtime/python/*.py runtime/node/*.mjs
var clients embed.FS

type runtimeKind int

const (
	kindProvided runtimeKind = iota + 1
	kindPython
	kindNode
)

// served are the runtimes gureum runs.
var served = map[string]runtimeKind{
	"provided": kindProvided, "provided.al2": kindProvided, "provided.al2023": kindProvided,
	"python3.9": kindPython, "python3.10": kindPython, "python3.11": kindPython, "python3.12": kindPython, "python3.13": kindPython, "python3.14": kindPython,
	"nodejs18.x": kindNode, "nodejs20.x": kindNode, "nodejs22.x": kindNode, "nodejs24.x": kindNode,
}

// deprecated are runtimes Lambda no longer accepts for new or updated functions.
var deprecated = map[string]bool{
	"nodejs": true, "nodejs4.3": true, "nodejs6.10": true, "nodejs8.10": true, "nodejs10.x": true, "nodejs12.x": true,
	"nodejs14.x": true, "nodejs16.x": true, "nodejs4.3-edge": true, "java8": true, "python2.7": true, "python3.6": true,
	"python3.7": true, "python3.8": true, "dotnetcore1.0": true, "dotnetcore2.0": true, "dotnetcore2.1": true,
	"dotnetcore3.1": true, "dotnet6": true, "go1.x": true, "ruby2.5": true, "ruby2.7": true,
}

// otherRuntimes exist on Lambda but not in gureum.
var otherRuntimes = map[string]bool{
	"java8.al2": true, "java11": true, "java17": true, "java21": true, "java25": true, "dotnet8": true, "dotnet10": true,
	"ruby3.2": true, "ruby3.3": true, "ruby3.4": true, "ruby4.0": true,
}

func isProvided(rt string) bool { return served[rt] == kindProvided }

// interpreter is a host interpreter found for a family of runtimes.
type interpreter struct {
	exe   string   // absolute, symlinks resolved
	binds []string // host directories the sandbox must see for it to run
	err   error
}

// runtimes finds the host's interpreters once and unpacks the runtime clients.
type runtimes struct {
	dir    string
	once   sync.Once
	python interpreter
	node   interpreter
	err    error
}

func newRuntimes(dataDir string) *runtimes {
	return &runtimes{dir: filepath.Join(dataDir, "runtime")}
}

func (r *runtimes) load() {
	r.once.Do(func() {
		r.python = findPython()
		r.node = findNode()
		r.err = r.unpack()
	})
}

// unpack writes the embedded clients to dir/python and dir/node (shown at /var/runtime).
func (r *runtimes) unpack() error {
	return fs.WalkDir(clients, "runtime", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := clients.ReadFile(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(r.dir, strings.TrimPrefix(p, "runtime/"))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
}

func findPython() interpreter {
	out, err := exec.Command("python3", "-c", "import os,sys;print(os.path.realpath(sys.executable));print(sys.prefix);print(sys.base_prefix)").Output()
	if err != nil {
		return interpreter{err: fmt.Errorf("no python3 on this gureum host's PATH: %v", err)}
	}
	lines := strings.Fields(string(out))
	if len(lines) < 3 {
		return interpreter{err: fmt.Errorf("python3 on this host did not describe itself")}
	}
	return interpreter{exe: lines[0], binds: outsideUsr(filepath.Dir(lines[0]), lines[1], lines[2])}
}

func findNode() interpreter {
	p, err := exec.LookPath("node")
	if err != nil {
		return interpreter{err: fmt.Errorf("no node on this gureum host's PATH")}
	}
	exe, err := filepath.EvalSymlinks(p)
	if err != nil {
		return interpreter{err: err}
	}
	return interpreter{exe: exe, binds: outsideUsr(filepath.Dir(exe))}
}

// outsideUsr keeps the directories a sandbox does not already see through /usr.
func outsideUsr(dirs ...string) []string {
	var out []string
	for _, d := range dirs {
		if d != "" && !strings.HasPrefix(d, "/usr/") && !strings.HasPrefix(d, "/bin") && !contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// check validates a runtime for CreateFunction and UpdateFunctionConfiguration.
func (r *runtimes) check(rt string) error {
	switch {
	case rt == "":
		return invalid("Runtime is required for a .zip file package.")
	case deprecated[rt]:
		return invalid("The runtime parameter of %s is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.", rt)
	case otherRuntimes[rt]:
		return invalid("The runtime %s is not supported by gureum. Supported runtimes: provided.al2023, provided.al2, python3.9-python3.14, nodejs18.x-nodejs24.x.", rt)
	}
	kind, ok := served[rt]
	if !ok {
		return invalid("Value %s at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [%s]", rt, strings.Join(runtimeNames(), ", "))
	}
	r.load()
	if r.err != nil {
		return fmt.Errorf("runtime clients: %w", r.err)
	}
	switch {
	case kind == kindPython && r.python.err != nil:
		return invalid("The runtime %s cannot run on this gureum host: %v", rt, r.python.err)
	case kind == kindNode && r.node.err != nil:
		return invalid("The runtime %s cannot run on this gureum host: %v", rt, r.node.err)
	}
	return nil
}

func runtimeNames() []string {
	var out []string
	for n := range served {
		out = append(out, n)
	}
	for n := range deprecated {
		out = append(out, n)
	}
	for n := range otherRuntimes {
		out = append(out, n)
	}
	return out
}

// Binds are the host directories every sandbox needs for the interpreters found.
func (r *runtimes) Binds() []string {
	r.load()
	return append(append([]string{}, r.python.binds...), r.node.binds...)
}
