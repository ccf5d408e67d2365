package dynamodb

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strings"

	"github.com/gureum/gureum/internal/dynamodb/attr"
	"github.com/gureum/gureum/internal/store"
)

// S3BucketSource names where an import reads.
type S3BucketSource struct {
	S3BucketOwner string `json:"S3BucketOwner,omitempty"`
	S3Bucket      string `json:"S3Bucket"`
	S3KeyPrefix   string `json:"S3KeyPrefix,omitempty"`
}

// InputFormatOptions holds the CSV options of an import.
type InputFormatOptions struct {
	Csv *struct {
		Delimiter  string   `json:"Delimiter,omitempty"`
		HeaderList []string `json:"HeaderList,omitempty"`
	} `json:"Csv,omitempty"`
}

// TableCreationParameters is the table an import makes.
type TableCreationParameters struct {
	TableName              string                 `json:"TableName"`
	AttributeDefinitions   []AttributeDefinition  `json:"AttributeDefinitions"`
	KeySchema              []KeySchemaElement     `json:"KeySchema"`
	BillingMode            string                 `json:"BillingMode,omitempty"`
	ProvisionedThroughput  *ProvisionedThroughput `json:"ProvisionedThroughput,omitempty"`
	SSESpecification       *SSESpecification      `json:"SSESpecification,omitempty"`
	GlobalSecondaryIndexes []IndexSpec            `json:"GlobalSecondaryIndexes,omitempty"`
}

// ImportTableInput is ImportTable's input.
type ImportTableInput struct {
	ClientToken             string                   `json:"ClientToken"`
	S3BucketSource          *S3BucketSource          `json:"S3BucketSource"`
	InputFormat             string                   `json:"InputFormat"`
	InputFormatOptions      *InputFormatOptions      `json:"InputFormatOptions"`
	InputCompressionType    string                   `json:"InputCompressionType"`
	TableCreationParameters *TableCreationParameters `json:"TableCreationParameters"`
}

func (in *ImportTableInput) tableName() string {
	if in.TableCreationParameters == nil {
		return ""
	}
	return in.TableCreationParameters.TableName
}

// ImportTableDescription describes an import.
type ImportTableDescription struct {
	ImportArn               string                   `json:"ImportArn"`
	ImportStatus            string                   `json:"ImportStatus"`
	TableArn                string                   `json:"TableArn"`
	TableId                 string                   `json:"TableId"`
	ClientToken             string                   `json:"ClientToken,omitempty"`
	S3BucketSource          S3BucketSource           `json:"S3BucketSource"`
	ErrorCount              int64                    `json:"ErrorCount"`
	InputFormat             string                   `json:"InputFormat"`
	InputFormatOptions      *InputFormatOptions      `json:"InputFormatOptions,omitempty"`
	InputCompressionType    string                   `json:"InputCompressionType"`
	TableCreationParameters *TableCreationParameters `json:"TableCreationParameters"`
	StartTime               float64                  `json:"StartTime"`
	EndTime                 float64                  `json:"EndTime,omitempty"`
	ProcessedSizeBytes      int64                    `json:"ProcessedSizeBytes"`
	ProcessedItemCount      int64                    `json:"ProcessedItemCount"`
	ImportedItemCount       int64                    `json:"ImportedItemCount"`
	FailureCode             string                   `json:"FailureCode,omitempty"`
	FailureMessage          string                   `json:"FailureMessage,omitempty"`
}

// ImportOutput is the output of ImportTable and DescribeImport.
type ImportOutput struct {
	ImportTableDescription ImportTableDescription `json:"ImportTableDescription"`
}

