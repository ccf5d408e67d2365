package sqlstore

import "testing"

// TestPostgresPlaceholders checks the rewrite of SQLite's placeholders for PostgreSQL, the +? that
// keeps SQLite's planner from reading a bound value included.
func TestPostgresPlaceholders(t *testing.T) {
	pg, lite := &Store{d: Dialect{Postgres: true}}, &Store{}
	for _, c := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"WHERE a = ? AND b = ?", "WHERE a = $1 AND b = $2"},
		{"WHERE queue_id = +? AND v <= ? LIMIT 10", "WHERE queue_id = $1 AND v <= $2 LIMIT 10"},
		{"SET e = sent_at + ?::bigint, f = +?", "SET e = sent_at + $1::bigint, f = $2"},
		{"x = a+b", "x = a+b"},
	} {
		if got := pg.q(c.in); got != c.want {
			t.Errorf("q(%q) = %q; want %q", c.in, got, c.want)
		}
		if got := lite.q(c.in); got != c.in {
			t.Errorf("SQLite q(%q) = %q; want it unchanged", c.in, got)
		}
	}
}
