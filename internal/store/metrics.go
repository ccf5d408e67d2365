package store

import (
	"context"
	"time"
)

// MetricPoint is one CloudWatch datum as stored: a statistic set (a single value is a set of
// one) of one metric at one time. Dims is the metric's dimensions in canonical form (name=value
// pairs sorted by name, joined by newlines), so one metric has one spelling.
type MetricPoint struct {
	Account   string
	Namespace string
	Name      string
	Dims      string
	Time      time.Time
	Count     float64
	Sum       float64
	Min       float64
	Max       float64
	Unit      string
}

// Metric is one metric that has data: what ListMetrics reports.
type Metric struct {
	Account   string
	Namespace string
	Name      string
	Dims      string
	Updated   time.Time // its latest datum's arrival
}

// AlarmRecord is one CloudWatch alarm: its configuration and state as a document (the
// cloudwatch package's), under an optimistic revision.
type AlarmRecord struct {
	Account string
	Name    string
	Rev     int64
	Doc     []byte
}

// AlarmHistoryItem is one entry of an alarm's history.
type AlarmHistoryItem struct {
	Account string
	Name    string
	Time    time.Time
	Type    string // ConfigurationUpdate, StateUpdate, Action
	Summary string
	Data    string // JSON
}

// Metrics stores CloudWatch's metrics, alarms and alarm history.
type Metrics interface {
	// PutMetricPoints stores data points and notes their metrics as having data, in one write.
	PutMetricPoints(ctx context.Context, pts []MetricPoint) error
	// MetricPoints lists one metric's points with from <= Time < to, by time.
	MetricPoints(ctx context.Context, account, namespace, name, dims string, from, to time.Time) ([]MetricPoint, error)
	// ListMetrics lists an account's metrics (namespace and name: "" selects any) updated at or
	// after since, by namespace, name and dimensions.
	ListMetrics(ctx context.Context, account, namespace, name string, since time.Time) ([]Metric, error)
	// SweepMetricPoints drops points older than before, at most limit of them.
	SweepMetricPoints(ctx context.Context, before time.Time, limit int) (int, error)

	// PutAlarm writes an alarm with its history entries and outbox deliveries in one write. At
	// Rev 0 it makes or replaces the alarm whatever its revision; otherwise the alarm must still
	// be at Rev (ErrConditionFailed when it is not, ErrNotFound when it is gone). The stored
	// revision becomes one more.
	PutAlarm(ctx context.Context, a AlarmRecord, history []AlarmHistoryItem, ds []Delivery) error
	// Alarm reads one alarm.
	Alarm(ctx context.Context, account, name string) (AlarmRecord, error)
	// ListAlarms lists an account's alarms by name ("" lists every account's, by account).
	ListAlarms(ctx context.Context, account string) ([]AlarmRecord, error)
	// DeleteAlarm removes an alarm and its history (ErrNotFound when there is none).
	DeleteAlarm(ctx context.Context, account, name string) error
	// AlarmHistory lists an account's alarm history (name "" for every alarm) with
	// from <= Time < to, newest first, at most limit entries.
	AlarmHistory(ctx context.Context, account, name string, from, to time.Time, limit int) ([]AlarmHistoryItem, error)
}
