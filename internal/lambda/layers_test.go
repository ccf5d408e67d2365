package lambda_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestLayers publishes two layers, runs a function that imports from both under /opt (the later
// layer's file winning), and checks the layer operations and their errors.
func TestLayers(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	publish := func(name string, files map[string][]byte) *lambda.PublishLayerVersionOutput {
		t.Helper()
		out, err := f.client.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String(name), Description: aws.String("layer " + name),
			Content: &types.LayerVersionContentInput{ZipFile: zipOf(t, files)}, CompatibleRuntimes: []types.Runtime{types.RuntimePython312}})
		if err != nil {
			t.Fatalf("PublishLayerVersion(%s): %v", name, err)
		}
		return out
	}
	base := publish("base", map[string][]byte{"python/helper.py": []byte("WHO = 'base'\n"), "python/shared.py": []byte("FROM = 'base'\n")})
	over := publish("over", map[string][]byte{"python/shared.py": []byte("FROM = 'over'\n")})
	if base.Version != 1 || !strings.HasSuffix(aws.ToString(base.LayerVersionArn), ":layer:base:1") || base.Content == nil || base.Content.CodeSize == 0 {
		t.Errorf("PublishLayerVersion = %+v", base)
	}
	base2 := publish("base", map[string][]byte{"python/helper.py": []byte("WHO = 'base2'\n"), "python/shared.py": []byte("FROM = 'base'\n")})
	if base2.Version != 2 {
		t.Errorf("second version = %d", base2.Version)
	}
	code := zipOf(t, map[string][]byte{"app.py": []byte("import helper, shared\ndef handler(e, c):\n    return helper.WHO + '/' + shared.FROM\n")})
	f.create(t, "layered", "python3.12", "app.handler", code, func(in *lambda.CreateFunctionInput) {
		in.Layers = []string{aws.ToString(base.LayerVersionArn), aws.ToString(over.LayerVersionArn)}
	})
	if out := f.invoke(t, "layered", `{}`); string(out.Payload) != `"base/over"` {
		t.Errorf("Invoke = %s", out.Payload)
	}
	cfg, err := f.client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("layered")})
	if err != nil || len(cfg.Layers) != 2 || cfg.Layers[0].CodeSize == 0 {
		t.Errorf("GetFunctionConfiguration layers = %+v, %v", cfg.Layers, err)
	}
	if _, err := f.client.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("layered"),
		Layers: []string{aws.ToString(base2.LayerVersionArn)}}); err != nil {
		t.Fatal(err)
	}
	if out := f.invoke(t, "layered", `{}`); string(out.Payload) != `"base2/base"` {
		t.Errorf("Invoke after the update = %s", out.Payload)
	}

	got, err := f.client.GetLayerVersionByArn(ctx, &lambda.GetLayerVersionByArnInput{Arn: base.LayerVersionArn})
	if err != nil || got.Version != 1 || aws.ToString(got.Description) != "layer base" || got.Content == nil {
		t.Fatalf("GetLayerVersionByArn = %+v, %v", got, err)
	}
	resp, err := http.Get(aws.ToString(got.Content.Location))
	if err != nil {
		t.Fatal(err)
	}
	zipped, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(zipped) != int(got.Content.CodeSize) {
		t.Errorf("the layer's Location = %d, %d bytes", resp.StatusCode, len(zipped))
	}
	versions, err := f.client.ListLayerVersions(ctx, &lambda.ListLayerVersionsInput{LayerName: aws.String("base")})
	if err != nil || len(versions.LayerVersions) != 2 || versions.LayerVersions[0].Version != 2 {
		t.Errorf("ListLayerVersions = %+v, %v", versions, err)
	}
	layers, err := f.client.ListLayers(ctx, &lambda.ListLayersInput{})
	if err != nil || len(layers.Layers) != 2 || aws.ToString(layers.Layers[0].LayerName) != "base" || layers.Layers[0].LatestMatchingVersion.Version != 2 {
		t.Errorf("ListLayers = %+v, %v", layers, err)
	}
	if _, err := f.client.DeleteLayerVersion(ctx, &lambda.DeleteLayerVersionInput{LayerName: aws.String("base"), VersionNumber: aws.Int64(2)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.GetLayerVersion(ctx, &lambda.GetLayerVersionInput{LayerName: aws.String("base"), VersionNumber: aws.Int64(2)}); errorCode(err) != "ResourceNotFoundException" {
		t.Errorf("GetLayerVersion(deleted) = %v", err)
	}
	if layers, _ := f.client.ListLayers(ctx, &lambda.ListLayersInput{}); len(layers.Layers) != 2 || layers.Layers[0].LatestMatchingVersion.Version != 1 {
		t.Errorf("ListLayers after a delete = %+v", layers)
	}
	// Permissions on a layer version.
	lv := &lambda.GetLayerVersionPolicyInput{LayerName: aws.String("over"), VersionNumber: aws.Int64(1)}
	if _, err := f.client.GetLayerVersionPolicy(ctx, lv); errorCode(err) != "ResourceNotFoundException" {
		t.Errorf("GetLayerVersionPolicy(none) = %v", err)
	}
	add := &lambda.AddLayerVersionPermissionInput{LayerName: aws.String("over"), VersionNumber: aws.Int64(1), StatementId: aws.String("partner"),
		Action: aws.String("lambda:GetLayerVersion"), Principal: aws.String("210987654321")}
	perm, err := f.client.AddLayerVersionPermission(ctx, add)
	if err != nil || !strings.Contains(aws.ToString(perm.Statement), "arn:aws:iam::210987654321:root") || aws.ToString(perm.RevisionId) == "" {
		t.Fatalf("AddLayerVersionPermission = %+v, %v", perm, err)
	}
	if _, err := f.client.AddLayerVersionPermission(ctx, add); errorCode(err) != "ResourceConflictException" {
		t.Errorf("AddLayerVersionPermission(same id) = %v", err)
	}
	add.StatementId, add.Principal = aws.String("bad"), aws.String("someone")
	if _, err := f.client.AddLayerVersionPermission(ctx, add); errorCode(err) != "ValidationException" {
		t.Errorf("AddLayerVersionPermission(bad principal) = %v", err)
	}
	pol, err := f.client.GetLayerVersionPolicy(ctx, lv)
	if err != nil || !strings.Contains(aws.ToString(pol.Policy), `"Sid":"partner"`) || aws.ToString(pol.RevisionId) != aws.ToString(perm.RevisionId) {
		t.Errorf("GetLayerVersionPolicy = %+v, %v", pol, err)
	}
	if _, err := f.client.RemoveLayerVersionPermission(ctx, &lambda.RemoveLayerVersionPermissionInput{LayerName: aws.String("over"), VersionNumber: aws.Int64(1),
		StatementId: aws.String("partner"), RevisionId: aws.String("stale")}); errorCode(err) != "PreconditionFailedException" {
		t.Errorf("RemoveLayerVersionPermission(stale revision) = %v", err)
	}
	if _, err := f.client.RemoveLayerVersionPermission(ctx, &lambda.RemoveLayerVersionPermissionInput{LayerName: aws.String("over"), VersionNumber: aws.Int64(1),
		StatementId: aws.String("partner")}); err != nil {
		t.Errorf("RemoveLayerVersionPermission = %v", err)
	}
	if _, err := f.client.GetLayerVersionPolicy(ctx, lv); errorCode(err) != "ResourceNotFoundException" {
		t.Errorf("GetLayerVersionPolicy after the removal = %v", err)
	}
	missing := strings.TrimSuffix(aws.ToString(base.LayerVersionArn), ":1") + ":9"
	if _, err := f.client.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("nolayer"), Runtime: types.RuntimePython312, Role: aws.String(role),
		Handler: aws.String("app.handler"), Code: &types.FunctionCode{ZipFile: code}, Layers: []string{missing}}); errorCode(err) != "InvalidParameterValueException" {
		t.Errorf("CreateFunction with a missing layer = %v", err)
	}
	if _, err := f.client.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String("bad name"),
		Content: &types.LayerVersionContentInput{ZipFile: code}}); errorCode(err) != "ValidationException" {
		t.Errorf("PublishLayerVersion(bad name) = %v", err)
	}
}
