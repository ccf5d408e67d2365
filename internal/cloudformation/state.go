package cloudformation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/store"
)

// stackDoc is a stack as the engine keeps it (the store's doc).
type stackDoc struct {
	ID                    string
	Name                  string
	Account               string
	Description           string
	Status                string
	Reason                string
	Created               time.Time
	Updated               time.Time // zero until the first update
	Deleted               time.Time
	Body                  string         // the template as submitted
	Template              map[string]any // the processed template (after transforms)
	Parameters            []paramValue
	Capabilities          []string
	Tags                  []Tag
	NotificationARNs      []string
	DisableRollback       bool
	TerminationProtection bool
	StackPolicy           string
	Resources             map[string]*resourceState
	Outputs               []Output
	Imports               []string // export names this stack imports
	ChangeSets            []*changeSet
	ChangeSetID           string // the change set last executed
	Op                    *operation
	Caller                principal
	RoleARN               string `json:",omitempty"` // the service role its operations act as
	NextEvent             int64
	// Custom are the requests sent to custom resources that await (or just got) their answer.
	Custom map[string]*customRequest `json:",omitempty"`
}

// paramValue is a parameter's value in a stack.
type paramValue struct {
	Key      string
	Value    string
	Resolved string `json:",omitempty"` // an SSM parameter type's value
	NoEcho   bool   `json:",omitempty"`
}

// resourceState is one resource of a stack.
type resourceState struct {
	LogicalID      string
	Type           string
	PhysicalID     string
	Status         string
	Reason         string `json:",omitempty"`
	Updated        time.Time
	Props          map[string]any    // the properties it was made with, functions evaluated
	Attrs          map[string]any    // its Ref ("Ref") and Fn::GetAtt values
	Deps           []string          // the resources it depends on
	DeletionPolicy string            `json:",omitempty"`
	Metadata       any               `json:",omitempty"`
	Extra          map[string]string `json:",omitempty"` // the provider's own notes
}

func (r *resourceState) clone() *resourceState {
	if r == nil {
		return nil
	}
	b, _ := json.Marshal(r)
	var c resourceState
	json.Unmarshal(b, &c)
	return &c
}

// operation is a stack operation in progress: what it is to reach, and how far it got.
type operation struct {
	Kind     string // CREATE, UPDATE, DELETE
	Phase    string // apply, cleanup, rollback
	Template map[string]any
	Body     string
	Params   []paramValue
	// Update: the stack as it was, to roll back to and to clean up after.
	OldTemplate map[string]any
	OldBody     string
	OldParams   []paramValue
	Old         map[string]*resourceState
	Applied     []string          // resources changed, in order
	Change      map[string]string // what was done to each: created, updated, replaced
	Retain      []string          // DeleteStack's RetainResources
	Failed      []string          // resources that failed
	ChangeSetID string
	Disable     bool // DisableRollback
}

const (
	opCreate = "CREATE"
	opUpdate = "UPDATE"
	opDelete = "DELETE"
)

func callerAccount(ctx context.Context) string {
	if p := request.From(ctx).Principal; p != nil {
		return p.Account
	}
	return ""
}

func callerOf(ctx context.Context) principal {
	info := request.From(ctx)
	p := principal{Host: info.Host}
	if info.Principal != nil {
		p.Account, p.ARN, p.UserID, p.KeyID, p.Root = info.Principal.Account, info.Principal.ARN, info.Principal.UserID,
			info.Principal.AccessKeyID, info.Principal.Root
	}
	return p
}

func isARN(s string) bool { return strings.HasPrefix(s, "arn:") }

func (s *Service) stackARN(account, name string) string {
	return fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/%s", s.region, account, name, newUUID())
}

func newUUID() string { return request.NewID() }

