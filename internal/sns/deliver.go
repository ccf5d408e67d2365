package sns

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/sqs"
	"github.com/gureum/gureum/internal/store"
)

// deliveryKind is the outbox kind of SNS deliveries.
const deliveryKind = "sns"

// timeFormat is the envelope's Timestamp: UTC with milliseconds.
const timeFormat = "2006-01-02T15:04:05.000Z"

// payload is one delivery as the outbox keeps it: what the endpoint gets, and how to retry.
type payload struct {
	Type       string               // Notification, SubscriptionConfirmation, UnsubscribeConfirmation
	Sub        string               `json:",omitempty"`
	Topic      string               // topic ARN
	Protocol   string               // sqs, lambda, http, https
	Endpoint   string               // queue or function ARN, URL
	MessageID  string               // the same on every attempt
	Message    string               // as this protocol gets it
	Subject    string               `json:",omitempty"`
	Timestamp  string               // when published
	Attrs      map[string]attribute `json:",omitempty"`
	Raw        bool                 `json:",omitempty"`
	Group      string               `json:",omitempty"`
	Dedup      string               `json:",omitempty"`
	Seq        string               `json:",omitempty"`
	Token      string               `json:",omitempty"`
	SigVersion string               `json:",omitempty"`
	BaseURL    string               // where the endpoint reaches gureum (cert, unsubscribe, confirm)
	FIFO       bool                 `json:",omitempty"`
	DLQ        string               `json:",omitempty"` // the redrive policy's queue ARN
	Policy     retryPolicy          // the retries this delivery gets
	Attempt    int                  `json:",omitempty"` // retries made so far
}

// clientError is a delivery failure no retry mends (a missing queue or function): the message
// goes to the dead-letter queue at once.
type clientError struct{ error }

// deliver is the outbox handler of SNS deliveries. A failed attempt is retried on the
// subscription's policy by recording the next attempt in the outbox, due at its delay; when the
// retries are spent (or the endpoint refuses the message for good) it goes to the subscription's
// dead-letter queue, if any, as the endpoint would have got it.
func (s *Service) deliver(ctx context.Context, d store.Delivery) error {
	var p payload
	if err := json.Unmarshal(d.Payload, &p); err != nil {
		return background.Permanent(fmt.Errorf("sns: bad delivery payload: %w", err))
	}
	err := s.attempt(ctx, p)
	if err == nil {
		return nil
	}
	var ce clientError
	if !errors.As(err, &ce) && p.Attempt < p.Policy.NumRetries {
		next := p
		next.Attempt++
		b, _ := json.Marshal(next)
		now := s.clock.Now()
		s.log.Info("sns delivery failed; will retry", "endpoint", p.Endpoint, "message", p.MessageID, "attempt", p.Attempt+1, "err", err)
		return s.store.Enqueue(ctx, store.Delivery{Kind: deliveryKind, Target: d.Target, Payload: b, NotBefore: now.Add(p.Policy.delay(next.Attempt)), Created: d.Created})
	}
	s.log.Warn("sns delivery failed for good", "endpoint", p.Endpoint, "message", p.MessageID, "attempts", p.Attempt+1, "err", err)
	if p.DLQ == "" || p.Type != "Notification" {
		return nil // AWS drops it
	}
	return s.deadLetter(ctx, p)
}

// attempt makes one delivery attempt.
func (s *Service) attempt(ctx context.Context, p payload) error {
	switch p.Protocol {
	case "sqs":
		return s.toQueue(ctx, p, p.Endpoint)
	case "lambda":
		return s.toFunction(ctx, p)
	case "http", "https":
		return s.toHTTP(ctx, p)
	}
	return clientError{fmt.Errorf("unknown protocol %q", p.Protocol)}
}

// deadLetter sends what the endpoint would have got to the dead-letter queue.
func (s *Service) deadLetter(ctx context.Context, p payload) error {
	if p.Protocol == "http" || p.Protocol == "https" || p.Protocol == "lambda" {
		p.Raw = p.Raw && p.Protocol != "lambda"
	}
	return s.toQueue(ctx, p, p.DLQ)
}

