package events

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/store"
)

type ReplayDestination struct {
	Arn        string
	FilterArns []string `json:",omitempty"`
}

type StartReplayInput struct {
	ReplayName     string
	Description    string
	EventSourceArn string
	EventStartTime *Epoch
	EventEndTime   *Epoch
	Destination    *ReplayDestination
}

type StartReplayOutput struct {
	ReplayArn       string
	State           string
	StateReason     string `json:",omitempty"`
	ReplayStartTime *Epoch
}

type ReplayNameInput struct {
	ReplayName string
}

type DescribeReplayOutput struct {
	ReplayName            string
	ReplayArn             string
	Description           string `json:",omitempty"`
	State                 string
	StateReason           string `json:",omitempty"`
	EventSourceArn        string
	Destination           *ReplayDestination
	EventStartTime        *Epoch
	EventEndTime          *Epoch
	EventLastReplayedTime *Epoch `json:",omitempty"`
	ReplayStartTime       *Epoch
	ReplayEndTime         *Epoch `json:",omitempty"`
}

type ListReplaysInput struct {
	NamePrefix     string
	State          string
	EventSourceArn string
	NextToken      string
	Limit          *int
}

type Replay struct {
	ReplayName            string
	EventSourceArn        string
	State                 string
	StateReason           string `json:",omitempty"`
	EventStartTime        *Epoch
	EventEndTime          *Epoch
	EventLastReplayedTime *Epoch `json:",omitempty"`
	ReplayStartTime       *Epoch
	ReplayEndTime         *Epoch `json:",omitempty"`
}

type ListReplaysOutput struct {
	Replays   []Replay
	NextToken string `json:",omitempty"`
}

type CancelReplayOutput struct {
	ReplayArn   string
	State       string
	StateReason string `json:",omitempty"`
}

// replayDoc is what the store keeps of a replay: DescribeReplay's output.
type replayDoc = DescribeReplayOutput

