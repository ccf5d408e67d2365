package dynamodb

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/s3"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
)

// s3Objects is gureum's S3 service in process, called without the router (the fake clock
// cannot reach a server; TestExportImport goes through one).
type s3Objects struct{ svc *service.Service }

func (o s3Objects) PutObject(ctx context.Context, bucket, key string, body []byte) (string, error) {
	h := http.Header{"Content-Length": {strconv.Itoa(len(body))}}
	out, err := o.svc.Op("PutObject").Handler.Call(ctx, &s3.PutObjectInput{Bucket: bucket, Key: key, Header: h, Body: bytes.NewReader(body)})
	if err != nil {
		return "", err
	}
	return out.(*s3.HeaderOutput).Header.Get("Etag"), nil
}

func (o s3Objects) GetObject(ctx context.Context, bucket, key string) ([]byte, error) {
	out, err := o.svc.Op("GetObject").Handler.Call(ctx, &s3.ObjectInput{Bucket: bucket, Key: key, Header: http.Header{}})
	if err != nil {
		return nil, err
	}
	body := out.(*s3.GetObjectOutput).Body
	if c, ok := body.(io.Closer); ok {
		defer c.Close()
	}
	return io.ReadAll(body)
}

func (o s3Objects) ListObjects(ctx context.Context, bucket, prefix string) ([]string, error) {
	out, err := o.svc.Op("ListObjectsV2").Handler.Call(ctx, &s3.ListInput{Bucket: bucket, Prefix: prefix})
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, c := range out.(*s3.ListObjectsOutput).Contents {
		keys = append(keys, c.Key)
	}
	return keys, nil
}

// withObjects gives a fake service gureum's S3 over the same store, with a bucket "exports".
func withObjects(t *testing.T, ctx context.Context, s *Service) s3Objects {
	t.Helper()
	objs := s3.New(s3.Deps{Env: service.Env{Region: "us-east-1", Clock: s.clock, DataDir: t.TempDir()}, Store: s.store.(measuredStore).Store.(store.Objects)})
	if err := objs.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(objs.Stop)
	if _, err := objs.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: "exports"}); err != nil {
		t.Fatal(err)
	}
	o := s3Objects{svc: objs.Describe()}
	s.objects = o
	return o
}

