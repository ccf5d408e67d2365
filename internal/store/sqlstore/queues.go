package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// CreateQueue stores a new queue and sets its ID.
func (s *Queues) CreateQueue(ctx context.Context, q *store.Queue) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		err := s.st.createQueue.in(ctx, tx).QueryRowContext(ctx,
			q.Account, q.Name, boolInt(q.FIFO), encodeMap(q.Attributes), encodeMap(q.Tags), q.DeadLetterTarget, nanos(q.Created), nanos(q.Modified)).Scan(&q.ID)
		return s.fault("CreateQueue", err)
	})
}

// Queue reads a queue by account and name.
func (s *Queues) Queue(ctx context.Context, account, name string) (store.Queue, error) {
	q, err := scanQueue(s.st.queue.ps.QueryRowContext(ctx, account, name))
	return q, s.fault("Queue", err)
}

// QueueByID reads a queue by id.
func (s *Queues) QueueByID(ctx context.Context, id int64) (store.Queue, error) {
	q, err := scanQueue(s.st.queueByID.ps.QueryRowContext(ctx, id))
	return q, s.fault("QueueByID", err)
}

func (s *Queues) list(ctx context.Context, op string, st *stmt, args ...any) ([]store.Queue, error) {
	rows, err := st.ps.QueryContext(ctx, args...)
	out, err := collect(rows, err, 0, scanQueue)
	return out, s.fault(op, err)
}

// ListQueues lists an account's queues whose names start with prefix, by name.
func (s *Queues) ListQueues(ctx context.Context, account, prefix string) ([]store.Queue, error) {
	all, err := s.list(ctx, "ListQueues", s.st.listQueues, account)
	if prefix == "" || err != nil {
		return all, err
	}
	out := all[:0]
	for _, q := range all {
		if strings.HasPrefix(q.Name, prefix) {
			out = append(out, q)
		}
	}
	return out, nil
}

// DeadLetterSources lists the account's queues whose redrive policy targets arn.
func (s *Queues) DeadLetterSources(ctx context.Context, account, arn string) ([]store.Queue, error) {
	return s.list(ctx, "DeadLetterSources", s.st.dlqSources, account, arn)
}

// UpdateQueue rewrites a queue's attributes, tags, modified and purged times.
func (s *Queues) UpdateQueue(ctx context.Context, q store.Queue) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.st.updateQueue.in(ctx, tx).ExecContext(ctx, encodeMap(q.Attributes), encodeMap(q.Tags), q.DeadLetterTarget, nanos(q.Modified), nanos(q.PurgedAt), q.ID)
		if err != nil {
			return s.fault("UpdateQueue", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &store.Error{Op: "queues.UpdateQueue", Kind: store.ErrNotFound}
		}
		return nil
	})
}

// DeleteQueue removes a queue with its messages and deduplication state and records the deletion.
func (s *Queues) DeleteQueue(ctx context.Context, id int64, now time.Time) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		var account, name string
		if err := s.st.queueName.in(ctx, tx).QueryRowContext(ctx, id).Scan(&account, &name); err != nil {
			return s.fault("DeleteQueue", err)
		}
		for _, st := range []*stmt{s.st.deleteMessages, s.st.deleteDedup, s.st.deleteAttempts, s.st.deleteQueue} {
			if _, err := st.in(ctx, tx).ExecContext(ctx, id); err != nil {
				return s.fault("DeleteQueue", err)
			}
		}
		_, err := s.st.recordDeleted.in(ctx, tx).ExecContext(ctx, account, name, nanos(now))
		return s.fault("DeleteQueue", err)
	})
}

// DeletedSince reports whether account/name was deleted at or after since.
func (s *Queues) DeletedSince(ctx context.Context, account, name string, since time.Time) (bool, error) {
	var at int64
	err := s.st.deletedSince.ps.QueryRowContext(ctx, account, name).Scan(&at)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, s.fault("DeletedSince", err)
	}
	return at >= nanos(since), nil
}
