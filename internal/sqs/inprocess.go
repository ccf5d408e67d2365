package sqs

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/iam"
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

// Source is the service principal on whose behalf another gureum service enqueues (an SNS topic's
// delivery, an EventBridge rule's target, an S3 bucket's notification): Service is the principal
// ("sns.amazonaws.com"), ARN and Account the resource it acts for (aws:SourceArn,
// aws:SourceAccount).
type Source struct {
	Service, ARN, Account string
}

type sourceKey struct{}

// WithSource returns a context whose Enqueue calls act as src.
func WithSource(ctx context.Context, src Source) context.Context {
	return context.WithValue(ctx, sourceKey{}, src)
}

// sourceOf is the source an Enqueue acts for: the one WithSource attached, or the service this
// view of SQS was made for (For) acting for the caller of the request in ctx, if any.
func sourceOf(ctx context.Context, service string) (Source, bool) {
	src, ok := ctx.Value(sourceKey{}).(Source)
	if src.Service == "" {
		src.Service = service
	}
	if src.Account == "" {
		src.Account = policyAccount(src.ARN)
	}
	if src.Account == "" {
		src.Account = callerAccount(ctx)
	}
	return src, ok || service != ""
}

// policyAccount is an ARN's account field.
func policyAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// Enqueue sends one message to the queue and returns its message id once it is durable. When it
// acts for a service principal (WithSource) from another account than the queue's, the queue's
// policy must allow that principal sqs:SendMessage, as on AWS.
func (s *Service) Enqueue(ctx context.Context, queueARN, body string, attrs map[string]MessageAttributeValue, groupID, dedupID string) (string, error) {
	return s.enqueue(ctx, "", queueARN, body, attrs, groupID, dedupID)
}

func (s *Service) enqueue(ctx context.Context, service, queueARN, body string, attrs map[string]MessageAttributeValue, groupID, dedupID string) (string, error) {
	url, err := urlForARN(queueARN)
	if err != nil {
		return "", err
	}
	if src, ok := sourceOf(ctx, service); ok {
		if err := s.authorizeSource(ctx, src, queueARN); err != nil {
			return "", err
		}
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

// authorizeSource lets a service principal send to a queue of another account only when the
// queue's policy allows it (iam.AuthorizeServicePrincipal). Within one account the service acts
// for the queue's owner, whose own configuration it carries out.
func (s *Service) authorizeSource(ctx context.Context, src Source, queueARN string) error {
	owner, doc, err := s.ResourcePolicy(ctx, queueARN)
	if err != nil || owner == "" || src.Account == "" || src.Account == owner {
		return err // a queue that does not exist is the send's to report
	}
	return iam.AuthorizeServicePrincipal(iam.ServiceCall{Service: src.Service, SourceARN: src.ARN, SourceAccount: src.Account,
		Action: "sqs:SendMessage", Resource: queueARN, Now: s.clock.Now()}, doc)
}

// Queues is SQS as one service principal sees it: its Enqueue calls act as that service (unless
// the context names another source with WithSource), for the source its messages name, or for
// the account of the request they are made in.
type Queues struct {
	s         *Service
	service   string
	sourceARN func(body string) string
}

// For returns SQS as service (e.g. "s3.amazonaws.com") uses it; sourceARN, when not nil, reads
// the aws:SourceArn of a message from its body (an S3 event's bucket).
func (s *Service) For(service string, sourceARN func(body string) string) Queues {
	return Queues{s: s, service: service, sourceARN: sourceARN}
}

// Enqueue is Service.Enqueue acting as the view's service.
func (q Queues) Enqueue(ctx context.Context, queueARN, body string, attrs map[string]MessageAttributeValue, groupID, dedupID string) (string, error) {
	if _, ok := ctx.Value(sourceKey{}).(Source); !ok && q.sourceARN != nil {
		if arn := q.sourceARN(body); arn != "" {
			ctx = WithSource(ctx, Source{Service: q.service, ARN: arn})
		}
	}
	return q.s.enqueue(ctx, q.service, queueARN, body, attrs, groupID, dedupID)
}

// S3Bucket is the aws:SourceArn of an S3 event notification: the bucket of its records, or of
// its s3:TestEvent.
func S3Bucket(body string) string {
	var m struct {
		Bucket  string
		Records []struct {
			S3 struct {
				Bucket struct {
					Name string `json:"name"`
				} `json:"bucket"`
			} `json:"s3"`
		}
	}
	if json.Unmarshal([]byte(body), &m) != nil {
		return ""
	}
	if len(m.Records) > 0 {
		m.Bucket = m.Records[0].S3.Bucket.Name
	}
	if m.Bucket == "" {
		return ""
	}
	return "arn:aws:s3:::" + m.Bucket
}
