package sqs

import (
	"context"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// The in-process interface: other gureum services use SQS through these calls, with the same
// semantics as the API (durability, visibility, redrive, FIFO) and without HTTP. Queues are named
// by ARN; authorization is the calling service's business (it acts for the queue's owner under its
// own rules, e.g. a bucket's notification configuration or a function's event-source mapping).

// urlForARN turns a queue ARN into the path form the handlers resolve.
func urlForARN(arn string) (string, error) {
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sqs" {
		return "", ErrQueueDoesNotExist.Errorf("%q is not a queue ARN.", arn)
	}
	return "/" + parts[4] + "/" + parts[5], nil
}

// Enqueue sends one message to the queue and returns its message id once it is durable.
func (s *Service) Enqueue(ctx context.Context, queueARN, body string, attrs map[string]MessageAttributeValue, groupID, dedupID string) (string, error) {
	url, err := urlForARN(queueARN)
	if err != nil {
		return "", err
	}
	out, err := s.SendMessage(ctx, &SendMessageInput{QueueUrl: url, MessageBody: &body, MessageAttributes: attrs,
		MessageGroupId: groupID, MessageDeduplicationId: dedupID})
	if err != nil {
		return "", err
	}
	return out.MessageId, nil
}

// Poll receives up to max messages (1–10), long-polling up to wait, hiding them for visibility
// (the queue's default when zero). Messages carry all system and message attributes.
func (s *Service) Poll(ctx context.Context, queueARN string, max int, wait, visibility time.Duration) ([]Message, error) {
	url, err := urlForARN(queueARN)
	if err != nil {
		return nil, err
	}
	in := &ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: &max, AttributeNames: []string{"All"}, MessageAttributeNames: []string{"All"}}
	w := int(wait / time.Second)
	in.WaitTimeSeconds = &w
	if visibility > 0 {
		v := int(visibility / time.Second)
		in.VisibilityTimeout = &v
	}
	out, err := s.ReceiveMessage(ctx, in)
	if err != nil {
		return nil, err
	}
	return out.Messages, nil
}

// queueOfARN resolves a queue by ARN.
func (s *Service) queueOfARN(ctx context.Context, arn string) (store.Queue, error) {
	url, err := urlForARN(arn)
	if err != nil {
		return store.Queue{}, err
	}
	return s.queue(ctx, url)
}

// Ack deletes received messages by receipt handle in one durable write.
func (s *Service) Ack(ctx context.Context, queueARN string, receiptHandles []string) error {
	q, err := s.queueOfARN(ctx, queueARN)
	if err != nil {
		return err
	}
	errs, err := s.deleteMany(ctx, q, receiptHandles)
	if err != nil {
		return err
	}
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// Release makes received messages visible again at once (a failed batch, for redelivery).
func (s *Service) Release(ctx context.Context, queueARN string, receiptHandles []string) error {
	q, err := s.queueOfARN(ctx, queueARN)
	if err != nil {
		return err
	}
	zero := 0
	entries := make([]BatchHandleEntry, len(receiptHandles))
	for i, h := range receiptHandles {
		entries[i] = BatchHandleEntry{ReceiptHandle: h, VisibilityTimeout: &zero}
	}
	_, err = s.changeMany(ctx, q, entries)
	return err
}
