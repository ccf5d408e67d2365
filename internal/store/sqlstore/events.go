package sqlstore

import (
	"context"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// EventBuses implements store.EventBuses: EventBridge buses and rules. A scheduled rule's fire
// and its deliveries are one write (appendDeliveries).
type EventBuses struct {
	base
	out *Outbox
	st  struct {
		createBus, updateBus, deleteBus, deleteBusRules *stmt
		insertRule, updateRule, deleteRule, fireRule    *stmt
		bus, buses, rule, rules, scheduled              *stmt
	}
}

const ruleColumns = `account, bus, name, doc, scheduled, version, last_fired, created_at`

func newEventBuses(b base, out *Outbox) *EventBuses {
	e := &EventBuses{base: b.of("events"), out: out}
	w, r := e.stmts.w, e.stmts.r
	e.st.createBus = w("createBus", `INSERT INTO event_buses (account, name, doc, created_at) VALUES (?, ?, ?, ?)`)
	e.st.updateBus = w("updateBus", `UPDATE event_buses SET doc = ? WHERE account = ? AND name = ?`)
	e.st.deleteBus = w("deleteBus", `DELETE FROM event_buses WHERE account = ? AND name = ?`)
	e.st.deleteBusRules = w("deleteBusRules", `DELETE FROM event_rules WHERE account = ? AND bus = ?`)
	e.st.insertRule = w("insertRule", `INSERT INTO event_rules (account, bus, name, doc, scheduled, version, last_fired, created_at)
		VALUES (?, ?, ?, ?, ?, 1, 0, ?)`)
	e.st.updateRule = w("updateRule", `UPDATE event_rules SET doc = ?, scheduled = ?, version = version + 1
		WHERE account = ? AND bus = ? AND name = ? AND version = ? RETURNING version`)
	e.st.deleteRule = w("deleteRule", `DELETE FROM event_rules WHERE account = ? AND bus = ? AND name = ?`)
	e.st.fireRule = w("fireRule", `UPDATE event_rules SET last_fired = ?
		WHERE account = ? AND bus = ? AND name = ? AND last_fired = ?`)
	e.st.bus = r("bus", `SELECT account, name, doc, created_at FROM event_buses WHERE account = ? AND name = ?`)
	e.st.buses = r("buses", `SELECT account, name, doc, created_at FROM event_buses WHERE account = ? ORDER BY name`)
	e.st.rule = r("rule", `SELECT `+ruleColumns+` FROM event_rules WHERE account = ? AND bus = ? AND name = ?`)
	e.st.rules = r("rules", `SELECT `+ruleColumns+` FROM event_rules WHERE account = ? AND bus = ? ORDER BY name`)
	e.st.scheduled = r("scheduled", `SELECT `+ruleColumns+` FROM event_rules WHERE scheduled = 1 ORDER BY account, bus, name`)
	return e
}

var _ store.EventBuses = (*EventBuses)(nil)

func scanBus(row scanner) (store.EventBus, error) {
	var b store.EventBus
	var created int64
	err := row.Scan(&b.Account, &b.Name, &b.Doc, &created)
	b.Created = fromNanos(created)
	return b, err
}

func scanRule(row scanner) (store.EventRule, error) {
	var r store.EventRule
	var scheduled int
	var fired, created int64
	err := row.Scan(&r.Account, &r.Bus, &r.Name, &r.Doc, &scheduled, &r.Version, &fired, &created)
	r.Scheduled, r.LastFired, r.Created = scheduled == 1, fromNanos(fired), fromNanos(created)
	return r, err
}

// CreateEventBus stores a new bus.
func (e *EventBuses) CreateEventBus(ctx context.Context, b store.EventBus) error {
	return e.write(ctx, "CreateEventBus", e.st.createBus, b.Account, b.Name, b.Doc, nanos(b.Created))
}

// UpdateEventBus rewrites a bus's description.
func (e *EventBuses) UpdateEventBus(ctx context.Context, b store.EventBus) error {
	return e.write(ctx, "UpdateEventBus", e.st.updateBus, b.Doc, b.Account, b.Name)
}

// DeleteEventBus removes a bus and its rules.
func (e *EventBuses) DeleteEventBus(ctx context.Context, account, name string) error {
	return e.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		if _, err := e.st.deleteBusRules.in(ctx, tx).ExecContext(ctx, account, name); err != nil {
			return e.fault("DeleteEventBus", err)
		}
		return e.affect(ctx, tx, "DeleteEventBus", e.st.deleteBus, account, name)
	})
}

