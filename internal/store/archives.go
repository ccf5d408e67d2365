package store

import (
	"context"
	"time"
)

// EventArchive is an EventBridge archive; Doc is the service's JSON description.
type EventArchive struct {
	Account, Name string
	Doc           []byte
	Created       time.Time
}

// ArchivedEvent is one event kept in an archive, by its id and time.
type ArchivedEvent struct {
	ID    string
	Time  time.Time
	Event []byte
}

// EventReplay is a replay of an archive; Doc is the service's JSON description.
type EventReplay struct {
	Account, Name string
	Doc           []byte
}

// EventArchives stores EventBridge archives, their events and replays.
type EventArchives interface {
	CreateEventArchive(ctx context.Context, a EventArchive) error // ErrExists
	EventArchive(ctx context.Context, account, name string) (EventArchive, error)
	ListEventArchives(ctx context.Context, account string) ([]EventArchive, error)
	UpdateEventArchive(ctx context.Context, a EventArchive) error
	DeleteEventArchive(ctx context.Context, account, name string) error // with its events
	// ArchiveEvent keeps an event; an id already kept is ignored (deliveries repeat).
	ArchiveEvent(ctx context.Context, account, archive string, e ArchivedEvent) error
	// ArchivedEvents lists an archive's events with from <= Time < to, by time.
	ArchivedEvents(ctx context.Context, account, archive string, from, to time.Time) ([]ArchivedEvent, error)
	// ArchiveStats counts an archive's events and their bytes.
	ArchiveStats(ctx context.Context, account, archive string) (count, bytes int64, err error)
	CreateEventReplay(ctx context.Context, r EventReplay) error // ErrExists
	UpdateEventReplay(ctx context.Context, r EventReplay) error
	EventReplay(ctx context.Context, account, name string) (EventReplay, error)
	ListEventReplays(ctx context.Context, account string) ([]EventReplay, error)
}
