package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestSQSKill9KeepsAcknowledgedWork kills the server with SIGKILL in the middle of a load of sends,
// deletes and visibility changes, restarts it on the same data and checks that nothing it had
// acknowledged was lost: every acknowledged send is there, no acknowledged delete came back and
// every message hidden by an acknowledged receive is still in flight.
func TestSQSKill9KeepsAcknowledgedWork(t *testing.T) {
	t.Parallel()
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) { kill9(t, b) })
	}
}

func kill9(t *testing.T, b gureumtest.Backend) {
	dir := t.TempDir()
	opt := gureumtest.Options{DataDir: dir, Args: append([]string{"--log-level", "warn"}, b.Args...)}
	p := gureumtest.StartBinary(t, bin, opt)
	ctx := context.Background()
	c := sqs.NewFromConfig(p.Config())
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("durable")})
	if err != nil {
		t.Fatal(err)
	}
	url := out.QueueUrl
	var mu sync.Mutex
	sent, deleted, hidden := map[string]bool{}, map[string]bool{}, map[string]bool{}
	deleting := map[string]bool{} // deletes sent but not (yet) acknowledged: they may have committed
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				entries := []types.SendMessageBatchRequestEntry{}
				for j := 0; j < 5; j++ {
					entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(j)), MessageBody: aws.String(fmt.Sprintf("w%d-%d-%d", w, i, j))})
				}
				res, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: entries})
				if err != nil {
					return // the server died; this send was not acknowledged
				}
				mu.Lock()
				for _, s := range res.Successful {
					sent[*s.MessageId] = true
				}
				mu.Unlock()
			}
		}()
	}
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				got, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 43200})
				if err != nil {
					return
				}
				for i, m := range got.Messages {
					if i%2 == 0 { // keep it hidden: the receive's visibility change was acknowledged
						mu.Lock()
						hidden[*m.MessageId] = true
						mu.Unlock()
						continue
					}
					mu.Lock()
					deleting[*m.MessageId] = true
					mu.Unlock()
					if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: url, ReceiptHandle: m.ReceiptHandle}); err != nil {
						return
					}
					mu.Lock()
					delete(deleting, *m.MessageId)
					deleted[*m.MessageId] = true
					delete(hidden, *m.MessageId)
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	p.Cmd.Process.Kill() // SIGKILL: no drain, no clean close
	p.Cmd.Wait()
	close(stop)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(sent) < 100 {
		t.Fatalf("only %d sends were acknowledged before the kill; the load did not run", len(sent))
	}

	again := gureumtest.StartBinary(t, bin, opt)
	c = sqs.NewFromConfig(again.Config())
	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: url, AttributeNames: []types.QueueAttributeName{"ApproximateNumberOfMessagesNotVisible"}})
	if err != nil {
		t.Fatal(err)
	}
	var inFlight int
	fmt.Sscan(attrs.Attributes["ApproximateNumberOfMessagesNotVisible"], &inFlight)
	present := map[string]bool{}
	for {
		got, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 600})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Messages) == 0 {
			break
		}
		for _, m := range got.Messages {
			present[*m.MessageId] = true
		}
	}
	lost, resurrected, unhidden := 0, 0, 0
	for id := range sent {
		if !present[id] && !deleted[id] && !hidden[id] && !deleting[id] {
			lost++
		}
	}
	for id := range deleted {
		if present[id] {
			resurrected++
		}
	}
	for id := range hidden {
		if present[id] {
			unhidden++
		}
	}
	// A receive that committed but whose answer the kill cut off leaves its messages in flight
	// without the test knowing their ids: at most one batch of 10 per receiver. Those, and only
	// those, may account for acknowledged sends that are neither visible nor known to be hidden
	// (a delete cut off the same way is known by id and excused above).
	const receivers, batch = 2, 10
	unknownInFlight := inFlight - len(hidden)
	t.Logf("acknowledged before the kill: %d sends, %d deletes, %d hidden by receives; after restart %d in flight (%d from unacknowledged receives), %d not visible and unexplained",
		len(sent), len(deleted), len(hidden), inFlight, unknownInFlight, lost)
	if lost > unknownInFlight || unknownInFlight > receivers*batch {
		t.Errorf("after kill -9: %d acknowledged sends missing, with only %d messages in flight from unacknowledged receives", lost, unknownInFlight)
	}
	if resurrected+unhidden > 0 {
		t.Errorf("after kill -9: %d acknowledged deletes undone, %d acknowledged receives made visible again", resurrected, unhidden)
	}
}

