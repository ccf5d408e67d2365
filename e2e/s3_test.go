package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestS3WithAWSCLI drives S3 with the AWS CLI: mb, cp (a 12 MiB file goes up in parts), ls,
// sync, presign, rm, and s3api put-bucket-policy / get-bucket-policy.
func TestS3WithAWSCLI(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("NOTICE: the AWS CLI is not installed; skipping")
	}
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{})
	dir := t.TempDir()
	// The CLI presigns with SigV2 for an endpoint it does not know unless told SigV4, which is
	// all gureum verifies.
	config := filepath.Join(dir, "config")
	os.WriteFile(config, []byte("[default]\ns3 =\n  signature_version = s3v4\n"), 0o600)
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("aws", args...)
		cmd.Env = append(awsEnv(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey), "AWS_CONFIG_FILE="+config)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	big := make([]byte, 12<<20)
	rand.Read(big)
	os.WriteFile(filepath.Join(dir, "big.bin"), big, 0o600)
	os.MkdirAll(filepath.Join(dir, "site", "css"), 0o700)
	os.WriteFile(filepath.Join(dir, "site", "index.html"), []byte("<h1>hi</h1>"), 0o600)
	os.WriteFile(filepath.Join(dir, "site", "css", "a b.css"), []byte("body{}"), 0o600)

	run("s3", "mb", "s3://cli-bucket")
	run("s3", "cp", filepath.Join(dir, "big.bin"), "s3://cli-bucket/data/big.bin")
	run("s3", "cp", "s3://cli-bucket/data/big.bin", filepath.Join(dir, "back.bin"))
	if back, _ := os.ReadFile(filepath.Join(dir, "back.bin")); !bytes.Equal(back, big) {
		t.Errorf("aws s3 cp round trip of 12 MiB: %d bytes back, equal %v", len(back), bytes.Equal(back, big))
	}
	c := s3.NewFromConfig(gureumtest.ConfigFor(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey, ""), func(o *s3.Options) { o.UsePathStyle = true })
	head, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("cli-bucket"), Key: aws.String("data/big.bin")})
	if err != nil || !strings.Contains(aws.ToString(head.ETag), "-") {
		t.Errorf("HeadObject of the CLI's upload = %v, %v; want a multipart ETag (the CLI splits files over 8 MB)", head, err)
	}
	run("s3", "sync", filepath.Join(dir, "site"), "s3://cli-bucket/site")
	ls := run("s3", "ls", "--recursive", "s3://cli-bucket/site/")
	if !strings.Contains(ls, "site/index.html") || !strings.Contains(ls, "site/css/a b.css") {
		t.Errorf("aws s3 ls --recursive = %s", ls)
	}
	if again := run("s3", "sync", filepath.Join(dir, "site"), "s3://cli-bucket/site"); strings.Contains(again, "upload:") {
		t.Errorf("a second sync uploaded again: %s", again)
	}
	url := strings.TrimSpace(run("s3", "presign", "s3://cli-bucket/site/index.html", "--expires-in", "300"))
	if status, body := httpGet(t, url); status != 200 || body != "<h1>hi</h1>" {
		t.Errorf("GET of a presigned URL = %d %q", status, body)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::cli-bucket/*"}]}`
	run("s3api", "put-bucket-policy", "--bucket", "cli-bucket", "--policy", policy)
	if got := run("s3api", "get-bucket-policy", "--bucket", "cli-bucket", "--query", "Policy", "--output", "text"); strings.TrimSpace(got) != policy {
		t.Errorf("get-bucket-policy = %s", got)
	}
	run("s3", "rm", "--recursive", "s3://cli-bucket/")
	if ls := run("s3", "ls", "--recursive", "s3://cli-bucket/"); strings.TrimSpace(ls) != "" {
		t.Errorf("after rm --recursive: %s", ls)
	}
	run("s3", "rb", "s3://cli-bucket")
}

// TestS3WithBoto3 drives S3 with boto3: upload_file and download_file of a 9 MiB file (in
// parts), a presigned GET read with urllib, and a presigned POST form upload.
func TestS3WithBoto3(t *testing.T) {
	t.Parallel()
	if exec.Command("python3", "-c", "import boto3").Run() != nil {
		t.Skip("NOTICE: python3 with boto3 is not installed; skipping")
	}
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{})
	dir := t.TempDir()
	script := `
import boto3, os, sys, urllib.request, hashlib, uuid
d = sys.argv[1]
s3 = boto3.client("s3", config=boto3.session.Config(signature_version="s3v4", s3={"addressing_style": "path"}))
s3.create_bucket(Bucket="py-bucket")
data = os.urandom(9 * 1024 * 1024)
open(os.path.join(d, "up.bin"), "wb").write(data)
s3.upload_file(os.path.join(d, "up.bin"), "py-bucket", "dir/up.bin")
s3.download_file("py-bucket", "dir/up.bin", os.path.join(d, "down.bin"))
print("roundtrip", open(os.path.join(d, "down.bin"), "rb").read() == data)
url = s3.generate_presigned_url("get_object", Params={"Bucket": "py-bucket", "Key": "dir/up.bin"}, ExpiresIn=300)
print("presigned", hashlib.md5(urllib.request.urlopen(url).read()).hexdigest() == hashlib.md5(data).hexdigest())
post = s3.generate_presigned_post("py-bucket", "forms/${filename}", Conditions=[["content-length-range", 1, 1000]], ExpiresIn=300)
boundary = uuid.uuid4().hex
body = b""
for k, v in post["fields"].items():
    body += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary, k, v)).encode()
body += ("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"note.txt\"\r\nContent-Type: text/plain\r\n\r\n" % boundary).encode() + b"posted" + ("\r\n--%s--\r\n" % boundary).encode()
req = urllib.request.Request(post["url"], data=body, method="POST", headers={"Content-Type": "multipart/form-data; boundary=" + boundary})
print("post", urllib.request.urlopen(req).status, s3.get_object(Bucket="py-bucket", Key="forms/note.txt")["Body"].read().decode())
`
	cmd := exec.Command("python3", "-c", script, dir)
	cmd.Env = awsEnv(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
	out, err := cmd.CombinedOutput()
	if want := "roundtrip True\npresigned True\npost 204 posted\n"; err != nil || string(out) != want {
		t.Errorf("boto3 printed %q, %v; want %q", out, err, want)
	}
}

// TestS3Kill9UnderPutLoad kills the server without warning while clients PUT, restarts it, and
// checks that every PUT it acknowledged reads back byte-exact.
func TestS3Kill9UnderPutLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{DataDir: dir})
	cfg := gureumtest.ConfigFor(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey, "")
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true; o.RetryMaxAttempts = 1 })
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("load")}); err != nil {
		t.Fatal(err)
	}
	body := func(w, i int) []byte {
		size := 100 + (i*7919)%(200<<10) // 100 B to 200 KiB: inline and blob objects
		unit := []byte(fmt.Sprintf("%d/%d;", w, i))
		return bytes.Repeat(unit, size/len(unit)+1)[:size]
	}
	var mu sync.Mutex
	acked := map[string][]byte{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key, b := fmt.Sprintf("w%d/%05d", w, i), body(w, i)
				if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("load"), Key: aws.String(key), Body: bytes.NewReader(b)}); err != nil {
					return // the server is gone
				}
				mu.Lock()
				acked[key] = b
				mu.Unlock()
			}
		}(w)
	}
	time.Sleep(1500 * time.Millisecond)
	p.Cmd.Process.Kill()
	p.Cmd.Wait()
	close(stop)
	wg.Wait()
	if len(acked) == 0 {
		t.Fatal("no PUT was acknowledged before the kill")
	}
	again := gureumtest.StartBinary(t, bin, gureumtest.Options{DataDir: dir})
	c = s3.NewFromConfig(gureumtest.ConfigFor(again.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey, ""), func(o *s3.Options) { o.UsePathStyle = true })
	lost := 0
	for key, want := range acked {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("load"), Key: aws.String(key)})
		if err != nil {
			lost++
			t.Errorf("acknowledged %s: %v after kill -9", key, err)
			continue
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if !bytes.Equal(got, want) {
			t.Errorf("acknowledged %s came back as %d bytes; want %d byte-exact", key, len(got), len(want))
		}
	}
	t.Logf("%d acknowledged PUTs before kill -9, %d lost", len(acked), lost)
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
