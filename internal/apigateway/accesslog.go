package apigateway

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/logs"
	"github.com/gureum/gureum/internal/telemetry"
)

// Access logs and execution metrics. A stage with accessLogSettings writes one line per invoke,
// its format's $context variables filled in ("-" for those without a value), to the CloudWatch
// Logs group its destinationArn names, through CloudWatch Logs' in-process Append. Lines are
// buffered and written every second (and as the node stops), as API Gateway delivers its access
// logs after the request. Every invoke is counted on /metrics (telemetry.APIGatewayInvoke).

// Logs is CloudWatch Logs' in-process interface (logs.Service).
type Logs interface {
	Append(ctx context.Context, account, group, stream string, events []logs.Event) error
}

// AccessLogSettings say where and how a stage logs its invokes.
type AccessLogSettings struct {
	Format         string `json:"format,omitempty"`
	DestinationARN string `json:"destinationArn,omitempty"`
}

var logGroupARN = regexp.MustCompile(`^arn:aws:logs:[a-z0-9-]+:(\d{12}):log-group:([\w#\-./]{1,512}?)(:\*)?$`)

// checkAccessLog holds a stage's access log settings to AWS's rules.
func checkAccessLog(a *AccessLogSettings) error {
	if a == nil || a.DestinationARN == "" && a.Format == "" {
		return nil
	}
	if !logGroupARN.MatchString(a.DestinationARN) {
		return badRequest("Invalid CloudWatch ARN specified in the request")
	}
	if !strings.Contains(a.Format, "$context.requestId") && !strings.Contains(a.Format, "$context.extendedRequestId") {
		return badRequest("Access Log format must contain at least $context.requestId or $context.extendedRequestId")
	}
	return nil
}

func patchAccessLog(st *Stage, op PatchOperation) error {
	if op.Op == "remove" && op.Path == "/accessLogSettings" {
		st.AccessLogSettings = nil
		return nil
	}
	if st.AccessLogSettings == nil {
		st.AccessLogSettings = &AccessLogSettings{}
	}
	switch op.Path {
	case "/accessLogSettings/destinationArn":
		st.AccessLogSettings.DestinationARN = op.Value
	case "/accessLogSettings/format":
		st.AccessLogSettings.Format = op.Value
	default:
		return invalidPatch(op)
	}
	return nil
}

var contextVar = regexp.MustCompile(`\$context\.[A-Za-z0-9_.]*[A-Za-z0-9_]`)

// accessLine renders a stage's access log format for an invoke.
func (s *Service) accessLine(format string, inv *invocation, status, length int, latency, integration time.Duration, gerr *gatewayError) string {
	vars := s.accessVars(inv, status, length, latency, integration, gerr)
	return contextVar.ReplaceAllStringFunc(format, func(v string) string {
		if x, ok := vars[strings.TrimPrefix(v, "$context.")]; ok && x != "" {
			return x
		}
		return "-"
	})
}

func (s *Service) accessVars(inv *invocation, status, length int, latency, integration time.Duration, gerr *gatewayError) map[string]string {
	rc := s.requestContext(inv)
	v := map[string]string{
		"requestId": inv.requestID, "extendedRequestId": inv.gatewayID, "apiId": inv.d.apiID, "stage": inv.d.stage.StageName,
		"accountId": inv.d.account, "httpMethod": inv.r.Method, "protocol": inv.r.Proto, "domainName": rc.DomainName,
		"domainPrefix": rc.DomainPrefix, "requestTime": rc.RequestTime, "requestTimeEpoch": strconv.FormatInt(rc.RequestTimeEpoch, 10),
		"status": strconv.Itoa(status), "responseLength": strconv.Itoa(length), "responseLatency": strconv.FormatInt(latency.Milliseconds(), 10),
		"identity.sourceIp": rc.Identity.SourceIP, "identity.userAgent": rc.Identity.UserAgent, "identity.apiKey": inv.apiKey,
		"identity.apiKeyId": inv.apiKeyID, "identity.vpceId": vpcEndpoint(inv.r.Context()), "deploymentId": inv.d.stage.DeploymentID,
		"isCanaryRequest": strconv.FormatBool(inv.d.isCanary),
	}
	if inv.resource != nil {
		v["resourcePath"], v["resourceId"], v["path"] = inv.resource.Path, inv.resource.ID, rc.Path
	}
	if integration > 0 {
		ms := strconv.FormatInt(integration.Milliseconds(), 10)
		v["integrationLatency"], v["integration.latency"] = ms, ms
		v["integrationStatus"], v["integration.status"] = strconv.Itoa(inv.integrationStatus), strconv.Itoa(inv.integrationStatus)
	}
	if p := inv.caller; p != nil {
		v["identity.caller"], v["identity.user"], v["identity.userArn"], v["identity.accountId"], v["identity.accessKey"] = p.UserID, p.UserID, p.ARN, p.Account, p.AccessKeyID
	}
	if gerr != nil {
		v["error.message"], v["error.responseType"] = gerr.message, gerr.rtype
		v["error.messageString"] = strconv.Quote(gerr.message)
	}
	if id, ok := inv.authorizer["principalId"].(string); ok {
		v["authorizer.principalId"] = id
	}
	return v
}

