package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// messageScanner reads message rows into one set of destinations that it reuses from row to row
// (a row's strings and bytes are copies, so what it returns is the caller's).
type messageScanner struct {
	m     store.Message
	times [4]int64 // sent, visible, expires, first receive
	dest  []any
	full  bool // every column (messageColumns) rather than a receive's (receiveColumns)
}

// newMessageScanner reads messageColumns, or receiveColumns when !full, followed by tail.
func newMessageScanner(full bool, tail ...any) *messageScanner {
	s := &messageScanner{full: full}
	m, t := &s.m, &s.times
	if full {
		s.dest = []any{&m.Seq, &m.ID, &m.Body, &m.Attributes, &m.SystemAttributes, &m.MD5Body, &m.MD5Attributes, &m.MD5System,
			&m.SenderID, &t[0], &t[1], &t[2], &m.ReceiveCount, &t[3], &m.ReceiptToken, &m.GroupID, &m.DedupID, &m.DeadLetterSource}
	} else {
		s.dest = []any{&m.Seq, &m.ID, &m.Body, &m.Attributes, &m.SystemAttributes, &m.MD5Body, &m.MD5Attributes, &m.MD5System,
			&m.SenderID, &t[0], &t[2], &m.ReceiveCount, &t[3], &m.GroupID, &m.DedupID, &m.DeadLetterSource}
	}
	s.dest = append(s.dest, tail...)
	return s
}

func (s *messageScanner) scan(row scanner) (store.Message, error) {
	s.m, s.times = store.Message{}, [4]int64{}
	err := row.Scan(s.dest...)
	m := s.m
	m.SentAt, m.ExpiresAt, m.FirstReceiveAt = fromNanos(s.times[0]), fromNanos(s.times[2]), fromNanos(s.times[3])
	if s.full {
		m.VisibleAt = fromNanos(s.times[1])
	}
	return m, err
}

// scanMessage reads one row of messageColumns.
func scanMessage(row scanner) (store.Message, error) { return newMessageScanner(true).scan(row) }

// insert stores one message in queueID and returns its sequence number. SQLite reports the new
// rowid without the cost of RETURNING; PostgreSQL returns it.
func (s *Queues) insert(ctx context.Context, tx Tx, queueID int64, m *store.Message) (int64, error) {
	args := []any{queueID, m.ID, m.Body, m.Attributes, m.SystemAttributes, m.MD5Body, m.MD5Attributes, m.MD5System, m.SenderID,
		nanos(m.SentAt), nanos(m.VisibleAt), nanos(m.ExpiresAt), m.ReceiveCount, nanos(m.FirstReceiveAt), m.ReceiptToken,
		m.GroupID, m.DedupID, m.DeadLetterSource}
	if !s.d.Postgres {
		res, err := s.st.insertMessageNoReturn.in(ctx, tx).ExecContext(ctx, args...)
		if err != nil {
			return 0, err
		}
		return res.LastInsertId()
	}
	var seq int64
	err := s.st.insertMessage.in(ctx, tx).QueryRowContext(ctx, args...).Scan(&seq)
	return seq, err
}

