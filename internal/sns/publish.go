package sns

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/eventpattern"
	"github.com/gureum/gureum/internal/store"
)

// Limits of a publication (SNS DG "quotas").
const (
	maxMessageBytes = 262144
	maxBatchEntries = 10
	dedupWindow     = 5 * time.Minute
)

// message is one validated publication before its fan-out.
type message struct {
	id       string
	body     string            // the default message
	perProto map[string]string // MessageStructure json: the protocol's own messages
	subject  string
	attrs    map[string]attribute
	group    string
	dedup    string // FIFO: the deduplication id (content-based: the body's SHA-256 in hex)
}

// attribute is a message attribute as the envelope and filter policies see it.
type attribute struct {
	Type  string
	Value string // Binary: base64
}

// Publish publishes a message to a topic.
func (s *Service) Publish(ctx context.Context, in *PublishInput) (*PublishOutput, error) {
	arn := in.TopicArn
	if arn == "" {
		arn = in.TargetArn
	}
	if arn == "" {
		if in.PhoneNumber != "" {
			return nil, awserr.New(awserr.NotImplemented, "gureum does not send SMS messages")
		}
		return nil, invalid("TopicArn or TargetArn Reason: no value for required parameter")
	}
	t, err := s.topic(ctx, arn)
	if err != nil {
		return nil, err
	}
	m, err := s.message(t, entry{in.Message, in.Subject, in.MessageStructure, in.MessageAttributes, in.MessageDeduplicationId, in.MessageGroupId})
	if err != nil {
		return nil, err
	}
	got, err := s.publish(ctx, t, []message{m})
	if err != nil {
		return nil, err
	}
	return &PublishOutput{MessageId: got[0].MessageID, SequenceNumber: sequenceNumber(t, got[0].Seq)}, nil
}

// PublishBatch publishes up to ten messages to a topic; each entry succeeds or fails alone.
func (s *Service) PublishBatch(ctx context.Context, in *PublishBatchInput) (*PublishBatchOutput, error) {
	t, err := s.topic(ctx, in.TopicArn)
	if err != nil {
		return nil, err
	}
	es := in.PublishBatchRequestEntries
	if err := checkBatch(es); err != nil {
		return nil, err
	}
	out := &PublishBatchOutput{Successful: []PublishBatchResultEntry{}, Failed: []BatchResultErrorEntry{}}
	var ms []message
	var ids []string
	for _, e := range es {
		m, err := s.message(t, entry{e.Message, e.Subject, e.MessageStructure, e.MessageAttributes, e.MessageDeduplicationId, e.MessageGroupId})
		if err != nil {
			code, ae := awserr.Resolve(awserr.Query, err)
			out.Failed = append(out.Failed, BatchResultErrorEntry{Id: e.Id, Code: code.Name, Message: ae.Message, SenderFault: !code.Receiver})
			continue
		}
		ms, ids = append(ms, m), append(ids, e.Id)
	}
	if len(ms) == 0 {
		return out, nil
	}
	got, err := s.publish(ctx, t, ms)
	if err != nil {
		return nil, err
	}
	for i, p := range got {
		out.Successful = append(out.Successful, PublishBatchResultEntry{Id: ids[i], MessageId: p.MessageID, SequenceNumber: sequenceNumber(t, p.Seq)})
	}
	return out, nil
}

// checkBatch applies AWS's batch rules: 1–10 entries, distinct valid ids, 256 KB in all.
func checkBatch(es []PublishBatchEntry) error {
	if len(es) == 0 {
		return ErrEmptyBatchRequest.Errorf("The batch request doesn't contain any entries")
	}
	if len(es) > maxBatchEntries {
		return ErrTooManyEntries.Errorf("The batch request contains more entries than permissible.")
	}
	seen := map[string]bool{}
	total := 0
	for _, e := range es {
		if e.Id == "" || len(e.Id) > 80 || strings.IndexFunc(e.Id, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
		}) >= 0 {
			return ErrInvalidBatchEntryId.Errorf("The Id of a batch entry in a batch request doesn't abide by the specification.")
		}
		if seen[e.Id] {
			return ErrBatchEntryIdsNotDistinct.Errorf("Two or more batch entries in the request have the same Id.")
		}
		seen[e.Id] = true
		if e.Message != nil {
			total += len(*e.Message)
		}
		total += attributesSize(e.MessageAttributes)
	}
	if total > maxMessageBytes {
		return ErrBatchRequestTooLong.Errorf("The length of all the messages put together is more than the limit.")
	}
	return nil
}

