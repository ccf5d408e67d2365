package telemetry

import "github.com/prometheus/client_golang/prometheus"

// background holds the metrics of background work (package background): job runs and errors,
// leases held, and the outbox's deliveries.
type background struct {
	runs, errors                     *prometheus.CounterVec
	leases                           *prometheus.GaugeVec
	delivered, retried, deadLettered *prometheus.CounterVec
	pending, dead                    prometheus.Gauge
}

func newBackground(reg prometheus.Registerer) background {
	counter := func(name, help string, label string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{label})
	}
	b := background{
		runs:         counter("gureum_background_runs_total", "Background job runs by job.", "job"),
		errors:       counter("gureum_background_errors_total", "Background job errors by job.", "job"),
		delivered:    counter("gureum_outbox_delivered_total", "Outbox deliveries delivered, by kind.", "kind"),
		retried:      counter("gureum_outbox_retried_total", "Outbox delivery attempts that failed and will be retried, by kind.", "kind"),
		deadLettered: counter("gureum_outbox_dead_lettered_total", "Outbox deliveries dead-lettered, by kind.", "kind"),
		leases: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gureum_background_leases_held", Help: "Leases of tasks and shards this node holds, by kind."}, []string{"kind"}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{Name: "gureum_outbox_pending", Help: "Outbox deliveries waiting to be delivered."}),
		dead:    prometheus.NewGauge(prometheus.GaugeOpts{Name: "gureum_outbox_dead", Help: "Outbox deliveries dead-lettered and kept."}),
	}
	reg.MustRegister(b.runs, b.errors, b.leases, b.delivered, b.retried, b.deadLettered, b.pending, b.dead)
	return b
}

// JobRun counts a run of a background job.
func (m *Metrics) JobRun(job string) { m.background.runs.WithLabelValues(job).Inc() }

// JobError counts an error of a background job.
func (m *Metrics) JobError(job string) { m.background.errors.WithLabelValues(job).Inc() }

// LeasesHeld sets how many leases of a kind this node holds.
func (m *Metrics) LeasesHeld(kind string, n int) {
	m.background.leases.WithLabelValues(kind).Set(float64(n))
}

// OutboxDelivered counts a delivery delivered.
func (m *Metrics) OutboxDelivered(kind string) { m.background.delivered.WithLabelValues(kind).Inc() }

// OutboxRetried counts a failed delivery attempt that will be retried.
func (m *Metrics) OutboxRetried(kind string) { m.background.retried.WithLabelValues(kind).Inc() }

// OutboxDeadLettered counts a delivery dead-lettered.
func (m *Metrics) OutboxDeadLettered(kind string) {
	m.background.deadLettered.WithLabelValues(kind).Inc()
}

// OutboxDepth sets the outbox's pending and dead deliveries.
func (m *Metrics) OutboxDepth(pending, dead int64) {
	m.background.pending.Set(float64(pending))
	m.background.dead.Set(float64(dead))
}
