package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// groupDoc is what the store keeps of a group beside its name.
type groupDoc struct {
	Tags     []Tag `json:",omitempty"`
	Modified time.Time
}

var nameRE = regexp.MustCompile(`^[0-9a-zA-Z\-_.]{1,64}$`)

func badName(what, name string) error {
	return ErrValidation.Errorf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$", name, what)
}

// group reads a group, creating the account's default group on first use.
func (s *Service) group(ctx context.Context, account, name string) (store.ScheduleGroup, groupDoc, error) {
	g, err := s.store.ScheduleGroup(ctx, account, name)
	if errors.Is(err, store.ErrNotFound) && name == defaultGroup {
		now := s.clock.Now()
		doc, _ := json.Marshal(groupDoc{Modified: now})
		g = store.ScheduleGroup{Account: account, Name: defaultGroup, Doc: doc, Created: now}
		if err = s.store.CreateScheduleGroup(ctx, g); errors.Is(err, store.ErrExists) {
			g, err = s.store.ScheduleGroup(ctx, account, name)
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		return g, groupDoc{}, ErrResourceNotFound.Errorf("Schedule group %s does not exist.", name)
	}
	if err != nil {
		return g, groupDoc{}, err
	}
	var d groupDoc
	json.Unmarshal(g.Doc, &d)
	return g, d, nil
}

// CreateScheduleGroup creates a group.
func (s *Service) CreateScheduleGroup(ctx context.Context, in *CreateScheduleGroupInput) (*ScheduleGroupArnOutput, error) {
	if !nameRE.MatchString(in.Name) {
		return nil, badName("name", in.Name)
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	account := callerAccount(ctx)
	if _, _, err := s.group(ctx, account, defaultGroup); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	doc, _ := json.Marshal(groupDoc{Tags: in.Tags, Modified: now})
	err := s.store.CreateScheduleGroup(ctx, store.ScheduleGroup{Account: account, Name: in.Name, Doc: doc, Created: now})
	if errors.Is(err, store.ErrExists) {
		return nil, ErrConflict.Errorf("Schedule group %s already exists.", in.Name)
	}
	if err != nil {
		return nil, err
	}
	return &ScheduleGroupArnOutput{ScheduleGroupArn: s.groupARN(account, in.Name)}, nil
}

// GetScheduleGroup describes a group.
func (s *Service) GetScheduleGroup(ctx context.Context, in *GroupNameInput) (*GetScheduleGroupOutput, error) {
	account := callerAccount(ctx)
	g, d, err := s.group(ctx, account, in.Name)
	if err != nil {
		return nil, err
	}
	return &GetScheduleGroupOutput{Arn: s.groupARN(account, g.Name), CreationDate: epochOf(g.Created), LastModificationDate: epochOf(d.Modified),
		Name: g.Name, State: "ACTIVE"}, nil
}

// DeleteScheduleGroup deletes a group with its schedules; the default group cannot be deleted.
func (s *Service) DeleteScheduleGroup(ctx context.Context, in *GroupNameInput) (*Empty, error) {
	if in.Name == defaultGroup {
		return nil, ErrValidation.Errorf("Cannot delete the default schedule group.")
	}
	err := s.store.DeleteScheduleGroup(ctx, callerAccount(ctx), in.Name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrResourceNotFound.Errorf("Schedule group %s does not exist.", in.Name)
	}
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// ListScheduleGroups lists the account's groups by name, the default one included.
func (s *Service) ListScheduleGroups(ctx context.Context, in *ListScheduleGroupsInput) (*ListScheduleGroupsOutput, error) {
	account := callerAccount(ctx)
	if _, _, err := s.group(ctx, account, defaultGroup); err != nil {
		return nil, err
	}
	all, err := s.store.ListScheduleGroups(ctx, account)
	if err != nil {
		return nil, err
	}
	out := &ListScheduleGroupsOutput{ScheduleGroups: []GetScheduleGroupOutput{}}
	var names []string
	byName := map[string]store.ScheduleGroup{}
	for _, g := range all {
		if strings.HasPrefix(g.Name, in.NamePrefix) {
			names = append(names, g.Name)
			byName[g.Name] = g
		}
	}
	page, next, err := paginate(names, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out.NextToken = next
	for _, n := range page {
		g := byName[n]
		var d groupDoc
		json.Unmarshal(g.Doc, &d)
		out.ScheduleGroups = append(out.ScheduleGroups, GetScheduleGroupOutput{Arn: s.groupARN(account, n), CreationDate: epochOf(g.Created),
			LastModificationDate: epochOf(d.Modified), Name: n, State: "ACTIVE"})
	}
	return out, nil
}

// paginate pages a sorted list of keys; the token is the key to start at.
func paginate(keys []string, token string, limit int) (page []string, next string, err error) {
	if limit == 0 {
		limit = 100
	}
	if limit < 1 || limit > 100 {
		return nil, "", ErrValidation.Errorf("MaxResults must be between 1 and 100.")
	}
	start := 0
	for token != "" && start < len(keys) && keys[start] < token {
		start++
	}
	end := min(start+limit, len(keys))
	if end < len(keys) {
		next = keys[end]
	}
	return keys[start:end], next, nil
}

func checkTags(tags []Tag) error {
	if len(tags) > 200 {
		return ErrValidation.Errorf("Too many tags.")
	}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 || t.Value == "" || len(t.Value) > 256 {
			return ErrValidation.Errorf("Tag keys must be 1 to 128 characters and values 1 to 256.")
		}
	}
	return nil
}
