package lambda_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

const pyLevels = `
import logging
logger = logging.getLogger()
def handler(event, context):
    logger.info("dropped info")
    logger.warning("kept warning")
    print("plain print")
    return "ok"
`

const nodeLevels = `
exports.handler = async () => {
  console.trace('dropped trace');
  console.debug('kept debug');
  console.log('kept info');
  return 'ok';
};
`

// functionLog reads a function's log group through CloudWatch Logs until a line containing
// until has arrived, and returns every message.
func functionLog(t *testing.T, cw *cloudwatchlogs.Client, fn, until string) []string {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) { // a hang guard
		out, err := cw.FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/" + fn)})
		if err != nil {
			continue // the group is made with the first append
		}
		var msgs []string
		found := false
		for _, e := range out.Events {
			msgs = append(msgs, aws.ToString(e.Message))
			found = found || strings.Contains(aws.ToString(e.Message), until)
		}
		if found {
			return msgs
		}
	}
	t.Fatalf("no %q in the log of %s", until, fn)
	return nil
}

// TestLogFormatJSON: LoggingConfig's JSON format writes Lambda's platform.start,
// platform.runtimeDone and platform.report records and the runtimes' application logs as JSON
// records with their level, filtered by ApplicationLogLevel and SystemLogLevel; levels are
// refused with the Text format, and a bad level is a validation error.
func TestLogFormatJSON(t *testing.T) {
	t.Parallel()
	f := start(t)
	ctx := context.Background()
	cw := cloudwatchlogs.NewFromConfig(f.srv.Config())
	_, err := f.client.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("textlevel"), Runtime: types.RuntimePython312, Role: aws.String(role),
		Handler: aws.String("app.handler"), Code: &types.FunctionCode{ZipFile: pyZip(t, pyLevels)},
		LoggingConfig: &types.LoggingConfig{LogFormat: types.LogFormatText, ApplicationLogLevel: types.ApplicationLogLevelDebug}})
	if errCode(err) != "InvalidParameterValueException" || !strings.Contains(err.Error(), `LogLevel is not supported when LogFormat is set to "Text"`) {
		t.Errorf("CreateFunction with a level and the Text format = %v; want InvalidParameterValueException", err)
	}
	_, err = f.client.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("badlevel"), Runtime: types.RuntimePython312, Role: aws.String(role),
		Handler: aws.String("app.handler"), Code: &types.FunctionCode{ZipFile: pyZip(t, pyLevels)},
		LoggingConfig: &types.LoggingConfig{LogFormat: types.LogFormatJson, SystemLogLevel: "TRACE"}})
	if errCode(err) != "ValidationException" {
		t.Errorf("CreateFunction with SystemLogLevel TRACE = %v; want ValidationException", err)
	}

	created := f.create(t, "pyjson", "python3.12", "app.handler", pyZip(t, pyLevels), func(in *lambda.CreateFunctionInput) {
		in.LoggingConfig = &types.LoggingConfig{LogFormat: types.LogFormatJson, ApplicationLogLevel: types.ApplicationLogLevelWarn}
	})
	if l := created.LoggingConfig; l.LogFormat != types.LogFormatJson || l.ApplicationLogLevel != "WARN" || l.SystemLogLevel != "INFO" {
		t.Errorf("LoggingConfig = %+v; want JSON, WARN and the default system level INFO", l)
	}
	out := f.invoke(t, "pyjson", `{}`)
	requestID := ""
	for _, m := range functionLog(t, cw, "pyjson", `"platform.report"`) {
		if strings.HasPrefix(m, "START") || strings.HasPrefix(m, "END") || strings.HasPrefix(m, "REPORT") || strings.Contains(m, "dropped") {
			t.Errorf("JSON log holds %q", m)
		}
		var rec struct {
			Time, Type, Level, Message, Logger, RequestID string
			Record                                        struct {
				RequestID, Version, Status string
				Metrics                    map[string]float64
			}
		}
		if m == "plain print" {
			continue
		}
		if err := json.Unmarshal([]byte(m), &rec); err != nil {
			t.Errorf("log line %q is not JSON: %v", m, err)
			continue
		}
		switch rec.Type {
		case "platform.start":
			requestID = rec.Record.RequestID
			if rec.Record.Version != "$LATEST" || rec.Time == "" {
				t.Errorf("platform.start = %s", m)
			}
		case "platform.runtimeDone":
			if rec.Record.Status != "success" {
				t.Errorf("platform.runtimeDone = %s", m)
			}
		case "platform.report":
			if rec.Record.Status != "success" || rec.Record.Metrics["memorySizeMB"] != 128 || rec.Record.Metrics["billedDurationMs"] < 1 || rec.Record.Metrics["initDurationMs"] <= 0 {
				t.Errorf("platform.report = %s", m)
			}
		case "":
			if rec.Level != "WARN" || rec.Message != "kept warning" || rec.Logger != "root" || rec.RequestID == "" {
				t.Errorf("application record = %s", m)
			}
		}
	}
	if requestID == "" || out.FunctionError != nil {
		t.Errorf("no platform.start record (invoke %s)", out.Payload)
	}

	// Node: DEBUG lets console.debug through, not console.trace; SystemLogLevel WARN drops the
	// platform's INFO records.
	f.create(t, "nodejson", "nodejs20.x", "index.handler", zipOf(t, map[string][]byte{"index.js": []byte(nodeLevels)}), func(in *lambda.CreateFunctionInput) {
		in.LoggingConfig = &types.LoggingConfig{LogFormat: types.LogFormatJson, ApplicationLogLevel: types.ApplicationLogLevelDebug, SystemLogLevel: types.SystemLogLevelWarn}
	})
	f.invoke(t, "nodejson", `{}`)
	levels := map[string]string{}
	for _, m := range functionLog(t, cw, "nodejson", "kept info") {
		var rec struct{ Type, Level, Message, RequestID string }
		if err := json.Unmarshal([]byte(m), &rec); err != nil || rec.Type != "" || rec.RequestID == "" {
			t.Errorf("node log line %q (%v)", m, err)
		}
		levels[rec.Message] = rec.Level
	}
	if len(levels) != 2 || levels["kept debug"] != "DEBUG" || levels["kept info"] != "INFO" {
		t.Errorf("node records by message: %v; want kept debug (DEBUG) and kept info (INFO) only", levels)
	}

	// Back to Text: the levels go with the JSON format.
	up, err := f.client.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("pyjson"),
		LoggingConfig: &types.LoggingConfig{LogFormat: types.LogFormatText}})
	if err != nil || up.LoggingConfig.LogFormat != types.LogFormatText || up.LoggingConfig.ApplicationLogLevel != "" {
		t.Errorf("UpdateFunctionConfiguration to Text = %+v, %v", up, err)
	}
}
