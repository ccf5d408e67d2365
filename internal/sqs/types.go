package sqs

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"sort"
)

// The SQS inputs and outputs. JSON names are the member names; the query protocol flattens maps
// and lists under their legacy names (Attribute.N.Name, MessageAttribute.N.Value.StringValue,
// SendMessageBatchRequestEntry.N.Id, …), which the query tags give.

// Blob is binary data: base64 in JSON, in query parameters and in XML.
type Blob []byte

// MarshalText encodes b as base64.
func (b Blob) MarshalText() ([]byte, error) {
	return []byte(base64.StdEncoding.EncodeToString(b)), nil
}

// UnmarshalText decodes base64.
func (b *Blob) UnmarshalText(text []byte) error {
	out, err := base64.StdEncoding.DecodeString(string(text))
	*b = out
	return err
}

// MessageAttributeValue is a message attribute (and a message system attribute).
type MessageAttributeValue struct {
	DataType         string
	StringValue      *string  `json:",omitempty" xml:",omitempty"`
	BinaryValue      Blob     `json:",omitempty" xml:",omitempty"`
	StringListValues []string `json:",omitempty" xml:"StringListValue,omitempty" query:"StringListValue,flat"`
	BinaryListValues []Blob   `json:",omitempty" xml:"BinaryListValue,omitempty" query:"BinaryListValue,flat"`
}

// Attributes is a string map rendered in XML as flattened <X><Name/><Value/></X> entries.
type Attributes map[string]string

// MarshalXML writes one element per entry, sorted by name.
func (m Attributes) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return marshalEntries(e, start, m, "Name", "Value")
}

// Tags is a string map rendered in XML as flattened <Tag><Key/><Value/></Tag> entries.
type Tags map[string]string

// MarshalXML writes one element per entry, sorted by key.
func (m Tags) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return marshalEntries(e, start, m, "Key", "Value")
}

