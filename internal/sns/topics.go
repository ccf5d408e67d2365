package sns

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/store"
)

// Topic attributes a caller may set, and whether only FIFO topics take them.
var topicAttributes = map[string]bool{
	"DeliveryPolicy": false, "DisplayName": false, "Policy": false, "KmsMasterKeyId": false, "SignatureVersion": false,
	"TracingConfig": false, "ArchivePolicy": true, "ContentBasedDeduplication": true, "FifoThroughputScope": true,
	"DataProtectionPolicy":              false,
	"ApplicationSuccessFeedbackRoleArn": false, "ApplicationSuccessFeedbackSampleRate": false, "ApplicationFailureFeedbackRoleArn": false,
	"HTTPSuccessFeedbackRoleArn": false, "HTTPSuccessFeedbackSampleRate": false, "HTTPFailureFeedbackRoleArn": false,
	"LambdaSuccessFeedbackRoleArn": false, "LambdaSuccessFeedbackSampleRate": false, "LambdaFailureFeedbackRoleArn": false,
	"SQSSuccessFeedbackRoleArn": false, "SQSSuccessFeedbackSampleRate": false, "SQSFailureFeedbackRoleArn": false,
	"FirehoseSuccessFeedbackRoleArn": false, "FirehoseSuccessFeedbackSampleRate": false, "FirehoseFailureFeedbackRoleArn": false,
}

const listPage = 100

// validTopicName checks a name as AWS does: 1–256 letters, digits, '_' and '-', plus ".fifo"
// for a FIFO topic.
func validTopicName(name string, fifo bool) error {
	base := name
	if fifo {
		var ok bool
		if base, ok = strings.CutSuffix(name, ".fifo"); !ok {
			return invalid("Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.")
		}
	}
	if base == "" || len(name) > 256 {
		return invalid("Topic Name")
	}
	for _, c := range base {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return invalid("Topic Name")
		}
	}
	return nil
}

// checkTopicAttribute validates one settable attribute.
func checkTopicAttribute(name, value string, fifo bool) error {
	fifoOnly, ok := topicAttributes[name]
	if !ok {
		return invalid("AttributeName")
	}
	if fifoOnly && !fifo {
		return invalid("%s Reason: %s can only be set for FIFO topics", name, name)
	}
	switch name {
	case "SignatureVersion":
		if value != "1" && value != "2" {
			return invalid("SignatureVersion")
		}
	case "ContentBasedDeduplication":
		if value != "true" && value != "false" {
			return invalid("ContentBasedDeduplication")
		}
	case "FifoThroughputScope":
		if value != "Topic" && value != "MessageGroup" {
			return invalid("FifoThroughputScope")
		}
	case "Policy":
		return checkPolicy(value)
	case "DeliveryPolicy", "DataProtectionPolicy", "ArchivePolicy":
		if value != "" && !json.Valid([]byte(value)) {
			return invalid("%s: failed to parse JSON.", name)
		}
	case "DisplayName":
		if len(value) > 100 {
			return invalid("DisplayName")
		}
	}
	return nil
}

