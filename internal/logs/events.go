package logs

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/logs/filter"
	"github.com/gureum/gureum/internal/store"
)

// PutLogEvents' limits, as AWS documents them.
const (
	maxBatchBytes  = 1_048_576 // the UTF-8 messages plus eventOverhead each
	eventOverhead  = 26
	maxBatchEvents = 10_000
	maxBatchSpan   = 24 * time.Hour
	maxEventAge    = 14 * 24 * time.Hour
	maxEventAhead  = 2 * time.Hour
	maxResultBytes = 1_048_576 // GetLogEvents and FilterLogEvents answer at most this much
	filterScan     = 10_000    // FilterLogEvents reads at most this many events a call
)

// PutLogEvents appends a batch to a stream. Sequence tokens are accepted and ignored, as AWS
// does today; events too old, too new or past the group's retention are rejected and reported.
func (s *Service) PutLogEvents(ctx context.Context, in *PutLogEventsInput) (*PutLogEventsOutput, error) {
	if err := checkGroupName(in.LogGroupName, "logGroupName"); err != nil {
		return nil, err
	}
	if err := checkStreamName(in.LogStreamName); err != nil {
		return nil, err
	}
	if err := checkBatch(in.LogEvents); err != nil {
		return nil, err
	}
	g, err := s.group(ctx, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	events, info := s.accept(in.LogEvents, g, now)
	err = s.store.AppendLogEvents(ctx, g.Account, g.Name, in.LogStreamName, events, false, now)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrResourceNotFound.Errorf(msgStreamNotFound)
	}
	if err != nil {
		return nil, err
	}
	return &PutLogEventsOutput{NextSequenceToken: fmt.Sprintf("%056d", now.UnixNano()), RejectedLogEventsInfo: info}, nil
}

