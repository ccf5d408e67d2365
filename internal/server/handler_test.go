package server

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gureum/gureum/internal/telemetry"
)

// TestHandlerKeepsPaths checks that the server hands the router every path byte for byte (S3
// keys keep "..", "." and "//"), and answers its own endpoints only at their exact paths.
func TestHandlerKeepsPaths(t *testing.T) {
	var got string
	rt := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.RawPath + "|" + r.URL.Path
		w.WriteHeader(299)
	})
	h := (&Server{metrics: telemetry.New()}).handler(rt)
	for _, path := range []string{"/bkt/a/../b", "/bkt//a//b", "/bkt/./a", "/bkt/a%2F..%2Fb", "/000000000000/../x", "//_gureum/health", "/_gureum/health/", "/metrics/../metrics"} {
		got = ""
		r := httptest.NewRequest("GET", "http://localhost"+path, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != 299 || got != r.URL.RawPath+"|"+r.URL.Path {
			t.Errorf("GET %s = %d, router saw %q; want the router to see it unchanged", path, rec.Code, got)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Errorf("GET /metrics = %d; want 200", rec.Code)
	}
}
