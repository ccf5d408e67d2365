package dynamodb

import (
	"math"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/dynamodb/attr"
)

// burstSeconds is how much unused capacity a provisioned table keeps: DynamoDB retains up to
// five minutes of it as burst credit.
const burstSeconds = 300

// throttle holds each provisioned table's token buckets, one for reads and one for writes, on
// this node. On-demand tables are never throttled.
type throttle struct {
	mu      sync.Mutex
	buckets map[bucketKey]*bucket
}

type bucketKey struct {
	table int64
	write bool
}

type bucket struct {
	rate   float64 // units a second
	tokens float64
	last   time.Time
}

// take charges units to a table's bucket; it refuses (false) when the bucket is empty, and
// otherwise lets the charge run the bucket below zero, as DynamoDB admits a request it cannot
// yet size.
func (th *throttle) take(t *table, write bool, units float64, now time.Time) bool {
	if t.doc.BillingMode == "PAY_PER_REQUEST" || t.doc.Provisioned == nil {
		return true
	}
	rate := float64(t.doc.Provisioned.ReadCapacityUnits)
	if write {
		rate = float64(t.doc.Provisioned.WriteCapacityUnits)
	}
	th.mu.Lock()
	defer th.mu.Unlock()
	if th.buckets == nil {
		th.buckets = map[bucketKey]*bucket{}
	}
	k := bucketKey{t.ID, write}
	b := th.buckets[k]
	if b == nil || b.rate != rate {
		b = &bucket{rate: rate, tokens: rate * burstSeconds, last: now}
		th.buckets[k] = b
	}
	b.tokens = math.Min(rate*burstSeconds, b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	if b.tokens <= 0 {
		return false
	}
	b.tokens -= units
	return true
}

// throughputExceeded is DynamoDB's answer to a throttled request.
func throughputExceeded() error {
	return ErrProvisionedThroughput.Errorf("The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.")
}

// writeUnits is what writing an item of size bytes costs.
func writeUnits(size int) float64 { return math.Max(1, math.Ceil(float64(size)/1024)) }

// readUnits is what reading size bytes costs.
func readUnits(size int, consistent bool) float64 {
	u := math.Max(1, math.Ceil(float64(size)/4096))
	if !consistent {
		u /= 2
	}
	return u
}

// chargeWrite charges a write of items to its table; it refuses when the table is throttled.
func (s *Service) chargeWrite(t *table, items ...Item) error {
	size := 0
	for _, it := range items {
		size = max(size, attr.ItemSize(it))
	}
	if !s.throttle.take(t, true, writeUnits(size), s.now()) {
		return throughputExceeded()
	}
	return nil
}

// chargeRead charges a read of size bytes.
func (s *Service) chargeRead(t *table, size int, consistent bool) error {
	if !s.throttle.take(t, false, readUnits(size, consistent), s.now()) {
		return throughputExceeded()
	}
	return nil
}
