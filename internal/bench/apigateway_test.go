package bench_test

import (
	"context"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/bench"
	"github.com/gureum/gureum/internal/gureumtest"
)

// TestAPIGatewayWorkloads sets up the API Gateway benchmark's REST API on the in-process server
// and runs each workload briefly: every invoke must answer 200 (the figures are gureum-bench's).
func TestAPIGatewayWorkloads(t *testing.T) {
	ctx := context.Background()
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	targets, err := bench.SetUpAPIGateway(ctx, srv.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct{ url, key string }{{targets.Mock, ""}, {targets.Keyed, targets.Key}, {targets.Quota, targets.QuotaKey}} {
		l, err := bench.Invokes(ctx, w.url, w.key, 4, 50*time.Millisecond)
		if err != nil || l.N == 0 {
			t.Errorf("Invokes(%s) = %+v, %v; want answers", w.url, l, err)
		}
	}
	if _, err := bench.Invokes(ctx, targets.Keyed, "", 1, 20*time.Millisecond); err == nil {
		t.Error("Invokes(keyed, no key) succeeded; want the 403 reported")
	}
}
