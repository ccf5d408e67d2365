package dynamodb

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/sqlite"
)

// fakeService is a DynamoDB service over a fresh SQLite store on a fake clock, with a table "src"
// keyed by pk (S) and a GSI on g.
func fakeService(t *testing.T) (context.Context, *Service, *background.FakeClock) {
	t.Helper()
	ctx := request.With(context.Background(), &request.Info{Principal: request.RootPrincipal("000000000000", "AKIATEST")})
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := background.NewFakeClock(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC))
	s := New(Deps{Env: service.Env{Region: "us-east-1", Clock: clock}, Store: st})
	var in CreateTableInput
	mustJSON(t, `{"TableName":"src","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
		"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],
		"GlobalSecondaryIndexes":[{"IndexName":"byG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]}`, &in)
	if _, err := s.CreateTable(ctx, &in); err != nil {
		t.Fatal(err)
	}
	return ctx, s, clock
}

func mustJSON(t *testing.T, js string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(js), v); err != nil {
		t.Fatal(err)
	}
}

func putJSON(t *testing.T, ctx context.Context, s *Service, table, item string) {
	t.Helper()
	var p PutItemInput
	mustJSON(t, `{"TableName":"`+table+`","Item":`+item+`}`, &p)
	if _, err := s.PutItem(ctx, &p); err != nil {
		t.Fatal(err)
	}
}

func deleteKey(t *testing.T, ctx context.Context, s *Service, table, pk string) {
	t.Helper()
	var d DeleteItemInput
	mustJSON(t, `{"TableName":"`+table+`","Key":{"pk":{"S":"`+pk+`"}}}`, &d)
	if _, err := s.DeleteItem(ctx, &d); err != nil {
		t.Fatal(err)
	}
}

// contents is a table's items as "pk=v" in key order.
func contents(t *testing.T, ctx context.Context, s *Service, table string) string {
	t.Helper()
	var in ScanInput
	mustJSON(t, `{"TableName":"`+table+`"}`, &in)
	out, err := s.Scan(ctx, &in)
	if err != nil {
		t.Fatal(err)
	}
	var l []string
	for _, it := range out.Items {
		l = append(l, it["pk"].S+"="+it["v"].S)
	}
	sort.Strings(l)
	return strings.Join(l, " ")
}

// TestTableStats: DescribeTable's ItemCount and sizes are measured when first asked, kept for
// statsRefresh, and right again after it.
func TestTableStats(t *testing.T) {
	ctx, s, clock := fakeService(t)
	describe := func() *TableDescription {
		t.Helper()
		d, err := s.DescribeTable(ctx, &TableNameInput{TableName: "src"})
		if err != nil {
			t.Fatal(err)
		}
		return d.Table
	}
	if d := describe(); d.ItemCount != 0 || d.TableSizeBytes != 0 {
		t.Errorf("empty table: ItemCount %d, TableSizeBytes %d; want 0, 0", d.ItemCount, d.TableSizeBytes)
	}
	putJSON(t, ctx, s, "src", `{"pk":{"S":"a"},"g":{"S":"x"},"v":{"S":"1"}}`)
	putJSON(t, ctx, s, "src", `{"pk":{"S":"b"},"v":{"S":"2"}}`)
	if d := describe(); d.ItemCount != 2 {
		t.Errorf("ItemCount after writes through this node = %d; want 2 (measured again)", d.ItemCount)
	}
	// A write the node did not make (another node's) shows once the measure is statsRefresh old.
	if err := s.store.(measuredStore).Store.WriteItems(ctx, []store.ItemKey{{Table: tableID(t, ctx, s), PK: []byte("zz"), SK: []byte{}}}, nil,
		func([]*store.TableItem) ([]store.ItemWrite, error) {
			return []store.ItemWrite{{Key: store.ItemKey{Table: tableID(t, ctx, s), PK: []byte("zz"), SK: []byte{}}, Doc: []byte(`{"pk":{"S":"zz"}}`)}}, nil
		}); err != nil {
		t.Fatal(err)
	}
	if d := describe(); d.ItemCount != 2 {
		t.Errorf("ItemCount within the refresh = %d; want the measure kept (2)", d.ItemCount)
	}
	clock.Advance(statsRefresh)
	d := describe()
	if d.ItemCount != 3 || d.TableSizeBytes <= 0 {
		t.Errorf("after the refresh: ItemCount %d, TableSizeBytes %d; want 3, > 0", d.ItemCount, d.TableSizeBytes)
	}
	if g := d.GlobalSecondaryIndexes[0]; g.ItemCount != 1 || g.IndexSizeBytes <= 0 || g.IndexSizeBytes >= d.TableSizeBytes {
		t.Errorf("GSI: ItemCount %d, IndexSizeBytes %d; want 1 item, smaller than the table's %d", g.ItemCount, g.IndexSizeBytes, d.TableSizeBytes)
	}
}

