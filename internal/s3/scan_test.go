package s3

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/sqlite"
)

// scanFixture is the service on an embedded store with a fake clock, called as the root.
type scanFixture struct {
	s     *Service
	st    store.Store
	clock *background.FakeClock
	ctx   context.Context
}

func newScanFixture(t *testing.T) *scanFixture {
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "gureum.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := background.NewFakeClock(time.Date(2026, 3, 1, 20, 0, 0, 0, time.UTC))
	s := New(Deps{Env: service.Env{Region: "us-east-1", Clock: clock, DataDir: dir}, Store: st, LifecycleDay: time.Hour})
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	ctx := request.With(context.Background(), &request.Info{ID: "req", Principal: request.RootPrincipal("000000000000", "AKIA")})
	return &scanFixture{s: s, st: st, clock: clock, ctx: ctx}
}

func (f *scanFixture) put(t *testing.T, bucket, key, body string) {
	t.Helper()
	h := http.Header{"Content-Length": {"0"}}
	if _, err := f.s.PutObject(f.ctx, &PutObjectInput{Bucket: bucket, Key: key, Header: h, Body: strings.NewReader(body)}); err != nil {
		t.Fatalf("PutObject(%s): %v", key, err)
	}
}

func (f *scanFixture) versions(t *testing.T, bucket string) []string {
	t.Helper()
	vs, err := f.st.ListVersions(f.ctx, store.ObjectRange{Bucket: bucket, Limit: 100}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range vs {
		s := v.Key
		if v.DeleteMarker {
			s += "(marker)"
		} else if !v.Latest {
			s += "(noncurrent)"
		}
		out = append(out, s)
	}
	return out
}

// TestLifecycleScanner: with one lifecycle "day" an hour long and a fake clock, the scanner
// expires current objects by Days (a delete marker in a versioned bucket) and by Date, leaves
// what no rule selects, expires noncurrent versions beyond NewerNoncurrentVersions, removes a
// delete marker left alone, and aborts incomplete uploads.
func TestLifecycleScanner(t *testing.T) {
	f := newScanFixture(t)
	for _, b := range []string{"plain", "versioned"} {
		if _, err := f.s.CreateBucket(f.ctx, &CreateBucketInput{Bucket: b, Body: strings.NewReader("")}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.s.setConfig(f.ctx, "versioned", "versioning", "Enabled"); err != nil {
		t.Fatal(err)
	}
	plain := `<LifecycleConfiguration><Rule><ID>logs</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>` +
		`<Rule><ID>mpu</ID><Filter></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>` +
		`<Rule><ID>date</ID><Filter><Prefix>dated/</Prefix></Filter><Status>Enabled</Status><Expiration><Date>2026-03-02T00:00:00Z</Date></Expiration></Rule></LifecycleConfiguration>`
	versioned := `<LifecycleConfiguration><Rule><ID>docs</ID><Filter><Prefix>doc</Prefix></Filter><Status>Enabled</Status><Expiration><Days>2</Days></Expiration>` +
		`<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>` +
		`<Rule><ID>tmp</ID><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>` +
		`<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration></Rule></LifecycleConfiguration>`
	for b, doc := range map[string]string{"plain": plain, "versioned": versioned} {
		stored, err := lifecycleKind.parse([]byte(doc))
		if err != nil {
			t.Fatalf("lifecycle %s: %v", b, err)
		}
		if err := f.s.setConfig(f.ctx, b, "lifecycle", stored); err != nil {
			t.Fatal(err)
		}
	}
	f.put(t, "plain", "logs/a", "old log")
	f.put(t, "plain", "keep/b", "kept")
	f.put(t, "plain", "dated/c", "dated")
	if _, err := f.s.CreateMultipartUpload(f.ctx, &ObjectInput{Bucket: "plain", Key: "big", Header: http.Header{}}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ { // doc at 20:00, 20:01, 20:02: one current, two noncurrent
		f.put(t, "versioned", "doc", "v"+string(rune('1'+i)))
		f.clock.Advance(time.Minute)
	}
	f.put(t, "versioned", "tmp/x", "scratch")
	if _, err := f.s.DeleteObject(f.ctx, &ObjectInput{Bucket: "versioned", Key: "tmp/x", Header: http.Header{}, Query: url.Values{}}); err != nil {
		t.Fatal(err)
	}
	scan := func() int {
		n, err := f.s.ScanLifecycle(f.ctx)
		if err != nil {
			t.Fatalf("ScanLifecycle: %v", err)
		}
		return n
	}
	check := func(stage, bucket, want string) {
		t.Helper()
		if got := strings.Join(f.versions(t, bucket), ","); got != want {
			t.Errorf("%s: %s holds %s; want %s", stage, bucket, got, want)
		}
	}
	if n := scan(); n != 0 {
		t.Errorf("first scan removed %d; want nothing due yet", n)
	}
	f.clock.Advance(2 * time.Hour) // 22:03
	if n := scan(); n != 5 {
		t.Errorf("scan at 22:03 removed %d; want 5 (logs/a, the upload, doc's oldest version, tmp/x's version and its lone marker)", n)
	}
	check("22:03", "plain", "dated/c,keep/b")
	check("22:03", "versioned", "doc,doc(noncurrent)")
	if ups, _ := f.st.ListUploads(f.ctx, store.ObjectRange{Bucket: "plain", Limit: 10}); len(ups) != 0 {
		t.Errorf("%d uploads remain; want the incomplete one aborted", len(ups))
	}
	f.clock.Advance(time.Hour) // 23:03: the current doc expires under a delete marker
	scan()
	check("23:03", "versioned", "doc(marker),doc(noncurrent),doc(noncurrent)") // the oldest goes at the next scan
	f.clock.Advance(2 * time.Hour)                                             // 01:03: past the Date; the newest noncurrent doc stays (NewerNoncurrentVersions)
	scan()
	check("01:03", "plain", "keep/b")
	check("01:03", "versioned", "doc(marker),doc(noncurrent)")
}
