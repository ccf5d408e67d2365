package sqlstore

import (
	"context"
	"strconv"
	"strings"
)

// Dialect is what differs between the backends in the SQL they run, in one place: placeholders,
// row locks, which statements exist (see stmt's only), and how driver errors map to store kinds.
// The schema's own differences (column types) are schema.Render's.
type Dialect struct {
	Postgres bool                             // $n placeholders and FOR UPDATE SKIP LOCKED
	Fault    func(op string, err error) error // maps driver errors to store kinds
	// Listen, on a backend shared by several nodes, receives the notifications sent on channels
	// and calls deliver with each until ctx ends or the connection fails (Notifier.Listen).
	// Listen calls ready once it listens on every channel, then deliver for each notification.
	Listen func(ctx context.Context, channels []string, ready func(), deliver func(channel, payload string)) error
}

// skipLocked is what a PostgreSQL receive appends so that concurrent receivers pass each other's
// rows by; SQLite's single writer serialises them instead.
const skipLocked = " FOR UPDATE SKIP LOCKED"

// SQL rewrites a statement written for SQLite to the dialect. For PostgreSQL, ? placeholders
// become $n (a +? too: the plus is for SQLite's planner, see candidates) and {{lock}} becomes FOR
// UPDATE SKIP LOCKED; for SQLite {{lock}} goes.
func (d Dialect) SQL(query string) string {
	if !d.Postgres {
		return strings.ReplaceAll(query, "{{lock}}", "")
	}
	query = strings.ReplaceAll(query, "{{lock}}", skipLocked)
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '+' && i+1 < len(query) && query[i+1] == '?' {
			continue // +? is for SQLite's planner (see candidates); a PostgreSQL parameter needs no plus
		}
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}
