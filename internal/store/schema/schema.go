// Package schema holds gureum's relational schema: one numbered migration list shared by the SQLite
// and PostgreSQL backends. Where the two dialects differ the SQL uses a placeholder that Render
// fills in ({{blob}}, {{bigint}}, {{id}} for an increasing integer key).
package schema

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed *.sql
var files embed.FS

// Migration is one numbered schema step.
type Migration struct {
	Version int
	Name    string
	SQL     string // with placeholders
}

// Dialect names a backend's SQL flavour.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

var placeholders = map[Dialect]*strings.Replacer{
	SQLite:   strings.NewReplacer("{{blob}}", "BLOB", "{{bigint}}", "INTEGER", "{{id}}", "INTEGER PRIMARY KEY AUTOINCREMENT"),
	Postgres: strings.NewReplacer("{{blob}}", "BYTEA", "{{bigint}}", "BIGINT", "{{id}}", "BIGSERIAL PRIMARY KEY"),
}

// Render returns the migration's SQL for a dialect.
func (m Migration) Render(d Dialect) string { return placeholders[d].Replace(m.SQL) }

// Migrations lists every migration in order. Files are named NNNN_name.sql.
func Migrations() ([]Migration, error) {
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]Migration, 0, len(names))
	for _, n := range names {
		num, name, ok := strings.Cut(strings.TrimSuffix(n, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("schema: migration file %q is not named NNNN_name.sql", n)
		}
		b, err := files.ReadFile(n)
		if err != nil {
			return nil, err
		}
		if len(out) > 0 && out[len(out)-1].Version >= v {
			return nil, fmt.Errorf("schema: migration %d is out of order", v)
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(b)})
	}
	return out, nil
}
