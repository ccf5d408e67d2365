package store

import (
	"context"
	"time"
)

// EventBus is an EventBridge event bus. Doc is the service's own JSON description of it (its
// description, policy, dead-letter configuration and tags), which the store keeps as it is.
type EventBus struct {
	Account, Name string
	Doc           []byte
	Created       time.Time
}

// EventRule is an EventBridge rule with its targets. Doc is the service's JSON description (the
// pattern, schedule, state, targets and tags). Scheduled marks an enabled rule with a schedule
// expression, which the schedule scan lists. Version rises at every save: a save names the
// version it read, so two concurrent read-modify-writes cannot both win.
type EventRule struct {
	Account, Bus, Name string
	Doc                []byte
	Scheduled          bool
	Version            int64
	LastFired          time.Time // the scheduled time of the rule's last fire (zero: never fired)
	Created            time.Time
}

// EventBuses stores event buses and their rules.
type EventBuses interface {
	CreateEventBus(ctx context.Context, b EventBus) error // ErrExists when the name is taken
	EventBus(ctx context.Context, account, name string) (EventBus, error)
	ListEventBuses(ctx context.Context, account string) ([]EventBus, error) // by name
	UpdateEventBus(ctx context.Context, b EventBus) error
	DeleteEventBus(ctx context.Context, account, name string) error // with its rules
	// SaveEventRule creates a rule (Version 0; ErrExists when it exists) or replaces the one at
	// r.Version (ErrConflict when another save came first, ErrNotFound when it is gone), and
	// returns the new version.
	SaveEventRule(ctx context.Context, r EventRule) (int64, error)
	EventRule(ctx context.Context, account, bus, name string) (EventRule, error)
	ListEventRules(ctx context.Context, account, bus string) ([]EventRule, error) // by name
	DeleteEventRule(ctx context.Context, account, bus, name string) error
	// ScheduledEventRules lists every account's scheduled rules.
	ScheduledEventRules(ctx context.Context) ([]EventRule, error)
	// FireEventRule records a scheduled rule's fire at at, with its deliveries, in one write, if
	// its last fire is still r.LastFired; false when another fire (another node) came first.
	FireEventRule(ctx context.Context, r EventRule, at time.Time, ds []Delivery) (bool, error)
}
