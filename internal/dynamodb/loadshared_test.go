package dynamodb

import (
	"strings"
	"testing"
)

// TestSharedTableSeesChanges: the item operations share a table's parsed form, and still see
// every change of the table: a GSI added after writes checks the next PutItem's index key, and
// a table made again under the same name is the new one.
func TestSharedTableSeesChanges(t *testing.T) {
	ctx, s, _ := fakeService(t)
	putJSON(t, ctx, s, "src", `{"pk":{"S":"a"},"h":{"N":"1"}}`)
	var up UpdateTableInput
	mustJSON(t, `{"TableName":"src","AttributeDefinitions":[{"AttributeName":"h","AttributeType":"S"}],
		"GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"byH","KeySchema":[{"AttributeName":"h","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}}]}`, &up)
	if _, err := s.UpdateTable(ctx, &up); err != nil {
		t.Fatal(err)
	}
	var p PutItemInput
	mustJSON(t, `{"TableName":"src","Item":{"pk":{"S":"b"},"h":{"N":"2"}}}`, &p)
	if _, err := s.PutItem(ctx, &p); err == nil || !strings.Contains(err.Error(), "IndexName: byH") {
		t.Errorf("PutItem with a number for the new index's string key = %v; want the index's type mismatch", err)
	}
	if _, err := s.DeleteTable(ctx, &TableNameInput{TableName: "src"}); err != nil {
		t.Fatal(err)
	}
	var c CreateTableInput
	mustJSON(t, `{"TableName":"src","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
		"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"N"}]}`, &c)
	if _, err := s.CreateTable(ctx, &c); err != nil {
		t.Fatal(err)
	}
	putJSON(t, ctx, s, "src", `{"id":{"N":"7"}}`)
	var g GetItemInput
	mustJSON(t, `{"TableName":"src","Key":{"id":{"N":"7"}}}`, &g)
	if out, err := s.GetItem(ctx, &g); err != nil || out.Item["id"].S != "7" {
		t.Errorf("GetItem on the table made again = %v, %v; want its item", out, err)
	}
}
