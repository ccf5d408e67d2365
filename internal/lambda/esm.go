package lambda

// Event source mappings for SQS: the mappings are store records (store.EventSourceMapping, the
// configuration as the service's document); their pollers are shards of the background runner
// (kind "lambda.esm", five per mapping, fewer when its MaximumConcurrency is lower), so each
// poller runs on exactly one node and moves to another when its node stops. A poller scales its
// receivers with the backlog, within its share of MaximumConcurrency (1,250 when unset, as
// Lambda): one at first, one more whenever a receive comes back full and the function is not
// throttled, one fewer whenever a receive comes back empty or the function throttles (the last
// backs off). A receiver long-polls the queue through the queue service's in-process interface (Queues), gathers up to
// BatchSize messages or MaximumBatchingWindowInSeconds, drops (deletes) what FilterCriteria do
// not match, invokes the function synchronously with AWS's SQS event, deletes the batch on
// success (less the batchItemFailures it reports when ReportBatchItemFailures is on) and leaves
// failures to the queue's visibility timeout, so that its redrive policy moves them to its DLQ.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/eventpattern"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/store"
)

// QueueMessage is a message received from a queue, as the SQS event record carries it.
type QueueMessage struct {
	MessageID, ReceiptHandle, Body, MD5OfBody string
	Attributes                                map[string]string
	MessageAttributes                         map[string]QueueMessageAttribute
}

// QueueMessageAttribute is a message attribute in the SQS event record's shape.
type QueueMessageAttribute struct {
	StringValue      *string  `json:"stringValue,omitempty"`
	BinaryValue      []byte   `json:"binaryValue,omitempty"`
	StringListValues []string `json:"stringListValues"`
	BinaryListValues [][]byte `json:"binaryListValues"`
	DataType         string   `json:"dataType"`
}

// QueueInfo is what a mapping needs to know of its queue.
type QueueInfo struct {
	VisibilityTimeout int // seconds
	FIFO              bool
}

// Queues is the queue service as event source mappings use it (sqs.Service in process).
type Queues interface {
	QueueInfo(ctx context.Context, queueARN string) (QueueInfo, error)
	Poll(ctx context.Context, queueARN string, max int, wait time.Duration) ([]QueueMessage, error)
	Ack(ctx context.Context, queueARN string, receiptHandles []string) error
}

// esmShards is the runner's kind of the pollers' shards.
const esmShards = "lambda.esm"

// FilterCriteria are a mapping's filters.
type FilterCriteria struct {
	Filters []Filter `json:"Filters"`
}

// Filter is one filter pattern.
type Filter struct {
	Pattern *string `json:"Pattern,omitempty"`
}

// ScalingConfig caps a mapping's concurrent invocations.
type ScalingConfig struct {
	MaximumConcurrency *int32 `json:"MaximumConcurrency,omitempty"`
}

// EventSourceMappingConfiguration is a mapping as the API reports it (and the store keeps it).
type EventSourceMappingConfiguration struct {
	Status                         int             `rest:"status" json:"-"`
	UUID                           string          `json:"UUID"`
	EventSourceMappingArn          string          `json:"EventSourceMappingArn,omitempty"`
	BatchSize                      int32           `json:"BatchSize"`
	MaximumBatchingWindowInSeconds int32           `json:"MaximumBatchingWindowInSeconds"`
	EventSourceArn                 string          `json:"EventSourceArn"`
	FilterCriteria                 *FilterCriteria `json:"FilterCriteria,omitempty"`
	FunctionArn                    string          `json:"FunctionArn"`
	LastModified                   float64         `json:"LastModified"`
	LastProcessingResult           string          `json:"LastProcessingResult"`
	State                          string          `json:"State"`
	StateTransitionReason          string          `json:"StateTransitionReason"`
	FunctionResponseTypes          []string        `json:"FunctionResponseTypes"`
	ScalingConfig                  *ScalingConfig  `json:"ScalingConfig,omitempty"`
	// Stream sources (DynamoDB Streams) only.
	StartingPosition           string             `json:"StartingPosition,omitempty"`
	ParallelizationFactor      *int32             `json:"ParallelizationFactor,omitempty"`
	MaximumRetryAttempts       *int32             `json:"MaximumRetryAttempts,omitempty"`
	MaximumRecordAgeInSeconds  *int32             `json:"MaximumRecordAgeInSeconds,omitempty"`
	BisectBatchOnFunctionError *bool              `json:"BisectBatchOnFunctionError,omitempty"`
	DestinationConfig          *DestinationConfig `json:"DestinationConfig,omitempty"`
	TumblingWindowInSeconds    *int32             `json:"TumblingWindowInSeconds,omitempty"`
}

