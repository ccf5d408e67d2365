package events

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gureum/gureum/internal/store"
)

// envelope is an event as EventBridge delivers it, fields in AWS's order.
type envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

const timeFormat = "2006-01-02T15:04:05Z"

func (e *envelope) encode() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(e)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// entrySize is an entry's size as AWS counts it ("Calculating PutEvents event entry size"):
// 14 bytes for a Time, plus the UTF-8 bytes of Source, DetailType, Detail and each resource.
func entrySize(e *PutEventsRequestEntry) int {
	n := 0
	if e.Time != nil {
		n += 14
	}
	for _, s := range []*string{e.Source, e.DetailType, e.Detail} {
		if s != nil {
			n += len(*s)
		}
	}
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}

// entryError checks an entry alone; the code and message are PutEvents' per-entry ones.
func entryError(e *PutEventsRequestEntry) (code, msg string) {
	switch {
	case e.Source == nil || *e.Source == "":
		return codeInvalidArgument, "Parameter Source is not valid. Reason: Source is a required argument."
	case e.DetailType == nil || *e.DetailType == "":
		return codeInvalidArgument, "Parameter DetailType is not valid. Reason: DetailType is a required argument."
	case e.Detail == nil || *e.Detail == "":
		return codeInvalidArgument, "Parameter Detail is not valid. Reason: Detail is a required argument."
	case len(*e.DetailType) > 128:
		return codeInvalidArgument, "Parameter DetailType is not valid. Reason: DetailType is longer than 128 characters."
	case strings.HasPrefix(*e.Source, "aws."):
		return codeNotAuthorizedForSource, "Not authorized for the source."
	}
	d := bytes.TrimSpace([]byte(*e.Detail))
	if len(d) == 0 || d[0] != '{' || !json.Valid(d) {
		return codeMalformedDetail, "Detail is malformed."
	}
	return "", ""
}

// PutEvents accepts up to 10 events: each is matched against its bus's rules and one delivery per
// matching target is recorded, durably, before the answer.
func (s *Service) PutEvents(ctx context.Context, in *PutEventsInput) (*PutEventsOutput, error) {
	if len(in.Entries) == 0 || len(in.Entries) > 10 {
		return nil, validation("1 validation error detected: Value '%d' at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10", len(in.Entries))
	}
	total := 0
	for i := range in.Entries {
		total += entrySize(&in.Entries[i])
	}
	if total > s.maxSize {
		return nil, validation("Total size of the entries in the request is over the limit.")
	}
	now := s.clock.Now().UTC()
	out := &PutEventsOutput{Entries: make([]PutEventsResultEntry, len(in.Entries))}
	var ds []store.Delivery
	for i := range in.Entries {
		e := &in.Entries[i]
		if code, msg := entryError(e); code != "" {
			out.Entries[i] = PutEventsResultEntry{ErrorCode: code, ErrorMessage: msg}
			out.FailedEntryCount++
			continue
		}
		account, bus := busOf(ctx, e.EventBusName)
		sender := callerAccount(ctx) // an event put on another account's bus carries its sender's account
		if sender == "" {
			sender = account
		}
		env := envelope{Version: "0", ID: uuid.NewString(), DetailType: *e.DetailType, Source: *e.Source, Account: sender,
			Time: now.Format(timeFormat), Region: s.region, Resources: e.Resources, Detail: json.RawMessage(*e.Detail)}
		if e.Time != nil {
			env.Time = time.Time(*e.Time).UTC().Format(timeFormat)
		}
		if env.Resources == nil {
			env.Resources = []string{}
		}
		matched, err := s.route(ctx, account, bus, env.encode(), now)
		if err != nil {
			return nil, err
		}
		ds = append(ds, matched...)
		out.Entries[i] = PutEventsResultEntry{EventId: env.ID}
	}
	if err := s.store.Enqueue(ctx, ds...); err != nil {
		return nil, err
	}
	return out, nil
}

// route matches an encoded event against a bus's rules and returns a delivery per target of
// each matching rule.
func (s *Service) route(ctx context.Context, account, bus string, event []byte, now time.Time) ([]store.Delivery, error) {
	cb, err := s.matcher.get(ctx, account, bus)
	if err != nil {
		return nil, err
	}
	if len(cb.rules) == 0 {
		return nil, nil
	}
	decoded, err := cb.set.Decode(event)
	if err != nil {
		return nil, nil
	}
	var ds []store.Delivery
	for _, i := range cb.set.Match(decoded, nil) {
		r := &cb.rules[i]
		ds = append(ds, s.deliveries(r.arn, r.name, r.targets, event, now)...)
	}
	return ds, nil
}

// deliveries builds one outbox delivery per target.
func (s *Service) deliveries(ruleARN, ruleName string, targets []Target, event []byte, now time.Time) []store.Delivery {
	ds := make([]store.Delivery, 0, len(targets))
	for _, t := range targets {
		p := payload{Rule: ruleARN, RuleName: ruleName, Target: t, Event: event, Ingested: now, First: now}
		b, _ := json.Marshal(p)
		ds = append(ds, store.Delivery{Kind: deliveryKind, Target: t.Arn, Payload: b, Created: now})
	}
	return ds
}

// TestEventPattern reports whether an event matches a pattern.
func (s *Service) TestEventPattern(ctx context.Context, in *TestEventPatternInput) (*TestEventPatternOutput, error) {
	p, err := compilePattern(in.EventPattern)
	if err != nil {
		return nil, err
	}
	var ev map[string]json.RawMessage
	if err := json.Unmarshal([]byte(in.Event), &ev); err != nil {
		return nil, validation("Parameter Event is not valid.")
	}
	for _, f := range []string{"id", "account", "source", "time", "region", "resources", "detail-type"} {
		if _, ok := ev[f]; !ok {
			return nil, validation("Parameter Event is not valid. Reason: Provided Event is missing required field %s.", f)
		}
	}
	ok, err := p.Match([]byte(in.Event))
	if err != nil {
		return nil, validation("Parameter Event is not valid.")
	}
	return &TestEventPatternOutput{Result: ok}, nil
}
