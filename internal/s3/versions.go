package s3

import (
	"context"
	"encoding/xml"
	"math"

	"github.com/gureum/gureum/internal/store"
)

// ListVersionsInput is ListObjectVersions' request.
type ListVersionsInput struct {
	Bucket          string `rest:"uri=Bucket"`
	Prefix          string `rest:"query=prefix"`
	Delimiter       string `rest:"query=delimiter"`
	MaxKeys         string `rest:"query=max-keys"`
	EncodingType    string `rest:"query=encoding-type"`
	KeyMarker       string `rest:"query=key-marker"`
	VersionIDMarker string `rest:"query=version-id-marker"`
}

// ListVersionsOutput is ListVersionsResult.
type ListVersionsOutput struct {
	XMLName             xml.Name       `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListVersionsResult"`
	Name                string         `xml:"Name"`
	Prefix              string         `xml:"Prefix"`
	KeyMarker           string         `xml:"KeyMarker"`
	VersionIDMarker     string         `xml:"VersionIdMarker"`
	NextKeyMarker       string         `xml:"NextKeyMarker,omitempty"`
	NextVersionIDMarker string         `xml:"NextVersionIdMarker,omitempty"`
	MaxKeys             int            `xml:"MaxKeys"`
	Delimiter           string         `xml:"Delimiter,omitempty"`
	EncodingType        string         `xml:"EncodingType,omitempty"`
	IsTruncated         bool           `xml:"IsTruncated"`
	Entries             []versionEntry `xml:",any"`
	CommonPrefixes      []commonPrefix `xml:"CommonPrefixes"`
}

// versionEntry is a <Version> or a <DeleteMarker>, in key order.
type versionEntry struct {
	XMLName      xml.Name
	Key          string `xml:"Key"`
	VersionID    string `xml:"VersionId"`
	IsLatest     bool   `xml:"IsLatest"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag,omitempty"`
	Size         *int64 `xml:"Size,omitempty"`
	StorageClass string `xml:"StorageClass,omitempty"`
	Owner        *Owner `xml:"Owner"`
}

// ListObjectVersions lists every version and delete marker, newest first within a key.
func (s *Service) ListObjectVersions(ctx context.Context, in *ListVersionsInput) (*ListVersionsOutput, error) {
	b, err := s.bucketFor(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	max, err := maxKeys(in.MaxKeys)
	if err == nil {
		err = checkEncoding(in.EncodingType)
	}
	if err != nil {
		return nil, err
	}
	out := &ListVersionsOutput{Name: in.Bucket, Prefix: encodeKey(in.EncodingType, in.Prefix), KeyMarker: in.KeyMarker,
		VersionIDMarker: in.VersionIDMarker, MaxKeys: max, Delimiter: in.Delimiter, CommonPrefixes: []commonPrefix{}}
	if in.EncodingType == "url" {
		out.EncodingType = "url"
	}
	r := store.ObjectRange{Bucket: in.Bucket, Prefix: in.Prefix}
	afterSeq := int64(0)
	if in.KeyMarker != "" {
		r.After, afterSeq = in.KeyMarker, 0
		if in.VersionIDMarker != "" {
			if o, err := s.store.Object(ctx, in.Bucket, in.KeyMarker, in.VersionIDMarker); err == nil {
				afterSeq = o.Seq
			}
		}
	}
	return out, s.versionPages(ctx, in, b, r, afterSeq, max, out)
}

func (s *Service) versionPages(ctx context.Context, in *ListVersionsInput, b store.Bucket, r store.ObjectRange, afterSeq int64, max int, out *ListVersionsOutput) error {
	count := 0
	for {
		r.Limit = max - count + 1
		page, err := s.store.ListVersions(ctx, r, afterSeq)
		if err != nil {
			return err
		}
		for _, o := range page {
			if count == max {
				out.IsTruncated = true
				return nil
			}
			if cp, ok := commonPrefixOf(o.Key, in.Prefix, in.Delimiter); ok {
				out.CommonPrefixes = append(out.CommonPrefixes, commonPrefix{encodeKey(in.EncodingType, cp)})
				out.NextKeyMarker, out.NextVersionIDMarker = cp, ""
				count++
				end, more := prefixAfter(cp)
				if !more {
					return nil
				}
				r.After, r.From, afterSeq = "", end, math.MaxInt64
				goto next
			}
			out.Entries = append(out.Entries, entryOf(in, b, o))
			out.NextKeyMarker, out.NextVersionIDMarker = o.Key, o.VersionID
			r.After, r.From, afterSeq = o.Key, "", o.Seq
			count++
		}
		if len(page) < r.Limit {
			if !out.IsTruncated {
				out.NextKeyMarker, out.NextVersionIDMarker = "", ""
			}
			return nil
		}
	next:
	}
}

func entryOf(in *ListVersionsInput, b store.Bucket, o store.Object) versionEntry {
	e := versionEntry{Key: encodeKey(in.EncodingType, o.Key), VersionID: o.VersionID, IsLatest: o.Latest,
		LastModified: xmlTime(o.Modified), Owner: ownerOf(b.Account)}
	if o.DeleteMarker {
		e.XMLName.Local = "DeleteMarker"
		return e
	}
	e.XMLName.Local = "Version"
	e.ETag, e.StorageClass = o.ETag, storageClassOf(o)
	size := o.Size
	e.Size = &size
	return e
}