// CreateEventSourceMappingInput is Create's request (and, with UUID, Update's).
type CreateEventSourceMappingInput struct {
	UUID                           string `rest:"uri=UUID" json:"-"`
	EventSourceArn                 *string
	FunctionName                   *string
	Enabled                        *bool
	BatchSize                      *int32
	MaximumBatchingWindowInSeconds *int32
	FilterCriteria                 *FilterCriteria
	FunctionResponseTypes          []string
	ScalingConfig                  *ScalingConfig
	StartingPosition               *string
	ParallelizationFactor          *int32
	MaximumRetryAttempts           *int32
	MaximumRecordAgeInSeconds      *int32
	BisectBatchOnFunctionError     *bool
	DestinationConfig              *DestinationConfig
	TumblingWindowInSeconds        *int32
}

// MappingRef names a mapping.
type MappingRef struct {
	UUID string `rest:"uri=UUID" json:"-"`
}

// ListEventSourceMappingsInput filters and pages the account's mappings.
type ListEventSourceMappingsInput struct {
	EventSourceArn string `rest:"query=EventSourceArn" json:"-"`
	FunctionName   string `rest:"query=FunctionName" json:"-"`
	Marker         string `rest:"query=Marker" json:"-"`
	MaxItems       int    `rest:"query=MaxItems" json:"-"`
}

// ListEventSourceMappingsOutput is a page of mappings.
type ListEventSourceMappingsOutput struct {
	EventSourceMappings []*EventSourceMappingConfiguration `json:"EventSourceMappings"`
	NextMarker          string                             `json:"NextMarker,omitempty"`
}

func (s *Service) mappingARN(acct, id string) string {
	return "arn:aws:lambda:" + s.cfg.Region + ":" + acct + ":event-source-mapping:" + id
}

// CreateEventSourceMapping joins a queue to a function.
func (s *Service) CreateEventSourceMapping(ctx context.Context, in *CreateEventSourceMappingInput) (*EventSourceMappingConfiguration, error) {
	if in.FunctionName == nil {
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null")
	}
	if in.EventSourceArn == nil {
		return nil, invalid("Unrecognized event source, must be kinesis, dynamodb stream, sqs, msk, mq, docdb or kafka.")
	}
	src := *in.EventSourceArn
	stream := isStreamARN(src)
	if arnService(src) != "sqs" && !stream {
		return nil, invalid("Unrecognized event source, must be kinesis, dynamodb stream, sqs, msk, mq, docdb or kafka.")
	}
	r, c, err := s.mappingFunction(ctx, *in.FunctionName)
	if err != nil {
		return nil, err
	}
	if parts := strings.SplitN(src, ":", 6); len(parts) != 6 || parts[4] != r.account || !stream && strings.Contains(parts[5], ":") {
		return nil, invalid("Invalid event source ARN: %s", src)
	}
	m := &EventSourceMappingConfiguration{UUID: uuid.NewString(), EventSourceArn: src, FunctionArn: c,
		BatchSize: 10, State: "Enabled", StateTransitionReason: "USER_INITIATED", LastProcessingResult: "No records processed",
		FunctionResponseTypes: []string{}}
	m.EventSourceMappingArn = s.mappingARN(r.account, m.UUID)
	if in.Enabled != nil && !*in.Enabled {
		m.State = "Disabled"
	}
	if stream {
		if err := s.applyStreamStart(ctx, m, in); err != nil {
			return nil, err
		}
	} else if in.StartingPosition != nil {
		return nil, invalid("StartingPosition is not valid for SQS event sources.")
	}
	if err := s.applyMapping(ctx, m, in, r); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	existing, err := s.cfg.Store.ListEventSourceMappings(ctx, r.account, "", 10000)
	if err != nil {
		return nil, err
	}
	for _, e := range existing {
		if e.SourceARN == src && e.Function == r.name {
			if stream {
				return nil, ErrResourceConflict.Errorf("An event source mapping with DynamoDB stream arn (\" %s \") and function (\" %s \") already exists. Please update or delete the existing mapping with UUID %s", src, r.name, e.UUID)
			}
			return nil, ErrResourceConflict.Errorf("An event source mapping with SQS arn (\" %s \") and function (\" %s \") already exists. Please update or delete the existing mapping with UUID %s", src, r.name, e.UUID)
		}
	}
	now := s.cfg.Clock.Now()
	m.LastModified = float64(now.UnixMilli()) / 1000
	b, _ := json.Marshal(m)
	if err := s.cfg.Store.CreateEventSourceMapping(ctx, store.EventSourceMapping{UUID: m.UUID, Account: r.account, Function: r.name,
		SourceARN: src, Config: b, Modified: now}); err != nil {
		return nil, err
	}
	out := *m
	out.Status, out.State = http.StatusAccepted, transition(m.State, "Creating")
	return &out, nil
}

