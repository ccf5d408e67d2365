package dynamodb_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestExportImport exports a table to S3 with AWS's layout, imports the export's data back into
// a new table, and imports a CSV file, through the SDK on both backends.
func TestExportImport(t *testing.T) {
	for _, be := range gureumtest.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			srv := gureumtest.Start(t, gureumtest.Options{Args: append([]string{"--log-level", "warn"}, be.Args...)})
			cfg := srv.Config()
			c := ddb.NewFromConfig(cfg)
			s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
			testExportImport(t, c, s3c)
		})
	}
}

func testExportImport(t *testing.T, c *ddb.Client, s3c *s3.Client) {
	ctx := context.Background()
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("exports")}); err != nil {
		t.Fatal(err)
	}
	makeTable(t, c, "exp", types.ScalarAttributeTypeN)
	for i, pk := range []string{"a", "b", "c"} {
		item := key(s(pk), n("1"))
		item["v"] = &types.AttributeValueMemberSS{Value: []string{"x", pk}}
		item["i"] = n(strings.Repeat("1", i+1))
		if _, err := c.PutItem(ctx, &ddb.PutItemInput{TableName: aws.String("exp"), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	d, _ := c.DescribeTable(ctx, &ddb.DescribeTableInput{TableName: aws.String("exp")})
	_, err := c.ExportTableToPointInTime(ctx, &ddb.ExportTableToPointInTimeInput{TableArn: d.Table.TableArn, S3Bucket: aws.String("exports")})
	wantErr(t, "ExportTableToPointInTime(PITR off)", err, "PointInTimeRecoveryUnavailableException", "exp")
	if _, err := c.UpdateContinuousBackups(ctx, &ddb.UpdateContinuousBackupsInput{TableName: aws.String("exp"),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.ExportTableToPointInTime(ctx, &ddb.ExportTableToPointInTimeInput{TableArn: d.Table.TableArn, S3Bucket: aws.String("exports"), S3Prefix: aws.String("pre")})
	if err != nil {
		t.Fatal(err)
	}
	e := out.ExportDescription
	if e.ExportStatus != types.ExportStatusCompleted || aws.ToInt64(e.ItemCount) != 3 || aws.ToString(e.ClientToken) == "" || e.ExportFormat != types.ExportFormatDynamodbJson {
		t.Fatalf("ExportTableToPointInTime = %+v", e)
	}
	id := aws.ToString(e.ExportArn)[strings.LastIndex(aws.ToString(e.ExportArn), "/")+1:]
	base := "pre/AWSDynamoDB/" + id + "/"
	if aws.ToString(e.ExportManifest) != base+"manifest-summary.json" {
		t.Errorf("ExportManifest = %q", aws.ToString(e.ExportManifest))
	}
	get := func(key string) []byte {
		t.Helper()
		o, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("exports"), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("GetObject(%s) = %v", key, err)
		}
		defer o.Body.Close()
		b, _ := io.ReadAll(o.Body)
		return b
	}
	get(base + "_started")
	get(base + "manifest-summary.md5")
	get(base + "manifest-files.md5")
	var summary map[string]any
	if err := json.Unmarshal(get(base+"manifest-summary.json"), &summary); err != nil || summary["itemCount"] != 3.0 || summary["outputFormat"] != "DYNAMODB_JSON" ||
		summary["manifestFilesS3Key"] != base+"manifest-files.json" || summary["version"] != "2020-06-30" {
		t.Errorf("manifest-summary.json = %v, %v", summary, err)
	}
	var file struct {
		ItemCount     int    `json:"itemCount"`
		DataFileS3Key string `json:"dataFileS3Key"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(get(base+"manifest-files.json")), &file); err != nil || file.ItemCount != 3 || !strings.HasPrefix(file.DataFileS3Key, base+"data/") {
		t.Fatalf("manifest-files.json = %+v, %v", file, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(get(file.DataFileS3Key)))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(zr)
	if lines := strings.Split(strings.TrimSpace(string(data)), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[0], `{"Item":{`) {
		t.Errorf("data file = %q", data)
	}
	if de, err := c.DescribeExport(ctx, &ddb.DescribeExportInput{ExportArn: e.ExportArn}); err != nil || de.ExportDescription.ExportStatus != types.ExportStatusCompleted {
		t.Errorf("DescribeExport = %v, %v", de, err)
	}
	if le, err := c.ListExports(ctx, &ddb.ListExportsInput{TableArn: d.Table.TableArn}); err != nil || len(le.ExportSummaries) != 1 {
		t.Errorf("ListExports = %v, %v", le, err)
	}
	_, err = c.DescribeExport(ctx, &ddb.DescribeExportInput{ExportArn: aws.String(*d.Table.TableArn + "/export/01234567890123-abcdef01")})
	wantErr(t, "DescribeExport(missing)", err, "ExportNotFoundException", "Export not found")
	if tl, _ := c.ListTables(ctx, &ddb.ListTablesInput{}); strings.Contains(strings.Join(tl.TableNames, " "), "#") {
		t.Errorf("ListTables shows records: %v", tl.TableNames)
	}

	// The export's data back into a new table.
	params := &types.TableCreationParameters{TableName: aws.String("imp"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}, {AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange}}}
	im, err := c.ImportTable(ctx, &ddb.ImportTableInput{InputFormat: types.InputFormatDynamodbJson, InputCompressionType: types.InputCompressionTypeGzip,
		S3BucketSource: &types.S3BucketSource{S3Bucket: aws.String("exports"), S3KeyPrefix: aws.String(base + "data/")}, TableCreationParameters: params})
	if err != nil {
		t.Fatal(err)
	}
	if x := im.ImportTableDescription; x.ImportStatus != types.ImportStatusCompleted || x.ImportedItemCount != 3 || x.ErrorCount != 0 {
		t.Errorf("ImportTable(DYNAMODB_JSON) = %+v", x)
	}
	got, err := c.GetItem(ctx, &ddb.GetItemInput{TableName: aws.String("imp"), Key: key(s("c"), n("1"))})
	if err != nil || got.Item["i"].(*types.AttributeValueMemberN).Value != "111" || len(got.Item["v"].(*types.AttributeValueMemberSS).Value) != 2 {
		t.Errorf("imported item = %v, %v", got, err)
	}
	_, err = c.ImportTable(ctx, &ddb.ImportTableInput{InputFormat: types.InputFormatDynamodbJson,
		S3BucketSource: &types.S3BucketSource{S3Bucket: aws.String("exports"), S3KeyPrefix: aws.String("nothing/")}, TableCreationParameters: params})
	wantErr(t, "ImportTable(existing table)", err, "ResourceInUseException", "imp")

	// CSV, with a header line, a bad row and a number key.
	csv := "pk;sk;name\nx;1;first\ny;2;\nz;notanumber;bad\n"
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("exports"), Key: aws.String("csv/part1.csv"), Body: strings.NewReader(csv)}); err != nil {
		t.Fatal(err)
	}
	params.TableName = aws.String("impcsv")
	im, err = c.ImportTable(ctx, &ddb.ImportTableInput{InputFormat: types.InputFormatCsv, InputFormatOptions: &types.InputFormatOptions{Csv: &types.CsvOptions{Delimiter: aws.String(";")}},
		S3BucketSource: &types.S3BucketSource{S3Bucket: aws.String("exports"), S3KeyPrefix: aws.String("csv/")}, TableCreationParameters: params})
	if err != nil {
		t.Fatal(err)
	}
	if x := im.ImportTableDescription; x.ImportStatus != types.ImportStatusCompleted || x.ImportedItemCount != 2 || x.ErrorCount != 1 || x.ProcessedItemCount != 3 {
		t.Errorf("ImportTable(CSV) = %+v", x)
	}
	got, err = c.GetItem(ctx, &ddb.GetItemInput{TableName: aws.String("impcsv"), Key: key(s("x"), n("1"))})
	if err != nil || got.Item["name"].(*types.AttributeValueMemberS).Value != "first" {
		t.Errorf("imported CSV item = %v, %v", got, err)
	}
	di, err := c.DescribeImport(ctx, &ddb.DescribeImportInput{ImportArn: im.ImportTableDescription.ImportArn})
	if err != nil || di.ImportTableDescription.ImportStatus != types.ImportStatusCompleted {
		t.Errorf("DescribeImport = %v, %v", di, err)
	}
	if li, err := c.ListImports(ctx, &ddb.ListImportsInput{}); err != nil || len(li.ImportSummaryList) != 2 {
		t.Errorf("ListImports = %v, %v", li, err)
	}
	testIonExportImport(t, c, s3c, d.Table.TableArn, get, params)
}

// testIonExportImport exports the table in Ion, with an .ion.gz data file whose lines are
// as the Developer Guide shows them, and imports that file back.
func testIonExportImport(t *testing.T, c *ddb.Client, s3c *s3.Client, arn *string, get func(string) []byte, params *types.TableCreationParameters) {
	ctx := context.Background()
	out, err := c.ExportTableToPointInTime(ctx, &ddb.ExportTableToPointInTimeInput{TableArn: arn, S3Bucket: aws.String("exports"), S3Prefix: aws.String("ion"), ExportFormat: types.ExportFormatIon})
	if err != nil {
		t.Fatal(err)
	}
	e := out.ExportDescription
	if e.ExportStatus != types.ExportStatusCompleted || aws.ToInt64(e.ItemCount) != 3 || e.ExportFormat != types.ExportFormatIon || e.ExportType != types.ExportTypeFullExport {
		t.Fatalf("ExportTableToPointInTime(ION) = %+v", e)
	}
	base := strings.TrimSuffix(aws.ToString(e.ExportManifest), "manifest-summary.json")
	var summary map[string]any
	if err := json.Unmarshal(get(base+"manifest-summary.json"), &summary); err != nil || summary["outputFormat"] != "ION" {
		t.Errorf("manifest-summary.json = %v, %v", summary, err)
	}
	var file struct{ DataFileS3Key string }
	json.Unmarshal(bytes.TrimSpace(get(base+"manifest-files.json")), &file)
	if !strings.HasPrefix(file.DataFileS3Key, base+"data/") || !strings.HasSuffix(file.DataFileS3Key, ".ion.gz") {
		t.Fatalf("data file %q; want %sdata/….ion.gz", file.DataFileS3Key, base)
	}
	zr, err := gzip.NewReader(bytes.NewReader(get(file.DataFileS3Key)))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(zr)
	if !strings.Contains(string(data), `$ion_1_0 {Item:{i:111.,pk:"c",sk:1.,v:$dynamodb_SS::["x","c"]}}`+"\n") {
		t.Errorf("Ion data file = %s", data)
	}
	params.TableName = aws.String("impion")
	im, err := c.ImportTable(ctx, &ddb.ImportTableInput{InputFormat: types.InputFormatIon, InputCompressionType: types.InputCompressionTypeGzip,
		S3BucketSource: &types.S3BucketSource{S3Bucket: aws.String("exports"), S3KeyPrefix: aws.String(base + "data/")}, TableCreationParameters: params})
	if err != nil {
		t.Fatal(err)
	}
	if x := im.ImportTableDescription; x.ImportStatus != types.ImportStatusCompleted || x.ImportedItemCount != 3 || x.ErrorCount != 0 || x.InputFormat != types.InputFormatIon {
		t.Errorf("ImportTable(ION) = %+v", x)
	}
	got, err := c.GetItem(ctx, &ddb.GetItemInput{TableName: aws.String("impion"), Key: key(s("c"), n("1"))})
	if err != nil || got.Item["i"].(*types.AttributeValueMemberN).Value != "111" || len(got.Item["v"].(*types.AttributeValueMemberSS).Value) != 2 {
		t.Errorf("item imported from Ion = %v, %v", got, err)
	}
	// A plain Ion file a person wrote, with a line that is no item.
	text := "$ion_1_0 {Item:{pk:\"h\", sk:2, b:{{aGk=}}, m:{l:[1.5, null, true]}}}\n{Item:{pk:\"bad\" sk:1}}\n"
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("exports"), Key: aws.String("hand/items.ion"), Body: strings.NewReader(text)}); err != nil {
		t.Fatal(err)
	}
	params.TableName = aws.String("impion2")
	im, err = c.ImportTable(ctx, &ddb.ImportTableInput{InputFormat: types.InputFormatIon,
		S3BucketSource: &types.S3BucketSource{S3Bucket: aws.String("exports"), S3KeyPrefix: aws.String("hand/")}, TableCreationParameters: params})
	if err != nil || im.ImportTableDescription.ImportedItemCount != 1 || im.ImportTableDescription.ErrorCount != 1 {
		t.Fatalf("ImportTable(hand-written ION) = %+v, %v", im, err)
	}
	got, err = c.GetItem(ctx, &ddb.GetItemInput{TableName: aws.String("impion2"), Key: key(s("h"), n("2"))})
	if err != nil || string(got.Item["b"].(*types.AttributeValueMemberB).Value) != "hi" {
		t.Errorf("hand-written Ion item = %v, %v", got, err)
	}
}
