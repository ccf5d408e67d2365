package sqs

import (
	"context"
	"encoding/base64"
	"errors"
	"sort"
	"strconv"

	"github.com/gureum/gureum/internal/store"
)

// CreateQueue creates a queue, or returns the URL of an existing one with the same attributes.
func (s *Service) CreateQueue(ctx context.Context, in *CreateQueueInput) (*QueueURLOutput, error) {
	if in.QueueName == "" {
		return nil, ErrMissingParameter.Errorf("The request must contain the parameter QueueName.")
	}
	fifo, err := validQueueName(in.QueueName)
	if err != nil {
		return nil, err
	}
	if v, ok := in.Attributes["FifoQueue"]; ok && (v == "true") != fifo {
		if v == "true" {
			return nil, ErrInvalidParameterValue.Errorf("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
		}
		return nil, invalidValue("FifoQueue")
	}
	attrs, err := validateAttributes(in.Attributes, fifo, true)
	if err != nil {
		return nil, err
	}
	if len(in.Tags) > 50 {
		return nil, ErrInvalidParameterValue.Errorf("Too many tags added for queue %s.", in.QueueName)
	}
	if err := checkTagText(in.Tags); err != nil {
		return nil, err
	}
	account := callerAccount(ctx)
	if existing, err := s.store.Queue(ctx, account, in.QueueName); err == nil {
		for k, v := range attrs {
			if existing.Attributes[k] != v && !(v == "" && existing.Attributes[k] == "") {
				return nil, ErrQueueNameExists.Errorf("A queue already exists with the same name and a different value for attribute %s", k)
			}
		}
		return &QueueURLOutput{QueueUrl: queueURL(ctx, existing)}, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	now := s.clock.Now()
	if recent, err := s.store.DeletedSince(ctx, account, in.QueueName, now.Add(-recreateDelay)); err != nil {
		return nil, err
	} else if recent {
		return nil, ErrQueueDeletedRecently.Errorf("You must wait 60 seconds after deleting a queue before you can create another with the same name.")
	}
	q := store.Queue{Account: account, Name: in.QueueName, FIFO: fifo, Attributes: withDefaults(attrs, fifo), Tags: in.Tags, Created: now, Modified: now}
	if err := s.checkRedrive(ctx, &q); err != nil {
		return nil, err
	}
	if err := s.store.CreateQueue(ctx, &q); err != nil {
		if errors.Is(err, store.ErrExists) { // a concurrent create of the same name
			return s.CreateQueue(ctx, in)
		}
		return nil, err
	}
	s.policyChanged(ctx, account, q.Name)
	return &QueueURLOutput{QueueUrl: queueURL(ctx, q)}, nil
}

// checkRedrive validates a queue's redrive policy against its dead-letter queue and records
// the target for ListDeadLetterSourceQueues.
func (s *Service) checkRedrive(ctx context.Context, q *store.Queue) error {
	q.DeadLetterTarget = ""
	rp := q.Attributes["RedrivePolicy"]
	if rp == "" {
		return nil
	}
	p, err := parseRedrive(rp)
	if err != nil {
		return err
	}
	dlq, err := s.queueByARN(ctx, p.DeadLetterTargetArn)
	if err != nil || dlq.Account != q.Account {
		return ErrInvalidParameterValue.Errorf("Value %s for parameter RedrivePolicy is invalid. Reason: Dead-letter target does not exist.", rp)
	}
	if dlq.FIFO != q.FIFO {
		return ErrInvalidParameterValue.Errorf("Value %s for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be same type of queue as the source.", rp)
	}
	q.DeadLetterTarget = p.DeadLetterTargetArn
	return nil
}

// DeleteQueue deletes a queue and its messages.
func (s *Service) DeleteQueue(ctx context.Context, in *QueueInput) (*Empty, error) {
	q, err := s.queue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	s.queues.forget(q.Account + "/" + q.Name)
	if err := s.store.DeleteQueue(ctx, q.ID, s.clock.Now()); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	s.queues.forget(q.Account + "/" + q.Name)
	s.policyChanged(ctx, q.Account, q.Name)
	s.waiters.notify(q.ID)
	return &Empty{}, nil
}

// GetQueueUrl returns the URL of a queue by name.
func (s *Service) GetQueueUrl(ctx context.Context, in *GetQueueUrlInput) (*QueueURLOutput, error) {
	if in.QueueName == "" {
		return nil, ErrMissingParameter.Errorf("The request must contain the parameter QueueName.")
	}
	account := in.QueueOwnerAWSAccountId
	if account == "" {
		account = callerAccount(ctx)
	}
	q, err := s.store.Queue(ctx, account, in.QueueName)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrQueueDoesNotExist.Errorf("The specified queue does not exist.")
	}
	if err != nil {
		return nil, err
	}
	s.policyChanged(ctx, account, q.Name)
	return &QueueURLOutput{QueueUrl: queueURL(ctx, q)}, nil
}

// page applies MaxResults and NextToken (the last name returned, base64) to a sorted list.
func page(ctx context.Context, queues []store.Queue, maxResults *int, next string) ([]string, string, error) {
	limit := 1000
	if maxResults != nil {
		if *maxResults < 1 || *maxResults > 1000 {
			return nil, "", ErrInvalidParameterValue.Errorf("Value %d for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.", *maxResults)
		}
		limit = *maxResults
	}
	after := ""
	if next != "" {
		b, err := base64.RawURLEncoding.DecodeString(next)
		if err != nil {
			return nil, "", ErrInvalidParameterValue.Errorf("Invalid NextToken value.")
		}
		after = string(b)
	}
	start := sort.Search(len(queues), func(i int) bool { return queues[i].Name > after })
	urls := []string{}
	for _, q := range queues[start:] {
		if len(urls) == limit {
			break
		}
		urls = append(urls, queueURL(ctx, q))
	}
	token := ""
	if maxResults != nil && start+len(urls) < len(queues) {
		token = base64.RawURLEncoding.EncodeToString([]byte(queues[start+len(urls)-1].Name))
	}
	return urls, token, nil
}

// ListQueues lists the caller's queues by name prefix.
func (s *Service) ListQueues(ctx context.Context, in *ListQueuesInput) (*ListQueuesOutput, error) {
	queues, err := s.store.ListQueues(ctx, callerAccount(ctx), in.QueueNamePrefix)
	if err != nil {
		return nil, err
	}
	urls, token, err := page(ctx, queues, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &ListQueuesOutput{QueueUrls: urls, NextToken: token}, nil
}

// ListDeadLetterSourceQueues lists the queues whose redrive policy targets this queue.
func (s *Service) ListDeadLetterSourceQueues(ctx context.Context, in *ListDeadLetterSourceQueuesInput) (*ListDeadLetterSourceQueuesOutput, error) {
	q, err := s.queue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	sources, err := s.store.DeadLetterSources(ctx, q.Account, s.arn(q.Account, q.Name))
	if err != nil {
		return nil, err
	}
	urls, token, err := page(ctx, sources, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &ListDeadLetterSourceQueuesOutput{QueueUrls: urls, NextToken: token}, nil
}

// GetQueueAttributes returns the named attributes ("All" for every one).
func (s *Service) GetQueueAttributes(ctx context.Context, in *GetQueueAttributesInput) (*GetQueueAttributesOutput, error) {
	q, err := s.queue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	all := map[string]string{}
	for k, v := range q.Attributes {
		all[k] = v
	}
	now := s.clock.Now()
	counts, err := s.store.CountMessages(ctx, q.ID, now)
	if err != nil {
		return nil, err
	}
	all["QueueArn"] = s.arn(q.Account, q.Name)
	all["ApproximateNumberOfMessages"] = strconv.FormatInt(counts.Visible, 10)
	all["ApproximateNumberOfMessagesNotVisible"] = strconv.FormatInt(counts.InFlight, 10)
	all["ApproximateNumberOfMessagesDelayed"] = strconv.FormatInt(counts.Delayed, 10)
	all["CreatedTimestamp"] = strconv.FormatInt(q.Created.Unix(), 10)
	all["LastModifiedTimestamp"] = strconv.FormatInt(q.Modified.Unix(), 10)
	out := Attributes{}
	for _, name := range in.AttributeNames {
		if name == "All" {
			return &GetQueueAttributesOutput{Attributes: all}, nil
		}
		if !knownAttribute(name) {
			return nil, ErrInvalidAttributeName.Errorf("Unknown Attribute %s.", name)
		}
		if v, ok := all[name]; ok {
			out[name] = v
		}
	}
	return &GetQueueAttributesOutput{Attributes: out}, nil
}

func knownAttribute(name string) bool {
	if _, ok := intAttributes[name]; ok {
		return true
	}
	switch name {
	case "Policy", "RedrivePolicy", "RedriveAllowPolicy", "FifoQueue", "ContentBasedDeduplication", "DeduplicationScope",
		"FifoThroughputLimit", "KmsMasterKeyId", "SqsManagedSseEnabled":
		return true
	}
	for _, c := range computed {
		if c == name {
			return true
		}
	}
	return false
}

// SetQueueAttributes changes settable attributes.
func (s *Service) SetQueueAttributes(ctx context.Context, in *SetQueueAttributesInput) (*Empty, error) {
	q, err := s.queueToChange(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	attrs, err := validateAttributes(in.Attributes, q.FIFO, false)
	if err != nil {
		return nil, err
	}
	for k, v := range attrs {
		q.Attributes[k] = v
	}
	q.Attributes = withDefaults(q.Attributes, q.FIFO)
	if err := s.checkRedrive(ctx, &q); err != nil {
		return nil, err
	}
	q.Modified = s.clock.Now()
	if err := s.updateQueue(ctx, q); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// TagQueue adds or replaces tags.
func (s *Service) TagQueue(ctx context.Context, in *TagQueueInput) (*Empty, error) {
	q, err := s.queueToChange(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, ErrMissingParameter.Errorf("The request must contain the parameter Tags.")
	}
	if err := checkTagText(in.Tags); err != nil {
		return nil, err
	}
	if q.Tags == nil {
		q.Tags = map[string]string{}
	}
	for k, v := range in.Tags {
		q.Tags[k] = v
	}
	if len(q.Tags) > 50 {
		return nil, ErrInvalidParameterValue.Errorf("Too many tags added for queue %s.", q.Name)
	}
	return &Empty{}, s.updateQueue(ctx, q)
}

// checkTagText refuses tags whose keys or values hold characters SQS does not allow (the query
// protocol lets any byte through, and a JSON response could not carry them unchanged).
func checkTagText(tags map[string]string) error {
	for k, v := range tags {
		if !validBody(k) || !validBody(v) {
			return ErrInvalidParameterValue.Errorf("Tag %q contains invalid characters. %s", k, invalidCharacters)
		}
	}
	return nil
}

// UntagQueue removes tags.
func (s *Service) UntagQueue(ctx context.Context, in *UntagQueueInput) (*Empty, error) {
	q, err := s.queueToChange(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if len(in.TagKeys) == 0 {
		return nil, ErrMissingParameter.Errorf("The request must contain the parameter TagKeys.")
	}
	for _, k := range in.TagKeys {
		delete(q.Tags, k)
	}
	return &Empty{}, s.updateQueue(ctx, q)
}

// ListQueueTags returns a queue's tags.
func (s *Service) ListQueueTags(ctx context.Context, in *QueueInput) (*ListQueueTagsOutput, error) {
	q, err := s.queue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return &ListQueueTagsOutput{Tags: q.Tags}, nil
}

// PurgeQueue deletes every message; once per 60 seconds per queue.
func (s *Service) PurgeQueue(ctx context.Context, in *QueueInput) (*Empty, error) {
	q, err := s.queue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	if !q.PurgedAt.IsZero() && now.Sub(q.PurgedAt) < purgeInterval {
		return nil, ErrPurgeQueueInProgress.Errorf("Only one PurgeQueue operation on %s is allowed every 60 seconds.", q.Name)
	}
	if err := s.store.PurgeMessages(ctx, q.ID); err != nil {
		return nil, err
	}
	q.PurgedAt = now
	return &Empty{}, s.updateQueue(ctx, q)
}