// SendMessages stores messages, deduplicating FIFO sends, in one durable write.
func (s *Queues) SendMessages(ctx context.Context, queueID int64, msgs []store.Message, dedup []store.Dedup, now time.Time) ([]store.SendResult, error) {
	out := make([]store.SendResult, len(msgs))
	if len(msgs) == 0 {
		return out, nil
	}
	if dedup == nil && len(msgs) <= maxBatch && freshAndDistinct(msgs) {
		// One statement (insertMany), which also announces the queue.
		err := s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error { return s.insertMany(ctx, tx, queueID, msgs, out) })
		return out, err
	}
	err := s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		clear(out)
		for i := range msgs {
			if dedup != nil {
				var id string
				var seq int64
				err := s.st.findDedup.in(ctx, tx).QueryRowContext(ctx, queueID, dedup[i].Scope, dedup[i].ID, nanos(now)).Scan(&id, &seq)
				if err == nil {
					out[i] = store.SendResult{Seq: seq, MessageID: id, Duplicate: true}
					continue
				}
				if err != sql.ErrNoRows {
					return s.fault("SendMessages", err)
				}
			}
			seq, err := s.insert(ctx, tx, queueID, &msgs[i])
			if err != nil {
				return s.fault("SendMessages", err)
			}
			out[i] = store.SendResult{Seq: seq, MessageID: msgs[i].ID}
			if i == 0 {
				if err := s.notify(ctx, tx, queueID); err != nil {
					return err
				}
			}
			if dedup != nil {
				_, err := s.st.recordDedup.in(ctx, tx).ExecContext(ctx, queueID, dedup[i].Scope, dedup[i].ID, msgs[i].ID, seq, nanos(dedup[i].Expires))
				if err != nil {
					return s.fault("SendMessages", err)
				}
			}
		}
		return nil
	})
	return out, err
}

// freshAndDistinct reports whether every message is new (see freshRow) and has its own id, as
// insertMany requires.
func freshAndDistinct(msgs []store.Message) bool {
	for i, m := range msgs {
		if m.ReceiveCount != 0 || !m.FirstReceiveAt.IsZero() || m.ReceiptToken != "" || m.DeadLetterSource != "" {
			return false
		}
		for _, earlier := range msgs[:i] {
			if earlier.ID == m.ID {
				return false
			}
		}
	}
	return true
}

// plain reports whether a fresh message has none of the columns that plainRow writes as constants.
func plain(m store.Message) bool {
	return m.Attributes == nil && m.SystemAttributes == nil && m.MD5Attributes == "" && m.MD5System == "" && m.GroupID == "" && m.DedupID == ""
}

// uniform reports whether msgs share their sender and times (the insertMany/uniform statements
// bind those once).
func uniform(msgs []store.Message) bool {
	for _, m := range msgs[1:] {
		if m.SenderID != msgs[0].SenderID || !m.SentAt.Equal(msgs[0].SentAt) || !m.VisibleAt.Equal(msgs[0].VisibleAt) || !m.ExpiresAt.Equal(msgs[0].ExpiresAt) {
			return false
		}
	}
	return true
}

// rowsOf is the kind of rows the insertMany statements write for msgs: uniformRows (SQLite:
// plain messages sharing sender and times), plainRows (every message plain) or freshRows.
func (s *Queues) rowsOf(msgs []store.Message) rowKind {
	for _, m := range msgs {
		if !plain(m) {
			return freshRows
		}
	}
	if !s.d.Postgres && uniform(msgs) {
		return uniformRows
	}
	return plainRows
}

