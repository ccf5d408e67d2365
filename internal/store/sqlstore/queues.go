package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// CreateQueue stores a new queue and sets its ID.
func (s *Store) CreateQueue(ctx context.Context, q *store.Queue) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		err := s.wst(ctx, tx, "createQueue").QueryRowContext(ctx,
			q.Account, q.Name, boolInt(q.FIFO), encodeMap(q.Attributes), encodeMap(q.Tags), q.DeadLetterTarget, nanos(q.Created), nanos(q.Modified)).Scan(&q.ID)
		return s.fault("CreateQueue", err)
	})
}

// Queue reads a queue by account and name.
func (s *Store) Queue(ctx context.Context, account, name string) (store.Queue, error) {
	q, err := scanQueue(s.rs["queue"].QueryRowContext(ctx, account, name))
	return q, s.fault("Queue", err)
}

// QueueByID reads a queue by id.
func (s *Store) QueueByID(ctx context.Context, id int64) (store.Queue, error) {
	q, err := scanQueue(s.rs["queueByID"].QueryRowContext(ctx, id))
	return q, s.fault("QueueByID", err)
}

func (s *Store) listQueues(ctx context.Context, op, stmt string, args ...any) ([]store.Queue, error) {
	rows, err := s.rs[stmt].QueryContext(ctx, args...)
	out, err := collect(rows, err, 0, scanQueue)
	return out, s.fault(op, err)
}

// ListQueues lists an account's queues whose names start with prefix, by name.
func (s *Store) ListQueues(ctx context.Context, account, prefix string) ([]store.Queue, error) {
	all, err := s.listQueues(ctx, "ListQueues", "listQueues", account)
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
func (s *Store) DeadLetterSources(ctx context.Context, account, arn string) ([]store.Queue, error) {
	return s.listQueues(ctx, "DeadLetterSources", "dlqSources", account, arn)
}

// UpdateQueue rewrites a queue's attributes, tags, modified and purged times.
func (s *Store) UpdateQueue(ctx context.Context, q store.Queue) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.wst(ctx, tx, "updateQueue").ExecContext(ctx, encodeMap(q.Attributes), encodeMap(q.Tags), q.DeadLetterTarget, nanos(q.Modified), nanos(q.PurgedAt), q.ID)
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
func (s *Store) DeleteQueue(ctx context.Context, id int64, now time.Time) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		var account, name string
		if err := s.wst(ctx, tx, "queueName").QueryRowContext(ctx, id).Scan(&account, &name); err != nil {
			return s.fault("DeleteQueue", err)
		}
		for _, stmt := range []string{"deleteMessages", "deleteDedup", "deleteAttempts", "deleteQueue"} {
			if _, err := s.wst(ctx, tx, stmt).ExecContext(ctx, id); err != nil {
				return s.fault("DeleteQueue", err)
			}
		}
		_, err := s.wst(ctx, tx, "recordDeleted").ExecContext(ctx, account, name, nanos(now))
		return s.fault("DeleteQueue", err)
	})
}

// DeletedSince reports whether account/name was deleted at or after since.
func (s *Store) DeletedSince(ctx context.Context, account, name string, since time.Time) (bool, error) {
	var at int64
	err := s.rs["deletedSince"].QueryRowContext(ctx, account, name).Scan(&at)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, s.fault("DeletedSince", err)
	}
	return at >= nanos(since), nil
}