// TestPointInTimeRecovery restores a table as it was at several times on a fake clock, and
// after the window has moved past versions the compaction forgot.
func TestPointInTimeRecovery(t *testing.T) {
	ctx, s, clock := fakeService(t)
	on := func(enabled bool, days int) *ContinuousBackupsOutput {
		t.Helper()
		in := &UpdateContinuousBackupsInput{TableName: "src", PointInTimeRecoverySpecification: &PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: &enabled}}
		if days > 0 {
			in.PointInTimeRecoverySpecification.RecoveryPeriodInDays = &days
		}
		out, err := s.UpdateContinuousBackups(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	restore := func(target string, at time.Time) error {
		sec := epochSeconds(at)
		_, err := s.RestoreTableToPointInTime(ctx, &RestoreTableToPointInTimeInput{SourceTableName: "src", TargetTableName: target, RestoreDateTime: &sec})
		return err
	}
	putJSON(t, ctx, s, "src", `{"pk":{"S":"a"},"v":{"S":"a0"}}`)
	if err := restore("early", clock.Now()); !isCode(err, ErrPITRUnavailable) {
		t.Errorf("restore before PITR is on = %v; want PointInTimeRecoveryUnavailableException", err)
	}
	t0 := clock.Now()
	d := on(true, 1).ContinuousBackupsDescription.PointInTimeRecoveryDescription
	if d.PointInTimeRecoveryStatus != "ENABLED" || d.RecoveryPeriodInDays != 1 || *d.EarliestRestorableDateTime != epochSeconds(t0) {
		t.Errorf("UpdateContinuousBackups = %+v", d)
	}
	clock.Advance(time.Hour)
	t1 := clock.Now()
	putJSON(t, ctx, s, "src", `{"pk":{"S":"a"},"v":{"S":"a1"}}`)
	putJSON(t, ctx, s, "src", `{"pk":{"S":"b"},"g":{"S":"x"},"v":{"S":"b1"}}`)
	clock.Advance(time.Hour)
	t2 := clock.Now()
	deleteKey(t, ctx, s, "src", "a")
	clock.Advance(time.Hour)
	putJSON(t, ctx, s, "src", `{"pk":{"S":"c"},"v":{"S":"c3"}}`)
	clock.Advance(time.Minute)

	for _, c := range []struct {
		name string
		at   time.Time
		want string
	}{{"rt0", t0, "a=a0"}, {"rt1", t1.Add(-time.Millisecond), "a=a0"}, {"rt1b", t1, "a=a1 b=b1"}, {"rt2", t2, "b=b1"}, {"rt3", clock.Now(), "b=b1 c=c3"}} {
		if err := restore(c.name, c.at); err != nil {
			t.Fatalf("restore to %v = %v", c.at, err)
		}
		if got := contents(t, ctx, s, c.name); got != c.want {
			t.Errorf("restored at %v: %q; want %q", c.at.Sub(t0), got, c.want)
		}
	}
	// The restored table has the source's index, filled.
	var qin QueryInput
	mustJSON(t, `{"TableName":"rt3","IndexName":"byG","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"x"}}}`, &qin)
	if q, err := s.Query(ctx, &qin); err != nil || len(q.Items) != 1 || q.Items[0]["pk"].S != "b" {
		t.Errorf("Query(restored index) = %v, %v; want b", q, err)
	}
	if err := restore("rt3", clock.Now()); !isCode(err, ErrTableAlreadyExists) {
		t.Errorf("restore onto an existing table = %v; want TableAlreadyExistsException", err)
	}
	if err := restore("xxx", t0.Add(-time.Second)); !isCode(err, ErrInvalidRestoreTime) {
		t.Errorf("restore before the earliest time = %v; want InvalidRestoreTimeException", err)
	}
	if err := restore("xxx", clock.Now().Add(time.Minute)); !isCode(err, ErrInvalidRestoreTime) {
		t.Errorf("restore after the latest time = %v; want InvalidRestoreTimeException", err)
	}

	// A day later the window starts after every write: compaction keeps what it needs.
	clock.Advance(24 * time.Hour)
	if err := s.CompactVersions(ctx); err != nil {
		t.Fatal(err)
	}
	if err := restore("xxx", t1); !isCode(err, ErrInvalidRestoreTime) {
		t.Errorf("restore before the window = %v; want InvalidRestoreTimeException", err)
	}
	yes := true
	if _, err := s.RestoreTableToPointInTime(ctx, &RestoreTableToPointInTimeInput{SourceTableName: "src", TargetTableName: "latest", UseLatestRestorableTime: &yes}); err != nil {
		t.Fatal(err)
	}
	if got := contents(t, ctx, s, "latest"); got != "b=b1 c=c3" {
		t.Errorf("latest after compaction: %q; want b=b1 c=c3", got)
	}
	// Off: no versions, no restore.
	if d := on(false, 0).ContinuousBackupsDescription.PointInTimeRecoveryDescription; d.PointInTimeRecoveryStatus != "DISABLED" || d.EarliestRestorableDateTime != nil {
		t.Errorf("after turning PITR off: %+v", d)
	}
	if err := restore("yyy", clock.Now()); !isCode(err, ErrPITRUnavailable) {
		t.Errorf("restore after PITR is off = %v; want PointInTimeRecoveryUnavailableException", err)
	}
	if ids, _ := s.store.VersionedTables(ctx); len(ids) != 0 {
		t.Errorf("versioned tables after PITR is off = %v; want none", ids)
	}
}

func tableID(t *testing.T, ctx context.Context, s *Service) int64 {
	t.Helper()
	tb, err := s.load(ctx, "src")
	if err != nil {
		t.Fatal(err)
	}
	return tb.ID
}
