package dynamodb_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// testRecovery: ItemCount and sizes after writes, point-in-time recovery turned on, described,
// restored (to a time and to the latest), and its errors, through the SDK.
func testRecovery(t *testing.T, c *ddb.Client) {
	ctx := context.Background()
	makeTable(t, c, "pitr", types.ScalarAttributeTypeS)
	put := func(pk, g string) {
		t.Helper()
		item := key(s(pk), s("0"))
		if g != "" {
			item["g"] = s(g)
		}
		if _, err := c.PutItem(ctx, &ddb.PutItemInput{TableName: aws.String("pitr"), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	put("a", "x")
	put("b", "")
	d, err := c.DescribeTable(ctx, &ddb.DescribeTableInput{TableName: aws.String("pitr")})
	if err != nil {
		t.Fatal(err)
	}
	if tb := d.Table; aws.ToInt64(tb.ItemCount) != 2 || aws.ToInt64(tb.TableSizeBytes) <= 0 || aws.ToInt64(tb.GlobalSecondaryIndexes[0].ItemCount) != 1 {
		t.Errorf("DescribeTable: ItemCount %d, TableSizeBytes %d, GSI ItemCount %d; want 2, > 0, 1",
			aws.ToInt64(tb.ItemCount), aws.ToInt64(tb.TableSizeBytes), aws.ToInt64(tb.GlobalSecondaryIndexes[0].ItemCount))
	}

	_, err = c.RestoreTableToPointInTime(ctx, &ddb.RestoreTableToPointInTimeInput{SourceTableName: aws.String("pitr"), TargetTableName: aws.String("pitr-r0"), UseLatestRestorableTime: aws.Bool(true)})
	wantErr(t, "RestoreTableToPointInTime(PITR off)", err, "PointInTimeRecoveryUnavailableException", "not enabled")
	_, err = c.DescribeContinuousBackups(ctx, &ddb.DescribeContinuousBackupsInput{TableName: aws.String("nope")})
	wantErr(t, "DescribeContinuousBackups(missing)", err, "TableNotFoundException", "nope")

	up, err := c.UpdateContinuousBackups(ctx, &ddb.UpdateContinuousBackupsInput{TableName: aws.String("pitr"),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true), RecoveryPeriodInDays: aws.Int32(7)}})
	if err != nil {
		t.Fatal(err)
	}
	desc, err := c.DescribeContinuousBackups(ctx, &ddb.DescribeContinuousBackupsInput{TableName: aws.String("pitr")})
	if err != nil {
		t.Fatal(err)
	}
	p := desc.ContinuousBackupsDescription.PointInTimeRecoveryDescription
	if desc.ContinuousBackupsDescription.ContinuousBackupsStatus != types.ContinuousBackupsStatusEnabled || p.PointInTimeRecoveryStatus != types.PointInTimeRecoveryStatusEnabled ||
		aws.ToInt32(p.RecoveryPeriodInDays) != 7 || p.EarliestRestorableDateTime == nil || p.LatestRestorableDateTime.Before(*p.EarliestRestorableDateTime) ||
		!p.EarliestRestorableDateTime.Equal(*up.ContinuousBackupsDescription.PointInTimeRecoveryDescription.EarliestRestorableDateTime) {
		t.Errorf("DescribeContinuousBackups = %+v", p)
	}
	time.Sleep(5 * time.Millisecond) // restore times are milliseconds: let the next write be after one
	mid := time.Now()
	time.Sleep(5 * time.Millisecond)
	put("c", "x")
	if _, err := c.DeleteItem(ctx, &ddb.DeleteItemInput{TableName: aws.String("pitr"), Key: key(s("a"), s("0"))}); err != nil {
		t.Fatal(err)
	}
	count := func(table string) int {
		t.Helper()
		out, err := c.Scan(ctx, &ddb.ScanInput{TableName: aws.String(table)})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.Items)
	}
	if _, err := c.RestoreTableToPointInTime(ctx, &ddb.RestoreTableToPointInTimeInput{SourceTableName: aws.String("pitr"), TargetTableName: aws.String("pitr-mid"), RestoreDateTime: &mid}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RestoreTableToPointInTime(ctx, &ddb.RestoreTableToPointInTimeInput{SourceTableArn: d.Table.TableArn, TargetTableName: aws.String("pitr-latest"), UseLatestRestorableTime: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if n, m := count("pitr-mid"), count("pitr-latest"); n != 2 || m != 2 {
		t.Errorf("restored items: at mid %d, latest %d; want 2 (a, b) and 2 (b, c)", n, m)
	}
	q, err := c.Query(ctx, &ddb.QueryInput{TableName: aws.String("pitr-latest"), IndexName: aws.String("byG"), KeyConditionExpression: aws.String("g = :g"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":g": s("x")}})
	if err != nil || len(q.Items) != 1 {
		t.Errorf("Query(restored GSI) = %v, %v; want c", q, err)
	}
	_, err = c.RestoreTableToPointInTime(ctx, &ddb.RestoreTableToPointInTimeInput{SourceTableName: aws.String("pitr"), TargetTableName: aws.String("pitr-mid"), UseLatestRestorableTime: aws.Bool(true)})
	wantErr(t, "RestoreTableToPointInTime(existing target)", err, "TableAlreadyExistsException", "pitr-mid")
	early := p.EarliestRestorableDateTime.Add(-time.Hour)
	_, err = c.RestoreTableToPointInTime(ctx, &ddb.RestoreTableToPointInTimeInput{SourceTableName: aws.String("pitr"), TargetTableName: aws.String("pitr-early"), RestoreDateTime: &early})
	wantErr(t, "RestoreTableToPointInTime(too early)", err, "InvalidRestoreTimeException", "RestoreDateTime")
	_, err = c.UpdateContinuousBackups(ctx, &ddb.UpdateContinuousBackupsInput{TableName: aws.String("pitr"),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true), RecoveryPeriodInDays: aws.Int32(36)}})
	wantErr(t, "UpdateContinuousBackups(36 days)", err, "ValidationException", "recoveryPeriodInDays")
}
