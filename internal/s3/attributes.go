package s3

import (
	"context"
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/gureum/gureum/internal/checksum"
)

// GetObjectAttributesInput is GetObjectAttributes' request.
type GetObjectAttributesInput struct {
	Bucket    string      `rest:"uri=Bucket"`
	Key       string      `rest:"uri=Key"`
	VersionID string      `rest:"query=versionId"`
	Header    http.Header `rest:"headers"`
}

// GetObjectAttributesOutput is GetObjectAttributesResponse.
type GetObjectAttributesOutput struct {
	XMLName      xml.Name     `xml:"http://s3.amazonaws.com/doc/2006-03-01/ GetObjectAttributesResponse"`
	Header       http.Header  `rest:"headers" xml:"-"`
	ETag         string       `xml:"ETag,omitempty"`
	Checksum     *Checksums   `xml:"Checksum,omitempty"`
	ObjectParts  *objectParts `xml:"ObjectParts,omitempty"`
	StorageClass string       `xml:"StorageClass,omitempty"`
	ObjectSize   *int64       `xml:"ObjectSize,omitempty"`
}

type objectParts struct {
	TotalPartsCount int  `xml:"TotalPartsCount"`
	IsTruncated     bool `xml:"IsTruncated"`
	MaxParts        int  `xml:"MaxParts"`
}

// GetObjectAttributes answers the attributes asked for (ETag, Checksum, ObjectParts,
// StorageClass, ObjectSize) without the object's data.
func (s *Service) GetObjectAttributes(ctx context.Context, in *GetObjectAttributesInput) (*GetObjectAttributesOutput, error) {
	b, o, err := s.lookup(ctx, in.Bucket, in.Key, in.VersionID)
	if err == nil && o.DeleteMarker {
		err = noSuchKey(in.Key)
	}
	if err != nil {
		return nil, err
	}
	out := &GetObjectAttributesOutput{Header: http.Header{"Last-Modified": {o.Modified.UTC().Format(http.TimeFormat)}}}
	setVersionHeader(out.Header, b, o.VersionID)
	// The SDKs send the list as one header line each or joined by commas.
	for _, a := range strings.Split(strings.Join(in.Header.Values("X-Amz-Object-Attributes"), ","), ",") {
		switch strings.TrimSpace(a) {
		case "ETag":
			out.ETag = unquote(o.ETag)
		case "StorageClass":
			out.StorageClass = storageClassOf(o)
		case "ObjectSize":
			size := o.Size
			out.ObjectSize = &size
		case "ObjectParts":
			if len(o.Meta.Parts) > 0 {
				out.ObjectParts = &objectParts{TotalPartsCount: len(o.Meta.Parts), MaxParts: 1000}
			}
		case "Checksum":
			out.Checksum = checksumsOf(o.Meta.Checksums)
		default:
			return nil, invalidArgument("Invalid attribute name specified.", "x-amz-object-attributes", a)
		}
	}
	return out, nil
}

func checksumsOf(m map[string]string) *Checksums {
	var c Checksums
	var r copyObjectResult
	for alg, v := range m {
		r.setChecksum(checksum.Algorithm(alg), v)
	}
	c.ChecksumCRC32, c.ChecksumCRC32C, c.ChecksumCRC64NVME, c.ChecksumSHA1, c.ChecksumSHA256 =
		r.ChecksumCRC32, r.ChecksumCRC32C, r.ChecksumCRC64NVME, r.ChecksumSHA1, r.ChecksumSHA256
	c.ChecksumType = m["TYPE"]
	if c == (Checksums{}) {
		return nil
	}
	return &c
}
