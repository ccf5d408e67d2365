package dynamodb

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/dynamodb/attr"
	"github.com/gureum/gureum/internal/dynamodb/ion"
	"github.com/gureum/gureum/internal/store"
)

// The files of an export, as the Developer Guide's "DynamoDB table export output format" lays
// them out: under <prefix>/AWSDynamoDB/<export id>/ the empty _started, then
// manifest-files.json (a JSON line per data file) and manifest-summary.json, each with its .md5;
// the data files, gzipped, one item or change a line, in DynamoDB JSON (.json.gz) or Ion text
// (.ion.gz, each line beginning with the version marker). A full export's data files are under
// the export's data/; an incremental export's under the prefix's shared AWSDynamoDB/data/.

// exportFileItems is how many lines an export writes into one data file.
const exportFileItems = 50000

// exportFiles writes an export's data files and gathers its files manifest.
type exportFiles struct {
	s        *Service
	bucket   string
	dir      string // where the data files go, ending in /
	ion      bool
	manifest bytes.Buffer
	data     bytes.Buffer
	zw       *gzip.Writer
	n        int64 // lines in the open file
	files    int
	items    int64
	billed   int64
	line     []byte
}

func (s *Service) newExportFiles(bucket, dir string, d *ExportDescription) *exportFiles {
	f := &exportFiles{s: s, bucket: bucket, dir: dir, ion: d.ExportFormat == "ION"}
	f.zw = gzip.NewWriter(&f.data)
	return f
}

// exportBase is the folder of an export's manifests, and of the data shared by incremental
// exports under the same prefix.
func exportBase(d *ExportDescription) string {
	if p := strings.TrimSuffix(d.S3Prefix, "/"); p != "" {
		return p + "/AWSDynamoDB/"
	}
	return "AWSDynamoDB/"
}

// add writes one line (without its newline) and starts a new file when one is full.
func (f *exportFiles) add(ctx context.Context, line []byte, billed int) error {
	f.zw.Write(line)
	f.zw.Write([]byte{'\n'})
	f.n++
	f.items++
	f.billed += int64(billed)
	if f.n == exportFileItems {
		return f.flush(ctx)
	}
	return nil
}

// flush writes the open file, if it has lines or is the export's only one.
func (f *exportFiles) flush(ctx context.Context) error {
	if f.n == 0 && f.files > 0 {
		return nil
	}
	f.zw.Close()
	ext := ".json.gz"
	if f.ion {
		ext = ".ion.gz"
	}
	key := f.dir + randomName() + ext
	etag, err := f.s.objects.PutObject(ctx, f.bucket, key, f.data.Bytes())
	if err != nil {
		return err
	}
	sum := md5.Sum(f.data.Bytes())
	line, _ := json.Marshal(map[string]any{"itemCount": f.n, "md5Checksum": base64.StdEncoding.EncodeToString(sum[:]),
		"etag": strings.Trim(etag, `"`), "dataFileS3Key": key})
	f.manifest.Write(line)
	f.manifest.WriteByte('\n')
	f.files++
	f.n = 0
	f.data.Reset()
	f.zw.Reset(&f.data)
	return nil
}

// itemLine is a full export's line: {"Item":…} or $ion_1_0 {Item:…}.
func (f *exportFiles) itemLine(doc []byte) ([]byte, error) {
	if !f.ion {
		f.line = append(append(append(f.line[:0], `{"Item":`...), doc...), '}')
		return f.line, nil
	}
	it, err := attr.DecodeItem(doc)
	if err != nil {
		return nil, err
	}
	f.line = append(f.line[:0], ion.VersionMarker+" {Item:"...)
	f.line = append(ion.AppendItem(f.line, it), '}')
	return f.line, nil
}

// changeLine is an incremental export's line: the time of the item's last write in
// microseconds, its key, and its images as the view asks (a deletion has no NewImage, an
// insertion no OldImage; NEW_IMAGE leaves OldImage out).
func (f *exportFiles) changeLine(t *table, c store.ItemChange, view string) ([]byte, error) {
	var old, img Item
	var err error
	if c.Old != nil {
		if old, err = attr.DecodeItem(c.Old); err != nil {
			return nil, err
		}
	}
	if c.New != nil {
		if img, err = attr.DecodeItem(c.New); err != nil {
			return nil, err
		}
	}
	keys := img
	if keys == nil {
		keys = old
	}
	keys = t.keyAttrs(keys)
	if view == "NEW_IMAGE" {
		old = nil
	}
	micros := strconv.FormatInt(c.At.UnixMicro(), 10)
	b := f.line[:0]
	if f.ion {
		b = append(b, ion.VersionMarker+" {Metadata:{WriteTimestampMicros:"...)
		b = append(append(b, micros...), ".},Keys:"...)
		b = ion.AppendItem(b, keys)
		if old != nil {
			b = ion.AppendItem(append(b, ",OldImage:"...), old)
		}
		if img != nil {
			b = ion.AppendItem(append(b, ",NewImage:"...), img)
		}
	} else {
		b = append(b, `{"Metadata":{"WriteTimestampMicros":{"N":"`...)
		b = append(append(b, micros...), `"}},"Keys":`...)
		b = append(b, attr.EncodeItem(keys)...)
		if old != nil {
			b = append(append(b, `,"OldImage":`...), c.Old...)
		}
		if img != nil {
			b = append(append(b, `,"NewImage":`...), c.New...)
		}
	}
	f.line = append(b, '}')
	return f.line, nil
}

