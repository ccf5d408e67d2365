package service_test

import (
	"compress/gzip"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gureum/gureum/internal/service"
)

func TestRoutePrecedence(t *testing.T) {
	svc := (&service.Service{Name: "t", Protocol: service.RESTJSON, Operations: []service.Operation{
		{Name: "Root", Route: service.Route{Method: "GET", Path: "/"}},
		{Name: "ListObjects", Route: service.Route{Method: "GET", Path: "/{Bucket}"}},
		{Name: "ListObjectsV2", Route: service.Route{Method: "GET", Path: "/{Bucket}?list-type=2"}},
		{Name: "ListUploads", Route: service.Route{Method: "GET", Path: "/{Bucket}", Query: []string{"uploads"}}},
		{Name: "Literal", Route: service.Route{Method: "GET", Path: "/static"}},
		{Name: "LiteralChild", Route: service.Route{Method: "GET", Path: "/static/{Id}"}},
		{Name: "LabelChild", Route: service.Route{Method: "GET", Path: "/{Bucket}/child"}},
		{Name: "GetObject", Route: service.Route{Method: "GET", Path: "/{Bucket}/{Key+}"}},
		{Name: "GetObjectAcl", Route: service.Route{Method: "GET", Path: "/{Bucket}/{Key+}?acl"}},
		{Name: "PutObject", Route: service.Route{Method: "PUT", Path: "/{Bucket}/{Key+}?x-id=PutObject"}},
		{Name: "CopyObject", Route: service.Route{Method: "PUT", Path: "/{Bucket}/{Key+}", Headers: []string{"x-amz-copy-source"}}},
		{Name: "UploadPart", Route: service.Route{Method: "PUT", Path: "/{Bucket}/{Key+}", Query: []string{"partNumber", "uploadId"}}},
		{Name: "UploadPartCopy", Route: service.Route{Method: "PUT", Path: "/{Bucket}/{Key+}", Query: []string{"partNumber", "uploadId"}, Headers: []string{"x-amz-copy-source"}}},
		{Name: "Deep", Route: service.Route{Method: "GET", Path: "/a/{B}/c/{D}/e"}},
		{Name: "DeepLabel", Route: service.Route{Method: "GET", Path: "/a/{B}/{C}/{D}/e"}},
	}}).Index()
	if err := svc.Err(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, url string
		header      string
		op          string
		labels      map[string]string
	}{
		{"GET", "/", "", "Root", map[string]string{}},
		{"GET", "/b", "", "ListObjects", map[string]string{"Bucket": "b"}},
		{"GET", "/b/", "", "ListObjects", map[string]string{"Bucket": "b"}},
		{"GET", "/b?list-type=2", "", "ListObjectsV2", map[string]string{"Bucket": "b"}},
		{"GET", "/b?list-type=1", "", "ListObjects", map[string]string{"Bucket": "b"}},
		{"GET", "/b?list%2Dtype=%32", "", "ListObjectsV2", map[string]string{"Bucket": "b"}},
		{"GET", "/b?prefix=x&uploads", "", "ListUploads", map[string]string{"Bucket": "b"}},
		{"GET", "/static", "", "Literal", map[string]string{}},
		{"GET", "/static/x", "", "LiteralChild", map[string]string{"Id": "x"}},
		{"GET", "/static/child", "", "LiteralChild", map[string]string{"Id": "child"}}, // literal first segment wins
		{"GET", "/b/child", "", "LabelChild", map[string]string{"Bucket": "b"}},        // literal beats greedy
		{"GET", "/b/child/more", "", "GetObject", map[string]string{"Bucket": "b", "Key": "child/more"}},
		{"GET", "/b/k", "", "GetObject", map[string]string{"Bucket": "b", "Key": "k"}},
		{"GET", "/b/a//b/../c", "", "GetObject", map[string]string{"Bucket": "b", "Key": "a//b/../c"}},
		{"GET", "/b/k?acl", "", "GetObjectAcl", map[string]string{"Bucket": "b", "Key": "k"}},
		{"GET", "/b/", "", "ListObjects", map[string]string{"Bucket": "b"}},
		{"PUT", "/b/k", "", "PutObject", map[string]string{"Bucket": "b", "Key": "k"}},
		{"PUT", "/b/k?x-id=PutObject", "", "PutObject", map[string]string{"Bucket": "b", "Key": "k"}},
		{"PUT", "/b/k", "x-amz-copy-source", "CopyObject", map[string]string{"Bucket": "b", "Key": "k"}},
		{"PUT", "/b/k?partNumber=1&uploadId=u", "", "UploadPart", map[string]string{"Bucket": "b", "Key": "k"}},
		{"PUT", "/b/k?partNumber=1&uploadId=u", "x-amz-copy-source", "UploadPartCopy", map[string]string{"Bucket": "b", "Key": "k"}},
		{"PUT", "/b/k?partNumber=1", "", "PutObject", map[string]string{"Bucket": "b", "Key": "k"}},
		{"GET", "/a/1/c/2/e", "", "Deep", map[string]string{"B": "1", "D": "2"}},
		{"GET", "/a/1/x/2/e", "", "DeepLabel", map[string]string{"B": "1", "C": "x", "D": "2"}},
		{"GET", "/a/1/c/2", "", "GetObject", map[string]string{"Bucket": "a", "Key": "1/c/2"}}, // backtracks to the greedy route
		{"GET", "//k", "", "", nil}, // an empty label matches nothing
		{"DELETE", "/b", "", "", nil},
		{"PUT", "/b", "", "", nil},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, tt.url, nil)
		if tt.header != "" {
			r.Header.Set(tt.header, "src/key")
		}
		op, labels := svc.MatchRoute(r)
		name := ""
		if op != nil {
			name = op.Name
		}
		if name != tt.op || !cmp.Equal(labels, tt.labels) {
			t.Errorf("MatchRoute(%s %s %s) = %q %v; want %q %v", tt.method, tt.url, tt.header, name, labels, tt.op, tt.labels)
		}
	}
}

