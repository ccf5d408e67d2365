package dynamodb

import (
	"testing"
)

// TestStreamReader reads a stream in process as an event source mapping would: from
// TRIM_HORIZON, LATEST and a sequence number, in order, until the shard closes.
func TestStreamReader(t *testing.T) {
	ctx, s, _ := fakeService(t)
	var up UpdateTableInput
	mustJSON(t, `{"TableName":"src","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}}`, &up)
	if _, err := s.UpdateTable(ctx, &up); err != nil {
		t.Fatal(err)
	}
	d, err := s.DescribeTable(ctx, &TableNameInput{TableName: "src"})
	if err != nil {
		t.Fatal(err)
	}
	arn := d.Table.LatestStreamArn
	var r StreamReader = s
	shards, err := r.Shards(ctx, arn)
	if err != nil || len(shards) != 1 {
		t.Fatalf("Shards = %v, %v", shards, err)
	}
	shard := shards[0].ShardId
	latest, err := r.Iterator(ctx, arn, shard, "LATEST", "")
	if err != nil {
		t.Fatal(err)
	}
	putJSON(t, ctx, s, "src", `{"pk":{"S":"a"},"v":{"S":"1"}}`)
	putJSON(t, ctx, s, "src", `{"pk":{"S":"a"},"v":{"S":"2"}}`)
	deleteKey(t, ctx, s, "src", "a")

	it, err := r.Iterator(ctx, arn, shard, "TRIM_HORIZON", "")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var seqs []string
	for range 3 {
		recs, next, err := r.Records(ctx, it, 1)
		if err != nil || len(recs) != 1 || next.Closed {
			t.Fatalf("Records = %v, %+v, %v", recs, next, err)
		}
		names, seqs = append(names, recs[0].EventName), append(seqs, recs[0].Dynamodb.SequenceNumber)
		it = next
	}
	if names[0] != "INSERT" || names[1] != "MODIFY" || names[2] != "REMOVE" || !(seqs[0] < seqs[1] && seqs[1] < seqs[2]) {
		t.Errorf("records = %v %v; want INSERT, MODIFY, REMOVE in rising order", names, seqs)
	}
	if recs, next, err := r.Records(ctx, it, 100); err != nil || len(recs) != 0 || next.Closed {
		t.Errorf("Records(at the end) = %v, %+v, %v; want none, open", recs, next, err)
	}
	if recs, _, _ := r.Records(ctx, latest, 100); len(recs) != 3 {
		t.Errorf("Records(from LATEST taken before the writes) = %d; want 3", len(recs))
	}
	after, err := r.Iterator(ctx, arn, shard, "AFTER_SEQUENCE_NUMBER", seqs[0])
	if err != nil {
		t.Fatal(err)
	}
	if recs, _, _ := r.Records(ctx, after, 100); len(recs) != 2 || recs[0].Dynamodb.SequenceNumber != seqs[1] {
		t.Errorf("Records(after the first) = %v; want the last two", recs)
	}
	at, _ := r.Iterator(ctx, arn, shard, "AT_SEQUENCE_NUMBER", seqs[2])
	if recs, _, _ := r.Records(ctx, at, 100); len(recs) != 1 || recs[0].EventName != "REMOVE" || recs[0].Dynamodb.OldImage["v"].S != "2" {
		t.Errorf("Records(at the last) = %v; want the REMOVE with its old image", recs)
	}
	// The stream turned off: the shard closes once drained.
	mustJSON(t, `{"TableName":"src","StreamSpecification":{"StreamEnabled":false}}`, &up)
	if _, err := s.UpdateTable(ctx, &up); err != nil {
		t.Fatal(err)
	}
	if recs, next, err := r.Records(ctx, it, 100); err != nil || len(recs) != 0 || !next.Closed {
		t.Errorf("Records(after the stream is off) = %v, %+v, %v; want none, closed", recs, next, err)
	}
	if _, _, err := r.Records(ctx, it, 0); err == nil {
		t.Error("Records(limit 0) = nil error; want ValidationException")
	}
}
