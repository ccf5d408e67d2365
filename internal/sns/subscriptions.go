package sns

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/eventpattern"
	"github.com/gureum/gureum/internal/store"
)

// pendingConfirmation is what Subscribe answers for a subscription awaiting confirmation.
const pendingConfirmation = "pending confirmation"

// tokenLife is how long a confirmation token stays valid (AWS: two days).
const tokenLife = 48 * time.Hour

// Subscription attributes a caller may set.
var subscriptionAttributes = map[string]bool{
	"DeliveryPolicy": true, "FilterPolicy": true, "FilterPolicyScope": true, "RawMessageDelivery": true,
	"RedrivePolicy": true, "SubscriptionRoleArn": true, "ReplayPolicy": true,
}

func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func newToken() string {
	var b [64]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// checkEndpoint validates a subscription's protocol and endpoint for a topic.
func checkEndpoint(t store.Topic, protocol, endpoint string) error {
	switch protocol {
	case "http", "https":
		if !strings.HasPrefix(endpoint, protocol+"://") {
			return invalid("Endpoint must match the specified protocol")
		}
	case "sqs":
		parts := strings.Split(endpoint, ":")
		if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sqs" || parts[5] == "" {
			return invalid("SQS endpoint ARN")
		}
		if strings.HasSuffix(parts[5], ".fifo") && !t.FIFO {
			return invalid("Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics")
		}
	case "lambda":
		parts := strings.Split(endpoint, ":")
		if len(parts) < 7 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function" {
			return invalid("Lambda endpoint ARN")
		}
	case "email", "email-json", "sms", "application", "firehose":
		return awserr.New(awserr.NotImplemented, "gureum does not deliver to protocol %s", protocol)
	default:
		return invalid("Amazon SNS does not support this protocol string: %s", protocol)
	}
	if t.FIFO && protocol != "sqs" {
		return invalid("Invalid protocol type: %s", protocol)
	}
	return nil
}