func TestRouteCollisions(t *testing.T) {
	tests := []struct {
		name string
		ops  []service.Operation
		err  string
	}{
		{"same route", []service.Operation{
			{Name: "A", Route: service.Route{Method: "GET", Path: "/{Bucket}?tagging"}},
			{Name: "B", Route: service.Route{Method: "GET", Path: "/{Name}", Query: []string{"tagging"}}},
		}, "collide"},
		{"greedy not last", []service.Operation{{Name: "A", Route: service.Route{Method: "GET", Path: "/{Key+}/x"}}}, "greedy"},
		{"no slash", []service.Operation{{Name: "A", Route: service.Route{Method: "GET", Path: "x"}}}, "start with /"},
		{"outside prefix", []service.Operation{{Name: "A", Route: service.Route{Method: "GET", Path: "/apis"}}}, "prefix"},
		{"twice", []service.Operation{{Name: "A"}, {Name: "A"}}, "twice"},
	}
	for _, tt := range tests {
		prefix := ""
		if tt.name == "outside prefix" {
			prefix = "/v2/"
		}
		svc := (&service.Service{Name: "t", Protocol: service.RESTJSON, PathPrefix: prefix, Operations: tt.ops}).Index()
		if err := svc.Err(); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: Err() = %v; want an error about %q", tt.name, err, tt.err)
		}
	}
	if err := (&service.Service{Name: "t"}).Err(); err == nil {
		t.Errorf("Err() of an unindexed service = nil; want an error")
	}
}

// botocoreModel is the part of a botocore service-2.json the route table needs.
type botocoreModel struct {
	Operations map[string]struct {
		HTTP struct {
			Method     string `json:"method"`
			RequestURI string `json:"requestUri"`
		} `json:"http"`
		Input      struct{ Shape string } `json:"input"`
		Deprecated bool                   `json:"deprecated"`
	} `json:"operations"`
	Shapes map[string]struct {
		Required []string `json:"required"`
		Members  map[string]struct {
			Location     string `json:"location"`
			LocationName string `json:"locationName"`
		} `json:"members"`
	} `json:"shapes"`
}

