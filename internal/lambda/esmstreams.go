package lambda

// Event source mappings for DynamoDB Streams: each shard of a mapped stream is one poller, a
// shard of the runner (kind "lambda.esm", named "<uuid>/<shard id>"), so one node reads it at a
// time and its records run in order. The poller reads through the table service's in-process
// reader (Streams), gathers up to BatchSize records or MaximumBatchingWindowInSeconds, drops what
// FilterCriteria do not match, invokes the function synchronously with AWS's DynamoDB event, and
// after every settled batch writes the shard's position (a function setting of the pseudo
// function "esm:<uuid>", kind "esm-checkpoint", named by the shard), so a restart, or another
// node taking the shard over, resumes after the last settled batch (at least once). A failed
// batch is retried (halved first when BisectBatchOnFunctionError is on) until
// MaximumRetryAttempts or MaximumRecordAgeInSeconds is spent, then its description (AWS's stream
// failure record) goes to DestinationConfig.OnFailure and the poller goes on past it.
//
// With ParallelizationFactor N > 1 the poller reads up to N batches at once and splits them into
// N lanes by a hash of each record's key, so records of one item stay in order in one lane; the
// lanes run concurrently and the checkpoint moves once all of them have settled. Tumbling windows
// (TumblingWindowInSeconds) are in esmwindows.go.

import (
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/eventpattern"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/store"
)

// StreamRecord is one record of a stream: its sequence number, when it was made, and the record
// as GetRecords answers it (JSON).
type StreamRecord struct {
	Seq     string
	Created time.Time
	Data    json.RawMessage
}

// Streams is DynamoDB Streams as event source mappings read them (dynamodb.StreamReader in
// process). Iterators are opaque strings the poller keeps as its checkpoint.
type Streams interface {
	StreamShards(ctx context.Context, streamARN string) ([]string, error)
	// StreamIterator is a position: TRIM_HORIZON, LATEST, or AFTER_SEQUENCE_NUMBER with seq.
	StreamIterator(ctx context.Context, streamARN, shardID, position, seq string) (string, error)
	// StreamRecords reads up to limit (1 to 1,000) records after an iterator, and the iterator
	// after them; closed once the shard is closed and drained.
	StreamRecords(ctx context.Context, iterator string, limit int) (recs []StreamRecord, next string, closed bool, err error)
}

const settingCheckpoint = "esm-checkpoint"

// isStreamARN says whether a source is a DynamoDB stream:
// arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>.
func isStreamARN(arn string) bool {
	return arnService(arn) == "dynamodb" && strings.Contains(arn, ":table/") && strings.Contains(arn, "/stream/")
}

// applyStreamStart checks a stream mapping's StartingPosition and the stream itself (Create only).
func (s *Service) applyStreamStart(ctx context.Context, m *EventSourceMappingConfiguration, in *CreateEventSourceMappingInput) error {
	if in.StartingPosition == nil {
		return invalid("1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.")
	}
	switch p := *in.StartingPosition; p {
	case "TRIM_HORIZON", "LATEST":
		m.StartingPosition = p
	case "AT_TIMESTAMP":
		return invalid("Unsupported starting position for DynamoDB stream event sources: AT_TIMESTAMP")
	default:
		return awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum value set: [TRIM_HORIZON, LATEST, AT_TIMESTAMP]", p)
	}
	if s.cfg.Streams == nil {
		return invalid("Stream not found: %s", m.EventSourceArn)
	}
	if _, err := s.cfg.Streams.StreamShards(ctx, m.EventSourceArn); err != nil {
		return invalid("Stream not found: %s", m.EventSourceArn)
	}
	m.BatchSize = 100
	m.MaximumRetryAttempts, m.MaximumRecordAgeInSeconds = ptr[int32](-1), ptr[int32](-1)
	m.ParallelizationFactor, m.BisectBatchOnFunctionError, m.TumblingWindowInSeconds = ptr[int32](1), ptr(false), ptr[int32](0)
	m.DestinationConfig = &DestinationConfig{OnFailure: &OnDestination{}}
	return nil
}

