package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestProcs(t *testing.T) {
	for _, c := range []struct {
		flag    int
		envSet  bool
		started int
		want    int
	}{
		{0, false, 2, 1},  // all cores but one
		{0, false, 8, 7},  //
		{0, false, 1, 1},  // at least one
		{0, true, 2, 0},   // GOMAXPROCS in the environment chose: leave it
		{3, true, 2, 3},   // the flag wins over the environment
		{4, false, 16, 4}, //
	} {
		if got := procs(c.flag, c.envSet, c.started); got != c.want {
			t.Errorf("procs(%d, %v, %d) = %d; want %d", c.flag, c.envSet, c.started, got, c.want)
		}
	}
}

// TestBenchBinary checks that `gureum bench` finds gureum-bench beside gureum, and without it says
// how to build it.
func TestBenchBinary(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "gureum")
	if _, err := benchBinary(exe); err == nil || !strings.Contains(err.Error(), "make build") || !strings.Contains(err.Error(), "./cmd/gureum-bench") {
		t.Errorf("benchBinary(%q) without gureum-bench = %v; want an error that says how to build it", exe, err)
	}
	want := filepath.Join(dir, "gureum-bench")
	if err := os.WriteFile(want, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := benchBinary(exe); got != want || err != nil {
		t.Errorf("benchBinary(%q) = %q, %v; want %q", exe, got, err, want)
	}
}

func TestLimitFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  map[string]string
	}{
		{[]string{"server", "--max-connections", "0"}, nil},
		{[]string{"server"}, map[string]string{"GUREUM_MAX_BODY_INFLIGHT": "-1"}},
		{[]string{"server"}, map[string]string{"GUREUM_MAX_CONNECTIONS": "many"}},
	} {
		getenv := func(k string) string { return c.env[k] }
		err := Run(context.Background(), c.args, getenv, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "max-") && !strings.Contains(err.Error(), "MAX_") {
			t.Errorf("Run(%q, env %v) = %v; want an error naming the limit", c.args, c.env, err)
		}
	}
}

func TestCheckEFSRoot(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o600)
	for _, tt := range []struct {
		root, want string
		ok         bool
	}{
		{"", "", true},
		{dir, dir, true},
		{filepath.Join(dir, "missing"), "", false},
		{file, "", false},
	} {
		got, err := checkEFSRoot(tt.root)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("checkEFSRoot(%q) = %q, %v; want %q, ok %v", tt.root, got, err, tt.want, tt.ok)
		}
	}
}
