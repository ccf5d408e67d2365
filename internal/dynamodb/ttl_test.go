package dynamodb

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store/sqlite"
)

// TestTTLSweep runs the TTL sweep on an injected clock: items whose TTL has passed go, the rest
// stay (a future time, a string, a time more than five years back, no attribute).
func TestTTLSweep(t *testing.T) {
	ctx := request.With(context.Background(), &request.Info{Principal: request.RootPrincipal("000000000000", "AKIATEST")})
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	clock := background.NewFakeClock(start)
	s := New(Deps{Env: service.Env{Region: "us-east-1", Clock: clock}, Store: st})
	var in CreateTableInput
	json.Unmarshal([]byte(`{"TableName":"ttl","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
		"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
		"StreamSpecification":{"StreamEnabled":true,"StreamViewType":"OLD_IMAGE"}}`), &in)
	if _, err := s.CreateTable(ctx, &in); err != nil {
		t.Fatal(err)
	}
	putItem := func(js string) {
		var p PutItemInput
		if err := json.Unmarshal([]byte(`{"TableName":"ttl","Item":`+js+`}`), &p); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PutItem(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	now := start.Unix()
	putItem(`{"pk":{"S":"before"},"exp":{"N":"` + strconv.FormatInt(now+30, 10) + `"}}`) // stored before TTL is on
	var ttl UpdateTimeToLiveInput
	json.Unmarshal([]byte(`{"TableName":"ttl","TimeToLiveSpecification":{"AttributeName":"exp","Enabled":true}}`), &ttl)
	if _, err := s.UpdateTimeToLive(ctx, &ttl); err != nil {
		t.Fatal(err)
	}
	putItem(`{"pk":{"S":"soon"},"exp":{"N":"` + strconv.FormatInt(now+60, 10) + `.5"}}`)
	putItem(`{"pk":{"S":"later"},"exp":{"N":"` + strconv.FormatInt(now+3600, 10) + `"}}`)
	putItem(`{"pk":{"S":"string"},"exp":{"S":"` + strconv.FormatInt(now, 10) + `"}}`)
	putItem(`{"pk":{"S":"ancient"},"exp":{"N":"` + strconv.FormatInt(now-6*365*24*3600, 10) + `"}}`)
	putItem(`{"pk":{"S":"none"}}`)
	left := func() map[string]bool {
		var sc ScanInput
		sc.TableName = "ttl"
		out, err := s.Scan(ctx, &sc)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]bool{}
		for _, it := range out.Items {
			m[it["pk"].S] = true
		}
		return m
	}
	clock.Advance(60 * time.Second)
	if err := s.SweepExpired(ctx); err != nil {
		t.Fatal(err)
	}
	if got := left(); got["before"] || !got["soon"] || !got["later"] || len(got) != 5 {
		t.Errorf("after 60 s: %v; want before gone (soon expires at .5, rounded up)", got)
	}
	clock.Advance(2 * time.Hour)
	if err := s.SweepExpired(ctx); err != nil {
		t.Fatal(err)
	}
	if got := left(); len(got) != 3 || !got["string"] || !got["ancient"] || !got["none"] {
		t.Errorf("after 2 h: %v; want string, ancient and none", got)
	}
	// Each TTL deletion is a REMOVE record made by the service principal.
	var d DescribeTableOutput
	desc, _ := s.DescribeTable(ctx, &TableNameInput{TableName: "ttl"})
	d = *desc
	sh, err := s.DescribeStream(ctx, &StreamARNInput{StreamArn: d.Table.LatestStreamArn})
	if err != nil {
		t.Fatal(err)
	}
	it, err := s.GetShardIterator(ctx, &GetShardIteratorInput{StreamArn: d.Table.LatestStreamArn, ShardId: sh.StreamDescription.Shards[0].ShardId, ShardIteratorType: "TRIM_HORIZON"})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := s.GetRecords(ctx, &GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	ttlRemoves := 0
	for _, r := range recs.Records {
		if r.EventName == "REMOVE" && r.UserIdentity != nil && r.UserIdentity.PrincipalID == "dynamodb.amazonaws.com" && r.UserIdentity.Type == "Service" && r.Dynamodb.OldImage != nil {
			ttlRemoves++
		}
	}
	if ttlRemoves != 3 {
		t.Errorf("TTL REMOVE records = %d of %d records; want 3", ttlRemoves, len(recs.Records))
	}
	// Records older than 24 hours go with the sweep, and an iterator lives 15 minutes.
	clock.Advance(25 * time.Hour)
	if _, err := s.GetRecords(ctx, &GetRecordsInput{ShardIterator: it.ShardIterator}); !isCode(err, ErrExpiredIterator) {
		t.Errorf("GetRecords(old iterator) = %v; want ExpiredIteratorException", err)
	}
	if err := s.SweepExpired(ctx); err != nil {
		t.Fatal(err)
	}
	it, _ = s.GetShardIterator(ctx, &GetShardIteratorInput{StreamArn: d.Table.LatestStreamArn, ShardId: sh.StreamDescription.Shards[0].ShardId, ShardIteratorType: "TRIM_HORIZON"})
	if recs, _ := s.GetRecords(ctx, &GetRecordsInput{ShardIterator: it.ShardIterator}); len(recs.Records) != 0 {
		t.Errorf("records after 25 h = %d; want 0", len(recs.Records))
	}
}

// TestProvisionedThroughput throttles a provisioned table once its burst credit (300 seconds
// of its rate) is spent, refills it with time, and never throttles an on-demand table.
func TestProvisionedThroughput(t *testing.T) {
	ctx := request.With(context.Background(), &request.Info{Principal: request.RootPrincipal("000000000000", "AKIATEST")})
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clock := background.NewFakeClock(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC))
	s := New(Deps{Env: service.Env{Region: "us-east-1", Clock: clock}, Store: st})
	for _, spec := range []string{`"TableName":"prov","ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}`, `"TableName":"ondemand","BillingMode":"PAY_PER_REQUEST"`} {
		var in CreateTableInput
		json.Unmarshal([]byte(`{`+spec+`,"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}]}`), &in)
		if _, err := s.CreateTable(ctx, &in); err != nil {
			t.Fatal(err)
		}
	}
	big := strings.Repeat("x", 100*1024) // 101 write units
	put := func(table string, i int) error {
		var p PutItemInput
		json.Unmarshal([]byte(`{"TableName":"`+table+`","Item":{"pk":{"S":"`+strconv.Itoa(i)+`"},"v":{"S":"`+big+`"}}}`), &p)
		_, err := s.PutItem(ctx, &p)
		return err
	}
	for i := range 3 { // 300 units of burst: three writes, the last taking the bucket below zero
		if err := put("prov", i); err != nil {
			t.Fatalf("write %d = %v", i, err)
		}
	}
	if err := put("prov", 3); !isCode(err, ErrProvisionedThroughput) {
		t.Errorf("write past the burst = %v; want ProvisionedThroughputExceededException", err)
	}
	clock.Advance(2 * time.Second) // 1 WCU: the bucket is still below zero
	if err := put("prov", 4); !isCode(err, ErrProvisionedThroughput) {
		t.Errorf("write 2 s later = %v; want ProvisionedThroughputExceededException", err)
	}
	clock.Advance(200 * time.Second)
	if err := put("prov", 5); err != nil {
		t.Errorf("write once refilled = %v", err)
	}
	for i := range 10 {
		if err := put("ondemand", i); err != nil {
			t.Fatalf("on-demand write %d = %v", i, err)
		}
	}
}