func ptr[T any](v T) *T { return &v }

// applyStreamMapping validates and applies a stream mapping's fields.
func (s *Service) applyStreamMapping(ctx context.Context, m *EventSourceMappingConfiguration, in *CreateEventSourceMappingInput, r ref) error {
	if in.ScalingConfig != nil {
		return invalid("Unsupported ScalingConfig parameter for given event source mapping type.")
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
	if in.ParallelizationFactor != nil {
		m.ParallelizationFactor = in.ParallelizationFactor
	}
	if in.MaximumRetryAttempts != nil {
		m.MaximumRetryAttempts = in.MaximumRetryAttempts
	}
	if in.MaximumRecordAgeInSeconds != nil {
		m.MaximumRecordAgeInSeconds = in.MaximumRecordAgeInSeconds
	}
	if in.BisectBatchOnFunctionError != nil {
		m.BisectBatchOnFunctionError = in.BisectBatchOnFunctionError
	}
	if in.TumblingWindowInSeconds != nil {
		m.TumblingWindowInSeconds = in.TumblingWindowInSeconds
	}
	if d := in.DestinationConfig; d != nil {
		if d.OnSuccess != nil && d.OnSuccess.Destination != nil {
			return invalid("Unsupported DestinationConfig parameter for given event source mapping type.")
		}
		if d.OnFailure != nil && d.OnFailure.Destination != nil && *d.OnFailure.Destination != "" {
			dest := *d.OnFailure.Destination
			if svc := arnService(dest); svc != "sqs" && svc != "sns" {
				return invalid("The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure(destination=%s)) is invalid.", dest)
			}
		}
		m.DestinationConfig = &DestinationConfig{OnFailure: &OnDestination{}}
		if d.OnFailure != nil && d.OnFailure.Destination != nil && *d.OnFailure.Destination != "" {
			m.DestinationConfig.OnFailure.Destination = d.OnFailure.Destination
		}
	}
	v := func(field string, n int32, lo, hi int) error {
		if int(n) < lo || int(n) > hi {
			return awserr.New(awserr.Validation, "1 validation error detected: Value '%d' at '%s' failed to satisfy constraint: Member must have value %s", n, field, bound(int(n) < lo, lo, hi))
		}
		return nil
	}
	for _, err := range []error{
		v("batchSize", m.BatchSize, 1, 10000),
		v("maximumBatchingWindowInSeconds", m.MaximumBatchingWindowInSeconds, 0, 300),
		v("parallelizationFactor", deref(m.ParallelizationFactor, 1), 1, 10),
		v("maximumRetryAttempts", deref(m.MaximumRetryAttempts, -1), -1, 10000),
		v("maximumRecordAgeInSeconds", deref(m.MaximumRecordAgeInSeconds, -1), -1, 604800),
		v("tumblingWindowInSeconds", deref(m.TumblingWindowInSeconds, 0), 0, 900),
	} {
		if err != nil {
			return err
		}
	}
	if age := deref(m.MaximumRecordAgeInSeconds, -1); age != -1 && age < 60 {
		return invalid("MaximumRecordAgeInSeconds must be -1 or between 60 and 604800.")
	}
	for _, t := range m.FunctionResponseTypes {
		if t != "ReportBatchItemFailures" {
			return awserr.New(awserr.Validation, "1 validation error detected: Value '[%s]' at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]", t)
		}
	}
	if fc := m.FilterCriteria; fc != nil {
		if len(fc.Filters) > 5 {
			return invalid("The maximum number of filters is 5.")
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
	_, _, err := s.version(ctx, r)
	return err
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// streamPollerNames are a stream mapping's pollers: one per shard, "<uuid>/<shard id>".
func (s *Service) streamPollerNames(ctx context.Context, rec store.EventSourceMapping) []string {
	if s.cfg.Streams == nil {
		return nil
	}
	shards, err := s.cfg.Streams.StreamShards(ctx, rec.SourceARN)
	if err != nil {
		return nil
	}
	names := make([]string, 0, len(shards))
	for _, sh := range shards {
		names = append(names, rec.UUID+"/"+sh)
	}
	return names
}

// checkpoint is a shard's position, kept after every settled batch.
type checkpoint struct {
	Iterator string    `json:"iterator"`
	Closed   bool      `json:"closed,omitempty"`
	Window   *tumbling `json:"window,omitempty"` // the open tumbling window, its state as of Iterator
}

func checkpointOwner(id string) string { return "esm:" + id }

func (s *Service) loadCheckpoint(ctx context.Context, rec store.EventSourceMapping, shard string) (checkpoint, bool, error) {
	set, err := s.cfg.Store.FunctionSetting(ctx, rec.Account, checkpointOwner(rec.UUID), settingCheckpoint, shard)
	if errors.Is(err, store.ErrNotFound) {
		return checkpoint{}, false, nil
	}
	if err != nil {
		return checkpoint{}, false, err
	}
	var c checkpoint
	return c, true, json.Unmarshal(set.Config, &c)
}

func (s *Service) saveCheckpoint(ctx context.Context, rec store.EventSourceMapping, shard string, c checkpoint) error {
	b, _ := json.Marshal(c)
	return s.cfg.Store.PutFunctionSetting(ctx, store.FunctionSetting{Account: rec.Account, Function: checkpointOwner(rec.UUID),
		Kind: settingCheckpoint, Name: shard, Config: b, Modified: s.cfg.Clock.Now()}, store.PutUpsert)
}

// dropCheckpoints forgets a deleted mapping's positions.
func (s *Service) dropCheckpoints(ctx context.Context, id string) {
	rec, err := s.cfg.Store.EventSourceMapping(ctx, id)
	acct := account(ctx)
	if err == nil {
		acct = rec.Account
	}
	sets, err := s.cfg.Store.ListFunctionSettings(ctx, acct, checkpointOwner(id), settingCheckpoint)
	if err != nil {
		return
	}
	for _, set := range sets {
		s.cfg.Store.DeleteFunctionSetting(ctx, acct, set.Function, set.Kind, set.Name)
	}
}

// pollStream runs one shard's poller until its context ends, the mapping is disabled or gone,
// or the shard is drained.
func (s *Service) pollStream(ctx context.Context, name string, rec store.EventSourceMapping) error {
	id, shard, _ := strings.Cut(name, "/")
	if s.cfg.Streams == nil {
		return nil
	}
	cp, ok, err := s.loadCheckpoint(ctx, rec, shard)
	if err != nil {
		return err
	}
	if cp.Closed {
		return nil
	}
	if !ok {
		var m EventSourceMappingConfiguration
		if err := json.Unmarshal(rec.Config, &m); err != nil {
			return err
		}
		if cp.Iterator, err = s.cfg.Streams.StreamIterator(ctx, rec.SourceARN, shard, m.StartingPosition, ""); err != nil {
			return err
		}
		if err := s.saveCheckpoint(ctx, rec, shard, cp); err != nil {
			return err
		}
	}
	var pending []StreamRecord // read, not yet settled
	next, win := cp.Iterator, cp.Window
	closed := false
	for ctx.Err() == nil {
		cur, m, ok, err := s.enabledMapping(ctx, id)
		if err != nil || !ok {
			return err
		}
		want := int(m.BatchSize) * m.lanes()
		window := time.Duration(m.MaximumBatchingWindowInSeconds) * time.Second
		start := s.cfg.Clock.Now()
		drained := false // the last read found nothing new
		for len(pending) < want && !closed {
			recs, it, c, err := s.cfg.Streams.StreamRecords(ctx, next, min(1000, want-len(pending)))
			if err != nil {
				return err
			}
			pending, next, closed, drained = append(pending, recs...), it, c, len(recs) == 0
			if len(recs) > 0 && window == 0 || closed {
				break
			}
			if len(recs) == 0 {
				if len(pending) > 0 && s.cfg.Clock.Now().Sub(start) >= window || len(pending) == 0 && s.windowDue(m, win) {
					break
				}
				if background.Sleep(ctx, s.cfg.Clock, 250*time.Millisecond) != nil {
					return nil
				}
				if len(pending) == 0 {
					start = s.cfg.Clock.Now()
				}
			}
		}
		settled := true
		if m.windowSize() > 0 {
			settled = s.settleWindows(ctx, cur, m, shard, pending, &win, closed, drained)
		} else {
			win = nil
			settled = s.settleLanes(ctx, cur, m, shard, pending)
		}
		if !settled {
			return nil // the context ended mid-batch: the checkpoint is still before it
		}
		pending = nil
		if err := s.saveCheckpoint(ctx, rec, shard, checkpoint{Iterator: next, Closed: closed, Window: win}); err != nil {
			return err
		}
		if closed {
			return nil
		}
	}
	return nil
}

// lanes is how many batches of a shard run at once: ParallelizationFactor, one with a tumbling
// window (its state goes from one batch to the next).
func (m *EventSourceMappingConfiguration) lanes() int {
	if deref(m.TumblingWindowInSeconds, 0) > 0 {
		return 1
	}
	return int(max(deref(m.ParallelizationFactor, 1), 1))
}

// settleLanes splits what was read into the mapping's lanes by key and settles them
// concurrently, each lane in order, in batches of BatchSize; false when the context ended first.
func (s *Service) settleLanes(ctx context.Context, rec store.EventSourceMapping, m *EventSourceMappingConfiguration, shard string, pending []StreamRecord) bool {
	parts := make([][]StreamRecord, m.lanes())
	for _, r := range pending {
		i := laneOf(r, len(parts))
		parts[i] = append(parts[i], r)
	}
	ok := make([]bool, len(parts))
	var wg sync.WaitGroup
	for i, part := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok[i] = s.settleBatches(ctx, rec, m, shard, part)
		}()
	}
	wg.Wait()
	for _, o := range ok {
		if !o {
			return false
		}
	}
	return true
}

// settleBatches settles records in order, in batches of BatchSize.
func (s *Service) settleBatches(ctx context.Context, rec store.EventSourceMapping, m *EventSourceMappingConfiguration, shard string, records []StreamRecord) bool {
	for len(records) > 0 {
		batch := records[:min(len(records), int(m.BatchSize))]
		if !s.settleStream(ctx, rec, m, shard, batch) {
			return false
		}
		records = records[len(batch):]
	}
	return true
}

// laneOf is a record's lane: a hash of its item's key.
func laneOf(r StreamRecord, lanes int) int {
	if lanes <= 1 {
		return 0
	}
	var rec struct {
		Dynamodb struct {
			Keys json.RawMessage `json:"Keys"`
		} `json:"dynamodb"`
	}
	json.Unmarshal(r.Data, &rec)
	h := fnv.New32a()
	h.Write(rec.Dynamodb.Keys)
	return int(h.Sum32() % uint32(lanes))
}

// settleStream runs a batch until it succeeds or is given up (sent to OnFailure); false when
// the context ended first.
func (s *Service) settleStream(ctx context.Context, rec store.EventSourceMapping, m *EventSourceMappingConfiguration, shard string, batch []StreamRecord) bool {
	return s.runStreamBatch(ctx, rec, m, shard, batch, 0, nil)
}

// runStreamBatch runs a batch, with a tumbling window's state when w is not nil (w.state is
// then the state the function returned).
func (s *Service) runStreamBatch(ctx context.Context, rec store.EventSourceMapping, m *EventSourceMappingConfiguration, shard string, batch []StreamRecord, attempts int, w *windowRun) bool {
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		failedAt, out, ok := s.invokeStream(ctx, rec, m, batch, w)
		if ctx.Err() != nil {
			return false // stopping (or the shard moved): the batch runs again from the checkpoint
		}
		if ok {
			s.setResult(ctx, rec, "OK")
			return true
		}
		s.setResult(ctx, rec, "PROBLEM: Function call failed")
		if failedAt > 0 { // ReportBatchItemFailures: retry from the first failed record
			batch = batch[failedAt:]
		}
		attempts++
		if deref(m.BisectBatchOnFunctionError, false) && len(batch) > 1 {
			half := len(batch) / 2
			return s.runStreamBatch(ctx, rec, m, shard, batch[:half], attempts, w) &&
				s.runStreamBatch(ctx, rec, m, shard, batch[half:], attempts, w)
		}
		condition := ""
		if maxRetries := deref(m.MaximumRetryAttempts, -1); maxRetries >= 0 && attempts > int(maxRetries) {
			condition = "RetryAttemptsExhausted"
		}
		if age := deref(m.MaximumRecordAgeInSeconds, -1); age > 0 && s.cfg.Clock.Now().Sub(batch[0].Created) > time.Duration(age)*time.Second {
			condition = "RecordAgeExceeded"
		}
		if condition != "" {
			s.streamFailed(ctx, rec, m, shard, batch, condition, attempts, out)
			return true
		}
		backoff = min(max(2*backoff, 100*time.Millisecond), 10*time.Second)
		if background.Sleep(ctx, s.cfg.Clock, backoff) != nil {
			return false
		}
	}
	return false
}

// streamInvokeOutcome is how an invoke of a stream batch ended, for the failure record.
type streamInvokeOutcome struct {
	requestID, version, functionError string
	status                            int
}

// invokeStream invokes the function with a batch of stream records (those the filters keep). It
// answers ok, or the index of the first failed record (with ReportBatchItemFailures; 0: all).
func (s *Service) invokeStream(ctx context.Context, rec store.EventSourceMapping, m *EventSourceMappingConfiguration, batch []StreamRecord, w *windowRun) (int, streamInvokeOutcome, bool) {
	var filters []*eventpattern.Pattern
	if m.FilterCriteria != nil {
		for _, f := range m.FilterCriteria.Filters {
			if p, err := eventpattern.Compile([]byte(*f.Pattern), eventpattern.Lambda); err == nil {
				filters = append(filters, p)
			}
		}
	}
	records := make([]json.RawMessage, 0, len(batch))
	index := make([]int, 0, len(batch))
	for i, r := range batch {
		var obj map[string]json.RawMessage
		if json.Unmarshal(r.Data, &obj) != nil {
			continue
		}
		obj["eventSourceARN"], _ = json.Marshal(rec.SourceARN)
		b, _ := json.Marshal(obj)
		if len(filters) > 0 {
			e, err := eventpattern.Decode(b)
			if err != nil {
				continue
			}
			match := false
			for _, p := range filters {
				match = match || p.MatchRecord(e, "")
			}
			if !match {
				continue
			}
		}
		records, index = append(records, b), append(index, i)
	}
	fctx := request.With(ctx, &request.Info{ID: request.NewID(), Service: "lambda", Operation: "Invoke",
		Principal: &request.Principal{Account: rec.Account, ARN: "lambda.amazonaws.com", UserID: "lambda.amazonaws.com"}})
	oc := streamInvokeOutcome{requestID: request.From(fctx).ID}
	if len(records) == 0 {
		return 0, oc, true
	}
	out, ok := s.invokeMapped(fctx, m, streamPayload(records, rec, w), &oc)
	if !ok || w != nil && !w.take(out.Payload) {
		return 0, oc, false
	}
	report := false
	for _, t := range m.FunctionResponseTypes {
		report = report || t == "ReportBatchItemFailures"
	}
	if !report || len(out.Payload) == 0 {
		return 0, oc, true
	}
	var obj map[string]json.RawMessage
	if !json.Valid(out.Payload) {
		return 0, oc, false
	}
	if json.Unmarshal(out.Payload, &obj) != nil || obj["batchItemFailures"] == nil {
		return 0, oc, true
	}
	var list []struct {
		ItemIdentifier *string `json:"itemIdentifier"`
	}
	if json.Unmarshal(obj["batchItemFailures"], &list) != nil {
		return 0, oc, false
	}
	if len(list) == 0 {
		return 0, oc, true
	}
	first := -1
	for _, f := range list {
		if f.ItemIdentifier == nil || *f.ItemIdentifier == "" {
			return 0, oc, false
		}
		found := false
		for _, i := range index {
			if batch[i].Seq == *f.ItemIdentifier {
				found = true
				if first < 0 || i < first {
					first = i
				}
			}
		}
		if !found {
			return 0, oc, false
		}
	}
	return first, oc, false
}

// invokeMapped invokes a mapping's function synchronously with a payload; false when it was
// throttled, is missing or failed.
func (s *Service) invokeMapped(fctx context.Context, m *EventSourceMappingConfiguration, payload []byte, oc *streamInvokeOutcome) (*InvokeOutput, bool) {
	r, err := s.parseRef(fctx, m.FunctionArn, "")
	if err != nil {
		return nil, false
	}
	inv, err := s.resolve(fctx, r)
	if err != nil {
		return nil, false
	}
	out, err := s.run(fctx, inv, &InvokeInput{Payload: payload}, oc.requestID)
	if err != nil {
		oc.functionError = "Throttled"
		return nil, false
	}
	oc.status, oc.version, oc.functionError = out.StatusCode, out.ExecutedVersion, out.FunctionError
	return out, out.FunctionError == ""
}

// streamFailed sends AWS's stream failure record for a batch given up to OnFailure.
func (s *Service) streamFailed(ctx context.Context, rec store.EventSourceMapping, m *EventSourceMappingConfiguration, shard string, batch []StreamRecord, condition string, attempts int, oc streamInvokeOutcome) {
	s.cfg.Log.Info("event source mapping: batch given up", "uuid", rec.UUID, "shard", shard, "records", len(batch), "condition", condition)
	if m.DestinationConfig == nil || m.DestinationConfig.OnFailure == nil || m.DestinationConfig.OnFailure.Destination == nil || s.cfg.Destinations == nil {
		return
	}
	dest := *m.DestinationConfig.OnFailure.Destination
	stamp := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	doc := map[string]any{
		"requestContext": map[string]any{"requestId": oc.requestID, "functionArn": m.FunctionArn, "condition": condition,
			"approximateInvokeCount": attempts},
		"responseContext": map[string]any{"statusCode": oc.status, "executedVersion": oc.version, "functionError": oc.functionError},
		"version":         "1.0",
		"timestamp":       stamp(s.cfg.Clock.Now()),
		"DDBStreamBatchInfo": map[string]any{
			"shardId": shard, "startSequenceNumber": batch[0].Seq, "endSequenceNumber": batch[len(batch)-1].Seq,
			"approximateArrivalOfFirstRecord": stamp(batch[0].Created), "approximateArrivalOfLastRecord": stamp(batch[len(batch)-1].Created),
			"batchSize": len(batch), "streamArn": rec.SourceARN,
		},
	}
	body, _ := json.Marshal(doc)
	var err error
	switch arnService(dest) {
	case "sqs":
		err = s.cfg.Destinations.SendMessage(ctx, dest, string(body), nil)
	case "sns":
		err = s.cfg.Destinations.Publish(ctx, dest, string(body), nil)
	}
	if err != nil {
		s.cfg.Log.Info("event source mapping: cannot send to its OnFailure destination", "uuid", rec.UUID, "destination", dest, "err", err)
	}
}