// CreateTopic creates a topic, or returns the existing one of that name if its attributes agree.
func (s *Service) CreateTopic(ctx context.Context, in *CreateTopicInput) (*CreateTopicOutput, error) {
	attrs := maps.Clone(in.Attributes)
	if attrs == nil {
		attrs = map[string]string{}
	}
	fifo := strings.EqualFold(attrs["FifoTopic"], "true")
	if v, ok := attrs["FifoTopic"]; ok && v != "true" && v != "false" {
		return nil, invalid("FifoTopic")
	}
	delete(attrs, "FifoTopic")
	if err := validTopicName(in.Name, fifo); err != nil {
		return nil, err
	}
	for k, v := range attrs {
		if err := checkTopicAttribute(k, v, fifo); err != nil {
			return nil, err
		}
	}
	tags, err := tagMap(nil, in.Tags)
	if err != nil {
		return nil, err
	}
	account := callerAccount(ctx)
	t := store.Topic{ARN: s.topicARN(account, in.Name), Account: account, Name: in.Name, FIFO: fifo, Attributes: attrs, Tags: tags, Created: s.clock.Now()}
	got, created, err := s.store.CreateTopic(ctx, t)
	if err != nil {
		return nil, err
	}
	if created { // a cache may hold the topic's absence
		s.policies.Changed(ctx, got.ARN)
	}
	if !created {
		if !maps.Equal(got.Attributes, attrs) && len(in.Attributes) > 0 {
			return nil, invalid("Attributes Reason: Topic already exists with different attributes")
		}
		if len(in.Tags) > 0 && !maps.Equal(got.Tags, tags) {
			return nil, invalid("Tags Reason: Topic already exists with different tags")
		}
	}
	return &CreateTopicOutput{TopicArn: got.ARN}, nil
}

// topic reads a topic by ARN, NotFound when absent.
func (s *Service) topic(ctx context.Context, arn string) (store.Topic, error) {
	if arn == "" {
		return store.Topic{}, invalid("TopicArn")
	}
	if _, _, err := s.parseTopicARN(arn); err != nil {
		return store.Topic{}, err
	}
	t, err := s.store.Topic(ctx, arn)
	if errors.Is(err, store.ErrNotFound) {
		return t, topicNotFound()
	}
	return t, err
}

// DeleteTopic deletes a topic and its subscriptions; deleting a missing topic succeeds.
func (s *Service) DeleteTopic(ctx context.Context, in *TopicInput) (*Empty, error) {
	if _, _, err := s.parseTopicARN(in.TopicArn); err != nil {
		return nil, err
	}
	err := s.store.DeleteTopic(ctx, in.TopicArn)
	s.policies.Changed(ctx, in.TopicArn)
	return &Empty{}, err
}

// ListTopics lists the caller's topics, 100 a page.
func (s *Service) ListTopics(ctx context.Context, in *ListInput) (*ListTopicsOutput, error) {
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	ts, err := s.store.ListTopics(ctx, callerAccount(ctx), after, listPage+1)
	if err != nil {
		return nil, err
	}
	out := &ListTopicsOutput{Topics: []TopicArn{}}
	if len(ts) > listPage {
		ts = ts[:listPage]
		out.NextToken = encodeToken(ts[listPage-1].ARN)
	}
	for _, t := range ts {
		out.Topics = append(out.Topics, TopicArn{t.ARN})
	}
	return out, nil
}

func encodeToken(after string) string { return base64.RawURLEncoding.EncodeToString([]byte(after)) }

func decodeToken(tok string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return "", invalid("NextToken")
	}
	return string(b), nil
}

// GetTopicAttributes returns a topic's attributes with the computed ones.
func (s *Service) GetTopicAttributes(ctx context.Context, in *TopicInput) (*AttributesOutput, error) {
	t, err := s.topic(ctx, in.TopicArn)
	if err != nil {
		return nil, err
	}
	subs, err := s.allSubscriptions(ctx, t.ARN)
	if err != nil {
		return nil, err
	}
	var confirmed, pending int
	for _, x := range subs {
		if x.Pending {
			pending++
		} else {
			confirmed++
		}
	}
	attrs := map[string]string{
		"TopicArn": t.ARN, "Owner": t.Account, "DisplayName": "", "Policy": defaultPolicy(t.ARN, t.Account),
		"SubscriptionsConfirmed": strconv.Itoa(confirmed), "SubscriptionsPending": strconv.Itoa(pending), "SubscriptionsDeleted": "0",
		"EffectiveDeliveryPolicy": effectiveDeliveryPolicy(t.Attributes["DeliveryPolicy"]),
	}
	if t.FIFO {
		attrs["FifoTopic"], attrs["ContentBasedDeduplication"] = "true", "false"
	}
	maps.Copy(attrs, t.Attributes)
	return &AttributesOutput{Attributes: attributeMap(attrs)}, nil
}