// record writes an invoke's access log line (when its stage has one) and its metrics.
func (s *Service) record(inv *invocation, status, length int, gerr *gatewayError) {
	if inv.d == nil {
		return
	}
	latency := s.now().Sub(inv.now)
	if a := inv.d.stage.AccessLogSettings; a != nil && a.DestinationARN != "" && s.logs != nil {
		if m := logGroupARN.FindStringSubmatch(a.DestinationARN); m != nil {
			line := s.accessLine(a.Format, inv, status, length, latency, inv.integrationLatency, gerr)
			s.accessLogs.add(accessDest{account: m[1], group: m[2], stream: inv.d.apiID + "_" + inv.d.stage.StageName}, logs.Event{Time: inv.now, Message: line})
		}
	}
	if s.metrics == nil {
		return
	}
	method, resource := "", ""
	if inv.method != nil {
		if ms := stageMethodSetting(inv.d.stage, inv.resource.Path, inv.method.HTTPMethod); ms != nil && ms.MetricsEnabled {
			method, resource = inv.method.HTTPMethod, inv.resource.Path
		}
	}
	cache := telemetry.NotCached
	switch {
	case inv.cacheHit:
		cache = telemetry.CacheHit
	case inv.cacheable:
		cache = telemetry.CacheMiss
	}
	s.metrics.APIGatewayInvoke(inv.d.apiID, inv.d.stage.StageName, method, resource, status, latency, inv.integrationLatency, cache)
}

type accessDest struct{ account, group, stream string }

// maxBufferedLines bounds the access log lines a node holds between flushes; beyond it lines
// are dropped (and counted in the log).
const maxBufferedLines = 100000

type accessBuffer struct {
	mu      sync.Mutex
	m       map[accessDest][]logs.Event
	n       int
	dropped int
}

func (b *accessBuffer) add(d accessDest, e logs.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.n >= maxBufferedLines {
		b.dropped++
		return
	}
	if b.m == nil {
		b.m = map[accessDest][]logs.Event{}
	}
	b.m[d] = append(b.m[d], e)
	b.n++
}

func (b *accessBuffer) take() (map[accessDest][]logs.Event, int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	m, dropped := b.m, b.dropped
	b.m, b.n, b.dropped = nil, 0, 0
	return m, dropped
}

// flushAccessLogs writes the buffered lines, one Append per stream. A group it cannot write to
// loses its lines (logged): access logs are delivered at most once.
func (s *Service) flushAccessLogs(ctx context.Context) {
	m, dropped := s.accessLogs.take()
	if dropped > 0 {
		s.clock.Log.Warn("access log lines dropped: more than the buffer holds between flushes", "dropped", dropped)
	}
	for d, events := range m {
		if err := s.logs.Append(ctx, d.account, d.group, d.stream, events); err != nil {
			s.clock.Log.Warn("access log lines not written", "group", d.group, "lines", len(events), "err", err)
		}
	}
}

// runAccessLogFlusher flushes the access log buffer every second until the runner stops, then once more.
func (s *Service) runAccessLogFlusher(clock background.Clock) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		for {
			select {
			case <-ctx.Done():
				stop, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				s.flushAccessLogs(stop)
				return nil
			case <-clock.After(time.Second):
				s.flushAccessLogs(ctx)
			}
		}
	}
}
