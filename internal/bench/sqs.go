package bench

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// SQSClient is an aws-sdk-go-v2 SQS client for an endpoint, with a connection pool sized for
// many concurrent callers.
func SQSClient(endpoint, keyID, secret string) *sqs.Client {
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}
	return sqs.New(sqs.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider(keyID, secret, ""),
		RetryMaxAttempts: 1,
		HTTPClient:       &http.Client{Transport: tr, Timeout: 60 * time.Second},
	})
}

// The workloads' message bodies (SQSFloor answers for them).
const (
	batchedBody = "a benchmark message of modest size, as an S3 event or an order would be"
	singleBody  = "a single message"
)

// Throughput is messages processed per second, with latency of the calls that carried them.
type Throughput struct {
	Messages int64
	Calls    int64 // requests made
	PerSec   float64
	P50      time.Duration // per call
}

func newQueue(ctx context.Context, c *sqs.Client, name string) (string, error) {
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		return "", err
	}
	return *out.QueueUrl, nil
}

// BatchedPipeline runs `clients` workers that each send a batch of 10, receive up to 10 and
// delete what they received, for d. It counts deleted messages.
func BatchedPipeline(ctx context.Context, c *sqs.Client, clients int, d time.Duration) (Throughput, error) {
	url, err := newQueue(ctx, c, fmt.Sprintf("bench-batched-%d", time.Now().UnixNano()))
	if err != nil {
		return Throughput{}, err
	}
	body := aws.String(batchedBody)
	var deleted, calls atomic.Int64
	l, err := concurrently(ctx, clients, 1<<62, d, func(ctx context.Context, _ int64) error {
		entries := make([]types.SendMessageBatchRequestEntry, 10)
		for i := range entries {
			entries[i] = types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), MessageBody: body}
		}
		calls.Add(2)
		if _, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: entries}); err != nil {
			return err
		}
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})
		if err != nil {
			return err
		}
		if len(out.Messages) == 0 {
			return nil
		}
		del := make([]types.DeleteMessageBatchRequestEntry, len(out.Messages))
		for i, m := range out.Messages {
			del[i] = types.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), ReceiptHandle: m.ReceiptHandle}
		}
		calls.Add(1)
		res, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &url, Entries: del})
		if err != nil {
			return err
		}
		deleted.Add(int64(len(res.Successful)))
		return nil
	})
	return Throughput{Messages: deleted.Load(), Calls: calls.Load(), PerSec: float64(deleted.Load()) / durationOf(l, d).Seconds(), P50: l.P50}, err
}

func durationOf(l Latencies, d time.Duration) time.Duration {
	if l.PerSec > 0 {
		return time.Duration(float64(l.N) / l.PerSec * float64(time.Second))
	}
	return d
}

// SingleSends runs `clients` workers each sending one message per call for d.
func SingleSends(ctx context.Context, c *sqs.Client, clients int, d time.Duration) (Throughput, error) {
	url, err := newQueue(ctx, c, fmt.Sprintf("bench-single-%d", time.Now().UnixNano()))
	if err != nil {
		return Throughput{}, err
	}
	l, err := concurrently(ctx, clients, 1<<62, d, func(ctx context.Context, _ int64) error {
		_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(singleBody)})
		return err
	})
	return Throughput{Messages: int64(l.N), Calls: int64(l.N), PerSec: l.PerSec, P50: l.P50}, err
}

// LongPollWake measures, n times, the time from a send to the return of a long poll that was
// already waiting on the empty queue.
func LongPollWake(ctx context.Context, c *sqs.Client, n int) (Latencies, error) {
	url, err := newQueue(ctx, c, fmt.Sprintf("bench-wake-%d", time.Now().UnixNano()))
	if err != nil {
		return Latencies{}, err
	}
	var all []time.Duration
	for i := 0; i < n; i++ {
		var wg sync.WaitGroup
		var got time.Time
		var rerr error
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 20})
			got = time.Now()
			if err == nil && len(out.Messages) == 1 {
				_, err = c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: out.Messages[0].ReceiptHandle})
			} else if err == nil {
				err = fmt.Errorf("long poll returned %d messages", len(out.Messages))
			}
			rerr = err
		}()
		time.Sleep(20 * time.Millisecond) // the receive is waiting
		sent := time.Now()
		if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("wake")}); err != nil {
			return Latencies{}, err
		}
		ackd := time.Now()
		wg.Wait()
		if rerr != nil {
			return Latencies{}, rerr
		}
		// The wake-up is measured from the send's acknowledgement, not its start (the send itself is
		// measured elsewhere); a receive that woke before the ack counts as zero.
		_ = sent
		all = append(all, max(0, got.Sub(ackd)))
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	return summarize(all, time.Second), nil
}
