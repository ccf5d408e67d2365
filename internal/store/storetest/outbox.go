package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gureum/gureum/internal/store"
)

// outboxTests are the store.Outbox and store.Notifier parts of the suite.
var outboxTests = []suiteTest{
	{"Outbox", testOutbox},
	{"OutboxSurvivesCrash", testOutboxSurvivesCrash},
	{"OutboxClaimsOnce", testOutboxClaimsOnce},
	{"Notifier", testNotifier},
}

func delivery(target string, notBefore time.Time) store.Delivery {
	return store.Delivery{Kind: "sqs.send", Target: target, Payload: []byte(`{"m":"` + target + `"}`), NotBefore: notBefore, Created: epoch}
}

func testOutbox(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	if err := s.Enqueue(ctx, delivery("a", time.Time{}), delivery("b", epoch), delivery("later", epoch.Add(time.Minute))); err != nil {
		t.Fatal(err)
	}
	got, err := s.ClaimDeliveries(ctx, epoch, epoch.Add(30*time.Second), 10)
	if err != nil || len(got) != 2 {
		t.Fatalf("ClaimDeliveries = %+v, %v; want a and b", got, err)
	}
	want := delivery("a", epoch.Add(30*time.Second))
	want.ID, want.Attempts = got[0].ID, 1
	if diff := cmp.Diff(want, got[0]); diff != "" {
		t.Errorf("claimed delivery (-want +got):\n%s", diff)
	}
	if again, _ := s.ClaimDeliveries(ctx, epoch.Add(time.Second), epoch.Add(time.Minute), 10); len(again) != 0 {
		t.Errorf("claimed again while claimed: %+v", again)
	}
	if err := s.DeliveryDone(ctx, got[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.RetryDelivery(ctx, got[1].ID, "connection refused", epoch.Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	retried, err := s.ClaimDeliveries(ctx, epoch.Add(5*time.Second), epoch.Add(35*time.Second), 10)
	if err != nil || len(retried) != 1 || retried[0].Target != "b" || retried[0].Attempts != 2 || retried[0].LastError != "connection refused" {
		t.Fatalf("claim after the retry time = %+v, %v; want b's second attempt", retried, err)
	}
	if err := s.DeadLetterDelivery(ctx, retried[0].ID, "gave up"); err != nil {
		t.Fatal(err)
	}
	dead, err := s.Deliveries(ctx, true, 10)
	if err != nil || len(dead) != 1 || !dead[0].Dead || dead[0].LastError != "gave up" || dead[0].Target != "b" {
		t.Errorf("dead deliveries = %+v, %v; want b with its last error", dead, err)
	}
	if c, err := s.CountDeliveries(ctx); err != nil || c != (store.DeliveryCounts{Pending: 1, Dead: 1}) {
		t.Errorf("CountDeliveries = %+v, %v; want 1 pending (later), 1 dead", c, err)
	}
	if late, _ := s.ClaimDeliveries(ctx, epoch.Add(time.Hour), epoch.Add(2*time.Hour), 10); len(late) != 1 || late[0].Target != "later" {
		t.Errorf("claim at +1h = %+v; want only the pending one (not the dead)", late)
	}
}

// testOutboxSurvivesCrash records a delivery and closes the store without delivering it, as a
// node killed before its dispatcher ran; the store reopened delivers it.
func testOutboxSurvivesCrash(t *testing.T, open Opener) {
	s, err := open()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Enqueue(ctx, delivery("a", epoch)); err != nil {
		t.Fatal(err)
	}
	// A claimed delivery whose node dies is due again when its claim ends.
	if err := s.Enqueue(ctx, delivery("claimed", epoch)); err != nil {
		t.Fatal(err)
	}
	s.ClaimDeliveries(ctx, epoch, epoch.Add(30*time.Second), 2)
	s.Close()
	s = mustOpen(t, open)
	got, err := s.ClaimDeliveries(ctx, epoch.Add(30*time.Second), epoch.Add(time.Minute), 10)
	if err != nil || len(got) != 2 || got[0].Attempts != 2 {
		t.Fatalf("after reopen: ClaimDeliveries = %+v, %v; want both, on their second attempt", got, err)
	}
}

// testOutboxClaimsOnce has two nodes claim concurrently: every delivery is claimed by one.
func testOutboxClaimsOnce(t *testing.T, open Opener) {
	n1, n2 := nodes(t, open)
	ctx := context.Background()
	const total = 60
	var ds []store.Delivery
	for range total {
		ds = append(ds, delivery("t", epoch))
	}
	if err := n1.Enqueue(ctx, ds...); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for _, s := range []store.Store{n1, n2, n1, n2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				got, err := s.ClaimDeliveries(ctx, epoch, epoch.Add(time.Minute), 3)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, d := range got {
					seen[d.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != total {
		t.Errorf("claimed %d distinct deliveries; want %d", len(seen), total)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("delivery %d claimed %d times", id, n)
		}
	}
}

// testNotifier checks that a notice reaches a subscriber on another node (or on the one node).
func testNotifier(t *testing.T, open Opener) {
	n1, n2 := nodes(t, open)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	got := make(chan string, 10)
	unsubscribe := n2.Subscribe("test_topic", func(key string) { got <- key })
	n2.Subscribe("other", func(key string) { got <- "other:" + key })
	wg.Add(1)
	go func() { defer wg.Done(); n2.Listen(ctx) }()
	// LISTEN starts asynchronously: announce until heard.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := n1.Notify(ctx, "test_topic", "42"); err != nil {
			t.Fatal(err)
		}
		select {
		case key := <-got:
			if key == "" || key == "other:" {
				continue // listening began: "look again", which any backend may say
			}
			if key != "42" {
				t.Fatalf("heard %q; want 42", key)
			}
		case <-time.After(100 * time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatal("the subscriber never heard the notice")
			}
			continue
		}
		break
	}
	// A notice was heard, so the node listens (the health report's readiness).
	if !n2.Listening() {
		t.Error("Listening() = false after a notice from another node was heard")
	}
	unsubscribe()
	for len(got) > 0 {
		<-got
	}
	n1.Notify(ctx, "test_topic", "43")
	n1.Notify(ctx, "other", "1")
	select {
	case key := <-got:
		if key != "other:1" {
			t.Errorf("after unsubscribing heard %q; want only the other topic's notice", key)
		}
	case <-time.After(5 * time.Second):
		t.Error("the other topic's notice never came")
	}
}
