package sns

import (
	"testing"

	"github.com/gureum/gureum/internal/store"
)

// FuzzMessage runs Publish's validation (message structure json, attributes, subject, FIFO
// rules) on arbitrary input: it must answer or refuse, never panic, and a json structure it
// accepts must leave a default message.
func FuzzMessage(f *testing.F) {
	f.Add(`{"default":"d","sqs":"s"}`, "json", "subj", "String", "v", true)
	f.Add(`hello`, "", "", "Number", "1.5", false)
	f.Add(`{"default":1}`, "json", "\n", "String.Array", `["a",1]`, true)
	f.Add(``, "xml", "", "Binary", "", false)
	s := &Service{}
	f.Fuzz(func(t *testing.T, msg, structure, subject, typ, value string, fifo bool) {
		topic := store.Topic{FIFO: fifo, Attributes: map[string]string{"ContentBasedDeduplication": "true"}}
		group := "g"
		m, err := s.message(topic, entry{msg: &msg, subject: &subject, structure: structure,
			attrs: map[string]MessageAttributeValue{"a": {DataType: typ, StringValue: &value, BinaryValue: []byte(value)}}, group: &group})
		if err != nil {
			return
		}
		if structure == "json" && m.perProto == nil {
			t.Errorf("a json structure was accepted without its per-protocol messages")
		}
		if fifo && m.dedup == "" {
			t.Errorf("a FIFO message was accepted without a deduplication id")
		}
	})
}

// FuzzDeliveryPolicy parses arbitrary delivery policies: a policy it accepts has delays within
// its bounds for every retry.
func FuzzDeliveryPolicy(f *testing.F) {
	f.Add(`{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":60,"numRetries":50,"numNoDelayRetries":3,"numMinDelayRetries":2,"numMaxDelayRetries":35,"backoffFunction":"exponential"}}`, true)
	f.Add(`{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3}}}`, false)
	f.Add(`{"healthyRetryPolicy":{"backoffFunction":"cubic"}}`, true)
	f.Fuzz(func(t *testing.T, policy string, subscription bool) {
		p, err := parseRetryPolicy(policy, subscription)
		if err != nil || p == nil {
			return
		}
		for n := 1; n <= p.NumRetries; n++ {
			d := p.delay(n).Seconds()
			if d < 0 || d > float64(p.MaxDelayTarget)+1e-6 {
				t.Fatalf("retry %d of %+v waits %vs", n, p, d)
			}
		}
	})
}
