package sns

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/sqs"
	"github.com/gureum/gureum/internal/store/sqlite"
)

// world is SNS and SQS on one store with a fake clock, and the outbox dispatcher that the test
// drives itself (DeliverDue), so retries run on the clock and not on real time.
type world struct {
	sns    *Service
	sqs    *sqs.Service
	outbox *background.Outbox
	clock  *background.FakeClock
	ctx    context.Context
}

func newWorld(t *testing.T) *world {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := background.NewFakeClock(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC))
	r := background.New(background.Config{Leases: st, Clock: clock})
	o := background.NewOutbox(r, st, st, background.OutboxOptions{})
	q := sqs.New(sqs.Deps{Env: service.Env{Region: "us-east-1", Clock: clock}, Store: st})
	s := New(Deps{Env: service.Env{Region: "us-east-1", Clock: clock, Outbox: o}, Store: st, Queues: q})
	ctx := request.With(context.Background(), &request.Info{Host: "localhost:4566", Principal: request.RootPrincipal("000000000000", "AKIA")})
	return &world{s, q, o, clock, ctx}
}

// drain delivers what is due until nothing is.
func (w *world) drain(t *testing.T) {
	t.Helper()
	for {
		n, err := w.outbox.DeliverDue(w.ctx)
		if err != nil {
			t.Fatalf("DeliverDue: %v", err)
		}
		if n == 0 {
			return
		}
	}
}

func (w *world) queue(t *testing.T, name string) string {
	if _, err := w.sqs.CreateQueue(w.ctx, &sqs.CreateQueueInput{QueueName: name}); err != nil {
		t.Fatal(err)
	}
	return "arn:aws:sqs:us-east-1:000000000000:" + name
}

// TestFailingHTTPEndpointLandsInDLQ: an endpoint answering 500 gets the first attempt and AWS's
// three retries 20 s apart, then the notification goes to the redrive policy's queue.
func TestFailingHTTPEndpointLandsInDLQ(t *testing.T) {
	w := newWorld(t)
	var mu sync.Mutex
	var hits []time.Time
	ep := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Header.Get("x-amz-sns-message-type") == "Notification" {
			mu.Lock()
			hits = append(hits, w.clock.Now())
			mu.Unlock()
		}
		rw.WriteHeader(http.StatusInternalServerError)
	}))
	defer ep.Close()
	dlq := w.queue(t, "dlq")
	topic, err := w.sns.CreateTopic(w.ctx, &CreateTopicInput{Name: "t"})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := w.sns.Subscribe(w.ctx, &SubscribeInput{TopicArn: topic.TopicArn, Protocol: "http", Endpoint: ep.URL, ReturnSubscriptionArn: true,
		Attributes: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlq + `"}`}})
	if err != nil {
		t.Fatal(err)
	}
	x, err := w.sns.store.Subscription(w.ctx, sub.SubscriptionArn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.sns.ConfirmSubscription(w.ctx, &ConfirmSubscriptionInput{TopicArn: topic.TopicArn, Token: x.Token}); err != nil {
		t.Fatal(err)
	}
	msg := "lost?"
	if _, err := w.sns.Publish(w.ctx, &PublishInput{TopicArn: topic.TopicArn, Message: &msg}); err != nil {
		t.Fatal(err)
	}
	for range 8 {
		w.drain(t)
		w.clock.Advance(10 * time.Second)
	}
	w.drain(t)
	if len(hits) != 4 {
		t.Fatalf("endpoint got %d attempts; want 4 (1 + 3 retries)", len(hits))
	}
	for i := 1; i < len(hits); i++ {
		if d := hits[i].Sub(hits[i-1]); d != 20*time.Second {
			t.Errorf("retry %d came %v after the last; want 20s", i, d)
		}
	}
	got, err := w.sqs.Poll(w.ctx, dlq, 10, 0, 0)
	if err != nil || len(got) != 1 {
		t.Fatalf("DLQ got %d messages, %v; want 1", len(got), err)
	}
	var env map[string]any
	if err := json.Unmarshal([]byte(got[0].Body), &env); err != nil || env["Message"] != msg || env["Type"] != "Notification" || env["Signature"] == nil {
		t.Errorf("DLQ message = %s, %v", got[0].Body, err)
	}
}