func transition(state, during string) string {
	if state == "Disabled" && during != "Deleting" {
		return "Disabled"
	}
	return during
}

// mappingFunction resolves a mapping's function (name or ARN, optionally qualified): its ref and
// its ARN as the mapping reports it.
func (s *Service) mappingFunction(ctx context.Context, fn string) (ref, string, error) {
	r, err := s.parseRef(ctx, fn, "")
	if err != nil {
		return r, "", err
	}
	if _, _, err := s.version(ctx, r); err != nil {
		return r, "", err
	}
	arn := s.functionARN(r.account, r.name)
	if r.qualifier != "" {
		arn += ":" + r.qualifier
	}
	return r, arn, nil
}

// applyMapping validates and applies the fields given to a mapping.
func (s *Service) applyMapping(ctx context.Context, m *EventSourceMappingConfiguration, in *CreateEventSourceMappingInput, r ref) error {
	if isStreamARN(m.EventSourceArn) {
		return s.applyStreamMapping(ctx, m, in, r)
	}
	for _, p := range []struct {
		name  string
		given bool
	}{{"ParallelizationFactor", in.ParallelizationFactor != nil}, {"MaximumRetryAttempts", in.MaximumRetryAttempts != nil},
		{"MaximumRecordAgeInSeconds", in.MaximumRecordAgeInSeconds != nil}, {"BisectBatchOnFunctionError", in.BisectBatchOnFunctionError != nil},
		{"DestinationConfig", in.DestinationConfig != nil}, {"TumblingWindowInSeconds", in.TumblingWindowInSeconds != nil}} {
		if p.given {
			return invalid("Unsupported %s parameter for given event source mapping type.", p.name)
		}
	}
	info := QueueInfo{VisibilityTimeout: 30}
	if s.cfg.Queues != nil {
		var err error
		if info, err = s.cfg.Queues.QueueInfo(ctx, m.EventSourceArn); err != nil {
			return invalid("Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.")
		}
	}
	if in.BatchSize != nil {
		m.BatchSize = *in.BatchSize
	}
	if in.MaximumBatchingWindowInSeconds != nil {
		m.MaximumBatchingWindowInSeconds = *in.MaximumBatchingWindowInSeconds
	}
	if in.FilterCriteria != nil {
		m.FilterCriteria = in.FilterCriteria
		if len(in.FilterCriteria.Filters) == 0 {
			m.FilterCriteria = nil
		}
	}
	if in.FunctionResponseTypes != nil {
		m.FunctionResponseTypes = in.FunctionResponseTypes
	}
	if in.ScalingConfig != nil {
		m.ScalingConfig = in.ScalingConfig
		if in.ScalingConfig.MaximumConcurrency == nil {
			m.ScalingConfig = nil
		}
	}
	switch {
	case m.BatchSize < 1 || m.BatchSize > 10000:
		return awserr.New(awserr.Validation, "1 validation error detected: Value '%d' at 'batchSize' failed to satisfy constraint: Member must have value %s", m.BatchSize, bound(m.BatchSize < 1, 1, 10000))
	case info.FIFO && m.BatchSize > 10:
		return invalid("Batch size for FIFO SQS queues must be between 1 and 10.")
	case m.MaximumBatchingWindowInSeconds < 0 || m.MaximumBatchingWindowInSeconds > 300:
		return awserr.New(awserr.Validation, "1 validation error detected: Value '%d' at 'maximumBatchingWindowInSeconds' failed to satisfy constraint: Member must have value %s", m.MaximumBatchingWindowInSeconds, bound(m.MaximumBatchingWindowInSeconds < 0, 0, 300))
	case info.FIFO && m.MaximumBatchingWindowInSeconds > 0:
		return invalid("Batching window is not supported for FIFO queues.")
	case m.BatchSize > 10 && m.MaximumBatchingWindowInSeconds < 1:
		return invalid("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
	}
	for _, t := range m.FunctionResponseTypes {
		if t != "ReportBatchItemFailures" {
			return awserr.New(awserr.Validation, "1 validation error detected: Value '[%s]' at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]", t)
		}
	}
	if sc := m.ScalingConfig; sc != nil && (*sc.MaximumConcurrency < 2 || *sc.MaximumConcurrency > 1000) {
		return awserr.New(awserr.Validation, "1 validation error detected: Value '%d' at 'scalingConfig.maximumConcurrency' failed to satisfy constraint: Member must have value %s", *sc.MaximumConcurrency, bound(*sc.MaximumConcurrency < 2, 2, 1000))
	}
	if fc := m.FilterCriteria; fc != nil {
		if len(fc.Filters) > 5 {
			return invalid("Invalid filter criteria: number of filters exceeds the maximum of 5.")
		}
		for _, f := range fc.Filters {
			if f.Pattern == nil {
				return invalid("Invalid filter pattern definition.")
			}
			if _, err := eventpattern.Compile([]byte(*f.Pattern), eventpattern.Lambda); err != nil {
				return invalid("Invalid filter pattern definition.")
			}
		}
	}
	_, c, err := s.version(ctx, r)
	if err != nil {
		return err
	}
	if info.VisibilityTimeout < int(c.Timeout) {
		return invalid("Queue visibility timeout: %d seconds is less than Function timeout: %d seconds", info.VisibilityTimeout, c.Timeout)
	}
	return nil
}

// mapping reads a mapping of the caller's account.
func (s *Service) mapping(ctx context.Context, id string) (store.EventSourceMapping, *EventSourceMappingConfiguration, error) {
	rec, err := s.cfg.Store.EventSourceMapping(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && rec.Account != account(ctx) {
		return rec, nil, ErrResourceNotFound.Errorf("The resource you requested does not exist.")
	}
	if err != nil {
		return rec, nil, err
	}
	m := &EventSourceMappingConfiguration{}
	return rec, m, json.Unmarshal(rec.Config, m)
}

// GetEventSourceMapping returns a mapping.
func (s *Service) GetEventSourceMapping(ctx context.Context, in *MappingRef) (*EventSourceMappingConfiguration, error) {
	_, m, err := s.mapping(ctx, in.UUID)
	return m, err
}

// UpdateEventSourceMapping changes a mapping's function, state, batching, filters, response
// types or scaling.
func (s *Service) UpdateEventSourceMapping(ctx context.Context, in *CreateEventSourceMappingInput) (*EventSourceMappingConfiguration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, m, err := s.mapping(ctx, in.UUID)
	if err != nil {
		return nil, err
	}
	if in.EventSourceArn != nil || in.StartingPosition != nil {
		return nil, invalid("Unsupported parameter for update: EventSourceArn and StartingPosition cannot be changed.")
	}
	fn := m.FunctionArn
	if in.FunctionName != nil {
		fn = *in.FunctionName
	}
	r, arn, err := s.mappingFunction(ctx, fn)
	if err != nil {
		return nil, err
	}
	m.FunctionArn = arn
	if in.Enabled != nil {
		m.State = map[bool]string{true: "Enabled", false: "Disabled"}[*in.Enabled]
		m.StateTransitionReason = "USER_INITIATED"
	}
	if err := s.applyMapping(ctx, m, in, r); err != nil {
		return nil, err
	}
	now := s.cfg.Clock.Now()
	m.LastModified = float64(now.UnixMilli()) / 1000
	b, _ := json.Marshal(m)
	rec.Function, rec.Config, rec.Modified = r.name, b, now
	if err := s.cfg.Store.PutEventSourceMapping(ctx, rec); err != nil {
		return nil, err
	}
	s.interrupt(in.UUID)
	out := *m
	out.Status, out.State = http.StatusAccepted, transition(m.State, "Updating")
	return &out, nil
}

// DeleteEventSourceMapping removes a mapping; its pollers stop.
func (s *Service) DeleteEventSourceMapping(ctx context.Context, in *MappingRef) (*EventSourceMappingConfiguration, error) {
	_, m, err := s.mapping(ctx, in.UUID)
	if err != nil {
		return nil, err
	}
	if err := s.cfg.Store.DeleteEventSourceMapping(ctx, in.UUID); err != nil {
		return nil, err
	}
	s.dropCheckpoints(ctx, in.UUID)
	s.interrupt(in.UUID)
	m.Status, m.State = http.StatusAccepted, "Deleting"
	return m, nil
}

// ListEventSourceMappings pages through the account's mappings, by source or function.
func (s *Service) ListEventSourceMappings(ctx context.Context, in *ListEventSourceMappingsInput) (*ListEventSourceMappingsOutput, error) {
	if in.MaxItems < 0 || in.MaxItems > 10000 {
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 10000", in.MaxItems)
	}
	limit := in.MaxItems
	if limit == 0 {
		limit = 100
	}
	var fn string
	if in.FunctionName != "" {
		r, err := s.parseRef(ctx, in.FunctionName, "")
		if err != nil {
			return nil, err
		}
		fn = r.name
	}
	out := &ListEventSourceMappingsOutput{EventSourceMappings: []*EventSourceMappingConfiguration{}}
	after := in.Marker
	for {
		page, err := s.cfg.Store.ListEventSourceMappings(ctx, account(ctx), after, 100)
		if err != nil {
			return nil, err
		}
		for _, rec := range page {
			after = rec.UUID
			if fn != "" && rec.Function != fn || in.EventSourceArn != "" && rec.SourceARN != in.EventSourceArn {
				continue
			}
			if len(out.EventSourceMappings) == limit {
				out.NextMarker = out.EventSourceMappings[limit-1].UUID
				return out, nil
			}
			m := &EventSourceMappingConfiguration{}
			if err := json.Unmarshal(rec.Config, m); err != nil {
				return nil, err
			}
			out.EventSourceMappings = append(out.EventSourceMappings, m)
		}
		if len(page) < 100 {
			return out, nil
		}
	}
}

// pollers is how many poller shards a mapping runs: five (Lambda starts SQS with five pollers),
// fewer when MaximumConcurrency is lower. Each shard scales its own receivers (pollQueue) within
// its share of the mapping's concurrency.
func (m *EventSourceMappingConfiguration) pollers() int {
	return min(5, m.maxConcurrency())
}

// defaultSQSConcurrency is how far Lambda scales an SQS mapping without MaximumConcurrency.
const defaultSQSConcurrency = 1250

// maxConcurrency is the most concurrent invocations a mapping makes.
func (m *EventSourceMappingConfiguration) maxConcurrency() int {
	if m.ScalingConfig != nil && m.ScalingConfig.MaximumConcurrency != nil {
		return int(*m.ScalingConfig.MaximumConcurrency)
	}
	return defaultSQSConcurrency
}

// share is poller shard slot's part of the mapping's concurrency (the shards' shares sum to it).
func (m *EventSourceMappingConfiguration) share(slot int) int {
	total, n := m.maxConcurrency(), m.pollers()
	share := total / n
	if slot < total%n {
		share++
	}
	return max(share, 1)
}

// registerMappings puts the pollers on the runner.
func (s *Service) registerMappings() {
	if s.cfg.Runner == nil || s.cfg.Queues == nil && s.cfg.Streams == nil {
		return
	}
	s.cfg.Runner.Shards(esmShards, 2*time.Second, s.pollerNames, s.poll)
}

// interrupt ends the current poll of a mapping's pollers on this node, so that they read the
// mapping (and its queue's attributes) again at once rather than after their long poll.
func (s *Service) interrupt(id string) {
	s.pollMu.Lock()
	defer s.pollMu.Unlock()
	for _, cancel := range s.polls[id] {
		cancel()
	}
}

// polling registers a poll of a mapping for interrupt; the returned func unregisters it.
func (s *Service) polling(id string, cancel context.CancelFunc) func() {
	s.pollMu.Lock()
	defer s.pollMu.Unlock()
	if s.polls == nil {
		s.polls = map[string]map[*context.CancelFunc]context.CancelFunc{}
	}
	if s.polls[id] == nil {
		s.polls[id] = map[*context.CancelFunc]context.CancelFunc{}
	}
	key := &cancel
	s.polls[id][key] = cancel
	return func() {
		s.pollMu.Lock()
		defer s.pollMu.Unlock()
		delete(s.polls[id], key)
		if len(s.polls[id]) == 0 {
			delete(s.polls, id)
		}
	}
}

// pollerNames are the shards: "<uuid>/<n>" for each poller of each enabled mapping.
func (s *Service) pollerNames(ctx context.Context) ([]string, error) {
	var names []string
	after := ""
	for {
		page, err := s.cfg.Store.ListEventSourceMappings(ctx, "", after, 500)
		if err != nil {
			return nil, err
		}
		for _, rec := range page {
			after = rec.UUID
			var m EventSourceMappingConfiguration
			if json.Unmarshal(rec.Config, &m) != nil || m.State != "Enabled" {
				continue
			}
			if isStreamARN(rec.SourceARN) {
				names = append(names, s.streamPollerNames(ctx, rec)...)
				continue
			}
			if s.cfg.Queues == nil {
				continue
			}
			for i := range m.pollers() {
				names = append(names, rec.UUID+"/"+strconv.Itoa(i))
			}
		}
		if len(page) < 500 {
			return names, nil
		}
	}
}

// poll runs one poller shard of a mapping until its context ends.
func (s *Service) poll(ctx context.Context, name string) error {
	id, rest, _ := strings.Cut(name, "/")
	rec, _, ok, err := s.enabledMapping(ctx, id)
	if err != nil || !ok {
		return err
	}
	if isStreamARN(rec.SourceARN) {
		return s.pollStream(ctx, name, rec)
	}
	slot, _ := strconv.Atoi(rest)
	return s.pollQueue(ctx, id, slot)
}

// enabledMapping reads a mapping; ok is false when it is gone or not enabled.
func (s *Service) enabledMapping(ctx context.Context, id string) (store.EventSourceMapping, *EventSourceMappingConfiguration, bool, error) {
	rec, err := s.cfg.Store.EventSourceMapping(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return rec, nil, false, nil
	}
	if err != nil {
		return rec, nil, false, err
	}
	m := &EventSourceMappingConfiguration{}
	if err := json.Unmarshal(rec.Config, m); err != nil {
		return rec, nil, false, err
	}
	return rec, m, m.State == "Enabled", nil
}

// receivers counts the concurrent receivers of one SQS poller shard.
type receivers struct {
	mu sync.Mutex
	n  int
}

// grow takes a place for one more receiver when fewer than limit run.
func (r *receivers) grow(limit int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n >= limit {
		return false
	}
	r.n++
	return true
}

// shrink gives up a receiver's place unless it is the last one, or, with a limit, unless no more
// than limit run.
func (r *receivers) shrink(limit int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n <= max(limit, 1) {
		return false
	}
	r.n--
	return true
}

func (r *receivers) leave() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n--
}

// pollQueue runs one poller shard of an SQS mapping: a first receiver, and one more each time a
// receive comes back full (a backlog) while the function is not throttled, up to the shard's
// share of MaximumConcurrency; a receiver whose receive comes back empty, or whose function
// throttles, stops unless it is the last (which backs off). It returns when the mapping is gone
// or disabled, or the context ends.
func (s *Service) pollQueue(ctx context.Context, id string, slot int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rs := &receivers{n: 1}
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
		spawn func()
	)
	spawn = func() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.receive(ctx, id, slot, rs, spawn); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}()
	}
	spawn()
	wg.Wait()
	return first
}

