package apigatewayv2_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"

	"github.com/gureum/gureum/internal/gureumtest"
)

// BenchmarkHTTPProxy is one request through an HTTP API's HTTP_PROXY route (client → gureum's
// router → route selection, throttles → the upstream → back), beside its floor: the same request
// straight to the upstream. The difference is the gateway's overhead.
func BenchmarkHTTPProxy(b *testing.B) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	}))
	defer up.Close()
	srv := gureumtest.Start(b, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	c := apigatewayv2.NewFromConfig(srv.Config())
	id := httpAPI(b, c, map[string]string{"GET /items/{id}": up.URL + "/items/{id}"}, nil)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	run := func(b *testing.B, url string) {
		b.ReportAllocs()
		for b.Loop() {
			resp, err := client.Get(url)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	}
	b.Run("floor", func(b *testing.B) { run(b, up.URL+"/items/7") })
	b.Run("gateway", func(b *testing.B) { run(b, srv.Endpoint+"/_gureum/execute-api-v2/"+id+"/items/7") })
}
