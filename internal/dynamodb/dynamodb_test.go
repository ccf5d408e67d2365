package dynamodb_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/gureum/gureum/internal/gureumtest"
)

// backends runs fn against a fresh server on each store backend.
func backends(t *testing.T, fn func(t *testing.T, c *ddb.Client)) {
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			srv := gureumtest.Start(t, gureumtest.Options{Args: append([]string{"--log-level", "warn"}, b.Args...)})
			fn(t, ddb.NewFromConfig(srv.Config()))
		})
	}
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return fmt.Sprint(err)
}

func message(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return fmt.Sprint(err)
}

func wantErr(t *testing.T, op string, err error, wantCode, wantMsg string) {
	t.Helper()
	if code(err) != wantCode || !strings.Contains(message(err), wantMsg) {
		t.Errorf("%s = %v; want %s containing %q", op, err, wantCode, wantMsg)
	}
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }
func b(v []byte) types.AttributeValue { return &types.AttributeValueMemberB{Value: v} }
func key(pk, sk types.AttributeValue) map[string]types.AttributeValue {
	m := map[string]types.AttributeValue{"pk": pk}
	if sk != nil {
		m["sk"] = sk
	}
	return m
}

// makeTable creates a table with pk (S) and a sort key sk of the given type, with a GSI on
// (g S, sk) and an LSI on (pk, l N).
func makeTable(t *testing.T, c *ddb.Client, name string, skType types.ScalarAttributeType) {
	t.Helper()
	_, err := c.CreateTable(context.Background(), &ddb.CreateTableInput{
		TableName: aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: skType}, {AttributeName: aws.String("g"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("l"), AttributeType: types.ScalarAttributeTypeN}},
		KeySchema:   []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange}},
		BillingMode: types.BillingModePayPerRequest,
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{IndexName: aws.String("byG"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("g"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}}},
		LocalSecondaryIndexes: []types.LocalSecondaryIndex{{IndexName: aws.String("byL"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("l"), KeyType: types.KeyTypeRange}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}},
	})
	if err != nil {
		t.Fatalf("CreateTable(%s) = %v", name, err)
	}
}

func TestDynamoDB(t *testing.T) {
	backends(t, func(t *testing.T, c *ddb.Client) {
		t.Run("Tables", func(t *testing.T) { testTables(t, c) })
		t.Run("Items", func(t *testing.T) { testItems(t, c) })
		t.Run("Updates", func(t *testing.T) { testUpdates(t, c) })
		t.Run("Query", func(t *testing.T) { testQuery(t, c) })
		t.Run("Scan", func(t *testing.T) { testScan(t, c) })
		t.Run("Batch", func(t *testing.T) { testBatch(t, c) })
		t.Run("Transactions", func(t *testing.T) { testTransactions(t, c) })
		t.Run("TTLAndTags", func(t *testing.T) { testTTLAndTags(t, c) })
		t.Run("Recovery", func(t *testing.T) { testRecovery(t, c) })
	})
}

func testTables(t *testing.T, c *ddb.Client) {
	ctx := context.Background()
	makeTable(t, c, "tables1", types.ScalarAttributeTypeS)
	// The SDK's waiter polls DescribeTable until ACTIVE.
	if err := ddb.NewTableExistsWaiter(c).Wait(ctx, &ddb.DescribeTableInput{TableName: aws.String("tables1")}, time.Minute); err != nil {
		t.Fatalf("TableExists waiter: %v", err)
	}
	d, err := c.DescribeTable(ctx, &ddb.DescribeTableInput{TableName: aws.String("tables1")})
	if err != nil || d.Table.TableStatus != types.TableStatusActive || len(d.Table.GlobalSecondaryIndexes) != 1 || len(d.Table.LocalSecondaryIndexes) != 1 ||
		d.Table.BillingModeSummary.BillingMode != types.BillingModePayPerRequest || !strings.HasSuffix(*d.Table.TableArn, ":table/tables1") {
		t.Fatalf("DescribeTable = %+v, %v", d, err)
	}
	_, err = c.CreateTable(ctx, &ddb.CreateTableInput{TableName: aws.String("tables1"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}}, BillingMode: types.BillingModePayPerRequest})
	wantErr(t, "CreateTable(again)", err, "ResourceInUseException", "Table already exists: tables1")
	_, err = c.CreateTable(ctx, &ddb.CreateTableInput{TableName: aws.String("tables2"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}}})
	wantErr(t, "CreateTable(no throughput)", err, "ValidationException", "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
	_, err = c.CreateTable(ctx, &ddb.CreateTableInput{TableName: aws.String("tables2"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("x"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}}, BillingMode: types.BillingModePayPerRequest})
	wantErr(t, "CreateTable(undefined key)", err, "ValidationException", "Some index key attributes are not defined in AttributeDefinitions")
	_, err = c.DescribeTable(ctx, &ddb.DescribeTableInput{TableName: aws.String("nope")})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) || message(err) != "Requested resource not found: Table: nope not found" {
		t.Errorf("DescribeTable(missing) = %v; want ResourceNotFoundException", err)
	}
	for _, name := range []string{"tables3", "tables4"} {
		_, err := c.CreateTable(ctx, &ddb.CreateTableInput{TableName: aws.String(name),
			AttributeDefinitions:  []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
			KeySchema:             []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
			ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(5)}})
		if err != nil {
			t.Fatal(err)
		}
	}
	l, err := c.ListTables(ctx, &ddb.ListTablesInput{ExclusiveStartTableName: aws.String("tables1"), Limit: aws.Int32(1)})
	if err != nil || len(l.TableNames) != 1 || l.TableNames[0] != "tables3" || aws.ToString(l.LastEvaluatedTableName) != "tables3" {
		t.Errorf("ListTables(after tables1, 1) = %+v, %v; want [tables3] and more", l, err)
	}
	u, err := c.UpdateTable(ctx, &ddb.UpdateTableInput{TableName: aws.String("tables3"), BillingMode: types.BillingModePayPerRequest,
		StreamSpecification:       &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewAndOldImages},
		DeletionProtectionEnabled: aws.Bool(true)})
	if err != nil || u.TableDescription.BillingModeSummary.BillingMode != types.BillingModePayPerRequest || u.TableDescription.LatestStreamArn == nil {
		t.Fatalf("UpdateTable = %+v, %v", u, err)
	}
	_, err = c.DeleteTable(ctx, &ddb.DeleteTableInput{TableName: aws.String("tables3")})
	wantErr(t, "DeleteTable(protected)", err, "ValidationException", "protected against manual deletion")
	if _, err := c.DeleteTable(ctx, &ddb.DeleteTableInput{TableName: aws.String("tables4")}); err != nil {
		t.Fatal(err)
	}
	if err := ddb.NewTableNotExistsWaiter(c).Wait(ctx, &ddb.DescribeTableInput{TableName: aws.String("tables4")}, time.Minute); err != nil {
		t.Errorf("TableNotExists waiter: %v", err)
	}
	// A GSI added later is filled from the items already there.
	c.PutItem(ctx, &ddb.PutItemInput{TableName: aws.String("tables1"), Item: map[string]types.AttributeValue{"pk": s("a"), "sk": s("1"), "h": s("x")}})
	_, err = c.UpdateTable(ctx, &ddb.UpdateTableInput{TableName: aws.String("tables1"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("h"), AttributeType: types.ScalarAttributeTypeS}},
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{IndexName: aws.String("byH"),
			KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("h"), KeyType: types.KeyTypeHash}}, Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}}})
	if err != nil {
		t.Fatal(err)
	}
	q, err := c.Query(ctx, &ddb.QueryInput{TableName: aws.String("tables1"), IndexName: aws.String("byH"), KeyConditionExpression: aws.String("h = :h"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":h": s("x")}})
	if err != nil || q.Count != 1 {
		t.Errorf("Query(new GSI) = %+v, %v; want the backfilled item", q, err)
	}
}