// insertMany stores up to maxBatch fresh messages with distinct ids with one statement and
// announces the queue. SQLite gives the statement's rows consecutive rowids and reports the last;
// PostgreSQL returns each row's sequence number and notifies in the same statement.
func (s *Queues) insertMany(ctx context.Context, tx Tx, queueID int64, msgs []store.Message, out []store.SendResult) error {
	kind := s.rowsOf(msgs)
	args := make([]any, 0, 14*len(msgs)+1)
	if kind == uniformRows {
		m := msgs[0]
		args = append(args, queueID, m.SenderID, nanos(m.SentAt), nanos(m.VisibleAt), nanos(m.ExpiresAt))
	}
	for _, m := range msgs {
		switch kind {
		case uniformRows:
			args = append(args, m.ID, m.Body, m.MD5Body)
		case plainRows:
			args = append(args, queueID, m.ID, m.Body, m.MD5Body, m.SenderID, nanos(m.SentAt), nanos(m.VisibleAt), nanos(m.ExpiresAt))
		default:
			args = append(args, queueID, m.ID, m.Body, m.Attributes, m.SystemAttributes, m.MD5Body, m.MD5Attributes, m.MD5System, m.SenderID,
				nanos(m.SentAt), nanos(m.VisibleAt), nanos(m.ExpiresAt), m.GroupID, m.DedupID)
		}
	}
	if s.d.Postgres {
		args = append(args, strconv.FormatInt(queueID, 10))
		rows, err := s.st.insertManyNotify[kind][len(msgs)].in(ctx, tx).QueryContext(ctx, args...)
		if err != nil {
			return s.fault("SendMessages", err)
		}
		defer rows.Close()
		seqs := make(map[string]int64, len(msgs))
		for rows.Next() {
			var seq int64
			var id string
			if err := rows.Scan(&seq, &id); err != nil {
				return s.fault("SendMessages", err)
			}
			seqs[id] = seq
		}
		// Close reads the statement to its end, and outside a transaction that end is its commit.
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return s.fault("SendMessages", err)
		}
		for i, m := range msgs {
			seq, ok := seqs[m.ID]
			if !ok {
				return s.fault("SendMessages", fmt.Errorf("no sequence number returned for message %s", m.ID))
			}
			out[i] = store.SendResult{Seq: seq, MessageID: m.ID}
		}
		return nil
	}
	res, err := s.st.insertMany[kind][len(msgs)].in(ctx, tx).ExecContext(ctx, args...)
	if err != nil {
		return s.fault("SendMessages", err)
	}
	last, err := res.LastInsertId()
	if err != nil {
		return s.fault("SendMessages", err)
	}
	for i, m := range msgs {
		out[i] = store.SendResult{Seq: last - int64(len(msgs)-1-i), MessageID: m.ID}
	}
	return nil
}

// notify announces, at commit, that the queue has new messages (PostgreSQL only).
func (s *Queues) notify(ctx context.Context, tx Tx, queueID int64) error {
	if !s.d.Postgres {
		return nil
	}
	_, err := s.st.notify.in(ctx, tx).ExecContext(ctx, strconv.FormatInt(queueID, 10))
	return s.fault("notify", err)
}

// ReceiveMessages delivers up to r.Max visible messages, moving over-received ones to the
// dead-letter queue on the way (and announcing it once, on PostgreSQL, when any moved).
func (s *Queues) ReceiveMessages(ctx context.Context, r store.Receive) (store.Received, error) {
	var out []store.Message
	var movedAll int
	if s.d.Postgres && !r.FIFO && r.Attempt == "" {
		if r.MaxReceiveCount > 0 && r.DeadLetterQueue != 0 {
			return s.takeOrMove(ctx, r)
		}
		// Nothing can move to a dead-letter queue: the receive is takeVisible, one statement.
		err := s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
			var err error
			out, err = s.takeVisible(ctx, tx, r)
			return err
		})
		return store.Received{Messages: out}, err
	}
	err := s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		out, movedAll = out[:0], 0
		if r.FIFO && s.d.Postgres {
			// Serialise FIFO receives per queue so two receivers cannot take one group at once.
			if _, err := s.st.lockQueue.in(ctx, tx).ExecContext(ctx, r.QueueID); err != nil {
				return s.fault("ReceiveMessages", err)
			}
		}
		if r.Attempt != "" {
			held, err := s.heldByAttempt(ctx, tx, r)
			if err != nil || len(held) > 0 {
				out = held
				return err
			}
		}
		// A round that moved messages to the dead-letter queue leaves room; refill it. A message
		// is handed out at most once per receive, even with a zero visibility timeout.
		var taken []int64 // at most a few dozen: a slice beats a map
		for round := 0; round < refillRounds && len(out) < r.Max; round++ {
			moved := 0
			cands, err := s.candidates(ctx, tx, r, r.Max-len(out)+len(taken))
			if err != nil {
				return err
			}
			deliver := cands[:0] // filtered in place: each candidate is read before its slot is written
			for _, m := range cands {
				if slices.Contains(taken, m.Seq) || len(out)+len(deliver) == r.Max {
					continue
				}
				taken = append(taken, m.Seq)
				if r.MaxReceiveCount > 0 && m.ReceiveCount >= r.MaxReceiveCount && r.DeadLetterQueue != 0 {
					if err := s.moveToDeadLetter(ctx, tx, r, m); err != nil {
						return err
					}
					moved++
					continue
				}
				deliver = append(deliver, m)
			}
			if err := s.markReceived(ctx, tx, r, deliver); err != nil {
				return err
			}
			if len(out) == 0 {
				out = deliver
			} else {
				out = append(out, deliver...)
			}
			movedAll += moved
			if moved == 0 {
				break
			}
		}
		if movedAll > 0 {
			if err := s.notify(ctx, tx, r.DeadLetterQueue); err != nil {
				return err
			}
		}
		if r.Attempt != "" && len(out) > 0 {
			return s.recordAttempt(ctx, tx, r, out)
		}
		return nil
	})
	return store.Received{Messages: out, Moved: movedAll}, err
}

