package s3

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net/url"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/request"
)

// notificationConfiguration is NotificationConfiguration.
type notificationConfiguration struct {
	XMLName  xml.Name          `xml:"NotificationConfiguration"`
	Topics   []notificationCfg `xml:"TopicConfiguration,omitempty"`
	Queues   []notificationCfg `xml:"QueueConfiguration,omitempty"`
	Lambdas  []notificationCfg `xml:"CloudFunctionConfiguration,omitempty"`
	EventBus *struct{}         `xml:"EventBridgeConfiguration,omitempty"`
}

type notificationCfg struct {
	ID       string       `xml:"Id,omitempty"`
	Topic    string       `xml:"Topic,omitempty"`
	Queue    string       `xml:"Queue,omitempty"`
	Function string       `xml:"CloudFunction,omitempty"`
	Events   []string     `xml:"Event"`
	Rules    []filterRule `xml:"Filter>S3Key>FilterRule,omitempty"`
}

type filterRule struct {
	Name  string `xml:"Name"`
	Value string `xml:"Value"`
}

// notificationEvents are the event types gureum accepts in a configuration.
var notificationEvents = map[string]bool{
	"s3:ObjectCreated:*": true, "s3:ObjectCreated:Put": true, "s3:ObjectCreated:Post": true, "s3:ObjectCreated:Copy": true,
	"s3:ObjectCreated:CompleteMultipartUpload": true, "s3:ObjectRemoved:*": true, "s3:ObjectRemoved:Delete": true,
	"s3:ObjectRemoved:DeleteMarkerCreated": true, "s3:ObjectTagging:*": true, "s3:ObjectTagging:Put": true,
	"s3:ObjectTagging:Delete": true, "s3:LifecycleExpiration:*": true, "s3:LifecycleExpiration:Delete": true,
	"s3:LifecycleExpiration:DeleteMarkerCreated": true,
}

// parseNotification reads and validates a configuration; the destinations are checked apart.
func parseNotification(doc []byte) (*notificationConfiguration, error) {
	var n notificationConfiguration
	if len(strings.TrimSpace(string(doc))) == 0 || xml.Unmarshal(doc, &n) != nil {
		return nil, malformedXML()
	}
	if n.EventBus != nil {
		return nil, invalidArgument("gureum delivers S3 event notifications to SQS queues, SNS topics and Lambda functions (EventBridge is not served yet).", "Destination", "")
	}
	ids := map[string]bool{}
	for i := range n.Topics {
		if err := n.Topics[i].validate(i, ids); err != nil {
			return nil, err
		}
	}
	for i := range n.Queues {
		if err := n.Queues[i].validate(i, ids); err != nil {
			return nil, err
		}
	}
	for i := range n.Lambdas {
		if err := n.Lambdas[i].validate(i, ids); err != nil {
			return nil, err
		}
	}
	return &n, nil
}

func (c *notificationCfg) validate(i int, ids map[string]bool) error {
	if c.ID == "" {
		c.ID = newVersionID()
	}
	if ids[c.ID] {
		return invalidArgument("Configurations must have unique ids.", "Id", c.ID)
	}
	ids[c.ID] = true
	if len(c.Events) == 0 {
		return malformedXML()
	}
	for _, e := range c.Events {
		if !notificationEvents[e] {
			return invalidArgument("The event is not supported for notifications", "Event", e)
		}
	}
	seen := map[string]bool{}
	for j, r := range c.Rules {
		name := strings.ToLower(r.Name)
		if name != "prefix" && name != "suffix" || seen[name] {
			return invalidArgument("Cannot specify more than one prefix rule in a filter.", "FilterRule", r.Name)
		}
		seen[name] = true
		c.Rules[j].Name = name
	}
	return nil
}

