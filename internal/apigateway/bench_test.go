package apigateway

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/gureum/gureum/internal/background"
)

// BenchmarkMockIntegration is a MOCK method's throughput through the gateway's data plane
// (routing, templates, answer), without the network.
func BenchmarkMockIntegration(b *testing.B) {
	f := newFixture(b)
	f.s.clock.Clock = background.RealClock{}
	f.s.accountRate, f.s.accountBurst = 1e9, 1e9 // measure the gateway, not AWS's account limit
	apiID := f.api(b, "/status", "GET", PutIntegrationInput{Type: "MOCK", RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}, false)
	target := "http://localhost/_gureum/execute-api/" + apiID + "/prod/status"
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec := httptest.NewRecorder()
			f.s.serveInvoke(rec, httptest.NewRequest("GET", target, nil))
			if rec.Code != 200 {
				b.Fatalf("status %d", rec.Code)
			}
		}
	})
}

// BenchmarkKeyCheck is the cost of the API key and usage plan check alone: the key's lookup
// (cached), its plan's token bucket, and the quota's durable count.
func BenchmarkKeyCheck(b *testing.B) {
	for _, tt := range []struct {
		name  string
		quota *QuotaSettings
	}{{"quota", &QuotaSettings{Limit: 1 << 40, Period: "MONTH"}}, {"no-quota", nil}} {
		b.Run(tt.name, func(b *testing.B) {
			f := newFixture(b)
			apiID, key, _, _ := f.keyedAPI(b, &ThrottleSettings{RateLimit: 1e9, BurstLimit: 1 << 30}, tt.quota)
			req := httptest.NewRequest("GET", "http://localhost/_gureum/execute-api/"+apiID+"/prod/status", nil)
			req.Header.Set("x-api-key", key)
			inv := &invocation{r: req, now: f.clock.Now()}
			ctx := context.Background()
			if _, gerr := f.s.invoke(ctx, inv); gerr != nil {
				b.Fatal(gerr)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if gerr := f.s.checkKey(ctx, inv); gerr != nil {
					b.Fatal(gerr)
				}
			}
		})
	}
}
