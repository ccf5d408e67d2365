package lambda_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/aws/aws-lambda-go/lambda" // the Go test function's runtime (built from testdata)
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/gureum/gureum/internal/gureumtest"
	"github.com/gureum/gureum/internal/sandbox"
)

func TestMain(m *testing.M) {
	sandbox.Init()
	os.Exit(m.Run())
}

const role = "arn:aws:iam::000000000000:role/lambda-role"

type fixture struct {
	srv    *gureumtest.Server
	client *lambda.Client
}

func start(t testing.TB, args ...string) *fixture {
	t.Helper()
	if runtime.GOOS == "linux" && os.Geteuid() != 0 {
		t.Log("not root: functions run at the process isolation level")
	}
	srv := gureumtest.Start(t, gureumtest.Options{Args: args})
	return &fixture{srv: srv, client: lambda.NewFromConfig(srv.Config())}
}

// zipOf packs files (name → content; names ending in "*" are executable, without the star).
func zipOf(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		h := &zip.FileHeader{Name: strings.TrimSuffix(name, "*"), Method: zip.Deflate}
		h.SetMode(0o644)
		if strings.HasSuffix(name, "*") {
			h.SetMode(0o755)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(body)
	}
	zw.Close()
	return buf.Bytes()
}

var (
	goOnce sync.Once
	goBin  []byte
	goErr  error
)

// goBootstrap builds testdata/goecho with aws-lambda-go once per test binary.
func goBootstrap(t testing.TB) []byte {
	t.Helper()
	goOnce.Do(func() {
		out := filepath.Join(os.TempDir(), "gureum-goecho-"+strings.ReplaceAll(time.Now().Format("150405.000000"), ".", ""))
		cmd := exec.Command("go", "build", "-o", out, "./testdata/goecho")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			goErr = errors.New(string(b))
			return
		}
		goBin, goErr = os.ReadFile(out)
		os.Remove(out)
	})
	if goErr != nil {
		t.Fatalf("build the Go test function: %v", goErr)
	}
	return goBin
}

func (f *fixture) create(t testing.TB, name, rt, handler string, code []byte, mod ...func(*lambda.CreateFunctionInput)) *lambda.CreateFunctionOutput {
	t.Helper()
	in := &lambda.CreateFunctionInput{FunctionName: aws.String(name), Runtime: types.Runtime(rt), Role: aws.String(role),
		Handler: aws.String(handler), Code: &types.FunctionCode{ZipFile: code}, Timeout: aws.Int32(10)}
	for _, m := range mod {
		m(in)
	}
	out, err := f.client.CreateFunction(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateFunction(%s): %v", name, err)
	}
	return out
}

func (f *fixture) invoke(t testing.TB, name string, payload string, mod ...func(*lambda.InvokeInput)) *lambda.InvokeOutput {
	t.Helper()
	in := &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(payload)}
	for _, m := range mod {
		m(in)
	}
	out, err := f.client.Invoke(context.Background(), in)
	if err != nil {
		t.Fatalf("Invoke(%s): %v", name, err)
	}
	return out
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestGoFunction(t *testing.T) {
	f := start(t)
	f.create(t, "goecho", "provided.al2023", "bootstrap", zipOf(t, map[string][]byte{"bootstrap*": goBootstrap(t)}))
	out := f.invoke(t, "goecho", `{"echo":"hi"}`, func(in *lambda.InvokeInput) { in.LogType = types.LogTypeTail })
	var ans struct{ Echo, RequestID, ARN, Env string }
	json.Unmarshal(out.Payload, &ans)
	if out.StatusCode != 200 || out.FunctionError != nil || ans.Echo != "hi" || ans.Env != "goecho" || !strings.HasSuffix(ans.ARN, ":function:goecho") {
		t.Fatalf("Invoke = %d %v %s", out.StatusCode, aws.ToString(out.FunctionError), out.Payload)
	}
	if aws.ToString(out.ExecutedVersion) != "$LATEST" {
		t.Errorf("ExecutedVersion = %q", aws.ToString(out.ExecutedVersion))
	}
	logs, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if !strings.Contains(string(logs), "START RequestId:") || !strings.Contains(string(logs), "REPORT RequestId:") {
		t.Errorf("LogResult = %q", logs)
	}
	// Warm: the same environment answers again.
	if out := f.invoke(t, "goecho", `{"echo":"again"}`); !strings.Contains(string(out.Payload), "again") {
		t.Errorf("warm Invoke = %s", out.Payload)
	}
	out = f.invoke(t, "goecho", `{"fail":"boom"}`)
	if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), "boom") {
		t.Errorf("failing Invoke = %v %s", aws.ToString(out.FunctionError), out.Payload)
	}
	out = f.invoke(t, "goecho", `{"crash":true}`)
	if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), "Runtime exited with error: exit status 2") {
		t.Errorf("crashing Invoke = %v %s", aws.ToString(out.FunctionError), out.Payload)
	}
	if out := f.invoke(t, "goecho", `{"echo":"after crash"}`); !strings.Contains(string(out.Payload), "after crash") {
		t.Errorf("Invoke after a crash = %s", out.Payload)
	}
}