// checkBatch holds a batch to PutLogEvents' limits: count, size, order and span.
func checkBatch(evs []InputLogEvent) error {
	if len(evs) == 0 {
		return constraint("[]", "logEvents", "Member must have length greater than or equal to 1")
	}
	if len(evs) > maxBatchEvents {
		return constraint("[...]", "logEvents", "Member must have length less than or equal to 10000")
	}
	size := 0
	for i, e := range evs {
		if e.Timestamp == nil || e.Message == nil {
			return ErrInvalidParameter.Errorf("A log event needs a timestamp and a message (logEvents.%d).", i+1)
		}
		if *e.Message == "" {
			return constraint("", fmt.Sprintf("logEvents.%d.member.message", i+1), "Member must have length greater than or equal to 1")
		}
		size += len(*e.Message) + eventOverhead
		if i > 0 && *e.Timestamp < *evs[i-1].Timestamp {
			return ErrInvalidParameter.Errorf("Log events in a single PutLogEvents request must be in chronological order.")
		}
	}
	if size > maxBatchBytes {
		return ErrInvalidParameter.Errorf("Upload too large: %d bytes exceeds limit of %d", size, maxBatchBytes)
	}
	if time.Duration(*evs[len(evs)-1].Timestamp-*evs[0].Timestamp)*time.Millisecond > maxBatchSpan {
		return ErrInvalidParameter.Errorf("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	return nil
}

// accept splits a sorted batch into the events stored and the report of those rejected: too
// old (over 14 days), past the group's retention, or too new (over 2 hours ahead).
func (s *Service) accept(evs []InputLogEvent, g store.LogGroup, now time.Time) ([]store.LogEvent, *RejectedLogEventsInfo) {
	ms := now.UnixMilli()
	oldest := now.Add(-maxEventAge).UnixMilli()
	expired := int64(math.MinInt64)
	if g.RetentionDays > 0 {
		expired = now.Add(-time.Duration(g.RetentionDays) * 24 * time.Hour).UnixMilli()
	}
	newest := now.Add(maxEventAhead).UnixMilli()
	var info RejectedLogEventsInfo
	lo, hi := 0, len(evs)
	for lo < hi && (*evs[lo].Timestamp < oldest || *evs[lo].Timestamp < expired) {
		lo++
	}
	for hi > lo && *evs[hi-1].Timestamp > newest {
		hi--
	}
	for i := 0; i < lo; i++ {
		idx := i + 1
		if *evs[i].Timestamp < expired {
			info.ExpiredLogEventEndIndex = &idx
		}
		if *evs[i].Timestamp < oldest {
			info.TooOldLogEventEndIndex = &idx
		}
	}
	if hi < len(evs) {
		idx := hi
		info.TooNewLogEventStartIndex = &idx
	}
	out := make([]store.LogEvent, 0, hi-lo)
	for _, e := range evs[lo:hi] {
		out = append(out, store.LogEvent{Timestamp: *e.Timestamp, Ingestion: ms, Message: *e.Message})
	}
	if info == (RejectedLogEventsInfo{}) {
		return out, nil
	}
	return out, &info
}

// An event token is a direction and a position between events: "f/<time>/<id>" reads forward
// from after it, "b/<time>/<id>" backward from before it.
func eventToken(dir byte, c store.LogCursor) string {
	return string(dir) + "/" + strconv.FormatInt(c.Timestamp, 10) + "/" + strconv.FormatInt(c.ID, 10)
}

func parseEventToken(tok string) (byte, store.LogCursor, error) {
	parts := strings.Split(tok, "/")
	if len(parts) != 3 || (parts[0] != "f" && parts[0] != "b") {
		return 0, store.LogCursor{}, ErrInvalidParameter.Errorf(msgBadToken)
	}
	t, err1 := strconv.ParseInt(parts[1], 10, 64)
	id, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, store.LogCursor{}, ErrInvalidParameter.Errorf(msgBadToken)
	}
	return parts[0][0], store.LogCursor{Timestamp: t, ID: id}, nil
}

// GetLogEvents reads a stream: from its start (startFromHead) or its end, or on from a token,
// up to limit events and 1 MB, always in time order.
func (s *Service) GetLogEvents(ctx context.Context, in *GetLogEventsInput) (*GetLogEventsOutput, error) {
	n, err := limit(in.Limit, maxBatchEvents)
	if err != nil {
		return nil, err
	}
	if err := checkStreamName(in.LogStreamName); err != nil {
		return nil, err
	}
	name, err := s.groupNamed(ctx, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	g, err := s.group(ctx, name)
	if err != nil {
		return nil, err
	}
	x, err := s.store.LogStream(ctx, g.ID, in.LogStreamName)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrResourceNotFound.Errorf(msgStreamNotFound)
	} else if err != nil {
		return nil, err
	}
	start, end := int64(0), int64(math.MaxInt64)
	if in.StartTime != nil {
		start = *in.StartTime
	}
	if in.EndTime != nil {
		end = *in.EndTime
	}
	q := store.LogEventQuery{GroupID: g.ID, StreamID: x.ID, Start: start, End: end, Limit: n}
	fromToken := in.NextToken != ""
	if fromToken {
		dir, c, err := parseEventToken(in.NextToken)
		if err != nil {
			return nil, err
		}
		q.Backward, q.From = dir == 'b', c
	} else {
		q.Backward = in.StartFromHead == nil || !*in.StartFromHead
		q.From = store.LogCursor{Timestamp: start}
		if q.Backward {
			q.From = store.LogCursor{Timestamp: end}
		}
	}
	evs, err := s.store.LogEvents(ctx, q)
	if err != nil {
		return nil, err
	}
	return pageOfEvents(evs, q, fromToken), nil
}

// pageOfEvents cuts a scan to 1 MB, puts it in time order and gives the tokens on from it.
func pageOfEvents(evs []store.LogEvent, q store.LogEventQuery, fromToken bool) *GetLogEventsOutput {
	size := 0
	for i, e := range evs {
		if size += len(e.Message) + eventOverhead; size > maxResultBytes && i > 0 {
			evs = evs[:i]
			break
		}
	}
	if q.Backward {
		slices.Reverse(evs)
	}
	out := &GetLogEventsOutput{Events: make([]OutputLogEvent, 0, len(evs))}
	for _, e := range evs {
		out.Events = append(out.Events, OutputLogEvent{Timestamp: e.Timestamp, Message: e.Message, IngestionTime: e.Ingestion})
	}
	if len(evs) > 0 {
		first, last := evs[0], evs[len(evs)-1]
		out.NextForwardToken = eventToken('f', store.LogCursor{Timestamp: last.Timestamp, ID: last.ID})
		out.NextBackwardToken = eventToken('b', store.LogCursor{Timestamp: first.Timestamp, ID: first.ID})
		return out
	}
	// Nothing here: the tokens stay where the scan began, so a reader polling forward sees what
	// arrives next.
	if q.Backward {
		out.NextBackwardToken = eventToken('b', q.From)
		fwd := store.LogCursor{Timestamp: q.Start}
		if fromToken {
			fwd = store.LogCursor{Timestamp: q.From.Timestamp, ID: q.From.ID - 1}
		}
		out.NextForwardToken = eventToken('f', fwd)
		return out
	}
	out.NextForwardToken = eventToken('f', q.From)
	out.NextBackwardToken = eventToken('b', store.LogCursor{Timestamp: q.From.Timestamp, ID: q.From.ID + 1})
	return out
}

// FilterLogEvents reads a group's events in time order across its streams (all, the named ones
// or those with a prefix) that match a filter pattern. One call reads at most filterScan events,
// so it may answer fewer than limit, even none, with a nextToken to go on from.
func (s *Service) FilterLogEvents(ctx context.Context, in *FilterLogEventsInput) (*FilterLogEventsOutput, error) {
	if len(in.LogStreamNames) > 0 && in.LogStreamNamePrefix != "" {
		return nil, ErrInvalidParameter.Errorf("logStreamNames and logStreamNamePrefix are mutually exclusive")
	}
	if len(in.LogStreamNames) > 100 {
		return nil, constraint("[...]", "logStreamNames", "Member must have length less than or equal to 100")
	}
	n, err := limit(in.Limit, maxBatchEvents)
	if err != nil {
		return nil, err
	}
	pattern, err := compilePattern(in.FilterPattern)
	if err != nil {
		return nil, err
	}
	name, err := s.groupNamed(ctx, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	g, err := s.group(ctx, name)
	if err != nil {
		return nil, err
	}
	q := store.LogEventQuery{GroupID: g.ID, End: math.MaxInt64}
	if in.StartTime != nil {
		q.From.Timestamp = *in.StartTime
	}
	if in.EndTime != nil {
		q.End = *in.EndTime
	}
	if in.NextToken != "" {
		dir, c, err := parseEventToken(in.NextToken)
		if err != nil || dir != 'f' {
			return nil, ErrInvalidParameter.Errorf(msgBadToken)
		}
		q.From = c
	}
	want := func(stream string) bool {
		if len(in.LogStreamNames) > 0 {
			return slices.Contains(in.LogStreamNames, stream)
		}
		return strings.HasPrefix(stream, in.LogStreamNamePrefix)
	}
	return s.filterScan(ctx, q, n, func(e store.LogEvent) bool { return want(e.Stream) && pattern.Match(e.Message) })
}

// filterScan reads up to filterScan events from q.From in pages and keeps those that match.
func (s *Service) filterScan(ctx context.Context, q store.LogEventQuery, n int, match func(store.LogEvent) bool) (*FilterLogEventsOutput, error) {
	out := &FilterLogEventsOutput{Events: []FilteredLogEvent{}, SearchedLogStreams: []SearchedLogStream{}}
	size, scanned := 0, 0
	for scanned < filterScan {
		q.Limit = min(1000, filterScan-scanned)
		page, err := s.store.LogEvents(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			scanned++
			if match(e) {
				size += len(e.Message) + eventOverhead
				if len(out.Events) == n || size > maxResultBytes && len(out.Events) > 0 {
					out.NextToken = eventToken('f', q.From)
					return out, nil
				}
				out.Events = append(out.Events, FilteredLogEvent{LogStreamName: e.Stream, Timestamp: e.Timestamp,
					Message: e.Message, IngestionTime: e.Ingestion, EventID: fmt.Sprintf("%056d", e.ID)})
			}
			q.From = store.LogCursor{Timestamp: e.Timestamp, ID: e.ID}
		}
		if len(page) < q.Limit {
			return out, nil
		}
	}
	out.NextToken = eventToken('f', q.From)
	return out, nil
}

// compilePattern compiles a filter pattern, refusing it as AWS does.
func compilePattern(text string) (filter.Pattern, error) {
	p, err := filter.Compile(text)
	var bad *filter.Error
	if errors.As(err, &bad) {
		return nil, ErrInvalidParameter.Errorf("Invalid filter pattern: %s", bad.Reason)
	}
	return p, err
}

// TestMetricFilter reports which of up to 50 messages a filter pattern matches, with the fields
// a space-delimited pattern extracts.
func (s *Service) TestMetricFilter(ctx context.Context, in *TestMetricFilterInput) (*TestMetricFilterOutput, error) {
	if in.FilterPattern == nil {
		return nil, constraint("null", "filterPattern", "Member must not be null")
	}
	if len(in.LogEventMessages) < 1 || len(in.LogEventMessages) > 50 {
		return nil, constraint("[...]", "logEventMessages", "Member must have length between 1 and 50")
	}
	p, err := compilePattern(*in.FilterPattern)
	if err != nil {
		return nil, err
	}
	out := &TestMetricFilterOutput{Matches: []MetricFilterMatchRecord{}}
	for i, m := range in.LogEventMessages {
		values, ok := map[string]string{}, false
		if x, extracts := p.(filter.Extractor); extracts {
			values, ok = x.Extract(m)
		} else {
			ok = p.Match(m)
		}
		if ok {
			out.Matches = append(out.Matches, MetricFilterMatchRecord{EventNumber: int64(i + 1), EventMessage: m, ExtractedValues: values})
		}
	}
	return out, nil
}
