package examples

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPartnerDataSharing deploys examples/partner-data-sharing: files land in a bucket, S3
// notifies the queue, the function (reserved concurrency 2, working files on an EFS access point)
// copies them into a bucket of a partner account with credentials from STS AssumeRole; the status
// API is PRIVATE, behind an API key and a usage plan; the lifecycle rule expires the files.
func TestPartnerDataSharing(t *testing.T) {
	needTools(t)
	needSandbox(t)
	t.Parallel()
	const vpce = "vpce-0e8a3p1e0000000001"
	// A lifecycle day of 8 s: files expire 16-24 s after they land (ExpirationDays=2), well after
	// their delivery (a processor that finds its file expired could not deliver it).
	w := start(t, "partner-data-sharing", "--private-listen", "127.0.0.1:0", "--vpc-endpoint-id", vpce, "--lifecycle-day-seconds", "8")
	private := ""
	for _, line := range strings.Split(w.p.Stdout.String(), "\n") {
		if _, ep, ok := strings.Cut(line, "private endpoint ("+vpce+") on "); ok {
			private = strings.TrimSpace(ep)
		}
	}
	if private == "" {
		t.Fatalf("no private endpoint line in %q", w.p.Stdout.String())
	}
	w.setenv("PRIVATE_ENDPOINT", private)
	w.setenv("STATE_FILE", filepath.Join(t.TempDir(), "state.json"))
	w.deploy("ExpirationDays=2", "VpcEndpointId="+vpce)
	var got struct {
		PartnerAccount         string
		PartnerKeys            []string
		DeliverySeconds        float64
		CopiesMatch            bool
		PartnerMetadata        []string
		StatusNoKey            [2]any
		StatusPublic           [2]any
		Status                 [2]any
		DeliveredAs            []string
		StatusOne              int
		Usage                  [2]int // used, remaining today
		Queue                  map[string]any
		ReservedConcurrency    int
		Mounts                 []string
		DLQDepth               int
		ExpiredAfterSeconds    float64
		PartnerKeysAfterExpiry int
	}
	w.drive(&got)
	t.Logf("delivered in %.1f s, expired after %.1f s", got.DeliverySeconds, got.ExpiredAfterSeconds)
	want := []string{"from-" + w.stack + "-Processor", "from-" + w.stack + "-Processor"}
	if len(got.PartnerKeys) != 2 || !strings.HasPrefix(got.PartnerKeys[0], want[0]) || !got.CopiesMatch {
		t.Errorf("partner bucket holds %v (copies match: %v); want the two files under from-<function>/", got.PartnerKeys, got.CopiesMatch)
	}
	// gureum answers user metadata as X-Amz-Meta-Sha256 (Go's canonical header case) where S3
	// sends x-amz-meta-sha256, and boto3 keeps the case it is sent: compared without case until
	// S3 lowers it (see README).
	for i, k := range got.PartnerMetadata {
		got.PartnerMetadata[i] = strings.ToLower(k)
	}
	if diff := cmp.Diff([]string{"sha256"}, got.PartnerMetadata); diff != "" {
		t.Errorf("partner copy's metadata (-want +got):\n%s", diff)
	}
	if got.StatusNoKey[0] != float64(403) {
		t.Errorf("status API without a key = %v; want 403", got.StatusNoKey)
	}
	if got.StatusPublic[0] != float64(403) {
		t.Errorf("PRIVATE status API on the public endpoint = %v; want 403", got.StatusPublic)
	}
	if got.Status != [2]any{float64(200), float64(2)} {
		t.Errorf("status API with the key on the private endpoint = %v; want 200 with both deliveries", got.Status)
	}
	if len(got.DeliveredAs) != 1 || !strings.HasPrefix(got.DeliveredAs[0], "arn:aws:sts::"+got.PartnerAccount+":assumed-role/data-sharing-writer/") {
		t.Errorf("copies made as %v; want the partner account's assumed role", got.DeliveredAs)
	}
	if got.StatusOne != 200 {
		t.Errorf("status of one file = %d; want 200", got.StatusOne)
	}
	if got.Usage != [2]int{2, 998} {
		t.Errorf("usage plan today = %v used, remaining; want the two calls with the key on the private endpoint counted against 1000", got.Usage)
	}
	if diff := cmp.Diff(map[string]any{"VisibilityTimeout": "90", "MessageRetentionPeriod": "345600", "maxReceiveCount": float64(3)}, got.Queue); diff != "" {
		t.Errorf("queue settings (-want +got):\n%s", diff)
	}
	if got.ReservedConcurrency != 2 || !cmp.Equal(got.Mounts, []string{"/mnt/work"}) {
		t.Errorf("processor: reserved concurrency %d, mounts %v; want 2 and /mnt/work", got.ReservedConcurrency, got.Mounts)
	}
	if got.DLQDepth != 0 {
		t.Errorf("dead-letter queue holds %d messages; want none", got.DLQDepth)
	}
	if got.ExpiredAfterSeconds < 15 || got.PartnerKeysAfterExpiry != 2 {
		t.Errorf("incoming files expired %.1f s after upload (partner keeps %d); want after two 8 s days, the partner's copies kept",
			got.ExpiredAfterSeconds, got.PartnerKeysAfterExpiry)
	}
}
