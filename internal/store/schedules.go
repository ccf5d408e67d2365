package store

import (
	"context"
	"time"
)

// ScheduleGroup is an EventBridge Scheduler schedule group; Doc is the service's JSON (tags).
type ScheduleGroup struct {
	Account, Name string
	Doc           []byte
	Created       time.Time
}

// Schedule is an EventBridge Scheduler schedule; Doc is the service's JSON description. Enabled
// schedules are listed for the schedule scan. Version works as EventRule's.
type Schedule struct {
	Account, Group, Name string
	Doc                  []byte
	Enabled              bool
	Version              int64
	LastFired            time.Time
	Created              time.Time
}

// Schedules stores schedule groups and schedules.
type Schedules interface {
	CreateScheduleGroup(ctx context.Context, g ScheduleGroup) error // ErrExists
	ScheduleGroup(ctx context.Context, account, name string) (ScheduleGroup, error)
	ListScheduleGroups(ctx context.Context, account string) ([]ScheduleGroup, error)
	UpdateScheduleGroup(ctx context.Context, g ScheduleGroup) error
	DeleteScheduleGroup(ctx context.Context, account, name string) error // with its schedules
	// SaveSchedule creates (Version 0; ErrExists) or replaces at s.Version (ErrConflict,
	// ErrNotFound); it returns the new version. A replaced schedule's LastFired is kept.
	SaveSchedule(ctx context.Context, s Schedule) (int64, error)
	Schedule(ctx context.Context, account, group, name string) (Schedule, error)
	ListSchedules(ctx context.Context, account, group string) ([]Schedule, error) // group "": all
	DeleteSchedule(ctx context.Context, account, group, name string) error
	EnabledSchedules(ctx context.Context) ([]Schedule, error)
	// FireSchedule records a fire at at with its deliveries if the schedule's last fire is still
	// s.LastFired, and removes the schedule when remove (ActionAfterCompletion DELETE).
	FireSchedule(ctx context.Context, s Schedule, at time.Time, ds []Delivery, remove bool) (bool, error)
}