func sequenceNumber(t store.Topic, seq int64) string {
	if !t.FIFO {
		return ""
	}
	return fmt.Sprintf("1%019d", seq)
}

// entry is the part of Publish and of a PublishBatch entry that makes a message.
type entry struct {
	msg, subject *string
	structure    string
	attrs        map[string]MessageAttributeValue
	dedup, group *string
}

// message validates a publication as AWS does.
func (s *Service) message(t store.Topic, e entry) (message, error) {
	m := message{id: newUUID()}
	if e.msg == nil || *e.msg == "" {
		return m, invalid("Empty message")
	}
	m.body = *e.msg
	if len(m.body)+attributesSize(e.attrs) > maxMessageBytes {
		return m, invalid("Message too long")
	}
	if !utf8.ValidString(m.body) {
		return m, invalid("Message")
	}
	if e.subject != nil {
		if *e.subject == "" || len(*e.subject) >= 100 || strings.ContainsAny(*e.subject, "\r\n") {
			return m, invalid("Subject")
		}
		m.subject = *e.subject
	}
	if err := m.structure(e.structure); err != nil {
		return m, err
	}
	var err error
	if m.attrs, err = checkAttributes(e.attrs); err != nil {
		return m, err
	}
	return m, s.fifo(t, &m, e)
}

// structure applies MessageStructure json: the message is an object with a string "default" and
// per-protocol overrides.
func (m *message) structure(structure string) error {
	switch structure {
	case "":
		return nil
	case "json":
	default:
		return invalid("MessageStructure")
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(m.body), &obj); err != nil {
		return invalid("Message Structure - JSON message body failed to parse")
	}
	def, ok := obj["default"].(string)
	if !ok {
		return invalid("Message Structure - No default entry in JSON message body")
	}
	m.body, m.perProto = def, map[string]string{}
	for k, v := range obj {
		if str, ok := v.(string); ok && k != "default" {
			m.perProto[k] = str
		}
	}
	return nil
}

