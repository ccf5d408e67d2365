package sqlstore

import (
	"strings"
	"testing"
)

// TestPostgresPlaceholders checks the rewrite of SQLite's placeholders for PostgreSQL, the +? that
// keeps SQLite's planner from reading a bound value included.
func TestPostgresPlaceholders(t *testing.T) {
	pg, lite := Dialect{Postgres: true}, Dialect{}
	for _, c := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"WHERE a = ? AND b = ?", "WHERE a = $1 AND b = $2"},
		{"WHERE queue_id = +? AND v <= ? LIMIT 10", "WHERE queue_id = $1 AND v <= $2 LIMIT 10"},
		{"SET e = sent_at + ?::bigint, f = +?", "SET e = sent_at + $1::bigint, f = $2"},
		{"x = a+b", "x = a+b"},
		{"SELECT seq FROM m LIMIT ?{{lock}}", "SELECT seq FROM m LIMIT $1 FOR UPDATE SKIP LOCKED"},
	} {
		if got := pg.SQL(c.in); got != c.want {
			t.Errorf("SQL(%q) = %q; want %q", c.in, got, c.want)
		}
		if got := lite.SQL(c.in); got != strings.ReplaceAll(c.in, "{{lock}}", "") {
			t.Errorf("SQLite SQL(%q) = %q; want it unchanged", c.in, got)
		}
	}
}
