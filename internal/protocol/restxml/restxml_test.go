package restxml

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/service"
)

type putInput struct {
	Bucket string    `rest:"uri=Bucket"`
	Key    string    `rest:"uri=Key"`
	ACL    string    `rest:"header=x-amz-acl"`
	Size   *int64    `rest:"header=Content-Length"`
	Body   io.Reader `rest:"payload"`
}

type tagging struct {
	XMLName xml.Name                      `xml:"Tagging"`
	Tags    []struct{ Key, Value string } `xml:"TagSet>Tag"`
}

type taggingInput struct {
	Bucket  string   `rest:"uri=Bucket"`
	Tagging *tagging `rest:"payload"`
}

type listOutput struct {
	XMLName xml.Name `xml:"ListBucketResult"`
	Name    string
	Region  string `rest:"header=x-amz-bucket-region" xml:"-"`
}

func s3Like() *service.Service {
	return (&service.Service{Name: "s3", Protocol: service.RESTXML, Operations: []service.Operation{
		{Name: "ListBuckets", Route: service.Route{Method: "GET", Path: "/"}},
		{Name: "ListObjects", Route: service.Route{Method: "GET", Path: "/{Bucket}"}},
		{Name: "ListMultipartUploads", Route: service.Route{Method: "GET", Path: "/{Bucket}", Query: []string{"uploads"}}},
		{Name: "PutObject", Route: service.Route{Method: "PUT", Path: "/{Bucket}/{Key+}"}},
		{Name: "PutBucketTagging", Route: service.Route{Method: "PUT", Path: "/{Bucket}", Query: []string{"tagging"}}},
	}}).Index()
}

func TestRoute(t *testing.T) {
	tests := []struct {
		method, url, op string
		labels          map[string]string
	}{
		{"GET", "/", "ListBuckets", map[string]string{}},
		{"GET", "/b", "ListObjects", map[string]string{"Bucket": "b"}},
		{"GET", "/b/", "ListObjects", map[string]string{"Bucket": "b"}},
		{"GET", "/b?uploads", "ListMultipartUploads", map[string]string{"Bucket": "b"}},
		{"PUT", "/b/a//b/../c", "PutObject", map[string]string{"Bucket": "b", "Key": "a//b/../c"}},
		{"DELETE", "/b", "", nil},
		{"PUT", "/b", "", nil},
	}
	for _, tt := range tests {
		r, _ := http.NewRequest(tt.method, "http://h"+tt.url, nil)
		op, labels, err := Codec{}.Route(r, nil, s3Like())
		if tt.op == "" {
			if awserr.As(err).Kind != awserr.UnknownOperation {
				t.Errorf("Route(%s %s) = %v; want UnknownOperation", tt.method, tt.url, err)
			}
			continue
		}
		if err != nil || op.Name != tt.op || len(labels) != len(tt.labels) || labels["Key"] != tt.labels["Key"] || labels["Bucket"] != tt.labels["Bucket"] {
			t.Errorf("Route(%s %s) = %v %v %v; want %s %v", tt.method, tt.url, op, labels, err, tt.op, tt.labels)
		}
	}
}

func TestDecode(t *testing.T) {
	r, _ := http.NewRequest("PUT", "http://h/b/k", strings.NewReader("data"))
	r.Header.Set("x-amz-acl", "private")
	r.Header.Set("Content-Length", "4")
	var in putInput
	if err := (Codec{}).Decode(r, nil, map[string]string{"Bucket": "b", "Key": "k"}, &in); err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(in.Body)
	if in.Bucket != "b" || in.Key != "k" || in.ACL != "private" || *in.Size != 4 || string(body) != "data" {
		t.Errorf("Decode = %+v body %q", in, body)
	}
	r, _ = http.NewRequest("PUT", "http://h/b?tagging", strings.NewReader(`<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>`))
	var tin taggingInput
	if err := (Codec{}).Decode(r, nil, map[string]string{"Bucket": "b"}, &tin); err != nil || len(tin.Tagging.Tags) != 1 || tin.Tagging.Tags[0].Key != "a" {
		t.Errorf("Decode(tagging) = %+v, %v", tin.Tagging, err)
	}
	r, _ = http.NewRequest("PUT", "http://h/b?tagging", strings.NewReader(`<Tagging><TagSet>`))
	if err := (Codec{}).Decode(r, nil, nil, &tin); awserr.As(err).Kind != awserr.Malformed {
		t.Errorf("Decode(bad xml) = %v; want Malformed", err)
	}
	r, _ = http.NewRequest("PUT", "http://h/b/k", nil)
	r.Header.Set("Content-Length", "lots")
	if err := (Codec{}).Decode(r, nil, nil, &in); awserr.As(err).Kind != awserr.Validation {
		t.Errorf("Decode(bad header) = %v; want Validation", err)
	}
}

