package scheduler

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"time"

	"github.com/google/uuid"

	"github.com/gureum/gureum/internal/schedule"
	"github.com/gureum/gureum/internal/store"
)

// tick is how often the schedule job looks for schedules due (Scheduler's precision is a minute).
const tick = 10 * time.Second

// fireDue fires every enabled schedule that is due, as one periodic job across nodes; each fire
// is a compare-and-set on the schedule's last fire, written with its delivery. Slots missed while
// gureum was down fire once, for the latest.
func (s *Service) fireDue(ctx context.Context) error {
	all, err := s.store.EnabledSchedules(ctx)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	for _, x := range all {
		if err := s.fire(ctx, x, now); err != nil {
			return err
		}
	}
	return nil
}

// due is the slot a schedule fires for at now, and whether the schedule is then complete.
func due(x store.Schedule, d *scheduleDoc, now time.Time) (slot time.Time, done, ok bool) {
	expr, err := schedule.Parse(d.ScheduleExpression)
	if err != nil {
		return time.Time{}, false, false
	}
	loc := d.location()
	if expr.Kind() == schedule.At {
		at, _ := expr.Next(time.Time{}, time.Time{}, loc)
		if !x.LastFired.IsZero() || at.After(now) {
			return time.Time{}, false, false
		}
		return at, true, true
	}
	anchor := x.Created
	if !d.StartDate.IsZero() {
		anchor = d.StartDate
	}
	after := x.LastFired
	if after.IsZero() {
		after = anchor
		if expr.Kind() == schedule.Cron {
			after = anchor.Add(-time.Nanosecond)
		}
	}
	upTo := now
	if !d.EndDate.IsZero() && d.EndDate.Before(upTo) {
		upTo = d.EndDate
	}
	slot, ok = expr.Last(after, upTo, anchor, loc)
	if !ok {
		return time.Time{}, false, false
	}
	next, more := expr.Next(slot, anchor, loc)
	done = !more || !d.EndDate.IsZero() && next.After(d.EndDate)
	return slot, done, true
}

func (s *Service) fire(ctx context.Context, x store.Schedule, now time.Time) error {
	d := decodeSchedule(x)
	slot, done, ok := due(x, &d, now)
	if !ok {
		return nil
	}
	arn := s.scheduleARN(x.Account, x.Group, x.Name)
	p := payload{Schedule: arn, Target: d.Target, ScheduledTime: slot, Execution: uuid.NewString(), First: now}
	b, _ := json.Marshal(p)
	delivery := store.Delivery{Kind: deliveryKind, Target: d.Target.Arn, Payload: b, Created: now, NotBefore: flexible(arn, slot, d.FlexibleTimeWindow)}
	_, err := s.store.FireSchedule(ctx, x, slot, []store.Delivery{delivery}, done && d.ActionAfterCompletion == "DELETE")
	return err
}

// flexible spreads a flexible schedule's invocation across its window, at an offset fixed per
// schedule and slot; zero (at once) for Mode OFF.
func flexible(arn string, slot time.Time, w FlexibleTimeWindow) time.Time {
	if w.Mode != "FLEXIBLE" || w.MaximumWindowInMinutes == nil {
		return time.Time{}
	}
	h := fnv.New64a()
	h.Write([]byte(arn + slot.String()))
	window := time.Duration(*w.MaximumWindowInMinutes) * time.Minute
	return slot.Add(time.Duration(h.Sum64() % uint64(window)))
}
