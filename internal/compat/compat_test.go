package compat

import (
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gureum/gureum/internal/server"
)

var update = flag.Bool("update", false, "rewrite docs/compatibility.md")

const docPath = "../../docs/compatibility.md"

func TestCompatibilityDocIsCurrent(t *testing.T) {
	want := Markdown(server.Catalog())
	if *update {
		if err := os.WriteFile(docPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("docs/compatibility.md is out of date; run `make docs` (-want +got):\n%s", diff)
	}
}

// TestTablesMatchBotocore checks that each service's table lists exactly the operations of the
// service's model in the botocore installed on this machine.
func TestTablesMatchBotocore(t *testing.T) {
	const script = `
import botocore.session, json, sys
s = botocore.session.get_session()
out = {}
for name in sys.argv[1:]:
    out[name] = sorted(s.get_service_model(name).operation_names)
print(json.dumps(out))
`
	services := server.Catalog()
	args := []string{"-c", script}
	for _, s := range services {
		args = append(args, s.Name)
	}
	raw, err := exec.Command("python3", args...).Output()
	if err != nil {
		t.Skipf("NOTICE: botocore is not available (%v); the model coverage check is skipped", err)
	}
	var models map[string][]string
	if err := json.Unmarshal(raw, &models); err != nil {
		t.Fatal(err)
	}
	for _, s := range services {
		var ours []string
		for _, op := range s.Operations {
			ours = append(ours, op.Name)
		}
		sort.Strings(ours)
		if diff := cmp.Diff(models[s.Name], ours); diff != "" {
			t.Errorf("%s operation table differs from botocore's model (-model +table):\n%s", s.Name, diff)
		}
	}
}
