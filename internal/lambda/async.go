package lambda

// Asynchronous invocation (InvocationType Event, the legacy InvokeAsync and the in-process
// Enqueue): an event is recorded in the outbox (store.Outbox, kind "lambda.async") before the 202,
// and delivered after by deliverAsync, at least once, with Lambda's retry policy: a function error
// is retried MaximumRetryAttempts times (default 2) after a backoff (1 then 2 minutes); a throttle
// or a system error is retried with backoff until the event is MaximumEventAgeInSeconds old
// (default 6 hours). A retry is a new delivery recorded with its due time, so a retry survives a
// restart too. An event that succeeds goes to the OnSuccess destination; one that fails for good
// to the OnFailure destination and to the function's DeadLetterConfig.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/store"
)

// AsyncKind is the outbox kind of asynchronous invocations.
const AsyncKind = "lambda.async"

const (
	defaultRetryAttempts = 2
	defaultMaxEventAge   = 6 * 60 * 60 // seconds
	settingEventInvoke   = "event-invoke"
)

// MessageAttribute is a string or number attribute of a message sent to a queue or topic
// (the DLQ's RequestID, ErrorCode, ErrorMessage).
type MessageAttribute struct {
	DataType    string // String or Number
	StringValue string
}

// Destinations sends the records of asynchronous invocations to other services: queues, topics
// and event buses (a function destination is an asynchronous invoke of this service). The server
// wires it to SQS, SNS and EventBridge in process.
type Destinations interface {
	SendMessage(ctx context.Context, queueARN, body string, attrs map[string]MessageAttribute) error
	Publish(ctx context.Context, topicARN, message string, attrs map[string]MessageAttribute) error
	PutEvent(ctx context.Context, busARN, source, detailType, detail string) error
}

// asyncEvent is one asynchronous invocation as the outbox keeps it.
type asyncEvent struct {
	RequestID     string          `json:"id"`
	Account       string          `json:"account"`
	Function      string          `json:"function"`
	Qualifier     string          `json:"qualifier,omitempty"`
	Payload       json.RawMessage `json:"payload"`
	ClientContext string          `json:"clientContext,omitempty"`
	Received      time.Time       `json:"received"`
	Attempts      int             `json:"attempts"` // runs that ended in a function error
	Tries         int             `json:"tries"`    // attempts refused (throttled) or failed by the system
}

func (e *asyncEvent) arn(s *Service) string {
	arn := s.functionARN(e.Account, e.Function)
	if e.Qualifier != "" {
		arn += ":" + e.Qualifier
	}
	return arn
}

// enqueue records an asynchronous invocation durably.
func (s *Service) enqueue(ctx context.Context, r ref, payload []byte, clientContext, requestID string) error {
	if s.cfg.Outbox == nil {
		return ErrService.Errorf("Asynchronous invocation is not available: gureum has no outbox.")
	}
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	now := s.cfg.Clock.Now()
	ev := asyncEvent{RequestID: requestID, Account: r.account, Function: r.name, Qualifier: r.qualifier,
		Payload: json.RawMessage(payload), ClientContext: clientContext, Received: now}
	return s.record(ctx, &ev, now)
}

// record puts an event in the outbox, due at the time given.
func (s *Service) record(ctx context.Context, ev *asyncEvent, due time.Time) error {
	b, err := json.Marshal(ev)
	if err != nil {
		return ErrInvalidRequestContent.Errorf("Could not parse request body into json: %v", err)
	}
	return s.cfg.Outbox.Enqueue(ctx, store.Delivery{Kind: AsyncKind, Target: ev.arn(s), Payload: b, NotBefore: due, Created: s.cfg.Clock.Now()})
}

