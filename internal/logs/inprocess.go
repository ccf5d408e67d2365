package logs

import (
	"context"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// Event is a log line another service writes (Lambda's START, END and REPORT lines and its
// functions' output).
type Event struct {
	Time    time.Time
	Message string
}

// Append writes events to a stream of a group in account, creating both as needed, in batches
// of at most 10,000 events and 1 MB each, one durable write per batch. Events must be in time
// order; empty messages are skipped.
func (s *Service) Append(ctx context.Context, account, group, stream string, events []Event) error {
	if err := checkGroupName(group, "logGroupName"); err != nil {
		return err
	}
	if err := checkStreamName(stream); err != nil {
		return err
	}
	now := s.clock.Now()
	batch := make([]store.LogEvent, 0, min(len(events), maxBatchEvents))
	size := 0
	flush := func() error {
		err := s.store.AppendLogEvents(ctx, account, group, stream, batch, true, now)
		batch, size = batch[:0], 0
		return err
	}
	for _, e := range events {
		if e.Message == "" {
			continue
		}
		if len(batch) == maxBatchEvents || size+len(e.Message)+eventOverhead > maxBatchBytes {
			if err := flush(); err != nil {
				return err
			}
		}
		size += len(e.Message) + eventOverhead
		batch = append(batch, store.LogEvent{Timestamp: e.Time.UnixMilli(), Ingestion: now.UnixMilli(), Message: e.Message})
	}
	if len(batch) == 0 {
		return nil
	}
	return flush()
}
