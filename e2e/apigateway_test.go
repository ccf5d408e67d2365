package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestAPIGatewayAWSCLI builds the status API of the reference workload with the AWS CLI (a REST
// API, GET /status behind an API key, a usage plan with a quota of 3), calls it with curl and
// Python's urllib until the quota runs out, reads GetUsage, then imports a PRIVATE API and calls
// it on the private listener (by path and by x-apigw-api-id) and, refused, on the public one, and
// reaches the status API through a custom domain name's base path mapping by Host.
func TestAPIGatewayAWSCLI(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"aws", "curl", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("NOTICE: %s is not installed; skipping", tool)
		}
	}
	const vpce = "vpce-0e2e0e2e0e2e0e2e0"
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{Args: []string{"--private-listen", "127.0.0.1:0", "--vpc-endpoint-id", vpce}})
	private := ""
	for _, line := range strings.Split(p.Stdout.String(), "\n") {
		if _, ep, ok := strings.Cut(line, "private endpoint ("+vpce+") on "); ok {
			private = strings.TrimSpace(ep)
		}
	}
	if private == "" {
		t.Fatalf("no private endpoint line in %q", p.Stdout.String())
	}
	cli := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command("aws", append(append([]string{"apigateway"}, args...), "--output", "json")...)
		cmd.Env = awsEnv(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws apigateway %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		var v map[string]any
		if len(strings.TrimSpace(string(out))) > 0 {
			if err := json.Unmarshal(out, &v); err != nil {
				t.Fatalf("aws apigateway %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		}
		return v
	}
	str := func(v any) string { s, _ := v.(string); return s }

	api := cli("create-rest-api", "--name", "status", "--endpoint-configuration", "types=REGIONAL")
	id := str(api["id"])
	root := str(api["rootResourceId"])
	res := str(cli("create-resource", "--rest-api-id", id, "--parent-id", root, "--path-part", "status")["id"])
	cli("put-method", "--rest-api-id", id, "--resource-id", res, "--http-method", "GET", "--authorization-type", "NONE", "--api-key-required")
	cli("put-integration", "--rest-api-id", id, "--resource-id", res, "--http-method", "GET", "--type", "MOCK",
		"--request-templates", `{"application/json":"{\"statusCode\": 200}"}`)
	cli("put-method-response", "--rest-api-id", id, "--resource-id", res, "--http-method", "GET", "--status-code", "200")
	cli("put-integration-response", "--rest-api-id", id, "--resource-id", res, "--http-method", "GET", "--status-code", "200",
		"--response-templates", `{"application/json":"{\"status\":\"ok\"}"}`)
	cli("create-deployment", "--rest-api-id", id, "--stage-name", "prod")
	key := cli("create-api-key", "--name", "partner", "--enabled", "--value", "e2eStatusKey0123456789")
	plan := cli("create-usage-plan", "--name", "partners", "--api-stages", "apiId="+id+",stage=prod",
		"--throttle", "rateLimit=100,burstLimit=50", "--quota", "limit=3,period=DAY")
	cli("create-usage-plan-key", "--usage-plan-id", str(plan["id"]), "--key-id", str(key["id"]), "--key-type", "API_KEY")

	curl := func(url string, headers ...string) (status, body string) {
		t.Helper()
		args := []string{"-s", "-o", "-", "-w", "\n%{http_code}"}
		for _, h := range headers {
			args = append(args, "-H", h)
		}
		out, err := exec.Command("curl", append(args, url)...).Output()
		if err != nil {
			t.Fatalf("curl %s: %v", url, err)
		}
		i := strings.LastIndex(string(out), "\n")
		return string(out[i+1:]), string(out[:max(i, 0)])
	}
	url := p.Endpoint + "/_gureum/execute-api/" + id + "/prod/status"
	if code, body := curl(url); code != "403" || body != `{"message":"Forbidden"}` {
		t.Errorf("curl without a key: %s %s; want 403 Forbidden", code, body)
	}
	for i := range 2 {
		if code, body := curl(url, "x-api-key: e2eStatusKey0123456789"); code != "200" || body != `{"status":"ok"}` {
			t.Fatalf("curl %d with the key: %s %s; want 200", i, code, body)
		}
	}
	script := `import urllib.request, sys
req = urllib.request.Request(sys.argv[1], headers={"x-api-key": "e2eStatusKey0123456789"})
with urllib.request.urlopen(req) as r:
    print(r.status, r.read().decode())`
	if out, err := exec.Command("python3", "-c", script, url).CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != `200 {"status":"ok"}` {
		t.Fatalf("urllib with the key: %s %v", out, err)
	}
	if code, body := curl(url, "x-api-key: e2eStatusKey0123456789"); code != "429" || body != `{"message":"Limit Exceeded"}` {
		t.Errorf("curl past the quota: %s %s; want 429 Limit Exceeded", code, body)
	}
	today := time.Now().UTC().Format("2006-01-02")
	usage := cli("get-usage", "--usage-plan-id", str(plan["id"]), "--start-date", today, "--end-date", today, "--key-id", str(key["id"]))
	if b, _ := json.Marshal(usage["items"]); !strings.Contains(string(b), "[3,0]") {
		t.Errorf("get-usage items = %s; want a day with 3 used, 0 remaining", b)
	}

	// A PRIVATE API, imported with its resource policy, answers only on the private listener.
	def := `{"swagger":"2.0","info":{"title":"inside","version":"1"},
"x-amazon-apigateway-policy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*",
  "Condition":{"StringEquals":{"aws:SourceVpce":"` + vpce + `"}}}]},
"paths":{"/ping":{"get":{"responses":{"200":{"description":"ok"}},
  "x-amazon-apigateway-integration":{"type":"mock","requestTemplates":{"application/json":"{\"statusCode\": 200}"},
    "responses":{"default":{"statusCode":"200","responseTemplates":{"application/json":"{\"pong\":true}"}}}}}}}}`
	file := filepath.Join(t.TempDir(), "inside.json")
	if err := os.WriteFile(file, []byte(def), 0o600); err != nil {
		t.Fatal(err)
	}
	inside := str(cli("import-rest-api", "--parameters", "endpointConfigurationTypes=PRIVATE", "--body", "fileb://"+file)["id"])
	cli("create-deployment", "--rest-api-id", inside, "--stage-name", "prod")
	if code, body := curl(private + "/_gureum/execute-api/" + inside + "/prod/ping"); code != "200" || body != `{"pong":true}` {
		t.Errorf("private API on the private listener: %s %s; want 200", code, body)
	}
	if code, body := curl(p.Endpoint + "/_gureum/execute-api/" + inside + "/prod/ping"); code != "403" || body != `{"message":"Forbidden"}` {
		t.Errorf("private API on the public listener: %s %s; want 403 Forbidden", code, body)
	}
	// As through a VPC endpoint's DNS name: the API named by the x-apigw-api-id header.
	if code, body := curl(private+"/prod/ping", "x-apigw-api-id: "+inside); code != "200" || body != `{"pong":true}` {
		t.Errorf("private API by x-apigw-api-id: %s %s; want 200", code, body)
	}

	// A custom domain name with a base path of two segments, reached by its Host.
	cli("create-domain-name", "--domain-name", "status.example.com", "--endpoint-configuration", "types=REGIONAL")
	cli("create-base-path-mapping", "--domain-name", "status.example.com", "--base-path", "v1/ops", "--rest-api-id", id, "--stage", "prod")
	if code, body := curl(p.Endpoint+"/v1/ops/status", "Host: status.example.com", "x-api-key: e2eStatusKey0123456789"); code != "429" || body != `{"message":"Limit Exceeded"}` {
		t.Errorf("curl through the custom domain: %s %s; want the status API (429: its quota is spent)", code, body)
	}
	// The mapping moved to another base path, and the domain's policy changed, by patch operations.
	moved := cli("update-base-path-mapping", "--domain-name", "status.example.com", "--base-path", "v1/ops",
		"--patch-operations", "op=replace,path=/basePath,value=v2")
	if str(moved["basePath"]) != "v2" || str(moved["restApiId"]) != id {
		t.Errorf("update-base-path-mapping = %v", moved)
	}
	if code, _ := curl(p.Endpoint+"/v2/status", "Host: status.example.com", "x-api-key: e2eStatusKey0123456789"); code != "429" {
		t.Errorf("curl through the moved mapping: %s; want the status API (429)", code)
	}
	if d := cli("update-domain-name", "--domain-name", "status.example.com", "--patch-operations", "op=replace,path=/securityPolicy,value=TLS_1_0"); str(d["securityPolicy"]) != "TLS_1_0" {
		t.Errorf("update-domain-name = %v", d)
	}
}
