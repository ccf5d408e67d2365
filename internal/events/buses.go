package events

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// busDoc is what the store keeps of a bus beside its name.
type busDoc struct {
	Description      string            `json:",omitempty"`
	KmsKeyIdentifier string            `json:",omitempty"`
	DeadLetterConfig *DeadLetterConfig `json:",omitempty"`
	LogConfig        json.RawMessage   `json:",omitempty"`
	Policy           string            `json:",omitempty"`
	Tags             []Tag             `json:",omitempty"`
	Modified         time.Time
}

var busNameRE = regexp.MustCompile(`^[/\.\-_A-Za-z0-9]{1,256}$`)

func decodeBus(b store.EventBus) busDoc {
	var d busDoc
	json.Unmarshal(b.Doc, &d)
	return d
}

// bus reads a bus, creating the account's default bus on first use.
func (s *Service) bus(ctx context.Context, account, name string) (store.EventBus, busDoc, error) {
	b, err := s.store.EventBus(ctx, account, name)
	if errors.Is(err, store.ErrNotFound) && name == defaultBus {
		now := s.clock.Now()
		doc, _ := json.Marshal(busDoc{Modified: now})
		b = store.EventBus{Account: account, Name: defaultBus, Doc: doc, Created: now}
		if err = s.store.CreateEventBus(ctx, b); errors.Is(err, store.ErrExists) {
			b, err = s.store.EventBus(ctx, account, name)
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		return b, busDoc{}, ErrResourceNotFound.Errorf("Event bus %s does not exist.", name)
	}
	if err != nil {
		return b, busDoc{}, err
	}
	return b, decodeBus(b), nil
}

// CreateEventBus creates a custom bus.
func (s *Service) CreateEventBus(ctx context.Context, in *CreateEventBusInput) (*CreateEventBusOutput, error) {
	if !busNameRE.MatchString(in.Name) || strings.HasPrefix(in.Name, "arn:") {
		return nil, validation("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+", in.Name)
	}
	if in.EventSourceName != "" || strings.HasPrefix(in.Name, "aws.") {
		return nil, validation("Event source %s does not exist.", in.EventSourceName)
	}
	account := callerAccount(ctx)
	if in.Name == defaultBus {
		return nil, ErrResourceAlreadyExists.Errorf("Event bus default already exists.")
	}
	if len(in.Description) > 512 {
		return nil, validation("Description must be at most 512 characters.")
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	doc, _ := json.Marshal(busDoc{Description: in.Description, KmsKeyIdentifier: in.KmsKeyIdentifier, DeadLetterConfig: in.DeadLetterConfig,
		LogConfig: in.LogConfig, Tags: in.Tags, Modified: now})
	err := s.store.CreateEventBus(ctx, store.EventBus{Account: account, Name: in.Name, Doc: doc, Created: now})
	if errors.Is(err, store.ErrExists) {
		return nil, ErrResourceAlreadyExists.Errorf("Event bus %s already exists.", in.Name)
	}
	if err != nil {
		return nil, err
	}
	return &CreateEventBusOutput{EventBusArn: s.busARN(account, in.Name), Description: in.Description,
		KmsKeyIdentifier: in.KmsKeyIdentifier, DeadLetterConfig: in.DeadLetterConfig, LogConfig: in.LogConfig}, nil
}

// DescribeEventBus describes a bus (the default one when no name is given).
func (s *Service) DescribeEventBus(ctx context.Context, in *NameInput) (*DescribeEventBusOutput, error) {
	account, name := busOf(ctx, in.Name)
	b, d, err := s.bus(ctx, account, name)
	if err != nil {
		return nil, err
	}
	created, modified := Epoch(b.Created), Epoch(d.Modified)
	return &DescribeEventBusOutput{Name: b.Name, Arn: s.busARN(account, b.Name), Description: d.Description, KmsKeyIdentifier: d.KmsKeyIdentifier,
		DeadLetterConfig: d.DeadLetterConfig, Policy: d.Policy, LogConfig: d.LogConfig, CreationTime: &created, LastModifiedTime: &modified}, nil
}

// UpdateEventBus changes a bus's description, key, dead-letter and log configuration.
func (s *Service) UpdateEventBus(ctx context.Context, in *UpdateEventBusInput) (*UpdateEventBusOutput, error) {
	account, name := busOf(ctx, in.Name)
	b, d, err := s.bus(ctx, account, name)
	if err != nil {
		return nil, err
	}
	if in.Description != nil {
		d.Description = *in.Description
	}
	d.KmsKeyIdentifier, d.DeadLetterConfig, d.LogConfig, d.Modified = in.KmsKeyIdentifier, in.DeadLetterConfig, in.LogConfig, s.clock.Now()
	b.Doc, _ = json.Marshal(d)
	if err := s.store.UpdateEventBus(ctx, b); err != nil {
		return nil, err
	}
	return &UpdateEventBusOutput{Arn: s.busARN(account, name), Name: name, Description: d.Description, KmsKeyIdentifier: d.KmsKeyIdentifier,
		DeadLetterConfig: d.DeadLetterConfig, LogConfig: d.LogConfig}, nil
}

// DeleteEventBus deletes a custom bus and its rules; deleting one that does not exist succeeds.
func (s *Service) DeleteEventBus(ctx context.Context, in *NameInput) (*Empty, error) {
	account, name := busOf(ctx, in.Name)
	if name == defaultBus {
		return nil, validation("Cannot delete event bus default.")
	}
	if err := s.store.DeleteEventBus(ctx, account, name); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	s.matcher.changed(ctx, account, name)
	return &Empty{}, nil
}

// ListEventBuses lists the account's buses by name, the default one included.
func (s *Service) ListEventBuses(ctx context.Context, in *ListEventBusesInput) (*ListEventBusesOutput, error) {
	account := callerAccount(ctx)
	if _, _, err := s.bus(ctx, account, defaultBus); err != nil {
		return nil, err
	}
	all, err := s.store.ListEventBuses(ctx, account)
	if err != nil {
		return nil, err
	}
	var names []string
	byName := map[string]store.EventBus{}
	for _, b := range all {
		if strings.HasPrefix(b.Name, in.NamePrefix) {
			names = append(names, b.Name)
			byName[b.Name] = b
		}
	}
	page, next, err := paginate(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &ListEventBusesOutput{EventBuses: []EventBus{}, NextToken: next}
	for _, n := range page {
		b := byName[n]
		d := decodeBus(b)
		created, modified := Epoch(b.Created), Epoch(d.Modified)
		out.EventBuses = append(out.EventBuses, EventBus{Name: n, Arn: s.busARN(account, n), Description: d.Description, Policy: d.Policy,
			CreationTime: &created, LastModifiedTime: &modified})
	}
	return out, nil
}

// paginate pages a sorted list of names; the token is the name to start at.
func paginate(names []string, token string, limit *int) (page []string, next string, err error) {
	n := 100
	if limit != nil {
		if *limit < 1 || *limit > 100 {
			return nil, "", validation("Limit must be between 1 and 100.")
		}
		n = *limit
	}
	start := 0
	if token != "" {
		for start < len(names) && names[start] < token {
			start++
		}
	}
	end := min(start+n, len(names))
	if end < len(names) {
		next = names[end]
	}
	return names[start:end], next, nil
}

func checkTags(tags []Tag) error {
	if len(tags) > 50 {
		return validation("The number of tags must be at most 50.")
	}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 {
			return validation("Tag keys must be 1 to 128 characters and values at most 256.")
		}
	}
	return nil
}