func testItems(t *testing.T, c *ddb.Client) {
	ctx := context.Background()
	makeTable(t, c, "items", types.ScalarAttributeTypeN)
	tn := aws.String("items")
	item := map[string]types.AttributeValue{"pk": s("p"), "sk": n("1e3"), "num": n("+001.50"), "bin": b([]byte{0, 1, 2}), "ok": &types.AttributeValueMemberBOOL{Value: true},
		"nil": &types.AttributeValueMemberNULL{Value: true}, "list": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("a"), n("2")}},
		"map": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"x": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"y": s("deep")}}}},
		"ss":  &types.AttributeValueMemberSS{Value: []string{"a", "b"}}, "ns": &types.AttributeValueMemberNS{Value: []string{"1", "2.0"}},
		"bs": &types.AttributeValueMemberBS{Value: [][]byte{{1}, {2}}}, "empty": s("")}
	if _, err := c.PutItem(ctx, &ddb.PutItemInput{TableName: tn, Item: item}); err != nil {
		t.Fatal(err)
	}
	// The key 1e3 is the number 1000: the same item.
	got, err := c.GetItem(ctx, &ddb.GetItemInput{TableName: tn, Key: key(s("p"), n("1000.0")), ConsistentRead: aws.Bool(true)})
	if err != nil || got.Item == nil {
		t.Fatalf("GetItem = %+v, %v", got, err)
	}
	if v := got.Item["num"].(*types.AttributeValueMemberN).Value; v != "1.5" {
		t.Errorf("num = %s; want 1.5 (normalised)", v)
	}
	if v := got.Item["sk"].(*types.AttributeValueMemberN).Value; v != "1000" {
		t.Errorf("sk = %s; want 1000", v)
	}
	p, err := c.GetItem(ctx, &ddb.GetItemInput{TableName: tn, Key: key(s("p"), n("1000")), ProjectionExpression: aws.String("#m.x.y, #l[1], ok"),
		ExpressionAttributeNames: map[string]string{"#m": "map", "#l": "list"}})
	if err != nil || len(p.Item) != 3 {
		t.Fatalf("GetItem(projection) = %+v, %v", p, err)
	}
	if l := p.Item["list"].(*types.AttributeValueMemberL).Value; len(l) != 1 || l[0].(*types.AttributeValueMemberN).Value != "2" {
		t.Errorf("projected list = %v; want [2]", l)
	}
	if m := p.Item["map"].(*types.AttributeValueMemberM).Value["x"].(*types.AttributeValueMemberM).Value["y"].(*types.AttributeValueMemberS).Value; m != "deep" {
		t.Errorf("projected map = %v", m)
	}
	none, err := c.GetItem(ctx, &ddb.GetItemInput{TableName: tn, Key: key(s("p"), n("2"))})
	if err != nil || none.Item != nil {
		t.Errorf("GetItem(missing) = %+v, %v; want no item", none.Item, err)
	}
	// Conditions.
	_, err = c.PutItem(ctx, &ddb.PutItemInput{TableName: tn, Item: map[string]types.AttributeValue{"pk": s("p"), "sk": n("1000")},
		ConditionExpression: aws.String("attribute_not_exists(pk)"), ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) || ccf.Item["num"] == nil || message(err) != "The conditional request failed" {
		t.Errorf("PutItem(attribute_not_exists) = %v; want ConditionalCheckFailedException with the item", err)
	}
	_, err = c.PutItem(ctx, &ddb.PutItemInput{TableName: tn, Item: map[string]types.AttributeValue{"pk": s("p"), "sk": n("1000")},
		ConditionExpression: aws.String("attribute_not_exists(pk)")})
	if !errors.As(err, &ccf) || ccf.Item != nil {
		t.Errorf("PutItem(attribute_not_exists) = %v; want ConditionalCheckFailedException without the item", err)
	}
	old, err := c.PutItem(ctx, &ddb.PutItemInput{TableName: tn, Item: map[string]types.AttributeValue{"pk": s("p"), "sk": n("1000"), "v": n("1")},
		ConditionExpression:       aws.String("num BETWEEN :lo AND :hi AND contains(ss, :a) AND size(#l) = :two AND attribute_type(bin, :B) AND begins_with(#m.x.y, :d)"),
		ExpressionAttributeNames:  map[string]string{"#m": "map", "#l": "list"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":lo": n("1"), ":hi": n("2"), ":a": s("a"), ":two": n("2"), ":B": s("B"), ":d": s("de")},
		ReturnValues:              types.ReturnValueAllOld})
	if err != nil || old.Attributes["num"] == nil {
		t.Fatalf("PutItem(condition holds) = %+v, %v", old, err)
	}
	// Validation texts.
	_, err = c.GetItem(ctx, &ddb.GetItemInput{TableName: tn, Key: key(s("p"), s("1"))})
	wantErr(t, "GetItem(wrong key type)", err, "ValidationException", "The provided key element does not match the schema")
	_, err = c.PutItem(ctx, &ddb.PutItemInput{TableName: tn, Item: map[string]types.AttributeValue{"pk": s("p")}})
	wantErr(t, "PutItem(no sort key)", err, "ValidationException", "One or more parameter values were invalid: Missing the key sk in the item")
	_, err = c.PutItem(ctx, &ddb.PutItemInput{TableName: tn, Item: map[string]types.AttributeValue{"pk": s(""), "sk": n("1")}})
	wantErr(t, "PutItem(empty key)", err, "ValidationException", "The AttributeValue for a key attribute cannot contain an empty string value. Key: pk")
	_, err = c.PutItem(ctx, &ddb.PutItemInput{TableName: tn, Item: map[string]types.AttributeValue{"pk": s("p"), "sk": n("1"), "g": n("1")}})
	wantErr(t, "PutItem(index key type)", err, "ValidationException", "Type mismatch for Index Key g Expected: S Actual: N IndexName: byG")
	_, err = c.PutItem(ctx, &ddb.PutItemInput{TableName: tn, Item: map[string]types.AttributeValue{"pk": s("p"), "sk": n("1"), "x": n("1234567890123456789012345678901234567891")}})
	wantErr(t, "PutItem(39 digits)", err, "ValidationException", "Attempting to store more than 38 significant digits in a Number")
	_, err = c.PutItem(ctx, &ddb.PutItemInput{TableName: tn, Item: map[string]types.AttributeValue{"pk": s("p"), "sk": n("1e126")}})
	wantErr(t, "PutItem(overflow)", err, "ValidationException", "Number overflow")
	_, err = c.PutItem(ctx, &ddb.PutItemInput{TableName: tn, Item: map[string]types.AttributeValue{"pk": s("p"), "sk": n("1"), "x": &types.AttributeValueMemberSS{Value: []string{"a", "a"}}}})
	wantErr(t, "PutItem(duplicate set)", err, "ValidationException", "Input collection contains duplicates")
	_, err = c.PutItem(ctx, &ddb.PutItemInput{TableName: tn, Item: map[string]types.AttributeValue{"pk": s("p"), "sk": n("1"), "x": s(strings.Repeat("x", 400*1024))}})
	wantErr(t, "PutItem(too large)", err, "ValidationException", "Item size has exceeded the maximum allowed size")
	_, err = c.PutItem(ctx, &ddb.PutItemInput{TableName: tn, Item: map[string]types.AttributeValue{"pk": s("p"), "sk": n("1")},
		ConditionExpression: aws.String("attribute_exists(#a)"), ExpressionAttributeNames: map[string]string{"#a": "a", "#b": "b"}})
	wantErr(t, "PutItem(unused name)", err, "ValidationException", "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}")
	_, err = c.PutItem(ctx, &ddb.PutItemInput{TableName: tn, Item: map[string]types.AttributeValue{"pk": s("p"), "sk": n("1")}, ConditionExpression: aws.String("name = :v"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": s("x")}})
	wantErr(t, "PutItem(reserved word)", err, "ValidationException", "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: name")
	_, err = c.PutItem(ctx, &ddb.PutItemInput{TableName: tn, Item: map[string]types.AttributeValue{"pk": s("p"), "sk": n("1")}, ConditionExpression: aws.String("a = :missing")})
	wantErr(t, "PutItem(undefined value)", err, "ValidationException", "An expression attribute value used in expression is not defined; attribute value: :missing")
	_, err = c.PutItem(ctx, &ddb.PutItemInput{TableName: aws.String("nope"), Item: map[string]types.AttributeValue{"pk": s("p")}})
	wantErr(t, "PutItem(no table)", err, "ResourceNotFoundException", "Requested resource not found")
	// Delete with a condition, and ALL_OLD.
	del, err := c.DeleteItem(ctx, &ddb.DeleteItemInput{TableName: tn, Key: key(s("p"), n("1000")), ConditionExpression: aws.String("v = :one"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": n("1.0")}, ReturnValues: types.ReturnValueAllOld})
	if err != nil || del.Attributes["v"] == nil {
		t.Errorf("DeleteItem = %+v, %v", del, err)
	}
	if got, _ := c.GetItem(ctx, &ddb.GetItemInput{TableName: tn, Key: key(s("p"), n("1000"))}); got.Item != nil {
		t.Errorf("item after DeleteItem = %v", got.Item)
	}
}

func testUpdates(t *testing.T, c *ddb.Client) {
	ctx := context.Background()
	makeTable(t, c, "updates", types.ScalarAttributeTypeS)
	tn := aws.String("updates")
	k := key(s("u"), s("1"))
	out, err := c.UpdateItem(ctx, &ddb.UpdateItemInput{TableName: tn, Key: k,
		UpdateExpression: aws.String("SET a = :one, lst = list_append(if_not_exists(lst, :empty), :l), m = :m ADD c :five, tags :ss"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": n("1"), ":empty": &types.AttributeValueMemberL{}, ":l": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("x"), s("y"), s("z")}},
			":m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"cnt": n("1")}}, ":five": n("5"), ":ss": &types.AttributeValueMemberSS{Value: []string{"a", "b"}}},
		ReturnValues: types.ReturnValueAllNew})
	if err != nil || len(out.Attributes) != 7 {
		t.Fatalf("UpdateItem(create) = %+v, %v", out, err)
	}
	out, err = c.UpdateItem(ctx, &ddb.UpdateItemInput{TableName: tn, Key: k,
		UpdateExpression:          aws.String("SET a = a + :two, m.cnt = m.cnt - :one, lst[7] = :w REMOVE lst[0] DELETE tags :a"),
		ConditionExpression:       aws.String("a = :one"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": n("1"), ":two": n("2.5"), ":w": s("w"), ":a": &types.AttributeValueMemberSS{Value: []string{"a"}}},
		ReturnValues:              types.ReturnValueUpdatedNew})
	if err != nil {
		t.Fatal(err)
	}
	if v := out.Attributes["a"].(*types.AttributeValueMemberN).Value; v != "3.5" {
		t.Errorf("a = %s; want 3.5", v)
	}
	if v := out.Attributes["m"].(*types.AttributeValueMemberM).Value["cnt"].(*types.AttributeValueMemberN).Value; v != "0" {
		t.Errorf("m.cnt = %s; want 0", v)
	}
	got, _ := c.GetItem(ctx, &ddb.GetItemInput{TableName: tn, Key: k})
	l := got.Item["lst"].(*types.AttributeValueMemberL).Value
	if len(l) != 3 || l[0].(*types.AttributeValueMemberS).Value != "y" || l[2].(*types.AttributeValueMemberS).Value != "w" {
		t.Errorf("l = %v; want [y z w]", l)
	}
	if ss := got.Item["tags"].(*types.AttributeValueMemberSS).Value; len(ss) != 1 || ss[0] != "b" {
		t.Errorf("tags = %v; want [b]", ss)
	}
	upd, err := c.UpdateItem(ctx, &ddb.UpdateItemInput{TableName: tn, Key: k, UpdateExpression: aws.String("REMOVE m"), ReturnValues: types.ReturnValueUpdatedOld})
	if err != nil || upd.Attributes["m"] == nil || len(upd.Attributes) != 1 {
		t.Errorf("UpdateItem(REMOVE, UPDATED_OLD) = %+v, %v", upd, err)
	}
	for _, tc := range []struct{ expr, code, msg string }{
		{"SET pk = :one", "ValidationException", "Cannot update attribute pk. This attribute is part of the key"},
		{"SET a = :one REMOVE a", "ValidationException", "Two document paths overlap with each other"},
		{"SET a = :one SET b = :one", "ValidationException", `The "SET" section can only be used once in an update expression;`},
		{"SET a = nothere + :one", "ValidationException", "The provided expression refers to an attribute that does not exist in the item"},
		{"SET a = lst + :one", "ValidationException", "An operand in the update expression has an incorrect data type"},
		{"SET x.y.z = :one", "ValidationException", "The document path provided in the update expression is invalid for update"},
		{"SET a = :one,", "ValidationException", "Syntax error; token: \"<EOF>\""},
		{"ADD a :s", "ValidationException", "Incorrect operand type for operator or function; operator: ADD, operand type: STRING"},
	} {
		vals := map[string]types.AttributeValue{":one": n("1")}
		if strings.Contains(tc.expr, ":s") {
			vals = map[string]types.AttributeValue{":s": s("x")}
		}
		_, err := c.UpdateItem(ctx, &ddb.UpdateItemInput{TableName: tn, Key: k, UpdateExpression: aws.String(tc.expr), ExpressionAttributeValues: vals})
		wantErr(t, "UpdateItem("+tc.expr+")", err, tc.code, tc.msg)
	}
	// An update that only removes makes no item.
	if _, err := c.UpdateItem(ctx, &ddb.UpdateItemInput{TableName: tn, Key: key(s("none"), s("1")), UpdateExpression: aws.String("REMOVE a")}); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.GetItem(ctx, &ddb.GetItemInput{TableName: tn, Key: key(s("none"), s("1"))}); got.Item != nil {
		t.Errorf("item after REMOVE-only update = %v; want none", got.Item)
	}
	// The legacy AttributeUpdates and Expected.
	if _, err := c.UpdateItem(ctx, &ddb.UpdateItemInput{TableName: tn, Key: k, AttributeUpdates: map[string]types.AttributeValueUpdate{"c": {Action: types.AttributeActionAdd, Value: n("1")}},
		Expected: map[string]types.ExpectedAttributeValue{"c": {Value: n("5")}}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.GetItem(ctx, &ddb.GetItemInput{TableName: tn, Key: k, AttributesToGet: []string{"c"}}); len(got.Item) != 1 || got.Item["c"].(*types.AttributeValueMemberN).Value != "6" {
		t.Errorf("c after legacy ADD = %v; want 6", got.Item)
	}
}

func testQuery(t *testing.T, c *ddb.Client) {
	ctx := context.Background()
	makeTable(t, c, "qnum", types.ScalarAttributeTypeN)
	makeTable(t, c, "qstr", types.ScalarAttributeTypeS)
	makeTable(t, c, "qbin", types.ScalarAttributeTypeB)
	nums := []string{"-1e10", "-100", "-2.5", "-0.001", "0", "0.001", "1", "2", "10", "10.5", "100", "1e20"}
	strs := []string{"", "A", "Z", "a", "aa", "ab", "b", "é", "中"}
	bins := [][]byte{{0x00}, {0x00, 0x00}, {0x01}, {0x7f}, {0x80}, {0xff}}
	for i, v := range nums {
		put(t, c, "qnum", map[string]types.AttributeValue{"pk": s("p"), "sk": n(v), "l": n(fmt.Sprint(100 - i)), "g": s("G"), "f": n(fmt.Sprint(i % 2))})
	}
	for _, v := range strs[1:] {
		put(t, c, "qstr", map[string]types.AttributeValue{"pk": s("p"), "sk": s(v)})
	}
	for _, v := range bins {
		put(t, c, "qbin", map[string]types.AttributeValue{"pk": s("p"), "sk": b(v)})
	}
	q := func(table, cond string, vals map[string]types.AttributeValue, forward bool) []types.AttributeValue {
		out, err := c.Query(ctx, &ddb.QueryInput{TableName: aws.String(table), KeyConditionExpression: aws.String(cond), ExpressionAttributeValues: vals, ScanIndexForward: aws.Bool(forward)})
		if err != nil {
			t.Fatalf("Query(%s, %s) = %v", table, cond, err)
		}
		var sks []types.AttributeValue
		for _, it := range out.Items {
			sks = append(sks, it["sk"])
		}
		return sks
	}
	got := q("qnum", "pk = :p", map[string]types.AttributeValue{":p": s("p")}, true)
	for i, v := range got {
		if want, _ := normal(nums[i]); v.(*types.AttributeValueMemberN).Value != want {
			t.Errorf("numbers[%d] = %s; want %s", i, v.(*types.AttributeValueMemberN).Value, want)
		}
	}
	got = q("qstr", "pk = :p", map[string]types.AttributeValue{":p": s("p")}, false)
	for i, v := range got {
		if want := strs[len(strs)-1-i]; v.(*types.AttributeValueMemberS).Value != want {
			t.Errorf("strings desc[%d] = %q; want %q", i, v.(*types.AttributeValueMemberS).Value, want)
		}
	}
	got = q("qbin", "pk = :p", map[string]types.AttributeValue{":p": s("p")}, true)
	for i, v := range got {
		if string(v.(*types.AttributeValueMemberB).Value) != string(bins[i]) {
			t.Errorf("binary[%d] = %x; want %x", i, v.(*types.AttributeValueMemberB).Value, bins[i])
		}
	}
	if got := q("qnum", "pk = :p AND sk BETWEEN :a AND :b", map[string]types.AttributeValue{":p": s("p"), ":a": n("-2.5"), ":b": n("10")}, true); len(got) != 7 {
		t.Errorf("BETWEEN -2.5 AND 10 = %d items; want 7", len(got))
	}
	if got := q("qnum", "pk = :p AND sk > :a", map[string]types.AttributeValue{":p": s("p"), ":a": n("10")}, true); len(got) != 3 {
		t.Errorf("> 10 = %d items; want 3", len(got))
	}
	if got := q("qnum", "pk = :p AND sk <= :a", map[string]types.AttributeValue{":p": s("p"), ":a": n("0")}, true); len(got) != 5 {
		t.Errorf("<= 0 = %d items; want 5", len(got))
	}
	if got := q("qstr", "pk = :p AND begins_with(sk, :a)", map[string]types.AttributeValue{":p": s("p"), ":a": s("a")}, true); len(got) != 3 {
		t.Errorf("begins_with a = %d items; want 3", len(got))
	}
	// Paging with Limit, and the 1 MB page.
	var all []map[string]types.AttributeValue
	var start map[string]types.AttributeValue
	pages := 0
	for {
		out, err := c.Query(ctx, &ddb.QueryInput{TableName: aws.String("qnum"), KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("f = :zero"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("p"), ":zero": n("0")}, Limit: aws.Int32(5), ExclusiveStartKey: start})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		all = append(all, out.Items...)
		if out.ScannedCount > 5 || out.Count > out.ScannedCount {
			t.Errorf("page: Count %d ScannedCount %d", out.Count, out.ScannedCount)
		}
		if start = out.LastEvaluatedKey; start == nil {
			break
		}
	}
	if len(all) != 6 || pages != 3 {
		t.Errorf("paged filter = %d items in %d pages; want 6 in 3", len(all), pages)
	}
	cnt, err := c.Query(ctx, &ddb.QueryInput{TableName: aws.String("qnum"), KeyConditionExpression: aws.String("pk = :p"), Select: types.SelectCount,
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("p")}})
	if err != nil || cnt.Count != int32(len(nums)) || cnt.Items != nil {
		t.Errorf("Query(COUNT) = %+v, %v", cnt, err)
	}
	// Indexes: the LSI orders by l (descending with the items), the GSI projects keys only.
	lsi, err := c.Query(ctx, &ddb.QueryInput{TableName: aws.String("qnum"), IndexName: aws.String("byL"), KeyConditionExpression: aws.String("pk = :p AND l >= :l"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("p"), ":l": n("95")}, Limit: aws.Int32(3)})
	if err != nil || len(lsi.Items) != 3 || lsi.Items[0]["l"].(*types.AttributeValueMemberN).Value != "95" || lsi.LastEvaluatedKey["l"] == nil {
		t.Fatalf("Query(LSI) = %+v, %v", lsi, err)
	}
	lsi2, err := c.Query(ctx, &ddb.QueryInput{TableName: aws.String("qnum"), IndexName: aws.String("byL"), KeyConditionExpression: aws.String("pk = :p AND l >= :l"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("p"), ":l": n("95")}, ExclusiveStartKey: lsi.LastEvaluatedKey})
	if err != nil || len(lsi2.Items) != 3 || lsi2.Items[0]["l"].(*types.AttributeValueMemberN).Value != "98" {
		t.Errorf("Query(LSI, next page) = %+v, %v", lsi2, err)
	}
	gsi, err := c.Query(ctx, &ddb.QueryInput{TableName: aws.String("qnum"), IndexName: aws.String("byG"), KeyConditionExpression: aws.String("g = :g AND sk < :z"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":g": s("G"), ":z": n("0")}, ScanIndexForward: aws.Bool(false)})
	if err != nil || len(gsi.Items) != 4 || len(gsi.Items[0]) != 3 || gsi.Items[0]["sk"].(*types.AttributeValueMemberN).Value != "-0.001" {
		t.Errorf("Query(GSI, keys only, desc) = %+v, %v", gsi, err)
	}
	_, err = c.Query(ctx, &ddb.QueryInput{TableName: aws.String("qnum"), IndexName: aws.String("byG"), ConsistentRead: aws.Bool(true), KeyConditionExpression: aws.String("g = :g"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":g": s("G")}})
	wantErr(t, "Query(GSI, consistent)", err, "ValidationException", "Consistent reads are not supported on global secondary indexes")
	for _, tc := range []struct{ cond, msg string }{
		{"sk = :n", "Query condition missed key schema element: pk"},
		{"pk = :p OR sk = :n", "Invalid operator used in KeyConditionExpression: OR"},
		{"pk < :p", "Query key condition not supported"},
		{"pk = :p AND sk = :n AND sk = :n", "Conditions can be of length 1 or 2 only"},
		{"pk = :p AND begins_with(sk, :n)", "begins_with"},
	} {
		vals := map[string]types.AttributeValue{}
		if strings.Contains(tc.cond, ":p") {
			vals[":p"] = s("p")
		}
		if strings.Contains(tc.cond, ":n") {
			vals[":n"] = n("1")
		}
		_, err := c.Query(ctx, &ddb.QueryInput{TableName: aws.String("qnum"), KeyConditionExpression: aws.String(tc.cond), ExpressionAttributeValues: vals})
		wantErr(t, "Query("+tc.cond+")", err, "ValidationException", tc.msg)
	}
	_, err = c.Query(ctx, &ddb.QueryInput{TableName: aws.String("qnum"), KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("sk = :n"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("p"), ":n": n("1")}})
	wantErr(t, "Query(filter on key)", err, "ValidationException", "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk")
}

func normal(v string) (string, bool) {
	m := map[string]string{"-1e10": "-10000000000", "1e20": "100000000000000000000"}
	if x, ok := m[v]; ok {
		return x, true
	}
	return v, false
}

func put(t *testing.T, c *ddb.Client, table string, item map[string]types.AttributeValue) {
	t.Helper()
	if _, err := c.PutItem(context.Background(), &ddb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatalf("PutItem(%v) = %v", item, err)
	}
}

func testScan(t *testing.T, c *ddb.Client) {
	ctx := context.Background()
	makeTable(t, c, "scan", types.ScalarAttributeTypeS)
	for i := range 40 {
		put(t, c, "scan", map[string]types.AttributeValue{"pk": s(fmt.Sprint("p", i%10)), "sk": s(fmt.Sprint(i)), "big": s(strings.Repeat("x", 100_000))})
	}
	// 40 items of 100 KB: the 1 MB page stops the scan after 11 of them.
	first, err := c.Scan(ctx, &ddb.ScanInput{TableName: aws.String("scan"), ProjectionExpression: aws.String("pk, sk")})
	if err != nil || first.ScannedCount != 11 || first.LastEvaluatedKey == nil || len(first.Items[0]) != 2 {
		t.Errorf("Scan(1 MB page) = %d scanned, LEK %v, %v; want 11 and a key", first.ScannedCount, first.LastEvaluatedKey, err)
	}
	seen := map[string]bool{}
	for seg := range 3 {
		p := ddb.NewScanPaginator(c, &ddb.ScanInput{TableName: aws.String("scan"), Segment: aws.Int32(int32(seg)), TotalSegments: aws.Int32(3), ProjectionExpression: aws.String("sk")})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range out.Items {
				k := it["sk"].(*types.AttributeValueMemberS).Value
				if seen[k] {
					t.Errorf("item %s in two segments", k)
				}
				seen[k] = true
			}
		}
	}
	if len(seen) != 40 {
		t.Errorf("segments saw %d items; want 40", len(seen))
	}
	_, err = c.Scan(ctx, &ddb.ScanInput{TableName: aws.String("scan"), Segment: aws.Int32(1), TotalSegments: aws.Int32(1)})
	wantErr(t, "Scan(segment 1 of 1)", err, "ValidationException", "Segment: 1 is not less than TotalSegments: 1")
	f, err := c.Scan(ctx, &ddb.ScanInput{TableName: aws.String("scan"), FilterExpression: aws.String("pk IN (:a, :b)"), ProjectionExpression: aws.String("sk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":a": s("p1"), ":b": s("p2")}, Select: types.SelectSpecificAttributes})
	if err != nil || f.Count > f.ScannedCount {
		t.Errorf("Scan(filter) = %+v, %v", f, err)
	}
}

func testBatch(t *testing.T, c *ddb.Client) {
	ctx := context.Background()
	makeTable(t, c, "batch", types.ScalarAttributeTypeS)
	var writes []types.WriteRequest
	for i := range 25 {
		writes = append(writes, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"pk": s("b"), "sk": s(fmt.Sprint(i))}}})
	}
	out, err := c.BatchWriteItem(ctx, &ddb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"batch": writes}})
	if err != nil || len(out.UnprocessedItems) != 0 {
		t.Fatalf("BatchWriteItem = %+v, %v", out, err)
	}
	_, err = c.BatchWriteItem(ctx, &ddb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"batch": append(writes, writes[0])}})
	wantErr(t, "BatchWriteItem(26)", err, "ValidationException", "Member must have length less than or equal to 25")
	_, err = c.BatchWriteItem(ctx, &ddb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"batch": {writes[0], writes[0]}}})
	wantErr(t, "BatchWriteItem(duplicates)", err, "ValidationException", "Provided list of item keys contains duplicates")
	var keys []map[string]types.AttributeValue
	for i := range 10 {
		keys = append(keys, key(s("b"), s(fmt.Sprint(i*3))))
	}
	got, err := c.BatchGetItem(ctx, &ddb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{"batch": {Keys: keys}}})
	if err != nil || len(got.Responses["batch"]) != 9 {
		t.Errorf("BatchGetItem = %d items, %v; want 9 (one key is past the items)", len(got.Responses["batch"]), err)
	}
	many := make([]map[string]types.AttributeValue, 101)
	for i := range many {
		many[i] = key(s("b"), s(fmt.Sprint("k", i)))
	}
	_, err = c.BatchGetItem(ctx, &ddb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{"batch": {Keys: many}}})
	wantErr(t, "BatchGetItem(101)", err, "ValidationException", "Too many items requested for the BatchGetItem call")
	if _, err := c.BatchWriteItem(ctx, &ddb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"batch": {{DeleteRequest: &types.DeleteRequest{Key: key(s("b"), s("0"))}}}}}); err != nil {
		t.Fatal(err)
	}
	if g, _ := c.GetItem(ctx, &ddb.GetItemInput{TableName: aws.String("batch"), Key: key(s("b"), s("0"))}); g.Item != nil {
		t.Errorf("item after batch delete = %v", g.Item)
	}
}

