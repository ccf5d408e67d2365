package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestBlobsAcrossNodes runs two servers, each with its own data dir, on one PostgreSQL database:
// a 1 MiB object (a blob, above the 64 KiB kept inline) PUT through node A is read back through
// node B, and a function created through node A is invoked on node B, with blobs in PostgreSQL
// (the default there) and with both nodes given one --blob-dir (a shared file system's mount).
func TestBlobsAcrossNodes(t *testing.T) {
	t.Parallel()
	backends := gureumtest.Backends(t)
	if len(backends) < 2 {
		t.Skip("NOTICE: " + gureumtest.PostgresEnv + " is not set; skipping the two-node blob test")
	}
	for _, place := range []string{"postgres", "blob-dir"} {
		t.Run(place, func(t *testing.T) {
			args := backends[1].Args
			if place == "blob-dir" {
				backends := gureumtest.Backends(t) // a schema of its own
				args = append([]string{"--blob-dir", t.TempDir()}, backends[1].Args...)
			}
			a, b := gureumtest.StartBinary(t, bin, gureumtest.Options{Args: args}), gureumtest.StartBinary(t, bin, gureumtest.Options{Args: args})
			blobObjectAcrossNodes(t, a, b)
			blobFunctionAcrossNodes(t, a, b)
		})
	}
}

func blobObjectAcrossNodes(t *testing.T, a, b *gureumtest.Process) {
	ctx := context.Background()
	client := func(p *gureumtest.Process) *s3.Client {
		return s3.NewFromConfig(p.Config(), func(o *s3.Options) { o.UsePathStyle = true })
	}
	ca, cb := client(a), client(b)
	if _, err := ca.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("shared-blobs")}); err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 1<<20)
	for i := range data {
		data[i] = byte(i * 7 % 253)
	}
	if _, err := ca.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared-blobs"), Key: aws.String("big"), Body: bytes.NewReader(data)}); err != nil {
		t.Fatalf("PutObject on A: %v", err)
	}
	out, err := cb.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("shared-blobs"), Key: aws.String("big")})
	if err != nil {
		t.Fatalf("GetObject on B: %v\nnode b logs:\n%s", err, b.Logs.String())
	}
	got, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("GetObject on B read %d bytes, %v; want A's %d", len(got), err, len(data))
	}
	rg, err := cb.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("shared-blobs"), Key: aws.String("big"), Range: aws.String("bytes=1048570-")})
	if err != nil {
		t.Fatalf("ranged GetObject on B: %v", err)
	}
	got, err = io.ReadAll(rg.Body)
	rg.Body.Close()
	if err != nil || !bytes.Equal(got, data[1048570:]) {
		t.Errorf("ranged GetObject on B = %v, %v; want %v", got, err, data[1048570:])
	}
}

func blobFunctionAcrossNodes(t *testing.T, a, b *gureumtest.Process) {
	ctx := context.Background()
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("app.py")
	w.Write([]byte("def handler(event, context):\n    return {\"hello\": event[\"name\"]}\n"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	fa, fb := lambda.NewFromConfig(a.Config()), lambda.NewFromConfig(b.Config())
	if _, err := fa.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("made-on-a"), Runtime: ltypes.RuntimePython312,
		Role: aws.String("arn:aws:iam::000000000000:role/r"), Handler: aws.String("app.handler"), Code: &ltypes.FunctionCode{ZipFile: zb.Bytes()}}); err != nil {
		t.Fatalf("CreateFunction on A: %v", err)
	}
	out, err := fb.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("made-on-a"), Payload: []byte(`{"name":"b"}`)})
	if err != nil {
		t.Fatalf("Invoke on B: %v\nnode b logs:\n%s", err, b.Logs.String())
	}
	if out.FunctionError != nil || string(out.Payload) != `{"hello": "b"}` {
		t.Fatalf("Invoke on B = %v %s; want {\"hello\": \"b\"}", aws.ToString(out.FunctionError), out.Payload)
	}
}
