package lambda_test

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// slowHandler takes half a second per batch, so that a backlog needs concurrency.
const slowHandler = `
import json, time
def handler(event, context):
    print("EVENT " + json.dumps(event))
    time.sleep(0.5)
    for r in event["Records"]:
        if "body" in r:
            print("processed", r["body"])
    return {}
`

// logStreams counts a function's log streams: one per execution environment.
func logStreams(t *testing.T, cw *cloudwatchlogs.Client, fn string) int {
	t.Helper()
	out, err := cw.DescribeLogStreams(context.Background(), &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("/aws/lambda/" + fn)})
	if err != nil {
		t.Fatalf("DescribeLogStreams: %v", err)
	}
	return len(out.LogStreams)
}

// waitEmpty waits (a hang guard, not a speed bound) until a queue holds no message.
func waitEmpty(t *testing.T, q *sqs.Client, url string) {
	t.Helper()
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		a, err := q.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
			AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
		if err != nil {
			t.Fatal(err)
		}
		if a.Attributes["ApproximateNumberOfMessages"] == "0" && a.Attributes["ApproximateNumberOfMessagesNotVisible"] == "0" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the queue still holds messages: %v", a.Attributes)
		}
	}
}

func sendMany(t *testing.T, q *sqs.Client, url string, n int) {
	t.Helper()
	for i := 0; i < n; i += 10 {
		var entries []sqstypes.SendMessageBatchRequestEntry
		for j := i; j < min(n, i+10); j++ {
			entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(j)), MessageBody: aws.String("m" + strconv.Itoa(j))})
		}
		if _, err := q.SendMessageBatch(context.Background(), &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestQueueEventSourceScales: with a backlog, an SQS mapping's pollers grow past the five they
// start with, up to MaximumConcurrency and no further (counted in execution environments, one
// log stream each); every message is processed.
func TestQueueEventSourceScales(t *testing.T) {
	t.Parallel()
	f := start(t)
	ctx := context.Background()
	q := sqs.NewFromConfig(f.srv.Config())
	url, arn := makeQueue(t, q, "backlog", nil)
	f.create(t, "slow", "python3.12", "app.handler", pyZip(t, slowHandler))
	const n = 60
	sendMany(t, q, url, n)
	if _, err := f.client.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("slow"),
		EventSourceArn: aws.String(arn), BatchSize: aws.Int32(1), ScalingConfig: &types.ScalingConfig{MaximumConcurrency: aws.Int32(8)}}); err != nil {
		t.Fatalf("CreateEventSourceMapping: %v", err)
	}
	waitEmpty(t, q, url)
	cw := cloudwatchlogs.NewFromConfig(f.srv.Config())
	if got := logStreams(t, cw, "slow"); got <= 5 || got > 8 {
		t.Errorf("the mapping ran %d execution environments; want more than the first 5 pollers' and at most MaximumConcurrency 8", got)
	}
}

// TestQueueEventSourceThrottled: a function with reserved concurrency 1 throttles the mapping's
// pollers; they back off, and every message is still processed.
func TestQueueEventSourceThrottled(t *testing.T) {
	t.Parallel()
	f := start(t)
	ctx := context.Background()
	q := sqs.NewFromConfig(f.srv.Config())
	url, arn := makeQueue(t, q, "throttled", map[string]string{"VisibilityTimeout": "3"})
	f.create(t, "single", "python3.12", "app.handler", pyZip(t, slowHandler), func(in *lambda.CreateFunctionInput) { in.Timeout = aws.Int32(3) })
	if _, err := f.client.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("single"),
		ReservedConcurrentExecutions: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	const n = 12
	sendMany(t, q, url, n)
	if _, err := f.client.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("single"),
		EventSourceArn: aws.String(arn), BatchSize: aws.Int32(1)}); err != nil {
		t.Fatalf("CreateEventSourceMapping: %v", err)
	}
	waitEmpty(t, q, url)
	cw := cloudwatchlogs.NewFromConfig(f.srv.Config())
	seen := map[string]bool{}
	for deadline := time.Now().Add(30 * time.Second); len(seen) < n && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		ev, err := cw.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/single"), FilterPattern: aws.String("processed")})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ev.Events {
			if _, body, ok := strings.Cut(aws.ToString(e.Message), "processed "); ok {
				seen[strings.TrimSpace(body)] = true
			}
		}
	}
	if len(seen) != n {
		t.Errorf("processed %d distinct messages; want %d", len(seen), n)
	}
	if got := logStreams(t, cw, "single"); got != 1 {
		t.Errorf("%d execution environments ran; want 1 (reserved concurrency)", got)
	}
}