func testTransactions(t *testing.T, c *ddb.Client) {
	ctx := context.Background()
	makeTable(t, c, "txn", types.ScalarAttributeTypeS)
	tn := aws.String("txn")
	put(t, c, "txn", map[string]types.AttributeValue{"pk": s("acct"), "sk": s("a"), "bal": n("100")})
	put(t, c, "txn", map[string]types.AttributeValue{"pk": s("acct"), "sk": s("b"), "bal": n("0")})
	transfer := func(amount, token string) error {
		_, err := c.TransactWriteItems(ctx, &ddb.TransactWriteItemsInput{ClientRequestToken: aws.String(token), TransactItems: []types.TransactWriteItem{
			{Update: &types.Update{TableName: tn, Key: key(s("acct"), s("a")), UpdateExpression: aws.String("SET bal = bal - :v"), ConditionExpression: aws.String("bal >= :v"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":v": n(amount)}, ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}},
			{Update: &types.Update{TableName: tn, Key: key(s("acct"), s("b")), UpdateExpression: aws.String("SET bal = bal + :v"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":v": n(amount)}}},
			{Put: &types.Put{TableName: tn, Item: map[string]types.AttributeValue{"pk": s("log"), "sk": s(token)}, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
			{ConditionCheck: &types.ConditionCheck{TableName: tn, Key: key(s("limits"), s("x")), ConditionExpression: aws.String("attribute_not_exists(frozen)")}},
		}})
		return err
	}
	if err := transfer("60", "t1"); err != nil {
		t.Fatal(err)
	}
	// The same token again changes nothing; with other parameters it is refused.
	if err := transfer("60", "t1"); err != nil {
		t.Errorf("replayed transaction = %v; want success", err)
	}
	wantErr(t, "transaction(same token, other amount)", transfer("1", "t1"), "IdempotentParameterMismatchException", "")
	err := transfer("60", "t2")
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) || len(tce.CancellationReasons) != 4 {
		t.Fatalf("transfer(overdraw) = %v; want TransactionCanceledException with 4 reasons", err)
	}
	if r := tce.CancellationReasons; aws.ToString(r[0].Code) != "ConditionalCheckFailed" || r[0].Item["bal"] == nil || aws.ToString(r[1].Code) != "None" {
		t.Errorf("reasons = %+v", r)
	}
	if !strings.Contains(message(err), "[ConditionalCheckFailed, None, None, None]") {
		t.Errorf("message = %q", message(err))
	}
	got, err := c.TransactGetItems(ctx, &ddb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
		{Get: &types.Get{TableName: tn, Key: key(s("acct"), s("a"))}}, {Get: &types.Get{TableName: tn, Key: key(s("acct"), s("b"))}},
		{Get: &types.Get{TableName: tn, Key: key(s("log"), s("t2"))}}}})
	if err != nil || len(got.Responses) != 3 {
		t.Fatalf("TransactGetItems = %+v, %v", got, err)
	}
	if a, bb := got.Responses[0].Item["bal"].(*types.AttributeValueMemberN).Value, got.Responses[1].Item["bal"].(*types.AttributeValueMemberN).Value; a != "40" || bb != "60" || got.Responses[2].Item != nil {
		t.Errorf("balances = %s, %s, log t2 %v; want 40, 60 and no log (the failed transaction wrote nothing)", a, bb, got.Responses[2].Item)
	}
	_, err = c.TransactWriteItems(ctx, &ddb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Delete: &types.Delete{TableName: tn, Key: key(s("acct"), s("a"))}}, {Delete: &types.Delete{TableName: tn, Key: key(s("acct"), s("a"))}}}})
	wantErr(t, "TransactWriteItems(same item twice)", err, "ValidationException", "Transaction request cannot include multiple operations on one item")
}

