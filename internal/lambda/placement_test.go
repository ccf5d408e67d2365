package lambda

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/sandbox"
)

// sizedWorker is a worker of a given memory: placement reads only its name and size.
type sizedWorker struct {
	name string
	mb   int
}

func (w sizedWorker) Name() string  { return w.name }
func (w sizedWorker) MemoryMB() int { return w.mb }
func (w sizedWorker) Start(sandbox.Spec) (*sandbox.Sandbox, error) {
	return nil, errors.New("not started")
}

func throttleReason(err error) string {
	var ae *awserr.Error
	if !errors.As(err, &ae) || ae.Code.Name != "TooManyRequestsException" {
		return ""
	}
	for _, f := range ae.Fields {
		if f.Name == "Reason" {
			return f.Value
		}
	}
	return ""
}

// TestPlacementPacks: a new environment goes to the fullest worker that has room, so that
// environments pack onto the fewest workers; what ends gives its room back.
func TestPlacementPacks(t *testing.T) {
	p := newPlacement(time.Minute, sizedWorker{"a", 1024}, sizedWorker{"b", 1024}, sizedWorker{"c", 1024})
	ctx, never := context.Background(), func() bool { return false }
	reserve := func(mb int) *slot {
		t.Helper()
		s, err := p.reserve(ctx, mb, never)
		if err != nil {
			t.Fatalf("reserve(%d) = %v", mb, err)
		}
		return s
	}
	first := reserve(512)
	if got := first.at.w.Name(); got != "a" {
		t.Fatalf("first environment on %s; want a", got)
	}
	reserve(256)
	s3 := reserve(256)
	if got := p.usedMB(); got["a"] != 1024 || got["b"] != 0 {
		t.Fatalf("after three environments that fit on one worker: %v; want all on a", got)
	}
	big := reserve(768)
	reserve(128) // b has 256 free, c 1024: the fuller one
	if got := p.usedMB(); big.at.w.Name() != "b" || got["b"] != 896 || got["c"] != 0 {
		t.Fatalf("placed %v (768 MB on %s); want b filled before c", got, big.at.w.Name())
	}
	s3.release()
	s3.release() // once only
	if s := reserve(256); s.at.w.Name() != "a" {
		t.Errorf("256 MB after a's release on %s; want a (fuller than c)", s.at.w.Name())
	}
	if got := p.usedMB(); got["a"] != 1024 {
		t.Errorf("a holds %d MB; want 1024 (a release counted once)", got["a"])
	}
	if _, err := p.reserve(ctx, 2048, never); throttleReason(err) != ReasonAccountExceeded {
		t.Errorf("reserve of more than any worker has = %v; want a throttle at once", err)
	}
}

// TestPlacementWaits: with every worker full, a new environment first stops an idle one, else
// waits for room and takes it when an environment ends, else is throttled after the wait.
func TestPlacementWaits(t *testing.T) {
	p := newPlacement(time.Minute, sizedWorker{"a", 256})
	ctx, never := context.Background(), func() bool { return false }
	one, _ := p.reserve(ctx, 128, never)
	two, _ := p.reserve(ctx, 128, never)

	// An idle environment is stopped for it: its end gives the room.
	evicted := false
	_, err := p.reserve(ctx, 128, func() bool {
		if !evicted {
			evicted = true
			go one.release()
		}
		return evicted
	})
	if err != nil || !evicted {
		t.Fatalf("reserve with an idle environment to stop = %v (stopped: %v)", err, evicted)
	}

	// None idle: it waits until one ends.
	done := make(chan error, 1)
	go func() {
		_, err := p.reserve(ctx, 128, never)
		done <- err
	}()
	for p.waiting.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	two.release()
	if err := <-done; err != nil {
		t.Fatalf("reserve that waited for room = %v", err)
	}

	// Nothing ends: throttled when the wait is over (or the invoke's context ends).
	p.wait = 10 * time.Millisecond
	if _, err := p.reserve(ctx, 128, never); throttleReason(err) != ReasonAccountExceeded {
		t.Errorf("reserve on a full worker = %v; want TooManyRequestsException (%s)", err, ReasonAccountExceeded)
	}
	p.wait = time.Minute
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := p.reserve(cctx, 128, never); throttleReason(err) != ReasonAccountExceeded {
		t.Errorf("reserve with its invoke gone = %v; want a throttle", err)
	}
}
