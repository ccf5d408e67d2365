package telemetry

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// apiGateway holds API Gateway's execution metrics, as CloudWatch names them (Count, 4XXError,
// 5XXError, Latency, IntegrationLatency, CacheHitCount, CacheMissCount), by API and stage, and
// by method and resource where the stage's method settings enable detailed metrics.
type apiGateway struct {
	count, client, server, hits, misses *prometheus.CounterVec
	latency, integration                *prometheus.HistogramVec
}

var apiGatewayLabels = []string{"api", "stage", "method", "resource"}

func newAPIGateway(reg prometheus.Registerer) apiGateway {
	counter := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, apiGatewayLabels)
	}
	histogram := func(name, help string) *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help,
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}}, apiGatewayLabels)
	}
	a := apiGateway{
		count:       counter("gureum_apigateway_requests_total", "API Gateway invokes (CloudWatch Count)."),
		client:      counter("gureum_apigateway_4xx_errors_total", "API Gateway invokes answered 4XX (CloudWatch 4XXError)."),
		server:      counter("gureum_apigateway_5xx_errors_total", "API Gateway invokes answered 5XX (CloudWatch 5XXError)."),
		hits:        counter("gureum_apigateway_cache_hits_total", "API Gateway invokes answered from the stage cache (CloudWatch CacheHitCount)."),
		misses:      counter("gureum_apigateway_cache_misses_total", "API Gateway invokes of cached methods answered by the integration (CloudWatch CacheMissCount)."),
		latency:     histogram("gureum_apigateway_latency_seconds", "API Gateway invoke latency, request to answer (CloudWatch Latency)."),
		integration: histogram("gureum_apigateway_integration_latency_seconds", "API Gateway integration latency (CloudWatch IntegrationLatency)."),
	}
	reg.MustRegister(a.count, a.client, a.server, a.hits, a.misses, a.latency, a.integration)
	return a
}

// APIGatewayCache says whether an invoke's method was cached and how it was answered.
type APIGatewayCache int

const (
	NotCached APIGatewayCache = iota
	CacheHit
	CacheMiss
)

// APIGatewayInvoke records one invoke of a REST API's stage (method and resource "" unless the
// stage's detailed metrics are on); integration is 0 when no integration ran.
func (m *Metrics) APIGatewayInvoke(api, stage, method, resource string, status int, latency, integration time.Duration, cache APIGatewayCache) {
	a := &m.apiGateway
	l := prometheus.Labels{"api": api, "stage": stage, "method": method, "resource": resource}
	a.count.With(l).Inc()
	switch {
	case status >= 500:
		a.server.With(l).Inc()
	case status >= 400:
		a.client.With(l).Inc()
	}
	a.latency.With(l).Observe(latency.Seconds())
	if integration > 0 {
		a.integration.With(l).Observe(integration.Seconds())
	}
	switch cache {
	case CacheHit:
		a.hits.With(l).Inc()
	case CacheMiss:
		a.misses.With(l).Inc()
	}
}
