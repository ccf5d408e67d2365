package rpcv2cbor

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/protocol/scalar"
)

func TestRoundTrip(t *testing.T) {
	n := int64(-3)
	when := scalar.Epoch(time.UnixMilli(1_800_000_000_250).UTC())
	in := fuzzInput{Name: "n", Count: &n, Value: 2.25, On: true, When: &when,
		Items: []fuzzItem{{Key: "a", Values: []float64{1, -2.5}}}, Labels: map[string]string{"k": "v"}, Blob: []byte("xy")}
	var got fuzzInput
	if err := Unmarshal(Marshal(&in), &got); err != nil {
		t.Fatalf("Unmarshal = %v", err)
	}
	if diff := cmp.Diff(in, got, cmp.Comparer(func(a, b scalar.Epoch) bool { return time.Time(a).Equal(time.Time(b)) })); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestUnmarshalRefuses(t *testing.T) {
	for name, body := range map[string][]byte{
		"not cbor":   {0xff, 0x00},
		"not a map":  {0x01},
		"wrong type": Marshal(map[string]any{"Name": 3}),
	} {
		var in fuzzInput
		err := Unmarshal(body, &in)
		if awserr.As(err).Kind != awserr.Malformed {
			t.Errorf("Unmarshal(%s) = %v; want a malformed-request error", name, err)
		}
	}
}