func streamTable(t *testing.T, db *dynamodb.Client, name string) string {
	t.Helper()
	tbl, err := db.CreateTable(context.Background(), &dynamodb.CreateTableInput{TableName: aws.String(name), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
		StreamSpecification:  &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewTypeNewImage}})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(tbl.TableDescription.LatestStreamArn)
}

func putItem(t *testing.T, db *dynamodb.Client, table, pk, v string) {
	t.Helper()
	if _, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]ddbtypes.AttributeValue{
		"pk": &ddbtypes.AttributeValueMemberS{Value: pk}, "v": &ddbtypes.AttributeValueMemberS{Value: v}}}); err != nil {
		t.Fatal(err)
	}
}

// TestDynamoDBStreamParallelization: ParallelizationFactor 3 runs batches of one shard
// concurrently (more than one execution environment) while each item's changes still arrive in
// order.
func TestDynamoDBStreamParallelization(t *testing.T) {
	t.Parallel()
	f := start(t)
	ctx := context.Background()
	db := dynamodb.NewFromConfig(f.srv.Config())
	streamARN := streamTable(t, db, "par")
	f.create(t, "par", "python3.12", "app.handler", pyZip(t, slowHandler))
	if _, err := f.client.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("par"),
		EventSourceArn: aws.String(streamARN), StartingPosition: types.EventSourcePositionTrimHorizon, ParallelizationFactor: aws.Int32(0)}); errorCode(err) != "ValidationException" {
		t.Errorf("ParallelizationFactor 0 = %v", err)
	}
	const keys, versions = 6, 4
	for v := 1; v <= versions; v++ {
		for k := range keys {
			putItem(t, db, "par", "k"+strconv.Itoa(k), strconv.Itoa(v))
		}
	}
	m, err := f.client.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("par"),
		EventSourceArn: aws.String(streamARN), StartingPosition: types.EventSourcePositionTrimHorizon, BatchSize: aws.Int32(2),
		ParallelizationFactor: aws.Int32(3)})
	if err != nil {
		t.Fatalf("CreateEventSourceMapping: %v", err)
	}
	if aws.ToInt32(m.ParallelizationFactor) != 3 {
		t.Errorf("ParallelizationFactor = %d; want 3", aws.ToInt32(m.ParallelizationFactor))
	}
	cw := cloudwatchlogs.NewFromConfig(f.srv.Config())
	got := ddbStreamEvents(t, cw, "par", keys*versions)
	last := map[string]int{}
	for _, r := range got {
		k := r.Change.Keys["pk"].String()
		v, _ := strconv.Atoi(r.Change.NewImage["v"].String())
		if v != last[k]+1 {
			t.Errorf("item %s: version %d after %d; want each item's changes in order", k, v, last[k])
		}
		last[k] = v
	}
	if n := logStreams(t, cw, "par"); n < 2 {
		t.Errorf("%d execution environments ran; want concurrent batches (ParallelizationFactor 3)", n)
	}
}

// windowHandler counts records in its window's state and logs every invoke's window fields.
const windowHandler = `
import json
def handler(event, context):
    print("WINDOW " + json.dumps(event))
    if event["isFinalInvokeForWindow"]:
        return {}
    st = event["state"]
    st["count"] = str(int(st.get("count", "0")) + len(event["Records"]))
    return {"state": st}
`

