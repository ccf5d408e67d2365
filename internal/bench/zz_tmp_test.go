package bench_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/bench"
	"github.com/gureum/gureum/internal/gureumtest"
)

func BenchmarkTmpSingle(b *testing.B) {
	ctx := context.Background()
	srv := gureumtest.Start(b, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	c := bench.SQSClient(srv.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
	for _, w := range []string{"single", "batched"} {
		var t bench.Throughput
		var err error
		if w == "single" {
			t, err = bench.SingleSends(ctx, c, 16, 3*time.Second)
		} else {
			t, err = bench.BatchedPipeline(ctx, c, 16, 3*time.Second)
		}
		if err != nil {
			b.Fatal(err)
		}
		fmt.Println(w, t.PerSec, t.P50)
		resp, _ := http.Get(srv.Endpoint + "/metrics")
		body, _ := io.ReadAll(resp.Body)
		for _, l := range strings.Split(string(body), "\n") {
			if strings.Contains(l, "commit") && !strings.HasPrefix(l, "#") {
				fmt.Println(l)
			}
		}
	}
}