// refillRounds bounds the rounds of one receive: each after the first fills the room that the
// messages moved to the dead-letter queue in the last one left.
const refillRounds = 4

// takeOrMove receives from a standard queue with a dead-letter queue on PostgreSQL in rounds of
// one statement each (takeOrMove: one round trip, where a transaction of takeVisible and the
// moves took three or more). A round that moved messages to the dead-letter queue leaves room,
// which the next fills, excluding what this receive took already (a zero visibility timeout
// leaves it visible). Each round commits on its own, so a later round that fails leaves the
// earlier ones' messages received: they are delivered rather than hidden for their visibility
// timeout behind an error.
func (s *Queues) takeOrMove(ctx context.Context, r store.Receive) (store.Received, error) {
	var got store.Received
	taken := []int64{} // not nil: PostgreSQL reads a nil slice as NULL, and seq <> ALL(NULL) holds for no row
	for round := 0; round < refillRounds && len(got.Messages) < r.Max; round++ {
		msgs, moved, err := s.takeOrMoveRound(ctx, r, r.Max-len(got.Messages), taken)
		if err != nil {
			if round == 0 {
				return got, err
			}
			break
		}
		got.Messages, got.Moved = append(got.Messages, msgs...), got.Moved+moved
		for _, m := range msgs {
			taken = append(taken, m.Seq)
		}
		if moved == 0 {
			break
		}
	}
	sort.Slice(got.Messages, func(i, j int) bool { return got.Messages[i].Seq < got.Messages[j].Seq })
	return got, nil
}

// takeOrMoveRound runs one takeOrMove statement for up to n messages.
func (s *Queues) takeOrMoveRound(ctx context.Context, r store.Receive, n int, taken []int64) (msgs []store.Message, moved int, err error) {
	now := nanos(r.Now)
	err = s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		msgs, moved = msgs[:0], 0
		rows, err := s.st.takeOrMove.in(ctx, tx).QueryContext(ctx, r.QueueID, now, now, taken, n,
			now, nanos(r.VisibleUntil), r.NewToken(), r.MaxReceiveCount, r.MaxReceiveCount,
			r.DeadLetterFIFO, now, r.DeadLetterQueue, now, r.DeadLetterExpiry.Nanoseconds(), r.SourceARN,
			strconv.FormatInt(r.DeadLetterQueue, 10))
		all, err := collect(rows, err, n, newMessageScanner(true, &moved).scan)
		if err != nil {
			return s.fault("ReceiveMessages", err)
		}
		for _, m := range all {
			if m.Seq != 0 { // 0: the row that carries the count when nothing was taken
				msgs = append(msgs, m)
			}
		}
		return nil
	})
	return msgs, moved, err
}

