package apigatewayv2

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseRouteKey(t *testing.T) {
	for _, tc := range []struct {
		key string
		ok  bool
	}{
		{"$default", true},
		{"GET /", true},
		{"GET /pets", true},
		{"GET /pets/{id}", true},
		{"ANY /{proxy+}", true},
		{"POST /pets/{id}/toys/{toy}", true},
		{"GET /pets/{proxy+}/more", false},
		{"GET /pets/{id}/{id}", false},
		{"FETCH /pets", false},
		{"get /pets", false},
		{"GET pets", false},
		{"GET /pets//x", false},
		{"GET /pets/{}", false},
		{"GET /pets/a{id}", false},
		{"GET", false},
		{"", false},
		{"$connect", false},
	} {
		_, err := parseRouteKey(tc.key)
		if (err == nil) != tc.ok {
			t.Errorf("parseRouteKey(%q) = %v; want ok %v", tc.key, err, tc.ok)
		}
	}
}

// TestRouteSelection holds matching to AWS's precedence: a literal segment before a variable,
// a variable before a greedy one, a method of its own before ANY, $default last.
func TestRouteSelection(t *testing.T) {
	keys := []string{"GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}", "ANY /pets/{id}",
		"GET /pets/{id}", "GET /", "$default", "POST /orders/{id}/items"}
	routes := map[string]*Route{}
	for _, k := range keys {
		routes[k] = &Route{RouteID: k, RouteKey: k}
	}
	table := newRouteTable(routes)
	for _, tc := range []struct {
		method, path string
		want         string
		params       map[string]string
	}{
		{"GET", "/pets/dog/1", "GET /pets/dog/1", nil},
		{"GET", "/pets/dog/2", "GET /pets/dog/{id}", map[string]string{"id": "2"}},
		{"GET", "/pets/cat", "GET /pets/{id}", map[string]string{"id": "cat"}},
		{"POST", "/pets/cat", "ANY /pets/{id}", map[string]string{"id": "cat"}},
		{"GET", "/pets/cat/toys", "GET /pets/{proxy+}", map[string]string{"proxy": "cat/toys"}},
		{"DELETE", "/pets/cat/toys", "ANY /{proxy+}", map[string]string{"proxy": "pets/cat/toys"}},
		{"GET", "/", "GET /", nil},
		{"POST", "/", "$default", nil},
		{"POST", "/orders/7/items", "POST /orders/{id}/items", map[string]string{"id": "7"}},
		{"GET", "/a%20b/c", "ANY /{proxy+}", map[string]string{"proxy": "a b/c"}},
	} {
		r, params := table.match(tc.method, splitPath(tc.path))
		if r == nil || r.RouteKey != tc.want || !cmp.Equal(params, tc.params) {
			got := "<nil>"
			if r != nil {
				got = r.RouteKey
			}
			t.Errorf("match(%s %s) = %s %v; want %s %v", tc.method, tc.path, got, params, tc.want, tc.params)
		}
	}
	if r, _ := newRouteTable(map[string]*Route{"a": {RouteKey: "GET /x"}}).match("GET", splitPath("/y")); r != nil {
		t.Errorf("match without $default = %v; want none", r.RouteKey)
	}
}

func TestSelectionExpression(t *testing.T) {
	for _, tc := range []struct {
		expr, msg, want string
		ok              bool
	}{
		{"$request.body.action", `{"action":"send"}`, "send", true},
		{"${request.body.action}", `{"action":"send"}`, "send", true},
		{"$request.body.a.b", `{"a":{"b":"x"}}`, "x", true},
		{"$request.body.action", `{"other":1}`, "", false},
		{"$request.body.action", `not json`, "", false},
		{"$request.body.n", `{"n":3}`, "3", true},
	} {
		sel, err := parseSelection(tc.expr)
		if err != nil {
			t.Fatalf("parseSelection(%q) = %v", tc.expr, err)
		}
		got, ok := selectKey(sel, []byte(tc.msg))
		if got != tc.want || ok != tc.ok {
			t.Errorf("selectKey(%q, %s) = %q %v; want %q %v", tc.expr, tc.msg, got, ok, tc.want, tc.ok)
		}
	}
	for _, bad := range []string{"$request.header.x", "action", "$request.body.", "$request.body.a..b"} {
		if _, err := parseSelection(bad); err == nil {
			t.Errorf("parseSelection(%q) = nil; want an error", bad)
		}
	}
}

func TestFunctionReply2(t *testing.T) {
	for _, tc := range []struct {
		payload string
		status  int
		body    string
		ctype   string
		cookies int
		ok      bool
	}{
		{`{"statusCode":201,"body":"hi","headers":{"content-type":"text/plain"},"cookies":["a=1","b=2"]}`, 201, "hi", "text/plain", 2, true},
		{`{"statusCode":200,"body":"aGk=","isBase64Encoded":true}`, 200, "hi", "", 0, true},
		{`{"hello":"world"}`, 200, `{"hello":"world"}`, "application/json", 0, true},
		{`"plain"`, 200, `"plain"`, "application/json", 0, true},
		{`42`, 200, `42`, "application/json", 0, true},
		{`not json`, 0, "", "", 0, false},
		{`{"statusCode":"x"}`, 0, "", "", 0, false},
		{`{"statusCode":99}`, 0, "", "", 0, false},
	} {
		rp, ok := functionReply2([]byte(tc.payload))
		if ok != tc.ok {
			t.Errorf("functionReply2(%s) ok = %v; want %v", tc.payload, ok, tc.ok)
			continue
		}
		if !ok {
			continue
		}
		if rp.status != tc.status || string(rp.body) != tc.body || rp.header.Get("Content-Type") != tc.ctype || len(rp.header.Values("Set-Cookie")) != tc.cookies {
			t.Errorf("functionReply2(%s) = %d %q %v; want %d %q %s, %d cookies", tc.payload, rp.status, rp.body, rp.header, tc.status, tc.body, tc.ctype, tc.cookies)
		}
	}
}

