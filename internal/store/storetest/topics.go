package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gureum/gureum/internal/store"
)

// topicTests are the store.Topics part of the suite.
var topicTests = []suiteTest{
	{"Topics", testTopics},
	{"Subscriptions", testSubscriptions},
	{"PublishDedup", testPublishDedup},
	{"SigningKey", testSigningKey},
	{"ConcurrentDedup", testConcurrentDedup},
}

const topicARN = "arn:aws:sns:us-east-1:000000000000:"

func testTopics(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	now := time.Unix(1700000000, 0).UTC()
	for _, name := range []string{"b", "a", "c.fifo"} {
		tp := store.Topic{ARN: topicARN + name, Account: "000000000000", Name: name, FIFO: name == "c.fifo",
			Attributes: map[string]string{"DisplayName": name}, Tags: map[string]string{}, Created: now}
		got, created, err := s.CreateTopic(ctx, tp)
		if err != nil || !created || !cmp.Equal(got, tp) {
			t.Fatalf("CreateTopic(%s) = %+v, %v, %v", name, got, created, err)
		}
	}
	if _, created, err := s.CreateTopic(ctx, store.Topic{ARN: topicARN + "a", Account: "000000000000", Name: "a", Created: now}); err != nil || created {
		t.Fatalf("CreateTopic(a) again: created %v, %v", created, err)
	}
	ts, err := s.ListTopics(ctx, "000000000000", "", 2)
	if err != nil || len(ts) != 2 || ts[0].Name != "a" || ts[1].Name != "b" {
		t.Fatalf("ListTopics = %+v, %v", ts, err)
	}
	if ts, err = s.ListTopics(ctx, "000000000000", ts[1].ARN, 2); err != nil || len(ts) != 1 || !ts[0].FIFO {
		t.Fatalf("ListTopics after b = %+v, %v", ts, err)
	}
	if err := s.UpdateTopic(ctx, topicARN+"a", map[string]string{"DisplayName": "x"}, map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	if tp, err := s.Topic(ctx, topicARN+"a"); err != nil || tp.Attributes["DisplayName"] != "x" || tp.Tags["k"] != "v" {
		t.Fatalf("Topic(a) = %+v, %v", tp, err)
	}
	if err := s.UpdateTopic(ctx, topicARN+"zz", nil, nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateTopic(missing) = %v; want ErrNotFound", err)
	}
	if err := s.DeleteTopic(ctx, topicARN+"a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Topic(ctx, topicARN+"a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Topic(deleted) = %v; want ErrNotFound", err)
	}
}

func testSubscriptions(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	now := time.Unix(1700000000, 0).UTC()
	if _, _, err := s.CreateTopic(ctx, store.Topic{ARN: topicARN + "t", Account: "000000000000", Name: "t", Created: now}); err != nil {
		t.Fatal(err)
	}
	subs := []store.Subscription{
		{ARN: topicARN + "t:1", TopicARN: topicARN + "t", Account: "000000000000", Protocol: "sqs", Endpoint: "arn:aws:sqs:us-east-1:000000000000:q",
			Attributes: map[string]string{"RawMessageDelivery": "true"}, Created: now},
		{ARN: topicARN + "t:2", TopicARN: topicARN + "t", Account: "000000000000", Protocol: "http", Endpoint: "http://x/",
			Attributes: map[string]string{}, Token: "tok", Pending: true, Created: now},
	}
	for _, x := range subs {
		if err := s.PutSubscription(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.ListSubscriptions(ctx, "", topicARN+"t", "", 10)
	if err != nil || !cmp.Equal(got, subs) {
		t.Fatalf("ListSubscriptions(topic) = %+v, %v", got, err)
	}
	confirmed := subs[1]
	confirmed.Pending, confirmed.Token = false, ""
	if err := s.PutSubscription(ctx, confirmed); err != nil {
		t.Fatal(err)
	}
	if x, err := s.Subscription(ctx, confirmed.ARN); err != nil || !cmp.Equal(x, confirmed) {
		t.Fatalf("Subscription = %+v, %v", x, err)
	}
	if got, err := s.ListSubscriptions(ctx, "000000000000", "", subs[0].ARN, 10); err != nil || len(got) != 1 {
		t.Fatalf("ListSubscriptions(account, after 1) = %+v, %v", got, err)
	}
	if err := s.DeleteSubscription(ctx, subs[0].ARN); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteTopic(ctx, topicARN+"t"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Subscription(ctx, confirmed.ARN); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Subscription after DeleteTopic = %v; want ErrNotFound", err)
	}
}

func testPublishDedup(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	now := time.Unix(1700000000, 0).UTC()
	arn := topicARN + "f.fifo"
	if _, _, err := s.CreateTopic(ctx, store.Topic{ARN: arn, Account: "000000000000", Name: "f.fifo", FIFO: true, Created: now}); err != nil {
		t.Fatal(err)
	}
	pub := func(id, dedup string, at time.Time) store.Published {
		t.Helper()
		out, err := s.Publish(ctx, []store.Publication{{TopicARN: arn, MessageID: id, DedupID: dedup, DedupUntil: at.Add(5 * time.Minute), Now: at, FIFO: true,
			Build: func(seq int64) []store.Delivery {
				return []store.Delivery{{Kind: "sns.test", Target: id, Payload: []byte{byte(seq)}, NotBefore: at}}
			}}})
		if err != nil || len(out) != 1 {
			t.Fatalf("Publish(%s) = %+v, %v", id, out, err)
		}
		return out[0]
	}
	a := pub("m1", "d", now)
	b := pub("m2", "d", now.Add(time.Minute))
	c := pub("m3", "d", now.Add(6*time.Minute))
	if a.Duplicate || !b.Duplicate || b.MessageID != "m1" || b.Seq != a.Seq || c.Duplicate || c.Seq <= a.Seq {
		t.Fatalf("Publish results %+v %+v %+v", a, b, c)
	}
	if n, err := s.SweepDedup(ctx, now.Add(6*time.Minute), 10); err != nil || n != 0 {
		t.Fatalf("SweepDedup(before the window ends) = %d, %v; want 0", n, err)
	}
	if n, err := s.SweepDedup(ctx, now.Add(time.Hour), 10); err != nil || n != 1 {
		t.Fatalf("SweepDedup(after) = %d, %v; want 1", n, err)
	}
	ds, err := s.ClaimDeliveries(ctx, now.Add(time.Hour), now.Add(2*time.Hour), 10)
	if err != nil || len(ds) != 2 || ds[0].Target != "m1" || ds[1].Target != "m3" || ds[1].Payload[0] != byte(c.Seq) {
		t.Fatalf("deliveries = %+v, %v", ds, err)
	}
}

func testSigningKey(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	now := time.Unix(1700000000, 0).UTC()
	if _, err := s.SigningKey(ctx, "us-east-1", nil, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("SigningKey(none, nil) = %v; want ErrNotFound", err)
	}
	k, err := s.SigningKey(ctx, "us-east-1", []byte("first"), now)
	if err != nil || !bytes.Equal(k, []byte("first")) {
		t.Fatalf("SigningKey = %q, %v", k, err)
	}
	if k, err = s.SigningKey(ctx, "us-east-1", []byte("second"), now); err != nil || !bytes.Equal(k, []byte("first")) {
		t.Fatalf("SigningKey again = %q, %v; want the first kept", k, err)
	}
}

// testConcurrentDedup publishes one deduplication id from several writers at once (two nodes on
// PostgreSQL): exactly one publication is new.
func testConcurrentDedup(t *testing.T, open Opener) {
	a, b := nodes(t, open)
	ctx := context.Background()
	now := time.Unix(1700000000, 0).UTC()
	arn := topicARN + "c.fifo"
	if _, _, err := a.CreateTopic(ctx, store.Topic{ARN: arn, Account: "000000000000", Name: "c.fifo", FIFO: true, Created: now}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	fresh := 0
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := a
			if i%2 == 1 {
				s = b
			}
			out, err := s.Publish(ctx, []store.Publication{{TopicARN: arn, MessageID: fmt.Sprint("m", i), DedupID: "same",
				DedupUntil: now.Add(5 * time.Minute), Now: now, FIFO: true}})
			if err != nil {
				t.Errorf("Publish: %v", err)
				return
			}
			mu.Lock()
			if !out[0].Duplicate {
				fresh++
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if fresh != 1 {
		t.Errorf("%d publications of one deduplication id were new; want 1", fresh)
	}
}
