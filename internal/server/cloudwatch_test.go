package server

import (
	"testing"
	"time"

	"github.com/gureum/gureum/internal/lambda"
)

// TestLambdaMetrics checks an invocation's AWS/Lambda data points: by function, by the alias
// invoked and by the version it ran; a throttle counts in Throttles alone.
func TestLambdaMetrics(t *testing.T) {
	at := time.Unix(1_800_000_000, 0)
	count := func(x lambda.Usage) map[string]int {
		n := map[string]int{}
		for _, d := range lambdaMetrics(x) {
			key := d.Name
			for _, dim := range d.Dimensions {
				key += " " + dim.Name + "=" + dim.Value
			}
			if d.Namespace != "AWS/Lambda" || d.Account != "111111111111" || !d.At.Equal(at) {
				t.Errorf("datum %+v: wrong namespace, account or time", d)
			}
			n[key] += int(d.Value)
			if d.Name == "Duration" {
				n[key] = 1
			}
		}
		return n
	}
	got := count(lambda.Usage{AccountID: "111111111111", FunctionName: "f", Version: "3", Qualifier: "live", At: at,
		FunctionError: true, Duration: 20 * time.Millisecond})
	for _, k := range []string{"Invocations FunctionName=f", "Errors FunctionName=f", "Duration FunctionName=f",
		"Invocations FunctionName=f Resource=f:live", "Errors FunctionName=f Resource=f:live ExecutedVersion=3"} {
		if got[k] != 1 {
			t.Errorf("lambdaMetrics(alias, error)[%q] = %d; want 1 (all: %v)", k, got[k], got)
		}
	}
	got = count(lambda.Usage{AccountID: "111111111111", FunctionName: "f", Version: "$LATEST", At: at, Throttled: true})
	if len(got) != 1 || got["Throttles FunctionName=f"] != 1 {
		t.Errorf("lambdaMetrics(throttled) = %v; want Throttles by FunctionName alone", got)
	}
}