// replayEnvelope is an event as a replay delivers it: "replay-name" after "region", as AWS puts it.
type replayEnvelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	ReplayName string          `json:"replay-name"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

var replayNameRE = nameRE

// StartReplay replays an archive's events from [EventStartTime, EventEndTime) onto its bus.
func (s *Service) StartReplay(ctx context.Context, in *StartReplayInput) (*StartReplayOutput, error) {
	if !replayNameRE.MatchString(in.ReplayName) {
		return nil, validation("1 validation error detected: Value '%s' at 'replayName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", in.ReplayName)
	}
	if in.EventStartTime == nil || in.EventEndTime == nil || in.Destination == nil {
		return nil, validation("EventStartTime, EventEndTime and Destination are required.")
	}
	from, to := time.Time(*in.EventStartTime), time.Time(*in.EventEndTime)
	if !to.After(from) {
		return nil, validation("Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.")
	}
	account := callerAccount(ctx)
	name, ok := strings.CutPrefix(in.EventSourceArn, s.archiveARN(account, ""))
	if !ok {
		return nil, validation("Parameter EventSourceArn is not valid.")
	}
	_, ad, err := s.archive(ctx, account, name)
	if err != nil {
		return nil, err
	}
	if in.Destination.Arn != s.busARN(account, ad.Bus) {
		return nil, validation("Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.")
	}
	now := s.clock.Now()
	start := Epoch(now)
	d := replayDoc{ReplayName: in.ReplayName, ReplayArn: s.replayARN(account, in.ReplayName), Description: in.Description, State: "STARTING",
		EventSourceArn: in.EventSourceArn, Destination: in.Destination, EventStartTime: in.EventStartTime, EventEndTime: in.EventEndTime, ReplayStartTime: &start}
	doc, _ := json.Marshal(d)
	if err := s.store.CreateEventReplay(ctx, store.EventReplay{Account: account, Name: in.ReplayName, Doc: doc}); errors.Is(err, store.ErrExists) {
		return nil, ErrResourceAlreadyExists.Errorf("Replay %s already exists.", in.ReplayName)
	} else if err != nil {
		return nil, err
	}
	last, err := s.replay(ctx, account, ad.Bus, name, in, from, to)
	d.State = "COMPLETED"
	if err != nil {
		d.State, d.StateReason = "FAILED", "The replay could not be completed."
	}
	end := Epoch(s.clock.Now())
	d.ReplayEndTime = &end
	if !last.IsZero() {
		l := Epoch(last)
		d.EventLastReplayedTime = &l
	}
	doc, _ = json.Marshal(d)
	if err := s.store.UpdateEventReplay(ctx, store.EventReplay{Account: account, Name: in.ReplayName, Doc: doc}); err != nil {
		return nil, err
	}
	return &StartReplayOutput{ReplayArn: d.ReplayArn, State: d.State, StateReason: d.StateReason, ReplayStartTime: &start}, nil
}

func (s *Service) replayARN(account, name string) string {
	return "arn:aws:events:" + s.region + ":" + account + ":replay/" + name
}

// replay routes the archived events to the bus's rules (those FilterArns names, if any), a
// page of deliveries per write, and returns the time of the last event replayed.
func (s *Service) replay(ctx context.Context, account, bus, archive string, in *StartReplayInput, from, to time.Time) (time.Time, error) {
	evs, err := s.store.ArchivedEvents(ctx, account, archive, from, to)
	if err != nil {
		return time.Time{}, err
	}
	cb, err := s.matcher.get(ctx, account, bus)
	if err != nil {
		return time.Time{}, err
	}
	var last time.Time
	var ds []store.Delivery
	now := s.clock.Now()
	for _, e := range evs {
		var env replayEnvelope
		if json.Unmarshal(e.Event, &env) != nil {
			continue
		}
		env.ReplayName = in.ReplayName
		b, _ := json.Marshal(env)
		decoded, err := cb.set.Decode(b)
		if err != nil {
			continue
		}
		for _, i := range cb.set.Match(decoded, nil) {
			r := &cb.rules[i]
			if len(in.Destination.FilterArns) > 0 && !contains(in.Destination.FilterArns, r.arn) {
				continue
			}
			ds = append(ds, s.deliveries(r.arn, r.name, r.targets, b, now)...)
		}
		last = e.Time
		if len(ds) >= 100 {
			if err := s.store.Enqueue(ctx, ds...); err != nil {
				return last, err
			}
			ds = ds[:0]
		}
	}
	return last, s.store.Enqueue(ctx, ds...)
}

func (s *Service) replayDoc(ctx context.Context, account, name string) (replayDoc, error) {
	r, err := s.store.EventReplay(ctx, account, name)
	if errors.Is(err, store.ErrNotFound) {
		return replayDoc{}, ErrResourceNotFound.Errorf("Replay %s does not exist.", name)
	}
	if err != nil {
		return replayDoc{}, err
	}
	var d replayDoc
	json.Unmarshal(r.Doc, &d)
	return d, nil
}

// DescribeReplay describes a replay.
func (s *Service) DescribeReplay(ctx context.Context, in *ReplayNameInput) (*DescribeReplayOutput, error) {
	d, err := s.replayDoc(ctx, callerAccount(ctx), in.ReplayName)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// CancelReplay cancels a replay that is still starting or running; gureum's finish within
// StartReplay, so there is nothing left to cancel.
func (s *Service) CancelReplay(ctx context.Context, in *ReplayNameInput) (*CancelReplayOutput, error) {
	d, err := s.replayDoc(ctx, callerAccount(ctx), in.ReplayName)
	if err != nil {
		return nil, err
	}
	return nil, ErrIllegalStatus.Errorf("Replay %s is not in a state that it can be cancelled: %s.", d.ReplayName, d.State)
}

// ListReplays lists the account's replays by name.
func (s *Service) ListReplays(ctx context.Context, in *ListReplaysInput) (*ListReplaysOutput, error) {
	all, err := s.store.ListEventReplays(ctx, callerAccount(ctx))
	if err != nil {
		return nil, err
	}
	var names []string
	byName := map[string]Replay{}
	for _, r := range all {
		var d replayDoc
		json.Unmarshal(r.Doc, &d)
		if !strings.HasPrefix(r.Name, in.NamePrefix) || in.State != "" && d.State != in.State || in.EventSourceArn != "" && d.EventSourceArn != in.EventSourceArn {
			continue
		}
		names = append(names, r.Name)
		byName[r.Name] = Replay{ReplayName: d.ReplayName, EventSourceArn: d.EventSourceArn, State: d.State, StateReason: d.StateReason, EventStartTime: d.EventStartTime,
			EventEndTime: d.EventEndTime, EventLastReplayedTime: d.EventLastReplayedTime, ReplayStartTime: d.ReplayStartTime, ReplayEndTime: d.ReplayEndTime}
	}
	page, next, err := paginate(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &ListReplaysOutput{Replays: []Replay{}, NextToken: next}
	for _, n := range page {
		out.Replays = append(out.Replays, byName[n])
	}
	return out, nil
}
