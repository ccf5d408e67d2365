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

// Archives keep the events of a bus that match their pattern, through a managed rule on the bus
// ("Events-Archive-<name>", whose pattern adds "replay-name": [{"exists": false}] so replayed
// events are never archived again) with the archive as its target: the delivery handler keeps
// the event (deliver.go), once per event id. A replay puts an archive's events from a time range
// back on the bus, each with "replay-name", routed to the bus's rules (or those FilterArns
// names). Replays run within StartReplay and are COMPLETED when it answers. RetentionDays is
// recorded; expiry is not yet enforced.

type CreateArchiveInput struct {
	ArchiveName      string
	EventSourceArn   string
	Description      string
	EventPattern     string
	RetentionDays    int
	KmsKeyIdentifier string
}

type ArchiveOutput struct {
	ArchiveArn   string
	State        string
	StateReason  string `json:",omitempty"`
	CreationTime *Epoch `json:",omitempty"`
}

type ArchiveNameInput struct {
	ArchiveName string
}

type DescribeArchiveOutput struct {
	ArchiveArn       string
	ArchiveName      string
	EventSourceArn   string
	Description      string `json:",omitempty"`
	EventPattern     string `json:",omitempty"`
	State            string
	KmsKeyIdentifier string `json:",omitempty"`
	RetentionDays    int
	SizeBytes        int64
	EventCount       int64
	CreationTime     *Epoch
}

type UpdateArchiveInput struct {
	ArchiveName      string
	Description      *string
	EventPattern     *string
	RetentionDays    *int
	KmsKeyIdentifier string
}

type ListArchivesInput struct {
	NamePrefix     string
	EventSourceArn string
	State          string
	NextToken      string
	Limit          *int
}

type Archive struct {
	ArchiveName    string
	EventSourceArn string
	State          string
	RetentionDays  int
	SizeBytes      int64
	EventCount     int64
	CreationTime   *Epoch
}

type ListArchivesOutput struct {
	Archives  []Archive
	NextToken string `json:",omitempty"`
}

// archiveDoc is what the store keeps of an archive.
type archiveDoc struct {
	Bus              string // the bus name
	Description      string `json:",omitempty"`
	EventPattern     string `json:",omitempty"`
	RetentionDays    int
	KmsKeyIdentifier string `json:",omitempty"`
}

