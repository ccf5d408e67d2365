package events

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/gureum/gureum/internal/schedule"
	"github.com/gureum/gureum/internal/store"
)

// scheduleTick is how often the schedule job looks for rules due. Rules fire within their
// minute, as AWS's do (60-second precision).
const scheduleTick = 10 * time.Second

// fireDue fires every scheduled rule that is due. It runs as one periodic job (Runner.Every), so
// exactly one node fires rules at a time; each fire is a compare-and-set on the rule's last fire
// time written with its deliveries, so even two runs overlapping fire a slot once. A rule whose
// slots passed while gureum was down fires once, for the latest of them.
func (s *Service) fireDue(ctx context.Context) error {
	rules, err := s.store.ScheduledEventRules(ctx)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	for _, r := range rules {
		if err := s.fireRule(ctx, r, now); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) fireRule(ctx context.Context, r store.EventRule, now time.Time) error {
	d := decodeRule(r)
	expr, err := schedule.ParseRule(d.ScheduleExpression)
	if err != nil || !d.enabled() {
		return nil
	}
	after := r.LastFired
	if after.IsZero() {
		after = r.Created
	}
	slot, ok := expr.Last(after, now, r.Created, time.UTC)
	if !ok {
		return nil
	}
	arn := s.ruleARN(r.Account, r.Bus, r.Name)
	env := envelope{Version: "0", ID: uuid.NewString(), DetailType: "Scheduled Event", Source: "aws.events", Account: r.Account,
		Time: slot.UTC().Format(timeFormat), Region: s.region, Resources: []string{arn}, Detail: []byte("{}")}
	_, err = s.store.FireEventRule(ctx, r, slot, s.deliveries(arn, r.Name, d.Targets, env.encode(), now))
	return err
}