// TestSQSWithAWSCLIAndBoto3 drives SQS with the AWS CLI and boto3 installed on this machine.
func TestSQSWithAWSCLIAndBoto3(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("NOTICE: the AWS CLI is not installed; skipping")
	}
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{})
	cli := func(args ...string) string {
		cmd := exec.Command("aws", append(args, "--endpoint-url", p.Endpoint, "--output", "text")...)
		cmd.Env = awsEnv(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	url := cli("sqs", "create-queue", "--queue-name", "cli", "--attributes", "VisibilityTimeout=90,MessageRetentionPeriod=345600")
	cli("sqs", "send-message", "--queue-url", url, "--message-body", "from the cli",
		"--message-attributes", `{"k":{"DataType":"String","StringValue":"v"}}`)
	if body := cli("sqs", "receive-message", "--queue-url", url, "--query", "Messages[0].Body"); body != "from the cli" {
		t.Errorf("aws sqs receive-message = %q", body)
	}
	if vt := cli("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "VisibilityTimeout", "--query", "Attributes.VisibilityTimeout"); vt != "90" {
		t.Errorf("VisibilityTimeout = %q", vt)
	}
	if exec.Command("python3", "-c", "import boto3").Run() != nil {
		t.Skip("NOTICE: boto3 is not installed; skipping the boto3 part")
	}
	script := `
import boto3, botocore, os, sys
sqs = boto3.client("sqs", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
url = sqs.create_queue(QueueName="py.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
for i in range(3):
    sqs.send_message(QueueUrl=url, MessageBody="m%d" % i, MessageGroupId="g",
        MessageAttributes={"n": {"DataType": "Number", "StringValue": str(i)}, "b": {"DataType": "Binary", "BinaryValue": b"\x00\xff"}})
got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])["Messages"]
print(" ".join(m["Body"] for m in got))
sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)])
try:
    sqs.get_queue_url(QueueName="missing")
except sqs.exceptions.QueueDoesNotExist as e:
    print("QueueDoesNotExist", e.response["Error"]["Code"])
`
	cmd := exec.Command("python3", "-c", script)
	cmd.Env = awsEnv(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
	out, err := cmd.CombinedOutput()
	want := "m0 m1 m2\nQueueDoesNotExist AWS.SimpleQueueService.NonExistentQueue\n"
	if err != nil || string(out) != want {
		t.Errorf("boto3 printed %q, %v; want %q", out, err, want)
	}
}

// nodes is two servers on one PostgreSQL database, with an aws-sdk-go-v2 client for each.
type nodes struct {
	a, b   *gureumtest.Process
	ca, cb *sqs.Client
}

// twoNodes starts two servers on one PostgreSQL database, or skips the test without one.
func twoNodes(t *testing.T) nodes {
	backends := gureumtest.Backends(t)
	if len(backends) < 2 {
		t.Skip("NOTICE: " + gureumtest.PostgresEnv + " is not set; skipping the two-node test")
	}
	pg := backends[1]
	a, b := gureumtest.StartBinary(t, bin, gureumtest.Options{Args: pg.Args}), gureumtest.StartBinary(t, bin, gureumtest.Options{Args: pg.Args})
	return nodes{a: a, b: b, ca: sqs.NewFromConfig(a.Config()), cb: sqs.NewFromConfig(b.Config())}
}

// create makes a queue through node A and returns its URL there and on node B.
func (n nodes) create(t *testing.T, name string, attrs map[string]string) (onA, onB string) {
	t.Helper()
	out, err := n.ca.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	return *out.QueueUrl, strings.Replace(*out.QueueUrl, n.a.Endpoint, n.b.Endpoint, 1)
}

// TestSQSLongPollAcrossNodes runs two servers on one PostgreSQL database: a long poll on one wakes
// when the other accepts a message.
func TestSQSLongPollAcrossNodes(t *testing.T) {
	t.Parallel()
	n := twoNodes(t)
	onA, onB := n.create(t, "shared", nil)
	wakesAcross(t, n.cb, onB, "node A's send", func() {
		if _, err := n.ca.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: &onA, MessageBody: aws.String("across")}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestSQSDeadLetterWakesAcrossNodes runs two servers on one PostgreSQL database: a long poll on
// a dead-letter queue on one wakes when a receive on the other moves a message there.
func TestSQSDeadLetterWakesAcrossNodes(t *testing.T) {
	t.Parallel()
	n := twoNodes(t)
	ctx := context.Background()
	dlqA, dlqB := n.create(t, "dead", nil)
	arn, err := n.ca.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &dlqA, AttributeNames: []types.QueueAttributeName{"QueueArn"}})
	if err != nil {
		t.Fatal(err)
	}
	src, _ := n.create(t, "orders", map[string]string{
		"VisibilityTimeout": "0", // (a request's zero is not sent by the SDK)
		"RedrivePolicy":     `{"deadLetterTargetArn":"` + arn.Attributes["QueueArn"] + `","maxReceiveCount":"1"}`})
	if _, err := n.ca.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &src, MessageBody: aws.String("poison")}); err != nil {
		t.Fatal(err)
	}
	if got, err := n.ca.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &src}); err != nil || len(got.Messages) != 1 {
		t.Fatalf("first receive = %v, %v", got, err)
	}
	wakesAcross(t, n.cb, dlqB, "node A's receive moving the message", func() {
		if got, err := n.ca.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &src}); err != nil || len(got.Messages) != 0 {
			t.Fatalf("second receive = %v, %v; want the message moved to the dead-letter queue", got, err)
		}
	})
}

