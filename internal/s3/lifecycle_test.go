package s3

import (
	"testing"
	"time"

	"github.com/gureum/gureum/internal/store"
)

func TestDueDate(t *testing.T) {
	mtime := time.Date(2026, 1, 1, 15, 30, 0, 0, time.UTC)
	if got, want := dueDate(mtime, 1, 24*time.Hour), time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("dueDate(15:30 on the 1st, 1 day) = %v; want %v (AWS rounds up to the next midnight)", got, want)
	}
	if got, want := dueDate(time.Unix(25, 0), 2, 10*time.Second), time.Unix(50, 0).UTC(); !got.Equal(want) {
		t.Errorf("dueDate(t=25s, 2 days of 10s) = %v; want %v", got, want)
	}
}

func TestExpiryOf(t *testing.T) {
	doc := marshalDoc(&lifecycleConfiguration{Rules: []lifecycleRule{
		{ID: "logs", Status: "Enabled", Filter: &lifecycleFilter{Prefix: ptr("logs/")}, Expiration: &lifecycleExpiration{Days: ptr(3)}},
		{ID: "tmp", Status: "Enabled", Filter: &lifecycleFilter{Tag: &tag{"tmp", "yes"}}, Expiration: &lifecycleExpiration{Days: ptr(1)}},
		{ID: "off", Status: "Disabled", Expiration: &lifecycleExpiration{Days: ptr(1)}},
	}})
	day := 24 * time.Hour
	mtime := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		o    store.Object
		rule string
		ok   bool
	}{
		{store.Object{Key: "logs/a", Modified: mtime}, "logs", true},
		{store.Object{Key: "logs/a", Modified: mtime, Meta: store.ObjectMeta{Tags: map[string]string{"tmp": "yes"}}}, "tmp", true},
		{store.Object{Key: "other", Modified: mtime}, "", false},
		{store.Object{Key: "logs/a", Modified: mtime, DeleteMarker: true}, "", false},
	}
	for _, tt := range tests {
		e, ok := expiryOf(doc, tt.o, day)
		if ok != tt.ok || e.rule != tt.rule {
			t.Errorf("expiryOf(%q) = %+v, %v; want rule %q, %v", tt.o.Key, e, ok, tt.rule, tt.ok)
		}
	}
	e, _ := expiryOf(doc, store.Object{Key: "logs/x", Modified: mtime}, day)
	if got, want := expirationHeader(e), `expiry-date="Mon, 05 Jan 2026 00:00:00 GMT", rule-id="logs"`; got != want {
		t.Errorf("x-amz-expiration = %s; want %s", got, want)
	}
}

func ptr[T any](v T) *T { return &v }
