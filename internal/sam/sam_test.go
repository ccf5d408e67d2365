package sam_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gureum/gureum/internal/cloudformation/template"
	"github.com/gureum/gureum/internal/sam"
)

// oracle is the SAM translator (aws-sam-translator, the behavioural reference), run offline.
const oracle = `
import json, sys
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse
from samtranslator.model.exceptions import InvalidDocumentException
class NoIAM:
    def get_partition_name(self, region=None): return "aws"
out = {}
for f in sys.argv[1:]:
    try: out[f] = transform(yaml_parse(open(f).read()), {}, NoIAM())
    except InvalidDocumentException as e: out[f] = {"error": "\n".join(c.message for c in e.causes)}
print(json.dumps(out))
`

// deploymentHash is the part of a REST API deployment's logical id and description that the
// translator hashes from Python's repr of the OpenAPI document, which gureum does not imitate.
var deploymentHash = regexp.MustCompile(`(Deployment)[0-9a-f]{10}\b|(RestApi deployment id: )[0-9a-f]{40}`)

func normalize(t *testing.T, v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	b = deploymentHash.ReplaceAll(b, []byte("${1}${2}HASH"))
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMatchesTranslator expands each sample template with the transform and with AWS's
// translator and requires the same CloudFormation.
func TestMatchesTranslator(t *testing.T) {
	if err := exec.Command("python3", "-c", "import samtranslator").Run(); err != nil {
		t.Skipf("aws-sam-translator is not installed (%v): the differential check needs it", err)
	}
	files, _ := filepath.Glob("testdata/*.yaml")
	if len(files) == 0 {
		t.Fatal("no sample templates")
	}
	cmd := exec.Command("python3", append([]string{"-c", oracle}, files...)...)
	cmd.Env = append(os.Environ(), "AWS_DEFAULT_REGION=us-east-1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("translator: %v", err)
	}
	var want map[string]any
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			wantTpl := want[file]
			body, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			tpl, err := template.Parse(string(body))
			if err != nil {
				t.Fatal(err)
			}
			got, err := sam.Transform(tpl, nil)
			if err != nil {
				t.Fatalf("Transform: %v", err)
			}
			if diff := cmp.Diff(normalize(t, wantTpl), normalize(t, got)); diff != "" {
				t.Errorf("Transform(%s) differs from the translator (-translator +gureum):\n%s", file, diff)
			}
		})
	}
}
