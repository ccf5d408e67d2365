package s3

import (
	"context"
	"encoding/xml"
	"errors"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// The lifecycle scanner: a periodic job on one node (the runner's lease) that applies every
// bucket's enabled rules to the objects nobody reads: Expiration (Days, Date,
// ExpiredObjectDeleteMarker), NoncurrentVersionExpiration (NoncurrentDays,
// NewerNoncurrentVersions) and AbortIncompleteMultipartUpload. Each deletion is a store change
// like a client's, durable and notified (s3:LifecycleExpiration:*) in the same transaction.

// scanPage is how many versions or uploads one store read returns.
const scanPage = 1000

// scanInterval is how often the scanner runs: a tenth of a lifecycle day, between a second and
// an hour, so a short test day is honoured within a tenth of it.
func (s *Service) scanInterval() time.Duration {
	return min(max(s.lifecycleDay()/10, time.Second), time.Hour)
}

// ScanLifecycle applies every bucket's lifecycle rules once, and returns how many versions,
// delete markers and uploads it removed.
func (s *Service) ScanLifecycle(ctx context.Context) (int, error) {
	buckets, err := s.store.ListBuckets(ctx, "")
	if err != nil {
		return 0, err
	}
	total := 0
	var errs []error
	for _, b := range buckets {
		doc := b.Configs["lifecycle"]
		if doc == "" {
			continue
		}
		var lc lifecycleConfiguration
		if xml.Unmarshal([]byte(doc), &lc) != nil {
			continue
		}
		n, err := s.scanBucket(ctx, b, &lc)
		total += n
		if err != nil {
			errs = append(errs, err)
		}
		if ctx.Err() != nil {
			break
		}
	}
	return total, errors.Join(errs...)
}

func (s *Service) scanBucket(ctx context.Context, b store.Bucket, lc *lifecycleConfiguration) (int, error) {
	n, err := s.scanVersions(ctx, b, lc)
	if err != nil {
		return n, err
	}
	m, err := s.scanUploads(ctx, b, lc)
	return n + m, err
}

// scanVersions walks the bucket's versions key by key, newest first within a key.
func (s *Service) scanVersions(ctx context.Context, b store.Bucket, lc *lifecycleConfiguration) (int, error) {
	total := 0
	var group []store.Object
	r := store.ObjectRange{Bucket: b.Name, Limit: scanPage}
	var afterSeq int64
	for {
		page, err := s.store.ListVersions(ctx, r, afterSeq)
		if err != nil {
			return total, err
		}
		for _, o := range page {
			if len(group) > 0 && group[0].Key != o.Key {
				total += s.expireKey(ctx, b, lc, group)
				group = group[:0]
			}
			group = append(group, o)
		}
		if len(page) < scanPage || ctx.Err() != nil {
			break
		}
		last := page[len(page)-1]
		r.After, afterSeq = last.Key, last.Seq
	}
	if len(group) > 0 {
		total += s.expireKey(ctx, b, lc, group)
	}
	return total, nil
}

// expireKey applies the rules to one key's versions (newest first) and returns how many it removed.
func (s *Service) expireKey(ctx context.Context, b store.Bucket, lc *lifecycleConfiguration, versions []store.Object) int {
	now, day, n := s.now(), s.lifecycleDay(), 0
	kept := 0 // versions left besides a latest delete marker
	for i, o := range versions {
		switch {
		case o.Latest && !o.DeleteMarker:
			if _, done := s.expireIfDue(ctx, b, o); done {
				n++
			}
			kept++
		case o.Latest:
		case i > 0 && s.noncurrentDue(lc, o, versions[i-1].Modified, noncurrentIndex(versions, i), now, day):
			ev := s.events(ctx, b, "LifecycleExpiration:Delete", o)
			if old, err := s.store.DeleteVersion(ctx, b.Name, o.Key, o.VersionID, ev...); err == nil {
				s.free(ctx, old.Data)
				n++
			} else {
				kept++
			}
		default:
			kept++
		}
	}
	if m := versions[0]; m.Latest && m.DeleteMarker && kept == 0 && expiredMarkerRule(lc, m) {
		ev := s.events(ctx, b, "LifecycleExpiration:Delete", m)
		if _, err := s.store.DeleteVersion(ctx, b.Name, m.Key, m.VersionID, ev...); err == nil {
			n++
		}
	}
	return n
}

// noncurrentIndex counts the noncurrent versions newer than versions[i] (the latest is current).
func noncurrentIndex(versions []store.Object, i int) int {
	if versions[0].Latest {
		return i - 1
	}
	return i
}

// noncurrentDue reports whether a rule expires a noncurrent version that became noncurrent at
// since and has newer noncurrent versions before it.
func (s *Service) noncurrentDue(lc *lifecycleConfiguration, o store.Object, since time.Time, newer int, now time.Time, day time.Duration) bool {
	for _, r := range lc.Rules {
		nc := r.NoncurrentVersionExpiration
		if r.Status != "Enabled" || nc == nil || nc.NoncurrentDays == nil || !r.applies(o) {
			continue
		}
		if nc.NewerNoncurrentVersions != nil && newer < *nc.NewerNoncurrentVersions {
			continue
		}
		if !now.Before(dueDate(since, *nc.NoncurrentDays, day)) {
			return true
		}
	}
	return false
}

// expiredMarkerRule reports whether a rule removes a delete marker left with no versions:
// ExpiredObjectDeleteMarker, or an Expiration in days (which implies it).
func expiredMarkerRule(lc *lifecycleConfiguration, m store.Object) bool {
	for _, r := range lc.Rules {
		e := r.Expiration
		if r.Status != "Enabled" || e == nil || !strings.HasPrefix(m.Key, rulePrefix(r)) {
			continue
		}
		if e.ExpiredObjectDeleteMarker != nil && *e.ExpiredObjectDeleteMarker || e.Days != nil {
			return true
		}
	}
	return false
}

// rulePrefix is the key prefix a rule's filter names.
func rulePrefix(r lifecycleRule) string {
	switch f := r.Filter; {
	case r.Prefix != nil:
		return *r.Prefix
	case f == nil:
		return ""
	case f.And != nil:
		return deref(f.And.Prefix)
	}
	return deref(r.Filter.Prefix)
}

// scanUploads aborts the multipart uploads a rule's AbortIncompleteMultipartUpload has expired.
func (s *Service) scanUploads(ctx context.Context, b store.Bucket, lc *lifecycleConfiguration) (int, error) {
	type abort struct {
		prefix string
		days   int
	}
	var rules []abort
	for _, r := range lc.Rules {
		if r.Status == "Enabled" && r.AbortIncompleteMultipartUpload != nil {
			rules = append(rules, abort{rulePrefix(r), r.AbortIncompleteMultipartUpload.DaysAfterInitiation})
		}
	}
	if len(rules) == 0 {
		return 0, nil
	}
	ups, err := s.store.ListUploads(ctx, store.ObjectRange{Bucket: b.Name, Limit: scanPage})
	if err != nil {
		return 0, err
	}
	now, day, n := s.now(), s.lifecycleDay(), 0
	for _, u := range ups {
		for _, r := range rules {
			if !strings.HasPrefix(u.Key, r.prefix) || now.Before(dueDate(u.Initiated, r.days, day)) {
				continue
			}
			if freed, err := s.store.AbortUpload(ctx, u.ID); err == nil {
				s.free(ctx, freed)
				n++
			}
			break
		}
	}
	return n, nil
}