// TestSQSVisibilityWakesAcrossNodes runs two servers on one PostgreSQL database: a long poll on
// one wakes when the other releases a received message with ChangeMessageVisibility.
func TestSQSVisibilityWakesAcrossNodes(t *testing.T) {
	t.Parallel()
	n := twoNodes(t)
	ctx := context.Background()
	onA, onB := n.create(t, "work", nil)
	if _, err := n.ca.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &onA, MessageBody: aws.String("give back")}); err != nil {
		t.Fatal(err)
	}
	got, err := n.ca.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &onA})
	if err != nil || len(got.Messages) != 1 {
		t.Fatalf("receive = %v, %v", got, err)
	}
	wakesAcross(t, n.cb, onB, "node A's ChangeMessageVisibility to 0", func() {
		if _, err := n.ca.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &onA,
			ReceiptHandle: got.Messages[0].ReceiptHandle, VisibilityTimeout: 0}); err != nil {
			t.Fatal(err)
		}
	})
}

// wakesAcross starts a 20-second long poll on url through c, runs act once it is waiting, and
// fails unless the poll returns one message well within its wait time.
func wakesAcross(t *testing.T, c *sqs.Client, url, what string, act func()) {
	t.Helper()
	done := make(chan time.Time, 1)
	go func() {
		got, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 20})
		if err == nil && len(got.Messages) == 1 {
			done <- time.Now()
		}
		close(done)
	}()
	time.Sleep(300 * time.Millisecond) // the other node is waiting
	act()
	acted := time.Now()
	select {
	case at, ok := <-done:
		if !ok {
			t.Fatal("node B's long poll returned without the message")
		}
		t.Logf("node B's long poll returned %v after %s", at.Sub(acted), what)
	case <-time.After(10 * time.Second):
		t.Fatalf("node B's long poll did not wake on %s", what)
	}
}

// TestSQSReceiveAttemptAcrossNodes runs two servers on one PostgreSQL database: a FIFO receive
// retried with the same ReceiveRequestAttemptId on the other node gets the same message and
// receipt handle, as a retry after a lost response would.
func TestSQSReceiveAttemptAcrossNodes(t *testing.T) {
	t.Parallel()
	n := twoNodes(t)
	ctx := context.Background()
	urlA, urlB := n.create(t, "attempts.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	for _, body := range []string{"first", "second"} {
		if _, err := n.ca.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &urlA, MessageBody: aws.String(body), MessageGroupId: aws.String("g")}); err != nil {
			t.Fatal(err)
		}
	}
	recv := func(c *sqs.Client, url, attempt string) []string {
		got, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 1,
			ReceiveRequestAttemptId: aws.String(attempt)})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range got.Messages {
			out = append(out, *m.Body+" "+*m.ReceiptHandle)
		}
		return out
	}
	first := recv(n.ca, urlA, "attempt-1")
	if len(first) != 1 || !strings.HasPrefix(first[0], "first ") {
		t.Fatalf("node A's receive = %v; want the first message", first)
	}
	if retry := recv(n.cb, urlB, "attempt-1"); len(retry) != 1 || retry[0] != first[0] {
		t.Fatalf("the retry on node B = %v; want node A's answer %v", retry, first)
	}
	if other := recv(n.cb, urlB, "attempt-2"); len(other) != 0 {
		t.Fatalf("another attempt on node B = %v; want nothing while the group is in flight", other)
	}
}
