package logs

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/store"
)

// retentionDays are the values PutRetentionPolicy accepts.
var retentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// constraint is AWS's text for a parameter that fails its model's constraint.
func constraint(value, member, rule string) *awserr.Error {
	return ErrInvalidParameter.Errorf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, member, rule)
}

// checkGroupName holds a log group name to AWS's rules.
func checkGroupName(name, member string) error {
	if len(name) < 1 || len(name) > 512 {
		return constraint(name, member, "Member must have length between 1 and 512")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c == '.' || c == '-' || c == '_' || c == '/' || c == '#' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return constraint(name, member, `Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+`)
		}
	}
	return nil
}

// checkStreamName holds a log stream name to AWS's rules.
func checkStreamName(name string) error {
	if len(name) < 1 || len(name) > 512 {
		return constraint(name, "logStreamName", "Member must have length between 1 and 512")
	}
	if strings.ContainsAny(name, ":*") {
		return constraint(name, "logStreamName", "Member must satisfy regular expression pattern: [^:*]*")
	}
	return nil
}

// limit reads an optional page size within [1, most], most when absent.
func limit(v *int, most int) (int, error) {
	if v == nil {
		return most, nil
	}
	if *v < 1 {
		return 0, constraint(fmt.Sprint(*v), "limit", "Member must have value greater than or equal to 1")
	}
	if *v > most {
		return 0, constraint(fmt.Sprint(*v), "limit", fmt.Sprintf("Member must have value less than or equal to %d", most))
	}
	return *v, nil
}

// group reads a log group of the caller's account.
func (s *Service) group(ctx context.Context, name string) (store.LogGroup, error) {
	if err := checkGroupName(name, "logGroupName"); err != nil {
		return store.LogGroup{}, err
	}
	g, err := s.store.LogGroup(ctx, callerAccount(ctx), name)
	if errors.Is(err, store.ErrNotFound) {
		return g, ErrResourceNotFound.Errorf(msgGroupNotFound)
	}
	return g, err
}

// updateGroup changes a group of the caller's account.
func (s *Service) updateGroup(ctx context.Context, name string, fn func(*store.LogGroup) error) error {
	if err := checkGroupName(name, "logGroupName"); err != nil {
		return err
	}
	err := s.store.UpdateLogGroup(ctx, callerAccount(ctx), name, fn)
	if errors.Is(err, store.ErrNotFound) {
		return ErrResourceNotFound.Errorf(msgGroupNotFound)
	}
	return err
}

// CreateLogGroup creates a log group.
func (s *Service) CreateLogGroup(ctx context.Context, in *CreateLogGroupInput) (*Empty, error) {
	if err := checkGroupName(in.LogGroupName, "logGroupName"); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	switch in.LogGroupClass {
	case "", "STANDARD", "INFREQUENT_ACCESS", "DELIVERY":
	default:
		return nil, constraint(in.LogGroupClass, "logGroupClass", "Member must satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY]")
	}
	err := s.store.CreateLogGroup(ctx, store.LogGroup{Account: callerAccount(ctx), Name: in.LogGroupName, Created: s.clock.Now(), Tags: in.Tags})
	if errors.Is(err, store.ErrExists) {
		return nil, ErrResourceAlreadyExists.Errorf(msgGroupExists)
	}
	return &Empty{}, err
}

