package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// S3Client is an aws-sdk-go-v2 S3 client (path style) for an endpoint, with a connection pool
// sized for many concurrent callers. It sends checksums only where an operation requires one,
// the same for every target.
func S3Client(endpoint, keyID, secret string) *s3.Client {
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}
	return s3.New(s3.Options{
		Region:                     "us-east-1",
		BaseEndpoint:               aws.String(endpoint),
		Credentials:                credentials.NewStaticCredentialsProvider(keyID, secret, ""),
		UsePathStyle:               true,
		RetryMaxAttempts:           1,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		HTTPClient:                 &http.Client{Transport: tr, Timeout: 60 * time.Second},
	})
}

// S3Puts PUTs objects of size bytes from `clients` workers for d, each to a key of its own.
func S3Puts(ctx context.Context, c *s3.Client, bucket string, size, clients int, d time.Duration) (Latencies, error) {
	body := bytes.Repeat([]byte("g"), size)
	return concurrently(ctx, clients, 1<<62, d, func(ctx context.Context, i int64) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(fmt.Sprintf("put/%d/%d", size, i)),
			Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(size))})
		return err
	})
}

// S3Gets GETs (and reads through) `objects` objects of size bytes, put first, from `clients`
// workers for d.
func S3Gets(ctx context.Context, c *s3.Client, bucket string, size, objects, clients int, d time.Duration) (Latencies, error) {
	body := bytes.Repeat([]byte("g"), size)
	key := func(i int64) *string { return aws.String(fmt.Sprintf("get/%d/%d", size, i%int64(objects))) }
	if _, err := concurrently(ctx, clients, int64(objects), time.Hour, func(ctx context.Context, i int64) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: key(i), Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(size))})
		return err
	}); err != nil {
		return Latencies{}, err
	}
	return concurrently(ctx, clients, 1<<62, d, func(ctx context.Context, i int64) error {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: key(i)})
		if err != nil {
			return err
		}
		defer out.Body.Close()
		n, err := io.Copy(io.Discard, out.Body)
		if err == nil && n != int64(size) {
			err = fmt.Errorf("GET returned %d bytes; want %d", n, size)
		}
		return err
	})
}

// FileFloor measures the disk's floor under an object store on dir: writing size bytes to a new
// file, fsyncing it and renaming it into place (writes), then reading such files back (reads),
// from `workers` goroutines for d each.
func FileFloor(ctx context.Context, dir string, size, workers int, d time.Duration) (writes, reads Latencies, err error) {
	body := bytes.Repeat([]byte("f"), size)
	var mu sync.Mutex
	var made []string
	writes, err = concurrently(ctx, workers, 1<<62, d, func(_ context.Context, i int64) error {
		tmp := filepath.Join(dir, "tmp-"+strconv.FormatInt(i, 10))
		f, err := os.Create(tmp)
		if err != nil {
			return err
		}
		if _, err := f.Write(body); err != nil {
			f.Close()
			return err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		f.Close()
		name := filepath.Join(dir, "obj-"+strconv.FormatInt(i, 10))
		if err := os.Rename(tmp, name); err != nil {
			return err
		}
		mu.Lock()
		made = append(made, name)
		mu.Unlock()
		return nil
	})
	if err != nil || len(made) == 0 {
		return writes, reads, err
	}
	reads, err = concurrently(ctx, workers, 1<<62, d, func(_ context.Context, i int64) error {
		b, err := os.ReadFile(made[i%int64(len(made))])
		if err == nil && len(b) != size {
			err = fmt.Errorf("read %d bytes; want %d", len(b), size)
		}
		return err
	})
	return writes, reads, err
}

// startMinIO runs a MinIO binary in single-drive mode on dir (its default fsync policy).
func startMinIO(ctx context.Context, bin, dir string) (string, func(), error) {
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.CommandContext(ctx, bin, "server", dir, "--address", addr, "--quiet")
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER=AKIAGUREUMBENCH00001", "MINIO_ROOT_PASSWORD=bench-secret", "MINIO_BROWSER=off")
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/minio/health/live"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return "http://" + addr, stop, nil
			}
		}
	}
	stop()
	return "", nil, fmt.Errorf("minio did not become live on %s", addr)
}