func marshalEntries(e *xml.Encoder, start xml.StartElement, m map[string]string, key, value string) error {
	for _, k := range sortedKeys(m) {
		err := errors.Join(
			e.EncodeToken(xml.StartElement{Name: start.Name}),
			e.EncodeElement(k, xml.StartElement{Name: xml.Name{Local: key}}),
			e.EncodeElement(m[k], xml.StartElement{Name: xml.Name{Local: value}}),
			e.EncodeToken(xml.EndElement{Name: start.Name}),
		)
		if err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// MessageAttributes is rendered in XML as flattened <X><Name/><Value>…</Value></X> entries.
type MessageAttributes map[string]MessageAttributeValue

// MarshalXML writes one element per attribute, sorted by name.
func (m MessageAttributes) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	for _, k := range sortedKeys(m) {
		entry := struct {
			Name  string
			Value MessageAttributeValue
		}{k, m[k]}
		if err := e.EncodeElement(entry, xml.StartElement{Name: start.Name}); err != nil {
			return err
		}
	}
	return nil
}

type CreateQueueInput struct {
	QueueName  string
	Attributes map[string]string `query:"Attribute,flat,key=Name,value=Value"`
	Tags       map[string]string `json:"tags" query:"Tag,flat,key=Key,value=Value"`
}

type QueueURLOutput struct {
	QueueUrl string
}

type QueueInput struct {
	QueueUrl string
}

type GetQueueUrlInput struct {
	QueueName              string
	QueueOwnerAWSAccountId string
}

type ListQueuesInput struct {
	QueueNamePrefix string
	MaxResults      *int
	NextToken       string
}

type ListQueuesOutput struct {
	QueueUrls []string `xml:"QueueUrl"`
	NextToken string   `json:",omitempty" xml:",omitempty"`
}

type GetQueueAttributesInput struct {
	QueueUrl       string
	AttributeNames []string `query:"AttributeName,flat"`
}

type GetQueueAttributesOutput struct {
	Attributes Attributes `json:",omitempty" xml:"Attribute"`
}

type SetQueueAttributesInput struct {
	QueueUrl   string
	Attributes map[string]string `query:"Attribute,flat,key=Name,value=Value"`
}

type TagQueueInput struct {
	QueueUrl string
	Tags     map[string]string `query:"Tag,flat,key=Key,value=Value"`
}

type UntagQueueInput struct {
	QueueUrl string
	TagKeys  []string `query:"TagKey,flat"`
}

type ListQueueTagsOutput struct {
	Tags Tags `json:",omitempty" xml:"Tag"`
}

type ListDeadLetterSourceQueuesInput struct {
	QueueUrl   string
	MaxResults *int
	NextToken  string
}

type ListDeadLetterSourceQueuesOutput struct {
	QueueUrls []string `json:"queueUrls" xml:"QueueUrl"`
	NextToken string   `json:",omitempty" xml:",omitempty"`
}

type SendMessageInput struct {
	QueueUrl                string
	MessageBody             *string
	DelaySeconds            *int
	MessageAttributes       map[string]MessageAttributeValue `query:"MessageAttribute,flat,key=Name,value=Value"`
	MessageSystemAttributes map[string]MessageAttributeValue `query:"MessageSystemAttribute,flat,key=Name,value=Value"`
	MessageDeduplicationId  string
	MessageGroupId          string
}

type SendMessageOutput struct {
	MessageId                    string
	MD5OfMessageBody             string
	MD5OfMessageAttributes       string `json:",omitempty" xml:",omitempty"`
	MD5OfMessageSystemAttributes string `json:",omitempty" xml:",omitempty"`
	SequenceNumber               string `json:",omitempty" xml:",omitempty"`
}

type SendMessageBatchEntry struct {
	Id                      string
	MessageBody             *string
	DelaySeconds            *int
	MessageAttributes       map[string]MessageAttributeValue `query:"MessageAttribute,flat,key=Name,value=Value"`
	MessageSystemAttributes map[string]MessageAttributeValue `query:"MessageSystemAttribute,flat,key=Name,value=Value"`
	MessageDeduplicationId  string
	MessageGroupId          string
}

type SendMessageBatchInput struct {
	QueueUrl string
	Entries  []SendMessageBatchEntry `query:"SendMessageBatchRequestEntry,flat"`
}

type SendMessageBatchResultEntry struct {
	Id string
	SendMessageOutput
}

// BatchResultErrorEntry is one failed entry of a batch.
type BatchResultErrorEntry struct {
	Id          string
	Code        string
	Message     string
	SenderFault bool
}

type SendMessageBatchOutput struct {
	Successful []SendMessageBatchResultEntry `xml:"SendMessageBatchResultEntry"`
	Failed     []BatchResultErrorEntry       `xml:"BatchResultErrorEntry"`
}

type ReceiveMessageInput struct {
	QueueUrl                    string
	AttributeNames              []string `query:"AttributeName,flat"`
	MessageSystemAttributeNames []string `query:"MessageSystemAttributeName,flat"`
	MessageAttributeNames       []string `query:"MessageAttributeName,flat"`
	MaxNumberOfMessages         *int
	VisibilityTimeout           *int
	WaitTimeSeconds             *int
	ReceiveRequestAttemptId     string
}

// Message is a received message.
type Message struct {
	MessageId              string
	ReceiptHandle          string
	MD5OfBody              string
	Body                   string
	Attributes             Attributes        `json:",omitempty" xml:"Attribute,omitempty"`
	MD5OfMessageAttributes string            `json:",omitempty" xml:",omitempty"`
	MessageAttributes      MessageAttributes `json:",omitempty" xml:"MessageAttribute,omitempty"`
}

type ReceiveMessageOutput struct {
	Messages []Message `json:",omitempty" xml:"Message"`
}

type DeleteMessageInput struct {
	QueueUrl      string
	ReceiptHandle string
}

type BatchHandleEntry struct {
	Id                string
	ReceiptHandle     string
	VisibilityTimeout *int
}

type DeleteMessageBatchInput struct {
	QueueUrl string
	Entries  []BatchHandleEntry `query:"DeleteMessageBatchRequestEntry,flat"`
}

type BatchResultEntry struct {
	Id string
}

type DeleteMessageBatchOutput struct {
	Successful []BatchResultEntry      `xml:"DeleteMessageBatchResultEntry"`
	Failed     []BatchResultErrorEntry `xml:"BatchResultErrorEntry"`
}

type ChangeMessageVisibilityInput struct {
	QueueUrl          string
	ReceiptHandle     string
	VisibilityTimeout *int
}

type ChangeMessageVisibilityBatchInput struct {
	QueueUrl string
	Entries  []BatchHandleEntry `query:"ChangeMessageVisibilityBatchRequestEntry,flat"`
}

type ChangeMessageVisibilityBatchOutput struct {
	Successful []BatchResultEntry      `xml:"ChangeMessageVisibilityBatchResultEntry"`
	Failed     []BatchResultErrorEntry `xml:"BatchResultErrorEntry"`
}

// Empty is the output of operations that return nothing.
type Empty struct{}
