package sqs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/store"
)

// sendRequest is one message to send, from SendMessage or a batch entry.
type sendRequest struct {
	body        *string
	delay       *int
	attrs       map[string]MessageAttributeValue
	systemAttrs map[string]MessageAttributeValue
	dedupID     string
	groupID     string
}

var (
	attrNamePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,256}$`)
	groupPattern    = regexp.MustCompile(`^[\x21-\x7e]{1,128}$`)
)

// invalidCharacters is SQS's message for a body with characters it does not allow.
const invalidCharacters = "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"

// validBody reports whether every character is one SQS allows: #x9 #xA #xD #x20–#xD7FF
// #xE000–#xFFFD #x10000–#x10FFFF.
func validBody(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		switch {
		case r == 0x9 || r == 0xA || r == 0xD:
		case r >= 0x20 && r <= 0xD7FF:
		case r >= 0xE000 && r <= 0xFFFD:
		case r >= 0x10000 && r <= 0x10FFFF:
		default:
			return false
		}
	}
	return true
}

func checkAttributes(attrs map[string]MessageAttributeValue, system bool) (size int, err error) {
	if len(attrs) > maxMessageAttributes {
		return 0, ErrInvalidParameterValue.Errorf("Number of message attributes [%d] exceeds the allowed maximum [%d].", len(attrs), maxMessageAttributes)
	}
	for name, v := range attrs {
		if system {
			if name != "AWSTraceHeader" || v.DataType != "String" || v.StringValue == nil {
				return 0, ErrInvalidParameterValue.Errorf("Message system attribute %s is invalid: only AWSTraceHeader of type String is supported.", name)
			}
		} else {
			lower := strings.ToLower(name)
			if !attrNamePattern.MatchString(name) || strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") ||
				strings.Contains(name, "..") || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") {
				return 0, ErrInvalidParameterValue.Errorf("Message attribute name '%s' is invalid.", name)
			}
		}
		base, _, _ := strings.Cut(v.DataType, ".")
		switch base {
		case "String", "Number":
			if v.StringValue == nil {
				return 0, ErrInvalidParameterValue.Errorf("Message attribute '%s' must contain a non-empty value of message attribute type '%s'.", name, v.DataType)
			}
			if base == "Number" {
				if _, ok := new(big.Float).SetString(*v.StringValue); !ok || len(strings.TrimLeft(*v.StringValue, "-+0")) > 40 {
					return 0, ErrInvalidParameterValue.Errorf("Can't cast the value of message (user) attribute '%s' to a number.", name)
				}
			}
			if !validBody(*v.StringValue) {
				return 0, ErrInvalidMessageContents.Errorf("Message attribute '%s' contains invalid characters.", name)
			}
			size += len(*v.StringValue)
		case "Binary":
			if v.BinaryValue == nil {
				return 0, ErrInvalidParameterValue.Errorf("Message attribute '%s' must contain a non-empty value of message attribute type '%s'.", name, v.DataType)
			}
			size += len(v.BinaryValue)
		default:
			return 0, ErrInvalidParameterValue.Errorf("The type of message (user) attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", name)
		}
		if len(v.DataType) > 256 {
			return 0, ErrInvalidParameterValue.Errorf("Message attribute '%s' has a data type longer than 256 characters.", name)
		}
		size += len(name) + len(v.DataType)
	}
	return size, nil
}

// prepare validates one send and builds the stored message and its deduplication entry.
func (s *Service) prepare(ctx context.Context, q store.Queue, cfg config, r sendRequest, now time.Time) (store.Message, *store.Dedup, error) {
	if r.body == nil || *r.body == "" {
		return store.Message{}, nil, ErrMissingParameter.Errorf("The request must contain the parameter MessageBody.")
	}
	if !validBody(*r.body) {
		return store.Message{}, nil, ErrInvalidMessageContents.Errorf(invalidCharacters)
	}
	attrSize, err := checkAttributes(r.attrs, false)
	if err != nil {
		return store.Message{}, nil, err
	}
	if _, err := checkAttributes(r.systemAttrs, true); err != nil {
		return store.Message{}, nil, err
	}
	if size := len(*r.body) + attrSize; size > cfg.maxSize {
		return store.Message{}, nil, ErrInvalidParameterValue.Errorf("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", cfg.maxSize)
	}
	delay := cfg.delay
	if r.delay != nil {
		if *r.delay < 0 || *r.delay > maxDelaySeconds {
			return store.Message{}, nil, ErrInvalidParameterValue.Errorf("Value %d for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.", *r.delay)
		}
		if q.FIFO {
			return store.Message{}, nil, ErrInvalidParameterValue.Errorf("Value %d for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.", *r.delay)
		}
		delay = time.Duration(*r.delay) * time.Second
	}
	var dedup *store.Dedup
	if q.FIFO {
		if r.groupID == "" {
			return store.Message{}, nil, ErrMissingParameter.Errorf("The request must contain the parameter MessageGroupId.")
		}
		if r.dedupID == "" && !cfg.contentDedup {
			return store.Message{}, nil, ErrInvalidParameterValue.Errorf("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
		}
		dedup = &store.Dedup{ID: r.dedupID, Expires: now.Add(dedupWindow)}
		if dedup.ID == "" {
			sum := sha256.Sum256([]byte(*r.body))
			dedup.ID = hex.EncodeToString(sum[:])
		}
		if cfg.groupDedupScope {
			dedup.Scope = r.groupID
		}
	} else if r.dedupID != "" {
		return store.Message{}, nil, ErrInvalidParameterValue.Errorf("Value %s for parameter MessageDeduplicationId is invalid. Reason: The request includes a parameter that is not valid for this queue type.", r.dedupID)
	}
	for _, p := range [...]struct{ name, v string }{{"MessageGroupId", r.groupID}, {"MessageDeduplicationId", r.dedupID}} {
		if p.v != "" && !groupPattern.MatchString(p.v) {
			return store.Message{}, nil, ErrInvalidParameterValue.Errorf("Value %s for parameter %s is invalid. Reason: It can contain up to 128 alphanumeric and punctuation characters.", p.v, p.name)
		}
	}
	body := []byte(*r.body)
	m := store.Message{
		ID:            request.NewID(),
		Body:          body,
		MD5Body:       md5Hex(body),
		MD5Attributes: md5OfAttributes(r.attrs),
		MD5System:     md5OfAttributes(r.systemAttrs),
		SenderID:      senderID(ctx),
		SentAt:        now,
		VisibleAt:     now.Add(delay),
		ExpiresAt:     now.Add(cfg.retention),
		GroupID:       r.groupID,
		DedupID:       r.dedupID,
	}
	if len(r.attrs) > 0 {
		m.Attributes, _ = json.Marshal(r.attrs)
	}
	if len(r.systemAttrs) > 0 {
		m.SystemAttributes, _ = json.Marshal(r.systemAttrs)
	}
	if dedup != nil {
		m.DedupID = dedup.ID
	}
	return m, dedup, nil
}

func senderID(ctx context.Context) string {
	if p := request.From(ctx).Principal; p != nil {
		return p.UserID
	}
	return ""
}

func sendOutput(m store.Message, res store.SendResult, fifo bool) SendMessageOutput {
	out := SendMessageOutput{MessageId: res.MessageID, MD5OfMessageBody: m.MD5Body, MD5OfMessageAttributes: m.MD5Attributes, MD5OfMessageSystemAttributes: m.MD5System}
	if fifo {
		out.SequenceNumber = fmt.Sprintf("%020d", res.Seq)
	}
	return out
}

// SendMessage stores one message durably.
func (s *Service) SendMessage(ctx context.Context, in *SendMessageInput) (*SendMessageOutput, error) {
	q, err := s.queue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	m, dedup, err := s.prepare(ctx, q, parseConfig(q.Attributes), sendRequest{in.MessageBody, in.DelaySeconds, in.MessageAttributes,
		in.MessageSystemAttributes, in.MessageDeduplicationId, in.MessageGroupId}, now)
	if err != nil {
		return nil, err
	}
	var dd []store.Dedup
	if dedup != nil {
		dd = []store.Dedup{*dedup}
	}
	res, err := s.store.SendMessages(ctx, q.ID, []store.Message{m}, dd, now)
	if err != nil {
		return nil, err
	}
	s.waiters.notify(q.ID)
	out := sendOutput(m, res[0], q.FIFO)
	return &out, nil
}

// checkBatch applies the batch rules: 1 to 10 entries with distinct, well-formed ids.
func checkBatch(ids []string) error {
	if len(ids) == 0 {
		return ErrEmptyBatchRequest.Errorf("There should be at least one entry in the request.")
	}
	if len(ids) > maxBatchEntries {
		return ErrTooManyEntries.Errorf("Maximum number of entries per request are %d. You have sent %d.", maxBatchEntries, len(ids))
	}
	for i, id := range ids {
		if !batchEntryID(id) {
			return ErrInvalidBatchEntryId.Errorf("A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
		}
		// At most ten entries: comparing with the earlier ones beats building a set.
		if slices.Contains(ids[:i], id) {
			return ErrBatchEntryIdsNotDistinct.Errorf("Id %s repeated.", id)
		}
	}
	return nil
}

// batchEntryID reports whether id is a well-formed batch entry id: 1 to 80 ASCII letters, digits,
// hyphens and underscores. Every entry of every batch is checked, so this is a loop, not a
// regular expression (which took a third of checkBatch's time).
func batchEntryID(id string) bool {
	if len(id) == 0 || len(id) > 80 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func failure(id string, err error) BatchResultErrorEntry {
	code, e := awserr.Resolve(awserr.JSON, err)
	return BatchResultErrorEntry{Id: id, Code: code.Name, Message: e.Message, SenderFault: !code.Receiver}
}

// SendMessageBatch stores up to 10 messages in one durable write; invalid entries fail alone.
func (s *Service) SendMessageBatch(ctx context.Context, in *SendMessageBatchInput) (*SendMessageBatchOutput, error) {
	q, err := s.queue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	total := 0
	for i, e := range in.Entries {
		ids[i] = e.Id
		total += len(deref(e.MessageBody))
	}
	if err := checkBatch(ids); err != nil {
		return nil, err
	}
	if total > maxMessageSize {
		return nil, ErrBatchRequestTooLong.Errorf("Batch requests cannot be longer than %d bytes. You have sent %d bytes.", maxMessageSize, total)
	}
	now := s.clock.Now()
	cfg := parseConfig(q.Attributes)
	n := len(in.Entries)
	out := &SendMessageBatchOutput{Successful: make([]SendMessageBatchResultEntry, 0, n), Failed: []BatchResultErrorEntry{}}
	msgs, okIDs := make([]store.Message, 0, n), make([]string, 0, n)
	var dedups []store.Dedup
	for _, e := range in.Entries {
		m, dedup, err := s.prepare(ctx, q, cfg, sendRequest{e.MessageBody, e.DelaySeconds, e.MessageAttributes, e.MessageSystemAttributes,
			e.MessageDeduplicationId, e.MessageGroupId}, now)
		if err != nil {
			out.Failed = append(out.Failed, failure(e.Id, err))
			continue
		}
		msgs, okIDs = append(msgs, m), append(okIDs, e.Id)
		if dedup != nil {
			dedups = append(dedups, *dedup)
		}
	}
	if len(msgs) == 0 {
		return out, nil
	}
	res, err := s.store.SendMessages(ctx, q.ID, msgs, dedups, now)
	if err != nil {
		return nil, err
	}
	s.waiters.notify(q.ID)
	for i, m := range msgs {
		out.Successful = append(out.Successful, SendMessageBatchResultEntry{Id: okIDs[i], SendMessageOutput: sendOutput(m, res[i], q.FIFO)})
	}
	return out, nil
}

func intParam(v *int, def, min, max int, name string) (int, error) {
	if v == nil {
		return def, nil
	}
	if *v < min || *v > max {
		return 0, ErrInvalidParameterValue.Errorf("Value %d for parameter %s is invalid. Reason: Must be between %d and %d, if provided.", *v, name, min, max)
	}
	return *v, nil
}

// ReceiveMessage delivers up to 10 messages, waiting up to WaitTimeSeconds for one to arrive.
func (s *Service) ReceiveMessage(ctx context.Context, in *ReceiveMessageInput) (*ReceiveMessageOutput, error) {
	q, err := s.queue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	cfg := parseConfig(q.Attributes)
	max, err := intParam(in.MaxNumberOfMessages, 1, 1, maxBatchEntries, "MaxNumberOfMessages")
	if err != nil {
		return nil, err
	}
	vt, err := intParam(in.VisibilityTimeout, int(cfg.visibility/time.Second), 0, maxVisibilityTimeout, "VisibilityTimeout")
	if err != nil {
		return nil, err
	}
	wait, err := intParam(in.WaitTimeSeconds, int(cfg.wait/time.Second), 0, maxWaitSeconds, "WaitTimeSeconds")
	if err != nil {
		return nil, err
	}
	r := store.Receive{QueueID: q.ID, FIFO: q.FIFO, Max: max, NewToken: newToken}
	if q.FIFO && in.ReceiveRequestAttemptId != "" {
		if !groupPattern.MatchString(in.ReceiveRequestAttemptId) {
			return nil, ErrInvalidParameterValue.Errorf("Value %s for parameter ReceiveRequestAttemptId is invalid. Reason: It can contain up to 128 alphanumeric and punctuation characters.", in.ReceiveRequestAttemptId)
		}
		// The store keeps the attempt with the receive, so a retry that reaches another node, or
		// this one after a restart, gets the same messages and receipt handles.
		r.Attempt = in.ReceiveRequestAttemptId
	}
	if cfg.redrive != nil {
		if dlq, err := s.queueByARN(ctx, cfg.redrive.DeadLetterTargetArn); err == nil {
			r.MaxReceiveCount, r.DeadLetterQueue, r.DeadLetterFIFO = cfg.redrive.MaxReceiveCount, dlq.ID, dlq.FIFO
			r.DeadLetterExpiry = parseConfig(dlq.Attributes).retention
			r.SourceARN = s.arn(q.Account, q.Name)
		}
	}
	deadline := s.clock.Now().Add(time.Duration(wait) * time.Second)
	for {
		woken := s.waiters.wait(q.ID) // subscribe before looking, so a send in between wakes us
		r.Now = s.clock.Now()
		r.VisibleUntil = r.Now.Add(time.Duration(vt) * time.Second)
		r.AttemptExpires = r.Now.Add(attemptWindow)
		got, err := s.store.ReceiveMessages(ctx, r)
		if err != nil {
			return nil, err
		}
		if got.Moved > 0 {
			s.waiters.notify(r.DeadLetterQueue) // its long polls; other nodes hear the store
		}
		if len(got.Messages) > 0 || !r.Now.Before(deadline) {
			return s.receiveOutput(q, got.Messages, in), nil
		}
		sleep := deadline.Sub(r.Now)
		if next, ok, err := s.store.NextVisible(ctx, q.ID, r.Now); err == nil && ok && next.Sub(r.Now) < sleep {
			sleep = next.Sub(r.Now)
		}
		select {
		case <-woken:
		case <-s.clock.After(sleep):
		case <-ctx.Done():
			return &ReceiveMessageOutput{}, nil
		}
	}
}

func (s *Service) receiveOutput(q store.Queue, msgs []store.Message, in *ReceiveMessageInput) *ReceiveMessageOutput {
	out := &ReceiveMessageOutput{}
	if len(msgs) > 0 {
		out.Messages = make([]Message, 0, len(msgs))
	}
	sysNames := append(append([]string{}, in.AttributeNames...), in.MessageSystemAttributeNames...)
	for _, m := range msgs {
		msg := Message{
			MessageId:     m.ID,
			ReceiptHandle: receipt{queueID: q.ID, seq: m.Seq, token: m.ReceiptToken}.String(),
			MD5OfBody:     m.MD5Body,
			Body:          string(m.Body),
			Attributes:    systemAttributes(m, q.FIFO, sysNames),
		}
		if len(m.Attributes) > 0 && len(in.MessageAttributeNames) > 0 {
			var all map[string]MessageAttributeValue
			json.Unmarshal(m.Attributes, &all)
			msg.MessageAttributes = selectAttributes(all, in.MessageAttributeNames)
			msg.MD5OfMessageAttributes = md5OfAttributes(msg.MessageAttributes)
		}
		out.Messages = append(out.Messages, msg)
	}
	return out
}

func millis(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// systemAttributes returns the requested message system attributes.
func systemAttributes(m store.Message, fifo bool, names []string) Attributes {
	if len(names) == 0 {
		return nil
	}
	all := Attributes{
		"SenderId":                         m.SenderID,
		"SentTimestamp":                    millis(m.SentAt),
		"ApproximateReceiveCount":          strconv.Itoa(m.ReceiveCount),
		"ApproximateFirstReceiveTimestamp": millis(m.FirstReceiveAt),
	}
	if fifo {
		all["SequenceNumber"] = fmt.Sprintf("%020d", m.Seq)
		all["MessageDeduplicationId"] = m.DedupID
		all["MessageGroupId"] = m.GroupID
	} else if m.GroupID != "" {
		all["MessageGroupId"] = m.GroupID
	}
	if m.DeadLetterSource != "" {
		all["DeadLetterQueueSourceArn"] = m.DeadLetterSource
	}
	if len(m.SystemAttributes) > 0 {
		var sys map[string]MessageAttributeValue
		json.Unmarshal(m.SystemAttributes, &sys)
		if v, ok := sys["AWSTraceHeader"]; ok {
			all["AWSTraceHeader"] = deref(v.StringValue)
		}
	}
	out := Attributes{}
	for _, n := range names {
		if n == "All" {
			return all
		}
		if v, ok := all[n]; ok {
			out[n] = v
		}
	}
	return out
}

// selectAttributes filters message attributes by the requested names ("All", ".*", "prefix.*").
func selectAttributes(all map[string]MessageAttributeValue, names []string) MessageAttributes {
	out := MessageAttributes{}
	for _, n := range names {
		for k, v := range all {
			switch {
			case n == "All" || n == ".*":
				out[k] = v
			case strings.HasSuffix(n, ".*") && strings.HasPrefix(k, strings.TrimSuffix(n, "*")):
				out[k] = v
			case n == k:
				out[k] = v
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func (s *Service) invalidHandle(h string) error {
	return ErrReceiptHandleIsInvalid.Errorf("The input receipt handle \"%s\" is not a valid receipt handle.", h)
}

// handleOf decodes a receipt handle for the queue.
func (s *Service) handleOf(q store.Queue, h string) (store.Handle, error) {
	if h == "" {
		return store.Handle{}, ErrMissingParameter.Errorf("The request must contain the parameter ReceiptHandle.")
	}
	r, ok := parseReceipt(h, q.ID)
	if !ok {
		return store.Handle{}, s.invalidHandle(h)
	}
	return store.Handle{Seq: r.seq, Token: r.token}, nil
}

// deleteMany deletes by receipt handles in one durable write, returning an error per handle. A
// well-formed handle whose message is gone or was received again succeeds and changes nothing,
// as in SQS.
func (s *Service) deleteMany(ctx context.Context, q store.Queue, handles []string) ([]error, error) {
	errs := make([]error, len(handles))
	var valid []store.Handle
	for i, h := range handles {
		handle, err := s.handleOf(q, h)
		if err != nil {
			errs[i] = err
			continue
		}
		valid = append(valid, handle)
	}
	if len(valid) == 0 {
		return errs, nil
	}
	_, err := s.store.DeleteMessages(ctx, q.ID, valid)
	return errs, err
}

// DeleteMessage deletes a received message.
func (s *Service) DeleteMessage(ctx context.Context, in *DeleteMessageInput) (*Empty, error) {
	q, err := s.queue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	errs, err := s.deleteMany(ctx, q, []string{in.ReceiptHandle})
	if err != nil {
		return nil, err
	}
	return &Empty{}, errs[0]
}

func handleIDs(entries []BatchHandleEntry) []string {
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.Id
	}
	return ids
}

// batchResults splits per-entry errors into the successful and failed lists of a batch answer.
func batchResults(entries []BatchHandleEntry, errs []error) ([]BatchResultEntry, []BatchResultErrorEntry) {
	ok, failed := []BatchResultEntry{}, []BatchResultErrorEntry{}
	for i, e := range entries {
		if errs[i] != nil {
			failed = append(failed, failure(e.Id, errs[i]))
			continue
		}
		ok = append(ok, BatchResultEntry{Id: e.Id})
	}
	return ok, failed
}

// DeleteMessageBatch deletes up to 10 received messages in one durable write.
func (s *Service) DeleteMessageBatch(ctx context.Context, in *DeleteMessageBatchInput) (*DeleteMessageBatchOutput, error) {
	q, err := s.queue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := checkBatch(handleIDs(in.Entries)); err != nil {
		return nil, err
	}
	handles := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		handles[i] = e.ReceiptHandle
	}
	errs, err := s.deleteMany(ctx, q, handles)
	if err != nil {
		return nil, err
	}
	out := &DeleteMessageBatchOutput{}
	out.Successful, out.Failed = batchResults(in.Entries, errs)
	return out, nil
}

// changeMany sets received messages' visibility timeouts, counted from now, in one durable write.
func (s *Service) changeMany(ctx context.Context, q store.Queue, entries []BatchHandleEntry) ([]error, error) {
	errs := make([]error, len(entries))
	now := s.clock.Now()
	var changes []store.VisibilityChange
	var index []int
	for i, e := range entries {
		vt := e.VisibilityTimeout
		switch {
		case vt == nil:
			errs[i] = ErrMissingParameter.Errorf("The request must contain the parameter VisibilityTimeout.")
			continue
		case *vt < 0 || *vt > maxVisibilityTimeout:
			errs[i] = ErrInvalidParameterValue.Errorf("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.", *vt)
			continue
		}
		h, err := s.handleOf(q, e.ReceiptHandle)
		if err != nil {
			errs[i] = err
			continue
		}
		changes = append(changes, store.VisibilityChange{Handle: h, VisibleAt: now.Add(time.Duration(*vt) * time.Second)})
		index = append(index, i)
	}
	if len(changes) == 0 {
		return errs, nil
	}
	results, err := s.store.ChangeVisibility(ctx, q.ID, changes, now)
	if err != nil {
		return nil, err
	}
	wake := false
	for j, r := range results {
		i := index[j]
		switch r {
		case store.NotFound:
			errs[i] = ErrInvalidParameterValue.Errorf("Value %s for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.", entries[i].ReceiptHandle)
		case store.NotInFlight:
			errs[i] = ErrMessageNotInflight.Errorf("The message referred to isn't in flight.")
		case store.Hastened:
			wake = true
		}
	}
	if wake {
		s.waiters.notify(q.ID) // polls that wait for the old deadline look again
	}
	return errs, nil
}

// ChangeMessageVisibility changes one received message's visibility timeout.
func (s *Service) ChangeMessageVisibility(ctx context.Context, in *ChangeMessageVisibilityInput) (*Empty, error) {
	q, err := s.queue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	errs, err := s.changeMany(ctx, q, []BatchHandleEntry{{ReceiptHandle: in.ReceiptHandle, VisibilityTimeout: in.VisibilityTimeout}})
	if err != nil {
		return nil, err
	}
	return &Empty{}, errs[0]
}

// ChangeMessageVisibilityBatch changes up to 10 received messages' visibility timeouts in one
// durable write.
func (s *Service) ChangeMessageVisibilityBatch(ctx context.Context, in *ChangeMessageVisibilityBatchInput) (*ChangeMessageVisibilityBatchOutput, error) {
	q, err := s.queue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := checkBatch(handleIDs(in.Entries)); err != nil {
		return nil, err
	}
	errs, err := s.changeMany(ctx, q, in.Entries)
	if err != nil {
		return nil, err
	}
	out := &ChangeMessageVisibilityBatchOutput{}
	out.Successful, out.Failed = batchResults(in.Entries, errs)
	return out, nil
}

// attemptWindow is how long a FIFO ReceiveRequestAttemptId returns the same answer.
const attemptWindow = 5 * time.Minute
