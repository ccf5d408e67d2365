package sqlstore

import (
	"context"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// EventArchives implements store.EventArchives.
type EventArchives struct {
	base
	st struct {
		create, update, remove, removeEvents, keep, createReplay, updateReplay *stmt
		one, all, events, stats, replay, replays                               *stmt
	}
}

func newEventArchives(b base) *EventArchives {
	a := &EventArchives{base: b.of("archives")}
	w, r := a.stmts.w, a.stmts.r
	a.st.create = w("create", `INSERT INTO event_archives (account, name, doc, created_at) VALUES (?, ?, ?, ?)`)
	a.st.update = w("update", `UPDATE event_archives SET doc = ? WHERE account = ? AND name = ?`)
	a.st.remove = w("remove", `DELETE FROM event_archives WHERE account = ? AND name = ?`)
	a.st.removeEvents = w("removeEvents", `DELETE FROM event_archive_events WHERE account = ? AND archive = ?`)
	a.st.keep = w("keep", `INSERT INTO event_archive_events (account, archive, id, at, event) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (account, archive, id) DO NOTHING`)
	a.st.createReplay = w("createReplay", `INSERT INTO event_replays (account, name, doc) VALUES (?, ?, ?)`)
	a.st.updateReplay = w("updateReplay", `UPDATE event_replays SET doc = ? WHERE account = ? AND name = ?`)
	a.st.one = r("one", `SELECT account, name, doc, created_at FROM event_archives WHERE account = ? AND name = ?`)
	a.st.all = r("all", `SELECT account, name, doc, created_at FROM event_archives WHERE account = ? ORDER BY name`)
	a.st.events = r("events", `SELECT id, at, event FROM event_archive_events WHERE account = ? AND archive = ? AND at >= ? AND at < ? ORDER BY at, id`)
	a.st.stats = r("stats", `SELECT COUNT(*), COALESCE(SUM(LENGTH(event)), 0) FROM event_archive_events WHERE account = ? AND archive = ?`)
	a.st.replay = r("replay", `SELECT account, name, doc FROM event_replays WHERE account = ? AND name = ?`)
	a.st.replays = r("replays", `SELECT account, name, doc FROM event_replays WHERE account = ? ORDER BY name`)
	return a
}

var _ store.EventArchives = (*EventArchives)(nil)

func scanArchive(row scanner) (store.EventArchive, error) {
	var x store.EventArchive
	var created int64
	err := row.Scan(&x.Account, &x.Name, &x.Doc, &created)
	x.Created = fromNanos(created)
	return x, err
}

func scanReplay(row scanner) (store.EventReplay, error) {
	var x store.EventReplay
	err := row.Scan(&x.Account, &x.Name, &x.Doc)
	return x, err
}

func (a *EventArchives) write(ctx context.Context, op string, must bool, st *stmt, args ...any) error {
	return a.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		res, err := st.in(ctx, tx).ExecContext(ctx, args...)
		if err != nil {
			return a.fault(op, err)
		}
		if n, _ := res.RowsAffected(); must && n == 0 {
			return &store.Error{Op: "archives." + op, Kind: store.ErrNotFound}
		}
		return nil
	})
}

// CreateEventArchive stores a new archive.
func (a *EventArchives) CreateEventArchive(ctx context.Context, x store.EventArchive) error {
	return a.write(ctx, "CreateEventArchive", false, a.st.create, x.Account, x.Name, x.Doc, nanos(x.Created))
}

// UpdateEventArchive rewrites an archive's description.
func (a *EventArchives) UpdateEventArchive(ctx context.Context, x store.EventArchive) error {
	return a.write(ctx, "UpdateEventArchive", true, a.st.update, x.Doc, x.Account, x.Name)
}

// DeleteEventArchive removes an archive and its events.
func (a *EventArchives) DeleteEventArchive(ctx context.Context, account, name string) error {
	return a.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		if _, err := a.st.removeEvents.in(ctx, tx).ExecContext(ctx, account, name); err != nil {
			return a.fault("DeleteEventArchive", err)
		}
		res, err := a.st.remove.in(ctx, tx).ExecContext(ctx, account, name)
		if err != nil {
			return a.fault("DeleteEventArchive", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &store.Error{Op: "archives.DeleteEventArchive", Kind: store.ErrNotFound}
		}
		return nil
	})
}

// EventArchive reads an archive.
func (a *EventArchives) EventArchive(ctx context.Context, account, name string) (store.EventArchive, error) {
	x, err := scanArchive(a.st.one.ps.QueryRowContext(ctx, account, name))
	return x, a.fault("EventArchive", err)
}

// ListEventArchives lists an account's archives by name.
func (a *EventArchives) ListEventArchives(ctx context.Context, account string) ([]store.EventArchive, error) {
	rows, err := a.st.all.ps.QueryContext(ctx, account)
	out, err := collect(rows, err, 0, scanArchive)
	return out, a.fault("ListEventArchives", err)
}

// ArchiveEvent keeps an event once.
func (a *EventArchives) ArchiveEvent(ctx context.Context, account, archive string, e store.ArchivedEvent) error {
	return a.write(ctx, "ArchiveEvent", false, a.st.keep, account, archive, e.ID, nanos(e.Time), e.Event)
}

// ArchivedEvents lists an archive's events in [from, to) by time.
func (a *EventArchives) ArchivedEvents(ctx context.Context, account, archive string, from, to time.Time) ([]store.ArchivedEvent, error) {
	rows, err := a.st.events.ps.QueryContext(ctx, account, archive, nanos(from), nanos(to))
	out, err := collect(rows, err, 0, func(row scanner) (store.ArchivedEvent, error) {
		var e store.ArchivedEvent
		var at int64
		err := row.Scan(&e.ID, &at, &e.Event)
		e.Time = fromNanos(at)
		return e, err
	})
	return out, a.fault("ArchivedEvents", err)
}

// ArchiveStats counts an archive's events and bytes.
func (a *EventArchives) ArchiveStats(ctx context.Context, account, archive string) (count, bytes int64, err error) {
	err = a.st.stats.ps.QueryRowContext(ctx, account, archive).Scan(&count, &bytes)
	return count, bytes, a.fault("ArchiveStats", err)
}

// CreateEventReplay stores a new replay.
func (a *EventArchives) CreateEventReplay(ctx context.Context, r store.EventReplay) error {
	return a.write(ctx, "CreateEventReplay", false, a.st.createReplay, r.Account, r.Name, r.Doc)
}

// UpdateEventReplay rewrites a replay's description.
func (a *EventArchives) UpdateEventReplay(ctx context.Context, r store.EventReplay) error {
	return a.write(ctx, "UpdateEventReplay", true, a.st.updateReplay, r.Doc, r.Account, r.Name)
}

// EventReplay reads a replay.
func (a *EventArchives) EventReplay(ctx context.Context, account, name string) (store.EventReplay, error) {
	x, err := scanReplay(a.st.replay.ps.QueryRowContext(ctx, account, name))
	return x, a.fault("EventReplay", err)
}

// ListEventReplays lists an account's replays by name.
func (a *EventArchives) ListEventReplays(ctx context.Context, account string) ([]store.EventReplay, error) {
	rows, err := a.st.replays.ps.QueryContext(ctx, account)
	out, err := collect(rows, err, 0, scanReplay)
	return out, a.fault("ListEventReplays", err)
}