// RunS3 measures S3 PUT and GET of 4 KiB and 1 MiB objects on gureum (SQLite) beside the disk's
// floor, moto_server and, with --minio, MinIO in single-drive mode.
func RunS3(ctx context.Context, o Options) error {
	dir, err := os.MkdirTemp("", "gureum-bench-s3")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var tbl table
	const clients = 16
	d := o.Duration
	for _, size := range []int{4 << 10, 1 << 20} {
		fdir := filepath.Join(dir, "floor-"+strconv.Itoa(size))
		os.MkdirAll(fdir, 0o700)
		w, r, err := FileFloor(ctx, fdir, size, clients, d)
		if err != nil {
			return err
		}
		os.RemoveAll(fdir)
		tbl.add("s3", fmt.Sprintf("floor: %s file write+fsync+rename, %d writers", sizeName(size), clients), rate(w, size), "")
		tbl.add("s3", fmt.Sprintf("floor: %s file read, %d readers", sizeName(size), clients), rate(r, size), "")
	}
	type target struct{ name, endpoint string }
	cmd, endpoint, _, err := StartBinary(ctx, o.Binary, filepath.Join(dir, "gureum"), "AKIAGUREUMBENCH00001", "bench-secret")
	if err != nil {
		return err
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	targets := []target{{"gureum sqlite", endpoint}}
	if o.MinIO != "" {
		if ep, stop, err := startMinIO(ctx, o.MinIO, filepath.Join(dir, "minio")); err == nil {
			defer stop()
			targets = append(targets, target{"minio single-drive", ep})
		} else {
			fmt.Fprintf(os.Stderr, "NOTICE: MinIO not measured: %v\n", err)
		}
	}
	if !o.NoPeer {
		if moto, stop, err := Moto(ctx); err == nil {
			defer stop()
			targets = append(targets, target{"moto_server", moto})
		} else {
			fmt.Fprintf(os.Stderr, "NOTICE: moto_server not measured: %v\n", err)
		}
	}
	for _, t := range targets {
		c := S3Client(t.endpoint, "AKIAGUREUMBENCH00001", "bench-secret")
		bucket := fmt.Sprintf("bench-%d", time.Now().UnixNano())
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
			return fmt.Errorf("%s: CreateBucket: %w", t.name, err)
		}
		for _, size := range []int{4 << 10, 1 << 20} {
			put, err := S3Puts(ctx, c, bucket, size, clients, d)
			if err != nil {
				return fmt.Errorf("%s: PUT %s: %w", t.name, sizeName(size), err)
			}
			tbl.add("s3", fmt.Sprintf("PUT %s, %d clients: %s", sizeName(size), clients, t.name), rate(put, size), "")
			get, err := S3Gets(ctx, c, bucket, size, 200, clients, d)
			if err != nil {
				return fmt.Errorf("%s: GET %s: %w", t.name, sizeName(size), err)
			}
			tbl.add("s3", fmt.Sprintf("GET %s, %d clients: %s", sizeName(size), clients, t.name), rate(get, size), "")
		}
	}
	floor, notify, err := S3Notifications(ctx, S3Client(endpoint, "AKIAGUREUMBENCH00001", "bench-secret"),
		SQSClient(endpoint, "AKIAGUREUMBENCH00001", "bench-secret"), d)
	if err != nil {
		return fmt.Errorf("gureum sqlite: notifications: %w", err)
	}
	tbl.add("s3", "floor: SendMessage → waiting long poll returns: gureum sqlite", latency(floor), "")
	tbl.add("s3", "PUT 1 KiB → its event on a subscribed queue: gureum sqlite", latency(notify), "")
	return tbl.print(o.Out)
}

func latency(l Latencies) string {
	return fmt.Sprintf("p50 %s, p99 %s (%d samples)", ms(l.P50), ms(l.P99), l.N)
}

