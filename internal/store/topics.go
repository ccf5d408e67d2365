package store

import (
	"context"
	"time"
)

// Topic is an SNS topic.
type Topic struct {
	ARN, Account, Name string
	FIFO               bool
	Attributes         map[string]string // settable attributes as set (DisplayName, Policy, …)
	Tags               map[string]string
	Created            time.Time
}

// Subscription is an SNS subscription of an endpoint to a topic.
type Subscription struct {
	ARN, TopicARN, Account string
	Protocol, Endpoint     string
	Attributes             map[string]string // FilterPolicy, RawMessageDelivery, RedrivePolicy, …
	Token                  string            // the confirmation token while pending
	Pending                bool
	Created                time.Time
}

// Publication is one message published to a topic, with the deliveries it causes.
type Publication struct {
	TopicARN  string
	MessageID string
	// DedupID, when set (FIFO topics), makes the publication a duplicate of an earlier one with
	// the same id whose window (DedupUntil) has not passed at Now: a duplicate records nothing.
	DedupID    string
	DedupUntil time.Time
	Now        time.Time
	FIFO       bool // take a sequence number from the topic
	// Deliveries are recorded in the publication's transaction. Build, when set, builds them
	// once the sequence number is known (FIFO); it replaces Deliveries.
	Deliveries []Delivery
	Build      func(seq int64) []Delivery
}

// Published is a publication's outcome.
type Published struct {
	MessageID string // the earlier message's id for a duplicate
	Seq       int64  // the topic's sequence number (FIFO)
	Duplicate bool
}

// Topics stores SNS topics, subscriptions and publications.
type Topics interface {
	// CreateTopic stores a topic unless one has its ARN; it returns the stored topic and whether
	// it was created.
	CreateTopic(ctx context.Context, t Topic) (Topic, bool, error)
	Topic(ctx context.Context, arn string) (Topic, error) // ErrNotFound
	// ListTopics lists an account's topics by ARN, after the ARN given.
	ListTopics(ctx context.Context, account, after string, limit int) ([]Topic, error)
	// UpdateTopic replaces a topic's attributes and tags. ErrNotFound.
	UpdateTopic(ctx context.Context, arn string, attrs, tags map[string]string) error
	// DeleteTopic removes a topic and its subscriptions; nil when absent.
	DeleteTopic(ctx context.Context, arn string) error
	// PutSubscription stores a subscription, replacing one with its ARN.
	PutSubscription(ctx context.Context, s Subscription) error
	Subscription(ctx context.Context, arn string) (Subscription, error) // ErrNotFound
	// ListSubscriptions lists subscriptions by ARN after the ARN given: a topic's when topicARN
	// is set, else an account's.
	ListSubscriptions(ctx context.Context, account, topicARN, after string, limit int) ([]Subscription, error)
	// DeleteSubscription removes a subscription; nil when absent.
	DeleteSubscription(ctx context.Context, arn string) error
	// Publish records publications, each with its deliveries, in one durable write.
	Publish(ctx context.Context, ps []Publication) ([]Published, error)
	// SweepDedup forgets up to limit deduplication ids whose window ended before now; it
	// returns how many.
	SweepDedup(ctx context.Context, now time.Time, limit int) (int, error)
	// SigningKey returns the region's signing key, storing candidate first when there is none;
	// ErrNotFound when there is none and candidate is nil.
	SigningKey(ctx context.Context, region string, candidate []byte, now time.Time) ([]byte, error)
}