// receive is one receiver of a poller shard: it gathers, runs and settles batches until the
// mapping is gone or disabled, the context ends, or the shard no longer needs it.
func (s *Service) receive(ctx context.Context, id string, slot int, rs *receivers, spawn func()) error {
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		rec, m, ok, err := s.enabledMapping(ctx, id)
		if err != nil || !ok {
			rs.leave()
			return err
		}
		if rs.shrink(m.share(slot)) { // MaximumConcurrency was lowered
			return nil
		}
		pctx, cancel := context.WithCancel(ctx)
		done := s.polling(id, cancel)
		res, err := s.pollOnce(ctx, pctx, rec, m)
		done()
		interrupted := pctx.Err() != nil && ctx.Err() == nil
		cancel()
		if interrupted && err == nil {
			continue
		}
		if err != nil && ctx.Err() == nil {
			s.cfg.Log.Info("event source mapping poll failed", "uuid", id, "err", err)
			res.throttled = true
		}
		switch {
		case res.throttled:
			if rs.shrink(0) {
				return nil
			}
			backoff = min(max(2*backoff, 100*time.Millisecond), 10*time.Second)
			if background.Sleep(ctx, s.cfg.Clock, backoff) != nil {
				rs.leave()
				return nil
			}
			continue
		case res.empty:
			if rs.shrink(0) {
				return nil
			}
		case res.full:
			if rs.grow(m.share(slot)) {
				spawn()
			}
		}
		backoff = 0
	}
	rs.leave()
	return nil
}

