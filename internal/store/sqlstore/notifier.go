package sqlstore

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// Notifier implements store.Notifier. Subscribers are kept here for both backends; on SQLite a
// notice goes to them at once (one node), on PostgreSQL it is sent with pg_notify on the channel
// gureum_<topic> and comes back to every node's subscribers through Listen (the dialect's
// LISTEN loop), this node's included.
type Notifier struct {
	base
	st struct {
		notify *stmt // PostgreSQL: SELECT pg_notify(channel, key)
	}

	mu      sync.Mutex
	subs    map[string]map[int]func(string) // by topic, by subscription
	next    int
	changed chan struct{} // closed and replaced when a topic gains its first subscriber

	// listening: the LISTEN loop has begun and has not failed since (PostgreSQL). A restart for a
	// new topic keeps it: announcements meanwhile are made up for by the "" delivered after.
	listening atomic.Bool
}

// ChannelPrefix begins the PostgreSQL channel of every topic.
const ChannelPrefix = "gureum_"

// Channel is the PostgreSQL channel of a topic.
func Channel(topic string) string { return ChannelPrefix + topic }

func newNotifier(b base) *Notifier {
	n := &Notifier{base: b.of("notifier"), subs: map[string]map[int]func(string){}, changed: make(chan struct{})}
	n.st.notify = n.stmts.w("notify", `SELECT pg_notify(?, ?)`)
	n.st.notify.only = postgresOnly
	return n
}

var _ store.Notifier = (*Notifier)(nil)

// Listening reports whether this node hears other nodes' announcements (see store.Notifier).
func (n *Notifier) Listening() bool { return n.d.Listen == nil || n.listening.Load() }

// Notify announces key on topic to every node.
func (n *Notifier) Notify(ctx context.Context, topic, key string) error {
	if !n.d.Postgres {
		n.deliver(topic, key)
		return nil
	}
	_, err := n.st.notify.ps.ExecContext(ctx, Channel(topic), key)
	return n.fault("Notify", err)
}

// notifyTx announces key on topic when tx commits (PostgreSQL: NOTIFY is transactional). On
// SQLite subscribers hear it at once: whatever they do next in the store queues behind the
// single writer, so it sees the commit (or, if the write failed, finds nothing to do).
func (n *Notifier) notifyTx(ctx context.Context, tx Tx, topic, key string) error {
	if !n.d.Postgres {
		n.deliver(topic, key)
		return nil
	}
	_, err := n.st.notify.in(ctx, tx).ExecContext(ctx, Channel(topic), key)
	return n.fault("Notify", err)
}

// Subscribe calls fn with each key announced on topic until cancel.
func (n *Notifier) Subscribe(topic string, fn func(key string)) (cancel func()) {
	n.mu.Lock()
	defer n.mu.Unlock()
	id := n.next
	n.next++
	if n.subs[topic] == nil {
		n.subs[topic] = map[int]func(string){}
		close(n.changed) // Listen listens on the new topic's channel too
		n.changed = make(chan struct{})
	}
	n.subs[topic][id] = fn
	return func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		delete(n.subs[topic], id)
	}
}

// deliver calls the topic's subscribers.
func (n *Notifier) deliver(topic, key string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, fn := range n.subs[topic] {
		fn(key)
	}
}

// topics returns the channels of every topic subscribed to, and a channel closed when another
// topic is.
func (n *Notifier) topics() ([]string, <-chan struct{}) {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]string, 0, len(n.subs))
	for t := range n.subs {
		out = append(out, Channel(t))
	}
	return out, n.changed
}

// Listen receives other nodes' announcements until ctx ends: on PostgreSQL it runs the dialect's
// LISTEN loop on the channels of the topics subscribed to, starting it again when a topic is
// added and a second after a failure (subscribers fall back to their timers meanwhile). On
// SQLite it waits for ctx.
func (n *Notifier) Listen(ctx context.Context) error {
	if n.d.Listen == nil {
		<-ctx.Done()
		return nil
	}
	for ctx.Err() == nil {
		channels, changed := n.topics()
		lctx, cancel := context.WithCancel(ctx)
		go func() {
			select {
			case <-changed:
			case <-lctx.Done():
			}
			cancel()
		}()
		var err error
		if len(channels) > 0 {
			err = n.d.Listen(lctx, channels, func() {
				// Announcements made before this LISTEN took (at start, while a topic was added,
				// after a failure) were not heard: every subscriber is told to look again.
				n.listening.Store(true)
				for _, ch := range channels {
					n.deliver(strings.TrimPrefix(ch, ChannelPrefix), "")
				}
			}, func(channel, payload string) {
				n.deliver(strings.TrimPrefix(channel, ChannelPrefix), payload)
			})
		} else {
			n.listening.Store(true) // nothing to hear yet
			<-lctx.Done()
		}
		restarted := lctx.Err() != nil && ctx.Err() == nil
		cancel()
		if err != nil && !restarted && ctx.Err() == nil {
			n.listening.Store(false)
			t := time.NewTimer(time.Second)
			select {
			case <-t.C:
			case <-ctx.Done():
			}
			t.Stop()
		}
	}
	return nil
}