// heldByAttempt returns, when r.Attempt names an earlier receive of the queue within its window,
// the messages that receive delivered and still holds, with their visibility timeout restarted
// (r.VisibleUntil) and their receipt tokens unchanged.
func (s *Queues) heldByAttempt(ctx context.Context, tx Tx, r store.Receive) ([]store.Message, error) {
	var handles string
	err := s.st.findAttempt.in(ctx, tx).QueryRowContext(ctx, r.QueueID, r.Attempt, nanos(r.Now)).Scan(&handles)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, s.fault("ReceiveMessages", err)
	}
	var out []store.Message
	now := nanos(r.Now)
	for _, h := range strings.Split(handles, ",") {
		seqText, token, _ := strings.Cut(h, ":")
		seq, err := strconv.ParseInt(seqText, 10, 64)
		if err != nil {
			return nil, s.fault("ReceiveMessages", fmt.Errorf("receive attempt %q: bad handle %q", r.Attempt, h))
		}
		m, err := scanMessage(s.st.heldMessage.in(ctx, tx).QueryRowContext(ctx, r.QueueID, seq, token, now, now))
		if errors.Is(err, sql.ErrNoRows) {
			continue // deleted, expired, visible again or received by another receive since
		}
		if err != nil {
			return nil, s.fault("ReceiveMessages", err)
		}
		if _, err := s.st.setVisibility.in(ctx, tx).ExecContext(ctx, nanos(r.VisibleUntil), seq); err != nil {
			return nil, s.fault("ReceiveMessages", err)
		}
		m.VisibleAt = r.VisibleUntil
		out = append(out, m)
	}
	return out, nil
}

// recordAttempt records what the receive named r.Attempt delivered, for its retries.
func (s *Queues) recordAttempt(ctx context.Context, tx Tx, r store.Receive, msgs []store.Message) error {
	var b strings.Builder
	for i, m := range msgs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(m.Seq, 10))
		b.WriteByte(':')
		b.WriteString(m.ReceiptToken)
	}
	_, err := s.st.recordAttempt.in(ctx, tx).ExecContext(ctx, r.QueueID, r.Attempt, b.String(), nanos(r.AttemptExpires))
	return s.fault("ReceiveMessages", err)
}