func TestIdentitySource(t *testing.T) {
	for src, want := range map[string]identitySource{
		"$request.header.Authorization": {from: "header", name: "Authorization"},
		"$request.querystring.token":    {from: "querystring", name: "token"},
		"$context.requestId":            {from: "$context", name: "requestId"},
		"${stageVariables.v}":           {from: "$stageVariables", name: "v"},
	} {
		got, err := parseIdentitySource(src)
		if err != nil || got != want {
			t.Errorf("parseIdentitySource(%q) = %+v, %v; want %+v", src, got, err, want)
		}
	}
	if _, err := parseIdentitySource("$request.body.x"); err == nil {
		t.Error("parseIdentitySource($request.body.x) = nil; want an error")
	}
}

func TestPolicyAllows(t *testing.T) {
	var p iamPolicy
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:1:api/*/GET/*"},
		{"Effect":"Deny","Action":["execute-api:*"],"Resource":["arn:aws:execute-api:us-east-1:1:api/*/GET/secret"]}]}`
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		t.Fatal(err)
	}
	for arn, want := range map[string]bool{
		"arn:aws:execute-api:us-east-1:1:api/$default/GET/pets/1": true,
		"arn:aws:execute-api:us-east-1:1:api/$default/GET/secret": false,
		"arn:aws:execute-api:us-east-1:1:api/$default/POST/pets":  false,
	} {
		if got := p.allows(arn); got != want {
			t.Errorf("allows(%s) = %v; want %v", arn, got, want)
		}
	}
}

// FuzzParseRouteKey: any text parses or is refused without a panic, and a parsed key matches a
// path built from its own segments.
func FuzzParseRouteKey(f *testing.F) {
	for _, s := range []string{"$default", "GET /", "ANY /{proxy+}", "GET /pets/{id}", "POST /a/b/{c+}", "GET /{a}/{b}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		k, err := parseRouteKey(key)
		if err != nil || k.method == "" {
			return
		}
		var segs []string
		for _, s := range k.segs {
			if s.literal != "" {
				segs = append(segs, strings.ReplaceAll(s.literal, "%", "%25"))
			} else {
				segs = append(segs, "v")
			}
		}
		if _, ok := k.matches(segs); !ok {
			t.Errorf("route key %q does not match its own path %q", key, segs)
		}
	})
}

// FuzzMatch: matching any method and path against a table never panics, and a route found by
// its own key's literal path is that route or a more specific one.
func FuzzMatch(f *testing.F) {
	f.Add("GET", "/pets/1")
	f.Add("POST", "/%zz/a//b/")
	f.Fuzz(func(t *testing.T, method, path string) {
		routes := map[string]*Route{}
		for _, k := range []string{"GET /pets/{id}", "ANY /{proxy+}", "GET /", "$default", "GET /pets/dog"} {
			routes[k] = &Route{RouteKey: k}
		}
		newRouteTable(routes).match(method, splitPath(path))
	})
}

// FuzzSelection: any route selection expression and any message are handled without a panic.
func FuzzSelection(f *testing.F) {
	f.Add("$request.body.action", `{"action":"x"}`)
	f.Add("${request.body.a.b}", `{"a":{"b":1}}`)
	f.Fuzz(func(t *testing.T, expr, msg string) {
		sel, err := parseSelection(expr)
		if err != nil {
			return
		}
		selectKey(sel, []byte(msg))
	})
}

// FuzzFunctionReply: any function answer becomes a reply or a 500, without a panic.
func FuzzFunctionReply(f *testing.F) {
	f.Add([]byte(`{"statusCode":200,"body":"x","cookies":["a=b"]}`))
	f.Add([]byte(`{"statusCode":200,"body":"!!","isBase64Encoded":true}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		functionReply2(b)
		functionReply1(b)
	})
}

// FuzzIdentitySource: any identity source parses or is refused without a panic.
func FuzzIdentitySource(f *testing.F) {
	f.Add("$request.header.Authorization")
	f.Fuzz(func(t *testing.T, src string) { parseIdentitySource(src) })
}

// FuzzOpenAPI: any definition imports or is refused without a panic.
func FuzzOpenAPI(f *testing.F) {
	f.Add(`{"openapi":"3.0.1","info":{"title":"t"},"paths":{"/a/{b}":{"get":{"x-amazon-apigateway-integration":{"type":"http_proxy","httpMethod":"GET","uri":"http://x/{b}"}}}}}`)
	f.Add("openapi: 3.0.1\ninfo: {title: t}\npaths: {$default: {x-amazon-apigateway-any-method: {}}}\n")
	f.Add(`{"openapi":"3.0.1","info":{"title":"t"},"paths":{},"components":{"securitySchemes":{"L":{"type":"apiKey","x-amazon-apigateway-authorizer":` +
		`{"type":"request","identitySource":["$request.header.X-Token","$context.a"]}},"J":{"type":"oauth2","x-amazon-apigateway-authorizer":` +
		`{"type":"jwt","identitySource":"$request.header.Authorization"}}}}}`)
	f.Fuzz(func(t *testing.T, body string) {
		oas, err := parseOpenAPI(body)
		if err != nil {
			return
		}
		doc := &apiDoc{API: API{ProtocolType: protocolHTTP}, Stages: map[string]*Stage{}}
		fromOpenAPI(doc, oas, "")
	})
}
