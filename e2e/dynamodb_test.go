package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	stypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestDynamoDBAWSCLI drives tables and items with `aws dynamodb`, its waiter included.
func TestDynamoDBAWSCLI(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("NOTICE: the AWS CLI is not installed; skipping")
	}
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{})
	run := func(args ...string) (string, error) {
		cmd := exec.Command("aws", append([]string{"dynamodb"}, args...)...)
		cmd.Env = awsEnv(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	must := func(args ...string) string {
		t.Helper()
		out, err := run(args...)
		if err != nil {
			t.Fatalf("aws dynamodb %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	must("create-table", "--table-name", "Music", "--attribute-definitions", "AttributeName=Artist,AttributeType=S", "AttributeName=SongTitle,AttributeType=S",
		"--key-schema", "AttributeName=Artist,KeyType=HASH", "AttributeName=SongTitle,KeyType=RANGE", "--billing-mode", "PAY_PER_REQUEST")
	must("wait", "table-exists", "--table-name", "Music")
	var puts []string
	for i, song := range []string{"Call Me Today", "Happy Day", "PartiQL Rocks"} {
		puts = append(puts, fmt.Sprintf(`{"PutRequest":{"Item":{"Artist":{"S":"No One You Know"},"SongTitle":{"S":%q},"Year":{"N":"%d"}}}}`, song, 2000+i))
	}
	must("batch-write-item", "--request-items", `{"Music":[`+strings.Join(puts, ",")+`]}`)
	out := must("query", "--table-name", "Music", "--key-condition-expression", "Artist = :a AND begins_with(SongTitle, :t)",
		"--expression-attribute-values", `{":a":{"S":"No One You Know"},":t":{"S":"Ha"}}`, "--output", "json")
	var q struct {
		Count int
		Items []map[string]map[string]string
	}
	if json.Unmarshal([]byte(out), &q) != nil || q.Count != 1 || q.Items[0]["Year"]["N"] != "2001" {
		t.Errorf("aws dynamodb query = %s", out)
	}
	out = must("update-item", "--table-name", "Music", "--key", `{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Happy Day"}}`,
		"--update-expression", "SET #y = #y + :one", "--expression-attribute-names", `{"#y":"Year"}`,
		"--expression-attribute-values", `{":one":{"N":"1"}}`, "--return-values", "UPDATED_NEW", "--output", "json")
	if !strings.Contains(out, `"N": "2002"`) {
		t.Errorf("aws dynamodb update-item = %s", out)
	}
	out, err := run("put-item", "--table-name", "Music", "--item", `{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Happy Day"}}`,
		"--condition-expression", "attribute_not_exists(Artist)")
	if err == nil || !strings.Contains(out, "ConditionalCheckFailedException") {
		t.Errorf("aws dynamodb put-item (condition fails) = %s, %v", out, err)
	}
	out = must("scan", "--table-name", "Music", "--select", "COUNT", "--output", "json")
	if !strings.Contains(out, `"Count": 3`) {
		t.Errorf("aws dynamodb scan = %s", out)
	}
	testDynamoDBCLIIon(t, p.Endpoint, run, must)
	must("delete-table", "--table-name", "Music")
	must("wait", "table-not-exists", "--table-name", "Music")
}

// testDynamoDBCLIIon exports Music in Ion with `aws dynamodb export-table-to-point-in-time`,
// imports the export back with `import-table --input-format ION`, and asks for an incremental
// export shorter than AWS allows.
func testDynamoDBCLIIon(t *testing.T, endpoint string, run func(...string) (string, error), must func(...string) string) {
	s3api := exec.Command("aws", "s3api", "create-bucket", "--bucket", "music-exports")
	s3api.Env = awsEnv(endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
	if out, err := s3api.CombinedOutput(); err != nil {
		t.Fatalf("aws s3api create-bucket: %v\n%s", err, out)
	}
	must("update-continuous-backups", "--table-name", "Music", "--point-in-time-recovery-specification", "PointInTimeRecoveryEnabled=true")
	arn := "arn:aws:dynamodb:us-east-1:" + gureumtest.AccountID + ":table/Music"
	out := must("export-table-to-point-in-time", "--table-arn", arn, "--s3-bucket", "music-exports", "--s3-prefix", "ion",
		"--export-format", "ION", "--export-type", "FULL_EXPORT", "--output", "json")
	var e struct {
		ExportDescription struct {
			ExportStatus, ExportFormat, ExportManifest string
			ItemCount                                  int
		}
	}
	if json.Unmarshal([]byte(out), &e) != nil || e.ExportDescription.ExportStatus != "COMPLETED" || e.ExportDescription.ExportFormat != "ION" || e.ExportDescription.ItemCount != 3 {
		t.Fatalf("aws dynamodb export-table-to-point-in-time --export-format ION = %s", out)
	}
	data := strings.TrimSuffix(e.ExportDescription.ExportManifest, "manifest-summary.json") + "data/"
	out = must("import-table", "--input-format", "ION", "--input-compression-type", "GZIP", "--s3-bucket-source", "S3Bucket=music-exports,S3KeyPrefix="+data,
		"--table-creation-parameters", `{"TableName":"MusicFromIon","AttributeDefinitions":[{"AttributeName":"Artist","AttributeType":"S"},{"AttributeName":"SongTitle","AttributeType":"S"}],`+
			`"KeySchema":[{"AttributeName":"Artist","KeyType":"HASH"},{"AttributeName":"SongTitle","KeyType":"RANGE"}],"BillingMode":"PAY_PER_REQUEST"}`, "--output", "json")
	if !strings.Contains(out, `"ImportStatus": "COMPLETED"`) || !strings.Contains(out, `"ImportedItemCount": 3`) {
		t.Errorf("aws dynamodb import-table --input-format ION = %s", out)
	}
	out = must("get-item", "--table-name", "MusicFromIon", "--key", `{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Happy Day"}}`, "--output", "json")
	if !strings.Contains(out, `"N": "2002"`) {
		t.Errorf("aws dynamodb get-item from the Ion import = %s", out)
	}
	from := time.Now().Add(-time.Minute).Unix()
	out, err := run("export-table-to-point-in-time", "--table-arn", arn, "--s3-bucket", "music-exports", "--export-type", "INCREMENTAL_EXPORT",
		"--incremental-export-specification", fmt.Sprintf("ExportFromTime=%d,ExportViewType=NEW_IMAGE", from))
	if err == nil || !strings.Contains(out, "InvalidExportTimeException") {
		t.Errorf("aws dynamodb export-table-to-point-in-time --export-type INCREMENTAL_EXPORT (1 minute) = %s, %v", out, err)
	}
}

// TestDynamoDBBoto3 uses boto3's resource API: Table.put_item, query with Key and Attr
// conditions, a conditional failure and a transaction; ItemCount, point-in-time recovery, an
// export to S3 and a CSV import.
func TestDynamoDBBoto3(t *testing.T) {
	t.Parallel()
	if exec.Command("python3", "-c", "import boto3").Run() != nil {
		t.Skip("NOTICE: python3 with boto3 is not installed; skipping")
	}
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{})
	script := `
import boto3, botocore, decimal
from boto3.dynamodb.conditions import Key, Attr
db = boto3.resource("dynamodb")
table = db.create_table(TableName="Orders", KeySchema=[{"AttributeName": "customer", "KeyType": "HASH"}, {"AttributeName": "order", "KeyType": "RANGE"}],
    AttributeDefinitions=[{"AttributeName": "customer", "AttributeType": "S"}, {"AttributeName": "order", "AttributeType": "N"}],
    BillingMode="PAY_PER_REQUEST")
table.wait_until_exists()
with table.batch_writer() as batch:
    for i in range(30):
        batch.put_item(Item={"customer": "c1", "order": i, "total": decimal.Decimal(i) * decimal.Decimal("1.5"), "status": "open" if i % 3 else "shipped"})
table.put_item(Item={"customer": "c2", "order": 1, "total": 10})
r = table.query(KeyConditionExpression=Key("customer").eq("c1") & Key("order").between(10, 19), FilterExpression=Attr("status").eq("shipped"), ScanIndexForward=False)
print(r["Count"], r["ScannedCount"], [int(i["order"]) for i in r["Items"]])
print(table.get_item(Key={"customer": "c1", "order": 3})["Item"]["total"])
try:
    table.put_item(Item={"customer": "c2", "order": 1}, ConditionExpression=Attr("customer").not_exists())
    print("no error")
except botocore.exceptions.ClientError as e:
    print(e.response["Error"]["Code"])
client = db.meta.client
try:
    client.transact_write_items(TransactItems=[
        {"Update": {"TableName": "Orders", "Key": {"customer": "c2", "order": 1}, "UpdateExpression": "SET #t = #t - :v", "ConditionExpression": "#t >= :v", "ExpressionAttributeNames": {"#t": "total"}, "ExpressionAttributeValues": {":v": 100}}},
        {"Put": {"TableName": "Orders", "Item": {"customer": "c3", "order": 1}}}])
    print("no error")
except botocore.exceptions.ClientError as e:
    print(e.response["Error"]["Code"], [r["Code"] for r in e.response["CancellationReasons"]])
print(len(table.scan()["Items"]))
print(client.describe_table(TableName="Orders")["Table"]["ItemCount"])
client.update_continuous_backups(TableName="Orders", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
pitr = client.describe_continuous_backups(TableName="Orders")["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
print(pitr["PointInTimeRecoveryStatus"], pitr["EarliestRestorableDateTime"] <= pitr["LatestRestorableDateTime"])
client.restore_table_to_point_in_time(SourceTableName="Orders", TargetTableName="Orders2", UseLatestRestorableTime=True)
print(len(db.Table("Orders2").scan()["Items"]))
s3 = boto3.client("s3")
s3.create_bucket(Bucket="ddb-exports")
e = client.export_table_to_point_in_time(TableArn=table.table_arn, S3Bucket="ddb-exports")["ExportDescription"]
print(e["ExportStatus"], e["ItemCount"], s3.get_object(Bucket="ddb-exports", Key=e["ExportManifest"])["ContentLength"] > 0)
s3.put_object(Bucket="ddb-exports", Key="csv/a.csv", Body=b"id,name\n1,one\n2,two\n")
i = client.import_table(S3BucketSource={"S3Bucket": "ddb-exports", "S3KeyPrefix": "csv/"}, InputFormat="CSV",
    TableCreationParameters={"TableName": "Names", "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "N"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"})["ImportTableDescription"]
print(i["ImportStatus"], i["ImportedItemCount"], db.Table("Names").get_item(Key={"id": 2})["Item"]["name"])
`
	cmd := exec.Command("python3", "-c", script)
	cmd.Env = awsEnv(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey)
	out, err := cmd.CombinedOutput()
	want := "3 10 [18, 15, 12]\n4.5\nConditionalCheckFailedException\nTransactionCanceledException ['ConditionalCheckFailed', 'None']\n31\n31\n" +
		"ENABLED True\n31\nCOMPLETED 31 True\nCOMPLETED 2 two\n"
	if err != nil || string(out) != want {
		t.Errorf("boto3 printed %q, %v; want %q", out, err, want)
	}
}

// TestDynamoDBKill9 writes from several clients, kills the server with SIGKILL mid-load and
// checks that every acknowledged write is there after a restart, with its stream record.
func TestDynamoDBKill9(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := gureumtest.StartBinary(t, bin, gureumtest.Options{DataDir: dir})
	ctx := context.Background()
	c := ddb.NewFromConfig(gureumtest.ConfigFor(p.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey, ""), func(o *ddb.Options) {
		o.RetryMaxAttempts = 1
	})
	_, err := c.CreateTable(ctx, &ddb.CreateTableInput{TableName: aws.String("load"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		StreamSpecification:  &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeKeysOnly}})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	acked := map[string]bool{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := fmt.Sprintf("w%d-%d", w, i)
				_, err := c.PutItem(ctx, &ddb.PutItemInput{TableName: aws.String("load"), Item: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: k}}})
				if err != nil {
					return
				}
				mu.Lock()
				acked[k] = true
				mu.Unlock()
			}
		}()
	}
	time.Sleep(700 * time.Millisecond) // let writes be in flight when the kill lands
	p.Cmd.Process.Kill()
	close(stop)
	wg.Wait()
	p.Cmd.Wait()
	again := gureumtest.StartBinary(t, bin, gureumtest.Options{DataDir: dir})
	c2 := ddb.NewFromConfig(gureumtest.ConfigFor(again.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey, ""))
	found := map[string]bool{}
	pg := ddb.NewScanPaginator(c2, &ddb.ScanInput{TableName: aws.String("load")})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range out.Items {
			found[it["pk"].(*types.AttributeValueMemberS).Value] = true
		}
	}
	if len(acked) == 0 {
		t.Fatal("no write was acknowledged before the kill")
	}
	for k := range acked {
		if !found[k] {
			t.Errorf("acknowledged write %s is missing after kill -9", k)
		}
	}
	// Every item has its INSERT record, and no record names an item that is not there.
	sc := dynamodbstreams.NewFromConfig(gureumtest.ConfigFor(again.Endpoint, gureumtest.AccessKeyID, gureumtest.SecretAccessKey, ""))
	desc, err := c2.DescribeTable(ctx, &ddb.DescribeTableInput{TableName: aws.String("load")})
	if err != nil {
		t.Fatal(err)
	}
	sd, err := sc.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: desc.Table.LatestStreamArn})
	if err != nil {
		t.Fatal(err)
	}
	it, err := sc.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: desc.Table.LatestStreamArn,
		ShardId: sd.StreamDescription.Shards[0].ShardId, ShardIteratorType: stypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	recorded := map[string]bool{}
	for iter := it.ShardIterator; iter != nil; {
		out, err := sc.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Records) == 0 {
			break
		}
		for _, r := range out.Records {
			recorded[r.Dynamodb.Keys["pk"].(*stypes.AttributeValueMemberS).Value] = true
		}
		iter = out.NextShardIterator
	}
	if len(recorded) != len(found) {
		t.Errorf("stream holds %d items' records; the table holds %d items", len(recorded), len(found))
	}
	for k := range found {
		if !recorded[k] {
			t.Errorf("item %s has no stream record", k)
		}
	}
	t.Logf("%d acknowledged writes, %d found, %d recorded", len(acked), len(found), len(recorded))
}
