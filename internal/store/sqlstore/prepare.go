package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// statements prepares a domain's typed statements, rewritten for the dialect: each call of
// prepare returns one, and the first failure is kept for err. A domain type holds its statements
// as named fields rather than in a map looked up by string.
type statements struct {
	ctx  context.Context
	d    Dialect
	err  error
	made []*sql.Stmt
}

// prepare prepares query on db: ? placeholders become $n on PostgreSQL, and {{lock}} becomes
// FOR UPDATE SKIP LOCKED there (SQLite's single writer needs no row locks).
func (p *statements) prepare(db Preparer, query string) *sql.Stmt {
	if p.err != nil {
		return nil
	}
	lock := ""
	if p.d.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	st, err := db.PrepareContext(p.ctx, rewrite(p.d, strings.ReplaceAll(query, "{{lock}}", lock)))
	if err != nil {
		p.err = fmt.Errorf("prepare %q: %w", query, err)
		return nil
	}
	p.made = append(p.made, st)
	return st
}

// close releases every statement prepared.
func (p *statements) close() {
	for _, st := range p.made {
		st.Close()
	}
}
