package dynamodb

import (
	"context"
	"crypto/rand"
	"encoding/base32"
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

	IncrementalExportSpecification *IncrementalExportSpecification `json:"IncrementalExportSpecification"`
}

// IncrementalExportSpecification is the span and view of an incremental export.
type IncrementalExportSpecification struct {
	ExportFromTime *float64 `json:"ExportFromTime,omitempty"`
	ExportToTime   *float64 `json:"ExportToTime,omitempty"`
	ExportViewType string   `json:"ExportViewType,omitempty"`
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
	ExportTime      float64 `json:"ExportTime,omitempty"`
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

	IncrementalExportSpecification *IncrementalExportSpecification `json:"IncrementalExportSpecification,omitempty"`
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

// ExportTableToPointInTime writes the table as it was at ExportTime (now by default), or how
// it changed over an incremental export's span, to S3 in DynamoDB JSON or Ion, with AWS's
// layout (exportfiles.go). It is COMPLETED (or FAILED, with S3's error) when the call answers.
func (s *Service) ExportTableToPointInTime(ctx context.Context, in *ExportTableToPointInTimeInput) (*ExportOutput, error) {
	if err := in.check(); err != nil {
		return nil, err
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
	id := newJobID(now)
	d := ExportDescription{ExportArn: t.arn + "/export/" + id, ExportStatus: "IN_PROGRESS", StartTime: epochSeconds(now), TableArn: t.arn,
		TableId: t.doc.ID, ClientToken: in.ClientToken, S3Bucket: in.S3Bucket, S3BucketOwner: in.S3BucketOwner, S3Prefix: in.S3Prefix,
		S3SseAlgorithm: in.S3SseAlgorithm, S3SseKmsKeyId: in.S3SseKmsKeyId, ExportFormat: in.ExportFormat, ExportType: in.ExportType}
	if d.ExportFormat == "" {
		d.ExportFormat = "DYNAMODB_JSON"
	}
	if d.ExportType == "" {
		d.ExportType = "FULL_EXPORT"
	}
	if d.ClientToken == "" {
		d.ClientToken = id
	}
	earliest, latest := t.doc.PITR.window(now)
	var run func() error
	if d.ExportType == "INCREMENTAL_EXPORT" {
		from, to, err := in.span(earliest, latest)
		if err != nil {
			return nil, err
		}
		view := "NEW_AND_OLD_IMAGES"
		if v := in.IncrementalExportSpecification.ExportViewType; v != "" {
			view = v
		}
		f, u := epochSeconds(from), epochSeconds(to)
		d.IncrementalExportSpecification = &IncrementalExportSpecification{ExportFromTime: &f, ExportToTime: &u, ExportViewType: view}
		run = func() error { return s.exportChanges(ctx, t, from, to, id, &d) }
	} else {
		at := latest
		if in.ExportTime != nil {
			at = time.UnixMilli(int64(math.Round(*in.ExportTime * 1000)))
			if at.Before(earliest) || at.After(latest) {
				return nil, ErrInvalidExportTime.Errorf("Export time must be between %s and %s",
					earliest.UTC().Format(time.RFC3339), latest.UTC().Format(time.RFC3339))
			}
		}
		d.ExportTime = epochSeconds(at)
		run = func() error { return s.export(ctx, t, at, id, &d) }
	}
	if err := run(); err != nil {
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

// check validates the request's enums and the parameters each export type allows.
func (in *ExportTableToPointInTimeInput) check() error {
	inc := in.IncrementalExportSpecification
	switch {
	case in.S3Bucket == "":
		return validation("1 validation error detected: Value null at 's3Bucket' failed to satisfy constraint: Member must not be null")
	case in.ExportFormat != "" && in.ExportFormat != "DYNAMODB_JSON" && in.ExportFormat != "ION":
		return validation("1 validation error detected: Value '%s' at 'exportFormat' failed to satisfy constraint: Member must satisfy enum value set: [DYNAMODB_JSON, ION]", in.ExportFormat)
	case in.ExportType != "" && in.ExportType != "FULL_EXPORT" && in.ExportType != "INCREMENTAL_EXPORT":
		return validation("1 validation error detected: Value '%s' at 'exportType' failed to satisfy constraint: Member must satisfy enum value set: [FULL_EXPORT, INCREMENTAL_EXPORT]", in.ExportType)
	case inc != nil && inc.ExportViewType != "" && inc.ExportViewType != "NEW_IMAGE" && inc.ExportViewType != "NEW_AND_OLD_IMAGES":
		return validation("1 validation error detected: Value '%s' at 'incrementalExportSpecification.exportViewType' failed to satisfy constraint: Member must satisfy enum value set: [NEW_IMAGE, NEW_AND_OLD_IMAGES]", inc.ExportViewType)
	case in.ExportType != "INCREMENTAL_EXPORT" && inc != nil:
		return validation("IncrementalExportSpecification is only valid for an export of type INCREMENTAL_EXPORT")
	case in.ExportType == "INCREMENTAL_EXPORT" && in.ExportTime != nil:
		return validation("ExportTime is not valid for an export of type INCREMENTAL_EXPORT; use IncrementalExportSpecification")
	case in.ExportType == "INCREMENTAL_EXPORT" && (inc == nil || inc.ExportFromTime == nil):
		return validation("IncrementalExportSpecification.ExportFromTime is required for an export of type INCREMENTAL_EXPORT")
	}
	return nil
}

// Bounds of an incremental export's span (Developer Guide, "Incremental export").
const (
	minIncrementalSpan = 15 * time.Minute
	maxIncrementalSpan = 24 * time.Hour
)

// span is an incremental export's [from, to): within the recovery window, at least 15 minutes
// and at most 24 hours long; to is the window's end when not given.
func (in *ExportTableToPointInTimeInput) span(earliest, latest time.Time) (from, to time.Time, err error) {
	inc := in.IncrementalExportSpecification
	from = time.UnixMilli(int64(math.Round(*inc.ExportFromTime * 1000)))
	to = latest
	if inc.ExportToTime != nil {
		to = time.UnixMilli(int64(math.Round(*inc.ExportToTime * 1000)))
	}
	switch {
	case from.Before(earliest) || to.After(latest):
		return from, to, ErrInvalidExportTime.Errorf("Incremental export period must be between %s and %s",
			earliest.UTC().Format(time.RFC3339), latest.UTC().Format(time.RFC3339))
	case !from.Before(to):
		return from, to, ErrInvalidExportTime.Errorf("ExportFromTime must be before ExportToTime")
	case to.Sub(from) < minIncrementalSpan:
		return from, to, ErrInvalidExportTime.Errorf("Incremental export period must be at least 15 minutes")
	case to.Sub(from) > maxIncrementalSpan:
		return from, to, ErrInvalidExportTime.Errorf("Incremental export period must be at most 24 hours")
	}
	return from, to, nil
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