// fifo applies the FIFO rules: a group id, and a deduplication id or content-based deduplication.
func (s *Service) fifo(t store.Topic, m *message, e entry) error {
	if e.group != nil {
		m.group = *e.group
	}
	if !t.FIFO {
		if e.dedup != nil {
			return invalid("MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type")
		}
		return nil
	}
	if m.group == "" {
		return invalid("The MessageGroupId parameter is required for FIFO topics")
	}
	if len(m.group) > 128 {
		return invalid("MessageGroupId Reason: MessageGroupId can only contain up to 128 characters")
	}
	switch {
	case e.dedup != nil && *e.dedup != "":
		m.dedup = *e.dedup
		if len(m.dedup) > 128 {
			return invalid("MessageDeduplicationId Reason: MessageDeduplicationId can only contain up to 128 characters")
		}
	case t.Attributes["ContentBasedDeduplication"] == "true":
		sum := sha256.Sum256([]byte(m.body))
		m.dedup = hex.EncodeToString(sum[:])
	default:
		return invalid("The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
	}
	return nil
}

func attributesSize(attrs map[string]MessageAttributeValue) int {
	n := 0
	for k, v := range attrs {
		n += len(k) + len(v.DataType) + len(v.BinaryValue)
		if v.StringValue != nil {
			n += len(*v.StringValue)
		}
	}
	return n
}

// checkAttributes validates message attributes (SNS DG "Message attributes").
func checkAttributes(in map[string]MessageAttributeValue) (map[string]attribute, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make(map[string]attribute, len(in))
	for name, v := range in {
		if err := checkAttributeName(name); err != nil {
			return nil, err
		}
		base, _, _ := strings.Cut(v.DataType, ".")
		switch base {
		case "String", "Number":
			if v.StringValue == nil || *v.StringValue == "" {
				return nil, ErrParameterValueInvalid.Errorf("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, v.DataType)
			}
			if base == "Number" {
				if _, err := strconv.ParseFloat(*v.StringValue, 64); err != nil {
					return nil, ErrParameterValueInvalid.Errorf("Could not cast message attribute '%s' value to number.", name)
				}
			}
			if v.DataType == "String.Array" && !json.Valid([]byte(*v.StringValue)) {
				return nil, ErrParameterValueInvalid.Errorf("The message attribute '%s' with type 'String.Array' has an invalid value.", name)
			}
			out[name] = attribute{v.DataType, *v.StringValue}
		case "Binary":
			if len(v.BinaryValue) == 0 {
				return nil, ErrParameterValueInvalid.Errorf("The message attribute '%s' must contain non-empty message attribute value for message attribute type 'Binary'.", name)
			}
			out[name] = attribute{v.DataType, base64.StdEncoding.EncodeToString(v.BinaryValue)}
		default:
			return nil, ErrParameterValueInvalid.Errorf("The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", name)
		}
	}
	return out, nil
}

func checkAttributeName(name string) error {
	bad := name == "" || len(name) > 256 || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.Contains(name, "..") ||
		strings.HasPrefix(strings.ToLower(name), "aws.") || strings.HasPrefix(strings.ToLower(name), "amazon.")
	if !bad {
		bad = strings.IndexFunc(name, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.')
		}) >= 0
	}
	if bad {
		return ErrParameterValueInvalid.Errorf("The message attribute name '%s' is invalid.", name)
	}
	return nil
}

// publish records messages and their deliveries durably.
func (s *Service) publish(ctx context.Context, t store.Topic, ms []message) ([]store.Published, error) {
	subs, err := s.allSubscriptions(ctx, t.ARN)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	base := s.baseURL(ctx)
	ps := make([]store.Publication, len(ms))
	for i, m := range ms {
		m := m
		p := store.Publication{TopicARN: t.ARN, MessageID: m.id, Now: now, FIFO: t.FIFO}
		if m.dedup != "" {
			p.DedupID, p.DedupUntil = m.dedup, now.Add(dedupWindow)
			if t.Attributes["FifoThroughputScope"] == "MessageGroup" {
				p.DedupID = m.group + "\x00" + m.dedup
			}
		}
		if t.FIFO { // the deliveries carry the sequence number the transaction takes
			p.Build = func(seq int64) []store.Delivery { return s.fanOut(t, subs, m, seq, now, base) }
		} else { // built before, so that the store's writer does not wait on matching
			p.Deliveries = s.fanOut(t, subs, m, 0, now, base)
		}
		ps[i] = p
	}
	return s.store.Publish(ctx, ps)
}

// fanOut builds one delivery per confirmed subscription whose filter policy matches.
func (s *Service) fanOut(t store.Topic, subs []store.Subscription, m message, seq int64, now time.Time, base string) []store.Delivery {
	var ds []store.Delivery
	for _, x := range subs {
		if x.Pending || !s.matches(x, m) {
			continue
		}
		body := m.body
		if v, ok := m.perProto[x.Protocol]; ok {
			body = v
		}
		p := payload{Type: "Notification", Sub: x.ARN, Topic: t.ARN, Protocol: x.Protocol, Endpoint: x.Endpoint, MessageID: m.id,
			Message: body, Subject: m.subject, Timestamp: now.UTC().Format(timeFormat), Attrs: m.attrs, Raw: x.Attributes["RawMessageDelivery"] == "true",
			Group: m.group, Dedup: m.dedup, SigVersion: t.Attributes["SignatureVersion"], BaseURL: base, FIFO: t.FIFO,
			DLQ: deadLetterTarget(x.Attributes["RedrivePolicy"]), Policy: retryPolicyOf(t, x)}
		if t.FIFO {
			p.Seq = sequenceNumber(t, seq)
		}
		b, _ := json.Marshal(p)
		ds = append(ds, store.Delivery{Kind: deliveryKind, Target: x.Endpoint, Payload: b, NotBefore: now, Created: now})
	}
	return ds
}

// matches applies a subscription's filter policy to a message.
func (s *Service) matches(x store.Subscription, m message) bool {
	policy := x.Attributes["FilterPolicy"]
	if policy == "" {
		return true
	}
	scope := x.Attributes["FilterPolicyScope"]
	f, err := s.filter(scope, policy)
	if err != nil {
		return false
	}
	if scope == "MessageBody" {
		ok, err := f.Match([]byte(m.body))
		return err == nil && ok
	}
	attrs := make(map[string]eventpattern.Attribute, len(m.attrs))
	for k, a := range m.attrs {
		attrs[k] = eventpattern.Attribute{Type: a.Type, Value: a.Value}
	}
	return f.MatchAttributes(attrs)
}

func deadLetterTarget(policy string) string {
	var rp struct{ DeadLetterTargetArn string }
	if policy == "" || json.Unmarshal([]byte(policy), &rp) != nil {
		return ""
	}
	return rp.DeadLetterTargetArn
}
