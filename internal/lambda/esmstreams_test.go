package lambda_test

import (
	"context"
	"encoding/json"
	"sort"
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

	"github.com/gureum/gureum/internal/gureumtest"
)

// streamHandler logs every event it receives, whole, and fails on the item "bad".
const streamHandler = `
import json
def handler(event, context):
    print("EVENT " + json.dumps(event))
    for r in event["Records"]:
        if r["dynamodb"]["Keys"]["pk"]["S"] == "bad":
            raise Exception("bad item")
    return {}
`

// ddbStreamEvents reads the DynamoDB events the function logged, in the order it received them.
func ddbStreamEvents(t *testing.T, cw *cloudwatchlogs.Client, fn string, want int) []events.DynamoDBEventRecord {
	t.Helper()
	var got []events.DynamoDBEventRecord
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		ev, err := cw.FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/" + fn), FilterPattern: aws.String("EVENT")})
		if err != nil {
			continue
		}
		sort.SliceStable(ev.Events, func(i, j int) bool { return aws.ToInt64(ev.Events[i].Timestamp) < aws.ToInt64(ev.Events[j].Timestamp) })
		got = got[:0]
		for _, e := range ev.Events {
			msg := aws.ToString(e.Message)
			_, body, ok := strings.Cut(msg, "EVENT ")
			if !ok {
				continue
			}
			var d events.DynamoDBEvent
			if err := json.Unmarshal([]byte(body), &d); err != nil {
				t.Fatalf("the event does not decode as events.DynamoDBEvent: %v\n%s", err, body)
			}
			got = append(got, d.Records...)
		}
		if len(got) >= want {
			return got
		}
	}
	t.Fatalf("the function saw %d records; want %d", len(got), want)
	return nil
}

