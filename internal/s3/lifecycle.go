package s3

import (
	"context"
	"encoding/xml"
	"net/http"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// Lifecycle expiration, applied lazily: a GET or HEAD of a current object that a rule has
// expired deletes it (or, in a versioned bucket, puts a delete marker over it) and answers
// NoSuchKey, and a live object's responses carry x-amz-expiration. (The background scanner that
// expires objects nobody reads is not built yet.)

// expiry is when a rule expires an object, and which rule.
type expiry struct {
	at   time.Time
	rule string
}

// dueDate applies AWS's rounding: the start of the day after mtime plus days, one lifecycle day
// being day long (24 h, shorter in tests), counted from the Unix epoch as UTC midnights are.
func dueDate(mtime time.Time, days int, day time.Duration) time.Time {
	t := mtime.Add(time.Duration(days)*day + day)
	return time.Unix(0, t.UnixNano()-t.UnixNano()%int64(day)).UTC()
}

// expiryOf finds the earliest expiration the bucket's enabled rules set for a current object.
func expiryOf(doc string, o store.Object, day time.Duration) (expiry, bool) {
	if doc == "" || o.DeleteMarker {
		return expiry{}, false
	}
	var lc lifecycleConfiguration
	if xml.Unmarshal([]byte(doc), &lc) != nil {
		return expiry{}, false
	}
	var best expiry
	found := false
	for _, r := range lc.Rules {
		if r.Status != "Enabled" || r.Expiration == nil || !r.applies(o) {
			continue
		}
		var at time.Time
		switch e := r.Expiration; {
		case e.Days != nil:
			at = dueDate(o.Modified, *e.Days, day)
		case e.Date != nil:
			t, err := time.Parse(time.RFC3339, *e.Date)
			if err != nil {
				continue
			}
			at = t
		default:
			continue
		}
		if !found || at.Before(best.at) {
			best, found = expiry{at: at, rule: r.ID}, true
		}
	}
	return best, found
}

// applies reports whether a rule's filter selects o (prefix, tags, sizes).
func (r lifecycleRule) applies(o store.Object) bool {
	prefix, tags := "", []tag(nil)
	var gt, lt *int64
	switch f := r.Filter; {
	case r.Prefix != nil:
		prefix = *r.Prefix
	case f == nil:
	case f.And != nil:
		prefix, tags, gt, lt = deref(f.And.Prefix), f.And.Tags, f.And.ObjectSizeGreaterThan, f.And.ObjectSizeLessThan
	default:
		prefix, gt, lt = deref(f.Prefix), f.ObjectSizeGreaterThan, f.ObjectSizeLessThan
		if f.Tag != nil {
			tags = []tag{*f.Tag}
		}
	}
	if !strings.HasPrefix(o.Key, prefix) || gt != nil && o.Size <= *gt || lt != nil && o.Size >= *lt {
		return false
	}
	for _, t := range tags {
		if v, ok := o.Meta.Tags[t.Key]; !ok || v != t.Value {
			return false
		}
	}
	return true
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// expirationHeader is x-amz-expiration's value.
func expirationHeader(e expiry) string {
	return `expiry-date="` + e.at.Format(http.TimeFormat) + `", rule-id="` + e.rule + `"`
}

// expireIfDue deletes a current object whose expiration has passed, as the lifecycle would,
// and reports whether it did.
func (s *Service) expireIfDue(ctx context.Context, b store.Bucket, o store.Object) (expiry, bool) {
	e, ok := expiryOf(b.Configs["lifecycle"], o, s.lifecycleDay())
	if !ok || s.now().Before(e.at) || !o.Latest {
		return e, false
	}
	if b.Versioning == "Enabled" {
		marker := store.Object{Bucket: b.Name, Key: o.Key, VersionID: newVersionID(), DeleteMarker: true, Modified: s.now(),
			Meta: store.ObjectMeta{Owner: b.Account}}
		if freed, err := s.store.PutObject(ctx, marker, nil, s.events(ctx, b, "LifecycleExpiration:DeleteMarkerCreated", marker)...); err == nil {
			s.free(ctx, freed)
		}
		return e, true
	}
	ev := s.events(ctx, b, "LifecycleExpiration:Delete", o)
	if old, err := s.store.DeleteVersion(ctx, b.Name, o.Key, o.VersionID, ev...); err == nil {
		s.free(ctx, old.Data)
	}
	return e, true
}

func (s *Service) lifecycleDay() time.Duration {
	if s.deps.LifecycleDay > 0 {
		return s.deps.LifecycleDay
	}
	return 24 * time.Hour
}
