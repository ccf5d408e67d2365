package sqs

import (
	"context"
	"errors"
	"strings"

	"github.com/gureum/gureum/internal/store"
)

// policyTopic is the notifier topic on which a queue's ARN is announced when its policy may
// have changed (the queue was created, changed or deleted): every node drops it from its cache.
const policyTopic = "sqs_policies"

// loadPolicy is the uncached service.ResourcePolicyFunc: the owner and Policy attribute of the
// queue a check names (nothing for "*", a queue that does not exist, or an ARN that is not a
// queue's).
func (s *Service) loadPolicy(ctx context.Context, resource string) (owner, doc string, err error) {
	account, name, ok := queueOfResource(resource)
	if !ok {
		return "", "", nil
	}
	q, err := s.store.Queue(ctx, account, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "", "", nil
	case err != nil:
		return "", "", err
	}
	return q.Account, q.Attributes["Policy"], nil
}

// ResourcePolicy is SQS's service.ResourcePolicyFunc, through the node's cache.
func (s *Service) ResourcePolicy(ctx context.Context, resource string) (owner, doc string, err error) {
	return s.policies.Policy(ctx, resource)
}

// queueOfResource reads account and name from a queue ARN of any region.
func queueOfResource(arn string) (account, name string, ok bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:sqs:")
	if !ok {
		return "", "", false
	}
	i := strings.IndexByte(rest, ':')
	if i < 0 {
		return "", "", false
	}
	rest = rest[i+1:]
	j := strings.IndexByte(rest, ':')
	if j < 0 || j == len(rest)-1 || strings.IndexByte(rest[j+1:], ':') >= 0 {
		return "", "", false
	}
	return rest[:j], rest[j+1:], true
}

// policyChanged drops a queue from every node's policy cache.
func (s *Service) policyChanged(ctx context.Context, account, name string) {
	s.policies.Changed(ctx, s.arn(account, name))
}