// sqsRecord is one record of AWS's SQS event.
type sqsRecord struct {
	MessageID         string                           `json:"messageId"`
	ReceiptHandle     string                           `json:"receiptHandle"`
	Body              string                           `json:"body"`
	Attributes        map[string]string                `json:"attributes"`
	MessageAttributes map[string]QueueMessageAttribute `json:"messageAttributes"`
	MD5OfBody         string                           `json:"md5OfBody"`
	EventSource       string                           `json:"eventSource"`
	EventSourceARN    string                           `json:"eventSourceARN"`
	AWSRegion         string                           `json:"awsRegion"`
}

// recordAttributes are the system attributes the SQS event carries.
var recordAttributes = []string{"ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp",
	"SequenceNumber", "MessageGroupId", "MessageDeduplicationId", "DeadLetterQueueSourceArn", "AWSTraceHeader"}

// pollResult is how a poll went: its last receive came back full (a backlog waits), it came
// back empty, or the function was throttled or failed (the receiver backs off).
type pollResult struct {
	full, empty, throttled bool
}

// pollOnce gathers one batch (until pollCtx ends too: an interrupt), runs it and settles it.
func (s *Service) pollOnce(ctx, pollCtx context.Context, rec store.EventSourceMapping, m *EventSourceMappingConfiguration) (pollResult, error) {
	want := int(m.BatchSize)
	window := time.Duration(m.MaximumBatchingWindowInSeconds) * time.Second
	var msgs []QueueMessage
	full := false
	start := s.cfg.Clock.Now()
	for len(msgs) < want {
		wait := 20 * time.Second
		if len(msgs) > 0 {
			left := window - s.cfg.Clock.Now().Sub(start)
			if left < time.Second {
				break
			}
			wait = min(wait, left)
		} else if window > 0 && window < wait {
			wait = window
		}
		asked := min(10, want-len(msgs))
		got, err := s.cfg.Queues.Poll(pollCtx, rec.SourceARN, asked, wait)
		if err != nil && pollCtx.Err() == nil {
			return pollResult{}, err
		}
		full = len(got) == asked
		msgs = append(msgs, got...)
		if len(got) == 0 && len(msgs) > 0 || window == 0 && len(msgs) > 0 {
			break
		}
		if pollCtx.Err() != nil {
			if len(msgs) == 0 {
				return pollResult{}, nil
			}
			break // interrupted: run what was gathered
		}
	}
	if len(msgs) == 0 {
		return pollResult{empty: true}, nil
	}
	var filters []*eventpattern.Pattern
	if m.FilterCriteria != nil {
		for _, f := range m.FilterCriteria.Filters {
			if p, err := eventpattern.Compile([]byte(*f.Pattern), eventpattern.Lambda); err == nil {
				filters = append(filters, p)
			}
		}
	}
	records := make([]sqsRecord, 0, len(msgs))
	var dropped []string
	for _, msg := range msgs {
		r := sqsRecord{MessageID: msg.MessageID, ReceiptHandle: msg.ReceiptHandle, Body: msg.Body, MD5OfBody: msg.MD5OfBody,
			Attributes: map[string]string{}, MessageAttributes: msg.MessageAttributes, EventSource: "aws:sqs",
			EventSourceARN: rec.SourceARN, AWSRegion: s.cfg.Region}
		if r.MessageAttributes == nil {
			r.MessageAttributes = map[string]QueueMessageAttribute{}
		}
		for _, k := range recordAttributes {
			if v, ok := msg.Attributes[k]; ok {
				r.Attributes[k] = v
			}
		}
		if len(filters) > 0 && !matchAny(filters, &r) {
			dropped = append(dropped, msg.ReceiptHandle)
			continue
		}
		records = append(records, r)
	}
	if len(dropped) > 0 { // Lambda deletes the SQS messages its filters drop
		if err := s.cfg.Queues.Ack(ctx, rec.SourceARN, dropped); err != nil {
			return pollResult{}, err
		}
	}
	if len(records) == 0 {
		return pollResult{full: full}, nil
	}
	payload, err := json.Marshal(struct {
		Records []sqsRecord `json:"Records"`
	}{records})
	if err != nil {
		return pollResult{}, err
	}
	fctx := request.With(ctx, &request.Info{ID: request.NewID(), Service: "lambda", Operation: "Invoke",
		Principal: &request.Principal{Account: rec.Account, ARN: "lambda.amazonaws.com", UserID: "lambda.amazonaws.com"}})
	r, err := s.parseRef(fctx, m.FunctionArn, "")
	if err != nil {
		return pollResult{}, err
	}
	inv, err := s.resolve(fctx, r)
	if err != nil {
		s.setResult(fctx, rec, "PROBLEM: Function not found.")
		return pollResult{throttled: true}, nil
	}
	out, err := s.run(fctx, inv, &InvokeInput{Payload: payload}, request.From(fctx).ID)
	if err != nil { // throttled: the messages come back after their visibility timeout
		s.setResult(fctx, rec, "PROBLEM: Function call failed")
		return pollResult{throttled: true}, nil
	}
	if out.FunctionError != "" {
		s.setResult(fctx, rec, "PROBLEM: Function call failed")
		return pollResult{throttled: true}, nil
	}
	done := make([]string, 0, len(records))
	failed := batchFailures(m, out.Payload, records)
	if failed == nil { // an answer Lambda cannot use fails the whole batch
		s.setResult(fctx, rec, "PROBLEM: Function call failed")
		return pollResult{throttled: true}, nil
	}
	for _, r := range records {
		if !failed[r.MessageID] {
			done = append(done, r.ReceiptHandle)
		}
	}
	if len(done) > 0 {
		if err := s.cfg.Queues.Ack(ctx, rec.SourceARN, done); err != nil {
			return pollResult{}, err
		}
	}
	s.setResult(fctx, rec, "OK")
	return pollResult{full: full}, nil
}

