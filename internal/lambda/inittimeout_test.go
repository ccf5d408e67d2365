package lambda_test

import (
	"context"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// slowInitHandler spends longer loading than its timeout allows an invoke, then sleeps in the
// handler when asked.
const slowInitHandler = `
import time
time.sleep(2)
def handler(event, context):
    if event.get("sleep"):
        print("sleeping")
        time.sleep(event["sleep"])
    return {"ok": True, "id": context.aws_request_id}
`

// TestInitOutsideTimeout: Lambda's init phase has its own 10 s, so a module that loads for 2 s
// answers under a 1 s timeout; a handler that overruns times out with Lambda's line in its log.
func TestInitOutsideTimeout(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	f.create(t, "slowinit", "python3.12", "app.handler", pyZip(t, slowInitHandler),
		func(in *lambda.CreateFunctionInput) { in.Timeout = aws.Int32(1) })
	out := f.invoke(t, "slowinit", `{}`)
	if out.FunctionError != nil || !strings.Contains(string(out.Payload), `"ok": true`) {
		t.Fatalf("cold Invoke with a 2 s init = %v %s", aws.ToString(out.FunctionError), out.Payload)
	}
	out = f.invoke(t, "slowinit", `{"sleep":3}`, func(in *lambda.InvokeInput) { in.LogType = types.LogTypeTail })
	if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), "Task timed out after 1.00 seconds") {
		t.Fatalf("timed-out Invoke = %v %s", aws.ToString(out.FunctionError), out.Payload)
	}
	id := regexp.MustCompile(`RequestId: ([0-9a-f-]+) Error`).FindStringSubmatch(string(out.Payload))
	if id == nil {
		t.Fatalf("no request id in %s", out.Payload)
	}
	line := regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ` + id[1] + ` Task timed out after 1\.00 seconds$`)
	tail, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if !line.Match(tail) {
		t.Errorf("LogResult lacks the timeout line:\n%s", tail)
	}
	cw := cloudwatchlogs.NewFromConfig(f.srv.Config())
	var text string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		ev, err := cw.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/slowinit")})
		if err != nil {
			continue
		}
		var b strings.Builder
		for _, e := range ev.Events {
			b.WriteString(aws.ToString(e.Message) + "\n")
		}
		if text = b.String(); line.MatchString(text) {
			return
		}
	}
	t.Errorf("the function's log lacks the timeout line:\n%s", text)
}