func TestDynamoDBStreamEventSource(t *testing.T) {
	dir := t.TempDir()
	srv := gureumtest.Start(t, gureumtest.Options{DataDir: dir})
	f := &fixture{srv: srv, client: lambda.NewFromConfig(srv.Config())}
	ctx := context.Background()
	db := dynamodb.NewFromConfig(srv.Config())
	q := sqs.NewFromConfig(srv.Config())
	tbl, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("items"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
		StreamSpecification:  &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewTypeNewAndOldImages}})
	if err != nil {
		t.Fatal(err)
	}
	streamARN := aws.ToString(tbl.TableDescription.LatestStreamArn)
	failURL, failARN := makeQueue(t, q, "stream-failures", nil)
	f.create(t, "recorder", "python3.12", "app.handler", pyZip(t, streamHandler))

	// AWS's validation.
	bad := []struct {
		name string
		in   lambda.CreateEventSourceMappingInput
		code string
	}{
		{"no StartingPosition", lambda.CreateEventSourceMappingInput{}, "InvalidParameterValueException"},
		{"BatchSize 10001", lambda.CreateEventSourceMappingInput{StartingPosition: types.EventSourcePositionLatest, BatchSize: aws.Int32(10001)}, "ValidationException"},
		{"ParallelizationFactor 11", lambda.CreateEventSourceMappingInput{StartingPosition: types.EventSourcePositionLatest, ParallelizationFactor: aws.Int32(11)}, "ValidationException"},
		{"MaximumRetryAttempts -2", lambda.CreateEventSourceMappingInput{StartingPosition: types.EventSourcePositionLatest, MaximumRetryAttempts: aws.Int32(-2)}, "ValidationException"},
		{"MaximumRecordAgeInSeconds 10", lambda.CreateEventSourceMappingInput{StartingPosition: types.EventSourcePositionLatest, MaximumRecordAgeInSeconds: aws.Int32(10)}, "InvalidParameterValueException"},
		{"OnFailure to a function", lambda.CreateEventSourceMappingInput{StartingPosition: types.EventSourcePositionLatest,
			DestinationConfig: &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String("arn:aws:lambda:us-east-1:000000000000:function:x")}}}, "InvalidParameterValueException"},
		{"a bad filter", lambda.CreateEventSourceMappingInput{StartingPosition: types.EventSourcePositionLatest,
			FilterCriteria: &types.FilterCriteria{Filters: []types.Filter{{Pattern: aws.String(`{"dynamodb":`)}}}}, "InvalidParameterValueException"},
	}
	for _, c := range bad {
		in := c.in
		in.FunctionName, in.EventSourceArn = aws.String("recorder"), aws.String(streamARN)
		if _, err := f.client.CreateEventSourceMapping(ctx, &in); errorCode(err) != c.code {
			t.Errorf("%s = %v; want %s", c.name, err, c.code)
		}
	}
	if _, err := f.client.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("recorder"),
		EventSourceArn: aws.String(streamARN + "x"), StartingPosition: types.EventSourcePositionLatest}); errorCode(err) != "InvalidParameterValueException" {
		t.Errorf("a missing stream = %v", err)
	}

	// Items written before the mapping: TRIM_HORIZON reads them.
	put := func(pk, v string) {
		t.Helper()
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("items"), Item: map[string]ddbtypes.AttributeValue{
			"pk": &ddbtypes.AttributeValueMemberS{Value: pk}, "v": &ddbtypes.AttributeValueMemberS{Value: v}}}); err != nil {
			t.Fatal(err)
		}
	}
	put("a", "1")
	put("a", "2")
	m, err := f.client.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("recorder"),
		EventSourceArn: aws.String(streamARN), StartingPosition: types.EventSourcePositionTrimHorizon, BatchSize: aws.Int32(1),
		MaximumRetryAttempts: aws.Int32(1), DestinationConfig: &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String(failARN)}}})
	if err != nil {
		t.Fatalf("CreateEventSourceMapping: %v", err)
	}
	if aws.ToInt32(m.MaximumRetryAttempts) != 1 || aws.ToInt32(m.ParallelizationFactor) != 1 || m.StartingPosition != types.EventSourcePositionTrimHorizon ||
		aws.ToString(m.DestinationConfig.OnFailure.Destination) != failARN {
		t.Errorf("CreateEventSourceMapping = %+v", m)
	}
	// A second function sees only what its filter keeps (LATEST: from now on).
	f.create(t, "removals", "python3.12", "app.handler", pyZip(t, streamHandler))
	if _, err := f.client.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("removals"),
		EventSourceArn: aws.String(streamARN), StartingPosition: types.EventSourcePositionTrimHorizon,
		FilterCriteria: &types.FilterCriteria{Filters: []types.Filter{{Pattern: aws.String(`{"eventName":["REMOVE"]}`)}}}}); err != nil {
		t.Fatalf("CreateEventSourceMapping with a filter: %v", err)
	}
	put("bad", "x")
	if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("items"),
		Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "a"}}}); err != nil {
		t.Fatal(err)
	}

	// The failed batch: tried twice (MaximumRetryAttempts 1), then described to the OnFailure queue.
	msg := receive(t, q, failURL, 1)
	var fr struct {
		RequestContext struct {
			Condition              string `json:"condition"`
			ApproximateInvokeCount int    `json:"approximateInvokeCount"`
		} `json:"requestContext"`
		ResponseContext struct {
			FunctionError string `json:"functionError"`
		} `json:"responseContext"`
		Info struct {
			ShardID   string `json:"shardId"`
			Start     string `json:"startSequenceNumber"`
			BatchSize int    `json:"batchSize"`
			StreamArn string `json:"streamArn"`
		} `json:"DDBStreamBatchInfo"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(msg[0].Body)), &fr); err != nil || fr.RequestContext.Condition != "RetryAttemptsExhausted" ||
		fr.RequestContext.ApproximateInvokeCount != 2 || fr.Info.StreamArn != streamARN || fr.Info.BatchSize != 1 || fr.Info.ShardID == "" ||
		fr.ResponseContext.FunctionError != "Unhandled" {
		t.Errorf("OnFailure record = %s (%v)", aws.ToString(msg[0].Body), err)
	}

	cw := cloudwatchlogs.NewFromConfig(srv.Config())
	got := ddbStreamEvents(t, cw, "recorder", 5)
	type seen struct{ name, pk string }
	want := []seen{{"INSERT", "a"}, {"MODIFY", "a"}, {"INSERT", "bad"}, {"INSERT", "bad"}, {"REMOVE", "a"}}
	for i, r := range got[:5] {
		s := seen{r.EventName, r.Change.Keys["pk"].String()}
		if s != want[i] {
			t.Errorf("record %d = %v; want %v", i, s, want[i])
		}
		if r.EventSource != "aws:dynamodb" || r.EventVersion != "1.1" || r.EventSourceArn != streamARN || r.AWSRegion != "us-east-1" ||
			r.Change.StreamViewType != "NEW_AND_OLD_IMAGES" || r.Change.SequenceNumber == "" || r.Change.SizeBytes == 0 || r.EventID == "" {
			t.Errorf("record %d = %+v", i, r)
		}
	}
	if got[1].Change.OldImage["v"].String() != "1" || got[1].Change.NewImage["v"].String() != "2" || got[4].Change.NewImage != nil && len(got[4].Change.NewImage) > 0 {
		t.Errorf("images: MODIFY %+v, REMOVE %+v", got[1].Change, got[4].Change)
	}

	if got := ddbStreamEvents(t, cw, "removals", 1); len(got) != 1 || got[0].EventName != "REMOVE" {
		t.Errorf("the filtered mapping saw %+v", got)
	}

	// A restart resumes after the last settled batch: what comes after is read, nothing is lost.
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	srv = gureumtest.Start(t, gureumtest.Options{DataDir: dir})
	db = dynamodb.NewFromConfig(srv.Config())
	put("c", "3")
	cw = cloudwatchlogs.NewFromConfig(srv.Config())
	got = ddbStreamEvents(t, cw, "recorder", 6)
	last := got[len(got)-1]
	if last.EventName != "INSERT" || last.Change.Keys["pk"].String() != "c" {
		t.Errorf("after the restart the function saw %s %s", last.EventName, last.Change.Keys["pk"].String())
	}
	for _, r := range got[5:] { // at least once: a batch may run again, but in order and never one before the checkpoint's
		if k := r.Change.Keys["pk"].String(); k != "c" && k != "a" {
			t.Errorf("after the restart the function saw %s %s again", r.EventName, k)
		}
	}
}

// partialHandler reports the item "bad" as a batch item failure by its sequence number.
const partialHandler = `
import json
def handler(event, context):
    print("EVENT " + json.dumps(event))
    return {"batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in event["Records"]
                                  if r["dynamodb"]["Keys"]["pk"]["S"] == "bad"]}
