package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/spf13/cobra"

	"github.com/gureum/gureum/internal/eventpattern"
	"github.com/gureum/gureum/internal/store/postgres"
)

// The eventing workloads: an event put on a bus (or a message published to a topic) until a
// long poll already waiting on the target queue returns it, beside the floor of the same long
// poll woken by a direct SendMessage; PutEvents in batches of 10 from 16 clients until every
// event is in the target queue; and matching one event against 10, 100 and 1,000 rules in this
// process, beside the JSON check every match makes.

// eventsCommand is `gureum-bench events`; setup completes the options.
func eventsCommand(o *Options, setup func(what string) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "events",
		Short: "Measure EventBridge and SNS delivery to a queue, PutEvents throughput and rule matching",
		Long: `Measure eventing on this machine with aws-sdk-go-v2 against gureum (SQLite, and PostgreSQL with
--postgres or GUREUM_TEST_POSTGRES): PutEvents → the message on the rule's queue target, and SNS
Publish → the message on a subscribed queue (raw delivery), each timed from the call's start to the
return of a long poll already waiting on the queue, beside the floor of a direct SendMessage to a
waiting long poll; PutEvents in batches of 10 from 16 clients until every event is on the queue
target (events delivered a second); and, in this process, matching one 1 KB event (decoded and
matched) against 10, 100 and 1,000 rules, beside the JSON check alone.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := setup("eventing"); err != nil {
				return err
			}
			return RunEvents(cmd.Context(), *o)
		},
	}
	cmd.Flags().IntVar(&o.Rounds, "rounds", 3, "rounds of each workload; the workloads take turns and each figure is the median round")
	return cmd
}

// eventsClients are the SDK clients of one server.
type eventsClients struct {
	eb      *eventbridge.Client
	sns     *sns.Client
	sqs     *sqs.Client
	target  string // the queue URL of the rule's target
	topicQ  string // the queue URL subscribed to the topic
	floorQ  string // a queue with no producer but the floor's SendMessage
	topic   string // the topic ARN
	account string
}

// SetUpEvents creates, on a server, a rule on the default bus whose target is a queue, a topic
// with a queue subscribed (raw message delivery), and a queue for the floor.
func SetUpEvents(ctx context.Context, endpoint, keyID, secret string) (*eventsClients, error) {
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}
	hc := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	creds := credentials.NewStaticCredentialsProvider(keyID, secret, "")
	c := &eventsClients{
		eb:  eventbridge.New(eventbridge.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Credentials: creds, RetryMaxAttempts: 1, HTTPClient: hc}),
		sns: sns.New(sns.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Credentials: creds, RetryMaxAttempts: 1, HTTPClient: hc}),
		sqs: SQSClient(endpoint, keyID, secret),
	}
	var err error
	if c.target, err = newQueue(ctx, c.sqs, "bench-rule-target"); err != nil {
		return nil, err
	}
	if c.topicQ, err = newQueue(ctx, c.sqs, "bench-topic-sub"); err != nil {
		return nil, err
	}
	if c.floorQ, err = newQueue(ctx, c.sqs, "bench-floor"); err != nil {
		return nil, err
	}
	account, err := accountOf(ctx, c.sqs, c.target)
	if err != nil {
		return nil, err
	}
	c.account = account
	if _, err := c.eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("bench"), EventPattern: aws.String(`{"source":["bench"]}`)}); err != nil {
		return nil, err
	}
	if _, err := c.eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("bench"), Targets: []ebtypes.Target{
		{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:" + account + ":bench-rule-target")}}}); err != nil {
		return nil, err
	}
	tp, err := c.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("bench")})
	if err != nil {
		return nil, err
	}
	c.topic = *tp.TopicArn
	_, err = c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: tp.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String("arn:aws:sqs:us-east-1:" + account + ":bench-topic-sub"), Attributes: map[string]string{"RawMessageDelivery": "true"}})
	return c, err
}

// accountOf reads the account of a queue from its ARN.
func accountOf(ctx context.Context, c *sqs.Client, url string) (string, error) {
	out, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
	if err != nil {
		return "", err
	}
	arn := out.Attributes["QueueArn"]
	var parts [6]string
	n := 0
	for i, start := 0, 0; i <= len(arn) && n < 6; i++ {
		if i == len(arn) || arn[i] == ':' {
			parts[n] = arn[start:i]
			n++
			start = i + 1
		}
	}
	if n < 5 {
		return "", fmt.Errorf("queue ARN %q", arn)
	}
	return parts[4], nil
}

// Delivered measures, n times, the time from the start of produce (a PutEvents, a Publish, a
// SendMessage) to the return of a long poll that was already waiting on url with the message.
func Delivered(ctx context.Context, c *sqs.Client, url string, n int, produce func(ctx context.Context) error) (Latencies, error) {
	var all []time.Duration
	for range n {
		var wg sync.WaitGroup
		var got time.Time
		var rerr error
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 20, MaxNumberOfMessages: 1})
			got = time.Now()
			if err == nil && len(out.Messages) == 1 {
				_, err = c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: out.Messages[0].ReceiptHandle})
			} else if err == nil {
				err = fmt.Errorf("long poll returned %d messages", len(out.Messages))
			}
			rerr = err
		}()
		time.Sleep(10 * time.Millisecond) // the receive is waiting
		start := time.Now()
		if err := produce(ctx); err != nil {
			return Latencies{}, err
		}
		wg.Wait()
		if rerr != nil {
			return Latencies{}, rerr
		}
		all = append(all, got.Sub(start))
	}
	return summarize(all, time.Second), nil
}

// SustainedPutEvents puts batches of 10 events from `clients` clients for d, then waits until the
// target queue holds every accepted event; the rate is events accepted over the time from the
// first put to the last event's arrival.
func SustainedPutEvents(ctx context.Context, c *eventsClients, clients int, d time.Duration) (accepted, delivered float64, err error) {
	// Each run has a queue of its own, the target of the rule "bench-sustained".
	name := fmt.Sprintf("bench-sustained-%d", time.Now().UnixNano())
	url, err := newQueue(ctx, c.sqs, name)
	if err != nil {
		return 0, 0, err
	}
	if _, err := c.eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("bench-sustained"), EventPattern: aws.String(`{"source":["bench.sustained"]}`)}); err != nil {
		return 0, 0, err
	}
	if _, err := c.eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("bench-sustained"), Targets: []ebtypes.Target{
		{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:" + c.account + ":" + name)}}}); err != nil {
		return 0, 0, err
	}
	entries := make([]ebtypes.PutEventsRequestEntry, 10)
	for i := range entries {
		entries[i] = ebtypes.PutEventsRequestEntry{Source: aws.String("bench.sustained"), DetailType: aws.String("Sustained"), Detail: aws.String(`{"n":` + strconv.Itoa(i) + `}`)}
	}
	start := time.Now()
	l, err := concurrently(ctx, clients, 1<<62, d, func(ctx context.Context, _ int64) error {
		out, err := c.eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
		if err == nil && out.FailedEntryCount > 0 {
			err = fmt.Errorf("PutEvents: %d entries failed", out.FailedEntryCount)
		}
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	put := time.Since(start)
	want := l.N * 10
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(5 * time.Millisecond) {
		out, err := c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url,
			AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages"}})
		if err != nil {
			return 0, 0, err
		}
		if n, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessages"]); n >= want {
			break
		}
		if time.Now().After(deadline) {
			return 0, 0, fmt.Errorf("only part of %d events reached the queue within 2 minutes", want)
		}
	}
	all := time.Since(start)
	_, err = c.sqs.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: &url})
	return float64(want) / put.Seconds(), float64(want) / all.Seconds(), err
}

// benchEvent is an S3 "Object Created" event of about 1 KB, and benchRule a rule of typical
// size that matches it.
const (
	benchEvent = `{"version":"0","id":"17793124-05d4-b198-2fde-7ededc63b103","detail-type":"Object Created",
"source":"aws.s3","account":"123456789012","time":"2021-11-12T00:00:00Z","region":"ca-central-1",
"resources":["arn:aws:s3:::example-bucket"],"detail":{"version":"0","bucket":{"name":"example-bucket"},
"object":{"key":"uploads/2021/11/12/partner-a/invoice-000123.pdf","size":524288,"etag":"b1946ac92492d2347c6235b4d2611184",
"version-id":"IYV3p45BT0ac8hjHg1houSdS1a.Mro8e","sequencer":"617f08299329d189"},"request-id":"N4N7GDK58NMKJ12R",
"requester":"123456789012","source-ip-address":"10.0.12.34","reason":"PutObject",
"tags":[{"key":"team","value":"billing"},{"key":"env","value":"prod"},{"key":"cost-center","value":"cc-4411"}],
"metadata":{"content-type":"application/pdf","uploaded-by":"partner-a-ingest","retention-days":30,"priority":3,
"labels":["invoice","partner-a","q4","monthly"],"notes":"first delivery of the month, customer 8812, batch 77"}}}`
	benchRule = `{"source":["aws.s3"],"detail-type":["Object Created"],
"detail":{"bucket":{"name":["example-bucket"]},"object":{"key":[{"prefix":"uploads/"}],"size":[{"numeric":[">",0,"<=",10485760]}]},
"reason":[{"anything-but":["DeleteObject","Lifecycle Expiration"]}]}}`
)

// RuleSet is n rules as a bus holds them (a source each, a few sharing one, some on detail-type
// only, a handful with no exact field to index), one of which matches benchEvent.
func RuleSet(n int) *eventpattern.Set {
	var s eventpattern.Set
	for i := range n - 1 {
		var p string
		switch {
		case i%100 == 7:
			p = fmt.Sprintf(`{"detail":{"object":{"key":[{"prefix":"uploads/%d/"}]}}}`, i)
		case i%10 == 3:
			p = fmt.Sprintf(`{"detail-type":["Type %d"],"detail":{"size":[{"numeric":[">",%d]}]}}`, i, i)
		default:
			p = fmt.Sprintf(`{"source":["app.service%d"],"detail-type":["Order Placed","Order Cancelled"],"detail":{"total":[{"numeric":[">",%d]}]}}`, i%(n/2+1), i)
		}
		s.Add(eventpattern.MustCompile(p, eventpattern.EventBridge))
	}
	s.Add(eventpattern.MustCompile(benchRule, eventpattern.EventBridge))
	return &s
}

// MatchLatency times fn in batches of 100 calls for d and reports the p50 and p99 of a call (a
// batch's time over 100), so that the clock's cost is not in the figure.
func MatchLatency(d time.Duration, fn func() error) (p50, p99 time.Duration, err error) {
	var per []time.Duration
	for end := time.Now().Add(d); time.Now().Before(end); {
		t0 := time.Now()
		for range 100 {
			if err := fn(); err != nil {
				return 0, 0, err
			}
		}
		per = append(per, time.Since(t0)/100)
	}
	sort.Slice(per, func(i, j int) bool { return per[i] < per[j] })
	return per[len(per)/2], per[len(per)*99/100], nil
}

// matchRows times one event's decode and match against sets of 10, 100 and 1,000 rules, beside
// the JSON check alone (json.Valid, which every decode makes).
func matchRows(tbl *table, d time.Duration) error {
	event := []byte(benchEvent)
	p50, p99, _ := MatchLatency(d, func() error {
		if !json.Valid(event) {
			return fmt.Errorf("invalid event")
		}
		return nil
	})
	tbl.add("events", "floor: json.Valid of the 1 KB event: p50 / p99", us(p50)+" / "+us(p99), "")
	for _, n := range []int{10, 100, 1000} {
		s := RuleSet(n)
		var dst []int
		p50, p99, err := MatchLatency(d, func() error {
			e, err := s.Decode(event)
			if err != nil {
				return err
			}
			if dst = s.Match(e, dst[:0]); len(dst) != 1 {
				return fmt.Errorf("%d rules matched; want 1", len(dst))
			}
			return nil
		})
		if err != nil {
			return err
		}
		target := ""
		if n == 1000 {
			target = "≤ 4 µs, flat in rule count"
		}
		tbl.add("events", fmt.Sprintf("match one event (decode + match), %d rules: p50 / p99", n), us(p50)+" / "+us(p99), target)
	}
	return nil
}

// RunEvents measures the eventing workloads and prints a table.
func RunEvents(ctx context.Context, o Options) error {
	dir, err := os.MkdirTemp("", "gureum-bench-events")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var tbl table
	type backend struct {
		name  string
		extra []string
	}
	backends := []backend{{"sqlite", nil}}
	if o.Postgres != "" {
		schema := fmt.Sprintf("gureum_bench_events_%d", time.Now().UnixNano())
		db, err := postgres.Open(ctx, o.Postgres, postgres.Options{Schema: schema})
		if err != nil {
			return err
		}
		defer func() { db.DropSchema(context.WithoutCancel(ctx), schema); db.Close() }()
		backends = append(backends, backend{"postgres", []string{"--store", withSearchPath(o.Postgres, schema)}})
	}
	rounds := max(o.Rounds, 1)
	for _, b := range backends {
		cmd, endpoint, _, err := StartBinary(ctx, o.Binary, dir+"/"+b.name, "AKIAGUREUMBENCH00001", "bench-secret", b.extra...)
		if err != nil {
			return err
		}
		err = eventsOn(ctx, &tbl, b.name, endpoint, o, rounds)
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		if err != nil {
			return fmt.Errorf("%s: %w", b.name, err)
		}
	}
	if err := matchRows(&tbl, o.Duration); err != nil {
		return err
	}
	return tbl.print(o.Out)
}

// eventsOn measures the delivery workloads on one server, the three latencies taking turns in
// each round; each figure is the median round.
func eventsOn(ctx context.Context, tbl *table, name, endpoint string, o Options, rounds int) error {
	c, err := SetUpEvents(ctx, endpoint, "AKIAGUREUMBENCH00001", "bench-secret")
	if err != nil {
		return err
	}
	entry := []ebtypes.PutEventsRequestEntry{{Source: aws.String("bench"), DetailType: aws.String("Latency"), Detail: aws.String(`{"n":1}`)}}
	type workload struct {
		name, url, target string
		produce           func(ctx context.Context) error
	}
	workloads := []workload{
		{"floor: SendMessage → waiting long poll", c.floorQ, "", func(ctx context.Context) error {
			_, err := c.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &c.floorQ, MessageBody: aws.String("floor")})
			return err
		}},
		{"PutEvents → queue target's waiting long poll", c.target, "≤ 3 ms", func(ctx context.Context) error {
			out, err := c.eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entry})
			if err == nil && out.FailedEntryCount > 0 {
				err = fmt.Errorf("PutEvents: %s", aws.ToString(out.Entries[0].ErrorMessage))
			}
			return err
		}},
		{"SNS Publish → subscribed queue's waiting long poll", c.topicQ, "≤ 2 ms", func(ctx context.Context) error {
			_, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: &c.topic, Message: aws.String("latency")})
			return err
		}},
	}
	for _, w := range workloads { // warm up
		if _, err := Delivered(ctx, c.sqs, w.url, 20, w.produce); err != nil {
			return fmt.Errorf("%s: %w", w.name, err)
		}
	}
	lat := make([][]Latencies, len(workloads))
	var accepted, delivered []float64
	for range rounds {
		for i, w := range workloads {
			l, err := Delivered(ctx, c.sqs, w.url, 100, w.produce)
			if err != nil {
				return fmt.Errorf("%s: %w", w.name, err)
			}
			lat[i] = append(lat[i], l)
		}
		a, d, err := SustainedPutEvents(ctx, c, 16, o.Duration)
		if err != nil {
			return fmt.Errorf("sustained PutEvents: %w", err)
		}
		accepted, delivered = append(accepted, a), append(delivered, d)
	}
	for i, w := range workloads {
		var p50, p99 []float64
		for _, l := range lat[i] {
			p50, p99 = append(p50, float64(l.P50)), append(p99, float64(l.P99))
		}
		tbl.add("events/"+name, w.name+": p50 / p99", ms(time.Duration(median(p50)))+" / "+ms(time.Duration(median(p99))), w.target)
	}
	tbl.add("events/"+name, "PutEvents ×10, 16 clients: events accepted a second", fmt.Sprintf("%.0f /s", median(accepted)), "")
	tbl.add("events/"+name, "PutEvents ×10, 16 clients: events on the queue target a second", fmt.Sprintf("%.0f /s (rounds: %s)", median(delivered), joinf(delivered, "%.0f")), "≥ 5,000 /s")
	return nil
}
