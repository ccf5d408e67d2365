package events

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/google/uuid"
)

// PutEvent puts one event on a bus named by ARN, for other gureum services (Scheduler's
// EventBridge targets; S3 and Lambda destinations later): the event is routed and its deliveries
// recorded durably before it returns, as PutEvents does. Authorization is the caller's business.
func (s *Service) PutEvent(ctx context.Context, busARN, source, detailType, detail string) error {
	parts := strings.SplitN(busARN, ":", 6)
	if len(parts) != 6 || !strings.HasPrefix(parts[5], "event-bus/") {
		return ErrResourceNotFound.Errorf("%s is not an event bus ARN.", busARN)
	}
	account, bus := parts[4], strings.TrimPrefix(parts[5], "event-bus/")
	e := PutEventsRequestEntry{Source: &source, DetailType: &detailType, Detail: &detail}
	if code, msg := entryError(&e); code != "" && code != codeNotAuthorizedForSource {
		return validation("%s", msg)
	}
	now := s.clock.Now().UTC()
	env := envelope{Version: "0", ID: uuid.NewString(), DetailType: detailType, Source: source, Account: account,
		Time: now.Format(timeFormat), Region: s.region, Resources: []string{}, Detail: json.RawMessage(detail)}
	ds, err := s.route(ctx, account, bus, env.encode(), now)
	if err != nil {
		return err
	}
	return s.store.Enqueue(ctx, ds...)
}
