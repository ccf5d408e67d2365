package lambda_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gureum/gureum/internal/blob"
	lambdasvc "github.com/gureum/gureum/internal/lambda"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/sandbox"
	"github.com/gureum/gureum/internal/store/sqlite"
)

type usageLog struct {
	mu sync.Mutex
	us []lambdasvc.Usage
}

func (l *usageLog) RecordUsage(_ context.Context, u lambdasvc.Usage) {
	l.mu.Lock()
	l.us = append(l.us, u)
	l.mu.Unlock()
}

// TestUsageRecorder: every completed invocation is reported once, with the function's memory,
// ephemeral storage and architecture and a duration billed to the millisecond.
func TestUsageRecorder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	blobs, err := blob.NewFiles(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	level, auto, _ := sandbox.ParseLevel("")
	m, err := sandbox.New(sandbox.Config{Level: level, Auto: auto, StateDir: filepath.Join(dir, "sandbox"), PrebuiltPorts: lambdasvc.SandboxPorts})
	if err != nil {
		t.Skip(err)
	}
	log := &usageLog{}
	svc := lambdasvc.New(lambdasvc.Config{Store: st, Blobs: blobs, Sandboxes: m, Region: "us-east-1", DataDir: filepath.Join(dir, "functions"), Usage: log})
	svc.Start(ctx)
	defer svc.Stop()
	rctx := request.With(ctx, &request.Info{ID: "r1", Principal: request.RootPrincipal("000000000000", "AK")})
	mem := int32(256)
	if _, err := svc.CreateFunction(rctx, &lambdasvc.CreateFunctionInput{FunctionName: "billed", Runtime: "python3.12", Role: role, Handler: "app.handler",
		MemorySize: &mem, Architectures: []string{"arm64"}, Code: &lambdasvc.FunctionCode{ZipFile: pyZip(t, versionHandler)}}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := svc.Invoke(rctx, &lambdasvc.InvokeInput{FunctionName: "billed"}); err != nil {
			t.Fatal(err)
		}
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	if len(log.us) != 2 {
		t.Fatalf("usage records = %+v; want 2", log.us)
	}
	for _, u := range log.us {
		if u.AccountID != "000000000000" || u.Region != "us-east-1" || u.FunctionName != "billed" || u.Version != "$LATEST" || u.Architecture != "arm64" ||
			u.MemoryMB != 256 || u.EphemeralStorageMB != 512 || u.BilledDuration <= 0 || u.BilledDuration%1e6 != 0 || u.At.IsZero() {
			t.Errorf("usage = %+v", u)
		}
	}
}
