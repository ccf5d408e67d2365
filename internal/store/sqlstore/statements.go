package sqlstore

import (
	"fmt"
	"strings"

	"github.com/gureum/gureum/internal/store"
)

// The statements, by name. Each is prepared once when the store is built: the write statements
// on the write side, the read statements on the read pool, so no request pays for parsing SQL.
const (
	messageColumns = `seq, id, body, attributes, system_attributes, md5_body, md5_attributes, md5_system, sender_id,
	sent_at, visible_at, expires_at, receive_count, first_receive_at, receipt_token, group_id, dedup_id, dlq_source`
	// receiveColumns are what a receive reads of its candidates: it sets the visibility deadline
	// and receipt token itself.
	receiveColumns = `seq, id, body, attributes, system_attributes, md5_body, md5_attributes, md5_system, sender_id,
	sent_at, expires_at, receive_count, first_receive_at, group_id, dedup_id, dlq_source`
	queueColumns = `id, account_id, name, fifo, attributes, tags, dlq_target, created_at, modified_at, purged_at`
)

// qualifiedMessageColumns is messageColumns of the table aliased m.
var qualifiedMessageColumns = "m." + strings.Join(strings.Fields(strings.ReplaceAll(messageColumns, ",", "")), ", m.")

// Queues implements store.Queues: queues, their messages, FIFO deduplication and receive
// attempts.
type Queues struct {
	base
	st struct {
		createQueue, updateQueue, queueName, deleteMessages, deleteDedup, deleteAttempts, deleteQueue, recordDeleted, findDedup, insertMessage, insertMessageNoReturn, recordDedup, lockQueue, fifoCandidatesAny, candidatesAny, takeVisible, takeOrMove, moveCandidates, progressMoveTask, deleteSeq, visibilityOf, setVisibility, expire, expireDedup, expireAttempts, findAttempt, recordAttempt, heldMessage, notify *stmt
		queue, queueByID, listQueues, dlqSources, deletedSince, counts, nextVisible                                                                                                                                                                                                                                                                                                                                      *stmt
		// For n = 1…maxBatch, written for n rows (index n): see candidates and batched below.
		candidates, fifoCandidates, markReceived, deleteReceived, deleteReceivedOnce [maxBatch + 1]*stmt
		insertMany                                                                   [rowKinds][maxBatch + 1]*stmt // SQLite
		insertManyNotify                                                             [rowKinds][maxBatch + 1]*stmt // PostgreSQL (no uniform rows: it numbers no parameters)
	}
}

var _ store.Queues = (*Queues)(nil)

