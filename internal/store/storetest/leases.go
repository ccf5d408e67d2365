package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// leaseTests are the store.Leases part of the suite.
var leaseTests = []suiteTest{
	{"Leases", testLeases},
	{"LeaseExpiry", testLeaseExpiry},
	{"LeaseHandOver", testLeaseHandOver},
}

// nodes opens the store twice on the same data where the backend is shared by several nodes
// (PostgreSQL), as two nodes would; on a backend with one node it is the same store twice.
func nodes(t *testing.T, open Opener) (a, b store.Store) {
	a = mustOpen(t, open)
	if a.Backend() != "postgres" {
		return a, a
	}
	return a, mustOpen(t, open)
}

func claim(t *testing.T, s store.Store, name, holder string, now time.Time) (store.Lease, bool) {
	t.Helper()
	l, ok, err := s.ClaimLease(context.Background(), "periodic", name, holder, now, now.Add(10*time.Second))
	if err != nil {
		t.Fatalf("ClaimLease(%s, %s): %v", name, holder, err)
	}
	return l, ok
}

func testLeases(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	if _, ok := claim(t, s, "sweep", "n1", epoch); ok {
		t.Fatal("ClaimLease of a lease never added succeeded")
	}
	for range 2 { // adding twice keeps the one lease
		if err := s.AddLease(ctx, "periodic", "sweep"); err != nil {
			t.Fatal(err)
		}
	}
	l, ok := claim(t, s, "sweep", "n1", epoch)
	if !ok || l.Holder != "n1" || l.Token != 1 || !l.Expires.Equal(epoch.Add(10*time.Second)) {
		t.Fatalf("ClaimLease = %+v, %v; want n1's with token 1 until +10s", l, ok)
	}
	if _, ok := claim(t, s, "sweep", "n2", epoch.Add(5*time.Second)); ok {
		t.Error("n2 claimed a lease n1 holds")
	}
	if again, ok := claim(t, s, "sweep", "n1", epoch.Add(5*time.Second)); !ok || again.Token != l.Token {
		t.Errorf("n1's claim of its own lease = %+v, %v; want a renewal with token %d", again, ok, l.Token)
	}
	if held, err := s.RenewLease(ctx, l, epoch.Add(30*time.Second)); !held || err != nil {
		t.Errorf("RenewLease = %v, %v; want held", held, err)
	}
	stolen := l
	stolen.Holder = "n2"
	if held, _ := s.RenewLease(ctx, stolen, epoch.Add(time.Hour)); held {
		t.Error("n2 renewed n1's lease")
	}
	// Released with a time: nobody takes it before then.
	if err := s.ReleaseLease(ctx, l, epoch.Add(40*time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, ok := claim(t, s, "sweep", "n2", epoch.Add(35*time.Second)); ok {
		t.Error("n2 claimed a lease released until +40s at +35s")
	}
	l2, ok := claim(t, s, "sweep", "n2", epoch.Add(40*time.Second))
	if !ok || l2.Token != 2 {
		t.Fatalf("claim after release = %+v, %v; want token 2", l2, ok)
	}
	if err := s.FinishLease(ctx, l); err != nil { // n1 no longer holds it: nothing happens
		t.Fatal(err)
	}
	if list, _ := s.ListLeases(ctx, "periodic"); len(list) != 1 || list[0].Holder != "n2" {
		t.Fatalf("ListLeases = %+v; want n2's lease", list)
	}
	if err := s.FinishLease(ctx, l2); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.ListLeases(ctx, "periodic"); len(list) != 0 {
		t.Errorf("ListLeases after FinishLease = %+v; want none", list)
	}
	// ClaimLeases takes free leases of its kind only, up to the limit; DeleteLease drops one.
	for _, n := range []string{"a", "b", "c"} {
		s.AddLease(ctx, "shard", n)
	}
	s.AddLease(ctx, "other", "x")
	got, err := s.ClaimLeases(ctx, "shard", "n1", epoch, epoch.Add(10*time.Second), 2)
	if err != nil || len(got) != 2 || got[0].Name != "a" || got[1].Name != "b" || got[0].Holder != "n1" {
		t.Fatalf("ClaimLeases(limit 2) = %+v, %v; want a and b", got, err)
	}
	if err := s.DeleteLease(ctx, "shard", "a"); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.ListLeases(ctx, "shard"); len(list) != 2 || list[0].Name != "b" || list[1].Name != "c" {
		t.Errorf("ListLeases(shard) = %+v; want b and c", list)
	}
}

// testLeaseExpiry checks that a lease whose holder stops renewing it passes to the next claimer,
// with a higher token, and that the old holder's renewal then fails.
func testLeaseExpiry(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	s.AddLease(ctx, "periodic", "sweep")
	old, _ := claim(t, s, "sweep", "n1", epoch)
	if _, ok := claim(t, s, "sweep", "n2", epoch.Add(9*time.Second)); ok {
		t.Fatal("claimed before expiry")
	}
	l, ok := claim(t, s, "sweep", "n2", epoch.Add(10*time.Second))
	if !ok || l.Holder != "n2" || l.Token != old.Token+1 {
		t.Fatalf("claim at expiry = %+v, %v; want n2's with token %d", l, ok, old.Token+1)
	}
	if held, err := s.RenewLease(ctx, old, epoch.Add(time.Minute)); held || err != nil {
		t.Errorf("the old holder's RenewLease = %v, %v; want lost", held, err)
	}
	// A lease expired under its own holder is a new tenure too.
	if again, ok := claim(t, s, "sweep", "n2", epoch.Add(21*time.Second)); !ok || again.Token != l.Token+1 {
		t.Errorf("re-claim after own expiry = %+v, %v; want token %d", again, ok, l.Token+1)
	}
}

// testLeaseHandOver runs two nodes (two store handles on one database where the backend is
// shared) claiming the same leases at once: each lease goes to exactly one. Then the first stops
// renewing, and the second takes its leases once they expire.
func testLeaseHandOver(t *testing.T, open Opener) {
	n1, n2 := nodes(t, open)
	ctx := context.Background()
	const shards = 20
	for i := range shards {
		if err := n1.AddLease(ctx, "shard", fmt.Sprint("s", i)); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	holders := map[string]string{}
	var wg sync.WaitGroup
	for _, node := range []struct {
		name string
		s    store.Store
	}{{"n1", n1}, {"n2", n2}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range shards {
				var got []store.Lease
				var err error
				if i%2 == 0 {
					got, err = node.s.ClaimLeases(ctx, "shard", node.name, epoch, epoch.Add(10*time.Second), 1)
				} else if l, ok, e := node.s.ClaimLease(ctx, "shard", fmt.Sprint("s", i), node.name, epoch, epoch.Add(10*time.Second)); ok {
					got, err = []store.Lease{l}, e
				} else {
					err = e
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for _, l := range got {
					if prev, dup := holders[l.Name]; dup && prev != node.name { // a holder may renew by claiming
						t.Errorf("%s claimed by %s and %s", l.Name, prev, node.name)
					}
					holders[l.Name] = node.name
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	list, err := n2.ListLeases(ctx, "shard")
	if err != nil || len(list) != shards {
		t.Fatalf("ListLeases = %d, %v; want %d", len(list), err, shards)
	}
	for _, l := range list {
		if l.Holder != holders[l.Name] {
			t.Errorf("%s is held by %q; the claims said %q", l.Name, l.Holder, holders[l.Name])
		}
	}
	// n1 stops renewing; n2 renews its own and, once n1's expire, takes them.
	var mine []store.Lease
	for _, l := range list {
		if l.Holder == "n2" {
			mine = append(mine, l)
		}
	}
	for _, l := range mine {
		if held, err := n2.RenewLease(ctx, l, epoch.Add(time.Minute)); !held || err != nil {
			t.Fatalf("RenewLease(%s) = %v, %v", l.Name, held, err)
		}
	}
	if early, _ := n2.ClaimLeases(ctx, "shard", "n2", epoch.Add(5*time.Second), epoch.Add(15*time.Second), shards); len(early) != 0 {
		t.Errorf("n2 claimed %d leases before n1's expired", len(early))
	}
	taken, err := n2.ClaimLeases(ctx, "shard", "n2", epoch.Add(10*time.Second), epoch.Add(20*time.Second), shards)
	if err != nil || len(taken)+len(mine) != shards {
		t.Errorf("n2 took %d leases at n1's expiry (%v); want the %d n1 held", len(taken), err, shards-len(mine))
	}
}
