package deploy

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestPackageTemplate rewrites local paths (a directory zipped, a file as it is) and leaves S3
// URIs, inline code and intrinsic functions alone.
func TestPackageTemplate(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "src", "lib"), 0o755)
	os.WriteFile(filepath.Join(dir, "src", "app.py"), []byte("x = 1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "src", "lib", "run.sh"), []byte("#!/bin/sh\n"), 0o755)
	os.WriteFile(filepath.Join(dir, "layer.zip"), []byte("PK fake"), 0o644)
	tpl := `Resources:
  A:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Role: !GetAtt R.Arn
  B:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://kept/key.zip
  C:
    Type: AWS::Lambda::LayerVersion
    Properties:
      Content: layer.zip
  D:
    Type: AWS::Lambda::Function
    Properties:
      Code:
        ZipFile: "def h(e, c): pass"
`
	got := map[string][]byte{}
	put := func(_ context.Context, key string, body []byte) error { got[key] = body; return nil }
	out, err := packageTemplate(context.Background(), []byte(tpl), dir, "bkt", put)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("uploaded %d objects; want 2 (the directory and the layer file)", len(got))
	}
	s := string(out)
	for _, want := range []string{"CodeUri: s3://bkt/", ".zip\n", "CodeUri: s3://kept/key.zip", "S3Bucket: bkt", "S3Key: ", "!GetAtt R.Arn", "ZipFile:"} {
		if !strings.Contains(s, want) {
			t.Errorf("packaged template lacks %q:\n%s", want, s)
		}
	}
	var layer bool
	for _, b := range got {
		layer = layer || string(b) == "PK fake"
	}
	if !layer {
		t.Error("the layer file was not uploaded as it is")
	}
	// The same files zip to the same bytes, whatever their times.
	a, err := zipDir(filepath.Join(dir, "src"))
	if err != nil {
		t.Fatal(err)
	}
	os.Chtimes(filepath.Join(dir, "src", "app.py"), zipEpoch.AddDate(30, 0, 0), zipEpoch.AddDate(30, 0, 0))
	b, _ := zipDir(filepath.Join(dir, "src"))
	if !bytes.Equal(a, b) {
		t.Error("zipDir of the same files differs after a change of modification time")
	}
	if _, err := packageTemplate(context.Background(), []byte("Resources:\n  A:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: missing/\n"), dir, "bkt", put); err == nil || !strings.Contains(err.Error(), "A.CodeUri") {
		t.Errorf("a missing path = %v; want an error naming A.CodeUri", err)
	}
}

func TestProfileCredentials(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials")
	os.WriteFile(path, []byte("[default]\naws_access_key_id = A\naws_secret_access_key = B\n[dev]\naws_access_key_id=C\naws_secret_access_key=D\naws_session_token=E\n"), 0o600)
	env := map[string]string{"AWS_SHARED_CREDENTIALS_FILE": path}
	getenv := func(k string) string { return env[k] }
	if id, secret, token := profileCredentials(getenv); id != "A" || secret != "B" || token != "" {
		t.Errorf("profileCredentials(default) = %q, %q, %q; want A, B, \"\"", id, secret, token)
	}
	env["AWS_PROFILE"] = "dev"
	if id, secret, token := profileCredentials(getenv); id != "C" || secret != "D" || token != "E" {
		t.Errorf("profileCredentials(dev) = %q, %q, %q; want C, D, E", id, secret, token)
	}
}

// FuzzPackageTemplate: any template either fails with an error or packages into YAML that parses
// again, with no upload for paths that do not exist.
func FuzzPackageTemplate(f *testing.F) {
	f.Add([]byte("Resources:\n  A:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: s3://b/k\n"))
	f.Add([]byte("Globals:\n  Function:\n    CodeUri: nope\nResources: {}\n"))
	f.Add([]byte(`{"Resources":{"A":{"Type":"AWS::Lambda::Function","Properties":{"Code":{"ZipFile":"x"}}}}}`))
	f.Add([]byte("Resources:\n  A: !Ref B\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, tpl []byte) {
		put := func(context.Context, string, []byte) error { return nil }
		out, err := packageTemplate(context.Background(), tpl, dir, "bkt", put)
		if err != nil {
			return
		}
		if _, err := packageTemplate(context.Background(), out, dir, "bkt", put); err != nil {
			t.Fatalf("the packaged template does not package again: %v\n%s", err, out)
		}
	})
}