// newQueues declares the queue domain's statements.
func newQueues(b base) *Queues {
	s := &Queues{base: b.of("queues")}
	w, r := s.stmts.w, s.stmts.r
	s.st.createQueue = w("createQueue", `INSERT INTO queues (account_id, name, fifo, attributes, tags, dlq_target, created_at, modified_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	s.st.updateQueue = w("updateQueue", `UPDATE queues SET attributes = ?, tags = ?, dlq_target = ?, modified_at = ?, purged_at = ? WHERE id = ?`)
	s.st.queueName = w("queueName", `SELECT account_id, name FROM queues WHERE id = ?`)
	s.st.deleteMessages = w("deleteMessages", `DELETE FROM messages WHERE queue_id = ?`)
	s.st.deleteDedup = w("deleteDedup", `DELETE FROM fifo_dedup WHERE queue_id = ?`)
	s.st.deleteAttempts = w("deleteAttempts", `DELETE FROM receive_attempts WHERE queue_id = ?`)
	s.st.deleteQueue = w("deleteQueue", `DELETE FROM queues WHERE id = ?`)
	s.st.recordDeleted = w("recordDeleted", `INSERT INTO deleted_queues (account_id, name, deleted_at) VALUES (?, ?, ?)
		ON CONFLICT (account_id, name) DO UPDATE SET deleted_at = excluded.deleted_at`)
	s.st.findDedup = w("findDedup", `SELECT message_id, seq FROM fifo_dedup WHERE queue_id = ? AND scope = ? AND dedup_id = ? AND expires_at > ?`)
	s.st.insertMessage = w("insertMessage", `INSERT INTO messages (queue_id, id, body, attributes, system_attributes, md5_body, md5_attributes,
		md5_system, sender_id, sent_at, visible_at, expires_at, receive_count, first_receive_at, receipt_token, group_id, dedup_id, dlq_source)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`)
	s.st.insertMessageNoReturn = w("insertMessageNoReturn", `INSERT INTO messages (queue_id, id, body, attributes, system_attributes, md5_body, md5_attributes,
		md5_system, sender_id, sent_at, visible_at, expires_at, receive_count, first_receive_at, receipt_token, group_id, dedup_id, dlq_source)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	s.st.recordDedup = w("recordDedup", `INSERT INTO fifo_dedup (queue_id, scope, dedup_id, message_id, seq, expires_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (queue_id, scope, dedup_id) DO UPDATE SET message_id = excluded.message_id, seq = excluded.seq, expires_at = excluded.expires_at`)
	s.st.lockQueue = w("lockQueue", `SELECT id FROM queues WHERE id = ? FOR UPDATE`)
	// A receive's candidates for any n; candidates/n and fifoCandidates/n have LIMIT n written in.
	s.st.fifoCandidatesAny = w("fifoCandidates", fifoCandidates+` LIMIT ?`)
	s.st.candidatesAny = w("candidates", candidates+` LIMIT ?`)
	// takeVisible is candidates and markReceived in one statement (one round trip), for standard
	// queues on PostgreSQL.
	s.st.takeVisible = w("takeVisible", `UPDATE messages SET receive_count = receive_count + 1,
			first_receive_at = CASE WHEN first_receive_at = 0 THEN ? ELSE first_receive_at END,
			visible_at = ?, receipt_token = ?
		WHERE seq IN (SELECT seq FROM messages WHERE queue_id = ? AND visible_at <= ? AND expires_at > ?
			ORDER BY visible_at, seq LIMIT ?{{lock}})
		RETURNING `+messageColumns)
	// takeOrMove is a receive from a standard queue with a dead-letter queue, for PostgreSQL, in
	// one statement: it takes up to n visible messages (skipping seqs already taken by this
	// receive), marks those under the receive limit received and returns them, moves those at the
	// limit to the dead-letter queue (keeping their sent time unless that queue is FIFO), and
	// announces the dead-letter queue when any moved. The moved count ends each row, and a row
	// of zeros (seq 0) carries it when nothing was taken. The announcement's count is read in the
	// last line, as a filter that always holds: a SELECT in WITH runs only where it is read, and
	// the planner drops a count that nothing uses.
	s.st.takeOrMove = w("takeOrMove", `WITH cand AS (
			SELECT seq, receive_count FROM messages WHERE queue_id = ? AND visible_at <= ? AND expires_at > ? AND seq <> ALL(?::bigint[])
			ORDER BY visible_at, seq LIMIT ? FOR UPDATE SKIP LOCKED),
		taken AS (
			UPDATE messages m SET receive_count = m.receive_count + 1,
				first_receive_at = CASE WHEN m.first_receive_at = 0 THEN ? ELSE m.first_receive_at END,
				visible_at = ?, receipt_token = ?
			FROM cand WHERE m.seq = cand.seq AND cand.receive_count < ?
			RETURNING `+qualifiedMessageColumns+`),
		gone AS (
			DELETE FROM messages m USING cand WHERE m.seq = cand.seq AND cand.receive_count >= ?
			RETURNING m.id, m.body, m.attributes, m.system_attributes, m.md5_body, m.md5_attributes, m.md5_system,
				m.sender_id, CASE WHEN ?::boolean THEN ?::bigint ELSE m.sent_at END AS sent_at, m.group_id, m.dedup_id),
		moved AS (
			INSERT INTO messages (`+insertColumns+`)
			SELECT ?::bigint, id, body, attributes, system_attributes, md5_body, md5_attributes, md5_system, sender_id,
				sent_at, ?::bigint, sent_at + ?::bigint, 0, 0, '', group_id, dedup_id, ?::text FROM gone
			RETURNING seq),
		announced AS (SELECT pg_notify('`+NotifyChannel+`', ?) FROM (SELECT 1 FROM moved LIMIT 1) any_moved),
		outcome AS (SELECT count(*) AS moved FROM moved)
		SELECT COALESCE(t.seq, 0), COALESCE(t.id, ''), COALESCE(t.body, ''::bytea), t.attributes, t.system_attributes,
			COALESCE(t.md5_body, ''), COALESCE(t.md5_attributes, ''), COALESCE(t.md5_system, ''), COALESCE(t.sender_id, ''),
			COALESCE(t.sent_at, 0), COALESCE(t.visible_at, 0), COALESCE(t.expires_at, 0), COALESCE(t.receive_count, 0),
			COALESCE(t.first_receive_at, 0), COALESCE(t.receipt_token, ''), COALESCE(t.group_id, ''), COALESCE(t.dedup_id, ''),
			COALESCE(t.dlq_source, ''), outcome.moved
		FROM outcome LEFT JOIN taken t ON true
		WHERE (SELECT count(*) FROM announced) >= 0`)
	s.st.progressMoveTask = w("progressMoveTask", progressMoveTaskSQL)
	// moveCandidates takes the longest-visible first, the index's order: ordering by seq would
	// sort the dead-letter queue's whole visible range at every step of a move task.
	s.st.moveCandidates = w("moveCandidates", `SELECT `+messageColumns+` FROM messages WHERE queue_id = ? AND visible_at <= ? AND expires_at > ?
		ORDER BY visible_at, seq LIMIT ?`)
	s.st.deleteSeq = w("deleteSeq", `DELETE FROM messages WHERE seq = ?`)
	s.st.visibilityOf = w("visibilityOf", `SELECT receipt_token, visible_at FROM messages WHERE queue_id = ? AND seq = ?`)
	s.st.setVisibility = w("setVisibility", `UPDATE messages SET visible_at = ? WHERE seq = ?`)
	s.st.expire = w("expire", `DELETE FROM messages WHERE seq IN (SELECT seq FROM messages WHERE expires_at <= ? LIMIT ?)`)
	s.st.expireDedup = w("expireDedup", `DELETE FROM fifo_dedup WHERE expires_at <= ?`)
	s.st.expireAttempts = w("expireAttempts", `DELETE FROM receive_attempts WHERE expires_at <= ?`)
	s.st.findAttempt = w("findAttempt", `SELECT handles FROM receive_attempts WHERE queue_id = ? AND attempt = ? AND expires_at > ?`)
	s.st.recordAttempt = w("recordAttempt", `INSERT INTO receive_attempts (queue_id, attempt, handles, expires_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (queue_id, attempt) DO UPDATE SET handles = excluded.handles, expires_at = excluded.expires_at`)
	// heldMessage is a message still held (invisible) by the receive that gave it the token: a
	// retried receive returns it again, with its visibility timeout restarted.
	s.st.heldMessage = w("heldMessage", `SELECT `+messageColumns+` FROM messages WHERE queue_id = ? AND seq = ? AND receipt_token = ?
		AND visible_at > ? AND expires_at > ?`)
	s.st.notify = w("notify", `SELECT pg_notify('`+NotifyChannel+`', ?)`)
	s.st.queue = r("queue", `SELECT `+queueColumns+` FROM queues WHERE account_id = ? AND name = ?`)
	s.st.queueByID = r("queueByID", `SELECT `+queueColumns+` FROM queues WHERE id = ?`)
	s.st.listQueues = r("listQueues", `SELECT `+queueColumns+` FROM queues WHERE account_id = ? ORDER BY name`)
	s.st.dlqSources = r("dlqSources", `SELECT `+queueColumns+` FROM queues WHERE account_id = ? AND dlq_target = ? ORDER BY name`)
	s.st.deletedSince = r("deletedSince", `SELECT deleted_at FROM deleted_queues WHERE account_id = ? AND name = ?`)
	s.st.counts = r("counts", `SELECT
			SUM(CASE WHEN visible_at <= ? THEN 1 ELSE 0 END),
			SUM(CASE WHEN visible_at > ? AND receive_count > 0 THEN 1 ELSE 0 END),
			SUM(CASE WHEN visible_at > ? AND receive_count = 0 THEN 1 ELSE 0 END)
		FROM messages WHERE queue_id = ? AND expires_at > ?`)
	s.st.nextVisible = r("nextVisible", `SELECT MIN(visible_at) FROM messages WHERE queue_id = ? AND visible_at > ?`)
	s.batched()
	// Where the backends differ: SQLite's single writer serialises receives (no lock, no
	// one-statement receive) and its long polls are all local (no notify); PostgreSQL's receives
	// pass each other's locked rows by.
	for _, st := range []*stmt{s.st.lockQueue, s.st.notify, s.st.takeOrMove} {
		st.only = postgresOnly
	}
	s.st.candidatesAny.lock, s.st.moveCandidates.lock = true, true
	return s
}

// A receive's candidates, the hottest query, written so that SQLite never prepares it again.
// SQLite's planner reads some bound values while it plans (a LIMIT's; the right side of an
// equality that a plan it weighs does not use), and such a statement is prepared afresh once its
// parameters are cleared, which mattn/go-sqlite3 does after every run: each receive paid a parse
// and a plan, a quarter of its CPU. So the limit is written in (batched adds a statement for each
// n up to maxBatch, named by sized, used whenever the receive wants no more than that:
// always but in a refill round after dead-letter moves), and the queue id is compared to +?,
// which SQLite cannot read ahead and which PostgreSQL's placeholders drop (Store.q).
const (
	// fifoCandidates walks the queue in send order (messages_fifo) and stops at the first n
	// deliverable messages, rather than sorting every visible one: +visible_at keeps SQLite's
	// planner, which has no statistics, from taking messages_visible's range and sorting it.
	fifoCandidates = `SELECT ` + receiveColumns + ` FROM messages WHERE queue_id = +? AND group_id <> '' AND +visible_at <= ? AND expires_at > ?
		AND group_id NOT IN (SELECT group_id FROM messages WHERE queue_id = +? AND receive_count > 0 AND visible_at > ?)
		ORDER BY seq`
	candidates = `SELECT ` + receiveColumns + ` FROM messages WHERE queue_id = +? AND visible_at <= ? AND expires_at > ?
		ORDER BY visible_at, seq`
)

// NotifyChannel is the PostgreSQL channel of store.QueuesTopic, on which a queue's id is
// announced when it gains visible messages, so long polls on other nodes wake: SQS's statements
// notify it inside their own transactions, and Notifier.Listen hands it to the topic's subscribers.
const NotifyChannel = ChannelPrefix + store.QueuesTopic

// maxBatch is the largest batch the batched statements below are prepared for (SQS's 10).
const maxBatch = 10

const insertColumns = `queue_id, id, body, attributes, system_attributes, md5_body, md5_attributes,
	md5_system, sender_id, sent_at, visible_at, expires_at, receive_count, first_receive_at, receipt_token, group_id, dedup_id, dlq_source`

// A fresh message (never received, not moved from a source queue) has no receive count, first
// receive, receipt token or dead-letter source: the batched inserts write those as constants and
// bind the other 14 columns (a bound value costs the driver more than a constant costs SQLite).
const freshRow = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, '', ?, ?, '')"

// A plain fresh message (the common send to a standard queue) also has no message or system
// attributes, FIFO group or deduplication id: six more constants, and 8 bound columns (the
// insertMany/plain statements).
const plainRow = "(?, ?, ?, NULL, NULL, ?, '', '', ?, ?, ?, ?, 0, 0, '', '', '', '')"

// rowKind is how a batched insert writes its rows.
type rowKind int

const (
	freshRows   rowKind = iota // freshRow: what a fresh message may carry
	plainRows                  // plainRow: no attributes, group or deduplication id
	uniformRows                // SQLite: plain rows that share their sender and times
	rowKinds
)

// batched declares, for n = 1…maxBatch, the statements that handle n messages at once.
func (s *Queues) batched() {
	w := s.stmts.w
	for n := 1; n <= maxBatch; n++ {
		s.st.candidates[n] = w(fmt.Sprint("candidates/", n), fmt.Sprint(candidates, " LIMIT ", n))
		s.st.candidates[n].lock = true
		s.st.fifoCandidates[n] = w(fmt.Sprint("fifoCandidates/", n), fmt.Sprint(fifoCandidates, " LIMIT ", n))
		in := "?" + strings.Repeat(", ?", n-1)
		pairs := "(seq = ? AND receipt_token = ?)" + strings.Repeat(" OR (seq = ? AND receipt_token = ?)", n-1)
		s.st.markReceived[n] = w(fmt.Sprint("markReceived/", n), `UPDATE messages SET receive_count = receive_count + 1,
			first_receive_at = CASE WHEN first_receive_at = 0 THEN ? ELSE first_receive_at END,
			visible_at = ?, receipt_token = ? WHERE seq IN (`+in+`)`)
		// +queue_id keeps SQLite's planner from scanning the queue's whole messages_visible
		// range (its default guess is that an equality on an index prefix matches ~10 rows, which
		// beats ten rowid lookups): the delete must cost its handles, not the queue's depth.
		s.st.deleteReceived[n] = w(fmt.Sprint("deleteReceived/", n), `DELETE FROM messages WHERE +queue_id = ? AND (`+pairs+`)`)
		// The handles of one receive share its token (markReceived): then it is bound once.
		s.st.deleteReceivedOnce[n] = w(fmt.Sprint("deleteReceivedOnce/", n), `DELETE FROM messages WHERE +queue_id = ? AND receipt_token = ? AND seq IN (`+in+`)`)
		// SQLite only (numbered parameters): plain messages that share their sender and times, as
		// a batch without per-message delays does, bind those once for the statement.
		var shared []string
		for i := range n {
			shared = append(shared, fmt.Sprintf("(?1, ?%d, ?%d, NULL, NULL, ?%d, '', '', ?2, ?3, ?4, ?5, 0, 0, '', '', '', '')", 6+3*i, 7+3*i, 8+3*i))
		}
		s.st.insertMany[uniformRows][n] = w(fmt.Sprint("insertMany/uniform/", n), `INSERT INTO messages (`+insertColumns+`) VALUES `+strings.Join(shared, ", "))
		s.st.insertMany[uniformRows][n].only = sqliteOnly
		for kind, row := range map[rowKind]string{freshRows: freshRow, plainRows: plainRow} {
			insert := `INSERT INTO messages (` + insertColumns + `) VALUES ` + row + strings.Repeat(", "+row, n-1)
			s.st.insertMany[kind][n] = w(fmt.Sprint("insertMany/", kind, "/", n), insert)
			s.st.insertMany[kind][n].only = sqliteOnly // its single writer makes a statement's rowids consecutive
			// PostgreSQL inserts, learns the sequence numbers (by message id: RETURNING's order is
			// not promised) and announces the queue in one statement, one round trip.
			s.st.insertManyNotify[kind][n] = w(fmt.Sprint("insertManyNotify/", kind, "/", n), `WITH ins AS (`+insert+` RETURNING seq, id),
				announced AS (SELECT pg_notify('`+NotifyChannel+`', ?))
				SELECT seq, id FROM ins, announced`)
			s.st.insertManyNotify[kind][n].only = postgresOnly
		}
	}
}

// Statement returns the SQLite text of a queue statement by name (for the tests of its query plan).
func Statement(name string) string {
	if s := newQueues(base{}).stmts.find(name); s != nil {
		return s.query
	}
	return ""
}
