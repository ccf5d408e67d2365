package sqlstore

import (
	"context"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// Schedules implements store.Schedules: EventBridge Scheduler's groups and schedules. A fire,
// its deliveries and a one-time schedule's removal are one write.
type Schedules struct {
	base
	out *Outbox
	st  struct {
		createGroup, updateGroup, deleteGroup, deleteGroupSchedules *stmt
		insert, update, remove, fire                                *stmt
		group, groups, one, all, inGroup, enabled                   *stmt
	}
}

const scheduleColumns = `account, grp, name, doc, enabled, version, last_fired, created_at`

func newSchedules(b base, out *Outbox) *Schedules {
	s := &Schedules{base: b.of("schedules"), out: out}
	w, r := s.stmts.w, s.stmts.r
	s.st.createGroup = w("createGroup", `INSERT INTO schedule_groups (account, name, doc, created_at) VALUES (?, ?, ?, ?)`)
	s.st.updateGroup = w("updateGroup", `UPDATE schedule_groups SET doc = ? WHERE account = ? AND name = ?`)
	s.st.deleteGroup = w("deleteGroup", `DELETE FROM schedule_groups WHERE account = ? AND name = ?`)
	s.st.deleteGroupSchedules = w("deleteGroupSchedules", `DELETE FROM schedules WHERE account = ? AND grp = ?`)
	s.st.insert = w("insert", `INSERT INTO schedules (account, grp, name, doc, enabled, version, last_fired, created_at)
		VALUES (?, ?, ?, ?, ?, 1, 0, ?)`)
	s.st.update = w("update", `UPDATE schedules SET doc = ?, enabled = ?, version = version + 1
		WHERE account = ? AND grp = ? AND name = ? AND version = ? RETURNING version`)
	s.st.remove = w("remove", `DELETE FROM schedules WHERE account = ? AND grp = ? AND name = ?`)
	s.st.fire = w("fire", `UPDATE schedules SET last_fired = ? WHERE account = ? AND grp = ? AND name = ? AND last_fired = ?`)
	s.st.group = r("group", `SELECT account, name, doc, created_at FROM schedule_groups WHERE account = ? AND name = ?`)
	s.st.groups = r("groups", `SELECT account, name, doc, created_at FROM schedule_groups WHERE account = ? ORDER BY name`)
	s.st.one = r("one", `SELECT `+scheduleColumns+` FROM schedules WHERE account = ? AND grp = ? AND name = ?`)
	s.st.all = r("all", `SELECT `+scheduleColumns+` FROM schedules WHERE account = ? ORDER BY grp, name`)
	s.st.inGroup = r("inGroup", `SELECT `+scheduleColumns+` FROM schedules WHERE account = ? AND grp = ? ORDER BY name`)
	s.st.enabled = r("enabled", `SELECT `+scheduleColumns+` FROM schedules WHERE enabled = 1 ORDER BY account, grp, name`)
	return s
}

var _ store.Schedules = (*Schedules)(nil)

func scanGroup(row scanner) (store.ScheduleGroup, error) {
	var g store.ScheduleGroup
	var created int64
	err := row.Scan(&g.Account, &g.Name, &g.Doc, &created)
	g.Created = fromNanos(created)
	return g, err
}

func scanSchedule(row scanner) (store.Schedule, error) {
	var x store.Schedule
	var enabled int
	var fired, created int64
	err := row.Scan(&x.Account, &x.Group, &x.Name, &x.Doc, &enabled, &x.Version, &fired, &created)
	x.Enabled, x.LastFired, x.Created = enabled == 1, fromNanos(fired), fromNanos(created)
	return x, err
}

func (s *Schedules) affect(ctx context.Context, tx Tx, op string, st *stmt, args ...any) error {
	res, err := st.in(ctx, tx).ExecContext(ctx, args...)
	if err != nil {
		return s.fault(op, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &store.Error{Op: "schedules." + op, Kind: store.ErrNotFound}
	}
	return nil
}

func (s *Schedules) write(ctx context.Context, op string, st *stmt, args ...any) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error { return s.affect(ctx, tx, op, st, args...) })
}

// CreateScheduleGroup stores a new group.
func (s *Schedules) CreateScheduleGroup(ctx context.Context, g store.ScheduleGroup) error {
	return s.write(ctx, "CreateScheduleGroup", s.st.createGroup, g.Account, g.Name, g.Doc, nanos(g.Created))
}