// Enqueue invokes a function asynchronously for another gureum service (S3 notifications, SNS,
// EventBridge, Scheduler): the event is durable when it returns. The function is named by ARN
// (qualified or not); the caller acts for the function's account.
func (s *Service) Enqueue(ctx context.Context, functionARN string, payload []byte) error {
	r, err := s.parseRef(ctx, functionARN, "")
	if err != nil {
		return err
	}
	if len(payload) > maxAsyncPayload {
		return ErrRequestTooLarge.Errorf("Request must be smaller than %d bytes for the InvokeAsync operation", maxAsyncPayload)
	}
	if len(payload) > 0 && !json.Valid(payload) {
		return ErrInvalidRequestContent.Errorf("Could not parse request body into json")
	}
	if _, _, err := s.version(ctx, r); err != nil {
		return err
	}
	return s.enqueue(ctx, r, payload, "", request.NewID())
}

// InvokeAsyncInput is the legacy InvokeAsync's request.
type InvokeAsyncInput struct {
	FunctionName string `rest:"uri=FunctionName" json:"-"`
	InvokeArgs   []byte `rest:"payload" json:"-"`
}

// InvokeAsyncOutput is InvokeAsync's answer: 202.
type InvokeAsyncOutput struct {
	Status int `rest:"status" json:"-"`
}

// InvokeAsync is the deprecated asynchronous invoke: Invoke with InvocationType Event.
func (s *Service) InvokeAsync(ctx context.Context, in *InvokeAsyncInput) (*InvokeAsyncOutput, error) {
	out, err := s.Invoke(ctx, &InvokeInput{FunctionName: in.FunctionName, InvocationType: "Event", Payload: in.InvokeArgs})
	if err != nil {
		return nil, err
	}
	return &InvokeAsyncOutput{Status: out.StatusCode}, nil
}

// register puts the asynchronous invocation's handler on the outbox.
func (s *Service) registerAsync() {
	if s.cfg.Dispatcher != nil {
		s.cfg.Dispatcher.Handle(AsyncKind, s.deliverAsync)
	}
}

// retryDelay is the wait before the nth retry of a function error (Lambda: one minute, then two).
func (s *Service) retryDelay(n int) time.Duration {
	d := s.cfg.AsyncRetryDelay
	for i := 1; i < n; i++ {
		d *= 2
	}
	return d
}

// throttleDelay is the wait after the nth refused attempt: 1 s doubling, at most 5 minutes.
func (s *Service) throttleDelay(n int) time.Duration {
	d := s.cfg.AsyncThrottleDelay
	for i := 1; i < n && d < 5*time.Minute; i++ {
		d *= 2
	}
	return min(d, 5*time.Minute)
}

// deliverAsync runs one asynchronous invocation and decides what follows: a retry (a new
// delivery), a destination, the dead-letter queue, or nothing.
func (s *Service) deliverAsync(ctx context.Context, d store.Delivery) error {
	var ev asyncEvent
	if err := json.Unmarshal(d.Payload, &ev); err != nil {
		return background.Permanent(fmt.Errorf("undecodable asynchronous event: %w", err))
	}
	ctx = request.With(ctx, &request.Info{ID: ev.RequestID, Service: "lambda", Operation: "Invoke",
		Principal: &request.Principal{Account: ev.Account, ARN: "lambda.amazonaws.com", UserID: "lambda.amazonaws.com"}})
	r := ref{account: ev.Account, name: ev.Function, qualifier: ev.Qualifier}
	cfg := s.eventInvokeConfig(ctx, r)
	now := s.cfg.Clock.Now()
	if now.Sub(ev.Received) > time.Duration(cfg.maxAge)*time.Second {
		return s.asyncFailed(ctx, &ev, cfg, "EventAgeExceeded", nil)
	}
	inv, err := s.resolve(ctx, r)
	if err != nil {
		var ae *awserr.Error
		if errors.As(err, &ae) && ae.Code == ErrResourceNotFound {
			s.cfg.Log.Info("asynchronous event dropped: its function is gone", "function", ev.arn(s), "request_id", ev.RequestID)
			return nil
		}
		return s.asyncRetry(ctx, &ev, cfg, err)
	}
	// The run has its own deadline (the function's timeout), not the delivery's claim.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Duration(inv.c.Timeout)*time.Second+30*time.Second)
	defer cancel()
	out, err := s.run(rctx, inv, &InvokeInput{Payload: ev.Payload, ClientContext: ev.ClientContext}, ev.RequestID)
	if err != nil { // throttled, or gureum could not run it
		if ctx.Err() != nil {
			return ctx.Err() // stopping: the claim lapses and the event is due again
		}
		return s.asyncRetry(ctx, &ev, cfg, err)
	}
	if out.FunctionError != "" {
		ev.Attempts++
		if ev.Attempts <= cfg.retries {
			return s.record(ctx, &ev, s.cfg.Clock.Now().Add(s.retryDelay(ev.Attempts)))
		}
		return s.asyncFailed(ctx, &ev, cfg, "RetriesExhausted", out)
	}
	if cfg.onSuccess != "" {
		rec := s.destinationRecord(&ev, "Success", out)
		if err := s.sendRecord(ctx, cfg.onSuccess, rec, true, ev.Account); err != nil {
			s.cfg.Log.Warn("asynchronous invocation: the OnSuccess destination failed", "destination", cfg.onSuccess, "err", err)
		}
	}
	return nil
}