// DeleteLogGroup deletes a log group, its streams and (in the background) its events.
func (s *Service) DeleteLogGroup(ctx context.Context, in *LogGroupInput) (*Empty, error) {
	name, err := s.groupNamed(ctx, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if err := checkGroupName(name, "logGroupName"); err != nil {
		return nil, err
	}
	err = s.store.DeleteLogGroup(ctx, callerAccount(ctx), name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrResourceNotFound.Errorf(msgGroupNotFound)
	}
	return &Empty{}, err
}

// PutRetentionPolicy sets how many days a group's events are kept.
func (s *Service) PutRetentionPolicy(ctx context.Context, in *PutRetentionPolicyInput) (*Empty, error) {
	if in.RetentionInDays == nil || !slices.Contains(retentionDays, *in.RetentionInDays) {
		v := "null"
		if in.RetentionInDays != nil {
			v = fmt.Sprint(*in.RetentionInDays)
		}
		return nil, constraint(v, "retentionInDays", "Member must satisfy enum value set: "+
			strings.ReplaceAll(fmt.Sprint(retentionDays), " ", ", "))
	}
	return &Empty{}, s.updateGroup(ctx, in.LogGroupName, func(g *store.LogGroup) error {
		g.RetentionDays = *in.RetentionInDays
		return nil
	})
}

// DeleteRetentionPolicy keeps a group's events forever.
func (s *Service) DeleteRetentionPolicy(ctx context.Context, in *LogGroupInput) (*Empty, error) {
	name, err := s.groupNamed(ctx, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	return &Empty{}, s.updateGroup(ctx, name, func(g *store.LogGroup) error {
		g.RetentionDays = 0
		return nil
	})
}

// DescribeLogGroups lists the caller's groups by name, with a name prefix or a case-insensitive
// pattern (a substring).
func (s *Service) DescribeLogGroups(ctx context.Context, in *DescribeLogGroupsInput) (*DescribeLogGroupsOutput, error) {
	if in.LogGroupNamePrefix != "" && in.LogGroupNamePattern != "" {
		return nil, ErrInvalidParameter.Errorf("LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters.")
	}
	n, err := limit(in.Limit, 50)
	if err != nil {
		return nil, err
	}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	if len(in.LogGroupIdentifiers) > 0 {
		if in.LogGroupNamePrefix != "" || in.LogGroupNamePattern != "" {
			return nil, ErrInvalidParameter.Errorf("LogGroupIdentifiers is mutually exclusive with LogGroupNamePrefix and LogGroupNamePattern.")
		}
		return s.describeIdentified(ctx, in.LogGroupIdentifiers)
	}
	pattern := strings.ToLower(in.LogGroupNamePattern)
	out := &DescribeLogGroupsOutput{LogGroups: []LogGroup{}}
	for {
		page, err := s.store.ListLogGroups(ctx, callerAccount(ctx), in.LogGroupNamePrefix, after, 100)
		if err != nil {
			return nil, err
		}
		for _, g := range page {
			if !strings.Contains(strings.ToLower(g.Name), pattern) {
				continue
			}
			if len(out.LogGroups) == n {
				out.NextToken = encodeToken(after)
				return out, nil
			}
			out.LogGroups = append(out.LogGroups, s.wireGroup(g))
			after = g.Name
		}
		if len(page) < 100 {
			return out, nil
		}
		after = page[len(page)-1].Name
	}
}

// describeIdentified describes the groups logGroupIdentifiers names (up to 50, names or ARNs),
// in the order given; those that do not exist, or are not the caller's, are left out.
func (s *Service) describeIdentified(ctx context.Context, ids []string) (*DescribeLogGroupsOutput, error) {
	if len(ids) > 50 {
		return nil, constraint(fmt.Sprint(ids), "logGroupIdentifiers", "Member must have length less than or equal to 50")
	}
	caller := callerAccount(ctx)
	out := &DescribeLogGroupsOutput{LogGroups: []LogGroup{}}
	seen := map[string]bool{}
	for _, id := range ids {
		account, name := refOf(caller, "", id)
		if account != caller || seen[name] {
			continue
		}
		seen[name] = true
		g, err := s.store.LogGroup(ctx, caller, name)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out.LogGroups = append(out.LogGroups, s.wireGroup(g))
	}
	return out, nil
}

func (s *Service) wireGroup(g store.LogGroup) LogGroup {
	arn := s.groupARN(g.Account, g.Name)
	out := LogGroup{LogGroupName: g.Name, CreationTime: g.Created.UnixMilli(), Arn: arn + ":*", LogGroupArn: arn, LogGroupClass: "STANDARD"}
	if g.RetentionDays > 0 {
		days := g.RetentionDays
		out.RetentionInDays = &days
	}
	return out
}

// encodeToken makes a position opaque for nextToken.
func encodeToken(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func decodeToken(tok string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return "", ErrInvalidParameter.Errorf(msgBadToken)
	}
	return string(b), nil
}