// TestIncrementalExport changes items over an hour on a fake clock and exports the changes of
// a span in both views and both formats, with AWS's layout: manifests under the export's
// folder, data in the prefix's shared AWSDynamoDB/data/.
func TestIncrementalExport(t *testing.T) {
	ctx, s, clock := fakeService(t)
	o := withObjects(t, ctx, s)
	on := true
	if _, err := s.UpdateContinuousBackups(ctx, &UpdateContinuousBackupsInput{TableName: "src", PointInTimeRecoverySpecification: &PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: &on}}); err != nil {
		t.Fatal(err)
	}
	t0 := clock.Now()
	clock.Advance(time.Minute)
	for _, k := range []string{"a", "b", "c"} {
		putJSON(t, ctx, s, "src", `{"pk":{"S":"`+k+`"},"v":{"S":"1"}}`)
	}
	clock.Advance(20 * time.Minute) // t0+21m
	putJSON(t, ctx, s, "src", `{"pk":{"S":"a"},"v":{"S":"2"}}`)
	deleteKey(t, ctx, s, "src", "b")
	putJSON(t, ctx, s, "src", `{"pk":{"S":"d"},"v":{"S":"1"}}`)
	putJSON(t, ctx, s, "src", `{"pk":{"S":"e"},"v":{"S":"1"}}`)
	deleteKey(t, ctx, s, "src", "e")
	written := clock.Now()
	clock.Advance(20 * time.Minute) // t0+41m: a later write the span leaves out
	putJSON(t, ctx, s, "src", `{"pk":{"S":"c"},"v":{"S":"2"}}`)
	clock.Advance(time.Minute)

	arn := "arn:aws:dynamodb:us-east-1:000000000000:table/src"
	export := func(format, view string, from, to time.Time) (*ExportOutput, error) {
		f, u := epochSeconds(from), epochSeconds(to)
		return s.ExportTableToPointInTime(ctx, &ExportTableToPointInTimeInput{TableArn: arn, S3Bucket: "exports", S3Prefix: "inc", ExportFormat: format,
			ExportType: "INCREMENTAL_EXPORT", IncrementalExportSpecification: &IncrementalExportSpecification{ExportFromTime: &f, ExportToTime: &u, ExportViewType: view}})
	}
	lines := func(d ExportDescription) []string {
		t.Helper()
		id := d.ExportArn[strings.LastIndex(d.ExportArn, "/")+1:]
		if d.ExportManifest != "inc/AWSDynamoDB/"+id+"/manifest-summary.json" {
			t.Errorf("ExportManifest = %q", d.ExportManifest)
		}
		raw, err := o.GetObject(ctx, "exports", d.ExportManifest)
		var summary map[string]any
		if err != nil || json.Unmarshal(raw, &summary) != nil || summary["version"] != "2023-08-01" || summary["outputView"] != d.IncrementalExportSpecification.ExportViewType ||
			summary["exportFromTime"] != "2026-12-07T12:10:00.000Z" || summary["exportToTime"] != "2026-12-07T12:30:00.000Z" || summary["outputFormat"] != d.ExportFormat {
			t.Errorf("manifest-summary.json = %s, %v", raw, err)
		}
		raw, _ = o.GetObject(ctx, "exports", "inc/AWSDynamoDB/"+id+"/manifest-files.json")
		var file struct {
			ItemCount     int64  `json:"itemCount"`
			DataFileS3Key string `json:"dataFileS3Key"`
		}
		if err := json.Unmarshal(raw, &file); err != nil || file.ItemCount != 3 || !strings.HasPrefix(file.DataFileS3Key, "inc/AWSDynamoDB/data/") {
			t.Fatalf("manifest-files.json = %s, %v", raw, err)
		}
		gz, err := o.GetObject(ctx, "exports", file.DataFileS3Key)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(zr)
		l := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		sort.Strings(l)
		return l
	}
	us := strconv.FormatInt(written.UnixMicro(), 10)
	out, err := export("", "", t0.Add(10*time.Minute), t0.Add(30*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	d := out.ExportDescription
	if d.ExportStatus != "COMPLETED" || d.ExportType != "INCREMENTAL_EXPORT" || d.ItemCount != 3 || d.ExportTime != 0 || d.IncrementalExportSpecification.ExportViewType != "NEW_AND_OLD_IMAGES" {
		t.Fatalf("ExportTableToPointInTime(INCREMENTAL_EXPORT) = %+v", d)
	}
	meta := `{"Metadata":{"WriteTimestampMicros":{"N":"` + us + `"}},"Keys":{"pk":{"S":"`
	want := []string{
		meta + `a"}},"OldImage":{"pk":{"S":"a"},"v":{"S":"1"}},"NewImage":{"pk":{"S":"a"},"v":{"S":"2"}}}`,
		meta + `b"}},"OldImage":{"pk":{"S":"b"},"v":{"S":"1"}}}`,
		meta + `d"}},"NewImage":{"pk":{"S":"d"},"v":{"S":"1"}}}`,
	}
	if got := lines(d); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("NEW_AND_OLD_IMAGES data =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if de, err := s.DescribeExport(ctx, &ExportARNInput{ExportArn: d.ExportArn}); err != nil || de.ExportDescription.IncrementalExportSpecification == nil {
		t.Errorf("DescribeExport = %+v, %v", de, err)
	}

	out, err = export("ION", "NEW_IMAGE", t0.Add(10*time.Minute), t0.Add(30*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	meta = `$ion_1_0 {Metadata:{WriteTimestampMicros:` + us + `.},Keys:{pk:"`
	want = []string{meta + `a"},NewImage:{pk:"a",v:"2"}}`, meta + `b"}}`, meta + `d"},NewImage:{pk:"d",v:"1"}}`}
	if got := lines(out.ExportDescription); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("ION NEW_IMAGE data =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	f := epochSeconds(t0.Add(10 * time.Minute))
	for _, c := range []struct {
		name     string
		from, to time.Time
		in       *ExportTableToPointInTimeInput
		code     string
	}{
		{name: "span of 10 minutes", from: t0.Add(10 * time.Minute), to: t0.Add(20 * time.Minute), code: "InvalidExportTimeException"},
		{name: "before recovery began", from: t0.Add(-time.Hour), to: t0.Add(20 * time.Minute), code: "InvalidExportTimeException"},
		{name: "after now", from: t0.Add(30 * time.Minute), to: t0.Add(2 * time.Hour), code: "InvalidExportTimeException"},
		{name: "with ExportTime", in: &ExportTableToPointInTimeInput{TableArn: arn, S3Bucket: "exports", ExportType: "INCREMENTAL_EXPORT", ExportTime: &f,
			IncrementalExportSpecification: &IncrementalExportSpecification{ExportFromTime: &f}}, code: "ValidationException"},
		{name: "without ExportFromTime", in: &ExportTableToPointInTimeInput{TableArn: arn, S3Bucket: "exports", ExportType: "INCREMENTAL_EXPORT"}, code: "ValidationException"},
		{name: "bad view", in: &ExportTableToPointInTimeInput{TableArn: arn, S3Bucket: "exports", ExportType: "INCREMENTAL_EXPORT",
			IncrementalExportSpecification: &IncrementalExportSpecification{ExportFromTime: &f, ExportViewType: "OLD_IMAGE"}}, code: "ValidationException"},
		{name: "spec on a full export", in: &ExportTableToPointInTimeInput{TableArn: arn, S3Bucket: "exports",
			IncrementalExportSpecification: &IncrementalExportSpecification{ExportFromTime: &f}}, code: "ValidationException"},
	} {
		var err error
		if c.in != nil {
			_, err = s.ExportTableToPointInTime(ctx, c.in)
		} else {
			_, err = export("", "", c.from, c.to)
		}
		var ae *awserr.Error
		if !errors.As(err, &ae) || !strings.HasPrefix(ae.Error(), c.code+": ") {
			t.Errorf("ExportTableToPointInTime(%s) = %v; want %s", c.name, err, c.code)
		}
	}
}