// NotificationOutput is GetBucketNotificationConfiguration's document.
func (s *Service) GetBucketNotificationConfiguration(ctx context.Context, in *BucketInput) (*DocOutput, error) {
	b, err := s.bucketFor(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	doc := b.Configs["notification"]
	if doc == "" {
		doc = `<NotificationConfiguration xmlns="` + Namespace + `"></NotificationConfiguration>`
	}
	return xmlDoc(doc), nil
}

// PutBucketNotificationConfiguration stores a configuration after sending each queue the
// s3:TestEvent, as AWS does: a destination that does not exist fails the put.
func (s *Service) PutBucketNotificationConfiguration(ctx context.Context, in *ConfigInput) (*Empty, error) {
	b, err := s.bucketFor(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	doc, err := readDoc(in.Body)
	if err != nil {
		return nil, err
	}
	n, err := parseNotification(doc)
	if err != nil {
		return nil, err
	}
	for _, f := range n.Lambdas {
		if err := s.validateFunction(ctx, b.Name, b.Account, f.Function); err != nil {
			return nil, err
		}
	}
	for _, q := range n.Queues {
		if err := s.testEvent(ctx, b.Name, q.Queue); err != nil {
			return nil, err
		}
	}
	for _, t := range n.Topics {
		if err := s.testTopic(ctx, b.Name, t.Topic); err != nil {
			return nil, err
		}
	}
	stored := ""
	if len(n.Queues) > 0 || len(n.Lambdas) > 0 || len(n.Topics) > 0 {
		stored = marshalDoc(n)
	}
	return &Empty{}, s.setConfig(ctx, in.Bucket, "notification", stored)
}

func (s *Service) testEvent(ctx context.Context, bucket, queueARN string) error {
	bad := invalidArgument("Unable to validate the following destination configurations", queueARN, "The destination queue does not exist")
	if s.deps.Queues == nil || !strings.HasPrefix(queueARN, "arn:aws:sqs:") {
		return bad
	}
	body, _ := json.Marshal(TestEvent{Service: "Amazon S3", Event: "s3:TestEvent", Time: xmlTime(s.now()), Bucket: bucket,
		RequestID: request.From(ctx).ID, HostID: request.From(ctx).ID})
	if _, err := s.deps.Queues.Enqueue(ctx, queueARN, string(body), nil, "", ""); err != nil {
		if e := awserr.As(err); e.Kind == awserr.Internal && e.Code == nil {
			return err
		}
		return bad
	}
	return nil
}

// TestEvent is the message S3 sends a destination when a configuration is saved.
type TestEvent struct {
	Service   string `json:"Service"`
	Event     string `json:"Event"`
	Time      string `json:"Time"`
	Bucket    string `json:"Bucket"`
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
}

// EventMessage is the body S3 sends a queue: {"Records": [...]}.
type EventMessage struct {
	Records []EventRecord `json:"Records"`
}

// EventRecord is AWS's S3 event record (event version 2.1).
type EventRecord struct {
	EventVersion      string            `json:"eventVersion"`
	EventSource       string            `json:"eventSource"`
	AWSRegion         string            `json:"awsRegion"`
	EventTime         string            `json:"eventTime"`
	EventName         string            `json:"eventName"`
	UserIdentity      principalID       `json:"userIdentity"`
	RequestParameters map[string]string `json:"requestParameters"`
	ResponseElements  map[string]string `json:"responseElements"`
	S3                EventS3           `json:"s3"`
}

type principalID struct {
	PrincipalID string `json:"principalId"`
}

// EventS3 is a record's s3 member.
type EventS3 struct {
	SchemaVersion   string      `json:"s3SchemaVersion"`
	ConfigurationID string      `json:"configurationId"`
	Bucket          EventBucket `json:"bucket"`
	Object          EventObject `json:"object"`
}

// EventBucket names the bucket of an event.
type EventBucket struct {
	Name          string      `json:"name"`
	OwnerIdentity principalID `json:"ownerIdentity"`
	ARN           string      `json:"arn"`
}

// EventObject describes the object of an event.
type EventObject struct {
	Key       string `json:"key"`
	Size      *int64 `json:"size,omitempty"`
	ETag      string `json:"eTag,omitempty"`
	VersionID string `json:"versionId,omitempty"`
	Sequencer string `json:"sequencer"`
}

// Event is what happened to an object, for the record builder.
type Event struct {
	Name       string // without the s3: prefix, e.g. "ObjectCreated:Put"
	Time       time.Time
	Region     string
	Bucket     string
	Owner      string // the bucket owner's account
	Principal  string // the caller's principal id
	SourceIP   string
	RequestID  string
	Key        string
	Size       int64
	HasSize    bool
	ETag       string // unquoted
	VersionID  string // "" for unversioned
	Sequencer  string
	ConfigID   string
	DeleteLike bool
}

// Record builds AWS's event record. The key is form-encoded as S3 encodes it (space as '+').
func (e Event) Record() EventRecord {
	r := EventRecord{EventVersion: "2.1", EventSource: "aws:s3", AWSRegion: e.Region,
		EventTime: e.Time.UTC().Format("2006-01-02T15:04:05.000Z"), EventName: e.Name,
		UserIdentity:      principalID{e.Principal},
		RequestParameters: map[string]string{"sourceIPAddress": e.SourceIP},
		ResponseElements:  map[string]string{"x-amz-request-id": e.RequestID, "x-amz-id-2": e.RequestID},
		S3: EventS3{SchemaVersion: "1.0", ConfigurationID: e.ConfigID,
			Bucket: EventBucket{Name: e.Bucket, OwnerIdentity: principalID{e.Owner}, ARN: "arn:aws:s3:::" + e.Bucket},
			Object: EventObject{Key: url.QueryEscape(e.Key), ETag: e.ETag, VersionID: e.VersionID, Sequencer: e.Sequencer}},
	}
	if e.HasSize {
		size := e.Size
		r.S3.Object.Size = &size
	}
	return r
}

// matches reports whether a configuration wants an event (name and key filters).
func (c notificationCfg) matches(event, key string) bool {
	hit := false
	for _, want := range c.Events {
		want = strings.TrimPrefix(want, "s3:")
		if want == event || strings.HasSuffix(want, ":*") && strings.HasPrefix(event, strings.TrimSuffix(want, "*")) {
			hit = true
		}
	}
	for _, r := range c.Rules {
		if r.Name == "prefix" && !strings.HasPrefix(key, r.Value) || r.Name == "suffix" && !strings.HasSuffix(key, r.Value) {
			return false
		}
	}
	return hit
}

// validateFunction checks a notification's destination function as S3 does when the
// configuration is saved: it must exist and its policy must let s3.amazonaws.com invoke it for
// this bucket of its owner's account.
func (s *Service) validateFunction(ctx context.Context, bucket, owner, arn string) error {
	const msg = "Unable to validate the following destination configurations"
	if s.deps.Functions == nil || !strings.HasPrefix(arn, "arn:aws:lambda:") {
		return invalidArgument(msg, arn, "The destination function does not exist")
	}
	err := s.deps.Functions.Authorize(ctx, arn, request.Source{ARN: "arn:aws:s3:::" + bucket, Account: owner})
	switch e := awserr.As(err); {
	case err == nil:
		return nil
	case e.Kind == awserr.AccessDenied:
		return invalidArgument(msg, arn, "Not authorized to invoke function ["+arn+"]")
	case e.Code != nil && e.Code.Status < 500:
		return invalidArgument(msg, arn, "The destination function does not exist")
	}
	return err
}

// testTopic publishes the s3:TestEvent to a topic, as S3 does when a configuration is saved: a
// topic that does not exist fails the put.
func (s *Service) testTopic(ctx context.Context, bucket, topicARN string) error {
	bad := invalidArgument("Unable to validate the following destination configurations", topicARN, "The destination topic does not exist")
	if s.deps.Topics == nil || !strings.HasPrefix(topicARN, "arn:aws:sns:") {
		return bad
	}
	body, _ := json.Marshal(TestEvent{Service: "Amazon S3", Event: "s3:TestEvent", Time: xmlTime(s.now()), Bucket: bucket,
		RequestID: request.From(ctx).ID, HostID: request.From(ctx).ID})
	if err := s.deps.Topics.Publish(ctx, topicARN, string(body)); err != nil {
		if e := awserr.As(err); e.Kind == awserr.Internal && e.Code == nil {
			return err
		}
		return bad
	}
	return nil
}
