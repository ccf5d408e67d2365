package apigateway

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/logs"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/telemetry"
)

// TestAccessLog: a stage's access log settings write one line per invoke, in its format with the
// $context variables filled in, to the CloudWatch Logs group the destination names; invokes are
// counted in the execution metrics.
func TestAccessLog(t *testing.T) {
	f := newFixture(t)
	group := logs.New(logs.Deps{Env: service.Env{Region: "us-east-1", Clock: f.clock}, Store: f.db})
	f.s.logs, f.s.metrics = group, telemetry.New()
	id := f.api(t, "/status", "GET", PutIntegrationInput{Type: "MOCK", RequestTemplates: map[string]string{"application/json": `{"statusCode":200}`}}, false)
	dest := "arn:aws:logs:us-east-1:" + account + ":log-group:api-access"
	for _, bad := range []PatchOperation{
		{Op: "replace", Path: "/accessLogSettings/destinationArn", Value: "arn:aws:s3:::bucket"},
		{Op: "replace", Path: "/accessLogSettings/format", Value: "$context.status"},
	} {
		ops := []PatchOperation{{Op: "replace", Path: "/accessLogSettings/destinationArn", Value: dest}, {Op: "replace", Path: "/accessLogSettings/format", Value: "$context.requestId"}, bad}
		if _, err := f.s.UpdateStage(f.ctx, &StageUpdateInput{RestAPIID: id, StageName: "prod", PatchOperations: ops}); err == nil {
			t.Errorf("UpdateStage(%s = %q) succeeded; want BadRequestException", bad.Path, bad.Value)
		}
	}
	format := `{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","method":"$context.httpMethod","resource":"$context.resourcePath",` +
		`"status":"$context.status","length":"$context.responseLength","error":"$context.error.responseType","user":"$context.identity.user"}`
	ok(f.s.UpdateStage(f.ctx, &StageUpdateInput{RestAPIID: id, StageName: "prod", PatchOperations: []PatchOperation{
		{Op: "replace", Path: "/accessLogSettings/destinationArn", Value: dest},
		{Op: "replace", Path: "/accessLogSettings/format", Value: format},
	}}))
	f.clock.Advance(2 * time.Second) // the stage's new settings reach the data plane
	f.do("GET", "/_gureum/execute-api/"+id+"/prod/status", "", "")
	f.do("GET", "/_gureum/execute-api/"+id+"/prod/nothing", "", "")
	f.s.flushAccessLogs(f.ctx)

	out := ok(group.GetLogEvents(f.ctx, &logs.GetLogEventsInput{LogGroupName: "api-access", LogStreamName: id + "_prod"}))
	if len(out.Events) != 2 {
		t.Fatalf("access log events = %+v; want 2", out.Events)
	}
	want := []string{
		`"ip":"192.0.2.7","method":"GET","resource":"/status","status":"200","length":"11","error":"-","user":"-"}`,
		`"ip":"192.0.2.7","method":"GET","resource":"-","status":"403","length":"42","error":"MISSING_AUTHENTICATION_TOKEN","user":"-"}`,
	}
	for i, e := range out.Events {
		if !strings.HasPrefix(e.Message, `{"requestId":"`) || !strings.HasSuffix(e.Message, want[i]) {
			t.Errorf("access log line %d = %s; want it to end %s", i, e.Message, want[i])
		}
	}

	rec := httptest.NewRecorder()
	f.s.metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	labels := `{api="` + id + `",method="",resource="",stage="prod"}`
	for _, line := range []string{"gureum_apigateway_requests_total" + labels + " 2", "gureum_apigateway_4xx_errors_total" + labels + " 1",
		"gureum_apigateway_integration_latency_seconds_count" + labels + " 1"} {
		if !strings.Contains(rec.Body.String(), line+"\n") {
			t.Errorf("/metrics lacks %s", line)
		}
	}
}
