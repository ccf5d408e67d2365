// Package sns is Amazon Simple Notification Service (API 2010-03-31, the query protocol): topics
// (standard and FIFO), subscriptions of SQS queues, Lambda functions and HTTP/HTTPS endpoints,
// and Publish/PublishBatch with a durable fan-out. A publication records one outbox delivery per
// matching subscription in the same store transaction, so an acknowledged publish is never lost;
// the deliveries are made at least once, with AWS's retry policies, to the subscription's
// dead-letter queue when they are spent, in AWS's envelope, signed with a key the store keeps.
package sns

import (
	"context"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/iam"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/sqs"
	"github.com/gureum/gureum/internal/store"
)

// Store is what SNS keeps: topics with their subscriptions and publications, and the outbox in
// which deliveries wait and retries are scheduled.
type Store interface {
	store.Topics
	store.Outbox
	store.Notifier
}

// Queues is the queue service as SNS uses it (internal/sqs's in-process Enqueue).
type Queues interface {
	Enqueue(ctx context.Context, queueARN, body string, attrs map[string]sqs.MessageAttributeValue, groupID, dedupID string) (string, error)
}

// Invoker invokes a function asynchronously (Lambda's Event invocation) with an event payload,
// for a topic (src: its ARN and account, which the function's policy must allow
// sns.amazonaws.com).
type Invoker interface {
	InvokeAsync(ctx context.Context, functionARN string, src request.Source, payload []byte) error
}

// Deps is what SNS is built with.
type Deps struct {
	service.Env
	Store   Store
	Queues  Queues  // nil: SQS subscriptions fail their deliveries (retried)
	Invoker Invoker // nil: Lambda subscriptions fail their deliveries (retried)
	// PublicURL is the base URL of gureum as HTTP subscribers reach it (SigningCertURL,
	// SubscribeURL, UnsubscribeURL); empty: "http://" and the Host the API caller used.
	PublicURL string
	// HTTP is the client for HTTP/HTTPS deliveries; nil: one with AWS's 15 s timeout.
	HTTP *http.Client
}

// Service serves SNS.
type Service struct {
	store   Store
	queues  Queues
	invoker Invoker
	region  string
	clock   background.Clock
	public  string
	http    *http.Client
	log     *slog.Logger
	filters sync.Map // compiled filter policies by dialect and text
	// policies caches topics' owners and policies for the authorizer, dropped on every node
	// through the notifier topic sns_policies when a topic changes.
	policies    *iam.PolicyCache
	unsubscribe func()

	keyMu sync.Mutex
	key   *signer
}

// New returns the SNS service; its delivery handler is registered on d.Outbox when there is one.
func New(d Deps) *Service {
	d.Env = d.Env.For("sns")
	s := &Service{store: d.Store, queues: d.Queues, invoker: d.Invoker, region: d.Region, clock: d.Clock,
		public: strings.TrimSuffix(d.PublicURL, "/"), http: d.HTTP, log: d.Log}
	if s.http == nil {
		s.http = &http.Client{Timeout: 15 * time.Second}
	}
	s.policies = iam.NewPolicyCache(d.Store, policyTopic, func() time.Time { return s.clock.Now() }, s.loadPolicy)
	if d.Outbox != nil {
		d.Outbox.Handle(deliveryKind, s.deliver)
		d.Outbox.Concurrent(deliveryKind) // a fan-out's sends share group commits; FIFO targets keep their order
	}
	if d.Runner != nil {
		d.Runner.Every("sns.dedup", time.Minute, s.sweepDedup)
	}
	return s
}

// Start subscribes to topic changes made on other nodes (their policies, for the cache).
func (s *Service) Start(context.Context) error {
	s.unsubscribe = s.policies.Subscribe()
	return nil
}

// Stop ends the subscription.
func (s *Service) Stop() {
	if s.unsubscribe != nil {
		s.unsubscribe()
		s.unsubscribe = nil
	}
}

// sweepDedup forgets FIFO deduplication ids whose five minutes have passed, a bounded batch a run.
func (s *Service) sweepDedup(ctx context.Context) error {
	_, err := s.store.SweepDedup(ctx, s.clock.Now(), 1000)
	return err
}