// ImportTable makes a new table and fills it from S3 objects under a prefix, in DYNAMODB_JSON,
// ION or CSV, plain or gzipped. Lines it cannot read are counted in ErrorCount; the import is
// COMPLETED (or FAILED, with S3's error) when the call answers.
func (s *Service) ImportTable(ctx context.Context, in *ImportTableInput) (*ImportOutput, error) {
	p, src := in.TableCreationParameters, in.S3BucketSource
	switch {
	case src == nil || src.S3Bucket == "":
		return nil, validation("1 validation error detected: Value null at 's3BucketSource' failed to satisfy constraint: Member must not be null")
	case p == nil:
		return nil, validation("1 validation error detected: Value null at 'tableCreationParameters' failed to satisfy constraint: Member must not be null")
	case in.InputFormat != "DYNAMODB_JSON" && in.InputFormat != "CSV" && in.InputFormat != "ION":
		return nil, validation("1 validation error detected: Value '%s' at 'inputFormat' failed to satisfy constraint: Member must satisfy enum value set: [DYNAMODB_JSON, ION, CSV]", in.InputFormat)
	case in.InputCompressionType != "" && in.InputCompressionType != "NONE" && in.InputCompressionType != "GZIP":
		return nil, validation("InputCompressionType %s is not supported by this server; use GZIP or NONE", in.InputCompressionType)
	case in.InputFormatOptions != nil && in.InputFormatOptions.Csv != nil && in.InputFormat != "CSV":
		return nil, validation("InputFormatOptions are only valid for the CSV input format")
	}
	if s.objects == nil {
		return nil, validation("Imports from S3 are not available on this server")
	}
	if in.ClientToken != "" {
		if prev, err := s.importByToken(ctx, in); prev != nil || err != nil {
			return prev, err
		}
	}
	created, err := s.CreateTable(ctx, &CreateTableInput{TableName: p.TableName, KeySchema: p.KeySchema, AttributeDefinitions: p.AttributeDefinitions,
		BillingMode: p.BillingMode, ProvisionedThroughput: p.ProvisionedThroughput, GlobalSecondaryIndexes: p.GlobalSecondaryIndexes, SSESpecification: p.SSESpecification})
	if err != nil {
		return nil, err
	}
	t, err := s.load(ctx, p.TableName)
	if err != nil {
		return nil, err
	}
	now := s.now()
	id := newJobID(now)
	d := ImportTableDescription{ImportArn: t.arn + "/import/" + id, ImportStatus: "IN_PROGRESS", TableArn: created.TableDescription.TableArn,
		TableId: t.doc.ID, ClientToken: in.ClientToken, S3BucketSource: *src, InputFormat: in.InputFormat, InputFormatOptions: in.InputFormatOptions,
		InputCompressionType: in.InputCompressionType, TableCreationParameters: p, StartTime: epochSeconds(now)}
	if d.InputCompressionType == "" {
		d.InputCompressionType = "NONE"
	}
	if err := s.importObjects(ctx, t, in, &d); err != nil {
		code := "S3AccessDenied"
		if ae, ok := err.(interface{ ErrorCode() string }); ok {
			code = ae.ErrorCode()
		}
		d.ImportStatus, d.FailureCode, d.FailureMessage = "FAILED", code, err.Error()
	} else {
		d.ImportStatus = "COMPLETED"
	}
	d.EndTime = epochSeconds(s.now())
	raw, _ := json.Marshal(d)
	if err := s.store.CreateTable(ctx, &store.Table{Account: t.Account, Name: importPrefix + id, Doc: raw, Created: now}); err != nil {
		return nil, err
	}
	return &ImportOutput{ImportTableDescription: d}, nil
}

