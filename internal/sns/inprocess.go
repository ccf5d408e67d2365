package sns

import (
	"context"

	"github.com/gureum/gureum/internal/iam"
)

// Source is the service principal a publication made in process acts as (EventBridge for a
// rule's target, Scheduler for a schedule's) and the resource it acts for.
type Source struct {
	Service string // "events.amazonaws.com"
	ARN     string // the rule or schedule: aws:SourceArn
	Account string // its owner: aws:SourceAccount
}

// PublishFrom publishes message to a topic for another service, as AWS's services publish to a
// target topic: within one account the service carries out its owner's configuration; a topic
// of another account takes the message only when its policy allows the service principal
// sns:Publish (iam.AuthorizeServicePrincipal). body is the message; groupID and dedupID are for FIFO topics. It
// answers the message id.
func (s *Service) PublishFrom(ctx context.Context, src Source, topicARN, body, groupID, dedupID string) (string, error) {
	t, err := s.topic(ctx, topicARN)
	if err != nil {
		return "", err
	}
	if src.Account != "" && src.Account != t.Account {
		_, doc, err := s.policies.Policy(ctx, topicARN)
		if err != nil {
			return "", err
		}
		if err := iam.AuthorizeServicePrincipal(iam.ServiceCall{Service: src.Service, SourceARN: src.ARN, SourceAccount: src.Account,
			Action: "sns:Publish", Resource: topicARN, Now: s.clock.Now()}, doc); err != nil {
			return "", err
		}
	}
	e := entry{msg: &body}
	if t.FIFO {
		e.group, e.dedup = &groupID, &dedupID
	}
	m, err := s.message(t, e)
	if err != nil {
		return "", err
	}
	got, err := s.publish(ctx, t, []message{m})
	if err != nil {
		return "", err
	}
	return got[0].MessageID, nil
}
