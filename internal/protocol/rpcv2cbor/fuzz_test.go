package rpcv2cbor

import (
	"testing"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/gureum/gureum/internal/protocol/scalar"
)

type fuzzInput struct {
	Name   string            `json:"Name"`
	Count  *int64            `json:"Count,omitempty"`
	Value  float64           `json:"Value"`
	On     bool              `json:"On"`
	When   *scalar.Epoch     `json:"When,omitempty"`
	Items  []fuzzItem        `json:"Items,omitempty"`
	Labels map[string]string `json:"Labels,omitempty"`
	Blob   []byte            `json:"Blob,omitempty"`
}

type fuzzItem struct {
	Key    string    `json:"Key"`
	Values []float64 `json:"Values"`
}

// FuzzUnmarshal holds the decoder to its contract: any body decodes or is refused, never a
// panic, and what it decodes survives a round trip through Marshal.
func FuzzUnmarshal(f *testing.F) {
	n := int64(7)
	when := scalar.Epoch(time.UnixMilli(1_800_000_000_123).UTC())
	f.Add(Marshal(&fuzzInput{Name: "a", Count: &n, Value: 1.5, On: true, When: &when,
		Items: []fuzzItem{{Key: "k", Values: []float64{1, 2}}}, Labels: map[string]string{"x": "y"}, Blob: []byte{1}}))
	f.Add(cbor.Encode(cbor.Map{"Name": cbor.Uint(1)}))
	f.Add([]byte{0xbf, 0x64, 'N', 'a', 'm', 'e', 0x61, 'x', 0xff})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, body []byte) {
		var in fuzzInput
		if err := Unmarshal(body, &in); err != nil {
			return
		}
		var again fuzzInput
		if err := Unmarshal(Marshal(&in), &again); err != nil {
			t.Fatalf("Unmarshal(Marshal(%+v)) = %v", in, err)
		}
	})
}
