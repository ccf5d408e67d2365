package cloudwatch_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestWire holds the AWS JSON 1.0 form of the API, and refusals of bodies that are not CBOR, to
// the protocols' shapes.
func TestWire(t *testing.T) {
	t.Parallel()
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	send := func(path string, headers map[string]string, body string) (int, http.Header, string) {
		r, _ := http.NewRequest(http.MethodPost, srv.Endpoint+path, bytes.NewReader([]byte(body)))
		for k, v := range headers {
			r.Header.Set(k, v)
		}
		return gureumtest.Do(t, gureumtest.Sign(t, r, []byte(body), "monitoring"))
	}
	status, _, body := send("/", map[string]string{"X-Amz-Target": "GraniteServiceVersion20100801.PutMetricData",
		"Content-Type": "application/x-amz-json-1.0"}, `{"Namespace":"App","MetricData":[{"MetricName":"M","Value":2}]}`)
	if status != 200 {
		t.Fatalf("PutMetricData (JSON 1.0) = %d %s", status, body)
	}
	status, _, body = send("/", map[string]string{"X-Amz-Target": "GraniteServiceVersion20100801.ListMetrics",
		"Content-Type": "application/x-amz-json-1.0"}, `{"Namespace":"App"}`)
	if status != 200 || !strings.Contains(body, `"MetricName":"M"`) {
		t.Errorf("ListMetrics (JSON 1.0) = %d %s", status, body)
	}
	status, _, body = send("/", map[string]string{"X-Amz-Target": "GraniteServiceVersion20100801.DescribeAlarms",
		"Content-Type": "application/x-amz-json-1.0"}, `{"StateValue":"BROKEN"}`)
	if status != 400 || !strings.Contains(body, "com.amazonaws.cloudwatch#InvalidParameterValueException") {
		t.Errorf("DescribeAlarms(bad state) = %d %s", status, body)
	}
	cbor := map[string]string{"Smithy-Protocol": "rpc-v2-cbor", "Content-Type": "application/cbor", "Accept": "application/cbor"}
	status, h, _ := send("/service/GraniteServiceVersion20100801/operation/DescribeAlarms", cbor, "\xff\x00")
	if status != 400 || h.Get("Smithy-Protocol") != "rpc-v2-cbor" || h.Get("Content-Type") != "application/cbor" {
		t.Errorf("DescribeAlarms(not CBOR) = %d %v", status, h)
	}
	status, _, _ = send("/service/GraniteServiceVersion20100801/operation/NoSuchOperation", cbor, "\xa0")
	if status != 400 {
		t.Errorf("NoSuchOperation = %d; want 400", status)
	}
	gz := map[string]string{"Smithy-Protocol": "rpc-v2-cbor", "Content-Type": "application/cbor", "Content-Encoding": "gzip"}
	status, _, _ = send("/service/GraniteServiceVersion20100801/operation/ListMetrics", gz, "not gzip")
	if status != 400 {
		t.Errorf("ListMetrics(bad gzip) = %d; want 400", status)
	}
}
