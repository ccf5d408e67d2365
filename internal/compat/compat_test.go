package compat

import (
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
// service's botocore model, kept under testdata/botocore (see its README) so that the check runs
// where botocore is not installed.
func TestTablesMatchBotocore(t *testing.T) {
	for _, s := range server.Catalog() {
		model, err := loadModel(s.Name, s.APIVersion)
		if err != nil {
			t.Errorf("%s: %v (copy the model from botocore/data into testdata/botocore)", s.Name, err)
			continue
		}
		var ops, ours []string
		for name := range model.Operations {
			ops = append(ops, name)
		}
		for _, op := range s.Operations {
			ours = append(ours, op.Name)
		}
		sort.Strings(ops)
		sort.Strings(ours)
		if diff := cmp.Diff(ops, ours); diff != "" {
			t.Errorf("%s operation table differs from botocore's model (-model +table):\n%s", s.Name, diff)
		}
		if s.SigningName != model.Metadata.SigningName && !(model.Metadata.SigningName == "" && s.SigningName == model.Metadata.EndpointPrefix) {
			t.Errorf("%s signs as %q; the model says %q", s.Name, s.SigningName, model.Metadata.SigningName)
		}
	}
}

// model is the part of a botocore service-2.json these checks read.
type model struct {
	Metadata struct {
		APIVersion     string `json:"apiVersion"`
		SigningName    string `json:"signingName"`
		EndpointPrefix string `json:"endpointPrefix"`
	} `json:"metadata"`
	Operations map[string]json.RawMessage `json:"operations"`
}

func loadModel(name, version string) (*model, error) {
	f, err := os.Open(filepath.Join("testdata", "botocore", name, version, "service-2.json.gz"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	var m model
	if err := json.NewDecoder(zr).Decode(&m); err != nil {
		return nil, err
	}
	if m.Metadata.APIVersion != version {
		return nil, fmt.Errorf("the model's API version is %s, not %s", m.Metadata.APIVersion, version)
	}
	return &m, nil
}

// TestModelsMatchInstalledBotocore checks the kept models against botocore where it is installed,
// so a newer botocore on a developer's machine tells when they are due a refresh.
func TestModelsMatchInstalledBotocore(t *testing.T) {
	const script = `
import botocore.session, json, sys
s = botocore.session.get_session()
print(json.dumps({n: sorted(s.get_service_model(n).operation_names) for n in sys.argv[1:]}))
`
	services := server.Catalog()
	args := []string{"-c", script}
	for _, s := range services {
		args = append(args, s.Name)
	}
	raw, err := exec.Command("python3", args...).Output()
	if err != nil {
		t.Skipf("botocore is not installed (%v); the kept models are not compared with it", err)
	}
	var installed map[string][]string
	if err := json.Unmarshal(raw, &installed); err != nil {
		t.Fatal(err)
	}
	for _, s := range services {
		m, err := loadModel(s.Name, s.APIVersion)
		if err != nil {
			t.Fatal(err)
		}
		var kept []string
		for name := range m.Operations {
			kept = append(kept, name)
		}
		sort.Strings(kept)
		if diff := cmp.Diff(installed[s.Name], kept); diff != "" {
			t.Logf("NOTICE: %s: the installed botocore's model differs from testdata/botocore (-installed +kept):\n%s", s.Name, diff)
		}
	}
}