func TestTimeoutAndMemory(t *testing.T) {
	f := start(t)
	code := zipOf(t, map[string][]byte{"bootstrap*": goBootstrap(t)})
	f.create(t, "slow", "provided.al2", "bootstrap", code, func(in *lambda.CreateFunctionInput) { in.Timeout = aws.Int32(1) })
	f.invoke(t, "slow", `{"echo":"warm up"}`) // under a loaded machine a cold start can take a second
	out := f.invoke(t, "slow", `{"sleep_ms":3000}`)
	if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), "Task timed out after 1.00 seconds") {
		t.Errorf("timed-out Invoke = %v %s", aws.ToString(out.FunctionError), out.Payload)
	}
	if os.Geteuid() != 0 {
		t.Skip("memory limits need the namespace level (root)")
	}
	f.create(t, "hungry", "provided.al2", "bootstrap", code)
	out = f.invoke(t, "hungry", `{"alloc_mb":400}`)
	if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), "signal: killed") {
		t.Errorf("over-memory Invoke = %v %s", aws.ToString(out.FunctionError), out.Payload)
	}
}

const pythonHandler = `
import json, logging, os
logger = logging.getLogger()
logger.setLevel(logging.INFO)

def handler(event, context):
    print("printed", event.get("name"))
    logger.info("logged")
    if event.get("fail"):
        raise ValueError("bad " + event["fail"])
    return {"hello": event.get("name"), "fn": context.function_name, "remaining": context.get_remaining_time_in_millis() > 0,
            "id": context.aws_request_id, "uid": os.getuid(), "task": os.listdir("/var/task")}
`

func TestPythonFunction(t *testing.T) {
	f := start(t)
	f.create(t, "py", "python3.12", "app.handler", zipOf(t, map[string][]byte{"app.py": []byte(pythonHandler)}))
	out := f.invoke(t, "py", `{"name":"gureum"}`, func(in *lambda.InvokeInput) { in.LogType = types.LogTypeTail })
	var ans map[string]any
	json.Unmarshal(out.Payload, &ans)
	if out.FunctionError != nil || ans["hello"] != "gureum" || ans["fn"] != "py" || ans["remaining"] != true {
		t.Fatalf("Invoke = %v %s", aws.ToString(out.FunctionError), out.Payload)
	}
	logs, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if !strings.Contains(string(logs), "printed gureum") || !strings.Contains(string(logs), "logged") {
		t.Errorf("LogResult = %q", logs)
	}
	out = f.invoke(t, "py", `{"fail":"input"}`)
	var doc struct {
		ErrorMessage, ErrorType string
		StackTrace              []string
	}
	json.Unmarshal(out.Payload, &doc)
	if aws.ToString(out.FunctionError) != "Unhandled" || doc.ErrorType != "ValueError" || doc.ErrorMessage != "bad input" || len(doc.StackTrace) == 0 {
		t.Errorf("failing Invoke = %v %s", aws.ToString(out.FunctionError), out.Payload)
	}
	f.create(t, "py-broken", "python3.12", "missing.handler", zipOf(t, map[string][]byte{"app.py": []byte(pythonHandler)}))
	out = f.invoke(t, "py-broken", `{}`)
	if !strings.Contains(string(out.Payload), "Runtime.ImportModuleError") {
		t.Errorf("Invoke with a missing module = %s", out.Payload)
	}
}

const nodeCJS = `
exports.handler = async (event, context) => {
  console.log("node got", event.name);
  return { hello: event.name, fn: context.functionName, remaining: context.getRemainingTimeInMillis() > 0 };
};
`

const nodeCallback = `
exports.handler = function (event, context, callback) {
  if (event.fail) return callback(new TypeError("cb " + event.fail));
  setTimeout(() => callback(null, { cb: event.name }), 1);
};
`

const nodeESM = `
export const handler = async (event) => ({ esm: event.name });
`

func TestNodeFunction(t *testing.T) {
	f := start(t)
	f.create(t, "node-cjs", "nodejs20.x", "index.handler", zipOf(t, map[string][]byte{"index.js": []byte(nodeCJS)}))
	out := f.invoke(t, "node-cjs", `{"name":"gureum"}`, func(in *lambda.InvokeInput) { in.LogType = types.LogTypeTail })
	if out.FunctionError != nil || !strings.Contains(string(out.Payload), `"hello":"gureum"`) || !strings.Contains(string(out.Payload), `"remaining":true`) {
		t.Fatalf("Invoke = %v %s", aws.ToString(out.FunctionError), out.Payload)
	}
	if logs, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult)); !strings.Contains(string(logs), "node got gureum") {
		t.Errorf("LogResult = %q", logs)
	}
	f.create(t, "node-cb", "nodejs22.x", "lib/cb.handler", zipOf(t, map[string][]byte{"lib/cb.js": []byte(nodeCallback)}))
	if out := f.invoke(t, "node-cb", `{"name":"x"}`); string(out.Payload) != `{"cb":"x"}` {
		t.Errorf("callback Invoke = %s", out.Payload)
	}
	if out := f.invoke(t, "node-cb", `{"fail":"y"}`); !strings.Contains(string(out.Payload), `"errorType":"TypeError"`) {
		t.Errorf("callback error = %s", out.Payload)
	}
	f.create(t, "node-esm", "nodejs18.x", "app.handler", zipOf(t, map[string][]byte{"app.mjs": []byte(nodeESM)}))
	if out := f.invoke(t, "node-esm", `{"name":"m"}`); string(out.Payload) != `{"esm":"m"}` {
		t.Errorf("ESM Invoke = %s", out.Payload)
	}
}

func asErr[T error](err error, target *T) bool { return errors.As(err, target) }
