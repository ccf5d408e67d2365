package sns_test

import (
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gureum/gureum/internal/gureumtest"
)

// BenchmarkPublishToQueue measures Publish → the message received from a subscribed queue (a
// long poll waiting on it), through the outbox, on the in-process server; it reports the p50.
func BenchmarkPublishToQueue(b *testing.B) {
	b.Run("raw", func(b *testing.B) { benchPublishToQueue(b, "true") })
	b.Run("signed-envelope", func(b *testing.B) { benchPublishToQueue(b, "false") })
}

func benchPublishToQueue(b *testing.B, raw string) {
	srv := gureumtest.Start(b, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	c := clients{sns.NewFromConfig(srv.Config()), sqs.NewFromConfig(srv.Config()), srv}
	out, err := c.sns.CreateTopic(bg, &sns.CreateTopicInput{Name: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	q, err := c.sqs.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.sns.Subscribe(bg, &sns.SubscribeInput{TopicArn: out.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String("arn:aws:sqs:us-east-1:000000000000:bench"), Attributes: map[string]string{"RawMessageDelivery": raw}}); err != nil {
		b.Fatal(err)
	}
	lat, pub := make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if _, err := c.sns.Publish(bg, &sns.PublishInput{TopicArn: out.TopicArn, Message: aws.String("m")}); err != nil {
			b.Fatal(err)
		}
		pub = append(pub, time.Since(start))
		for {
			r, err := c.sqs.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 5})
			if err != nil {
				b.Fatal(err)
			}
			if len(r.Messages) > 0 {
				lat = append(lat, time.Since(start))
				c.sqs.DeleteMessage(bg, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: r.Messages[0].ReceiptHandle})
				break
			}
		}
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	sort.Slice(pub, func(i, j int) bool { return pub[i] < pub[j] })
	b.ReportMetric(float64(pub[len(pub)/2].Microseconds())/1000, "publish-p50-ms")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*9/10].Microseconds())/1000, "p90-ms")
}