// write runs one statement that must change a row (ErrNotFound otherwise).
func (e *EventBuses) write(ctx context.Context, op string, st *stmt, args ...any) error {
	return e.w.Write(ctx, func(ctx context.Context, tx Tx) error { return e.affect(ctx, tx, op, st, args...) })
}

func (e *EventBuses) affect(ctx context.Context, tx Tx, op string, st *stmt, args ...any) error {
	res, err := st.in(ctx, tx).ExecContext(ctx, args...)
	if err != nil {
		return e.fault(op, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &store.Error{Op: "events." + op, Kind: store.ErrNotFound}
	}
	return nil
}

// EventBus reads a bus.
func (e *EventBuses) EventBus(ctx context.Context, account, name string) (store.EventBus, error) {
	b, err := scanBus(e.st.bus.ps.QueryRowContext(ctx, account, name))
	return b, e.fault("EventBus", err)
}

// ListEventBuses lists an account's buses by name.
func (e *EventBuses) ListEventBuses(ctx context.Context, account string) ([]store.EventBus, error) {
	rows, err := e.st.buses.ps.QueryContext(ctx, account)
	out, err := collect(rows, err, 0, scanBus)
	return out, e.fault("ListEventBuses", err)
}

// SaveEventRule creates a rule or replaces the version read.
func (e *EventBuses) SaveEventRule(ctx context.Context, r store.EventRule) (int64, error) {
	version := int64(1)
	err := e.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		if r.Version == 0 {
			_, err := e.st.insertRule.in(ctx, tx).ExecContext(ctx, r.Account, r.Bus, r.Name, r.Doc, boolInt(r.Scheduled), nanos(r.Created))
			return e.fault("SaveEventRule", err)
		}
		err := e.st.updateRule.in(ctx, tx).QueryRowContext(ctx, r.Doc, boolInt(r.Scheduled), r.Account, r.Bus, r.Name, r.Version).Scan(&version)
		if err == nil {
			return nil
		}
		if _, gone := e.EventRule(ctx, r.Account, r.Bus, r.Name); gone != nil {
			return gone
		}
		return &store.Error{Op: "events.SaveEventRule", Kind: store.ErrConflict}
	})
	return version, err
}

// EventRule reads a rule.
func (e *EventBuses) EventRule(ctx context.Context, account, bus, name string) (store.EventRule, error) {
	r, err := scanRule(e.st.rule.ps.QueryRowContext(ctx, account, bus, name))
	return r, e.fault("EventRule", err)
}

// ListEventRules lists a bus's rules by name.
func (e *EventBuses) ListEventRules(ctx context.Context, account, bus string) ([]store.EventRule, error) {
	rows, err := e.st.rules.ps.QueryContext(ctx, account, bus)
	out, err := collect(rows, err, 0, scanRule)
	return out, e.fault("ListEventRules", err)
}

// ScheduledEventRules lists every scheduled rule.
func (e *EventBuses) ScheduledEventRules(ctx context.Context) ([]store.EventRule, error) {
	rows, err := e.st.scheduled.ps.QueryContext(ctx)
	out, err := collect(rows, err, 0, scanRule)
	return out, e.fault("ScheduledEventRules", err)
}

// DeleteEventRule removes a rule.
func (e *EventBuses) DeleteEventRule(ctx context.Context, account, bus, name string) error {
	return e.write(ctx, "DeleteEventRule", e.st.deleteRule, account, bus, name)
}

// FireEventRule records a fire and its deliveries if nobody fired the rule since r was read.
func (e *EventBuses) FireEventRule(ctx context.Context, r store.EventRule, at time.Time, ds []store.Delivery) (bool, error) {
	fired := false
	err := e.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		res, err := e.st.fireRule.in(ctx, tx).ExecContext(ctx, nanos(at), r.Account, r.Bus, r.Name, nanos(r.LastFired))
		if err != nil {
			return e.fault("FireEventRule", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		fired = true
		return e.out.append(ctx, tx, ds)
	})
	return fired, err
}
