package events

import (
	"encoding/json"
	"testing"
)

// FuzzPutEventsEntry decodes PutEvents input as the codec would and checks each entry: no input
// panics, and an accepted entry's envelope is valid JSON.
func FuzzPutEventsEntry(f *testing.F) {
	f.Add([]byte(`{"Entries":[{"Source":"s","DetailType":"d","Detail":"{\"a\":1}","Resources":["r"],"Time":1700000000.5}]}`))
	f.Add([]byte(`{"Entries":[{"Source":"aws.x","DetailType":"d","Detail":"[]"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var in PutEventsInput
		if json.Unmarshal(b, &in) != nil {
			return
		}
		for i := range in.Entries {
			e := &in.Entries[i]
			entrySize(e)
			if code, _ := entryError(e); code != "" {
				continue
			}
			env := envelope{Version: "0", Source: *e.Source, DetailType: *e.DetailType, Resources: e.Resources, Detail: json.RawMessage(*e.Detail)}
			if out := env.encode(); !json.Valid(out) {
				t.Fatalf("envelope %s is not JSON", out)
			}
		}
	})
}
