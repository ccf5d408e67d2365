package dynamodb_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	stypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestStreams reads a table's stream through the DynamoDB Streams client: one record per
// change, in order, none for a write that changes nothing, images by the view type.
func TestStreams(t *testing.T) {
	for _, be := range gureumtest.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			srv := gureumtest.Start(t, gureumtest.Options{Args: append([]string{"--log-level", "warn"}, be.Args...)})
			testStreams(t, ddb.NewFromConfig(srv.Config()), dynamodbstreams.NewFromConfig(srv.Config()))
		})
	}
}

func testStreams(t *testing.T, c *ddb.Client, sc *dynamodbstreams.Client) {
	ctx := context.Background()
	out, err := c.CreateTable(ctx, &ddb.CreateTableInput{TableName: aws.String("streamed"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		StreamSpecification:  &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewAndOldImages}})
	if err != nil {
		t.Fatal(err)
	}
	arn := out.TableDescription.LatestStreamArn
	if arn == nil {
		t.Fatal("CreateTable with a stream answered no LatestStreamArn")
	}
	item := func(v string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "k"}, "v": &types.AttributeValueMemberS{Value: v}}
	}
	put := func(v string) {
		if _, err := c.PutItem(ctx, &ddb.PutItemInput{TableName: aws.String("streamed"), Item: item(v)}); err != nil {
			t.Fatal(err)
		}
	}
	put("1")
	put("1") // changes nothing: no record
	put("2")
	if _, err := c.DeleteItem(ctx, &ddb.DeleteItemInput{TableName: aws.String("streamed"), Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "k"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteItem(ctx, &ddb.DeleteItemInput{TableName: aws.String("streamed"), Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "k"}}}); err != nil {
		t.Fatal(err) // deleting nothing: no record
	}
	list, err := sc.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{TableName: aws.String("streamed")})
	if err != nil || len(list.Streams) != 1 || aws.ToString(list.Streams[0].StreamArn) != *arn {
		t.Fatalf("ListStreams = %+v, %v", list, err)
	}
	desc, err := sc.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: arn})
	if err != nil || len(desc.StreamDescription.Shards) != 1 || desc.StreamDescription.StreamStatus != stypes.StreamStatusEnabled {
		t.Fatalf("DescribeStream = %+v, %v", desc, err)
	}
	shard := desc.StreamDescription.Shards[0].ShardId
	it, err := sc.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: arn, ShardId: shard, ShardIteratorType: stypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := sc.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range recs.Records {
		names = append(names, string(r.EventName))
	}
	if len(names) != 3 || names[0] != "INSERT" || names[1] != "MODIFY" || names[2] != "REMOVE" {
		t.Fatalf("records = %v; want INSERT, MODIFY, REMOVE", names)
	}
	mod := recs.Records[1].Dynamodb
	if mod.OldImage["v"].(*stypes.AttributeValueMemberS).Value != "1" || mod.NewImage["v"].(*stypes.AttributeValueMemberS).Value != "2" || len(*mod.SequenceNumber) != 21 {
		t.Errorf("MODIFY record = %+v", mod)
	}
	if recs.Records[2].Dynamodb.NewImage != nil || recs.Records[2].Dynamodb.OldImage == nil {
		t.Errorf("REMOVE record images = %+v", recs.Records[2].Dynamodb)
	}
	// The next iterator sees later changes only; so does LATEST.
	latest, _ := sc.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: arn, ShardId: shard, ShardIteratorType: stypes.ShardIteratorTypeLatest})
	after, _ := sc.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: arn, ShardId: shard, ShardIteratorType: stypes.ShardIteratorTypeAfterSequenceNumber,
		SequenceNumber: mod.SequenceNumber})
	put("3")
	for name, iter := range map[string]*string{"next": recs.NextShardIterator, "LATEST": latest.ShardIterator} {
		more, err := sc.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iter})
		if err != nil || len(more.Records) != 1 || more.Records[0].EventName != stypes.OperationTypeInsert || more.NextShardIterator == nil {
			t.Errorf("GetRecords(%s) = %+v, %v; want the one INSERT", name, more, err)
		}
	}
	if more, err := sc.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: after.ShardIterator}); err != nil || len(more.Records) != 2 {
		t.Errorf("GetRecords(after the MODIFY) = %v, %v; want REMOVE and INSERT", more, err)
	}
	// A transaction's writes are recorded with it.
	_, err = c.TransactWriteItems(ctx, &ddb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("streamed"), Item: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "t1"}}}},
		{Put: &types.Put{TableName: aws.String("streamed"), Item: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "t2"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	all, _ := sc.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it.ShardIterator})
	if len(all.Records) != 6 {
		t.Errorf("records after the transaction = %d; want 6", len(all.Records))
	}
	// Turning the stream off closes the shard: a drained iterator has no next one.
	if _, err := c.UpdateTable(ctx, &ddb.UpdateTableInput{TableName: aws.String("streamed"), StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(false)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: arn}); err == nil {
		t.Errorf("DescribeStream(disabled) = nil; want ResourceNotFoundException")
	}
}
