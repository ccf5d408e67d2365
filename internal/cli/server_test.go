package cli_test

import (
	"strings"
	"testing"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestSQLiteWALVFSFlag checks that --sqlite-wal-vfs=false and GUREUM_SQLITE_WAL_VFS=false keep the
// embedded store's writer on SQLite's default VFS (the store logs it), and that the WAL VFS is
// the default.
func TestSQLiteWALVFSFlag(t *testing.T) {
	for _, c := range []struct {
		name string
		opt  gureumtest.Options
		off  bool
	}{
		{"default", gureumtest.Options{}, false},
		{"flag", gureumtest.Options{Args: []string{"--sqlite-wal-vfs=false"}}, true},
		{"environment", gureumtest.Options{Env: map[string]string{"GUREUM_SQLITE_WAL_VFS": "false"}}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := gureumtest.Start(t, c.opt)
			logs := s.Logs.String()
			if off := strings.Contains(logs, "WAL VFS is turned off"); off != c.off {
				t.Errorf("WAL VFS turned off = %v; want %v; logs:\n%s", off, c.off, logs)
			}
		})
	}
}