func TestEncode(t *testing.T) {
	rec := httptest.NewRecorder()
	svc := s3Like()
	Codec{}.Encode(rec, svc, svc.Op("ListObjects"), &listOutput{Name: "b", Region: "us-east-1"}, "rid")
	if rec.Code != 200 || rec.Header().Get("x-amz-bucket-region") != "us-east-1" || !strings.Contains(rec.Body.String(), "<ListBucketResult><Name>b</Name></ListBucketResult>") {
		t.Errorf("Encode = %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	if rec.Header().Get("x-amz-request-id") != "rid" {
		t.Errorf("no x-amz-request-id")
	}
}

func TestEncodeError(t *testing.T) {
	rec := httptest.NewRecorder()
	err := awserr.New(awserr.RequestTimeTooSkewed, "too skewed").With("MaxAllowedSkewMilliseconds", "900000")
	Codec{}.EncodeError(rec, nil, err, "rid")
	body := rec.Body.String()
	for _, want := range []string{"<Error><Code>RequestTimeTooSkewed</Code><Message>too skewed</Message><MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds><RequestId>rid</RequestId><HostId>rid</HostId></Error>"} {
		if !strings.Contains(body, want) || rec.Code != 403 {
			t.Errorf("EncodeError = %d %s; want %s", rec.Code, body, want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>`), "/b/k", "private")
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "b">]><Tagging>&a;</Tagging>`), "/", "")
	f.Add([]byte(`<Tagging><TagSet>`+strings.Repeat("<Tag>", 150)), "/b", "")
	f.Fuzz(func(t *testing.T, body []byte, path, acl string) {
		r, err := http.NewRequest("PUT", "http://h/", bytes.NewReader(body))
		if err != nil {
			return
		}
		r.URL.Path = path
		r.Header.Set("x-amz-acl", acl)
		r.URL.RawQuery = "tagging"
		svc := s3Like()
		op, labels, err := Codec{}.Route(r, nil, svc)
		if err != nil {
			return
		}
		var in any = &putInput{}
		if op.Name == "PutBucketTagging" {
			in = &taggingInput{}
		}
		if err := (Codec{}).Decode(r, nil, labels, in); err != nil {
			if k := awserr.As(err).Kind; k != awserr.Malformed && k != awserr.Validation && k != awserr.TooLarge {
				t.Fatalf("Decode = %v", err)
			}
		}
	})
}

// TestDecodeDeepNesting: a document nested deeper than the limit is refused as MalformedXML with
// flat memory (the pre-scan keeps no stack of open elements).
func TestDecodeDeepNesting(t *testing.T) {
	for _, body := range []string{
		"<Tagging><TagSet>" + strings.Repeat("<Tag>", 200),
		"<Tagging><TagSet>" + strings.Repeat("<Tag>", 800_000),
		strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100) + strings.Repeat("<b>", 101),
	} {
		r, _ := http.NewRequest("PUT", "http://h/b?tagging", strings.NewReader(body))
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		err := Codec{}.Decode(r, nil, map[string]string{"Bucket": "b"}, &taggingInput{})
		runtime.ReadMemStats(&after)
		if awserr.As(err).Kind != awserr.Malformed {
			t.Errorf("Decode(%.40q…) = %v; want Malformed", body, err)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
			t.Errorf("Decode(%.40q…) allocated %d bytes", body, alloc)
		}
	}
}