`

// TestDynamoDBStreamBatchItemFailures: a reported failure retries the batch from the failed
// record; bisected down to it, it alone goes to OnFailure and the records after it run.
func TestDynamoDBStreamBatchItemFailures(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	db := dynamodb.NewFromConfig(f.srv.Config())
	q := sqs.NewFromConfig(f.srv.Config())
	tbl, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("parts"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
		StreamSpecification:  &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewTypeKeysOnly}})
	if err != nil {
		t.Fatal(err)
	}
	streamARN := aws.ToString(tbl.TableDescription.LatestStreamArn)
	failURL, failARN := makeQueue(t, q, "part-failures", nil)
	f.create(t, "recorder", "python3.12", "app.handler", pyZip(t, partialHandler))
	for _, pk := range []string{"x1", "bad", "x2"} {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("parts"),
			Item: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: pk}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.client.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("recorder"),
		EventSourceArn: aws.String(streamARN), StartingPosition: types.EventSourcePositionTrimHorizon, BatchSize: aws.Int32(10),
		MaximumRetryAttempts: aws.Int32(0), BisectBatchOnFunctionError: aws.Bool(true),
		FunctionResponseTypes: []types.FunctionResponseType{types.FunctionResponseTypeReportBatchItemFailures},
		DestinationConfig:     &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String(failARN)}}}); err != nil {
		t.Fatalf("CreateEventSourceMapping: %v", err)
	}
	msg := receive(t, q, failURL, 1)
	var fr struct {
		Info struct {
			Start     string `json:"startSequenceNumber"`
			BatchSize int    `json:"batchSize"`
		} `json:"DDBStreamBatchInfo"`
	}
	json.Unmarshal([]byte(aws.ToString(msg[0].Body)), &fr)
	got := ddbStreamEvents(t, cloudwatchlogs.NewFromConfig(f.srv.Config()), "recorder", 1)
	var badSeq string
	for _, r := range got {
		if r.Change.Keys["pk"].String() == "bad" {
			badSeq = r.Change.SequenceNumber
		}
	}
	if fr.Info.BatchSize != 1 || fr.Info.Start != badSeq {
		t.Errorf("OnFailure record = %s; want the bad record (%s) alone", aws.ToString(msg[0].Body), badSeq)
	}
	// x2 runs after the bad record is given up.
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		got = ddbStreamEvents(t, cloudwatchlogs.NewFromConfig(f.srv.Config()), "recorder", 1)
		if last := got[len(got)-1]; last.Change.Keys["pk"].String() == "x2" && len(got) > 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("x2 did not run after the bad record: %d records", len(got))
		}
	}
}
