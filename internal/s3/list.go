package s3

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"net/url"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/store"
)

// ListInput is the request of ListObjects (v1) and ListObjectsV2.
type ListInput struct {
	Bucket            string `rest:"uri=Bucket"`
	Prefix            string `rest:"query=prefix"`
	Delimiter         string `rest:"query=delimiter"`
	MaxKeys           string `rest:"query=max-keys"`
	EncodingType      string `rest:"query=encoding-type"`
	Marker            string `rest:"query=marker"`
	ContinuationToken string `rest:"query=continuation-token"`
	StartAfter        string `rest:"query=start-after"`
	FetchOwner        bool   `rest:"query=fetch-owner"`
}

// ListObjectsOutput is ListBucketResult, for both versions (each leaves the other's fields empty).
type ListObjectsOutput struct {
	XMLName               xml.Name       `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
	Name                  string         `xml:"Name"`
	Prefix                string         `xml:"Prefix"`
	Marker                *string        `xml:"Marker"`
	NextMarker            string         `xml:"NextMarker,omitempty"`
	ContinuationToken     string         `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
	StartAfter            string         `xml:"StartAfter,omitempty"`
	KeyCount              *int           `xml:"KeyCount"`
	MaxKeys               int            `xml:"MaxKeys"`
	Delimiter             string         `xml:"Delimiter,omitempty"`
	EncodingType          string         `xml:"EncodingType,omitempty"`
	IsTruncated           bool           `xml:"IsTruncated"`
	Contents              []listedObject `xml:"Contents"`
	CommonPrefixes        []commonPrefix `xml:"CommonPrefixes"`
}

