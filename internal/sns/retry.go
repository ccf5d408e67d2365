package sns

import (
	"encoding/json"
	"math"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// retryPolicy is an SNS delivery retry policy (SNS DG "Amazon SNS message delivery retries"):
// immediate retries, then some at the minimum delay, then a backoff from the minimum to the
// maximum delay, then the rest at the maximum.
type retryPolicy struct {
	MinDelayTarget     int    `json:"minDelayTarget"`
	MaxDelayTarget     int    `json:"maxDelayTarget"`
	NumRetries         int    `json:"numRetries"`
	NumNoDelayRetries  int    `json:"numNoDelayRetries"`
	NumMinDelayRetries int    `json:"numMinDelayRetries"`
	NumMaxDelayRetries int    `json:"numMaxDelayRetries"`
	BackoffFunction    string `json:"backoffFunction"`
}

// httpDefault is AWS's default policy for HTTP/HTTPS: 3 retries, 20 s apart.
var httpDefault = retryPolicy{MinDelayTarget: 20, MaxDelayTarget: 20, NumRetries: 3, BackoffFunction: "linear"}

// managedPolicy is AWS's fixed policy for SQS and Lambda: 100,015 retries over 23 days.
var managedPolicy = retryPolicy{MinDelayTarget: 1, MaxDelayTarget: 20, NumRetries: 100015, NumNoDelayRetries: 3,
	NumMinDelayRetries: 2, NumMaxDelayRetries: 100000, BackoffFunction: "exponential"}

// delay is the wait before retry n (1-based).
func (p retryPolicy) delay(n int) time.Duration {
	sec := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
	minD, maxD := float64(p.MinDelayTarget), float64(p.MaxDelayTarget)
	backoff := p.NumRetries - p.NumNoDelayRetries - p.NumMinDelayRetries - p.NumMaxDelayRetries
	switch {
	case n <= p.NumNoDelayRetries:
		return 0
	case n <= p.NumNoDelayRetries+p.NumMinDelayRetries:
		return sec(minD)
	case backoff > 0 && n <= p.NumNoDelayRetries+p.NumMinDelayRetries+backoff:
		k := float64(n - p.NumNoDelayRetries - p.NumMinDelayRetries)
		b := float64(backoff)
		switch p.BackoffFunction {
		case "geometric", "exponential":
			if minD <= 0 {
				minD = 1
			}
			return sec(math.Min(maxD, minD*math.Pow(maxD/minD, k/b)))
		default: // linear, arithmetic
			if b == 1 {
				return sec(maxD)
			}
			return sec(minD + (maxD-minD)*(k-1)/(b-1))
		}
	}
	return sec(maxD)
}

// parseRetryPolicy reads a DeliveryPolicy: a subscription's {"healthyRetryPolicy":…}, or with
// topic set a topic's {"http":{"defaultHealthyRetryPolicy":…}}.
func parseRetryPolicy(policy string, subscription bool) (*retryPolicy, error) {
	var doc struct {
		Healthy *retryPolicy `json:"healthyRetryPolicy"`
		HTTP    *struct {
			Default *retryPolicy `json:"defaultHealthyRetryPolicy"`
			Disable bool         `json:"disableSubscriptionOverrides"`
		} `json:"http"`
	}
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		return nil, invalid("DeliveryPolicy: failed to parse JSON.")
	}
	p := doc.Healthy
	if !subscription {
		p = nil
		if doc.HTTP != nil {
			p = doc.HTTP.Default
		}
	}
	if p == nil {
		return nil, nil
	}
	switch {
	case p.NumRetries < 0 || p.NumRetries > 100:
		return nil, invalid("DeliveryPolicy: healthyRetryPolicy.numRetries must be between 0 and 100")
	case p.MinDelayTarget < 1 || p.MaxDelayTarget > 3600 || p.MinDelayTarget > p.MaxDelayTarget:
		return nil, invalid("DeliveryPolicy: healthyRetryPolicy.minDelayTarget must be between 1 and maxDelayTarget, maxDelayTarget at most 3600")
	case p.NumNoDelayRetries+p.NumMinDelayRetries+p.NumMaxDelayRetries > p.NumRetries:
		return nil, invalid("DeliveryPolicy: healthyRetryPolicy.numRetries must be at least the sum of the other retry counts")
	}
	switch p.BackoffFunction {
	case "":
		p.BackoffFunction = "linear"
	case "linear", "arithmetic", "geometric", "exponential":
	default:
		return nil, invalid("DeliveryPolicy: healthyRetryPolicy.backoffFunction must be linear, arithmetic, geometric or exponential")
	}
	return p, nil
}

// retryPolicyOf is the policy of a subscription's deliveries: SQS and Lambda get AWS's managed
// policy; HTTP/HTTPS the subscription's, else the topic's, else AWS's default.
func retryPolicyOf(t store.Topic, x store.Subscription) retryPolicy {
	if x.Protocol != "http" && x.Protocol != "https" {
		return managedPolicy
	}
	var topic *retryPolicy
	disable := false
	if tp := t.Attributes["DeliveryPolicy"]; tp != "" {
		topic, _ = parseRetryPolicy(tp, false)
		var doc struct {
			HTTP struct {
				Disable bool `json:"disableSubscriptionOverrides"`
			} `json:"http"`
		}
		json.Unmarshal([]byte(tp), &doc)
		disable = doc.HTTP.Disable
	}
	if sp := x.Attributes["DeliveryPolicy"]; sp != "" && !disable {
		if p, _ := parseRetryPolicy(sp, true); p != nil {
			return *p
		}
	}
	if topic != nil {
		return *topic
	}
	return httpDefault
}