// load reads a stack by name or id as the caller sees it: a live stack by name, any stack of
// the caller's account by id.
func (s *Service) load(ctx context.Context, nameOrID string) (store.Stack, *stackDoc, error) {
	account := callerAccount(ctx)
	var x store.Stack
	var err error
	if isARN(nameOrID) {
		x, err = s.store.Stack(ctx, nameOrID)
		if err == nil && x.Account != account {
			err = store.ErrNotFound
		}
	} else {
		x, err = s.store.StackByName(ctx, account, nameOrID)
	}
	if errors.Is(err, store.ErrNotFound) {
		return x, nil, noStack(nameOrID)
	}
	if err != nil {
		return x, nil, err
	}
	d, err := decodeDoc(x.Doc)
	return x, d, err
}

func decodeDoc(b []byte) (*stackDoc, error) {
	var d stackDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("stack document: %w", err)
	}
	if d.Resources == nil {
		d.Resources = map[string]*resourceState{}
	}
	return &d, nil
}

// event is a stack event as kept.
type event struct {
	EventID    string
	Logical    string
	Physical   string
	Type       string
	Status     string
	Reason     string `json:",omitempty"`
	Properties string `json:",omitempty"`
	Token      string `json:",omitempty"`
	Time       time.Time
}

// change is what a mutation adds to a stack: events, and whether the stack's task is to run.
type change struct {
	d      *stackDoc
	now    time.Time
	events []store.StackEvent
}

// stackEvent records the stack's own status change.
func (c *change) stackEvent(status, reason string) {
	c.d.Status, c.d.Reason = status, reason
	c.add(event{Logical: c.d.Name, Physical: c.d.ID, Type: "AWS::CloudFormation::Stack", Status: status, Reason: reason})
}

// resourceEvent records a resource's status change.
func (c *change) resourceEvent(r *resourceState, status, reason string) {
	r.Status, r.Reason, r.Updated = status, reason, c.now
	props := ""
	if r.Props != nil && (strings.HasSuffix(status, "_IN_PROGRESS") && r.PhysicalID == "") {
		b, _ := json.Marshal(r.Props)
		props = string(b)
	}
	c.add(event{Logical: r.LogicalID, Physical: r.PhysicalID, Type: r.Type, Status: status, Reason: reason, Properties: props})
}

func (c *change) add(e event) {
	c.d.NextEvent++
	e.Time = c.now
	if e.EventID == "" {
		if e.Type == "AWS::CloudFormation::Stack" {
			e.EventID = newUUID()
		} else {
			e.EventID = e.Logical + "-" + e.Status + "-" + c.now.UTC().Format("2006-01-02T15:04:05.000Z")
		}
	}
	b, _ := json.Marshal(e)
	c.events = append(c.events, store.StackEvent{StackID: c.d.ID, Seq: c.d.NextEvent, Time: c.now, Doc: b})
}

// mutate applies fn to the stack's current document and stores it (with fn's events), retrying
// when another writer got there first; task adds the stack's task lease.
func (s *Service) mutate(ctx context.Context, id string, task bool, fn func(c *change) error) (*stackDoc, error) {
	for attempt := 0; ; attempt++ {
		x, err := s.store.Stack(ctx, id)
		if err != nil {
			return nil, err
		}
		d, err := decodeDoc(x.Doc)
		if err != nil {
			return nil, err
		}
		c := &change{d: d, now: s.clock.Now().UTC()}
		if err := fn(c); err != nil {
			return nil, err
		}
		if err := s.save(ctx, x, d, c.events, task); err != nil {
			if errors.Is(err, store.ErrConditionFailed) && attempt < 20 {
				continue
			}
			return nil, err
		}
		return d, nil
	}
}

func (s *Service) save(ctx context.Context, x store.Stack, d *stackDoc, events []store.StackEvent, task bool) error {
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	x.Doc, x.Status, x.Updated = b, d.Status, s.clock.Now()
	x.Deleted = d.Status == "DELETE_COMPLETE"
	return s.store.UpdateStack(ctx, x, events, task)
}