// asyncRetry records a refused or failed attempt for a later try, within the event's age.
func (s *Service) asyncRetry(ctx context.Context, ev *asyncEvent, cfg asyncConfig, cause error) error {
	ev.Tries++
	due := s.cfg.Clock.Now().Add(s.throttleDelay(ev.Tries))
	if due.Sub(ev.Received) > time.Duration(cfg.maxAge)*time.Second {
		s.cfg.Log.Info("asynchronous event too old to retry", "function", ev.arn(s), "err", cause)
		return s.asyncFailed(ctx, ev, cfg, "EventAgeExceeded", nil)
	}
	s.cfg.Log.Info("asynchronous invocation will be retried", "function", ev.arn(s), "request_id", ev.RequestID, "in", due.Sub(s.cfg.Clock.Now()), "err", cause)
	return s.record(ctx, ev, due)
}

// asyncFailed sends a failed event to the OnFailure destination and the dead-letter queue.
func (s *Service) asyncFailed(ctx context.Context, ev *asyncEvent, cfg asyncConfig, condition string, out *InvokeOutput) error {
	var errs []error
	if cfg.onFailure != "" {
		rec := s.destinationRecord(ev, condition, out)
		errs = append(errs, s.sendRecord(ctx, cfg.onFailure, rec, false, ev.Account))
	}
	if cfg.dlq != "" {
		errs = append(errs, s.deadLetter(ctx, cfg.dlq, ev, condition, out))
	}
	if cfg.onFailure == "" && cfg.dlq == "" {
		s.cfg.Log.Info("asynchronous event discarded", "function", ev.arn(s), "request_id", ev.RequestID, "condition", condition)
	}
	return errors.Join(errs...) // a failed send is retried by the outbox (the invoke is not run again)
}