// UpdateScheduleGroup rewrites a group's description.
func (s *Schedules) UpdateScheduleGroup(ctx context.Context, g store.ScheduleGroup) error {
	return s.write(ctx, "UpdateScheduleGroup", s.st.updateGroup, g.Doc, g.Account, g.Name)
}

// DeleteScheduleGroup removes a group and its schedules.
func (s *Schedules) DeleteScheduleGroup(ctx context.Context, account, name string) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		if _, err := s.st.deleteGroupSchedules.in(ctx, tx).ExecContext(ctx, account, name); err != nil {
			return s.fault("DeleteScheduleGroup", err)
		}
		return s.affect(ctx, tx, "DeleteScheduleGroup", s.st.deleteGroup, account, name)
	})
}

// ScheduleGroup reads a group.
func (s *Schedules) ScheduleGroup(ctx context.Context, account, name string) (store.ScheduleGroup, error) {
	g, err := scanGroup(s.st.group.ps.QueryRowContext(ctx, account, name))
	return g, s.fault("ScheduleGroup", err)
}

// ListScheduleGroups lists an account's groups by name.
func (s *Schedules) ListScheduleGroups(ctx context.Context, account string) ([]store.ScheduleGroup, error) {
	rows, err := s.st.groups.ps.QueryContext(ctx, account)
	out, err := collect(rows, err, 0, scanGroup)
	return out, s.fault("ListScheduleGroups", err)
}

// SaveSchedule creates a schedule or replaces the version read.
func (s *Schedules) SaveSchedule(ctx context.Context, x store.Schedule) (int64, error) {
	version := int64(1)
	err := s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		if x.Version == 0 {
			_, err := s.st.insert.in(ctx, tx).ExecContext(ctx, x.Account, x.Group, x.Name, x.Doc, boolInt(x.Enabled), nanos(x.Created))
			return s.fault("SaveSchedule", err)
		}
		err := s.st.update.in(ctx, tx).QueryRowContext(ctx, x.Doc, boolInt(x.Enabled), x.Account, x.Group, x.Name, x.Version).Scan(&version)
		if err == nil {
			return nil
		}
		if _, gone := s.Schedule(ctx, x.Account, x.Group, x.Name); gone != nil {
			return gone
		}
		return &store.Error{Op: "schedules.SaveSchedule", Kind: store.ErrConflict}
	})
	return version, err
}

// Schedule reads a schedule.
func (s *Schedules) Schedule(ctx context.Context, account, group, name string) (store.Schedule, error) {
	x, err := scanSchedule(s.st.one.ps.QueryRowContext(ctx, account, group, name))
	return x, s.fault("Schedule", err)
}

// ListSchedules lists an account's schedules, of one group or all.
func (s *Schedules) ListSchedules(ctx context.Context, account, group string) ([]store.Schedule, error) {
	st, args := s.st.all, []any{account}
	if group != "" {
		st, args = s.st.inGroup, []any{account, group}
	}
	rows, err := st.ps.QueryContext(ctx, args...)
	out, err := collect(rows, err, 0, scanSchedule)
	return out, s.fault("ListSchedules", err)
}

// DeleteSchedule removes a schedule.
func (s *Schedules) DeleteSchedule(ctx context.Context, account, group, name string) error {
	return s.write(ctx, "DeleteSchedule", s.st.remove, account, group, name)
}

// EnabledSchedules lists every enabled schedule.
func (s *Schedules) EnabledSchedules(ctx context.Context) ([]store.Schedule, error) {
	rows, err := s.st.enabled.ps.QueryContext(ctx)
	out, err := collect(rows, err, 0, scanSchedule)
	return out, s.fault("EnabledSchedules", err)
}

// FireSchedule records a fire with its deliveries, removing the schedule when asked.
func (s *Schedules) FireSchedule(ctx context.Context, x store.Schedule, at time.Time, ds []store.Delivery, remove bool) (bool, error) {
	fired := false
	err := s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.st.fire.in(ctx, tx).ExecContext(ctx, nanos(at), x.Account, x.Group, x.Name, nanos(x.LastFired))
		if err != nil {
			return s.fault("FireSchedule", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		fired = true
		if remove {
			if _, err := s.st.remove.in(ctx, tx).ExecContext(ctx, x.Account, x.Group, x.Name); err != nil {
				return s.fault("FireSchedule", err)
			}
		}
		return s.out.append(ctx, tx, ds)
	})
	return fired, err
}