// toQueue sends the notification to a queue: the envelope, or the bare message with its
// attributes as SQS attributes when raw; a FIFO topic's group and deduplication ids go along.
func (s *Service) toQueue(ctx context.Context, p payload, queueARN string) error {
	if s.queues == nil {
		return errors.New("no queue service")
	}
	body := p.Message
	var attrs map[string]sqs.MessageAttributeValue
	if p.Raw {
		attrs = sqsAttributes(p.Attrs)
	} else {
		b, err := s.envelope(ctx, p)
		if err != nil {
			return err
		}
		body = string(b)
	}
	group, dedup := "", ""
	if strings.HasSuffix(queueARN, ".fifo") {
		group, dedup = p.Group, p.Dedup
	}
	// SNS sends as its service principal for the topic: a queue of another account takes the
	// message only when its policy allows sns.amazonaws.com (for this topic, as its conditions say).
	ctx = sqs.WithSource(ctx, sqs.Source{Service: "sns.amazonaws.com", ARN: p.Topic})
	_, err := s.queues.Enqueue(ctx, queueARN, body, attrs, group, dedup)
	var ae *awserr.Error
	if errors.As(err, &ae) && ae.Code != nil && ae.Code.Status < 500 && ae.Code.Name != "RequestThrottled" {
		return clientError{err}
	}
	return err
}

func sqsAttributes(in map[string]attribute) map[string]sqs.MessageAttributeValue {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]sqs.MessageAttributeValue, len(in))
	for k, a := range in {
		v := sqs.MessageAttributeValue{DataType: a.Type}
		if strings.HasPrefix(a.Type, "Binary") {
			v.BinaryValue = decodeBase64(a.Value)
		} else {
			val := a.Value
			v.StringValue = &val
		}
		out[k] = v
	}
	return out
}

// toFunction invokes a function with the SNS event (aws-lambda-go's events.SNSEvent).
func (s *Service) toFunction(ctx context.Context, p payload) error {
	if s.invoker == nil {
		return errors.New("no function service")
	}
	ev, err := s.lambdaEvent(ctx, p)
	if err != nil {
		return err
	}
	err = s.invoker.InvokeAsync(ctx, p.Endpoint, request.Source{ARN: p.Topic, Account: arnAccount(p.Topic)}, ev)
	// A function whose policy does not let SNS invoke it for the topic, or that is gone, is a
	// client-side error: AWS does not retry it, and the message goes to the dead-letter queue.
	if ae := awserr.As(err); err != nil && (ae.Kind == awserr.AccessDenied || ae.Code != nil && ae.Code.Status == 404) {
		return clientError{err}
	}
	return err
}

// toHTTP POSTs the message as AWS does: 2xx–4xx is delivered (a 4xx is not retried), anything
// else is retried.
func (s *Service) toHTTP(ctx context.Context, p payload) error {
	body := []byte(p.Message)
	if !p.Raw || p.Type != "Notification" {
		var err error
		if body, err = s.envelope(ctx, p); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.Endpoint, bytes.NewReader(body))
	if err != nil {
		return clientError{err}
	}
	h := req.Header
	h.Set("Content-Type", "text/plain; charset=UTF-8")
	h.Set("User-Agent", "Amazon Simple Notification Service Agent")
	h.Set("x-amz-sns-message-type", p.Type)
	h.Set("x-amz-sns-message-id", p.MessageID)
	h.Set("x-amz-sns-topic-arn", p.Topic)
	if p.Type != "SubscriptionConfirmation" {
		h.Set("x-amz-sns-subscription-arn", p.Sub)
	}
	if p.Raw && p.Type == "Notification" {
		h.Set("x-amz-sns-rawdelivery", "true")
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode >= 500 {
		return fmt.Errorf("endpoint answered %s", resp.Status)
	}
	return nil
}

// sendConfirmation records a SubscriptionConfirmation or UnsubscribeConfirmation for an HTTP
// endpoint in the outbox.
func (s *Service) sendConfirmation(ctx context.Context, t store.Topic, x store.Subscription, typ string) error {
	now := s.clock.Now()
	msg := fmt.Sprintf("You have chosen to subscribe to the topic %s.\nTo confirm the subscription, visit the SubscribeURL included in this message.", t.ARN)
	if typ == "UnsubscribeConfirmation" {
		msg = fmt.Sprintf("You have chosen to deactivate subscription %s.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.", x.ARN)
	}
	p := payload{Type: typ, Sub: x.ARN, Topic: t.ARN, Protocol: x.Protocol, Endpoint: x.Endpoint, MessageID: newUUID(), Message: msg,
		Timestamp: now.UTC().Format(timeFormat), Token: x.Token, SigVersion: t.Attributes["SignatureVersion"], BaseURL: s.baseURL(ctx),
		Policy: retryPolicyOf(t, x)}
	b, _ := json.Marshal(p)
	_, err := s.store.Publish(ctx, []store.Publication{{TopicARN: t.ARN, MessageID: p.MessageID, Now: now,
		Deliveries: []store.Delivery{{Kind: deliveryKind, Target: x.Endpoint, Payload: b, NotBefore: now, Created: now}}}})
	return err
}

// arnAccount is an ARN's account field (aws:SourceAccount of a call made for that resource).
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}
