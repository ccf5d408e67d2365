// Package telemetry holds gureum's Prometheus metrics: requests by service, operation and status,
// request latency, the store's commit latency and batch size, and background work (background.go).
package telemetry

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is the set of collectors, registered on its own registry.
type Metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	commitTime  prometheus.Histogram
	commitBatch prometheus.Histogram
	background  background
	apiGateway  apiGateway
}

// New registers gureum's collectors (and the Go runtime's) on a fresh registry.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gureum_requests_total", Help: "Requests by service, operation and HTTP status.",
		}, []string{"service", "operation", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gureum_request_duration_seconds", Help: "Request latency by service and operation.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"service", "operation"}),
		commitTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "gureum_store_commit_duration_seconds", Help: "Durable store commit latency.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}),
		commitBatch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "gureum_store_commit_batch_size", Help: "Writes carried by one store commit (group commit).",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256},
		}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.commitTime, m.commitBatch,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.background = newBackground(m.reg)
	m.apiGateway = newAPIGateway(m.reg)
	return m
}

// Request records one finished request.
func (m *Metrics) Request(service, operation string, status int, d time.Duration) {
	m.requests.WithLabelValues(service, operation, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(service, operation).Observe(d.Seconds())
}

// Commit records one store commit; it has the shape of store.CommitObserver.
func (m *Metrics) Commit(writes int, d time.Duration) {
	m.commitTime.Observe(d.Seconds())
	m.commitBatch.Observe(float64(writes))
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
