package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gureum/gureum/internal/store/sqlstore"
)

// TestLogPlans pins the plans of the log statements that must cost what they touch, not every
// event stored: reads are ranges of log_events_stream or log_events_group, and the sweep walks
// the groups and then each one's expired range.
func TestLogPlans(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "gureum.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for name, want := range map[string]string{
		"eventsStream":     "log_events_stream (stream_id=? AND ts>? AND ts<?)",
		"eventsStreamBack": "log_events_stream (stream_id=? AND ts>? AND ts<?)",
		"eventsGroup":      "log_events_group (group_id=? AND ts>? AND ts<?)",
		"sweepRetention":   "SCAN g; SEARCH e USING COVERING INDEX log_events_group (group_id=? AND ts<?)",
		"sweepGroups":      "log_events_group (group_id=?)",
		"sweepStreams":     "log_events_stream (stream_id=?)",
		"streamsByTime":    "log_streams_last_event",
	} {
		q := sqlstore.LogStatement(name)
		args := make([]any, strings.Count(q, "?"))
		for i := range args {
			args[i] = i
		}
		rows, err := db.r.Query("EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(name, err)
		}
		var steps []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			steps = append(steps, detail)
		}
		rows.Close()
		if got := strings.Join(steps, "; "); !strings.Contains(got, want) || strings.Contains(got, "SCAN e") {
			t.Errorf("%s plans %q; want %q", name, got, want)
		}
	}
}