// takeVisible marks up to r.Max visible messages of a standard queue received (those visible
// longest first) and returns them in send order, with their new receive counts.
func (s *Queues) takeVisible(ctx context.Context, tx Tx, r store.Receive) ([]store.Message, error) {
	now := nanos(r.Now)
	rows, err := s.st.takeVisible.in(ctx, tx).QueryContext(ctx, now, nanos(r.VisibleUntil), r.NewToken(), r.QueueID, now, now, r.Max)
	out, err := collect(rows, err, r.Max, newMessageScanner(true).scan)
	if err != nil {
		return nil, s.fault("ReceiveMessages", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, nil
}

func (s *Queues) candidates(ctx context.Context, tx Tx, r store.Receive, n int) ([]store.Message, error) {
	now := nanos(r.Now)
	var rows *sql.Rows
	var err error
	switch {
	case n <= maxBatch && r.FIFO:
		rows, err = s.st.fifoCandidates[n].in(ctx, tx).QueryContext(ctx, r.QueueID, now, now, r.QueueID, now)
	case n <= maxBatch:
		rows, err = s.st.candidates[n].in(ctx, tx).QueryContext(ctx, r.QueueID, now, now)
	case r.FIFO:
		rows, err = s.st.fifoCandidatesAny.in(ctx, tx).QueryContext(ctx, r.QueueID, now, now, r.QueueID, now, n)
	default:
		rows, err = s.st.candidatesAny.in(ctx, tx).QueryContext(ctx, r.QueueID, now, now, n)
	}
	out, err := collect(rows, err, n, newMessageScanner(false).scan)
	return out, s.fault("ReceiveMessages", err)
}

// markReceived records one receive of msgs with one statement: a receive count, the first
// receive time, the new visibility deadline and a receipt token shared by the batch (a handle
// names its message's sequence number too, so the pair stays unique and unguessable).
func (s *Queues) markReceived(ctx context.Context, tx Tx, r store.Receive, msgs []store.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	token := r.NewToken()
	args := []any{nanos(r.Now), nanos(r.VisibleUntil), token}
	for i := range msgs {
		m := &msgs[i]
		m.ReceiveCount++
		if m.FirstReceiveAt.IsZero() {
			m.FirstReceiveAt = r.Now
		}
		m.VisibleAt, m.ReceiptToken = r.VisibleUntil, token
		args = append(args, m.Seq)
	}
	_, err := s.st.markReceived[len(msgs)].in(ctx, tx).ExecContext(ctx, args...)
	return s.fault("ReceiveMessages", err)
}

// moveToDeadLetter moves m to the dead-letter queue. Standard queues keep the original sent time
// (and so the retention clock); FIFO queues restart it.
func (s *Queues) moveToDeadLetter(ctx context.Context, tx Tx, r store.Receive, m store.Message) error {
	moved := m
	moved.ReceiveCount, moved.FirstReceiveAt, moved.ReceiptToken = 0, time.Time{}, ""
	moved.VisibleAt = r.Now
	moved.DeadLetterSource = r.SourceARN
	if r.DeadLetterFIFO {
		moved.SentAt = r.Now
	}
	moved.ExpiresAt = moved.SentAt.Add(r.DeadLetterExpiry)
	if _, err := s.insert(ctx, tx, r.DeadLetterQueue, &moved); err != nil {
		return s.fault("ReceiveMessages", err)
	}
	_, err := s.st.deleteSeq.in(ctx, tx).ExecContext(ctx, m.Seq)
	return s.fault("ReceiveMessages", err)
}

// DeleteMessages deletes received messages by handle with one statement in one durable write.
func (s *Queues) DeleteMessages(ctx context.Context, queueID int64, handles []store.Handle) (int, error) {
	if len(handles) == 0 || len(handles) > maxBatch {
		return 0, fmt.Errorf("queues.DeleteMessages: %d handles; want 1 to %d", len(handles), maxBatch)
	}
	st, args, pairs := s.st.deleteReceivedOnce[len(handles)], []any{queueID, handles[0].Token}, false
	for _, h := range handles {
		if h.Token != handles[0].Token {
			st, args, pairs = s.st.deleteReceived[len(handles)], args[:1], true
			break
		}
	}
	for _, h := range handles {
		if args = append(args, h.Seq); pairs {
			args = append(args, h.Token)
		}
	}
	deleted := 0
	err := s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		res, err := st.in(ctx, tx).ExecContext(ctx, args...)
		if err != nil {
			return s.fault("DeleteMessages", err)
		}
		n, _ := res.RowsAffected()
		deleted = int(n)
		return nil
	})
	return deleted, err
}

// ChangeVisibility moves received messages' visibility deadlines while they are in flight.
func (s *Queues) ChangeVisibility(ctx context.Context, queueID int64, changes []store.VisibilityChange, now time.Time) ([]store.ChangeResult, error) {
	results := make([]store.ChangeResult, len(changes))
	err := s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		get, set := s.st.visibilityOf.in(ctx, tx), s.st.setVisibility.in(ctx, tx)
		for i, c := range changes {
			var current string
			var visible int64
			err := get.QueryRowContext(ctx, queueID, c.Seq).Scan(&current, &visible)
			switch {
			case err == sql.ErrNoRows || err == nil && current != c.Token:
				results[i] = store.NotFound
				continue
			case err != nil:
				return s.fault("ChangeVisibility", err)
			case visible <= nanos(now):
				results[i] = store.NotInFlight
				continue
			}
			if _, err := set.ExecContext(ctx, nanos(c.VisibleAt), c.Seq); err != nil {
				return s.fault("ChangeVisibility", err)
			}
			results[i] = store.Changed
			if nanos(c.VisibleAt) < visible {
				results[i] = store.Hastened
			}
		}
		if slices.Contains(results, store.Hastened) {
			return s.notify(ctx, tx, queueID)
		}
		return nil
	})
	return results, err
}