// FuzzProfileCredentials: any credentials file reads without panicking.
func FuzzProfileCredentials(f *testing.F) {
	f.Add("[default]\naws_access_key_id = A\naws_secret_access_key = B\n")
	f.Add("[x\n=\n[]")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, body string) {
		path := filepath.Join(dir, "credentials")
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		profileCredentials(func(k string) string { return map[string]string{"AWS_SHARED_CREDENTIALS_FILE": path}[k] })
	})
}

func TestExpandLists(t *testing.T) {
	got := strings.Join(expandLists([]string{"--stack-name", "s", "--parameter-overrides", "A=1", "B=2 x", "--capabilities", "CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND", "--no-execute"}), " ")
	want := "--stack-name s --parameter-overrides A=1 --parameter-overrides B=2 x --capabilities CAPABILITY_IAM --capabilities CAPABILITY_AUTO_EXPAND --no-execute"
	if got != want {
		t.Errorf("expandLists = %q; want %q", got, want)
	}
	if got := splitPairs([]string{"A=1 B=2", "C=hello world"}); strings.Join(got, "|") != "A=1|B=2|C=hello world" {
		t.Errorf("splitPairs = %q; want A=1, B=2, C=hello world", got)
	}
}

// TestPackageDefinitions uploads OpenAPI documents and layer directories named by local paths:
// SAM's DefinitionUri and ContentUri become s3:// URIs, BodyS3Location a {Bucket, Key} map.
func TestPackageDefinitions(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "rest.yaml"), []byte("swagger: '2.0'\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "http.yaml"), []byte("openapi: 3.0.1\n"), 0o644)
	os.MkdirAll(filepath.Join(dir, "layer", "python"), 0o755)
	os.WriteFile(filepath.Join(dir, "layer", "python", "lib.py"), []byte("X = 1\n"), 0o644)
	tpl := `Resources:
  Rest:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionUri: rest.yaml
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionUri: http.yaml
  Plain:
    Type: AWS::ApiGateway::RestApi
    Properties:
      BodyS3Location: rest.yaml
  PlainV2:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      BodyS3Location: http.yaml
  Layer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layer
  Kept:
    Type: AWS::ApiGateway::RestApi
    Properties:
      BodyS3Location: {Bucket: b, Key: k}
`
	got := map[string][]byte{}
	put := func(_ context.Context, key string, body []byte) error { got[key] = body; return nil }
	out, err := packageTemplate(context.Background(), []byte(tpl), dir, "bkt", put)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Errorf("uploaded %d objects; want 3 (two documents, one layer zip)", len(got))
	}
	var doc struct {
		Resources map[string]struct {
			Properties map[string]any `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	for id, prop := range map[string]string{"Rest": "DefinitionUri", "Http": "DefinitionUri", "Layer": "ContentUri"} {
		uri, _ := doc.Resources[id].Properties[prop].(string)
		key, ok := strings.CutPrefix(uri, "s3://bkt/")
		if !ok || got[key] == nil {
			t.Errorf("%s.%s = %v; want s3://bkt/<an uploaded key>", id, prop, doc.Resources[id].Properties[prop])
		}
	}
	for id, want := range map[string]string{"Plain": "swagger: '2.0'\n", "PlainV2": "openapi: 3.0.1\n", "Kept": ""} {
		loc, _ := doc.Resources[id].Properties["BodyS3Location"].(map[string]any)
		key, _ := loc["Key"].(string)
		switch {
		case want == "" && (loc["Bucket"] != "b" || key != "k"):
			t.Errorf("%s.BodyS3Location = %v; want it kept", id, loc)
		case want != "" && (loc["Bucket"] != "bkt" || string(got[key]) != want):
			t.Errorf("%s.BodyS3Location = %v; want bkt and the key of the uploaded document", id, loc)
		}
	}
}
