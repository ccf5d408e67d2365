package service

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzQueryPredicate holds hasQuery, which scans the raw query, to url.ParseQuery and Get.
func FuzzQueryPredicate(f *testing.F) {
	for _, seed := range []string{"uploads", "list-type=2&prefix=a", "a=%zz&list-type=2", "x;y=1&list-type=1&list-type=2", "list%2Dtype=%32", "+=+&uploads=", "&&uploads"} {
		f.Add(seed, "list-type", "2", true)
		f.Add(seed, "uploads", "", false)
	}
	f.Fuzz(func(t *testing.T, raw, key, value string, valued bool) {
		if key == "" {
			return
		}
		q, _ := url.ParseQuery(raw)
		vals, ok := q[key]
		want := ok && (!valued || vals[0] == value)
		if got := hasQuery(raw, queryPredicate{key: key, value: value, valued: valued}); got != want {
			t.Errorf("hasQuery(%q, %q=%q valued %v) = %v; url.ParseQuery says %v", raw, key, value, valued, got, want)
		}
	})
}

// FuzzMatchRoute matches arbitrary requests against a table with every kind of segment and
// checks that a match's labels, put back into its pattern, give the request's path.
func FuzzMatchRoute(f *testing.F) {
	svc := (&Service{Name: "t", Protocol: RESTXML, Operations: []Operation{
		{Name: "Root", Route: Route{Method: "GET", Path: "/"}},
		{Name: "Bucket", Route: Route{Method: "GET", Path: "/{Bucket}"}},
		{Name: "V2", Route: Route{Method: "GET", Path: "/{Bucket}?list-type=2"}},
		{Name: "Object", Route: Route{Method: "GET", Path: "/{Bucket}/{Key+}"}},
		{Name: "Acl", Route: Route{Method: "GET", Path: "/{Bucket}/{Key+}?acl"}},
		{Name: "Copy", Route: Route{Method: "GET", Path: "/{Bucket}/{Key+}", Headers: []string{"x-amz-copy-source"}}},
		{Name: "Fixed", Route: Route{Method: "GET", Path: "/fixed/{Id}/child"}},
		{Name: "Label", Route: Route{Method: "GET", Path: "/{A}/{B}/child"}},
	}}).Index()
	if err := svc.Err(); err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{"/", "/b", "/b/", "/b/k/x", "/fixed/1/child", "/x/1/child", "//", "/b//k", "/b/../k"} {
		f.Add(seed, "list-type=2&acl", true)
	}
	f.Fuzz(func(t *testing.T, path, rawQuery string, copySource bool) {
		if !strings.HasPrefix(path, "/") {
			return
		}
		r := &http.Request{Method: "GET", URL: &url.URL{Path: path, RawQuery: rawQuery}, Header: http.Header{}}
		if copySource {
			r.Header.Set("X-Amz-Copy-Source", "x")
		}
		op, labels := svc.MatchRoute(r)
		if op == nil {
			return
		}
		pattern, _, _ := strings.Cut(op.Route.Path, "?")
		rebuilt := pattern
		for name, v := range labels {
			rebuilt = strings.Replace(rebuilt, "{"+name+"+}", v, 1)
			rebuilt = strings.Replace(rebuilt, "{"+name+"}", v, 1)
		}
		if rebuilt != path && rebuilt+"/" != path {
			t.Errorf("MatchRoute(%q) = %s %v, which rebuilds %q", path, op.Name, labels, rebuilt)
		}
	})
}