// Describe returns SNS's operation table: every operation of the 2010-03-31 API.
func (s *Service) Describe() *service.Service {
	op := func(name string, h service.Handler, resource func(context.Context, any) string) service.Operation {
		return service.Operation{Name: name, Action: "sns:" + name, Handler: h, Resource: resource}
	}
	topic := func(_ context.Context, in any) string {
		if t, ok := in.(topicNamer); ok {
			return arnOr(t.topicARN())
		}
		return "*"
	}
	svc := &service.Service{
		Name:         "sns",
		SigningName:  "sns",
		Protocol:     service.Query,
		APIVersion:   "2010-03-31",
		XMLNamespace: "http://sns.amazonaws.com/doc/2010-03-31/",
		// Topic policies (the Policy attribute, AddPermission's statements) are weighed beside the
		// caller's own.
		ResourcePolicies: s.ResourcePolicy,
		Operations: []service.Operation{
			op("AddPermission", service.Func(s.AddPermission), topic),
			op("ConfirmSubscription", service.Func(s.ConfirmSubscription), topic),
			op("CreateTopic", service.Func(s.CreateTopic), func(ctx context.Context, in any) string {
				return s.topicARN(callerAccount(ctx), in.(*CreateTopicInput).Name)
			}),
			op("DeleteTopic", service.Func(s.DeleteTopic), topic),
			op("GetSubscriptionAttributes", service.Func(s.GetSubscriptionAttributes), topic),
			op("GetTopicAttributes", service.Func(s.GetTopicAttributes), topic),
			op("ListSubscriptions", service.Func(s.ListSubscriptions), nil),
			op("ListSubscriptionsByTopic", service.Func(s.ListSubscriptionsByTopic), topic),
			op("ListTagsForResource", service.Func(s.ListTagsForResource), topic),
			op("ListTopics", service.Func(s.ListTopics), nil),
			op("Publish", service.Func(s.Publish), topic),
			op("PublishBatch", service.Func(s.PublishBatch), topic),
			op("RemovePermission", service.Func(s.RemovePermission), topic),
			op("SetSubscriptionAttributes", service.Func(s.SetSubscriptionAttributes), topic),
			op("SetTopicAttributes", service.Func(s.SetTopicAttributes), topic),
			op("Subscribe", service.Func(s.Subscribe), topic),
			op("TagResource", service.Func(s.TagResource), topic),
			op("Unsubscribe", service.Func(s.Unsubscribe), topic),
			op("UntagResource", service.Func(s.UntagResource), topic),
		},
		Endpoints: []service.Endpoint{{Name: "sns", Prefix: endpointPrefix, Handler: http.HandlerFunc(s.serveEndpoint)}},
	}
	for _, name := range unserved {
		svc.Operations = append(svc.Operations, service.Operation{Name: name, Action: "sns:" + name})
	}
	sort.Slice(svc.Operations, func(i, j int) bool { return svc.Operations[i].Name < svc.Operations[j].Name })
	return svc.Index()
}

// unserved are the operations of the API gureum does not serve (SMS, mobile push, permissions,
// data protection): they answer NotImplemented.
var unserved = []string{"CheckIfPhoneNumberIsOptedOut", "CreatePlatformApplication", "CreatePlatformEndpoint",
	"CreateSMSSandboxPhoneNumber", "DeleteEndpoint", "DeletePlatformApplication", "DeleteSMSSandboxPhoneNumber",
	"GetDataProtectionPolicy", "GetEndpointAttributes", "GetPlatformApplicationAttributes", "GetSMSAttributes",
	"GetSMSSandboxAccountStatus", "ListEndpointsByPlatformApplication", "ListOriginationNumbers", "ListPhoneNumbersOptedOut",
	"ListPlatformApplications", "ListSMSSandboxPhoneNumbers", "OptInPhoneNumber", "PutDataProtectionPolicy",
	"SetEndpointAttributes", "SetPlatformApplicationAttributes", "SetSMSAttributes", "VerifySMSSandboxPhoneNumber"}

// topicNamer is an input that names a topic (or a subscription, whose ARN starts with its topic's).
type topicNamer interface{ topicARN() string }

func (i *TopicInput) topicARN() string                    { return i.TopicArn }
func (i *SetTopicAttributesInput) topicARN() string       { return i.TopicArn }
func (i *SubscribeInput) topicARN() string                { return i.TopicArn }
func (i *ConfirmSubscriptionInput) topicARN() string      { return i.TopicArn }
func (i *ListSubscriptionsByTopicInput) topicARN() string { return i.TopicArn }
func (i *PublishInput) topicARN() string {
	if i.TopicArn != "" {
		return i.TopicArn
	}
	return i.TargetArn
}
func (i *PublishBatchInput) topicARN() string  { return i.TopicArn }
func (i *TagResourceInput) topicARN() string   { return i.ResourceArn }
func (i *UntagResourceInput) topicARN() string { return i.ResourceArn }
func (i *ResourceInput) topicARN() string      { return i.ResourceArn }
func (i *SubscriptionInput) topicARN() string  { return topicOfSubscription(i.SubscriptionArn) }
func (i *SetSubscriptionAttributesInput) topicARN() string {
	return topicOfSubscription(i.SubscriptionArn)
}

func topicOfSubscription(arn string) string {
	if i := strings.LastIndexByte(arn, ':'); i > 0 && strings.Count(arn, ":") == 6 {
		return arn[:i]
	}
	return ""
}

// arnOr is the IAM resource for a topic ARN parameter: "*" when it is no topic ARN (the handler
// reports it).
func arnOr(arn string) string {
	if !strings.HasPrefix(arn, "arn:aws:sns:") || strings.Count(arn, ":") != 5 {
		return "*"
	}
	return arn
}

func callerAccount(ctx context.Context) string {
	if p := request.From(ctx).Principal; p != nil {
		return p.Account
	}
	return ""
}

func (s *Service) topicARN(account, name string) string {
	return "arn:aws:sns:" + s.region + ":" + account + ":" + name
}

// parseTopicARN checks a topic ARN of this region and returns its account and name.
func (s *Service) parseTopicARN(arn string) (account, name string, err error) {
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sns" || parts[5] == "" {
		return "", "", invalid("TopicArn")
	}
	if parts[3] != s.region {
		return "", "", invalid("TopicArn")
	}
	return parts[4], parts[5], nil
}

// baseURL is where HTTP subscribers reach gureum.
func (s *Service) baseURL(ctx context.Context) string {
	if s.public != "" {
		return s.public
	}
	host := request.From(ctx).Host
	if host == "" {
		host = "localhost"
	}
	return "http://" + host
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