// MoveMessages moves visible messages to the queues route chooses, and counts them on task, in one
// durable write.
func (s *Queues) MoveMessages(ctx context.Context, from int64, max int, now time.Time, route func(store.Message) (int64, time.Time, bool), task string) (int, string, error) {
	moved, status := 0, ""
	err := s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		moved = 0
		rows, err := s.st.moveCandidates.in(ctx, tx).QueryContext(ctx, from, nanos(now), nanos(now), max)
		if err != nil {
			return s.fault("MoveMessages", err)
		}
		var cands []store.Message
		for rows.Next() {
			m, err := scanMessage(rows)
			if err != nil {
				rows.Close()
				return s.fault("MoveMessages", err)
			}
			cands = append(cands, m)
		}
		rows.Close()
		notified := map[int64]bool{}
		for _, m := range cands {
			to, expires, ok := route(m)
			if !ok {
				continue
			}
			fresh := m
			fresh.ReceiveCount, fresh.FirstReceiveAt, fresh.ReceiptToken, fresh.DeadLetterSource = 0, time.Time{}, "", ""
			fresh.VisibleAt, fresh.ExpiresAt = now, expires
			if _, err := s.insert(ctx, tx, to, &fresh); err != nil {
				return s.fault("MoveMessages", err)
			}
			if _, err := s.st.deleteSeq.in(ctx, tx).ExecContext(ctx, m.Seq); err != nil {
				return s.fault("MoveMessages", err)
			}
			moved++
			if !notified[to] {
				notified[to] = true
				if err := s.notify(ctx, tx, to); err != nil {
					return err
				}
			}
		}
		if task == "" {
			return nil
		}
		return s.fault("MoveMessages", s.st.progressMoveTask.in(ctx, tx).QueryRowContext(ctx, moved, nanos(now), task).Scan(&status))
	})
	return moved, status, err
}

// PurgeMessages deletes every message of a queue.
func (s *Queues) PurgeMessages(ctx context.Context, queueID int64) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.st.deleteMessages.in(ctx, tx).ExecContext(ctx, queueID)
		return s.fault("PurgeMessages", err)
	})
}

// CountMessages counts visible, in-flight and delayed messages.
func (s *Queues) CountMessages(ctx context.Context, queueID int64, now time.Time) (store.Counts, error) {
	var c store.Counts
	var visible, inflight, delayed sql.NullInt64
	n := nanos(now)
	err := s.st.counts.ps.QueryRowContext(ctx, n, n, n, queueID, n).Scan(&visible, &inflight, &delayed)
	c.Visible, c.InFlight, c.Delayed = visible.Int64, inflight.Int64, delayed.Int64
	return c, s.fault("CountMessages", err)
}

// NextVisible is the earliest visibility time after now.
func (s *Queues) NextVisible(ctx context.Context, queueID int64, now time.Time) (time.Time, bool, error) {
	var next sql.NullInt64
	err := s.st.nextVisible.ps.QueryRowContext(ctx, queueID, nanos(now)).Scan(&next)
	if err != nil || !next.Valid {
		return time.Time{}, false, s.fault("NextVisible", err)
	}
	return fromNanos(next.Int64), true, nil
}

// expireBatch bounds how many rows one sweep deletes in a transaction.
const expireBatch = 1000

// ExpireMessages deletes a batch of messages past retention, and expired deduplication entries
// and receive attempts.
func (s *Queues) ExpireMessages(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.st.expire.in(ctx, tx).ExecContext(ctx, nanos(now), expireBatch)
		if err != nil {
			return s.fault("ExpireMessages", err)
		}
		n, _ = res.RowsAffected()
		if _, err = s.st.expireDedup.in(ctx, tx).ExecContext(ctx, nanos(now)); err != nil {
			return s.fault("ExpireMessages", err)
		}
		_, err = s.st.expireAttempts.in(ctx, tx).ExecContext(ctx, nanos(now))
		return s.fault("ExpireMessages", err)
	})
	return n, err
}