// destinationRecord is AWS's invocation record for a destination.
func (s *Service) destinationRecord(ev *asyncEvent, condition string, out *InvokeOutput) []byte {
	type requestContext struct {
		RequestID              string `json:"requestId"`
		FunctionArn            string `json:"functionArn"`
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	}
	type responseContext struct {
		StatusCode      int    `json:"statusCode"`
		ExecutedVersion string `json:"executedVersion"`
		FunctionError   string `json:"functionError,omitempty"`
	}
	rec := struct {
		Version         string           `json:"version"`
		Timestamp       string           `json:"timestamp"`
		RequestContext  requestContext   `json:"requestContext"`
		RequestPayload  json.RawMessage  `json:"requestPayload"`
		ResponseContext *responseContext `json:"responseContext,omitempty"`
		ResponsePayload json.RawMessage  `json:"responsePayload,omitempty"`
	}{Version: "1.0", Timestamp: s.cfg.Clock.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		RequestContext: requestContext{RequestID: ev.RequestID, FunctionArn: s.functionARN(ev.Account, ev.Function) + ":" + qualifierOr(ev.Qualifier),
			Condition: condition, ApproximateInvokeCount: ev.Attempts},
		RequestPayload: ev.Payload}
	if condition == "Success" {
		rec.RequestContext.ApproximateInvokeCount++ // the run that succeeded
	}
	if out != nil {
		rec.ResponseContext = &responseContext{StatusCode: 200, ExecutedVersion: out.ExecutedVersion, FunctionError: out.FunctionError}
		if json.Valid(out.Payload) {
			rec.ResponsePayload = out.Payload
		} else if len(out.Payload) > 0 {
			rec.ResponsePayload, _ = json.Marshal(string(out.Payload))
		}
	}
	b, _ := json.Marshal(rec)
	return b
}

func qualifierOr(q string) string {
	if q == "" {
		return latest
	}
	return q
}

// sendRecord sends an invocation record to a destination by the kind of its ARN.
func (s *Service) sendRecord(ctx context.Context, dest string, rec []byte, success bool, account string) error {
	kind := arnService(dest)
	if kind == "lambda" {
		return s.Enqueue(ctx, dest, rec)
	}
	if s.cfg.Destinations == nil {
		return background.Permanent(fmt.Errorf("no destinations are wired for %s", dest))
	}
	switch kind {
	case "sqs":
		return s.cfg.Destinations.SendMessage(ctx, dest, string(rec), nil)
	case "sns":
		return s.cfg.Destinations.Publish(ctx, dest, string(rec), nil)
	case "events":
		dt := "Lambda Function Invocation Result - Failure"
		if success {
			dt = "Lambda Function Invocation Result - Success"
		}
		return s.cfg.Destinations.PutEvent(ctx, dest, "lambda", dt, string(rec))
	}
	return background.Permanent(fmt.Errorf("unsupported destination %s", dest))
}

