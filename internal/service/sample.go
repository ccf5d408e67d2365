package service

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// SampleRequest builds a request that addresses op of svc the way an SDK would, without a body
// that means anything: REST routes with every label filled in and every predicate present, JSON
// calls with their X-Amz-Target, query calls with their Action. It carries an Authorization
// header whose credential scope names the service's signing name (the signature is not valid).
// The router uses it at start-up to prove that no two services claim one operation, and tests use
// it to prove that every operation routes to itself.
func SampleRequest(svc *Service, op *Operation) *http.Request {
	r := &http.Request{Method: http.MethodPost, Header: http.Header{}, Host: "localhost", Body: http.NoBody}
	u := &url.URL{Path: "/"}
	switch {
	case svc.Protocol == RESTXML || svc.Protocol == RESTJSON:
		r.Method = op.Route.Method
		path, rawQuery, _ := strings.Cut(op.Route.Path, "?")
		preds := slices.Clone(op.Route.Query)
		if rawQuery != "" {
			preds = append(preds, strings.Split(rawQuery, "&")...)
		}
		u.Path = samplePath(path)
		var q []string
		for _, p := range preds {
			if k, _, _ := strings.Cut(p, "="); k != "" && k != "x-id" {
				q = append(q, p)
			}
		}
		u.RawQuery = strings.Join(dedupe(q), "&")
		for _, h := range op.Route.Headers {
			r.Header.Set(h, "sample")
		}
	case svc.Protocol == Query:
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		body := "Action=" + url.QueryEscape(op.Name) + "&Version=" + url.QueryEscape(svc.APIVersion)
		r.Body = readCloser{strings.NewReader(body)}
		r.ContentLength = int64(len(body))
	default:
		v := "1.0"
		if svc.Protocol == JSON11 {
			v = "1.1"
		}
		r.Header.Set("Content-Type", "application/x-amz-json-"+v)
		r.Header.Set("X-Amz-Target", svc.TargetPrefix+"."+op.Name)
	}
	r.URL = u
	r.RequestURI = u.RequestURI()
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDSAMPLE/20260101/us-east-1/"+svc.SigningName+
		"/aws4_request, SignedHeaders=host, Signature=00")
	return r
}

// samplePath fills each {Label} with "~Label" and a {Label+} with "~Label/~of/~segments": no
// literal segment of an AWS route starts with "~", so a filled label never reads as one.
func samplePath(pattern string) string {
	segs := strings.Split(pattern, "/")
	for i, s := range segs {
		switch {
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "+}"):
			segs[i] = "~" + s[1:len(s)-2] + "/~of/~segments"
		case strings.HasPrefix(s, "{"):
			segs[i] = "~" + strings.Trim(s, "{}")
		}
	}
	return strings.Join(segs, "/")
}

func dedupe(q []string) []string {
	var out []string
	for _, p := range q {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }
