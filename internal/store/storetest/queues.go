package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// queueTests are the store.Queues part of the suite.
var queueTests = []suiteTest{
	{"QueueLifecycle", testQueueLifecycle},
	{"SendReceiveDelete", testSendReceiveDelete},
	{"SendKeepsEveryField", testSendKeepsEveryField},
	{"Visibility", testVisibility},
	{"DeadLetter", testDeadLetter},
	{"DeadLetterRefill", testDeadLetterRefill},
	{"DeadLetterRefillRounds", testDeadLetterRefillRounds},
	{"FIFO", testFIFO},
	{"FIFODedup", testFIFODedup},
	{"ReceiveAttempts", testReceiveAttempts},
	{"ExpireAndPurge", testExpireAndPurge},
	{"ConcurrentReceivers", testConcurrentReceivers},
	{"MoveMessages", testMoveMessages},
}

func newQueue(t *testing.T, s store.Store, name string, fifo bool) store.Queue {
	t.Helper()
	q := store.Queue{Account: "123456789012", Name: name, FIFO: fifo, Attributes: map[string]string{"VisibilityTimeout": "30"},
		Tags: map[string]string{"team": "core"}, Created: epoch, Modified: epoch}
	if err := s.CreateQueue(context.Background(), &q); err != nil {
		t.Fatalf("CreateQueue(%s): %v", name, err)
	}
	return q
}

var tokenN atomic.Int64

func token() string { return fmt.Sprintf("tok-%d", tokenN.Add(1)) }

func msg(body string, at time.Time) store.Message {
	return store.Message{ID: "id-" + body, Body: []byte(body), MD5Body: "md5", SenderID: "s", SentAt: at, VisibleAt: at, ExpiresAt: at.Add(time.Hour)}
}

func send(t *testing.T, s store.Store, q store.Queue, msgs ...store.Message) []store.SendResult {
	t.Helper()
	res, err := s.SendMessages(context.Background(), q.ID, msgs, nil, epoch)
	if err != nil {
		t.Fatalf("SendMessages: %v", err)
	}
	return res
}

func receive(t *testing.T, s store.Store, r store.Receive) []store.Message {
	t.Helper()
	return received(t, s, r).Messages
}

// received is the whole outcome of a receive: the messages and how many moved.
func received(t *testing.T, s store.Store, r store.Receive) store.Received {
	t.Helper()
	if r.NewToken == nil {
		r.NewToken = token
	}
	got, err := s.ReceiveMessages(context.Background(), r)
	if err != nil {
		t.Fatalf("ReceiveMessages: %v", err)
	}
	return got
}

func deleteOne(s store.Store, queueID, seq int64, token string) (bool, error) {
	deleted, err := s.DeleteMessages(context.Background(), queueID, []store.Handle{{Seq: seq, Token: token}})
	return deleted == 1, err
}

func change(s store.Store, queueID, seq int64, token string, now, visibleAt time.Time) (store.ChangeResult, error) {
	res, err := s.ChangeVisibility(context.Background(), queueID, []store.VisibilityChange{{Handle: store.Handle{Seq: seq, Token: token}, VisibleAt: visibleAt}}, now)
	if err != nil {
		return 0, err
	}
	return res[0], nil
}

func bodies(ms []store.Message) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, string(m.Body))
	}
	return out
}

func testQueueLifecycle(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	a := newQueue(t, s, "alpha", false)
	newQueue(t, s, "beta", false)
	if a.ID == 0 {
		t.Fatal("CreateQueue did not set an id")
	}
	dup := store.Queue{Account: a.Account, Name: "alpha", Attributes: map[string]string{}, Created: epoch, Modified: epoch}
	if err := s.CreateQueue(ctx, &dup); !errors.Is(err, store.ErrExists) {
		t.Errorf("CreateQueue(duplicate) = %v; want ErrExists", err)
	}
	got, err := s.Queue(ctx, a.Account, "alpha")
	if err != nil || got.ID != a.ID || got.Attributes["VisibilityTimeout"] != "30" || got.Tags["team"] != "core" || !got.Created.Equal(epoch) {
		t.Errorf("Queue = %+v, %v", got, err)
	}
	list, err := s.ListQueues(ctx, a.Account, "al")
	if err != nil || len(list) != 1 || list[0].Name != "alpha" {
		t.Errorf("ListQueues(al) = %v, %v", list, err)
	}
	all, _ := s.ListQueues(ctx, a.Account, "")
	if len(all) != 2 || all[0].Name != "alpha" || all[1].Name != "beta" {
		t.Errorf("ListQueues = %v", all)
	}
	got.Attributes["DelaySeconds"] = "5"
	got.DeadLetterTarget = "arn:aws:sqs:us-east-1:123456789012:beta"
	got.Modified = epoch.Add(time.Minute)
	if err := s.UpdateQueue(ctx, got); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.QueueByID(ctx, a.ID); again.Attributes["DelaySeconds"] != "5" || !again.Modified.Equal(epoch.Add(time.Minute)) {
		t.Errorf("after UpdateQueue: %+v", again)
	}
	if src, err := s.DeadLetterSources(ctx, a.Account, "arn:aws:sqs:us-east-1:123456789012:beta"); err != nil || len(src) != 1 || src[0].Name != "alpha" {
		t.Errorf("DeadLetterSources = %v, %v", src, err)
	}
	send(t, s, a, msg("m1", epoch))
	if err := s.DeleteQueue(ctx, a.ID, epoch.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Queue(ctx, a.Account, "alpha"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Queue(deleted) = %v; want ErrNotFound", err)
	}
	if ok, err := s.DeletedSince(ctx, a.Account, "alpha", epoch.Add(59*time.Minute)); !ok || err != nil {
		t.Errorf("DeletedSince(recent) = %v, %v; want true", ok, err)
	}
	if ok, _ := s.DeletedSince(ctx, a.Account, "alpha", epoch.Add(2*time.Hour)); ok {
		t.Errorf("DeletedSince(later) = true")
	}
	if err := s.DeleteQueue(ctx, a.ID, epoch); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteQueue(again) = %v; want ErrNotFound", err)
	}
}

func testSendReceiveDelete(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	q := newQueue(t, s, "q", false)
	res := send(t, s, q, msg("a", epoch), msg("b", epoch), msg("c", epoch))
	if len(res) != 3 || res[0].Seq >= res[1].Seq || res[1].Seq >= res[2].Seq || res[0].MessageID != "id-a" {
		t.Fatalf("SendMessages = %+v; want increasing sequence numbers", res)
	}
	r := store.Receive{QueueID: q.ID, Max: 2, Now: epoch, VisibleUntil: epoch.Add(30 * time.Second)}
	got := receive(t, s, r)
	if len(got) != 2 || got[0].ReceiveCount != 1 || got[0].ReceiptToken == "" || !got[0].FirstReceiveAt.Equal(epoch) || string(got[0].Body) != "a" {
		t.Fatalf("ReceiveMessages = %+v", got)
	}
	if c, _ := s.CountMessages(ctx, q.ID, epoch); c != (store.Counts{Visible: 1, InFlight: 2}) {
		t.Errorf("CountMessages = %+v; want 1 visible, 2 in flight", c)
	}
	if ok, err := deleteOne(s, q.ID, got[0].Seq, "stale"); ok || err != nil {
		t.Errorf("DeleteMessage(stale token) = %v, %v; want not deleted", ok, err)
	}
	if ok, err := deleteOne(s, q.ID, got[0].Seq, got[0].ReceiptToken); !ok || err != nil {
		t.Errorf("DeleteMessage = %v, %v; want deleted", ok, err)
	}
	rest := receive(t, s, store.Receive{QueueID: q.ID, Max: 10, Now: epoch, VisibleUntil: epoch.Add(time.Minute)})
	if len(rest) != 1 || string(rest[0].Body) != "c" {
		t.Errorf("second receive = %v; want [c]", bodies(rest))
	}
	if again := receive(t, s, store.Receive{QueueID: q.ID, Max: 10, Now: epoch, VisibleUntil: epoch.Add(time.Minute)}); len(again) != 0 {
		t.Errorf("receive with everything in flight = %v", bodies(again))
	}
	delayed := msg("d", epoch)
	delayed.VisibleAt = epoch.Add(10 * time.Second)
	send(t, s, q, delayed)
	if c, _ := s.CountMessages(ctx, q.ID, epoch); c.Delayed != 1 {
		t.Errorf("CountMessages = %+v; want 1 delayed", c)
	}
	if next, ok, err := s.NextVisible(ctx, q.ID, epoch); !ok || err != nil || !next.Equal(epoch.Add(10*time.Second)) {
		t.Errorf("NextVisible = %v %v %v; want +10s", next, ok, err)
	}
}

// testSendKeepsEveryField sends batches of plain messages (no attributes, no FIFO ids: the
// stores write those columns as constants), sharing their times or not, and of messages with
// every field set, alone and mixed, and checks that a receive returns each field as sent.
func testSendKeepsEveryField(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	q := newQueue(t, s, "fields", false)
	full := func(body string) store.Message {
		m := msg(body, epoch)
		m.Attributes, m.SystemAttributes = []byte(`{"a":1}`), []byte(`{"AWSTraceHeader":2}`)
		m.MD5Attributes, m.MD5System, m.GroupID, m.DedupID = "md5-attrs-"+body, "md5-system-"+body, "group-"+body, "dedup-"+body
		return m
	}
	if res, err := s.SendMessages(context.Background(), q.ID, nil, nil, epoch); err != nil || len(res) != 0 {
		t.Errorf("SendMessages(no messages) = %v, %v; want nothing, no error", res, err)
	}
	longer := msg("p6", epoch)
	longer.ExpiresAt = epoch.Add(2 * time.Hour) // a batch-mate's times differ
	batches := [][]store.Message{
		{msg("p1", epoch), msg("p2", epoch)},
		{msg("p5", epoch), longer},
		{full("f1"), full("f2")},
		{msg("p3", epoch), full("f3"), msg("p4", epoch)},
	}
	for _, batch := range batches {
		send(t, s, q, batch...)
		got := receive(t, s, store.Receive{QueueID: q.ID, Max: 10, Now: epoch, VisibleUntil: epoch.Add(time.Minute)})
		if len(got) != len(batch) {
			t.Fatalf("receive after sending %v = %v", bodies(batch), bodies(got))
		}
		for i, want := range batch {
			m := got[i]
			if m.ID != want.ID || string(m.Body) != string(want.Body) || string(m.Attributes) != string(want.Attributes) ||
				string(m.SystemAttributes) != string(want.SystemAttributes) || m.MD5Body != want.MD5Body ||
				m.MD5Attributes != want.MD5Attributes || m.MD5System != want.MD5System || m.SenderID != want.SenderID ||
				!m.SentAt.Equal(want.SentAt) || !m.ExpiresAt.Equal(want.ExpiresAt) || m.GroupID != want.GroupID ||
				m.DedupID != want.DedupID || m.DeadLetterSource != "" || m.ReceiveCount != 1 || !m.FirstReceiveAt.Equal(epoch) ||
				!m.VisibleAt.Equal(epoch.Add(time.Minute)) || m.ReceiptToken == "" {
				t.Errorf("received %+v\nsent     %+v", m, want)
			}
		}
	}
}

func testVisibility(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	q := newQueue(t, s, "q", false)
	send(t, s, q, msg("a", epoch))
	got := receive(t, s, store.Receive{QueueID: q.ID, Max: 1, Now: epoch, VisibleUntil: epoch.Add(30 * time.Second)})
	if len(got) != 1 {
		t.Fatal("nothing received")
	}
	m := got[0]
	if r, err := change(s, q.ID, m.Seq, m.ReceiptToken, epoch.Add(time.Second), epoch.Add(100*time.Second)); r != store.Changed || err != nil {
		t.Errorf("ChangeVisibility = %v, %v; want Changed", r, err)
	}
	if r, err := change(s, q.ID, m.Seq, "stale", epoch, epoch); r != store.NotFound || err != nil {
		t.Errorf("ChangeVisibility(stale) = %v, %v; want NotFound", r, err)
	}
	if again := receive(t, s, store.Receive{QueueID: q.ID, Max: 1, Now: epoch.Add(50 * time.Second), VisibleUntil: epoch.Add(80 * time.Second)}); len(again) != 0 {
		t.Errorf("received during the extended timeout: %v", bodies(again))
	}
	back := receive(t, s, store.Receive{QueueID: q.ID, Max: 1, Now: epoch.Add(101 * time.Second), VisibleUntil: epoch.Add(200 * time.Second)})
	if len(back) != 1 || back[0].ReceiveCount != 2 || back[0].ReceiptToken == m.ReceiptToken {
		t.Fatalf("after the timeout = %+v; want the message again with count 2 and a new token", back)
	}
	if ok, _ := deleteOne(s, q.ID, m.Seq, m.ReceiptToken); ok {
		t.Errorf("the first receipt handle still deletes after a new receive")
	}
	// The second receive holds it until 200 s; bringing that forward is Hastened, and pushing it
	// back again is Changed.
	if r, err := change(s, q.ID, m.Seq, back[0].ReceiptToken, epoch.Add(102*time.Second), epoch.Add(150*time.Second)); r != store.Hastened || err != nil {
		t.Errorf("ChangeVisibility(earlier) = %v, %v; want Hastened", r, err)
	}
	if r, err := change(s, q.ID, m.Seq, back[0].ReceiptToken, epoch.Add(103*time.Second), epoch.Add(200*time.Second)); r != store.Changed || err != nil {
		t.Errorf("ChangeVisibility(later) = %v, %v; want Changed", r, err)
	}
	if r, err := change(s, q.ID, m.Seq, back[0].ReceiptToken, epoch.Add(300*time.Second), epoch.Add(400*time.Second)); r != store.NotInFlight || err != nil {
		t.Errorf("ChangeVisibility(not in flight) = %v, %v; want NotInFlight", r, err)
	}
}

func testDeadLetter(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	src := newQueue(t, s, "src", false)
	dlq := newQueue(t, s, "dlq", false)
	sent := epoch.Add(-time.Minute)
	send(t, s, src, msg("poison", sent))
	r := store.Receive{QueueID: src.ID, Max: 10, MaxReceiveCount: 2, DeadLetterQueue: dlq.ID, DeadLetterExpiry: 24 * time.Hour, SourceARN: "arn:src"}
	for i := 0; i < 2; i++ {
		r.Now = epoch.Add(time.Duration(i) * time.Minute)
		r.VisibleUntil = r.Now.Add(time.Second)
		if got := receive(t, s, r); len(got) != 1 {
			t.Fatalf("receive %d = %v", i+1, bodies(got))
		}
	}
	r.Now, r.VisibleUntil = epoch.Add(5*time.Minute), epoch.Add(6*time.Minute)
	if third := received(t, s, r); len(third.Messages) != 0 || third.Moved != 1 {
		t.Fatalf("third receive = %v, moved %d; want the message moved to the dead-letter queue", bodies(third.Messages), third.Moved)
	}
	got := receive(t, s, store.Receive{QueueID: dlq.ID, Max: 10, Now: r.Now, VisibleUntil: r.VisibleUntil})
	if len(got) != 1 || got[0].ID != "id-poison" || got[0].DeadLetterSource != "arn:src" || !got[0].SentAt.Equal(sent) ||
		!got[0].ExpiresAt.Equal(sent.Add(24*time.Hour)) || got[0].ReceiveCount != 1 {
		t.Errorf("dead-letter message = %+v", got)
	}
	if c, _ := s.CountMessages(ctx, src.ID, r.Now); c != (store.Counts{}) {
		t.Errorf("source counts = %+v; want empty", c)
	}
}

// testDeadLetterRefill checks that a receive that moves messages to the dead-letter queue fills
// its batch with other messages, handing each out once even with a zero visibility timeout.
func testDeadLetterRefill(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	src := newQueue(t, s, "src", false)
	dlq := newQueue(t, s, "dlq", false)
	send(t, s, src, msg("poison1", epoch.Add(-3*time.Minute)), msg("poison2", epoch.Add(-3*time.Minute)))
	r := store.Receive{QueueID: src.ID, Max: 10, MaxReceiveCount: 1, DeadLetterQueue: dlq.ID, DeadLetterExpiry: time.Hour, SourceARN: "arn:src",
		Now: epoch.Add(-2 * time.Minute), VisibleUntil: epoch.Add(-time.Minute)}
	if got := receive(t, s, r); len(got) != 2 {
		t.Fatalf("first receive = %v", bodies(got))
	}
	send(t, s, src, msg("a", epoch), msg("b", epoch), msg("c", epoch))
	r.Max, r.Now, r.VisibleUntil = 3, epoch, epoch // zero visibility timeout
	refilled := received(t, s, r)
	got := refilled.Messages
	if fmt.Sprint(bodies(got)) != "[a b c]" || refilled.Moved != 2 {
		t.Fatalf("receive after two poison messages = %v, moved %d; want [a b c] and both moved", bodies(got), refilled.Moved)
	}
	for _, m := range got {
		if m.ReceiveCount != 1 {
			t.Errorf("%s received %d times; want once", m.ID, m.ReceiveCount)
		}
	}
	if moved := receive(t, s, store.Receive{QueueID: dlq.ID, Max: 10, Now: epoch, VisibleUntil: epoch.Add(time.Minute)}); len(moved) != 2 {
		t.Errorf("dead-letter queue holds %v; want both poison messages", bodies(moved))
	}
}

// testDeadLetterRefillRounds checks that a receive keeps filling its batch while the messages
// it finds keep moving to the dead-letter queue: each round takes as many as the batch lacks.
func testDeadLetterRefillRounds(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	src := newQueue(t, s, "src", false)
	dlq := newQueue(t, s, "dlq", false)
	old := epoch.Add(-3 * time.Minute)
	send(t, s, src, msg("p1", old), msg("p2", old), msg("p3", old))
	r := store.Receive{QueueID: src.ID, Max: 10, MaxReceiveCount: 1, DeadLetterQueue: dlq.ID, DeadLetterExpiry: time.Hour, SourceARN: "arn:src",
		Now: epoch.Add(-2 * time.Minute), VisibleUntil: epoch.Add(-time.Minute)}
	if got := receive(t, s, r); len(got) != 3 {
		t.Fatalf("first receive = %v", bodies(got))
	}
	send(t, s, src, msg("g1", epoch), msg("g2", epoch), msg("g3", epoch))
	// Two at a time: p1 and p2 move, then p3 moves beside g1, then g2 fills the batch.
	r.Max, r.Now, r.VisibleUntil = 2, epoch, epoch.Add(30*time.Second)
	got := received(t, s, r)
	if fmt.Sprint(bodies(got.Messages)) != "[g1 g2]" || got.Moved != 3 {
		t.Fatalf("receive = %v, moved %d; want [g1 g2] and the three poison messages moved", bodies(got.Messages), got.Moved)
	}
	// One move's messages enter the dead-letter queue together, in no promised order.
	moved := bodies(receive(t, s, store.Receive{QueueID: dlq.ID, Max: 10, Now: epoch, VisibleUntil: epoch.Add(time.Minute)}))
	if slices.Sort(moved); fmt.Sprint(moved) != "[p1 p2 p3]" {
		t.Errorf("dead-letter queue holds %v; want p1, p2 and p3", moved)
	}
	if rest := receive(t, s, r); fmt.Sprint(bodies(rest)) != "[g3]" {
		t.Errorf("next receive = %v; want [g3]", bodies(rest))
	}
}

func fifoMsg(body, group string) store.Message {
	m := msg(body, epoch)
	m.GroupID = group
	return m
}

func testFIFO(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	q := newQueue(t, s, "q.fifo", true)
	if _, err := s.SendMessages(ctx, q.ID, []store.Message{fifoMsg("a1", "A"), fifoMsg("b1", "B"), fifoMsg("a2", "A"), fifoMsg("a3", "A"), fifoMsg("b2", "B")},
		[]store.Dedup{{ID: "1", Expires: epoch.Add(5 * time.Minute)}, {ID: "2", Expires: epoch.Add(5 * time.Minute)}, {ID: "3", Expires: epoch.Add(5 * time.Minute)},
			{ID: "4", Expires: epoch.Add(5 * time.Minute)}, {ID: "5", Expires: epoch.Add(5 * time.Minute)}}, epoch); err != nil {
		t.Fatal(err)
	}
	r := store.Receive{QueueID: q.ID, FIFO: true, Max: 2, Now: epoch, VisibleUntil: epoch.Add(30 * time.Second)}
	first := receive(t, s, r)
	if fmt.Sprint(bodies(first)) != "[a1 b1]" {
		t.Fatalf("first receive = %v; want [a1 b1]", bodies(first))
	}
	if next := receive(t, s, r); len(next) != 0 {
		t.Fatalf("receive while both groups are in flight = %v; want nothing", bodies(next))
	}
	if ok, _ := deleteOne(s, q.ID, first[0].Seq, first[0].ReceiptToken); !ok {
		t.Fatal("delete a1 failed")
	}
	r.Max = 10
	if next := receive(t, s, r); fmt.Sprint(bodies(next)) != "[a2 a3]" {
		t.Fatalf("after deleting a1 = %v; want [a2 a3] (group B still in flight)", bodies(next))
	}
	r.Now, r.VisibleUntil = epoch.Add(31*time.Second), epoch.Add(time.Minute)
	if next := receive(t, s, r); fmt.Sprint(bodies(next)) != "[b1 a2 a3 b2]" {
		t.Errorf("after the timeouts = %v; want [b1 a2 a3 b2]: send order, each group in order", bodies(next))
	}
}

func testFIFODedup(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	q := newQueue(t, s, "d.fifo", true)
	window := epoch.Add(5 * time.Minute)
	res, err := s.SendMessages(ctx, q.ID, []store.Message{fifoMsg("x", "G"), fifoMsg("x-again", "G")},
		[]store.Dedup{{ID: "same", Expires: window}, {ID: "same", Expires: window}}, epoch)
	if err != nil || res[0].Duplicate || !res[1].Duplicate || res[1].MessageID != "id-x" || res[1].Seq != res[0].Seq {
		t.Fatalf("SendMessages(duplicate in batch) = %+v, %v", res, err)
	}
	got := receive(t, s, store.Receive{QueueID: q.ID, FIFO: true, Max: 10, Now: epoch, VisibleUntil: epoch.Add(time.Second)})
	deleteOne(s, q.ID, got[0].Seq, got[0].ReceiptToken)
	res, _ = s.SendMessages(ctx, q.ID, []store.Message{fifoMsg("x3", "G")}, []store.Dedup{{ID: "same", Expires: window}}, epoch.Add(time.Minute))
	if !res[0].Duplicate {
		t.Errorf("send within the window after delete = %+v; want a duplicate", res)
	}
	res, _ = s.SendMessages(ctx, q.ID, []store.Message{fifoMsg("x4", "G")}, []store.Dedup{{ID: "same", Expires: epoch.Add(11 * time.Minute)}}, epoch.Add(6*time.Minute))
	if res[0].Duplicate {
		t.Errorf("send after the window = %+v; want a new message", res)
	}
	res, _ = s.SendMessages(ctx, q.ID, []store.Message{fifoMsg("x5", "H")}, []store.Dedup{{Scope: "H", ID: "same", Expires: window}}, epoch)
	if res[0].Duplicate {
		t.Errorf("same id in another scope = %+v; want a new message", res)
	}
}

