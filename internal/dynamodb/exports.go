package dynamodb

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// Objects is what exports and imports need of S3, in process and as the caller (so the
// caller's S3 permissions apply, as on AWS).
type Objects interface {
	PutObject(ctx context.Context, bucket, key string, body []byte) (etag string, err error)
	GetObject(ctx context.Context, bucket, key string) ([]byte, error)
	// ListObjects lists the keys under a prefix, in order.
	ListObjects(ctx context.Context, bucket, prefix string) ([]string, error)
}

// An export or an import is kept, like a backup, as a record among the account's tables under
// a name no table can have, its document being its description.
const (
	exportPrefix = "#export/"
	importPrefix = "#import/"
)

// exportFileItems is how many items an export writes into one data file.
const exportFileItems = 50000

// ExportTableToPointInTimeInput is ExportTableToPointInTime's input.
type ExportTableToPointInTimeInput struct {
	TableArn       string   `json:"TableArn"`
	ExportTime     *float64 `json:"ExportTime"`
	ClientToken    string   `json:"ClientToken"`
	S3Bucket       string   `json:"S3Bucket"`
	S3BucketOwner  string   `json:"S3BucketOwner"`
	S3Prefix       string   `json:"S3Prefix"`
	S3SseAlgorithm string   `json:"S3SseAlgorithm"`
	S3SseKmsKeyId  string   `json:"S3SseKmsKeyId"`
	ExportFormat   string   `json:"ExportFormat"`
	ExportType     string   `json:"ExportType"`
}

func (in *ExportTableToPointInTimeInput) tableName() string { return in.TableArn }

// ExportDescription describes an export.
type ExportDescription struct {
	ExportArn       string  `json:"ExportArn"`
	ExportStatus    string  `json:"ExportStatus"`
	StartTime       float64 `json:"StartTime"`
	EndTime         float64 `json:"EndTime,omitempty"`
	ExportManifest  string  `json:"ExportManifest,omitempty"`
	TableArn        string  `json:"TableArn"`
	TableId         string  `json:"TableId"`
	ExportTime      float64 `json:"ExportTime"`
	ClientToken     string  `json:"ClientToken"`
	S3Bucket        string  `json:"S3Bucket"`
	S3BucketOwner   string  `json:"S3BucketOwner,omitempty"`
	S3Prefix        string  `json:"S3Prefix,omitempty"`
	S3SseAlgorithm  string  `json:"S3SseAlgorithm,omitempty"`
	S3SseKmsKeyId   string  `json:"S3SseKmsKeyId,omitempty"`
	FailureCode     string  `json:"FailureCode,omitempty"`
	FailureMessage  string  `json:"FailureMessage,omitempty"`
	ExportFormat    string  `json:"ExportFormat"`
	BilledSizeBytes int64   `json:"BilledSizeBytes"`
	ItemCount       int64   `json:"ItemCount"`
	ExportType      string  `json:"ExportType,omitempty"`
}

// ExportOutput is the output of ExportTableToPointInTime and DescribeExport.
type ExportOutput struct {
	ExportDescription ExportDescription `json:"ExportDescription"`
}

// newJobID is an export's or import's id: the time in milliseconds and 8 random hex digits.
func newJobID(now time.Time) string {
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("%014d-%s", now.UnixMilli(), hex.EncodeToString(b))
}

