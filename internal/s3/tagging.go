package s3

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sort"
	"unicode/utf8"

	"github.com/gureum/gureum/internal/store"
)

// tagging is S3's Tagging document.
type tagging struct {
	XMLName xml.Name `xml:"Tagging"`
	TagSet  []tag    `xml:"TagSet>Tag"`
}

type tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

func invalidTag(msg string) error { return ErrInvalidTag.Errorf("%s", msg) }

// checkTags applies S3's tag rules: at most max tags, keys 1–128 and values 0–256 characters,
// no key twice, no aws: prefix.
func checkTags(tags []tag, max int) (map[string]string, error) {
	if len(tags) > max {
		if max == 10 {
			return nil, ErrBadRequest.Errorf("Object tags cannot be greater than 10")
		}
		return nil, invalidTag("Bucket tag count cannot be greater than 50")
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		if n := utf8.RuneCountInString(t.Key); n == 0 || n > 128 {
			return nil, invalidTag("The TagKey you have provided is invalid")
		}
		if utf8.RuneCountInString(t.Value) > 256 {
			return nil, invalidTag("The TagValue you have provided is invalid")
		}
		if len(t.Key) >= 4 && t.Key[:4] == "aws:" {
			return nil, invalidTag("Your TagKey cannot be prefixed with aws:")
		}
		if _, dup := m[t.Key]; dup {
			return nil, invalidTag("Cannot provide multiple Tags with the same key")
		}
		m[t.Key] = t.Value
	}
	return m, nil
}

// ErrBadRequest is S3's generic 400.
var ErrBadRequest = &badRequest

var badRequest = *ErrInvalidRequest

func init() { badRequest.Name = "BadRequest" }

func parseTagging(max int) func([]byte) (string, error) {
	return func(b []byte) (string, error) {
		var t tagging
		if xml.Unmarshal(b, &t) != nil {
			return "", malformedXML()
		}
		if _, err := checkTags(t.TagSet, max); err != nil {
			return "", err
		}
		return marshalDoc(&t), nil
	}
}

// parseTagQuery reads x-amz-tagging ("k1=v1&k2=v2").
func parseTagQuery(v string) (map[string]string, error) {
	q, err := url.ParseQuery(v)
	if err != nil {
		return nil, invalidArgument("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.", "x-amz-tagging", v)
	}
	var tags []tag
	for k, vals := range q {
		for _, val := range vals {
			tags = append(tags, tag{k, val})
		}
	}
	return checkTags(tags, 10)
}

func tagList(m map[string]string) []tag {
	out := make([]tag, 0, len(m))
	for k, v := range m {
		out = append(out, tag{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// ObjectDocInput is the request of an object sub-resource put (tagging, ACL).
type ObjectDocInput struct {
	Bucket    string      `rest:"uri=Bucket"`
	Key       string      `rest:"uri=Key"`
	VersionID string      `rest:"query=versionId"`
	Header    http.Header `rest:"headers"`
	Body      io.Reader   `rest:"payload"`
}

// ObjectTaggingOutput is GetObjectTagging's response.
type ObjectTaggingOutput struct {
	XMLName   xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ Tagging"`
	VersionID string   `rest:"header=x-amz-version-id" xml:"-"`
	TagSet    []tag    `xml:"TagSet>Tag"`
}

// GetObjectTagging returns an object version's tags.
func (s *Service) GetObjectTagging(ctx context.Context, in *ObjectInput) (*ObjectTaggingOutput, error) {
	b, o, err := s.lookup(ctx, in.Bucket, in.Key, in.Query.Get("versionId"))
	if err == nil && o.DeleteMarker {
		err = noSuchKey(in.Key)
	}
	if err != nil {
		return nil, err
	}
	out := &ObjectTaggingOutput{TagSet: tagList(o.Meta.Tags)}
	if b.Versioning != "" {
		out.VersionID = o.VersionID
	}
	return out, nil
}

// PutObjectTagging replaces an object version's tags.
func (s *Service) PutObjectTagging(ctx context.Context, in *ObjectDocInput) (*HeaderOutput, error) {
	doc, err := readDoc(in.Body)
	if err != nil {
		return nil, err
	}
	if err := checkMD5(in.Header, doc); err != nil {
		return nil, err
	}
	var t tagging
	if xml.Unmarshal(doc, &t) != nil {
		return nil, malformedXML()
	}
	tags, err := checkTags(t.TagSet, 10)
	if err != nil {
		return nil, err
	}
	return s.setObjectTags(ctx, in.Bucket, in.Key, in.VersionID, tags, http.StatusOK)
}

// DeleteObjectTagging removes an object version's tags.
func (s *Service) DeleteObjectTagging(ctx context.Context, in *ObjectInput) (*HeaderOutput, error) {
	return s.setObjectTags(ctx, in.Bucket, in.Key, in.Query.Get("versionId"), nil, http.StatusNoContent)
}

func (s *Service) setObjectTags(ctx context.Context, bucket, key, versionID string, tags map[string]string, status int) (*HeaderOutput, error) {
	b, o, err := s.lookup(ctx, bucket, key, versionID)
	if err == nil && o.DeleteMarker {
		err = noSuchKey(key)
	}
	if err != nil {
		return nil, err
	}
	o.Meta.Tags = tags
	name := "ObjectTagging:Put"
	if tags == nil {
		name = "ObjectTagging:Delete"
	}
	if err := s.store.SetObjectMeta(ctx, bucket, key, o.VersionID, o.Meta, s.events(ctx, b, name, o)...); errors.Is(err, store.ErrNotFound) {
		return nil, noSuchKey(key)
	} else if err != nil {
		return nil, err
	}
	h := http.Header{}
	setVersionHeader(h, b, o.VersionID)
	return &HeaderOutput{Status: status, Header: h}, nil
}
