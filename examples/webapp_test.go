package examples

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestWebapp deploys examples/webapp: a Flask app on a function behind an HTTP API (payload 2.0
// through the example's WSGI adapter), its front end on an S3 website bucket, a Scheduler
// schedule that pings the live alias. The template's DeploymentPreference (a canary) is refused
// by gureum today and deploy.sh deploys without it; nothing here depends on the canary.
func TestWebapp(t *testing.T) {
	needTools(t)
	t.Parallel()
	w := start(t, "webapp")
	// A one-time schedule already due fires at the scheduler's next tick: the warm-up ping
	// without waiting for rate(5 minutes).
	w.deploy("WarmSchedule=at(" + time.Now().UTC().Format("2006-01-02T15:04:05") + ")")
	var got struct {
		Site         [3]any
		Config       [2]any
		SiteMissing  int
		Health       [2]any
		Post         [4]any
		PostInvalid  int
		ListLimited  [2]any
		List         [2]any
		NotFound     int
		Preflight    [2]any
		Schedule     [3]any
		WarmPing     bool
		AliasVersion string
	}
	w.drive(&got)
	if diff := cmp.Diff([3]any{float64(200), "text/html", true}, got.Site); diff != "" {
		t.Errorf("GET / on the website endpoint (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([2]any{float64(200), true}, got.Config); diff != "" {
		t.Errorf("config.js naming the API (-want +got):\n%s", diff)
	}
	if got.SiteMissing != 403 {
		// The site's policy grants s3:GetObject alone: without s3:ListBucket S3 answers a
		// missing key AccessDenied (with the error document), not NoSuchKey.
		t.Errorf("a missing page on the website = %d; want 403 (the error document)", got.SiteMissing)
	}
	health, _ := got.Health[1].(map[string]any)
	if got.Health[0] != float64(200) || health["ok"] != true || health["version"] != got.AliasVersion {
		t.Errorf("GET /api/health = %v; want 200 from version %s (the live alias)", got.Health, got.AliasVersion)
	}
	if diff := cmp.Diff([4]any{float64(201), "minji", true, []any{"last-note", "seen"}}, got.Post); diff != "" {
		t.Errorf("POST /api/notes: status, author from the cookie, Location, Set-Cookie names (-want +got):\n%s", diff)
	}
	if got.PostInvalid != 400 || got.NotFound != 404 {
		t.Errorf("invalid note = %d, unknown path = %d; want 400 and Flask's 404", got.PostInvalid, got.NotFound)
	}
	if diff := cmp.Diff([2]any{float64(200), float64(1)}, got.ListLimited); diff != "" {
		t.Errorf("GET /api/notes?limit=1 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([2]any{float64(200), []any{"lunch at noon", "retro on friday"}}, got.List); diff != "" {
		t.Errorf("GET /api/notes (-want +got):\n%s", diff)
	}
	if got.Preflight[0] != float64(204) || got.Preflight[1] != "*" {
		t.Errorf("CORS preflight = %v; want 204 allowing *", got.Preflight)
	}
	if diff := cmp.Diff([3]any{"at", true, "ENABLED"}, got.Schedule); diff != "" {
		t.Errorf("warm-up schedule: kind, targets the live alias, state (-want +got):\n%s", diff)
	}
	if !got.WarmPing {
		t.Errorf("no warm-up ping in the function's log")
	}
}
