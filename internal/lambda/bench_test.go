package lambda_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	gl "github.com/gureum/gureum/internal/lambda"
	"github.com/gureum/gureum/internal/sandbox"
)

// percentiles reports p50 and p99 of the samples in milliseconds.
func percentiles(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(ds[len(ds)/2]), "p50-ms")
	b.ReportMetric(ms(ds[len(ds)*99/100]), "p99-ms")
}

// BenchmarkWarmInvoke is client → response through aws-sdk-go-v2 to a warm Go echo function
// (floor on this kind of machine: 0.167 ms p50 for a bare Runtime API round trip plus a hop).
func BenchmarkWarmInvoke(b *testing.B) {
	f := start(b)
	f.create(b, "warm", "provided.al2023", "bootstrap", zipOf(b, map[string][]byte{"bootstrap*": goBootstrap(b)}))
	ctx := context.Background()
	in := &lambda.InvokeInput{FunctionName: aws.String("warm"), Payload: []byte(`{"echo":"x"}`)}
	if _, err := f.client.Invoke(ctx, in); err != nil {
		b.Fatal(err)
	}
	var ds []time.Duration
	for b.Loop() {
		t0 := time.Now()
		out, err := f.client.Invoke(ctx, in)
		ds = append(ds, time.Since(t0))
		if err != nil || out.FunctionError != nil {
			b.Fatalf("Invoke: %v", err)
		}
	}
	percentiles(b, ds)
}

// BenchmarkColdStart starts an environment, runs one invoke and ends it, in a full sandbox
// and, as the floor, as a bare child process speaking the same Runtime API; bare-start runs
// the interpreter alone (python3 -c pass, node -e 0).
func BenchmarkColdStart(b *testing.B) {
	code := b.TempDir()
	if err := os.WriteFile(filepath.Join(code, "bootstrap"), goBootstrap(b), 0o755); err != nil {
		b.Fatal(err)
	}
	os.WriteFile(filepath.Join(code, "app.py"), []byte("def handler(e, c):\n    return e\n"), 0o644)
	os.WriteFile(filepath.Join(code, "index.js"), []byte("exports.handler = async (e) => e;\n"), 0o644)
	os.Chmod(code, 0o755)
	funcs := []struct{ name, rt, handler string }{
		{"go", "provided.al2023", "bootstrap"}, {"python", "python3.12", "app.handler"}, {"node", "nodejs20.x", "index.handler"},
	}
	levels := []sandbox.Level{sandbox.Namespace, sandbox.Process}
	for _, fn := range funcs {
		for _, level := range levels {
			b.Run(fn.name+"/"+level.String(), func(b *testing.B) {
				m, err := sandbox.New(sandbox.Config{Level: level, StateDir: b.TempDir(), CgroupParent: "gureum-bench", Prebuilt: 2, PrebuiltPorts: gl.SandboxPorts})
				if err != nil {
					b.Skip(err)
				}
				defer m.Close()
				s := gl.New(gl.Config{DataDir: b.TempDir(), Sandboxes: m, Region: "us-east-1"})
				var ds []time.Duration
				for b.Loop() {
					// A cold start with a pre-built sandbox ready, as when starts are not back to back.
					for i := 0; level == sandbox.Namespace && m.Prebuilt() == 0 && i < 200; i++ {
						time.Sleep(10 * time.Millisecond)
					}
					d, out, err := gl.ColdStart(s, fn.rt, fn.handler, code, []byte(`{"echo":"x"}`))
					if err != nil || !strings.Contains(string(out), `"x"`) {
						b.Fatalf("ColdStart: %v %s", err, out)
					}
					ds = append(ds, d)
				}
				percentiles(b, ds)
			})
		}
	}
	python := "python3" // a pyenv shim is a shell script: start the interpreter it names
	if out, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output(); err == nil {
		python = strings.TrimSpace(string(out))
	}
	for _, bare := range [][]string{{python, "-c", "pass"}, {"node", "-e", "0"}} {
		b.Run("bare-start/"+filepath.Base(bare[0]), func(b *testing.B) {
			var ds []time.Duration
			for b.Loop() {
				t0 := time.Now()
				if err := exec.Command(bare[0], bare[1:]...).Run(); err != nil {
					b.Skip(err)
				}
				ds = append(ds, time.Since(t0))
			}
			percentiles(b, ds)
		})
	}
}

// BenchmarkAsyncAccept is an asynchronous Invoke (InvocationType Event) from aws-sdk-go-v2 until
// its 202, which comes once the event is durable in the outbox, beside the floor of one SQS
// SendMessage to the same server (one durable write too). The events run behind it (a warm Go
// echo function), as they would.
func BenchmarkAsyncAccept(b *testing.B) {
	f := start(b)
	f.create(b, "accept", "provided.al2023", "bootstrap", zipOf(b, map[string][]byte{"bootstrap*": goBootstrap(b)}))
	ctx := context.Background()
	q := sqs.NewFromConfig(f.srv.Config())
	qu, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("floor")})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("event-invoke", func(b *testing.B) {
		in := &lambda.InvokeInput{FunctionName: aws.String("accept"), InvocationType: "Event", Payload: []byte(`{"echo":"x"}`)}
		var ds []time.Duration
		for b.Loop() {
			t0 := time.Now()
			out, err := f.client.Invoke(ctx, in)
			ds = append(ds, time.Since(t0))
			if err != nil || out.StatusCode != 202 {
				b.Fatalf("Invoke: %v", err)
			}
		}
		percentiles(b, ds)
	})
	b.Run("sqs-send-floor", func(b *testing.B) {
		in := &sqs.SendMessageInput{QueueUrl: qu.QueueUrl, MessageBody: aws.String(`{"echo":"x"}`)}
		var ds []time.Duration
		for b.Loop() {
			t0 := time.Now()
			_, err := q.SendMessage(ctx, in)
			ds = append(ds, time.Since(t0))
			if err != nil {
				b.Fatal(err)
			}
		}
		percentiles(b, ds)
	})
}
