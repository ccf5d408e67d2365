package lambda

// Function logs: each invocation's START line, the runtime's stdout and stderr, and the END and
// REPORT lines go to CloudWatch Logs, group /aws/lambda/<name> (or LoggingConfig.LogGroup),
// one stream per environment (YYYY/MM/DD/[version]<id>). Invokes hand their lines to a shipper
// that batches them per stream and appends them through the logs service's in-process Append
// from a loop on the runner, so an invoke never waits for a log write; lines still buffered when
// the process dies are lost, as Lambda's own logs may lag.

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/awserr"
)

// LogEvent is one log line with its time.
type LogEvent struct {
	Time    time.Time
	Message string
}

// Logs is CloudWatch Logs as functions log to it (logs.Service's Append in process).
type Logs interface {
	Append(ctx context.Context, account, group, stream string, events []LogEvent) error
}

type streamKey struct{ account, group, stream string }

// shipper batches log lines per stream.
type shipper struct {
	logs Logs
	mu   sync.Mutex
	buf  map[streamKey][]LogEvent
	n    int
	wake chan struct{}
}

const shipBatch = 2000 // lines buffered before the loop is woken

func (s *Service) registerLogs() {
	if s.cfg.Logs == nil {
		return
	}
	s.shipper = &shipper{logs: s.cfg.Logs, buf: map[streamKey][]LogEvent{}, wake: make(chan struct{}, 1)}
	if s.cfg.Runner != nil {
		s.cfg.Runner.Go("lambda.logs", s.shipLoop)
	}
}

// shipLoop flushes the buffered lines every 200 ms, or sooner when many wait.
func (s *Service) shipLoop(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			s.shipper.flush(context.WithoutCancel(ctx))
			return nil
		case <-s.cfg.Clock.After(200 * time.Millisecond):
		case <-s.shipper.wake:
		}
		if err := s.shipper.flush(ctx); err != nil {
			s.cfg.Log.Info("function logs: append failed", "err", err)
		}
	}
}

func (sh *shipper) add(k streamKey, events []LogEvent) {
	sh.mu.Lock()
	sh.buf[k] = append(sh.buf[k], events...)
	sh.n += len(events)
	full := sh.n >= shipBatch
	sh.mu.Unlock()
	if full {
		select {
		case sh.wake <- struct{}{}:
		default:
		}
	}
}

// flush appends every buffered line.
func (sh *shipper) flush(ctx context.Context) error {
	sh.mu.Lock()
	buf := sh.buf
	sh.buf, sh.n = map[streamKey][]LogEvent{}, 0
	sh.mu.Unlock()
	var first error
	for k, events := range buf {
		if err := sh.logs.Append(ctx, k.account, k.group, k.stream, events); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// logGroup is a function's log group.
func logGroup(c *FunctionConfiguration) string {
	if c.LoggingConfig != nil && c.LoggingConfig.LogGroup != "" {
		return c.LoggingConfig.LogGroup
	}
	return "/aws/lambda/" + c.FunctionName
}

// shipInvoke hands an invocation's lines to the shipper: START, the output split in lines,
// END and REPORT (with the Init Duration of a cold start); with LogFormat JSON, the records
// platform.start, platform.runtimeDone and platform.report instead of those lines, when the
// SystemLogLevel lets INFO through. status is how the invocation ended: success, error or
// timeout.
func (s *Service) shipInvoke(inv *invocation, e *env, requestID string, out []byte, start time.Time, d, initD time.Duration, status string) {
	if s.shipper == nil {
		return
	}
	now := s.cfg.Now()
	events := make([]LogEvent, 0, 4+strings.Count(string(out), "\n"))
	system := !jsonLogs(inv.c) || levelRank(inv.c.LoggingConfig.SystemLogLevel) <= levelRank("INFO")
	if system {
		events = append(events, LogEvent{Time: start, Message: s.startLine(inv, requestID, start)})
	}
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if line != "" {
			events = append(events, LogEvent{Time: now, Message: line})
		}
	}
	if system {
		end, report := reportLines(inv, requestID, now, d, initD, len(out), status)
		events = append(events, LogEvent{Time: now, Message: end}, LogEvent{Time: now, Message: report})
	}
	s.shipper.add(streamKey{inv.r.account, logGroup(inv.c), e.stream}, events)
}

func (s *Service) startLine(inv *invocation, requestID string, at time.Time) string {
	if !jsonLogs(inv.c) {
		return fmt.Sprintf("START RequestId: %s Version: %s", requestID, inv.v.Version)
	}
	return platformRecord(at, "platform.start", map[string]any{"requestId": requestID, "version": inv.v.Version})
}

// reportLines are END and REPORT, or platform.runtimeDone and platform.report.
func reportLines(inv *invocation, requestID string, at time.Time, d, initD time.Duration, produced int, status string) (string, string) {
	ms := float64(d.Microseconds()) / 1000
	if jsonLogs(inv.c) {
		metrics := map[string]any{"durationMs": ms, "billedDurationMs": billed(d), "memorySizeMB": inv.c.MemorySize, "maxMemoryUsedMB": inv.c.MemorySize}
		if initD > 0 {
			metrics["initDurationMs"] = float64(initD.Microseconds()) / 1000
		}
		done := platformRecord(at, "platform.runtimeDone", map[string]any{"requestId": requestID, "status": status,
			"metrics": map[string]any{"durationMs": ms, "producedBytes": produced}})
		return done, platformRecord(at, "platform.report", map[string]any{"requestId": requestID, "metrics": metrics, "status": status})
	}
	report := fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB",
		requestID, ms, billed(d), inv.c.MemorySize, inv.c.MemorySize)
	if initD > 0 {
		report += fmt.Sprintf("\tInit Duration: %.2f ms", float64(initD.Microseconds())/1000)
	}
	return "END RequestId: " + requestID, report
}

