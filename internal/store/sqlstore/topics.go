package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// Topics implements store.Topics: SNS topics, subscriptions, the FIFO deduplication window and
// the signing keys. A publication records its deliveries in the outbox in its own transaction.
type Topics struct {
	base
	outbox *Outbox
	st     struct {
		create, update, del, delSubs, putSub, delSub, seq, dedup, putDedup, putKey, sweep *stmt
		topic, list, sub, subsByTopic, subsByAccount, key                                 *stmt
	}
}

const (
	topicColumns = `arn, account, name, fifo, attributes, tags, created_at`
	subColumns   = `arn, topic_arn, account, protocol, endpoint, attributes, token, pending, created_at`
)

func newTopics(b base, o *Outbox) *Topics {
	s := &Topics{base: b.of("topics"), outbox: o}
	w, r := s.stmts.w, s.stmts.r
	s.st.create = w("create", `INSERT INTO sns_topics (`+topicColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (arn) DO NOTHING`)
	s.st.update = w("update", `UPDATE sns_topics SET attributes = ?, tags = ? WHERE arn = ?`)
	s.st.del = w("del", `DELETE FROM sns_topics WHERE arn = ?`)
	s.st.delSubs = w("delSubs", `DELETE FROM sns_subscriptions WHERE topic_arn = ?`)
	s.st.putSub = w("putSub", `INSERT INTO sns_subscriptions (`+subColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (arn) DO UPDATE SET attributes = excluded.attributes, token = excluded.token, pending = excluded.pending`)
	s.st.delSub = w("delSub", `DELETE FROM sns_subscriptions WHERE arn = ?`)
	s.st.seq = w("seq", `UPDATE sns_topics SET seq = seq + 1 WHERE arn = ? RETURNING seq`)
	s.st.dedup = w("dedup", `SELECT message_id, seq FROM sns_dedup WHERE topic_arn = ? AND dedup_id = ? AND expires_at > ?`)
	s.st.putDedup = w("putDedup", `INSERT INTO sns_dedup (topic_arn, dedup_id, message_id, seq, expires_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (topic_arn, dedup_id) DO UPDATE SET message_id = excluded.message_id, seq = excluded.seq, expires_at = excluded.expires_at`)
	s.st.sweep = w("sweep", `DELETE FROM sns_dedup WHERE (topic_arn, dedup_id) IN (
			SELECT topic_arn, dedup_id FROM sns_dedup WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)`)
	s.st.putKey = w("putKey", `INSERT INTO sns_keys (region, key_der, created_at) VALUES (?, ?, ?) ON CONFLICT (region) DO NOTHING`)
	s.st.topic = r("topic", `SELECT `+topicColumns+` FROM sns_topics WHERE arn = ?`)
	s.st.list = r("list", `SELECT `+topicColumns+` FROM sns_topics WHERE account = ? AND arn > ? ORDER BY arn LIMIT ?`)
	s.st.sub = r("sub", `SELECT `+subColumns+` FROM sns_subscriptions WHERE arn = ?`)
	s.st.subsByTopic = r("subsByTopic", `SELECT `+subColumns+` FROM sns_subscriptions WHERE topic_arn = ? AND arn > ? ORDER BY arn LIMIT ?`)
	s.st.subsByAccount = r("subsByAccount", `SELECT `+subColumns+` FROM sns_subscriptions WHERE account = ? AND arn > ? ORDER BY arn LIMIT ?`)
	s.st.key = r("key", `SELECT key_der FROM sns_keys WHERE region = ?`)
	return s
}

var _ store.Topics = (*Topics)(nil)

func scanTopic(row scanner) (store.Topic, error) {
	var t store.Topic
	var fifo int
	var attrs, tags string
	var created int64
	if err := row.Scan(&t.ARN, &t.Account, &t.Name, &fifo, &attrs, &tags, &created); err != nil {
		return store.Topic{}, err
	}
	t.FIFO, t.Attributes, t.Tags, t.Created = fifo == 1, decodeMap(attrs), decodeMap(tags), fromNanos(created)
	return t, nil
}

func scanSubscription(row scanner) (store.Subscription, error) {
	var x store.Subscription
	var attrs string
	var pending int
	var created int64
	if err := row.Scan(&x.ARN, &x.TopicARN, &x.Account, &x.Protocol, &x.Endpoint, &attrs, &x.Token, &pending, &created); err != nil {
		return store.Subscription{}, err
	}
	x.Attributes, x.Pending, x.Created = decodeMap(attrs), pending == 1, fromNanos(created)
	return x, nil
}

// CreateTopic stores a topic unless its ARN is taken, and returns the stored one.
func (s *Topics) CreateTopic(ctx context.Context, t store.Topic) (store.Topic, bool, error) {
	var created bool
	err := s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.st.create.in(ctx, tx).ExecContext(ctx, t.ARN, t.Account, t.Name, boolInt(t.FIFO),
			encodeMap(t.Attributes), encodeMap(t.Tags), nanos(t.Created))
		if err == nil {
			n, _ := res.RowsAffected()
			created = n == 1
		}
		return s.fault("CreateTopic", err)
	})
	if err != nil {
		return store.Topic{}, false, err
	}
	got, err := s.Topic(ctx, t.ARN)
	return got, created, err
}

// Topic reads one topic.
func (s *Topics) Topic(ctx context.Context, arn string) (store.Topic, error) {
	t, err := scanTopic(s.st.topic.ps.QueryRowContext(ctx, arn))
	return t, s.fault("Topic", err)
}

