package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestHTTPAPIAWSCLI creates an HTTP API with the AWS CLI (quick create with an HTTP target, then
// a route of its own) and calls it with curl at its ApiEndpoint's host.
func TestHTTPAPIAWSCLI(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("NOTICE: the AWS CLI is not installed; skipping")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("NOTICE: curl is not installed; skipping")
	}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"path": r.URL.Path, "query": r.URL.RawQuery})
	}))
	defer up.Close()
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{})
	run := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command("aws", append([]string{"apigatewayv2", "--output", "json"}, args...)...)
		cmd.Env = awsEnv(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws apigatewayv2 %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		var m map[string]any
		if len(out) > 0 {
			if err := json.Unmarshal(out, &m); err != nil {
				t.Fatalf("aws apigatewayv2 %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		}
		return m
	}
	api := run("create-api", "--name", "web", "--protocol-type", "HTTP", "--target", up.URL+"/root")
	id, _ := api["ApiId"].(string)
	endpoint, _ := api["ApiEndpoint"].(string)
	if id == "" || !strings.HasPrefix(endpoint, "http://"+id+".execute-api.localhost:") {
		t.Fatalf("create-api = %v", api)
	}
	it := run("create-integration", "--api-id", id, "--integration-type", "HTTP_PROXY", "--integration-method", "GET",
		"--integration-uri", up.URL+"/items/{id}", "--payload-format-version", "1.0")
	run("create-route", "--api-id", id, "--route-key", "GET /items/{id}", "--target", "integrations/"+it["IntegrationId"].(string))
	if routes := run("get-routes", "--api-id", id)["Items"].([]any); len(routes) != 2 {
		t.Errorf("get-routes = %v; want the quick create's route and ours", routes)
	}
	if stages := run("get-stages", "--api-id", id)["Items"].([]any); len(stages) != 1 || stages[0].(map[string]any)["StageName"] != "$default" {
		t.Errorf("get-stages = %v; want $default", stages)
	}

	u, _ := url.Parse(endpoint)
	local := "http://127.0.0.1:" + u.Port()
	curl := func(path string) map[string]string {
		t.Helper()
		out, err := exec.Command("curl", "-sS", "-H", "Host: "+u.Host, local+path).CombinedOutput()
		if err != nil {
			t.Fatalf("curl %s: %v\n%s", path, err, out)
		}
		var m map[string]string
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("curl %s = %s", path, out)
		}
		return m
	}
	if got := curl("/items/42?x=1"); got["path"] != "/items/42" || got["query"] != "x=1" {
		t.Errorf("curl /items/42 = %v", got)
	}
	if got := curl("/anything"); got["path"] != "/root" {
		t.Errorf("curl /anything = %v; want the quick create's $default route", got)
	}
	run("delete-api", "--api-id", id)
	cmd := exec.Command("aws", "apigatewayv2", "get-api", "--api-id", id)
	cmd.Env = awsEnv(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "NotFoundException") {
		t.Errorf("get-api after delete-api = %s, %v; want NotFoundException", out, err)
	}
}