// platformRecord is one of Lambda's JSON system log records: time, type and record.
func platformRecord(at time.Time, typ string, record map[string]any) string {
	b, _ := json.Marshal(struct {
		Time   string         `json:"time"`
		Type   string         `json:"type"`
		Record map[string]any `json:"record"`
	}{at.UTC().Format("2006-01-02T15:04:05.000Z"), typ, record})
	return string(b)
}

// jsonLogs says whether a function logs in Lambda's JSON format.
func jsonLogs(c *FunctionConfiguration) bool {
	return c.LoggingConfig != nil && c.LoggingConfig.LogFormat == "JSON"
}

// Log levels, in order.
var (
	applicationLevels = []string{"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"}
	systemLevels      = []string{"DEBUG", "INFO", "WARN"}
)

func levelRank(level string) int {
	for i, l := range applicationLevels {
		if l == level {
			return i
		}
	}
	return 0
}

// checkLogging validates a LoggingConfig as Lambda does and fills in the JSON format's default
// levels (INFO).
func checkLogging(l *LoggingConfig) error {
	if l == nil {
		return nil
	}
	if l.LogFormat != "JSON" && l.LogFormat != "Text" {
		return awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'loggingConfig.logFormat' failed to satisfy constraint: Member must satisfy enum value set: [JSON, Text]", l.LogFormat)
	}
	for _, f := range []struct {
		name, value string
		allowed     []string
	}{
		{"applicationLogLevel", l.ApplicationLogLevel, applicationLevels}, {"systemLogLevel", l.SystemLogLevel, systemLevels},
	} {
		if f.value != "" && !slices.Contains(f.allowed, f.value) {
			return awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'loggingConfig.%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]",
				f.value, f.name, strings.Join(f.allowed, ", "))
		}
	}
	if l.LogFormat == "Text" {
		if l.ApplicationLogLevel != "" || l.SystemLogLevel != "" {
			return invalid(`LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your request or change the LogFormat to "Json" and try again.`)
		}
		return nil
	}
	if l.ApplicationLogLevel == "" {
		l.ApplicationLogLevel = "INFO"
	}
	if l.SystemLogLevel == "" {
		l.SystemLogLevel = "INFO"
	}
	return nil
}

// billed is a duration in whole milliseconds, rounded up (Lambda bills by the millisecond).
func billed(d time.Duration) int64 {
	ms := d.Milliseconds()
	if d > time.Duration(ms)*time.Millisecond || ms == 0 {
		ms++
	}
	return ms
}