// TestDynamoDBStreamTumblingWindow: each invoke of a window gets the state the previous one
// returned, and the window's final invoke has the total; validation as Lambda's.
func TestDynamoDBStreamTumblingWindow(t *testing.T) {
	t.Parallel()
	f := start(t)
	ctx := context.Background()
	db := dynamodb.NewFromConfig(f.srv.Config())
	q := sqs.NewFromConfig(f.srv.Config())
	streamARN := streamTable(t, db, "win")
	_, queueARN := makeQueue(t, q, "not-a-stream", nil)
	f.create(t, "win", "python3.12", "app.handler", pyZip(t, windowHandler))
	if _, err := f.client.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("win"),
		EventSourceArn: aws.String(streamARN), StartingPosition: types.EventSourcePositionTrimHorizon, TumblingWindowInSeconds: aws.Int32(901)}); errorCode(err) != "ValidationException" {
		t.Errorf("TumblingWindowInSeconds 901 = %v", err)
	}
	if _, err := f.client.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("win"),
		EventSourceArn: aws.String(queueARN), TumblingWindowInSeconds: aws.Int32(60)}); errorCode(err) != "InvalidParameterValueException" {
		t.Errorf("TumblingWindowInSeconds on a queue = %v", err)
	}
	const n = 5
	for i := range n {
		putItem(t, db, "win", "k"+strconv.Itoa(i), "1")
	}
	m, err := f.client.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("win"),
		EventSourceArn: aws.String(streamARN), StartingPosition: types.EventSourcePositionTrimHorizon, BatchSize: aws.Int32(2),
		TumblingWindowInSeconds: aws.Int32(2)})
	if err != nil {
		t.Fatalf("CreateEventSourceMapping: %v", err)
	}
	if aws.ToInt32(m.TumblingWindowInSeconds) != 2 {
		t.Errorf("TumblingWindowInSeconds = %d; want 2", aws.ToInt32(m.TumblingWindowInSeconds))
	}
	cw := cloudwatchlogs.NewFromConfig(f.srv.Config())
	var evs []events.DynamoDBTimeWindowEvent
	total := 0
	for deadline := time.Now().Add(60 * time.Second); total < n && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		out, err := cw.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/win"), FilterPattern: aws.String("WINDOW")})
		if err != nil {
			continue
		}
		sort.SliceStable(out.Events, func(i, j int) bool {
			return aws.ToInt64(out.Events[i].Timestamp) < aws.ToInt64(out.Events[j].Timestamp)
		})
		evs, total = evs[:0], 0
		for _, e := range out.Events {
			_, body, ok := strings.Cut(aws.ToString(e.Message), "WINDOW ")
			if !ok {
				continue
			}
			var ev events.DynamoDBTimeWindowEvent
			if err := json.Unmarshal([]byte(body), &ev); err != nil {
				t.Fatalf("the event does not decode as events.DynamoDBTimeWindowEvent: %v\n%s", err, body)
			}
			evs = append(evs, ev)
			if ev.IsFinalInvokeForWindow {
				c, _ := strconv.Atoi(ev.State["count"])
				total += c
			}
		}
	}
	if total != n {
		t.Fatalf("the windows' final invokes counted %d records; want %d", total, n)
	}
	count := map[time.Time]int{} // records seen per window, before its final invoke
	for _, ev := range evs {
		if ev.EventSourceARN != streamARN || ev.ShardID == "" || ev.Window.End.Sub(ev.Window.Start.Time) != 2*time.Second || ev.IsWindowTerminatedEarly {
			t.Errorf("window fields = %+v", ev.TimeWindowProperties)
		}
		if c, _ := strconv.Atoi(ev.State["count"]); c != count[ev.Window.Start.Time] {
			t.Errorf("window %v: state count %d; want %d (the state the previous invoke returned)", ev.Window.Start.Time, c, count[ev.Window.Start.Time])
		}
		if ev.IsFinalInvokeForWindow && len(ev.Records) != 0 {
			t.Errorf("a final invoke carried %d records; want none", len(ev.Records))
		}
		count[ev.Window.Start.Time] += len(ev.Records)
	}
}
