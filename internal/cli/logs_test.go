package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLogsBinary checks that `gureum logs` finds gureum-logs beside gureum, and without it says
// how to build it.
func TestLogsBinary(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "gureum")
	if _, err := toolBinary(exe, "gureum-logs"); err == nil || !strings.Contains(err.Error(), "make build") || !strings.Contains(err.Error(), "./cmd/gureum-logs") {
		t.Errorf("toolBinary(%q) without gureum-logs = %v; want an error that says how to build it", exe, err)
	}
	want := filepath.Join(dir, "gureum-logs")
	if err := os.WriteFile(want, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := toolBinary(exe, "gureum-logs"); got != want || err != nil {
		t.Errorf("toolBinary(%q) = %q, %v; want %q", exe, got, err, want)
	}
}