// SetTopicAttributes sets one attribute.
func (s *Service) SetTopicAttributes(ctx context.Context, in *SetTopicAttributesInput) (*Empty, error) {
	t, err := s.topic(ctx, in.TopicArn)
	if err != nil {
		return nil, err
	}
	value := ""
	if in.AttributeValue != nil {
		value = *in.AttributeValue
	}
	if err := checkTopicAttribute(in.AttributeName, value, t.FIFO); err != nil {
		return nil, err
	}
	attrs := maps.Clone(t.Attributes)
	if attrs == nil {
		attrs = map[string]string{}
	}
	if value == "" && in.AttributeName != "DisplayName" {
		delete(attrs, in.AttributeName)
	} else {
		attrs[in.AttributeName] = value
	}
	return &Empty{}, s.updateTopic(ctx, t.ARN, attrs, t.Tags)
}

// defaultPolicy is the policy AWS gives a new topic: the owner's account may use it.
func defaultPolicy(arn, account string) string {
	p := map[string]any{"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": []any{map[string]any{
		"Sid": "__default_statement_ID", "Effect": "Allow", "Principal": map[string]any{"AWS": "*"},
		"Action":    []string{"SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"},
		"Resource":  arn,
		"Condition": map[string]any{"StringEquals": map[string]any{"AWS:SourceOwner": account}},
	}}}
	b, _ := json.Marshal(p)
	return string(b)
}

// effectiveDeliveryPolicy is the topic's HTTP delivery policy with AWS's defaults filled in.
func effectiveDeliveryPolicy(set string) string {
	if set != "" {
		return set
	}
	return `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`
}

// tagMap adds tags to m, checking AWS's limits (50 tags, keys 1–128, values ≤ 256).
func tagMap(m map[string]string, tags []Tag) (map[string]string, error) {
	out := maps.Clone(m)
	if out == nil {
		out = map[string]string{}
	}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 {
			return nil, invalid("Tag key")
		}
		if len(t.Value) > 256 {
			return nil, invalid("Tag value")
		}
		out[t.Key] = t.Value
	}
	if len(out) > 50 {
		return nil, ErrTagLimitExceeded.Errorf("Could not complete request: tag quota of per resource exceeded")
	}
	return out, nil
}

// taggedTopic reads the topic a tagging call names.
func (s *Service) taggedTopic(ctx context.Context, arn string) (store.Topic, error) {
	t, err := s.store.Topic(ctx, arn)
	if errors.Is(err, store.ErrNotFound) {
		return t, ErrResourceNotFound.Errorf("Resource does not exist")
	}
	return t, err
}

// TagResource adds or replaces tags on a topic.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*Empty, error) {
	t, err := s.taggedTopic(ctx, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	tags, err := tagMap(t.Tags, in.Tags)
	if err != nil {
		return nil, err
	}
	return &Empty{}, s.updateTopic(ctx, t.ARN, t.Attributes, tags)
}

// UntagResource removes tags from a topic.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*Empty, error) {
	t, err := s.taggedTopic(ctx, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	tags := maps.Clone(t.Tags)
	for _, k := range in.TagKeys {
		delete(tags, k)
	}
	return &Empty{}, s.updateTopic(ctx, t.ARN, t.Attributes, tags)
}

// ListTagsForResource lists a topic's tags.
func (s *Service) ListTagsForResource(ctx context.Context, in *ResourceInput) (*ListTagsOutput, error) {
	t, err := s.taggedTopic(ctx, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	out := &ListTagsOutput{Tags: []Tag{}}
	for _, k := range sortedKeys(t.Tags) {
		out.Tags = append(out.Tags, Tag{k, t.Tags[k]})
	}
	return out, nil
}
