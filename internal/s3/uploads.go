package s3

import (
	"context"
	"encoding/xml"
	"strconv"

	"github.com/gureum/gureum/internal/store"
)

// ListPartsInput is ListParts' request.
type ListPartsInput struct {
	Bucket           string `rest:"uri=Bucket"`
	Key              string `rest:"uri=Key"`
	UploadID         string `rest:"query=uploadId"`
	MaxParts         string `rest:"query=max-parts"`
	PartNumberMarker string `rest:"query=part-number-marker"`
}

// ListPartsOutput is ListPartsResult.
type ListPartsOutput struct {
	XMLName              xml.Name     `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListPartsResult"`
	Bucket               string       `xml:"Bucket"`
	Key                  string       `xml:"Key"`
	UploadID             string       `xml:"UploadId"`
	PartNumberMarker     int          `xml:"PartNumberMarker"`
	NextPartNumberMarker int          `xml:"NextPartNumberMarker"`
	MaxParts             int          `xml:"MaxParts"`
	IsTruncated          bool         `xml:"IsTruncated"`
	Parts                []listedPart `xml:"Part"`
	Initiator            *Owner       `xml:"Initiator"`
	Owner                *Owner       `xml:"Owner"`
	StorageClass         string       `xml:"StorageClass"`
	ChecksumAlgorithm    string       `xml:"ChecksumAlgorithm,omitempty"`
}

type listedPart struct {
	PartNumber   int    `xml:"PartNumber"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	Checksums
}

func intParam(v, name string, def, max int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, invalidArgument("Provided "+name+" not an integer or within integer range", name, v)
	}
	return min(n, max), nil
}

// ListParts lists an upload's parts, a page at a time.
func (s *Service) ListParts(ctx context.Context, in *ListPartsInput) (*ListPartsOutput, error) {
	max, err := intParam(in.MaxParts, "max-parts", 1000, 1000)
	if err != nil {
		return nil, err
	}
	marker, err := intParam(in.PartNumberMarker, "part-number-marker", 0, MaxParts)
	if err != nil {
		return nil, err
	}
	up, err := s.upload(ctx, in.Bucket, in.Key, in.UploadID)
	if err != nil {
		return nil, err
	}
	parts, err := s.store.ListParts(ctx, up.ID, marker, max+1)
	if err != nil {
		return nil, err
	}
	out := &ListPartsOutput{Bucket: in.Bucket, Key: in.Key, UploadID: up.ID, PartNumberMarker: marker, MaxParts: max,
		Initiator: ownerOf(up.Meta.Owner), Owner: ownerOf(up.Meta.Owner), StorageClass: "STANDARD",
		ChecksumAlgorithm: up.Meta.Checksums["ALGORITHM"], Parts: []listedPart{}}
	if len(parts) > max {
		parts, out.IsTruncated = parts[:max], true
	}
	for _, p := range parts {
		lp := listedPart{PartNumber: p.Number, LastModified: xmlTime(p.Modified), ETag: p.ETag, Size: p.Size}
		out.Parts = append(out.Parts, lp)
		out.NextPartNumberMarker = p.Number
	}
	return out, nil
}

// ListUploadsInput is ListMultipartUploads' request.
type ListUploadsInput struct {
	Bucket         string `rest:"uri=Bucket"`
	Prefix         string `rest:"query=prefix"`
	Delimiter      string `rest:"query=delimiter"`
	KeyMarker      string `rest:"query=key-marker"`
	UploadIDMarker string `rest:"query=upload-id-marker"`
	MaxUploads     string `rest:"query=max-uploads"`
	EncodingType   string `rest:"query=encoding-type"`
}

// ListUploadsOutput is ListMultipartUploadsResult.
type ListUploadsOutput struct {
	XMLName            xml.Name       `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListMultipartUploadsResult"`
	Bucket             string         `xml:"Bucket"`
	KeyMarker          string         `xml:"KeyMarker"`
	UploadIDMarker     string         `xml:"UploadIdMarker"`
	NextKeyMarker      string         `xml:"NextKeyMarker"`
	NextUploadIDMarker string         `xml:"NextUploadIdMarker"`
	Prefix             string         `xml:"Prefix"`
	Delimiter          string         `xml:"Delimiter,omitempty"`
	MaxUploads         int            `xml:"MaxUploads"`
	IsTruncated        bool           `xml:"IsTruncated"`
	EncodingType       string         `xml:"EncodingType,omitempty"`
	Uploads            []listedUpload `xml:"Upload"`
	CommonPrefixes     []commonPrefix `xml:"CommonPrefixes"`
}