// deadLetter sends the original event to the function's DeadLetterConfig target with Lambda's
// attributes: RequestID, ErrorCode, ErrorMessage.
func (s *Service) deadLetter(ctx context.Context, target string, ev *asyncEvent, condition string, out *InvokeOutput) error {
	if s.cfg.Destinations == nil {
		return background.Permanent(fmt.Errorf("no destinations are wired for %s", target))
	}
	msg := condition
	if out != nil && len(out.Payload) > 0 {
		var doc struct{ ErrorMessage string }
		if json.Unmarshal(out.Payload, &doc) == nil && doc.ErrorMessage != "" {
			msg = doc.ErrorMessage
		}
	}
	attrs := map[string]MessageAttribute{
		"RequestID":    {DataType: "String", StringValue: ev.RequestID},
		"ErrorCode":    {DataType: "Number", StringValue: "200"},
		"ErrorMessage": {DataType: "String", StringValue: truncate(msg, 1024)},
	}
	switch arnService(target) {
	case "sqs":
		return s.cfg.Destinations.SendMessage(ctx, target, string(ev.Payload), attrs)
	case "sns":
		return s.cfg.Destinations.Publish(ctx, target, string(ev.Payload), attrs)
	}
	return background.Permanent(fmt.Errorf("unsupported dead-letter target %s", target))
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// arnService is the service part of an ARN ("sqs", "sns", "lambda", "events").
func arnService(arn string) string {
	parts := strings.SplitN(arn, ":", 4)
	if len(parts) < 4 || parts[0] != "arn" {
		return ""
	}
	return parts[2]
}

// asyncConfig is what an event's delivery follows: the qualifier's event invoke configuration
// (or the function's) and the version's DeadLetterConfig.
type asyncConfig struct {
	retries, maxAge      int
	onSuccess, onFailure string
	dlq                  string
}

func (s *Service) eventInvokeConfig(ctx context.Context, r ref) asyncConfig {
	c := asyncConfig{retries: defaultRetryAttempts, maxAge: defaultMaxEventAge}
	if _, fc, err := s.version(ctx, r); err == nil && fc.DeadLetterConfig != nil {
		c.dlq = fc.DeadLetterConfig.TargetArn
	}
	set, err := s.cfg.Store.FunctionSetting(ctx, r.account, r.name, settingEventInvoke, qualifierOr(r.qualifier))
	if err != nil {
		return c
	}
	var e FunctionEventInvokeConfig
	if json.Unmarshal(set.Config, &e) != nil {
		return c
	}
	if e.MaximumRetryAttempts != nil {
		c.retries = int(*e.MaximumRetryAttempts)
	}
	if e.MaximumEventAgeInSeconds != nil {
		c.maxAge = int(*e.MaximumEventAgeInSeconds)
	}
	if d := e.DestinationConfig; d != nil {
		if d.OnSuccess != nil && d.OnSuccess.Destination != nil {
			c.onSuccess = *d.OnSuccess.Destination
		}
		if d.OnFailure != nil && d.OnFailure.Destination != nil {
			c.onFailure = *d.OnFailure.Destination
		}
	}
	return c
}

// OnDestination is a destination of a condition.
type OnDestination struct {
	Destination *string `json:"Destination,omitempty"`
}

// DestinationConfig names where records of asynchronous invocations go.
type DestinationConfig struct {
	OnSuccess *OnDestination `json:"OnSuccess,omitempty"`
	OnFailure *OnDestination `json:"OnFailure,omitempty"`
}

// FunctionEventInvokeConfig is a qualifier's asynchronous invocation configuration.
type FunctionEventInvokeConfig struct {
	LastModified             float64            `json:"LastModified"`
	FunctionArn              string             `json:"FunctionArn"`
	MaximumRetryAttempts     *int32             `json:"MaximumRetryAttempts,omitempty"`
	MaximumEventAgeInSeconds *int32             `json:"MaximumEventAgeInSeconds,omitempty"`
	DestinationConfig        *DestinationConfig `json:"DestinationConfig,omitempty"`
}

// PutFunctionEventInvokeConfigInput is Put's and Update's request.
type PutFunctionEventInvokeConfigInput struct {
	FunctionName             string `rest:"uri=FunctionName" json:"-"`
	Qualifier                string `rest:"query=Qualifier" json:"-"`
	MaximumRetryAttempts     *int32
	MaximumEventAgeInSeconds *int32
	DestinationConfig        *DestinationConfig
}

// EventInvokeConfigRef names a qualifier's configuration.
type EventInvokeConfigRef struct {
	FunctionName string `rest:"uri=FunctionName" json:"-"`
	Qualifier    string `rest:"query=Qualifier" json:"-"`
}

// ListFunctionEventInvokeConfigsInput pages through a function's configurations.
type ListFunctionEventInvokeConfigsInput struct {
	FunctionName string `rest:"uri=FunctionName" json:"-"`
	Marker       string `rest:"query=Marker" json:"-"`
	MaxItems     int    `rest:"query=MaxItems" json:"-"`
}

// ListFunctionEventInvokeConfigsOutput is a page of configurations.
type ListFunctionEventInvokeConfigsOutput struct {
	FunctionEventInvokeConfigs []*FunctionEventInvokeConfig `json:"FunctionEventInvokeConfigs"`
	NextMarker                 string                       `json:"NextMarker,omitempty"`
}

// eventInvokeRef resolves the function and qualifier of a configuration, which must exist.
func (s *Service) eventInvokeRef(ctx context.Context, fn, qualifier string) (ref, string, error) {
	r, err := s.parseRef(ctx, fn, qualifier)
	if err != nil {
		return r, "", err
	}
	if _, _, err := s.version(ctx, r); err != nil {
		return r, "", err
	}
	return r, s.functionARN(r.account, r.name) + ":" + qualifierOr(r.qualifier), nil
}

func (s *Service) checkEventInvoke(c *FunctionEventInvokeConfig) error {
	if n := c.MaximumRetryAttempts; n != nil && (*n < 0 || *n > 2) {
		return awserr.New(awserr.Validation, "1 validation error detected: Value '%d' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value %s", *n, bound(*n < 0, 0, 2))
	}
	if n := c.MaximumEventAgeInSeconds; n != nil && (*n < 60 || *n > 21600) {
		return awserr.New(awserr.Validation, "1 validation error detected: Value '%d' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value %s", *n, bound(*n < 60, 60, 21600))
	}
	if d := c.DestinationConfig; d != nil {
		for _, o := range []*OnDestination{d.OnSuccess, d.OnFailure} {
			if o == nil || o.Destination == nil || *o.Destination == "" {
				continue
			}
			switch arnService(*o.Destination) {
			case "sqs", "sns", "lambda", "events":
			default:
				return invalid("The provided destination config DestinationConfig(onSuccess=%s, onFailure=%s) is invalid.", destString(d.OnSuccess), destString(d.OnFailure))
			}
		}
	}
	return nil
}

func bound(low bool, lo, hi int) string {
	if low {
		return "greater than or equal to " + strconv.Itoa(lo)
	}
	return "less than or equal to " + strconv.Itoa(hi)
}

func destString(o *OnDestination) string {
	if o == nil || o.Destination == nil {
		return "OnSuccess(destination=null)"
	}
	return "Destination(" + *o.Destination + ")"
}

func (s *Service) putEventInvoke(ctx context.Context, in *PutFunctionEventInvokeConfigInput, update bool) (*FunctionEventInvokeConfig, error) {
	r, arn, err := s.eventInvokeRef(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &FunctionEventInvokeConfig{}
	mode := store.PutUpsert
	if update {
		set, err := s.cfg.Store.FunctionSetting(ctx, r.account, r.name, settingEventInvoke, qualifierOr(r.qualifier))
		if errors.Is(err, store.ErrNotFound) {
			return nil, noEventInvoke(arn)
		}
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(set.Config, c); err != nil {
			return nil, err
		}
		mode = store.PutReplace
		if in.MaximumRetryAttempts != nil {
			c.MaximumRetryAttempts = in.MaximumRetryAttempts
		}
		if in.MaximumEventAgeInSeconds != nil {
			c.MaximumEventAgeInSeconds = in.MaximumEventAgeInSeconds
		}
		if d := in.DestinationConfig; d != nil {
			if c.DestinationConfig == nil {
				c.DestinationConfig = &DestinationConfig{}
			}
			if d.OnSuccess != nil {
				c.DestinationConfig.OnSuccess = d.OnSuccess
			}
			if d.OnFailure != nil {
				c.DestinationConfig.OnFailure = d.OnFailure
			}
		}
	} else {
		c.MaximumRetryAttempts, c.MaximumEventAgeInSeconds, c.DestinationConfig = in.MaximumRetryAttempts, in.MaximumEventAgeInSeconds, in.DestinationConfig
	}
	if err := s.checkEventInvoke(c); err != nil {
		return nil, err
	}
	now := s.cfg.Clock.Now()
	c.FunctionArn, c.LastModified = arn, float64(now.UnixMilli())/1000
	if c.DestinationConfig == nil {
		c.DestinationConfig = &DestinationConfig{}
	}
	if c.DestinationConfig.OnSuccess == nil {
		c.DestinationConfig.OnSuccess = &OnDestination{}
	}
	if c.DestinationConfig.OnFailure == nil {
		c.DestinationConfig.OnFailure = &OnDestination{}
	}
	b, _ := json.Marshal(c)
	err = s.cfg.Store.PutFunctionSetting(ctx, store.FunctionSetting{Account: r.account, Function: r.name, Kind: settingEventInvoke,
		Name: qualifierOr(r.qualifier), Config: b, Modified: now}, mode)
	if errors.Is(err, store.ErrNotFound) {
		return nil, noEventInvoke(arn)
	}
	return c, err
}

func noEventInvoke(arn string) error {
	return ErrResourceNotFound.Errorf("The function %s doesn't have an EventInvokeConfig", arn)
}

// PutFunctionEventInvokeConfig sets (replacing) a qualifier's asynchronous invocation configuration.
func (s *Service) PutFunctionEventInvokeConfig(ctx context.Context, in *PutFunctionEventInvokeConfigInput) (*FunctionEventInvokeConfig, error) {
	return s.putEventInvoke(ctx, in, false)
}

// UpdateFunctionEventInvokeConfig changes the fields given of an existing configuration.
func (s *Service) UpdateFunctionEventInvokeConfig(ctx context.Context, in *PutFunctionEventInvokeConfigInput) (*FunctionEventInvokeConfig, error) {
	return s.putEventInvoke(ctx, in, true)
}

// GetFunctionEventInvokeConfig returns a qualifier's configuration.
func (s *Service) GetFunctionEventInvokeConfig(ctx context.Context, in *EventInvokeConfigRef) (*FunctionEventInvokeConfig, error) {
	r, arn, err := s.eventInvokeRef(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	set, err := s.cfg.Store.FunctionSetting(ctx, r.account, r.name, settingEventInvoke, qualifierOr(r.qualifier))
	if errors.Is(err, store.ErrNotFound) {
		return nil, noEventInvoke(arn)
	}
	if err != nil {
		return nil, err
	}
	c := &FunctionEventInvokeConfig{}
	return c, json.Unmarshal(set.Config, c)
}

// DeleteFunctionEventInvokeConfig removes a qualifier's configuration.
func (s *Service) DeleteFunctionEventInvokeConfig(ctx context.Context, in *EventInvokeConfigRef) (*EmptyOutput, error) {
	r, arn, err := s.eventInvokeRef(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.DeleteFunctionSetting(ctx, r.account, r.name, settingEventInvoke, qualifierOr(r.qualifier))
	if errors.Is(err, store.ErrNotFound) {
		return nil, noEventInvoke(arn)
	}
	if err != nil {
		return nil, err
	}
	return &EmptyOutput{Status: http.StatusNoContent}, nil
}

// ListFunctionEventInvokeConfigs lists a function's configurations, by qualifier.
func (s *Service) ListFunctionEventInvokeConfigs(ctx context.Context, in *ListFunctionEventInvokeConfigsInput) (*ListFunctionEventInvokeConfigsOutput, error) {
	_, sets, limit, err := s.listSettings(ctx, in.FunctionName, in.MaxItems, settingEventInvoke)
	if err != nil {
		return nil, err
	}
	out := &ListFunctionEventInvokeConfigsOutput{FunctionEventInvokeConfigs: []*FunctionEventInvokeConfig{}}
	for _, set := range sets {
		if in.Marker != "" && set.Name <= in.Marker {
			continue
		}
		if len(out.FunctionEventInvokeConfigs) == limit {
			out.NextMarker = out.FunctionEventInvokeConfigs[limit-1].FunctionArn[strings.LastIndex(out.FunctionEventInvokeConfigs[limit-1].FunctionArn, ":")+1:]
			break
		}
		c := &FunctionEventInvokeConfig{}
		if err := json.Unmarshal(set.Config, c); err != nil {
			return nil, err
		}
		out.FunctionEventInvokeConfigs = append(out.FunctionEventInvokeConfigs, c)
	}
	return out, nil
}