// ListTopics lists an account's topics after an ARN.
func (s *Topics) ListTopics(ctx context.Context, account, after string, limit int) ([]store.Topic, error) {
	rows, err := s.st.list.ps.QueryContext(ctx, account, after, limit)
	ts, err := collect(rows, err, 0, scanTopic)
	return ts, s.fault("ListTopics", err)
}

// UpdateTopic replaces a topic's attributes and tags.
func (s *Topics) UpdateTopic(ctx context.Context, arn string, attrs, tags map[string]string) error {
	return s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.st.update.in(ctx, tx).ExecContext(ctx, encodeMap(attrs), encodeMap(tags), arn)
		if err != nil {
			return s.fault("UpdateTopic", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &store.Error{Op: "topics.UpdateTopic", Kind: store.ErrNotFound}
		}
		return nil
	})
}

// DeleteTopic removes a topic with its subscriptions.
func (s *Topics) DeleteTopic(ctx context.Context, arn string) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		if _, err := s.st.delSubs.in(ctx, tx).ExecContext(ctx, arn); err != nil {
			return s.fault("DeleteTopic", err)
		}
		_, err := s.st.del.in(ctx, tx).ExecContext(ctx, arn)
		return s.fault("DeleteTopic", err)
	})
}

// PutSubscription stores or replaces a subscription.
func (s *Topics) PutSubscription(ctx context.Context, x store.Subscription) error {
	return s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.st.putSub.in(ctx, tx).ExecContext(ctx, x.ARN, x.TopicARN, x.Account, x.Protocol, x.Endpoint,
			encodeMap(x.Attributes), x.Token, boolInt(x.Pending), nanos(x.Created))
		return s.fault("PutSubscription", err)
	})
}

// Subscription reads one subscription.
func (s *Topics) Subscription(ctx context.Context, arn string) (store.Subscription, error) {
	x, err := scanSubscription(s.st.sub.ps.QueryRowContext(ctx, arn))
	return x, s.fault("Subscription", err)
}

// ListSubscriptions lists a topic's or an account's subscriptions after an ARN.
func (s *Topics) ListSubscriptions(ctx context.Context, account, topicARN, after string, limit int) ([]store.Subscription, error) {
	st, key := s.st.subsByAccount, account
	if topicARN != "" {
		st, key = s.st.subsByTopic, topicARN
	}
	rows, err := st.ps.QueryContext(ctx, key, after, limit)
	xs, err := collect(rows, err, 0, scanSubscription)
	return xs, s.fault("ListSubscriptions", err)
}

// DeleteSubscription removes a subscription.
func (s *Topics) DeleteSubscription(ctx context.Context, arn string) error {
	return s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.st.delSub.in(ctx, tx).ExecContext(ctx, arn)
		return s.fault("DeleteSubscription", err)
	})
}

// Publish records publications and their deliveries in one transaction.
func (s *Topics) Publish(ctx context.Context, ps []store.Publication) ([]store.Published, error) {
	var out []store.Published
	err := s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		out = make([]store.Published, 0, len(ps))
		for _, p := range ps {
			r, err := s.publish(ctx, tx, p)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Topics) publish(ctx context.Context, tx Tx, p store.Publication) (store.Published, error) {
	r := store.Published{MessageID: p.MessageID}
	// A FIFO publication takes its number first: the update locks the topic's row (PostgreSQL), so
	// the deduplication check below sees every earlier publication of the topic committed.
	if p.FIFO {
		if err := s.st.seq.in(ctx, tx).QueryRowContext(ctx, p.TopicARN).Scan(&r.Seq); err != nil {
			return r, s.fault("Publish", err)
		}
	}
	if p.DedupID != "" {
		err := s.st.dedup.in(ctx, tx).QueryRowContext(ctx, p.TopicARN, p.DedupID, nanos(p.Now)).Scan(&r.MessageID, &r.Seq)
		if err == nil {
			r.Duplicate = true
			return r, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return r, s.fault("Publish", err)
		}
		if _, err := s.st.putDedup.in(ctx, tx).ExecContext(ctx, p.TopicARN, p.DedupID, p.MessageID, r.Seq, nanos(p.DedupUntil)); err != nil {
			return r, s.fault("Publish", err)
		}
	}
	ds := p.Deliveries
	if p.Build != nil {
		ds = p.Build(r.Seq)
	}
	if len(ds) > 0 {
		if err := s.outbox.append(ctx, tx, ds); err != nil {
			return r, err
		}
	}
	return r, nil
}

// SweepDedup forgets expired deduplication ids.
func (s *Topics) SweepDedup(ctx context.Context, now time.Time, limit int) (int, error) {
	var n int64
	err := s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.st.sweep.in(ctx, tx).ExecContext(ctx, nanos(now), limit)
		if err == nil {
			n, _ = res.RowsAffected()
		}
		return s.fault("SweepDedup", err)
	})
	return int(n), err
}

// SigningKey returns the region's key, storing candidate when there is none yet (ErrNotFound
// without a candidate).
func (s *Topics) SigningKey(ctx context.Context, region string, candidate []byte, now time.Time) ([]byte, error) {
	var key []byte
	err := s.st.key.ps.QueryRowContext(ctx, region).Scan(&key)
	if err == nil {
		return key, nil
	}
	if !errors.Is(err, sql.ErrNoRows) || candidate == nil {
		return nil, s.fault("SigningKey", err)
	}
	err = s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.st.putKey.in(ctx, tx).ExecContext(ctx, region, candidate, nanos(now))
		return s.fault("SigningKey", err)
	})
	if err != nil {
		return nil, err
	}
	err = s.st.key.ps.QueryRowContext(ctx, region).Scan(&key)
	return key, s.fault("SigningKey", err)
}