type listedObject struct {
	Key               string `xml:"Key"`
	LastModified      string `xml:"LastModified"`
	ETag              string `xml:"ETag"`
	ChecksumAlgorithm string `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
	Size              int64  `xml:"Size"`
	Owner             *Owner `xml:"Owner,omitempty"`
	StorageClass      string `xml:"StorageClass"`
}

type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

// listPage is one page of a delimited walk over the current objects.
type listPage struct {
	objects   []store.Object
	prefixes  []string
	truncated bool
	next      store.ObjectRange // where the next page starts
	last      string            // the last key or common prefix returned
}

// walk lists up to max keys and common prefixes from r, in key order. A common prefix counts
// once and the scan jumps past it, so a page costs what it returns, not what it rolls up.
func (s *Service) walk(ctx context.Context, r store.ObjectRange, delimiter string, max int) (listPage, error) {
	var p listPage
	for max > 0 {
		r.Limit = max - len(p.objects) - len(p.prefixes) + 1
		batch, err := s.store.ListObjects(ctx, r)
		if err != nil {
			return p, err
		}
		jumped := false
		for _, o := range batch {
			if len(p.objects)+len(p.prefixes) == max {
				p.truncated = true
				return p, nil
			}
			if cp, ok := commonPrefixOf(o.Key, r.Prefix, delimiter); ok {
				p.prefixes = append(p.prefixes, cp)
				p.last = cp
				end, more := prefixAfter(cp)
				r.After, r.From, p.next = "", end, store.ObjectRange{Bucket: r.Bucket, Prefix: r.Prefix, From: end}
				if !more {
					return p, nil
				}
				jumped = true
				break
			}
			p.objects = append(p.objects, o)
			p.last = o.Key
			r.After, r.From = o.Key, ""
			p.next = store.ObjectRange{Bucket: r.Bucket, Prefix: r.Prefix, After: o.Key}
		}
		if !jumped && len(batch) < r.Limit {
			return p, nil
		}
	}
	return p, nil
}

func commonPrefixOf(key, prefix, delimiter string) (string, bool) {
	if delimiter == "" {
		return "", false
	}
	i := strings.Index(key[len(prefix):], delimiter)
	if i < 0 {
		return "", false
	}
	return key[:len(prefix)+i+len(delimiter)], true
}

// prefixAfter is the smallest key above every key that starts with p.
func prefixAfter(p string) (string, bool) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

func maxKeys(v string) (int, error) {
	if v == "" {
		return 1000, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, invalidArgument("Provided max-keys not an integer or within integer range", "max-keys", v)
	}
	return min(n, 1000), nil
}

// encodeKey applies encoding-type=url (S3 encodes as a form value, keeping '/').
func encodeKey(enc, s string) string {
	if enc != "url" {
		return s
	}
	return strings.ReplaceAll(url.QueryEscape(s), "%2F", "/")
}

func (s *Service) listed(in *ListInput, p listPage, owner bool, account string, out *ListObjectsOutput) {
	out.Contents, out.CommonPrefixes = []listedObject{}, []commonPrefix{}
	for _, o := range p.objects {
		lo := listedObject{Key: encodeKey(in.EncodingType, o.Key), LastModified: xmlTime(o.Modified), ETag: o.ETag, Size: o.Size,
			StorageClass: storageClassOf(o)}
		for alg := range o.Meta.Checksums {
			if alg != "TYPE" {
				lo.ChecksumAlgorithm, lo.ChecksumType = alg, o.Meta.Checksums["TYPE"]
			}
		}
		if owner {
			lo.Owner = ownerOf(account)
		}
		out.Contents = append(out.Contents, lo)
	}
	for _, cp := range p.prefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, commonPrefix{encodeKey(in.EncodingType, cp)})
	}
	out.Prefix, out.Delimiter = encodeKey(in.EncodingType, in.Prefix), encodeKey(in.EncodingType, in.Delimiter)
	out.IsTruncated = p.truncated
	if in.EncodingType == "url" {
		out.EncodingType = "url"
	}
}

func storageClassOf(o store.Object) string {
	if sc := o.Meta.Headers["X-Amz-Storage-Class"]; sc != "" {
		return sc
	}
	return "STANDARD"
}

func checkEncoding(v string) error {
	if v != "" && v != "url" {
		return invalidArgument("Invalid Encoding Method specified in Request", "encoding-type", v)
	}
	return nil
}

// ListObjectsV2 lists the current objects a page at a time.
func (s *Service) ListObjectsV2(ctx context.Context, in *ListInput) (*ListObjectsOutput, error) {
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
	r := store.ObjectRange{Bucket: in.Bucket, Prefix: in.Prefix, After: in.StartAfter}
	if in.ContinuationToken != "" {
		if r, err = decodeToken(in.Bucket, in.Prefix, in.ContinuationToken); err != nil {
			return nil, err
		}
	}
	p, err := s.walk(ctx, r, in.Delimiter, max)
	if err != nil {
		return nil, err
	}
	out := &ListObjectsOutput{Name: in.Bucket, MaxKeys: max, ContinuationToken: in.ContinuationToken,
		StartAfter: encodeKey(in.EncodingType, in.StartAfter)}
	s.listed(in, p, in.FetchOwner, b.Account, out)
	n := len(out.Contents) + len(out.CommonPrefixes)
	out.KeyCount = &n
	if p.truncated {
		out.NextContinuationToken = encodeToken(p.next)
	}
	return out, nil
}

// Continuation tokens carry where the next page starts: "A"+key (after key) or "F"+key (from key).
func encodeToken(r store.ObjectRange) string {
	if r.From != "" {
		return base64.RawURLEncoding.EncodeToString([]byte("F" + r.From))
	}
	return base64.RawURLEncoding.EncodeToString([]byte("A" + r.After))
}

func decodeToken(bucket, prefix, tok string) (store.ObjectRange, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) == 0 || b[0] != 'A' && b[0] != 'F' {
		return store.ObjectRange{}, invalidArgument("The continuation token provided is incorrect", "continuation-token", tok)
	}
	r := store.ObjectRange{Bucket: bucket, Prefix: prefix}
	if b[0] == 'A' {
		r.After = string(b[1:])
	} else {
		r.From = string(b[1:])
	}
	return r, nil
}

// ListObjects is version 1: markers instead of tokens, and the owner always.
func (s *Service) ListObjects(ctx context.Context, in *ListInput) (*ListObjectsOutput, error) {
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
	r := store.ObjectRange{Bucket: in.Bucket, Prefix: in.Prefix, After: in.Marker}
	if cp, ok := commonPrefixOf(in.Marker, in.Prefix, in.Delimiter); ok && cp == in.Marker && strings.HasPrefix(in.Marker, in.Prefix) {
		if end, more := prefixAfter(cp); more {
			r.After, r.From = "", end
		}
	}
	p, err := s.walk(ctx, r, in.Delimiter, max)
	if err != nil {
		return nil, err
	}
	marker := encodeKey(in.EncodingType, in.Marker)
	out := &ListObjectsOutput{Name: in.Bucket, MaxKeys: max, Marker: &marker}
	s.listed(in, p, true, b.Account, out)
	if p.truncated && in.Delimiter != "" {
		out.NextMarker = encodeKey(in.EncodingType, p.last)
	}
	return out, nil
}