// importObjects reads every object under the source prefix into t.
func (s *Service) importObjects(ctx context.Context, t *table, in *ImportTableInput, d *ImportTableDescription) error {
	keys, err := s.objects.ListObjects(ctx, in.S3BucketSource.S3Bucket, in.S3BucketSource.S3KeyPrefix)
	if err != nil {
		return err
	}
	var csvf *csvFormat
	if in.InputFormat == "CSV" {
		var delim string
		var header []string
		if o := in.InputFormatOptions; o != nil && o.Csv != nil {
			delim, header = o.Csv.Delimiter, o.Csv.HeaderList
		}
		types := map[string]attr.Kind{}
		for _, a := range t.doc.AttributeDefinitions {
			types[a.AttributeName] = attr.KindOf(a.AttributeType)
		}
		if csvf, err = newCSVFormat(delim, header, types); err != nil {
			return err
		}
	}
	batch := &importBatch{s: s, t: t, d: d}
	for _, key := range keys {
		if strings.HasSuffix(key, "/") {
			continue
		}
		body, err := s.objects.GetObject(ctx, in.S3BucketSource.S3Bucket, key)
		if err != nil {
			return err
		}
		d.ProcessedSizeBytes += int64(len(body))
		var r io.Reader = bytes.NewReader(body)
		if in.InputCompressionType == "GZIP" {
			zr, err := gzip.NewReader(r)
			if err != nil {
				d.ErrorCount++
				continue
			}
			r = zr
		}
		add := func(it Item, err error) error { return batch.add(ctx, it, err) }
		switch {
		case csvf != nil:
			err = csvf.items(r, add)
		case in.InputFormat == "ION":
			err = ionItems(r, add)
		default:
			err = dynamoJSONItems(r, add)
		}
		var ae interface{ ErrorCode() string }
		if errors.As(err, &ae) {
			return err // the store's or the service's own failure
		}
		if err != nil {
			d.ErrorCount++ // a file that ends badly (a broken gzip stream, a line too long)
		}
	}
	return batch.flush(ctx)
}

// importBatch writes imported items a page at a time.
type importBatch struct {
	s      *Service
	t      *table
	d      *ImportTableDescription
	keys   []store.ItemKey
	writes []store.ItemWrite
}

func (b *importBatch) add(ctx context.Context, it Item, err error) error {
	b.d.ProcessedItemCount++
	if err != nil {
		b.d.ErrorCount++
		return nil
	}
	k, err := b.t.itemKey(it)
	if err == nil {
		err = checkSize(it, msgItemTooLarge)
	}
	var w store.ItemWrite
	if err == nil {
		w, err = b.t.write(k, it)
	}
	if err != nil {
		b.d.ErrorCount++
		return nil
	}
	for i := range b.keys { // a later line with the same key wins
		if bytes.Equal(b.keys[i].PK, k.PK) && bytes.Equal(b.keys[i].SK, k.SK) {
			b.writes[i] = w
			return nil
		}
	}
	b.keys, b.writes = append(b.keys, k), append(b.writes, w)
	b.d.ImportedItemCount++
	if len(b.keys) == copyPage {
		return b.flush(ctx)
	}
	return nil
}

func (b *importBatch) flush(ctx context.Context) error {
	if len(b.keys) == 0 {
		return nil
	}
	writes := b.writes
	err := b.s.store.WriteItems(ctx, b.keys, nil, func([]*store.TableItem) ([]store.ItemWrite, error) { return writes, nil })
	b.keys, b.writes = nil, nil
	return err
}

// importByToken answers a repeated import (same ClientToken, same request) with the first; the
// same token with another request is ImportConflictException.
func (s *Service) importByToken(ctx context.Context, in *ImportTableInput) (*ImportOutput, error) {
	all, err := s.imports(ctx, callerAccount(ctx))
	if err != nil {
		return nil, err
	}
	for _, d := range all {
		if d.ClientToken != in.ClientToken {
			continue
		}
		if d.TableCreationParameters == nil || d.TableCreationParameters.TableName != in.TableCreationParameters.TableName ||
			d.S3BucketSource != *in.S3BucketSource || d.InputFormat != in.InputFormat {
			return nil, ErrImportConflict.Errorf("There was a conflict when importing from the specified S3 source.")
		}
		return &ImportOutput{ImportTableDescription: d}, nil
	}
	return nil, nil
}

