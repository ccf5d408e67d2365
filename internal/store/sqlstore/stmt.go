package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// stmt is one statement of a domain store, a typed field of its domain's statement set: its SQL
// (written for SQLite, rewritten by Dialect.SQL), the side it is prepared on (the writer's, where
// write transactions run, or the read pool) and the backends it exists on. It is prepared once
// when the store is built, so no request pays for parsing SQL, and a domain's methods use the
// fields: nothing is looked up by name on a request's path.
type stmt struct {
	name  string // for errors and the plan tests (Statement)
	query string
	write bool
	only  backend
	lock  bool // PostgreSQL: FOR UPDATE SKIP LOCKED appended
	ps    *sql.Stmt
}

// backend restricts a statement to one backend.
type backend int

const (
	anyBackend backend = iota
	sqliteOnly         // SQLite's single writer serialises what PostgreSQL needs a statement for, or vice versa
	postgresOnly
)

// in binds a write statement to the transaction it runs in.
func (s *stmt) in(ctx context.Context, tx Tx) *sql.Stmt { return tx.StmtContext(ctx, s.ps) }

// statements collects a domain's statements as it declares them, to prepare and close them
// together and to find their text by name for tests.
type statements struct {
	all []*stmt
}

// w declares a write statement (run inside the writer's transactions).
func (ss *statements) w(name, query string) *stmt {
	s := &stmt{name: name, query: query, write: true}
	ss.all = append(ss.all, s)
	return s
}

// r declares a read statement (run on the read pool).
func (ss *statements) r(name, query string) *stmt {
	s := &stmt{name: name, query: query}
	ss.all = append(ss.all, s)
	return s
}

// find returns the statement named name, or nil.
func (ss *statements) find(name string) *stmt {
	for _, s := range ss.all {
		if s.name == name {
			return s
		}
	}
	return nil
}

// base is what every domain store shares: the durable writer, the dialect, where statements are
// prepared, and the domain's name for the operations its errors report.
type base struct {
	w       Writer
	d       Dialect
	writeDB Preparer
	readDB  Preparer
	domain  string
	stmts   statements
}

// of returns a copy of b for another domain, with no statements of its own yet.
func (b base) of(domain string) base {
	b.domain, b.stmts = domain, statements{}
	return b
}

// prepare prepares the domain's statements that exist on this backend, each on its side.
func (b *base) prepare(ctx context.Context) error {
	for _, s := range b.stmts.all {
		if s.only == sqliteOnly && b.d.Postgres || s.only == postgresOnly && !b.d.Postgres {
			continue
		}
		db, query := b.readDB, b.d.SQL(s.query)
		if s.write {
			db = b.writeDB
		}
		if s.lock && b.d.Postgres {
			query += skipLocked
		}
		ps, err := db.PrepareContext(ctx, query)
		if err != nil {
			b.close()
			return fmt.Errorf("%s: prepare %s: %w", b.domain, s.name, err)
		}
		s.ps = ps
	}
	return nil
}

// close releases the prepared statements.
func (b *base) close() error {
	var errs []error
	for _, s := range b.stmts.all {
		if s.ps != nil {
			errs = append(errs, s.ps.Close())
			s.ps = nil
		}
	}
	return errors.Join(errs...)
}

// fault maps a driver error to a store kind, naming the domain's operation.
func (b *base) fault(op string, err error) error {
	if err == nil {
		return nil
	}
	return b.d.Fault(b.domain+"."+op, err)
}
