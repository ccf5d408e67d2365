package events_test

import (
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gureum/gureum/internal/gureumtest"
)

// BenchmarkPutEventsToQueue measures PutEvents → the message received from the rule's queue
// target, one event at a time against the in-process server (SQLite), and reports the p50 and
// p99 latencies.
func BenchmarkPutEventsToQueue(b *testing.B) {
	srv := gureumtest.Start(b, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	eb, sq := eventbridge.NewFromConfig(srv.Config()), sqs.NewFromConfig(srv.Config())
	q, err := sq.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := eb.PutRule(bg, &eventbridge.PutRuleInput{Name: aws.String("bench"), EventPattern: aws.String(`{"source":["bench"]}`)}); err != nil {
		b.Fatal(err)
	}
	_, err = eb.PutTargets(bg, &eventbridge.PutTargetsInput{Rule: aws.String("bench"),
		Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:bench")}}})
	if err != nil {
		b.Fatal(err)
	}
	entry := []ebtypes.PutEventsRequestEntry{{Source: aws.String("bench"), DetailType: aws.String("t"), Detail: aws.String(`{"n":1}`)}}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if _, err := eb.PutEvents(bg, &eventbridge.PutEventsInput{Entries: entry}); err != nil {
			b.Fatal(err)
		}
		for {
			out, err := sq.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 5})
			if err != nil {
				b.Fatal(err)
			}
			if len(out.Messages) > 0 {
				lat = append(lat, time.Since(start))
				sq.DeleteMessage(bg, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: out.Messages[0].ReceiptHandle})
				break
			}
		}
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}
