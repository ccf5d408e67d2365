package sqlstore

import (
	"context"

	"github.com/gureum/gureum/internal/store"
)

// Stacks implements store.Stacks: the cfn_stacks table, updated under an optimistic lock on
// rev, and each stack's events in cfn_stack_events, written in the stack's own transaction.
type Stacks struct {
	base
	leases *Leases
	st     struct {
		create, update, event *stmt
		get, byName, list     *stmt
		listAll, events       *stmt
	}
}

const stackColumns = `stack_id, account_id, name, status, deleted, rev, doc, created_at, updated_at`

var _ store.Stacks = (*Stacks)(nil)

func newStacks(b base, leases *Leases) *Stacks {
	s := &Stacks{base: b.of("stacks"), leases: leases}
	w, r := s.stmts.w, s.stmts.r
	s.st.create = w("create", `INSERT INTO cfn_stacks (`+stackColumns+`) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)`)
	s.st.update = w("update", `UPDATE cfn_stacks SET status = ?, deleted = ?, rev = rev + 1, doc = ?, updated_at = ?
		WHERE stack_id = ? AND rev = ?`)
	s.st.event = w("event", `INSERT INTO cfn_stack_events (stack_id, seq, at, doc) VALUES (?, ?, ?, ?)`)
	s.st.get = r("get", `SELECT `+stackColumns+` FROM cfn_stacks WHERE stack_id = ?`)
	s.st.byName = r("byName", `SELECT `+stackColumns+` FROM cfn_stacks WHERE account_id = ? AND name = ? AND deleted = 0`)
	s.st.list = r("list", `SELECT `+stackColumns+` FROM cfn_stacks WHERE account_id = ? AND deleted = 0 ORDER BY created_at, stack_id`)
	s.st.listAll = r("listAll", `SELECT `+stackColumns+` FROM cfn_stacks WHERE account_id = ? ORDER BY created_at, stack_id`)
	s.st.events = r("events", `SELECT stack_id, seq, at, doc FROM cfn_stack_events WHERE stack_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`)
	return s
}

func scanStack(row scanner) (store.Stack, error) {
	var x store.Stack
	var deleted int
	var created, updated int64
	err := row.Scan(&x.ID, &x.Account, &x.Name, &x.Status, &deleted, &x.Rev, &x.Doc, &created, &updated)
	x.Deleted, x.Created, x.Updated = deleted != 0, fromNanos(created), fromNanos(updated)
	return x, err
}

func scanStackEvent(row scanner) (store.StackEvent, error) {
	var e store.StackEvent
	var at int64
	err := row.Scan(&e.StackID, &e.Seq, &at, &e.Doc)
	e.Time = fromNanos(at)
	return e, err
}

// CreateStack stores a new stack with its events and, when asked, its task's free lease.
func (s *Stacks) CreateStack(ctx context.Context, x store.Stack, events []store.StackEvent, task bool) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.st.create.in(ctx, tx).ExecContext(ctx, x.ID, x.Account, x.Name, x.Status, boolInt(x.Deleted), x.Doc,
			nanos(x.Created), nanos(x.Updated))
		if err != nil {
			return s.fault("CreateStack", err)
		}
		return s.finish(ctx, tx, x.ID, events, task)
	})
}

// finish appends a write's events and adds the stack's task lease when asked.
func (s *Stacks) finish(ctx context.Context, tx Tx, id string, events []store.StackEvent, task bool) error {
	for _, e := range events {
		if _, err := s.st.event.in(ctx, tx).ExecContext(ctx, id, e.Seq, nanos(e.Time), e.Doc); err != nil {
			return s.fault("StackEvent", err)
		}
	}
	if task {
		return s.leases.requeueTx(ctx, tx, store.StackTaskLease, id)
	}
	return nil
}

// Stack reads a stack by id.
func (s *Stacks) Stack(ctx context.Context, id string) (store.Stack, error) {
	x, err := scanStack(s.st.get.ps.QueryRowContext(ctx, id))
	return x, s.fault("Stack", err)
}

// StackByName reads an account's live stack of a name.
func (s *Stacks) StackByName(ctx context.Context, account, name string) (store.Stack, error) {
	x, err := scanStack(s.st.byName.ps.QueryRowContext(ctx, account, name))
	return x, s.fault("StackByName", err)
}

// UpdateStack replaces a stack still at x.Rev, with its events and, when asked, its task lease.
func (s *Stacks) UpdateStack(ctx context.Context, x store.Stack, events []store.StackEvent, task bool) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.st.update.in(ctx, tx).ExecContext(ctx, x.Status, boolInt(x.Deleted), x.Doc, nanos(x.Updated), x.ID, x.Rev)
		if err != nil {
			return s.fault("UpdateStack", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &store.Error{Op: s.domain + ".UpdateStack", Kind: store.ErrConditionFailed}
		}
		return s.finish(ctx, tx, x.ID, events, task)
	})
}

// ListStacks lists an account's stacks, oldest first.
func (s *Stacks) ListStacks(ctx context.Context, account string, deleted bool) ([]store.Stack, error) {
	st := s.st.list
	if deleted {
		st = s.st.listAll
	}
	rows, err := st.ps.QueryContext(ctx, account)
	out, err := collect(rows, err, 0, scanStack)
	return out, s.fault("ListStacks", err)
}

// StackEvents lists a stack's events below a sequence number, newest first.
func (s *Stacks) StackEvents(ctx context.Context, stackID string, before int64, limit int) ([]store.StackEvent, error) {
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := s.st.events.ps.QueryContext(ctx, stackID, before, limit)
	out, err := collect(rows, err, 0, scanStackEvent)
	return out, s.fault("StackEvents", err)
}