func matchAny(filters []*eventpattern.Pattern, r *sqsRecord) bool {
	b, err := json.Marshal(r)
	if err != nil {
		return false
	}
	e, err := eventpattern.Decode(b)
	if err != nil {
		return false
	}
	for _, p := range filters {
		if p.MatchRecord(e, "body") {
			return true
		}
	}
	return false
}

// batchFailures reads a function's batchItemFailures when the mapping reports them: the
// message ids that failed (empty: none), or nil when the answer names a message not in the
// batch or is not of the expected shape with failures.
func batchFailures(m *EventSourceMappingConfiguration, payload []byte, records []sqsRecord) map[string]bool {
	failed := map[string]bool{}
	report := false
	for _, t := range m.FunctionResponseTypes {
		report = report || t == "ReportBatchItemFailures"
	}
	if !report || len(payload) == 0 {
		return failed
	}
	if !json.Valid(payload) {
		return nil // an answer that is not JSON fails the batch
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(payload, &obj) != nil || obj["batchItemFailures"] == nil {
		return failed // not an object with failures (null, {}, another value): success
	}
	var list []struct {
		ItemIdentifier *string `json:"itemIdentifier"`
	}
	if json.Unmarshal(obj["batchItemFailures"], &list) != nil {
		return nil
	}
	ids := map[string]bool{}
	for _, r := range records {
		ids[r.MessageID] = true
	}
	for _, f := range list {
		if f.ItemIdentifier == nil || *f.ItemIdentifier == "" || !ids[*f.ItemIdentifier] {
			return nil
		}
		failed[*f.ItemIdentifier] = true
	}
	return failed
}

// setResult records a mapping's LastProcessingResult when it changes.
func (s *Service) setResult(ctx context.Context, rec store.EventSourceMapping, result string) {
	if v, ok := s.results.Load(rec.UUID); ok && v.(string) == result {
		return
	}
	s.results.Store(rec.UUID, result)
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.cfg.Store.EventSourceMapping(ctx, rec.UUID)
	if err != nil {
		return
	}
	var m EventSourceMappingConfiguration
	if json.Unmarshal(cur.Config, &m) != nil || m.LastProcessingResult == result {
		return
	}
	m.LastProcessingResult = result
	cur.Config, _ = json.Marshal(&m)
	if err := s.cfg.Store.PutEventSourceMapping(ctx, cur); err != nil {
		s.cfg.Log.Info("event source mapping: cannot record its last result", "uuid", rec.UUID, "err", err)
	}
}