var archiveNameRE = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,48}$`)

func (s *Service) archiveARN(account, name string) string {
	return "arn:aws:events:" + s.region + ":" + account + ":archive/" + name
}

func archiveRule(name string) string { return "Events-Archive-" + name }

// archivePattern is the managed rule's pattern: the archive's, never matching replayed events.
func archivePattern(pattern string) (string, error) {
	m := map[string]json.RawMessage{}
	if pattern != "" {
		if err := json.Unmarshal([]byte(pattern), &m); err != nil {
			return "", ErrInvalidEventPattern.Errorf("Event pattern is not valid. Reason: Filter is not an object")
		}
	}
	m["replay-name"] = json.RawMessage(`[{"exists":false}]`)
	b, _ := json.Marshal(m)
	return string(b), nil
}

// CreateArchive creates an archive of a bus's events.
func (s *Service) CreateArchive(ctx context.Context, in *CreateArchiveInput) (*ArchiveOutput, error) {
	if !archiveNameRE.MatchString(in.ArchiveName) {
		return nil, validation("1 validation error detected: Value '%s' at 'archiveName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", in.ArchiveName)
	}
	if in.RetentionDays < 0 {
		return nil, validation("RetentionDays must be at least 0.")
	}
	account, bus := busOf(ctx, in.EventSourceArn)
	if !strings.HasPrefix(in.EventSourceArn, "arn:") {
		return nil, validation("Parameter EventSourceArn is not valid.")
	}
	if _, _, err := s.bus(ctx, account, bus); err != nil {
		return nil, err
	}
	if in.EventPattern != "" {
		if _, err := compilePattern(in.EventPattern); err != nil {
			return nil, err
		}
	}
	pattern, err := archivePattern(in.EventPattern)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	doc, _ := json.Marshal(archiveDoc{Bus: bus, Description: in.Description, EventPattern: in.EventPattern, RetentionDays: in.RetentionDays, KmsKeyIdentifier: in.KmsKeyIdentifier})
	if err := s.store.CreateEventArchive(ctx, store.EventArchive{Account: account, Name: in.ArchiveName, Doc: doc, Created: now}); errors.Is(err, store.ErrExists) {
		return nil, ErrResourceAlreadyExists.Errorf("Archive %s already exists.", in.ArchiveName)
	} else if err != nil {
		return nil, err
	}
	if err := s.putArchiveRule(ctx, account, bus, in.ArchiveName, pattern); err != nil {
		return nil, err
	}
	created := Epoch(now)
	return &ArchiveOutput{ArchiveArn: s.archiveARN(account, in.ArchiveName), State: "ENABLED", CreationTime: &created}, nil
}

// putArchiveRule creates or updates the archive's managed rule.
func (s *Service) putArchiveRule(ctx context.Context, account, bus, name, pattern string) error {
	return s.saveRule(ctx, account, bus, archiveRule(name), true, func(d *ruleDoc, _ bool) error {
		d.EventPattern, d.State, d.ManagedBy = pattern, stateEnabled, "prod.vhs.events.aws.internal"
		d.Description = "Managed rule for archive " + name
		d.Targets = []Target{{Id: archiveRule(name), Arn: s.archiveARN(account, name)}}
		return nil
	})
}

func (s *Service) archive(ctx context.Context, account, name string) (store.EventArchive, archiveDoc, error) {
	a, err := s.store.EventArchive(ctx, account, name)
	if errors.Is(err, store.ErrNotFound) {
		return a, archiveDoc{}, ErrResourceNotFound.Errorf("Archive %s does not exist.", name)
	}
	if err != nil {
		return a, archiveDoc{}, err
	}
	var d archiveDoc
	json.Unmarshal(a.Doc, &d)
	return a, d, nil
}

// DescribeArchive describes an archive with its event count and size.
func (s *Service) DescribeArchive(ctx context.Context, in *ArchiveNameInput) (*DescribeArchiveOutput, error) {
	account := callerAccount(ctx)
	a, d, err := s.archive(ctx, account, in.ArchiveName)
	if err != nil {
		return nil, err
	}
	n, size, err := s.store.ArchiveStats(ctx, account, a.Name)
	if err != nil {
		return nil, err
	}
	created := Epoch(a.Created)
	return &DescribeArchiveOutput{ArchiveArn: s.archiveARN(account, a.Name), ArchiveName: a.Name, EventSourceArn: s.busARN(account, d.Bus),
		Description: d.Description, EventPattern: d.EventPattern, State: "ENABLED", KmsKeyIdentifier: d.KmsKeyIdentifier, RetentionDays: d.RetentionDays,
		SizeBytes: size, EventCount: n, CreationTime: &created}, nil
}

// UpdateArchive changes an archive's description, pattern and retention.
func (s *Service) UpdateArchive(ctx context.Context, in *UpdateArchiveInput) (*ArchiveOutput, error) {
	account := callerAccount(ctx)
	a, d, err := s.archive(ctx, account, in.ArchiveName)
	if err != nil {
		return nil, err
	}
	if in.Description != nil {
		d.Description = *in.Description
	}
	if in.RetentionDays != nil {
		d.RetentionDays = *in.RetentionDays
	}
	if in.KmsKeyIdentifier != "" {
		d.KmsKeyIdentifier = in.KmsKeyIdentifier
	}
	if in.EventPattern != nil {
		if *in.EventPattern != "" {
			if _, err := compilePattern(*in.EventPattern); err != nil {
				return nil, err
			}
		}
		d.EventPattern = *in.EventPattern
	}
	pattern, err := archivePattern(d.EventPattern)
	if err != nil {
		return nil, err
	}
	a.Doc, _ = json.Marshal(d)
	if err := s.store.UpdateEventArchive(ctx, a); err != nil {
		return nil, err
	}
	if err := s.putArchiveRule(ctx, account, d.Bus, a.Name, pattern); err != nil {
		return nil, err
	}
	created := Epoch(a.Created)
	return &ArchiveOutput{ArchiveArn: s.archiveARN(account, a.Name), State: "ENABLED", CreationTime: &created}, nil
}

// DeleteArchive deletes an archive, its events and its managed rule.
func (s *Service) DeleteArchive(ctx context.Context, in *ArchiveNameInput) (*Empty, error) {
	account := callerAccount(ctx)
	_, d, err := s.archive(ctx, account, in.ArchiveName)
	if err != nil {
		return nil, err
	}
	if err := s.store.DeleteEventRule(ctx, account, d.Bus, archiveRule(in.ArchiveName)); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	s.matcher.changed(ctx, account, d.Bus)
	if err := s.store.DeleteEventArchive(ctx, account, in.ArchiveName); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return &Empty{}, nil
}

// ListArchives lists the account's archives by name.
func (s *Service) ListArchives(ctx context.Context, in *ListArchivesInput) (*ListArchivesOutput, error) {
	account := callerAccount(ctx)
	all, err := s.store.ListEventArchives(ctx, account)
	if err != nil {
		return nil, err
	}
	var names []string
	byName := map[string]Archive{}
	for _, a := range all {
		var d archiveDoc
		json.Unmarshal(a.Doc, &d)
		src := s.busARN(account, d.Bus)
		if !strings.HasPrefix(a.Name, in.NamePrefix) || in.EventSourceArn != "" && in.EventSourceArn != src || in.State != "" && in.State != "ENABLED" {
			continue
		}
		n, size, err := s.store.ArchiveStats(ctx, account, a.Name)
		if err != nil {
			return nil, err
		}
		created := Epoch(a.Created)
		names = append(names, a.Name)
		byName[a.Name] = Archive{ArchiveName: a.Name, EventSourceArn: src, State: "ENABLED", RetentionDays: d.RetentionDays, SizeBytes: size, EventCount: n, CreationTime: &created}
	}
	page, next, err := paginate(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &ListArchivesOutput{Archives: []Archive{}, NextToken: next}
	for _, n := range page {
		out.Archives = append(out.Archives, byName[n])
	}
	return out, nil
}

// keepArchived is the delivery of an event to its archive.
func (s *Service) keepArchived(ctx context.Context, archiveARN string, event []byte) error {
	parts := strings.SplitN(archiveARN, ":", 6)
	account, name := parts[4], strings.TrimPrefix(parts[5], "archive/")
	var env envelope
	if err := json.Unmarshal(event, &env); err != nil {
		return &targetError{code: "INTERNAL_ERROR", msg: "not an event"}
	}
	at, err := time.Parse(timeFormat, env.Time)
	if err != nil {
		at = s.clock.Now()
	}
	return s.store.ArchiveEvent(ctx, account, name, store.ArchivedEvent{ID: env.ID, Time: at, Event: event})
}