// testReceiveAttempts checks FIFO receive attempts (ReceiveRequestAttemptId): a retry gets the
// messages the first receive still holds, with the same receipt tokens and the visibility timeout
// restarted, also from a store opened afresh on the same data (another node, or after a restart);
// once it holds none, it receives anew.
func testReceiveAttempts(t *testing.T, open Opener) {
	s, err := open()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	q := newQueue(t, s, "a.fifo", true)
	window := epoch.Add(5 * time.Minute)
	if _, err := s.SendMessages(ctx, q.ID, []store.Message{fifoMsg("a1", "A"), fifoMsg("b1", "B"), fifoMsg("a2", "A")},
		[]store.Dedup{{ID: "1", Expires: window}, {ID: "2", Expires: window}, {ID: "3", Expires: window}}, epoch); err != nil {
		t.Fatal(err)
	}
	at := func(d time.Duration, attempt string) store.Receive {
		return store.Receive{QueueID: q.ID, FIFO: true, Max: 1, Now: epoch.Add(d), VisibleUntil: epoch.Add(d + 30*time.Second),
			Attempt: attempt, AttemptExpires: epoch.Add(d + 5*time.Minute)}
	}
	same := func(what string, got []store.Message, want store.Message) {
		t.Helper()
		if len(got) != 1 || got[0].Seq != want.Seq || got[0].ReceiptToken != want.ReceiptToken || got[0].ReceiveCount != want.ReceiveCount {
			t.Fatalf("%s = %+v; want %s again with token %s and receive count %d", what, got, want.Body, want.ReceiptToken, want.ReceiveCount)
		}
	}
	first := receive(t, s, at(0, "try-1"))
	if fmt.Sprint(bodies(first)) != "[a1]" {
		t.Fatalf("first receive = %v; want [a1]", bodies(first))
	}
	retry := receive(t, s, at(10*time.Second, "try-1"))
	same("retry", retry, first[0])
	if !retry[0].VisibleAt.Equal(epoch.Add(40 * time.Second)) {
		t.Errorf("retry's visibility = %v; want restarted to 40s", retry[0].VisibleAt)
	}
	if other := receive(t, s, at(10*time.Second, "try-2")); fmt.Sprint(bodies(other)) != "[b1]" {
		t.Fatalf("another attempt = %v; want [b1] (group A is in flight)", bodies(other))
	}
	// The retry restarted a1's timeout: at 35 s, past the first one's, group A is still held.
	if got := receive(t, s, at(35*time.Second, "try-3")); len(got) != 0 {
		t.Fatalf("receive at 35s = %v; want nothing (a1 held until 40s, b1 until 40s)", bodies(got))
	}

	// Another node, or this one after a restart: the attempt is in the data.
	s.Close()
	s = mustOpen(t, open)
	same("retry from a store opened afresh", receive(t, s, at(20*time.Second, "try-1")), first[0])

	// Once the attempt holds nothing (a1 deleted), a retry receives anew and is remembered so.
	if ok, err := deleteOne(s, q.ID, first[0].Seq, first[0].ReceiptToken); !ok || err != nil {
		t.Fatalf("delete a1 = %v, %v", ok, err)
	}
	fresh := receive(t, s, at(25*time.Second, "try-1"))
	if fmt.Sprint(bodies(fresh)) != "[a2]" {
		t.Fatalf("retry holding nothing = %v; want a fresh receive of [a2]", bodies(fresh))
	}
	same("retry of the fresh receive", receive(t, s, at(26*time.Second, "try-1")), fresh[0])

	// Past the window the attempt is forgotten (and swept), so it receives anew.
	late := at(10*time.Minute, "try-1")
	if got := receive(t, s, late); len(got) != 1 || got[0].ReceiptToken == fresh[0].ReceiptToken {
		t.Fatalf("retry after the window = %+v; want a new receive", got)
	}
	if _, err := s.ExpireMessages(ctx, epoch.Add(20*time.Minute)); err != nil {
		t.Fatalf("ExpireMessages: %v", err)
	}
	if err := s.DeleteQueue(ctx, q.ID, epoch.Add(20*time.Minute)); err != nil {
		t.Fatalf("DeleteQueue with attempts: %v", err)
	}
}

func testExpireAndPurge(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	q := newQueue(t, s, "q", false)
	old := msg("old", epoch)
	old.ExpiresAt = epoch.Add(time.Minute)
	send(t, s, q, old, msg("new", epoch))
	later := epoch.Add(2 * time.Minute)
	if c, _ := s.CountMessages(ctx, q.ID, later); c.Visible != 1 {
		t.Errorf("CountMessages after expiry = %+v; want 1 visible", c)
	}
	if got := receive(t, s, store.Receive{QueueID: q.ID, Max: 10, Now: later, VisibleUntil: later}); fmt.Sprint(bodies(got)) != "[new]" {
		t.Errorf("receive after expiry = %v; want [new]", bodies(got))
	}
	if n, err := s.ExpireMessages(ctx, later); n != 1 || err != nil {
		t.Errorf("ExpireMessages = %d, %v; want 1", n, err)
	}
	if err := s.PurgeMessages(ctx, q.ID); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.CountMessages(ctx, q.ID, epoch); c != (store.Counts{}) {
		t.Errorf("CountMessages after purge = %+v", c)
	}
}