// randomName is a data file's name: 26 random lower-case base32 characters, as AWS's.
func randomName() string {
	b := make([]byte, 16)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// ExportTableToPointInTime writes the table as it was at ExportTime (now by default) to S3 in
// DynamoDB JSON, with AWS's layout: <prefix>/AWSDynamoDB/<id>/_started, data/*.json.gz,
// manifest-files.json and manifest-summary.json with their .md5. It is COMPLETED (or FAILED,
// with S3's error) when the call answers.
func (s *Service) ExportTableToPointInTime(ctx context.Context, in *ExportTableToPointInTimeInput) (*ExportOutput, error) {
	if in.S3Bucket == "" {
		return nil, validation("1 validation error detected: Value null at 's3Bucket' failed to satisfy constraint: Member must not be null")
	}
	switch {
	case in.ExportFormat != "" && in.ExportFormat != "DYNAMODB_JSON" && in.ExportFormat != "ION":
		return nil, validation("1 validation error detected: Value '%s' at 'exportFormat' failed to satisfy constraint: Member must satisfy enum value set: [DYNAMODB_JSON, ION]", in.ExportFormat)
	case in.ExportFormat == "ION":
		return nil, validation("ExportFormat ION is not supported by this server; use DYNAMODB_JSON")
	case in.ExportType == "INCREMENTAL_EXPORT":
		return nil, validation("ExportType INCREMENTAL_EXPORT is not supported by this server; use FULL_EXPORT")
	}
	if s.objects == nil {
		return nil, validation("Exports to S3 are not available on this server")
	}
	t, err := s.loadForBackups(ctx, in.TableArn)
	if err != nil {
		return nil, err
	}
	if t.doc.PITR == nil {
		return nil, ErrPITRUnavailable.Errorf("Point in time recovery is not enabled for table '%s'", t.Name)
	}
	if in.ClientToken != "" {
		if prev, err := s.exportByToken(ctx, t, in); prev != nil || err != nil {
			return prev, err
		}
	}
	now := s.now()
	earliest, latest := t.doc.PITR.window(now)
	at := latest
	if in.ExportTime != nil {
		at = time.UnixMilli(int64(math.Round(*in.ExportTime * 1000)))
		if at.Before(earliest) || at.After(latest) {
			return nil, ErrInvalidExportTime.Errorf("Export time must be between %s and %s",
				earliest.UTC().Format(time.RFC3339), latest.UTC().Format(time.RFC3339))
		}
	}
	id := newJobID(now)
	d := ExportDescription{ExportArn: t.arn + "/export/" + id, ExportStatus: "IN_PROGRESS", StartTime: epochSeconds(now), TableArn: t.arn,
		TableId: t.doc.ID, ExportTime: epochSeconds(at), ClientToken: in.ClientToken, S3Bucket: in.S3Bucket, S3BucketOwner: in.S3BucketOwner,
		S3Prefix: in.S3Prefix, S3SseAlgorithm: in.S3SseAlgorithm, S3SseKmsKeyId: in.S3SseKmsKeyId, ExportFormat: "DYNAMODB_JSON", ExportType: in.ExportType}
	if d.ClientToken == "" {
		d.ClientToken = id
	}
	if err := s.export(ctx, t, at, id, &d); err != nil {
		code, msg := "S3AccessDenied", err.Error()
		if ae, ok := err.(interface{ ErrorCode() string }); ok {
			code = ae.ErrorCode()
		}
		d.ExportStatus, d.FailureCode, d.FailureMessage = "FAILED", code, msg
	} else {
		d.ExportStatus = "COMPLETED"
	}
	d.EndTime = epochSeconds(s.now())
	raw, _ := json.Marshal(d)
	if err := s.store.CreateTable(ctx, &store.Table{Account: t.Account, Name: exportPrefix + id, Doc: raw, Created: now}); err != nil {
		return nil, err
	}
	return &ExportOutput{ExportDescription: d}, nil
}

// exportByToken answers a repeated export (same ClientToken, same request) with the first;
// the same token with another request is ExportConflictException.
func (s *Service) exportByToken(ctx context.Context, t *table, in *ExportTableToPointInTimeInput) (*ExportOutput, error) {
	all, err := s.exports(ctx, t.Account)
	if err != nil {
		return nil, err
	}
	for _, d := range all {
		if d.ClientToken != in.ClientToken || s.now().Sub(time.UnixMilli(int64(d.StartTime*1000))) > 8*time.Hour {
			continue
		}
		if d.TableArn != t.arn || d.S3Bucket != in.S3Bucket || d.S3Prefix != in.S3Prefix {
			return nil, ErrExportConflict.Errorf("There was a conflict when writing to the specified S3 bucket.")
		}
		return &ExportOutput{ExportDescription: d}, nil
	}
	return nil, nil
}

// export writes the files of an export.
func (s *Service) export(ctx context.Context, t *table, at time.Time, id string, d *ExportDescription) error {
	base := "AWSDynamoDB/" + id + "/"
	if p := strings.TrimSuffix(d.S3Prefix, "/"); p != "" {
		base = p + "/" + base
	}
	if _, err := s.objects.PutObject(ctx, d.S3Bucket, base+"_started", nil); err != nil {
		return err
	}
	var manifest bytes.Buffer
	var afterPK, afterSK []byte
	done := false
	for !done {
		var data bytes.Buffer
		zw := gzip.NewWriter(&data)
		n := int64(0)
		for n < exportFileItems {
			rows, err := s.store.ItemsAt(ctx, t.ID, at, afterPK, afterSK, copyPage)
			if err != nil {
				return err
			}
			for _, r := range rows {
				zw.Write([]byte(`{"Item":`))
				zw.Write(r.Doc)
				zw.Write([]byte("}\n"))
				d.BilledSizeBytes += int64(len(r.Doc))
			}
			n += int64(len(rows))
			if len(rows) < copyPage {
				done = true
				break
			}
			afterPK, afterSK = rows[len(rows)-1].PK, rows[len(rows)-1].SK
		}
		zw.Close()
		if n == 0 && d.ItemCount > 0 {
			break
		}
		d.ItemCount += n
		key := base + "data/" + randomName() + ".json.gz"
		etag, err := s.objects.PutObject(ctx, d.S3Bucket, key, data.Bytes())
		if err != nil {
			return err
		}
		sum := md5.Sum(data.Bytes())
		line, _ := json.Marshal(map[string]any{"itemCount": n, "md5Checksum": base64.StdEncoding.EncodeToString(sum[:]),
			"etag": strings.Trim(etag, `"`), "dataFileS3Key": key})
		manifest.Write(line)
		manifest.WriteByte('\n')
	}
	if err := s.putWithMD5(ctx, d.S3Bucket, base+"manifest-files", manifest.Bytes()); err != nil {
		return err
	}
	d.ExportManifest = base + "manifest-summary.json"
	stamp := func(sec float64) string {
		return time.UnixMilli(int64(sec * 1000)).UTC().Format("2006-01-02T15:04:05.000Z")
	}
	summary, _ := json.Marshal(map[string]any{"version": "2020-06-30", "exportArn": d.ExportArn, "startTime": stamp(d.StartTime),
		"endTime": stamp(epochSeconds(s.now())), "tableArn": d.TableArn, "tableId": d.TableId, "exportTime": stamp(d.ExportTime),
		"s3Bucket": d.S3Bucket, "s3Prefix": nullable(d.S3Prefix), "s3SseAlgorithm": nullable(d.S3SseAlgorithm), "s3SseKmsKeyId": nullable(d.S3SseKmsKeyId),
		"manifestFilesS3Key": base + "manifest-files.json", "billedSizeBytes": d.BilledSizeBytes, "itemCount": d.ItemCount, "outputFormat": "DYNAMODB_JSON"})
	return s.putWithMD5(ctx, d.S3Bucket, base+"manifest-summary", summary)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// putWithMD5 writes name.json and name.md5, the base64 MD5 of the first.
func (s *Service) putWithMD5(ctx context.Context, bucket, name string, body []byte) error {
	if _, err := s.objects.PutObject(ctx, bucket, name+".json", body); err != nil {
		return err
	}
	sum := md5.Sum(body)
	_, err := s.objects.PutObject(ctx, bucket, name+".md5", []byte(base64.StdEncoding.EncodeToString(sum[:])))
	return err
}

// exports lists an account's exports, oldest first.
func (s *Service) exports(ctx context.Context, account string) ([]ExportDescription, error) {
	recs, err := s.store.ListTables(ctx, account, exportPrefix[:len(exportPrefix)-1], 0)
	if err != nil {
		return nil, err
	}
	var out []ExportDescription
	for _, r := range recs {
		if !strings.HasPrefix(r.Name, exportPrefix) {
			continue
		}
		var d ExportDescription
		if json.Unmarshal(r.Doc, &d) == nil {
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ExportArn < out[j].ExportArn })
	return out, nil
}

// ExportARNInput names an export.
type ExportARNInput struct {
	ExportArn string `json:"ExportArn"`
}

func (in *ExportARNInput) tableName() string { return in.ExportArn }

// DescribeExport describes an export.
func (s *Service) DescribeExport(ctx context.Context, in *ExportARNInput) (*ExportOutput, error) {
	i := strings.Index(in.ExportArn, "/export/")
	parts := strings.SplitN(in.ExportArn, ":", 6)
	if i < 0 || len(parts) != 6 {
		return nil, ErrExportNotFound.Errorf("Export not found: %s", in.ExportArn)
	}
	rec, err := s.store.Table(ctx, parts[4], exportPrefix+in.ExportArn[i+len("/export/"):])
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrExportNotFound.Errorf("Export not found: %s", in.ExportArn)
	}
	if err != nil {
		return nil, err
	}
	var out ExportOutput
	if err := json.Unmarshal(rec.Doc, &out.ExportDescription); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListExportsInput is ListExports' input.
type ListExportsInput struct {
	TableArn   string `json:"TableArn"`
	MaxResults *int   `json:"MaxResults"`
	NextToken  string `json:"NextToken"`
}

func (in *ListExportsInput) tableName() string { return in.TableArn }

// ExportSummary is one export in ListExports.
type ExportSummary struct {
	ExportArn    string `json:"ExportArn"`
	ExportStatus string `json:"ExportStatus"`
	ExportType   string `json:"ExportType,omitempty"`
}

// ListExportsOutput is ListExports' output.
type ListExportsOutput struct {
	ExportSummaries []ExportSummary `json:"ExportSummaries"`
	NextToken       string          `json:"NextToken,omitempty"`
}

// ListExports lists the caller's exports, or one table's, oldest first.
func (s *Service) ListExports(ctx context.Context, in *ListExportsInput) (*ListExportsOutput, error) {
	limit := 25
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 25 {
			return nil, validation("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 25", *in.MaxResults)
		}
		limit = *in.MaxResults
	}
	all, err := s.exports(ctx, callerAccount(ctx))
	if err != nil {
		return nil, err
	}
	out := &ListExportsOutput{ExportSummaries: []ExportSummary{}}
	for _, d := range all {
		if in.TableArn != "" && d.TableArn != in.TableArn || in.NextToken != "" && d.ExportArn <= in.NextToken {
			continue
		}
		if len(out.ExportSummaries) == limit {
			out.NextToken = out.ExportSummaries[limit-1].ExportArn
			break
		}
		out.ExportSummaries = append(out.ExportSummaries, ExportSummary{ExportArn: d.ExportArn, ExportStatus: d.ExportStatus, ExportType: d.ExportType})
	}
	return out, nil
}