// checkSubscriptionAttribute validates one settable attribute against the subscription's others.
func (s *Service) checkSubscriptionAttribute(protocol, name, value string, attrs map[string]string) error {
	if !subscriptionAttributes[name] {
		return invalid("AttributeName")
	}
	switch name {
	case "RawMessageDelivery":
		if value != "true" && value != "false" {
			return invalid("RawMessageDelivery: Invalid value [%s]. Must be true or false.", value)
		}
		if protocol == "lambda" && value == "true" {
			return invalid("Attribute Name: RawMessageDelivery Reason: Delivery protocol [lambda] does not support raw message delivery")
		}
	case "FilterPolicyScope":
		if value != "MessageAttributes" && value != "MessageBody" {
			return invalid("FilterPolicyScope: Invalid filter policy scope, please specify MessageAttributes or MessageBody")
		}
		if p := attrs["FilterPolicy"]; p != "" {
			if _, err := s.filter(value, p); err != nil {
				return invalid("%s", err.Error())
			}
		}
	case "FilterPolicy":
		if value != "" {
			if _, err := s.filter(attrs["FilterPolicyScope"], value); err != nil {
				return invalid("%s", err.Error())
			}
		}
	case "RedrivePolicy":
		if value == "" {
			return nil
		}
		var rp struct{ DeadLetterTargetArn string }
		if json.Unmarshal([]byte(value), &rp) != nil {
			return invalid("RedrivePolicy: failed to parse JSON.")
		}
		parts := strings.Split(rp.DeadLetterTargetArn, ":")
		if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sqs" {
			return invalid("RedrivePolicy: deadLetterTargetArn is an invalid arn")
		}
	case "DeliveryPolicy":
		if value != "" {
			if _, err := parseRetryPolicy(value, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// filter compiles a filter policy for its scope, from a cache of compiled policies.
func (s *Service) filter(scope, policy string) (*eventpattern.Pattern, error) {
	d := eventpattern.SNSAttributes
	if scope == "MessageBody" {
		d = eventpattern.SNSBody
	}
	key := d.String() + "\x00" + policy
	if p, ok := s.filters.Load(key); ok {
		return p.(*eventpattern.Pattern), nil
	}
	p, err := eventpattern.Compile([]byte(policy), d)
	if err != nil {
		return nil, err
	}
	s.filters.Store(key, p)
	return p, nil
}

// allSubscriptions lists every subscription of a topic.
func (s *Service) allSubscriptions(ctx context.Context, topicARN string) ([]store.Subscription, error) {
	var all []store.Subscription
	after := ""
	for {
		page, err := s.store.ListSubscriptions(ctx, "", topicARN, after, 1000)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < 1000 {
			return all, nil
		}
		after = page[len(page)-1].ARN
	}
}

// Subscribe subscribes an endpoint to a topic. SQS queues and functions are confirmed at once;
// HTTP/HTTPS endpoints are sent a SubscriptionConfirmation and stay pending until confirmed.
func (s *Service) Subscribe(ctx context.Context, in *SubscribeInput) (*SubscriptionArnOutput, error) {
	t, err := s.topic(ctx, in.TopicArn)
	if err != nil {
		return nil, err
	}
	if in.Protocol == "" {
		return nil, invalid("Protocol")
	}
	if err := checkEndpoint(t, in.Protocol, in.Endpoint); err != nil {
		return nil, err
	}
	attrs := map[string]string{}
	for _, k := range sortedKeys(in.Attributes) {
		if err := s.checkSubscriptionAttribute(in.Protocol, k, in.Attributes[k], in.Attributes); err != nil {
			return nil, err
		}
		attrs[k] = in.Attributes[k]
	}
	subs, err := s.allSubscriptions(ctx, t.ARN)
	if err != nil {
		return nil, err
	}
	for _, x := range subs {
		if x.Protocol == in.Protocol && x.Endpoint == in.Endpoint {
			if len(in.Attributes) > 0 && !maps.Equal(x.Attributes, attrs) {
				return nil, invalid("Attributes Reason: Subscription already exists with different attributes")
			}
			return subscribeAnswer(x, in.ReturnSubscriptionArn), nil
		}
	}
	sub := store.Subscription{ARN: t.ARN + ":" + newUUID(), TopicARN: t.ARN, Account: callerAccount(ctx), Protocol: in.Protocol,
		Endpoint: in.Endpoint, Attributes: attrs, Created: s.clock.Now()}
	if needsConfirmation(t, in.Protocol, in.Endpoint) {
		sub.Pending, sub.Token = true, newToken()
	}
	if err := s.store.PutSubscription(ctx, sub); err != nil {
		return nil, err
	}
	if sub.Pending {
		if err := s.sendConfirmation(ctx, t, sub, "SubscriptionConfirmation"); err != nil {
			return nil, err
		}
	}
	return subscribeAnswer(sub, in.ReturnSubscriptionArn), nil
}

// needsConfirmation: HTTP/HTTPS endpoints confirm, and so do queues of another account (the
// confirmation goes to the queue); a queue or function of the topic's account is confirmed at once.
func needsConfirmation(t store.Topic, protocol, endpoint string) bool {
	switch protocol {
	case "http", "https":
		return true
	case "sqs":
		return strings.Split(endpoint, ":")[4] != t.Account
	}
	return false
}

func subscribeAnswer(x store.Subscription, returnARN bool) *SubscriptionArnOutput {
	if x.Pending && !returnARN {
		return &SubscriptionArnOutput{SubscriptionArn: pendingConfirmation}
	}
	return &SubscriptionArnOutput{SubscriptionArn: x.ARN}
}

// ConfirmSubscription confirms a pending subscription with the token sent to its endpoint.
func (s *Service) ConfirmSubscription(ctx context.Context, in *ConfirmSubscriptionInput) (*SubscriptionArnOutput, error) {
	t, err := s.topic(ctx, in.TopicArn)
	if err != nil {
		return nil, err
	}
	if in.Token == "" {
		return nil, invalid("Token")
	}
	subs, err := s.allSubscriptions(ctx, t.ARN)
	if err != nil {
		return nil, err
	}
	for _, x := range subs {
		if x.Token == "" || x.Token != in.Token {
			continue
		}
		if s.clock.Now().Sub(x.Created) > tokenLife {
			return nil, invalid("Token")
		}
		if x.Pending {
			x.Pending = false
			if in.AuthenticateOnUnsubscribe == "true" {
				x.Attributes = maps.Clone(x.Attributes)
				x.Attributes["ConfirmationWasAuthenticated"] = "true"
			}
			if err := s.store.PutSubscription(ctx, x); err != nil {
				return nil, err
			}
		}
		return &SubscriptionArnOutput{SubscriptionArn: x.ARN}, nil
	}
	return nil, invalid("Token")
}

// subscription reads a subscription by ARN.
func (s *Service) subscription(ctx context.Context, arn string) (store.Subscription, error) {
	if topicOfSubscription(arn) == "" {
		return store.Subscription{}, invalid("SubscriptionArn Reason: An ARN must have at least 6 elements, not %d", strings.Count(arn, ":")+1)
	}
	x, err := s.store.Subscription(ctx, arn)
	if errors.Is(err, store.ErrNotFound) {
		return x, subscriptionNotFound()
	}
	return x, err
}

// Unsubscribe deletes a subscription; an HTTP endpoint is sent an UnsubscribeConfirmation.
func (s *Service) Unsubscribe(ctx context.Context, in *SubscriptionInput) (*Empty, error) {
	x, err := s.subscription(ctx, in.SubscriptionArn)
	if hasCode(err, ErrNotFound) {
		return &Empty{}, nil // AWS answers an unsubscribe of a missing subscription with success
	}
	if err != nil {
		return nil, err
	}
	if err := s.store.DeleteSubscription(ctx, x.ARN); err != nil {
		return nil, err
	}
	if (x.Protocol == "http" || x.Protocol == "https") && !x.Pending {
		if t, err := s.store.Topic(ctx, x.TopicARN); err == nil {
			x.Token = newToken()
			if err := s.sendConfirmation(ctx, t, x, "UnsubscribeConfirmation"); err != nil {
				return nil, err
			}
		}
	}
	return &Empty{}, nil
}

// GetSubscriptionAttributes returns a subscription's attributes with the computed ones.
func (s *Service) GetSubscriptionAttributes(ctx context.Context, in *SubscriptionInput) (*AttributesOutput, error) {
	x, err := s.subscription(ctx, in.SubscriptionArn)
	if err != nil {
		return nil, err
	}
	attrs := map[string]string{
		"SubscriptionArn": x.ARN, "TopicArn": x.TopicARN, "Owner": x.Account, "Protocol": x.Protocol, "Endpoint": x.Endpoint,
		"PendingConfirmation": fmt.Sprint(x.Pending), "ConfirmationWasAuthenticated": fmt.Sprint(!x.Pending), "RawMessageDelivery": "false",
		"SubscriptionPrincipal": "arn:aws:iam::" + x.Account + ":root",
	}
	if x.Protocol == "http" || x.Protocol == "https" {
		attrs["EffectiveDeliveryPolicy"] = `{"healthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"sicklyRetryPolicy":null,"throttlePolicy":null,"guaranteed":false}`
	}
	maps.Copy(attrs, x.Attributes)
	if attrs["FilterPolicy"] != "" && attrs["FilterPolicyScope"] == "" {
		attrs["FilterPolicyScope"] = "MessageAttributes"
	}
	return &AttributesOutput{Attributes: attributeMap(attrs)}, nil
}

// SetSubscriptionAttributes sets one attribute.
func (s *Service) SetSubscriptionAttributes(ctx context.Context, in *SetSubscriptionAttributesInput) (*Empty, error) {
	x, err := s.subscription(ctx, in.SubscriptionArn)
	if err != nil {
		return nil, err
	}
	value := ""
	if in.AttributeValue != nil {
		value = *in.AttributeValue
	}
	if err := s.checkSubscriptionAttribute(x.Protocol, in.AttributeName, value, x.Attributes); err != nil {
		return nil, err
	}
	x.Attributes = maps.Clone(x.Attributes)
	if x.Attributes == nil {
		x.Attributes = map[string]string{}
	}
	if value == "" {
		delete(x.Attributes, in.AttributeName)
	} else {
		x.Attributes[in.AttributeName] = value
	}
	return &Empty{}, s.store.PutSubscription(ctx, x)
}

// ListSubscriptions lists the caller's subscriptions, 100 a page.
func (s *Service) ListSubscriptions(ctx context.Context, in *ListInput) (*ListSubscriptionsOutput, error) {
	return s.listSubscriptions(ctx, callerAccount(ctx), "", in.NextToken)
}

// ListSubscriptionsByTopic lists a topic's subscriptions, 100 a page.
func (s *Service) ListSubscriptionsByTopic(ctx context.Context, in *ListSubscriptionsByTopicInput) (*ListSubscriptionsOutput, error) {
	if _, err := s.topic(ctx, in.TopicArn); err != nil {
		return nil, err
	}
	return s.listSubscriptions(ctx, "", in.TopicArn, in.NextToken)
}

func (s *Service) listSubscriptions(ctx context.Context, account, topicARN, token string) (*ListSubscriptionsOutput, error) {
	after, err := decodeToken(token)
	if err != nil {
		return nil, err
	}
	xs, err := s.store.ListSubscriptions(ctx, account, topicARN, after, listPage+1)
	if err != nil {
		return nil, err
	}
	out := &ListSubscriptionsOutput{Subscriptions: []Subscription{}}
	if len(xs) > listPage {
		xs = xs[:listPage]
		out.NextToken = encodeToken(xs[listPage-1].ARN)
	}
	for _, x := range xs {
		arn := x.ARN
		if x.Pending {
			arn = "PendingConfirmation"
		}
		out.Subscriptions = append(out.Subscriptions, Subscription{SubscriptionArn: arn, Owner: x.Account, Protocol: x.Protocol, Endpoint: x.Endpoint, TopicArn: x.TopicARN})
	}
	return out, nil
}
