package domain

import (
	"strings"
	"testing"
)

func TestInvokeHost(t *testing.T) {
	for _, tc := range []struct {
		host, id string
		ok       bool
	}{
		{"a1b2c3.execute-api.localhost", "a1b2c3", true},
		{"A1B2C3.Execute-Api.us-east-1.amazonaws.com", "a1b2c3", true},
		{"a1b2c3-vpce-0a1b2c3d4e5f60718.execute-api.us-east-1.amazonaws.com", "a1b2c3", true},
		{"a1b2c3-vpce-.execute-api.localhost", "", false},
		{"a1b2c3.execute-api.", "", false},
		{"a_b.execute-api.localhost", "", false},
		{"execute-api.localhost", "", false},
		{"shop.example.com", "", false},
		{"a.b.execute-api.localhost", "", false},
	} {
		if id, ok := InvokeHost(tc.host); id != tc.id || ok != tc.ok {
			t.Errorf("InvokeHost(%q) = %q, %v; want %q, %v", tc.host, id, ok, tc.id, tc.ok)
		}
	}
}

func FuzzInvokeHost(f *testing.F) {
	for _, s := range []string{"a1.execute-api.localhost", "a-vpce-1.execute-api.x", "x.y", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		id, ok := InvokeHost(host)
		if ok != (id != "") || ok && !strings.HasPrefix(strings.ToLower(host), id) {
			t.Fatalf("InvokeHost(%q) = %q, %v", host, id, ok)
		}
	})
}

func TestMatch(t *testing.T) {
	ms := map[string]*Mapping{
		"a": {APIMappingID: "a", APIMappingKey: ""},
		"b": {APIMappingID: "b", APIMappingKey: "orders"},
		"c": {APIMappingID: "c", APIMappingKey: "orders/v2"},
	}
	for _, tc := range []struct{ path, id, rest string }{
		{"/orders/v2/x", "c", "/x"},
		{"/orders/v2", "c", "/"},
		{"/orders/v2x", "b", "/v2x"},
		{"/orders", "b", "/"},
		{"/ordersx", "a", "/ordersx"},
		{"/", "a", "/"},
	} {
		if m, rest := Match(ms, tc.path); m == nil || m.APIMappingID != tc.id || rest != tc.rest {
			t.Errorf("Match(%q) = %v, %q; want %s, %q", tc.path, m, rest, tc.id, tc.rest)
		}
	}
	delete(ms, "a")
	if m, _ := Match(ms, "/other"); m != nil {
		t.Errorf("Match(/other) without a root mapping = %v; want none", m)
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("orders/v2", "/orders/v2/x")
	f.Fuzz(func(t *testing.T, key, path string) {
		if !strings.HasPrefix(path, "/") {
			return // a request's path
		}
		m, rest := Match(map[string]*Mapping{"k": {APIMappingKey: key}}, path)
		if m != nil && !strings.HasPrefix(rest, "/") {
			t.Fatalf("Match(%q, %q) left %q", key, path, rest)
		}
	})
}