type listedUpload struct {
	Key          string `xml:"Key"`
	UploadID     string `xml:"UploadId"`
	Initiator    *Owner `xml:"Initiator"`
	Owner        *Owner `xml:"Owner"`
	StorageClass string `xml:"StorageClass"`
	Initiated    string `xml:"Initiated"`
}

// ListMultipartUploads lists a bucket's uploads in progress, by key and then initiation.
func (s *Service) ListMultipartUploads(ctx context.Context, in *ListUploadsInput) (*ListUploadsOutput, error) {
	if _, err := s.bucketFor(ctx, in.Bucket); err != nil {
		return nil, err
	}
	max, err := intParam(in.MaxUploads, "max-uploads", 1000, 1000)
	if err == nil {
		err = checkEncoding(in.EncodingType)
	}
	if err != nil {
		return nil, err
	}
	r := store.ObjectRange{Bucket: in.Bucket, Prefix: in.Prefix, From: in.KeyMarker}
	if in.UploadIDMarker == "" && in.KeyMarker != "" {
		r.From, r.After = "", in.KeyMarker
	}
	out := &ListUploadsOutput{Bucket: in.Bucket, KeyMarker: in.KeyMarker, UploadIDMarker: in.UploadIDMarker, Prefix: in.Prefix,
		Delimiter: in.Delimiter, MaxUploads: max, Uploads: []listedUpload{}}
	if in.EncodingType == "url" {
		out.EncodingType = "url"
	}
	seen := map[string]bool{}
	for len(out.Uploads)+len(out.CommonPrefixes) <= max {
		r.Limit = max + 1
		ups, err := s.store.ListUploads(ctx, r)
		if err != nil {
			return nil, err
		}
		if !s.pageUploads(in, ups, max, seen, out) || len(ups) < r.Limit {
			break
		}
		last := ups[len(ups)-1]
		r.From, r.After = last.Key, ""
		in.KeyMarker, in.UploadIDMarker = last.Key, last.ID
	}
	return out, nil
}

// pageUploads adds uploads past the markers to out; it reports false once the page is full.
func (s *Service) pageUploads(in *ListUploadsInput, ups []store.Upload, max int, seen map[string]bool, out *ListUploadsOutput) bool {
	skipping := in.UploadIDMarker != ""
	for _, u := range ups {
		if skipping && u.Key == in.KeyMarker {
			if u.ID == in.UploadIDMarker {
				skipping = false
			}
			continue
		}
		skipping = false
		cp, isCP := commonPrefixOf(u.Key, in.Prefix, in.Delimiter)
		if isCP && seen[cp] {
			continue
		}
		if len(out.Uploads)+len(out.CommonPrefixes) == max {
			out.IsTruncated = true
			return false
		}
		if isCP {
			seen[cp] = true
			out.CommonPrefixes = append(out.CommonPrefixes, commonPrefix{encodeKey(in.EncodingType, cp)})
			out.NextKeyMarker, out.NextUploadIDMarker = cp, ""
			continue
		}
		out.Uploads = append(out.Uploads, listedUpload{Key: encodeKey(in.EncodingType, u.Key), UploadID: u.ID,
			Initiator: ownerOf(u.Meta.Owner), Owner: ownerOf(u.Meta.Owner), StorageClass: "STANDARD", Initiated: xmlTime(u.Initiated)})
		out.NextKeyMarker, out.NextUploadIDMarker = u.Key, u.ID
	}
	return true
}
