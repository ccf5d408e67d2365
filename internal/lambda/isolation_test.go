package lambda_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// probe reports what a function can see and reach from inside its sandbox.
const probe = `
import json, os, socket, urllib.request

def can_connect(port):
    s = socket.socket()
    s.settimeout(0.5)
    try:
        s.connect(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()

def handler(event, context):
    if event.get("write"):
        open("/tmp/secret-" + context.function_name, "w").write("x")
    health = urllib.request.urlopen(os.environ["AWS_ENDPOINT_URL"] + "/_gureum/health", timeout=5).read()
    return {
        "procs": len([p for p in os.listdir("/proc") if p.isdigit()]),
        "tmp": sorted(os.listdir("/tmp")),
        "task": sorted(os.listdir("/var/task")),
        "data_dir": os.path.exists(event.get("data_dir", "/nonexistent")),
        "root": sorted(os.listdir("/")),
        "uid": os.getuid(),
        "health": json.loads(health)["status"],
        "runtime_api": os.environ["AWS_LAMBDA_RUNTIME_API"],
        "outside_port": can_connect(event.get("port", 1)),
    }
`

func TestSandboxIsolation(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("isolation needs the namespace level: run as root on Linux")
	}
	f := start(t)
	f.create(t, "probe-a", "python3.12", "app.handler", zipOf(t, map[string][]byte{"app.py": []byte(probe), "only-a.txt": []byte("a")}))
	f.create(t, "probe-b", "python3.12", "app.handler", zipOf(t, map[string][]byte{"app.py": []byte(probe)}))
	port := strings.TrimPrefix(f.srv.Endpoint[strings.LastIndex(f.srv.Endpoint, ":"):], ":")
	ev, _ := json.Marshal(map[string]any{"write": true, "data_dir": f.srv.DataDir, "port": atoi(port)})
	var a, b struct {
		Procs       int
		Tmp, Task   []string
		DataDir     bool `json:"data_dir"`
		Root        []string
		UID         int
		Health      string
		RuntimeAPI  string `json:"runtime_api"`
		OutsidePort bool   `json:"outside_port"`
	}
	if err := json.Unmarshal(f.invoke(t, "probe-a", string(ev)).Payload, &a); err != nil {
		t.Fatal(err)
	}
	out := f.invoke(t, "probe-b", string(ev))
	if err := json.Unmarshal(out.Payload, &b); err != nil {
		t.Fatalf("%v: %s", err, out.Payload)
	}
	if a.Procs > 3 || b.Procs > 3 {
		t.Errorf("sandboxes see %d and %d processes; want only their own", a.Procs, b.Procs)
	}
	if strings.Join(b.Tmp, ",") != "secret-probe-b" || strings.Join(a.Tmp, ",") != "secret-probe-a" {
		t.Errorf("/tmp: a sees %v, b sees %v; want each only its own", a.Tmp, b.Tmp)
	}
	if contains(b.Task, "only-a.txt") || !contains(a.Task, "only-a.txt") {
		t.Errorf("/var/task: a %v, b %v", a.Task, b.Task)
	}
	if a.DataDir || b.DataDir {
		t.Error("a function sees gureum's data dir")
	}
	if a.UID == 0 || a.Health != "ok" || a.RuntimeAPI != "127.0.0.1:9001" {
		t.Errorf("uid %d, health through AWS_ENDPOINT_URL %q, runtime API %q", a.UID, a.Health, a.RuntimeAPI)
	}
	if a.OutsidePort {
		t.Errorf("a function reached the host's 127.0.0.1:%s directly", port)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