// TestMissingQueueGoesToDLQAtOnce: a client-side failure (the queue is gone) is not retried.
func TestMissingQueueGoesToDLQAtOnce(t *testing.T) {
	w := newWorld(t)
	dlq := w.queue(t, "dlq")
	topic, err := w.sns.CreateTopic(w.ctx, &CreateTopicInput{Name: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.sns.Subscribe(w.ctx, &SubscribeInput{TopicArn: topic.TopicArn, Protocol: "sqs", Endpoint: "arn:aws:sqs:us-east-1:000000000000:gone",
		Attributes: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlq + `"}`, "RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	msg := "raw"
	if _, err := w.sns.Publish(w.ctx, &PublishInput{TopicArn: topic.TopicArn, Message: &msg}); err != nil {
		t.Fatal(err)
	}
	w.drain(t)
	got, err := w.sqs.Poll(w.ctx, dlq, 10, 0, 0)
	if err != nil || len(got) != 1 || got[0].Body != "raw" {
		t.Fatalf("DLQ got %+v, %v; want the raw message", got, err)
	}
}

func TestRetryPolicyDelays(t *testing.T) {
	var got []time.Duration
	for n := 1; n <= 16; n++ {
		got = append(got, managedPolicy.delay(n))
	}
	if got[0] != 0 || got[2] != 0 || got[3] != time.Second || got[4] != time.Second || got[14] != 20*time.Second || got[15] != 20*time.Second {
		t.Errorf("managed policy delays = %v", got)
	}
	for i := 5; i < 15; i++ {
		if got[i] < got[i-1] {
			t.Errorf("backoff decreases at retry %d: %v", i+1, got)
		}
	}
	if d := httpDefault.delay(3); d != 20*time.Second {
		t.Errorf("HTTP default delay = %v; want 20s", d)
	}
}

// invocations records what SNS hands the function service (Lambda is wired by the lead; this
// stands in for its InvokeAsync).
type invocations struct {
	mu   sync.Mutex
	got  map[string][][]byte
	fail bool
}

func (i *invocations) InvokeAsync(_ context.Context, fn string, _ request.Source, payload []byte) error {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.got == nil {
		i.got = map[string][][]byte{}
	}
	i.got[fn] = append(i.got[fn], payload)
	return nil
}

// TestLambdaEventDecodes: a function subscription gets the SNS event as aws-lambda-go decodes it.
func TestLambdaEventDecodes(t *testing.T) {
	w := newWorld(t)
	inv := &invocations{}
	w.sns.invoker = inv
	topic, _ := w.sns.CreateTopic(w.ctx, &CreateTopicInput{Name: "t"})
	fn := "arn:aws:lambda:us-east-1:000000000000:function:f"
	sub, err := w.sns.Subscribe(w.ctx, &SubscribeInput{TopicArn: topic.TopicArn, Protocol: "lambda", Endpoint: fn})
	if err != nil || sub.SubscriptionArn == pendingConfirmation {
		t.Fatalf("Subscribe(lambda) = %+v, %v", sub, err)
	}
	msg, subject, color := "hi", "subj", "red"
	out, err := w.sns.Publish(w.ctx, &PublishInput{TopicArn: topic.TopicArn, Message: &msg, Subject: &subject,
		MessageAttributes: map[string]MessageAttributeValue{"color": {DataType: "String", StringValue: &color}}})
	if err != nil {
		t.Fatal(err)
	}
	w.drain(t)
	if len(inv.got[fn]) != 1 {
		t.Fatalf("function invoked %d times; want 1", len(inv.got[fn]))
	}
	var ev events.SNSEvent
	if err := json.Unmarshal(inv.got[fn][0], &ev); err != nil {
		t.Fatal(err)
	}
	r := ev.Records[0]
	if r.EventSource != "aws:sns" || r.EventVersion != "1.0" || r.EventSubscriptionArn != sub.SubscriptionArn || r.SNS.MessageID != out.MessageId ||
		r.SNS.Message != "hi" || r.SNS.Subject != "subj" || r.SNS.TopicArn != topic.TopicArn || r.SNS.Timestamp.IsZero() ||
		r.SNS.SigningCertURL == "" || r.SNS.UnsubscribeURL == "" || r.SNS.Signature == "" {
		t.Errorf("SNS event record = %+v", r)
	}
	if a, _ := r.SNS.MessageAttributes["color"].(map[string]any); a["Value"] != "red" {
		t.Errorf("MessageAttributes = %v", r.SNS.MessageAttributes)
	}
}

// TestCrossAccountQueueConfirms: a queue of another account gets a SubscriptionConfirmation and
// stays pending until confirmed; SNS reaches it only because the queue's policy allows
// sns.amazonaws.com for the topic (without it the confirmation is refused: see
// TestCrossAccountQueueNeedsPolicy).
func TestCrossAccountQueueConfirms(t *testing.T) {
	w := newWorld(t)
	other := request.With(context.Background(), &request.Info{Host: "localhost:4566", Principal: request.RootPrincipal("111111111111", "AKIB")})
	topic, _ := w.sns.CreateTopic(w.ctx, &CreateTopicInput{Name: "t"})
	q := "arn:aws:sqs:us-east-1:111111111111:theirs"
	grant := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + q +
		`","Condition":{"ArnEquals":{"aws:SourceArn":"` + topic.TopicArn + `"}}}]}`
	if _, err := w.sqs.CreateQueue(other, &sqs.CreateQueueInput{QueueName: "theirs", Attributes: map[string]string{"Policy": grant}}); err != nil {
		t.Fatal(err)
	}
	sub, err := w.sns.Subscribe(w.ctx, &SubscribeInput{TopicArn: topic.TopicArn, Protocol: "sqs", Endpoint: q})
	if err != nil || sub.SubscriptionArn != pendingConfirmation {
		t.Fatalf("Subscribe(cross-account queue) = %+v, %v", sub, err)
	}
	w.drain(t)
	got, err := w.sqs.Poll(other, q, 10, 0, 0)
	if err != nil || len(got) != 1 {
		t.Fatalf("queue got %d messages, %v", len(got), err)
	}
	var env map[string]string
	json.Unmarshal([]byte(got[0].Body), &env)
	if env["Type"] != "SubscriptionConfirmation" || env["Token"] == "" {
		t.Fatalf("confirmation = %v", env)
	}
	conf, err := w.sns.ConfirmSubscription(other, &ConfirmSubscriptionInput{TopicArn: topic.TopicArn, Token: env["Token"]})
	if err != nil || topicOfSubscription(conf.SubscriptionArn) != topic.TopicArn {
		t.Fatalf("ConfirmSubscription = %+v, %v", conf, err)
	}
}

// TestPublicURL: Deps.PublicURL is the base of the certificate, unsubscribe and confirmation URLs.
func TestPublicURL(t *testing.T) {
	w := newWorld(t)
	w.sns.public = "https://sns.us-east-1.amazonaws.com"
	url := w.sns.baseURL(w.ctx)
	p := payload{Type: "Notification", Sub: "arn:aws:sns:us-east-1:000000000000:t:1", Topic: "arn:aws:sns:us-east-1:000000000000:t",
		MessageID: "m", Message: "x", Timestamp: "2026-12-07T12:00:00.000Z", BaseURL: url}
	e, err := w.sns.envelopeOf(w.ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	k, _ := w.sns.signingKey(w.ctx)
	if e.SigningCertURL != "https://sns.us-east-1.amazonaws.com/_gureum/sns/SimpleNotificationService-"+k.id+".pem" ||
		!strings.HasPrefix(e.UnsubscribeURL, "https://sns.us-east-1.amazonaws.com/_gureum/sns/?Action=Unsubscribe&SubscriptionArn=arn%3Aaws%3Asns") {
		t.Errorf("URLs = %s %s", e.SigningCertURL, e.UnsubscribeURL)
	}
}

// TestSignatureCache: envelopes with the same signed fields share one signature (a fan-out
// signs once), and a different message gets its own, which verifies.
func TestSignatureCache(t *testing.T) {
	w := newWorld(t)
	k, err := w.sns.signingKey(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := &envelope{Type: "Notification", MessageId: "m", TopicArn: "arn:aws:sns:us-east-1:000000000000:t", Message: "x", Timestamp: "t", UnsubscribeURL: "u1"}
	b, c := *a, *a
	b.UnsubscribeURL, c.Message = "u2", "y"
	for _, e := range []*envelope{a, &b, &c} {
		if err := k.sign(e, "2", "http://h"); err != nil {
			t.Fatal(err)
		}
	}
	if a.Signature != b.Signature || a.Signature == c.Signature {
		t.Fatalf("signatures: same fields %v, different message %v", a.Signature == b.Signature, a.Signature != c.Signature)
	}
	sig, _ := base64.StdEncoding.DecodeString(c.Signature)
	sum := sha256.Sum256(stringToSign(&c))
	if err := rsa.VerifyPKCS1v15(&k.key.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
		t.Errorf("signature of the second message: %v", err)
	}
}

// TestCrossAccountQueueNeedsPolicy: SNS delivers to a queue of another account as
// sns.amazonaws.com with aws:SourceArn the topic: without a queue policy that allows it, or with
// one that allows another topic only, nothing arrives.
func TestCrossAccountQueueNeedsPolicy(t *testing.T) {
	w := newWorld(t)
	other := request.With(context.Background(), &request.Info{Host: "localhost:4566", Principal: request.RootPrincipal("111111111111", "AKIB")})
	topic, _ := w.sns.CreateTopic(w.ctx, &CreateTopicInput{Name: "t"})
	for _, tc := range []struct{ name, policy string }{
		{"none", ""},
		{"another-topic", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"*",` +
			`"Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:000000000000:other"}}}]}`},
		{"another-service", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"*"}]}`},
	} {
		attrs := map[string]string{}
		if tc.policy != "" {
			attrs["Policy"] = tc.policy
		}
		if _, err := w.sqs.CreateQueue(other, &sqs.CreateQueueInput{QueueName: tc.name, Attributes: attrs}); err != nil {
			t.Fatal(err)
		}
		q := "arn:aws:sqs:us-east-1:111111111111:" + tc.name
		if _, err := w.sns.Subscribe(w.ctx, &SubscribeInput{TopicArn: topic.TopicArn, Protocol: "sqs", Endpoint: q}); err != nil {
			t.Fatal(err)
		}
		w.drain(t)
		if got, err := w.sqs.Poll(other, q, 10, 0, 0); err != nil || len(got) != 0 {
			t.Errorf("policy %s: queue got %d messages, %v; want none", tc.name, len(got), err)
		}
	}
}
