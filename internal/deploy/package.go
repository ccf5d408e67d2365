package deploy

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// artifact names a property whose local path is uploaded: the property of the resource type, and
// whether the template then holds an s3:// URI (SAM) or a {bucket, key} map with the given names.
type artifact struct {
	prop           string
	uri            bool
	bucket, object string
}

// artifacts are the local paths gureum deploy packages, as aws cloudformation package does.
var artifacts = map[string]artifact{
	"AWS::Serverless::Function":     {prop: "CodeUri", uri: true},
	"AWS::Serverless::LayerVersion": {prop: "ContentUri", uri: true},
	"AWS::Lambda::Function":         {prop: "Code", bucket: "S3Bucket", object: "S3Key"},
	"AWS::Lambda::LayerVersion":     {prop: "Content", bucket: "S3Bucket", object: "S3Key"},
	// OpenAPI documents, read from S3 when the API is created or updated.
	"AWS::Serverless::Api":     {prop: "DefinitionUri", uri: true},
	"AWS::Serverless::HttpApi": {prop: "DefinitionUri", uri: true},
	"AWS::ApiGateway::RestApi": {prop: "BodyS3Location", bucket: "Bucket", object: "Key"},
	"AWS::ApiGatewayV2::Api":   {prop: "BodyS3Location", bucket: "Bucket", object: "Key"},
}

// uploader stores an artifact's bytes under key (a hash of them) and may skip one already there.
type uploader func(ctx context.Context, key string, body []byte) error

// packageTemplate rewrites the template's local artifact paths (relative to dir) into objects in
// bucket, uploading each through put, and returns the rewritten template as YAML.
func packageTemplate(ctx context.Context, body []byte, dir, bucket string, put uploader) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("the template: %w", err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("the template is not a mapping")
	}
	root := doc.Content[0]
	rewrite := func(where string, n *yaml.Node, a artifact) error {
		if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!str" || strings.HasPrefix(n.Value, "s3://") || strings.Contains(n.Value, "://") {
			return nil
		}
		key, err := upload(ctx, dir, n.Value, put)
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		if a.uri {
			*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "s3://" + bucket + "/" + key}
			return nil
		}
		*n = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
			str(a.bucket), str(bucket), str(a.object), str(key)}}
		return nil
	}
	if g := get(get(root, "Globals"), "Function"); g != nil {
		if err := rewrite("Globals.Function.CodeUri", get(g, "CodeUri"), artifacts["AWS::Serverless::Function"]); err != nil {
			return nil, err
		}
	}
	res := get(root, "Resources")
	if res == nil || res.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("the template has no Resources")
	}
	for i := 0; i+1 < len(res.Content); i += 2 {
		id, r := res.Content[i].Value, res.Content[i+1]
		typ := get(r, "Type")
		if typ == nil {
			continue
		}
		a, ok := artifacts[typ.Value]
		if !ok {
			continue
		}
		if err := rewrite(id+"."+a.prop, get(get(r, "Properties"), a.prop), a); err != nil {
			return nil, err
		}
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	return out.Bytes(), enc.Close()
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

// get is a mapping's value under key, or nil.
func get(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// upload reads the artifact at path (a directory is zipped, a file sent as it is) and stores it
// under the MD5 of its bytes, as aws cloudformation package names its objects.
func upload(ctx context.Context, dir, path string, put uploader) (string, error) {
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	var b []byte
	if fi.IsDir() {
		b, err = zipDir(path)
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return "", err
	}
	sum := md5.Sum(b)
	key := hex.EncodeToString(sum[:])
	if fi.IsDir() {
		key += ".zip"
	}
	return key, put(ctx, key, b)
}

// zipEpoch is every entry's time in a zipped directory, so that the same files make the same bytes
// (and the same object key: an unchanged function is not redeployed).
var zipEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// zipDir zips a directory's regular files deterministically: sorted paths, fixed times, modes
// reduced to executable or not.
func zipDir(root string) ([]byte, error) {
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range files {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		rel, _ := filepath.Rel(root, p)
		mode := fs.FileMode(0o644)
		if fi.Mode()&0o111 != 0 {
			mode = 0o755
		}
		h := &zip.FileHeader{Name: filepath.ToSlash(rel), Method: zip.Deflate, Modified: zipEpoch}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(b); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
