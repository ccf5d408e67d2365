package sns

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"regexp"
	"strings"

	"github.com/gureum/gureum/internal/iam/policy"
	"github.com/gureum/gureum/internal/store"
)

// AddPermissionInput is AddPermission's input.
type AddPermissionInput struct {
	TopicArn     string
	Label        string
	AWSAccountId []string
	ActionName   []string
}

// RemovePermissionInput is RemovePermission's input.
type RemovePermissionInput struct {
	TopicArn string
	Label    string
}

func (i *AddPermissionInput) topicARN() string    { return i.TopicArn }
func (i *RemovePermissionInput) topicARN() string { return i.TopicArn }

// topicPolicy is the part of a policy document AddPermission and RemovePermission edit.
type topicPolicy struct {
	Version   string            `json:"Version"`
	ID        string            `json:"Id,omitempty"`
	Statement []json.RawMessage `json:"Statement"`
}

type permissionStatement struct {
	Sid       string              `json:"Sid"`
	Effect    string              `json:"Effect"`
	Principal map[string][]string `json:"Principal"`
	Action    []string            `json:"Action"`
	Resource  string              `json:"Resource"`
}

var (
	labelRE   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	// topicActions are the actions AddPermission may grant (the API reference's list).
	topicActions = map[string]bool{"AddPermission": true, "DeleteTopic": true, "GetDataProtectionPolicy": true, "GetTopicAttributes": true,
		"ListSubscriptionsByTopic": true, "ListTagsForResource": true, "Publish": true, "PutDataProtectionPolicy": true,
		"RemovePermission": true, "SetTopicAttributes": true, "Subscribe": true, "*": true}
)

// checkPolicy validates a topic's Policy attribute as IAM would a resource policy.
func checkPolicy(doc string) error {
	if doc == "" {
		return nil
	}
	if _, err := policy.Parse(doc, policy.Resource); err != nil {
		return invalid("Policy: %s", err)
	}
	return nil
}

// AddPermission adds a statement labelled Label to the topic's policy that allows the accounts
// the actions.
func (s *Service) AddPermission(ctx context.Context, in *AddPermissionInput) (*Empty, error) {
	t, err := s.topic(ctx, in.TopicArn)
	if err != nil {
		return nil, err
	}
	switch {
	case !labelRE.MatchString(in.Label):
		return nil, invalid("Label")
	case len(in.AWSAccountId) == 0:
		return nil, invalid("AWSAccountId")
	case len(in.ActionName) == 0:
		return nil, invalid("ActionName")
	}
	var principals, actions []string
	for _, a := range in.AWSAccountId {
		if !accountRE.MatchString(a) {
			return nil, invalid("AWSAccountId")
		}
		principals = append(principals, "arn:aws:iam::"+a+":root")
	}
	for _, a := range in.ActionName {
		name := strings.TrimPrefix(a, "SNS:")
		if !topicActions[name] {
			return nil, invalid("ActionName")
		}
		actions = append(actions, "SNS:"+name)
	}
	p, sids, err := readTopicPolicy(t)
	if err != nil {
		return nil, err
	}
	for _, sid := range sids {
		if sid == in.Label {
			return nil, invalid("Label Reason: Already exists.")
		}
	}
	st, _ := json.Marshal(permissionStatement{Sid: in.Label, Effect: "Allow", Principal: map[string][]string{"AWS": principals}, Action: actions, Resource: t.ARN})
	p.Statement = append(p.Statement, st)
	return &Empty{}, s.savePolicy(ctx, t, p)
}

// RemovePermission removes the statement labelled Label from the topic's policy.
func (s *Service) RemovePermission(ctx context.Context, in *RemovePermissionInput) (*Empty, error) {
	t, err := s.topic(ctx, in.TopicArn)
	if err != nil {
		return nil, err
	}
	if in.Label == "" {
		return nil, invalid("Label")
	}
	p, sids, err := readTopicPolicy(t)
	if err != nil {
		return nil, err
	}
	kept := p.Statement[:0]
	for i, sid := range sids {
		if sid != in.Label {
			kept = append(kept, p.Statement[i])
		}
	}
	if len(kept) == len(sids) {
		return nil, invalid("Label Reason: can't find label on existing policy.")
	}
	p.Statement = kept
	return &Empty{}, s.savePolicy(ctx, t, p)
}

// readTopicPolicy reads the topic's policy, or the default one when none was set, and the Sids
// of its statements.
func readTopicPolicy(t store.Topic) (topicPolicy, []string, error) {
	doc := t.Attributes["Policy"]
	if doc == "" {
		doc = defaultPolicy(t.ARN, t.Account)
	}
	var p topicPolicy
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return p, nil, invalid("Policy: failed to parse JSON.")
	}
	sids := make([]string, len(p.Statement))
	for i, st := range p.Statement {
		var one struct{ Sid string }
		json.Unmarshal(st, &one)
		sids[i] = one.Sid
	}
	return p, sids, nil
}

func (s *Service) savePolicy(ctx context.Context, t store.Topic, p topicPolicy) error {
	attrs := maps.Clone(t.Attributes)
	if attrs == nil {
		attrs = map[string]string{}
	}
	b, _ := json.Marshal(p)
	attrs["Policy"] = string(b)
	return s.updateTopic(ctx, t.ARN, attrs, t.Tags)
}

// policyTopic is the notifier topic on which a topic's ARN is announced when its policy may
// have changed (the topic was created, changed or deleted): every node drops it from its cache.
const policyTopic = "sns_policies"

// ResourcePolicy is SNS's service.ResourcePolicyFunc, through the node's cache
// (iam.PolicyCache): a topic without a policy costs the authorizer a map lookup.
func (s *Service) ResourcePolicy(ctx context.Context, resource string) (owner, doc string, err error) {
	if !strings.HasPrefix(resource, "arn:aws:sns:") {
		return "", "", nil
	}
	return s.policies.Policy(ctx, resource)
}

// updateTopic stores a topic's attributes and tags and drops its policy from every node's cache.
func (s *Service) updateTopic(ctx context.Context, arn string, attrs, tags map[string]string) error {
	err := s.store.UpdateTopic(ctx, arn, attrs, tags)
	s.policies.Changed(ctx, arn)
	return err
}

// loadPolicy is the uncached service.ResourcePolicyFunc: the owner and Policy attribute of the
// topic a check names (a subscription's checks name its topic). A topic without a policy of its
// own has AWS's default one, which allows its owner's account what its identity policies allow:
// nothing to add.
func (s *Service) loadPolicy(ctx context.Context, resource string) (owner, doc string, err error) {
	if !strings.HasPrefix(resource, "arn:aws:sns:") {
		return "", "", nil
	}
	t, err := s.store.Topic(ctx, resource)
	if errors.Is(err, store.ErrNotFound) {
		return "", "", nil
	}
	if err != nil {
		return "", "", err
	}
	doc = t.Attributes["Policy"]
	if doc == defaultPolicy(t.ARN, t.Account) {
		doc = ""
	}
	return t.Account, doc, nil
}