// export writes a full export: the table as it was at at.
func (s *Service) export(ctx context.Context, t *table, at time.Time, id string, d *ExportDescription) error {
	base := exportBase(d) + id + "/"
	if _, err := s.objects.PutObject(ctx, d.S3Bucket, base+"_started", nil); err != nil {
		return err
	}
	f := s.newExportFiles(d.S3Bucket, base+"data/", d)
	var afterPK, afterSK []byte
	for {
		rows, err := s.store.ItemsAt(ctx, t.ID, at, afterPK, afterSK, copyPage)
		if err != nil {
			return err
		}
		for _, r := range rows {
			line, err := f.itemLine(r.Doc)
			if err != nil {
				return err
			}
			if err := f.add(ctx, line, len(r.Doc)); err != nil {
				return err
			}
		}
		if len(rows) < copyPage {
			break
		}
		afterPK, afterSK = rows[len(rows)-1].PK, rows[len(rows)-1].SK
	}
	return s.finishExport(ctx, f, base, d, map[string]any{"version": "2020-06-30", "exportTime": exportStamp(d.ExportTime)})
}

// exportChanges writes an incremental export: each item a write changed in [from, to), once,
// with its state before and after the span.
func (s *Service) exportChanges(ctx context.Context, t *table, from, to time.Time, id string, d *ExportDescription) error {
	base := exportBase(d) + id + "/"
	if _, err := s.objects.PutObject(ctx, d.S3Bucket, base+"_started", nil); err != nil {
		return err
	}
	view := d.IncrementalExportSpecification.ExportViewType
	f := s.newExportFiles(d.S3Bucket, exportBase(d)+"data/", d)
	var afterPK, afterSK []byte
	for {
		changes, err := s.store.ItemChanges(ctx, t.ID, from, to, afterPK, afterSK, copyPage)
		if err != nil {
			return err
		}
		for _, c := range changes {
			if c.Old == nil && c.New == nil {
				continue // made and deleted within the span: nothing to tell
			}
			line, err := f.changeLine(t, c, view)
			if err != nil {
				return err
			}
			if err := f.add(ctx, line, len(c.New)+len(c.Old)); err != nil {
				return err
			}
		}
		if len(changes) < copyPage {
			break
		}
		afterPK, afterSK = changes[len(changes)-1].PK, changes[len(changes)-1].SK
	}
	return s.finishExport(ctx, f, base, d, map[string]any{"version": "2023-08-01", "exportFromTime": exportStamp(*d.IncrementalExportSpecification.ExportFromTime),
		"exportToTime": exportStamp(*d.IncrementalExportSpecification.ExportToTime), "outputView": view})
}

// finishExport writes the last data file and the manifests.
func (s *Service) finishExport(ctx context.Context, f *exportFiles, base string, d *ExportDescription, summary map[string]any) error {
	if err := f.flush(ctx); err != nil {
		return err
	}
	d.ItemCount, d.BilledSizeBytes = f.items, f.billed
	if err := s.putWithMD5(ctx, d.S3Bucket, base+"manifest-files", f.manifest.Bytes()); err != nil {
		return err
	}
	d.ExportManifest = base + "manifest-summary.json"
	for k, v := range map[string]any{"exportArn": d.ExportArn, "startTime": exportStamp(d.StartTime), "endTime": exportStamp(epochSeconds(s.now())),
		"tableArn": d.TableArn, "tableId": d.TableId, "s3Bucket": d.S3Bucket, "s3Prefix": nullable(d.S3Prefix), "s3SseAlgorithm": nullable(d.S3SseAlgorithm),
		"s3SseKmsKeyId": nullable(d.S3SseKmsKeyId), "manifestFilesS3Key": base + "manifest-files.json", "billedSizeBytes": d.BilledSizeBytes,
		"itemCount": d.ItemCount, "outputFormat": d.ExportFormat} {
		summary[k] = v
	}
	raw, _ := json.Marshal(summary)
	return s.putWithMD5(ctx, d.S3Bucket, base+"manifest-summary", raw)
}

// exportStamp is a time in a manifest: UTC with milliseconds.
func exportStamp(sec float64) string {
	return time.UnixMilli(int64(sec * 1000)).UTC().Format("2006-01-02T15:04:05.000Z")
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