// imports lists an account's imports, oldest first.
func (s *Service) imports(ctx context.Context, account string) ([]ImportTableDescription, error) {
	recs, err := s.store.ListTables(ctx, account, importPrefix[:len(importPrefix)-1], 0)
	if err != nil {
		return nil, err
	}
	var out []ImportTableDescription
	for _, r := range recs {
		if !strings.HasPrefix(r.Name, importPrefix) {
			continue
		}
		var d ImportTableDescription
		if json.Unmarshal(r.Doc, &d) == nil {
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ImportArn < out[j].ImportArn })
	return out, nil
}

// ImportARNInput names an import.
type ImportARNInput struct {
	ImportArn string `json:"ImportArn"`
}

func (in *ImportARNInput) tableName() string { return in.ImportArn }

// DescribeImport describes an import.
func (s *Service) DescribeImport(ctx context.Context, in *ImportARNInput) (*ImportOutput, error) {
	i := strings.Index(in.ImportArn, "/import/")
	parts := strings.SplitN(in.ImportArn, ":", 6)
	if i < 0 || len(parts) != 6 {
		return nil, ErrImportNotFound.Errorf("Import not found: %s", in.ImportArn)
	}
	rec, err := s.store.Table(ctx, parts[4], importPrefix+in.ImportArn[i+len("/import/"):])
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrImportNotFound.Errorf("Import not found: %s", in.ImportArn)
	}
	if err != nil {
		return nil, err
	}
	var out ImportOutput
	if err := json.Unmarshal(rec.Doc, &out.ImportTableDescription); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListImportsInput is ListImports' input.
type ListImportsInput struct {
	TableArn  string `json:"TableArn"`
	PageSize  *int   `json:"PageSize"`
	NextToken string `json:"NextToken"`
}

func (in *ListImportsInput) tableName() string { return in.TableArn }

// ImportSummary is one import in ListImports.
type ImportSummary struct {
	ImportArn      string         `json:"ImportArn"`
	ImportStatus   string         `json:"ImportStatus"`
	TableArn       string         `json:"TableArn"`
	S3BucketSource S3BucketSource `json:"S3BucketSource"`
	InputFormat    string         `json:"InputFormat"`
	StartTime      float64        `json:"StartTime"`
	EndTime        float64        `json:"EndTime,omitempty"`
}

// ListImportsOutput is ListImports' output.
type ListImportsOutput struct {
	ImportSummaryList []ImportSummary `json:"ImportSummaryList"`
	NextToken         string          `json:"NextToken,omitempty"`
}

// ListImports lists the caller's imports, or one table's, oldest first.
func (s *Service) ListImports(ctx context.Context, in *ListImportsInput) (*ListImportsOutput, error) {
	limit := 25
	if in.PageSize != nil {
		if *in.PageSize < 1 || *in.PageSize > 25 {
			return nil, validation("1 validation error detected: Value '%d' at 'pageSize' failed to satisfy constraint: Member must have value less than or equal to 25", *in.PageSize)
		}
		limit = *in.PageSize
	}
	all, err := s.imports(ctx, callerAccount(ctx))
	if err != nil {
		return nil, err
	}
	out := &ListImportsOutput{ImportSummaryList: []ImportSummary{}}
	for _, d := range all {
		if in.TableArn != "" && d.TableArn != in.TableArn || in.NextToken != "" && d.ImportArn <= in.NextToken {
			continue
		}
		if len(out.ImportSummaryList) == limit {
			out.NextToken = out.ImportSummaryList[limit-1].ImportArn
			break
		}
		out.ImportSummaryList = append(out.ImportSummaryList, ImportSummary{ImportArn: d.ImportArn, ImportStatus: d.ImportStatus, TableArn: d.TableArn,
			S3BucketSource: d.S3BucketSource, InputFormat: d.InputFormat, StartTime: d.StartTime, EndTime: d.EndTime})
	}
	return out, nil
}
