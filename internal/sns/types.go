package sns

import "encoding/base64"

// Blob is binary data, base64 on the wire.
type Blob []byte

// MarshalText encodes base64.
func (b Blob) MarshalText() ([]byte, error) { return []byte(base64.StdEncoding.EncodeToString(b)), nil }

// Entry is one key/value pair of an attribute map in a response (<entry><key/><value/></entry>).
type Entry struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

// AttributeMap is a string map as SNS's XML renders it.
type AttributeMap struct {
	Entries []Entry `xml:"entry"`
}

func attributeMap(m map[string]string) AttributeMap {
	keys := sortedKeys(m)
	out := AttributeMap{Entries: make([]Entry, 0, len(keys))}
	for _, k := range keys {
		out.Entries = append(out.Entries, Entry{k, m[k]})
	}
	return out
}

// Tag is a resource tag.
type Tag struct {
	Key   string
	Value string
}

// MessageAttributeValue is a message attribute as published.
type MessageAttributeValue struct {
	DataType    string
	StringValue *string
	BinaryValue Blob
}

type CreateTopicInput struct {
	Name                 string
	Attributes           map[string]string
	Tags                 []Tag
	DataProtectionPolicy string
}

type CreateTopicOutput struct {
	TopicArn string
}

type TopicInput struct {
	TopicArn string
}

type Empty struct{}

type ListInput struct {
	NextToken string
}

type TopicArn struct {
	TopicArn string
}

type ListTopicsOutput struct {
	Topics    []TopicArn `xml:"Topics>member"`
	NextToken string     `xml:",omitempty"`
}

type AttributesOutput struct {
	Attributes AttributeMap
}

type SetTopicAttributesInput struct {
	TopicArn       string
	AttributeName  string
	AttributeValue *string
}

type TagResourceInput struct {
	ResourceArn string
	Tags        []Tag
}

type UntagResourceInput struct {
	ResourceArn string
	TagKeys     []string
}

type ResourceInput struct {
	ResourceArn string
}

type ListTagsOutput struct {
	Tags []Tag `xml:"Tags>member"`
}

type SubscribeInput struct {
	TopicArn              string
	Protocol              string
	Endpoint              string
	Attributes            map[string]string
	ReturnSubscriptionArn bool
}

type SubscriptionArnOutput struct {
	SubscriptionArn string
}

type ConfirmSubscriptionInput struct {
	TopicArn                  string
	Token                     string
	AuthenticateOnUnsubscribe string
}

type SubscriptionInput struct {
	SubscriptionArn string
}

type SetSubscriptionAttributesInput struct {
	SubscriptionArn string
	AttributeName   string
	AttributeValue  *string
}

type ListSubscriptionsByTopicInput struct {
	TopicArn  string
	NextToken string
}

// Subscription is a row of ListSubscriptions.
type Subscription struct {
	SubscriptionArn string
	Owner           string
	Protocol        string
	Endpoint        string
	TopicArn        string
}

type ListSubscriptionsOutput struct {
	Subscriptions []Subscription `xml:"Subscriptions>member"`
	NextToken     string         `xml:",omitempty"`
}

type PublishInput struct {
	TopicArn               string
	TargetArn              string
	PhoneNumber            string
	Message                *string
	Subject                *string
	MessageStructure       string
	MessageAttributes      map[string]MessageAttributeValue `query:"MessageAttributes,key=Name,value=Value"`
	MessageDeduplicationId *string
	MessageGroupId         *string
}

type PublishOutput struct {
	MessageId      string
	SequenceNumber string `xml:",omitempty"`
}

type PublishBatchEntry struct {
	Id                     string
	Message                *string
	Subject                *string
	MessageStructure       string
	MessageAttributes      map[string]MessageAttributeValue `query:"MessageAttributes,key=Name,value=Value"`
	MessageDeduplicationId *string
	MessageGroupId         *string
}

type PublishBatchInput struct {
	TopicArn                   string
	PublishBatchRequestEntries []PublishBatchEntry
}

type PublishBatchResultEntry struct {
	Id             string
	MessageId      string
	SequenceNumber string `xml:",omitempty"`
}

type BatchResultErrorEntry struct {
	Id          string
	Code        string
	Message     string `xml:",omitempty"`
	SenderFault bool
}

type PublishBatchOutput struct {
	Successful []PublishBatchResultEntry `xml:"Successful>member"`
	Failed     []BatchResultErrorEntry   `xml:"Failed>member"`
}