// S3Notifications measures, one at a time for about d each, the time from the start of a PUT
// to the return of a long poll already waiting on a queue subscribed to the bucket's
// ObjectCreated events (the event's way: the outbox, its dispatcher, SQS's in-process Enqueue,
// the poll's wake-up), and beside it the floor of the queue's part: from the start of a
// SendMessage to the same poll's return.
func S3Notifications(ctx context.Context, s3c *s3.Client, q *sqs.Client, d time.Duration) (floor, notify Latencies, err error) {
	name := fmt.Sprintf("bench-events-%d", time.Now().UnixNano())
	url, err := newQueue(ctx, q, name)
	if err != nil {
		return floor, notify, err
	}
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		return floor, notify, err
	}
	arn := attrs.Attributes["QueueArn"]
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &name}); err != nil {
		return floor, notify, err
	}
	if _, err := s3c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: &name,
		NotificationConfiguration: &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{
			{QueueArn: &arn, Events: []s3types.Event{s3types.EventS3ObjectCreated}}}}}); err != nil {
		return floor, notify, err
	}
	// The configuration's s3:TestEvent arrives first.
	if _, err := waitFor(ctx, q, url, "s3:TestEvent", func() error { return nil }); err != nil {
		return floor, notify, err
	}
	body := bytes.Repeat([]byte("n"), 1<<10)
	floor, err = timeEach(ctx, d, func(i int) (time.Duration, error) {
		tag := fmt.Sprintf("floor-%d", i)
		return waitFor(ctx, q, url, tag, func() error {
			_, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: &tag})
			return err
		})
	})
	if err != nil {
		return floor, notify, err
	}
	notify, err = timeEach(ctx, d, func(i int) (time.Duration, error) {
		key := fmt.Sprintf("event-%d", i)
		return waitFor(ctx, q, url, key, func() error {
			_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: &name, Key: &key, Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body)))})
			return err
		})
	})
	return floor, notify, err
}

// timeEach runs one measurement after another for about d (at least 5, at most 500).
func timeEach(ctx context.Context, d time.Duration, one func(i int) (time.Duration, error)) (Latencies, error) {
	var all []time.Duration
	start := time.Now()
	for i := 0; i < 500 && (i < 5 || time.Since(start) < d); i++ {
		took, err := one(i)
		if err != nil {
			return Latencies{}, err
		}
		all = append(all, took)
	}
	return summarize(all, time.Since(start)), nil
}

// waitFor starts a long poll on the queue, then act, and returns the time from act's start to
// the poll's return with a message whose body holds want (deleted).
func waitFor(ctx context.Context, q *sqs.Client, url, want string, act func() error) (time.Duration, error) {
	type got struct {
		at  time.Time
		err error
	}
	done := make(chan got, 1)
	go func() {
		for {
			out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 20, MaxNumberOfMessages: 10})
			at := time.Now()
			if err != nil {
				done <- got{err: err}
				return
			}
			if len(out.Messages) == 0 {
				done <- got{err: fmt.Errorf("no message holding %q within 20 s", want)}
				return
			}
			found := false
			for _, m := range out.Messages {
				q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle})
				found = found || bytes.Contains([]byte(aws.ToString(m.Body)), []byte(want))
			}
			if found {
				done <- got{at: at}
				return
			}
		}
	}()
	time.Sleep(20 * time.Millisecond) // the poll is waiting
	start := time.Now()
	if err := act(); err != nil {
		return 0, err
	}
	g := <-done
	return g.at.Sub(start), g.err
}

func sizeName(size int) string {
	if size >= 1<<20 {
		return fmt.Sprintf("%d MiB", size>>20)
	}
	return fmt.Sprintf("%d KiB", size>>10)
}

func rate(l Latencies, size int) string {
	return fmt.Sprintf("%.0f /s (%.1f MiB/s), p50 %s, p99 %s", l.PerSec, l.PerSec*float64(size)/(1<<20), ms(l.P50), ms(l.P99))
}