func testTTLAndTags(t *testing.T, c *ddb.Client) {
	ctx := context.Background()
	makeTable(t, c, "ttl", types.ScalarAttributeTypeS)
	tn := aws.String("ttl")
	d, err := c.DescribeTimeToLive(ctx, &ddb.DescribeTimeToLiveInput{TableName: tn})
	if err != nil || d.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusDisabled {
		t.Errorf("DescribeTimeToLive = %+v, %v", d, err)
	}
	if _, err := c.UpdateTimeToLive(ctx, &ddb.UpdateTimeToLiveInput{TableName: tn, TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("exp"), Enabled: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateTimeToLive(ctx, &ddb.UpdateTimeToLiveInput{TableName: tn, TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("exp"), Enabled: aws.Bool(true)}})
	wantErr(t, "UpdateTimeToLive(again)", err, "ValidationException", "TimeToLive is already enabled")
	d, _ = c.DescribeTimeToLive(ctx, &ddb.DescribeTimeToLiveInput{TableName: tn})
	if d.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(d.TimeToLiveDescription.AttributeName) != "exp" {
		t.Errorf("DescribeTimeToLive = %+v", d.TimeToLiveDescription)
	}
	desc, _ := c.DescribeTable(ctx, &ddb.DescribeTableInput{TableName: tn})
	arn := desc.Table.TableArn
	if _, err := c.TagResource(ctx, &ddb.TagResourceInput{ResourceArn: arn, Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &ddb.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsOfResource(ctx, &ddb.ListTagsOfResourceInput{ResourceArn: arn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "b" {
		t.Errorf("ListTagsOfResource = %+v, %v", tags, err)
	}
	if _, err := c.DescribeLimits(ctx, &ddb.DescribeLimitsInput{}); err != nil {
		t.Errorf("DescribeLimits = %v", err)
	}
}

func TestBackups(t *testing.T) {
	backends(t, func(t *testing.T, c *ddb.Client) {
		ctx := context.Background()
		makeTable(t, c, "source", types.ScalarAttributeTypeS)
		for i := range 30 {
			put(t, c, "source", map[string]types.AttributeValue{"pk": s("p"), "sk": s(fmt.Sprintf("%02d", i)), "g": s("G")})
		}
		bk, err := c.CreateBackup(ctx, &ddb.CreateBackupInput{TableName: aws.String("source"), BackupName: aws.String("nightly")})
		if err != nil || bk.BackupDetails.BackupStatus != types.BackupStatusAvailable {
			t.Fatalf("CreateBackup = %+v, %v", bk, err)
		}
		arn := bk.BackupDetails.BackupArn
		put(t, c, "source", map[string]types.AttributeValue{"pk": s("p"), "sk": s("after"), "g": s("G")}) // not in the backup
		d, err := c.DescribeBackup(ctx, &ddb.DescribeBackupInput{BackupArn: arn})
		if err != nil || aws.ToString(d.BackupDescription.SourceTableDetails.TableName) != "source" || aws.ToInt64(d.BackupDescription.SourceTableDetails.ItemCount) != 30 {
			t.Errorf("DescribeBackup = %+v, %v", d, err)
		}
		l, err := c.ListBackups(ctx, &ddb.ListBackupsInput{TableName: aws.String("source")})
		if err != nil || len(l.BackupSummaries) != 1 {
			t.Errorf("ListBackups = %+v, %v", l, err)
		}
		if tl, _ := c.ListTables(ctx, &ddb.ListTablesInput{}); len(tl.TableNames) != 1 {
			t.Errorf("ListTables = %v; want the source only (backups are not tables)", tl.TableNames)
		}
		if _, err := c.RestoreTableFromBackup(ctx, &ddb.RestoreTableFromBackupInput{TargetTableName: aws.String("restored"), BackupArn: arn}); err != nil {
			t.Fatal(err)
		}
		_, err = c.RestoreTableFromBackup(ctx, &ddb.RestoreTableFromBackupInput{TargetTableName: aws.String("restored"), BackupArn: arn})
		wantErr(t, "RestoreTableFromBackup(again)", err, "TableAlreadyExistsException", "Table already exists: restored")
		q, err := c.Query(ctx, &ddb.QueryInput{TableName: aws.String("restored"), IndexName: aws.String("byG"), KeyConditionExpression: aws.String("g = :g"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":g": s("G")}})
		if err != nil || q.Count != 30 {
			t.Errorf("Query(restored GSI) = %d items, %v; want 30", q.Count, err)
		}
		if _, err := c.DeleteBackup(ctx, &ddb.DeleteBackupInput{BackupArn: arn}); err != nil {
			t.Fatal(err)
		}
		_, err = c.DescribeBackup(ctx, &ddb.DescribeBackupInput{BackupArn: arn})
		wantErr(t, "DescribeBackup(deleted)", err, "BackupNotFoundException", "Backup not found")
	})
}

func TestPartiQL(t *testing.T) {
	backends(t, func(t *testing.T, c *ddb.Client) {
		ctx := context.Background()
		makeTable(t, c, "pql", types.ScalarAttributeTypeN)
		exec := func(stmt string, params ...types.AttributeValue) (*ddb.ExecuteStatementOutput, error) {
			return c.ExecuteStatement(ctx, &ddb.ExecuteStatementInput{Statement: aws.String(stmt), Parameters: params})
		}
		for i := range 5 {
			if _, err := exec(`INSERT INTO "pql" VALUE {'pk': 'a', 'sk': ?, 'tags': <<'x', 'y'>>, 'm': {'n': 1}}`, n(fmt.Sprint(i))); err != nil {
				t.Fatal(err)
			}
		}
		_, err := exec(`INSERT INTO "pql" VALUE {'pk': 'a', 'sk': 1}`)
		wantErr(t, "INSERT(duplicate)", err, "DuplicateItemException", "Duplicate primary key exists in table")
		out, err := exec(`SELECT sk, m.n FROM "pql" WHERE pk = 'a' AND sk >= 2`)
		if err != nil || len(out.Items) != 3 || len(out.Items[0]) != 2 {
			t.Fatalf("SELECT = %+v, %v", out, err)
		}
		if _, err := exec(`UPDATE "pql" SET v = 'new' REMOVE tags WHERE pk = 'a' AND sk = 3`); err != nil {
			t.Fatal(err)
		}
		_, err = exec(`UPDATE "pql" SET v = 'new' WHERE pk = 'a' AND sk = 99`)
		wantErr(t, "UPDATE(missing item)", err, "ConditionalCheckFailedException", "")
		_, err = exec(`DELETE FROM "pql" WHERE pk = 'a'`)
		wantErr(t, "DELETE(no sort key)", err, "ValidationException", "Where clause does not contain a mandatory equality on all key attributes")
		if _, err := exec(`DELETE FROM "pql" WHERE pk = 'a' AND sk = 0 AND tags IS NOT MISSING`); err != nil {
			t.Fatal(err)
		}
		scan, err := exec(`SELECT * FROM "pql" WHERE v = 'new' OR attribute_type(sk, 'S')`)
		if err != nil || len(scan.Items) != 1 {
			t.Errorf("SELECT (scan) = %+v, %v", scan, err)
		}
		var all int
		var token *string
		for {
			page, err := c.ExecuteStatement(ctx, &ddb.ExecuteStatementInput{Statement: aws.String(`SELECT * FROM pql`), Limit: aws.Int32(2), NextToken: token})
			if err != nil {
				t.Fatal(err)
			}
			all += len(page.Items)
			if token = page.NextToken; token == nil {
				break
			}
		}
		if all != 4 {
			t.Errorf("paged SELECT = %d items; want 4", all)
		}
		_, err = exec(`SELEC * FROM pql`)
		wantErr(t, "ExecuteStatement(bad)", err, "ValidationException", "Statement wasn't well formed, can't be processed: Expected data manipulation")
		b, err := c.BatchExecuteStatement(ctx, &ddb.BatchExecuteStatementInput{Statements: []types.BatchStatementRequest{
			{Statement: aws.String(`SELECT * FROM pql WHERE pk = 'a' AND sk = 1`)},
			{Statement: aws.String(`INSERT INTO pql VALUE {'pk': 'a', 'sk': 1}`)},
			{Statement: aws.String(`INSERT INTO pql VALUE {'pk': 'b', 'sk': 1}`)}}})
		if err != nil || len(b.Responses) != 3 || b.Responses[0].Item == nil || b.Responses[1].Error == nil || b.Responses[1].Error.Code != types.BatchStatementErrorCodeEnumDuplicateItem || b.Responses[2].Error != nil {
			t.Errorf("BatchExecuteStatement = %+v, %v", b, err)
		}
	})
}

func TestExecuteTransaction(t *testing.T) {
	backends(t, func(t *testing.T, c *ddb.Client) {
		ctx := context.Background()
		makeTable(t, c, "ptx", types.ScalarAttributeTypeS)
		st := func(s string) types.ParameterizedStatement {
			return types.ParameterizedStatement{Statement: aws.String(s)}
		}
		_, err := c.ExecuteTransaction(ctx, &ddb.ExecuteTransactionInput{ClientRequestToken: aws.String("tok"), TransactStatements: []types.ParameterizedStatement{
			st(`INSERT INTO ptx VALUE {'pk': 'a', 'sk': '1', 'n': 1}`), st(`INSERT INTO ptx VALUE {'pk': 'a', 'sk': '2', 'n': 2}`)}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ExecuteTransaction(ctx, &ddb.ExecuteTransactionInput{TransactStatements: []types.ParameterizedStatement{
			st(`UPDATE ptx SET n = 10 WHERE pk = 'a' AND sk = '1'`), st(`INSERT INTO ptx VALUE {'pk': 'a', 'sk': '2'}`)}})
		var tce *types.TransactionCanceledException
		if !errors.As(err, &tce) || len(tce.CancellationReasons) != 2 || aws.ToString(tce.CancellationReasons[1].Code) != "DuplicateItem" {
			t.Fatalf("ExecuteTransaction(duplicate) = %v; want TransactionCanceledException [None, DuplicateItem]", err)
		}
		r, err := c.ExecuteTransaction(ctx, &ddb.ExecuteTransactionInput{TransactStatements: []types.ParameterizedStatement{
			st(`SELECT * FROM ptx WHERE pk = 'a' AND sk = '1'`), st(`SELECT n FROM ptx WHERE pk = 'a' AND sk = '2'`)}})
		if err != nil || len(r.Responses) != 2 || r.Responses[0].Item["n"].(*types.AttributeValueMemberN).Value != "1" || len(r.Responses[1].Item) != 1 {
			t.Errorf("ExecuteTransaction(reads) = %+v, %v; want n = 1 (the cancelled update wrote nothing)", r, err)
		}
	})
}