// testConcurrentReceivers checks that concurrent receivers never get the same message twice
// within its visibility timeout.
func testConcurrentReceivers(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	q := newQueue(t, s, "q", false)
	var batch []store.Message
	for i := 0; i < 200; i++ {
		batch = append(batch, msg(fmt.Sprint(i), epoch))
	}
	send(t, s, q, batch...)
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				got, err := s.ReceiveMessages(context.Background(), store.Receive{QueueID: q.ID, Max: 10, Now: epoch, VisibleUntil: epoch.Add(time.Hour), NewToken: token})
				if err != nil {
					t.Error(err)
					return
				}
				if len(got.Messages) == 0 {
					return
				}
				mu.Lock()
				for _, m := range got.Messages {
					seen[string(m.Body)]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 200 {
		t.Errorf("received %d distinct messages; want 200", len(seen))
	}
	for b, n := range seen {
		if n != 1 {
			t.Errorf("message %s received %d times", b, n)
		}
	}
}

func testMoveMessages(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	dlq := newQueue(t, s, "dlq", false)
	a := newQueue(t, s, "a", false)
	b := newQueue(t, s, "b", false)
	var batch []store.Message
	for i := 0; i < 5; i++ {
		m := msg(fmt.Sprint(i), epoch)
		m.DeadLetterSource = map[bool]string{true: "a", false: "b"}[i%2 == 0]
		batch = append(batch, m)
	}
	stay := msg("stay", epoch)
	stay.DeadLetterSource = "gone"
	send(t, s, dlq, append(batch, stay)...)
	route := func(m store.Message) (int64, time.Time, bool) {
		switch m.DeadLetterSource {
		case "a":
			return a.ID, epoch.Add(time.Hour), true
		case "b":
			return b.ID, epoch.Add(time.Hour), true
		}
		return 0, time.Time{}, false
	}
	n, _, err := s.MoveMessages(ctx, dlq.ID, 3, epoch, route, "")
	if err != nil || n != 3 {
		t.Fatalf("MoveMessages(3) = %d, %v", n, err)
	}
	if err := s.CreateMoveTask(ctx, moveTask("mt", "arn:dlq", epoch)); err != nil {
		t.Fatal(err)
	}
	n, status, _ := s.MoveMessages(ctx, dlq.ID, 10, epoch, route, "mt")
	if n != 2 || status != "RUNNING" {
		t.Errorf("MoveMessages(rest) = %d, %q; want 2 (one message has nowhere to go), RUNNING", n, status)
	}
	if task, err := s.MoveTask(ctx, "mt"); err != nil || task.Moved != 2 || !task.Heartbeat.Equal(epoch) {
		t.Errorf("the task the move counted on = %+v, %v; want 2 moved, heartbeat at the move", task, err)
	}
	gotA := receive(t, s, store.Receive{QueueID: a.ID, Max: 10, Now: epoch, VisibleUntil: epoch.Add(time.Minute)})
	gotB := receive(t, s, store.Receive{QueueID: b.ID, Max: 10, Now: epoch, VisibleUntil: epoch.Add(time.Minute)})
	if fmt.Sprint(bodies(gotA)) != "[0 2 4]" || fmt.Sprint(bodies(gotB)) != "[1 3]" || gotA[0].ID != "id-0" || gotA[0].ReceiveCount != 1 || gotA[0].DeadLetterSource != "" {
		t.Errorf("moved: a=%v b=%v", bodies(gotA), bodies(gotB))
	}
	if left := receive(t, s, store.Receive{QueueID: dlq.ID, Max: 10, Now: epoch, VisibleUntil: epoch.Add(time.Minute)}); fmt.Sprint(bodies(left)) != "[stay]" {
		t.Errorf("left in the DLQ: %v", bodies(left))
	}
}