// botocoreRoutes builds a REST service's route table from its botocore model: the method and
// requestUri, plus the required query and header members as predicates (UploadPart's partNumber
// and uploadId, CopyObject's x-amz-copy-source). Deprecated aliases (GetBucketLifecycle) and
// ListDirectoryBuckets (ListBuckets's request, sent to S3 Express's control endpoint) address
// the same requests as current operations and are left out.
func botocoreRoutes(t testing.TB, path string) []service.Operation {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var m botocoreModel
	if err := json.NewDecoder(zr).Decode(&m); err != nil {
		t.Fatal(err)
	}
	var ops []service.Operation
	for name, o := range m.Operations {
		if o.Deprecated || name == "ListDirectoryBuckets" {
			continue
		}
		rt := service.Route{Method: o.HTTP.Method, Path: o.HTTP.RequestURI}
		shape := m.Shapes[o.Input.Shape]
		for _, req := range shape.Required {
			switch mem := shape.Members[req]; mem.Location {
			case "querystring":
				rt.Query = append(rt.Query, mem.LocationName)
			case "header":
				rt.Headers = append(rt.Headers, mem.LocationName)
			}
		}
		ops = append(ops, service.Operation{Name: name, Route: rt})
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].Name < ops[j].Name })
	return ops
}

const s3Model = "../compat/testdata/botocore/s3/2006-03-01/service-2.json.gz"

func s3Table(t testing.TB) *service.Service {
	svc := (&service.Service{Name: "s3", SigningName: "s3", Protocol: service.RESTXML, Operations: botocoreRoutes(t, s3Model)}).Index()
	if err := svc.Err(); err != nil {
		t.Fatal(err)
	}
	return svc
}

// TestEveryOperationRoutesToItself sends a request made from each route of S3's, Lambda's and
// API Gateway's tables (botocore's models) and expects that route's operation back.
func TestEveryOperationRoutesToItself(t *testing.T) {
	models := map[string]string{
		"s3":           s3Model,
		"lambda":       "../compat/testdata/botocore/lambda/2015-03-31/service-2.json.gz",
		"apigateway":   "../compat/testdata/botocore/apigateway/2015-07-09/service-2.json.gz",
		"apigatewayv2": "../compat/testdata/botocore/apigatewayv2/2018-11-29/service-2.json.gz",
	}
	for name, path := range models {
		svc := (&service.Service{Name: name, SigningName: name, Protocol: service.RESTJSON, Operations: botocoreRoutes(t, path)}).Index()
		if err := svc.Err(); err != nil {
			t.Fatal(err)
		}
		for i := range svc.Operations {
			op := &svc.Operations[i]
			r := service.SampleRequest(svc, op)
			got, _ := svc.MatchRoute(r)
			if got != op {
				gotName := "nothing"
				if got != nil {
					gotName = got.Name
				}
				t.Errorf("%s: %s %s routes to %s; want %s", name, r.Method, r.URL, gotName, op.Name)
			}
		}
		if name == "s3" && len(svc.Operations) < 100 {
			t.Errorf("S3's table has %d routes; want the full table (about 100)", len(svc.Operations))
		}
	}
}

// TestRouteMatchingAllocations holds S3's full table to no allocation but the labels' map; the time a
// match takes is BenchmarkMatchRouteS3's to print (speed is never asserted in a unit test).
func TestRouteMatchingAllocations(t *testing.T) {
	svc := s3Table(t)
	reqs := s3Requests()
	for _, r := range reqs {
		r := r
		allocs := testing.AllocsPerRun(100, func() { svc.MatchRoute(r) })
		if allocs > 2 { // a small map is its header and one group
			t.Errorf("MatchRoute(%s %s) allocates %.0f times; want only the labels' map", r.Method, r.URL, allocs)
		}
	}
}

func s3Requests() []*http.Request {
	mk := func(method, target, header string) *http.Request {
		r := httptest.NewRequest(method, target, nil)
		if header != "" {
			r.Header.Set(header, "/src/key")
		}
		return r
	}
	return []*http.Request{
		mk("GET", "/bucket/some/deep/key.txt", ""),
		mk("PUT", "/bucket/some/key?x-id=PutObject", ""),
		mk("PUT", "/bucket/key?partNumber=3&uploadId=abc&x-id=UploadPartCopy", "x-amz-copy-source"),
		mk("GET", "/bucket?list-type=2&prefix=a%2F&delimiter=%2F", ""),
		mk("GET", "/bucket/key?tagging", ""),
		mk("PUT", "/bucket?versioning", ""),
		mk("GET", "/", ""),
	}
}

func BenchmarkMatchRouteS3(b *testing.B) {
	svc := s3Table(b)
	reqs := s3Requests()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		svc.MatchRoute(reqs[i%len(reqs)])
	}
}
