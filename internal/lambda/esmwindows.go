package lambda

// Tumbling windows of stream event source mappings (TumblingWindowInSeconds 1 to 900), as Lambda
// documents them for DynamoDB Streams and Kinesis: every record belongs to the window of its
// ApproximateCreationDateTime (windows of the given length from the epoch); a shard's batches
// never straddle windows and run one at a time; each invoke carries the window's state, the
// `state` the function returned from the previous invoke of the window ({} at first), and the
// function must answer with a `state` (an answer without one fails the batch). When the window
// is over (the clock passed its end, a record of a later window came, or the shard closed) the
// function gets a final invoke with no records, the state and isFinalInvokeForWindow; it is
// retried until it succeeds, and the state is dropped. A state over 1 MB ends the window early:
// the final invoke says isWindowTerminatedEarly and the window goes on with a fresh state. The
// open window and its state are part of the shard's checkpoint, so a restart resumes them.

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/store"
)

// maxWindowState is the largest state a window keeps (Lambda: 1 MB per shard).
const maxWindowState = 1 << 20

// tumbling is a shard's open window, as its checkpoint keeps it.
type tumbling struct {
	Start int64           `json:"start"` // Unix seconds
	State json.RawMessage `json:"state"`
}

// windowRun is a window as one invoke sees it, and the state the invoke returned.
type windowRun struct {
	start, end   time.Time
	state        json.RawMessage
	shard        string
	final, early bool
}

// take reads the state from a function's answer: false when there is none.
func (w *windowRun) take(payload []byte) bool {
	var obj map[string]json.RawMessage
	if json.Unmarshal(payload, &obj) != nil {
		return false
	}
	st, ok := obj["state"]
	if !ok || string(st) == "null" {
		return false
	}
	w.state = st
	return true
}

// streamPayload is the event of a stream batch: its records and, in a window, the window's
// fields.
func streamPayload(records []json.RawMessage, rec store.EventSourceMapping, w *windowRun) []byte {
	if records == nil {
		records = []json.RawMessage{}
	}
	if w == nil {
		b, _ := json.Marshal(struct {
			Records []json.RawMessage `json:"Records"`
		}{records})
		return b
	}
	stamp := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	b, _ := json.Marshal(struct {
		Records                 []json.RawMessage `json:"Records"`
		Window                  map[string]string `json:"window"`
		State                   json.RawMessage   `json:"state"`
		ShardID                 string            `json:"shardId"`
		EventSourceARN          string            `json:"eventSourceARN"`
		IsFinalInvokeForWindow  bool              `json:"isFinalInvokeForWindow"`
		IsWindowTerminatedEarly bool              `json:"isWindowTerminatedEarly"`
	}{records, map[string]string{"start": stamp(w.start), "end": stamp(w.end)}, w.state, w.shard, rec.SourceARN, w.final, w.early})
	return b
}

// windowSize is a mapping's window length (0: none).
func (m *EventSourceMappingConfiguration) windowSize() time.Duration {
	return time.Duration(deref(m.TumblingWindowInSeconds, 0)) * time.Second
}

// windowDue says whether an open window is over by the clock.
func (s *Service) windowDue(m *EventSourceMappingConfiguration, win *tumbling) bool {
	size := m.windowSize()
	return win != nil && size > 0 && !s.cfg.Clock.Now().Before(time.Unix(win.Start, 0).Add(size))
}

// windowStart is the start of the window of a record made at t, in Unix seconds.
func windowStart(t time.Time, size time.Duration) int64 {
	secs := int64(size / time.Second)
	return t.Unix() / secs * secs
}

// run is the open window as an invoke of the shard sees it.
func (t *tumbling) run(size time.Duration, shard string) *windowRun {
	start := time.Unix(t.Start, 0)
	return &windowRun{start: start, end: start.Add(size), state: t.State, shard: shard}
}

// settleWindows settles what was read window by window, closing each window that is over with
// its final invoke (by the clock only once the shard is drained: its backlog may still hold
// records of the window); false when the context ended first (the checkpoint, and the window's
// state in it, are still before this read).
func (s *Service) settleWindows(ctx context.Context, rec store.EventSourceMapping, m *EventSourceMappingConfiguration, shard string, pending []StreamRecord, win **tumbling, closed, drained bool) bool {
	size := m.windowSize()
	for len(pending) > 0 {
		start := windowStart(pending[0].Created, size)
		if *win != nil && start < (*win).Start {
			start = (*win).Start // a record stamped before the open window belongs to it
		}
		n := 1
		for n < len(pending) && windowStart(pending[n].Created, size) <= start {
			n++
		}
		if *win != nil && (*win).Start != start {
			if !s.closeWindow(ctx, rec, m, (*win).run(size, shard), false) {
				return false
			}
			*win = nil
		}
		if *win == nil {
			*win = &tumbling{Start: start, State: json.RawMessage("{}")}
		}
		for run := pending[:n]; len(run) > 0; {
			batch := run[:min(len(run), int(m.BatchSize))]
			w := (*win).run(size, shard)
			if !s.runStreamBatch(ctx, rec, m, shard, batch, 0, w) {
				return false
			}
			(*win).State = w.state
			if len(w.state) > maxWindowState {
				if !s.closeWindow(ctx, rec, m, w, true) {
					return false
				}
				(*win).State = json.RawMessage("{}")
			}
			run = run[len(batch):]
		}
		pending = pending[n:]
	}
	if *win != nil && (closed || drained && s.windowDue(m, *win)) {
		if !s.closeWindow(ctx, rec, m, (*win).run(size, shard), false) {
			return false
		}
		*win = nil
	}
	return true
}

// closeWindow makes a window's final invoke, retried until it succeeds; false when the context
// ended first.
func (s *Service) closeWindow(ctx context.Context, rec store.EventSourceMapping, m *EventSourceMappingConfiguration, w *windowRun, early bool) bool {
	w.final, w.early = true, early
	payload := streamPayload(nil, rec, w)
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		fctx := request.With(ctx, &request.Info{ID: request.NewID(), Service: "lambda", Operation: "Invoke",
			Principal: &request.Principal{Account: rec.Account, ARN: "lambda.amazonaws.com", UserID: "lambda.amazonaws.com"}})
		oc := streamInvokeOutcome{requestID: request.From(fctx).ID}
		if _, ok := s.invokeMapped(fctx, m, payload, &oc); ok {
			s.setResult(ctx, rec, "OK")
			return true
		}
		if ctx.Err() != nil {
			break
		}
		s.setResult(ctx, rec, "PROBLEM: Function call failed")
		backoff = min(max(2*backoff, 100*time.Millisecond), 10*time.Second)
		if background.Sleep(ctx, s.cfg.Clock, backoff) != nil {
			break
		}
	}
	return false
}
