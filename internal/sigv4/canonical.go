// Package sigv4 verifies AWS Signature Version 4 on incoming requests: the Authorization header form,
// the presigned query form, and the streamed aws-chunked bodies S3 clients send, with their chunk and
// trailer signatures and x-amz-checksum-* trailers. It is written by hand because no server-side
// SigV4 library exists; it follows the IAM guide "Create a signed AWS API request" and the S3 pages
// sigv4-auth-using-authorization-header, sigv4-query-string-auth, sigv4-streaming and
// sigv4-streaming-trailers, and is tested against AWS's published test vectors.
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

const (
	algorithm     = "AWS4-HMAC-SHA256"
	timeFormat    = "20060102T150405Z"
	terminator    = "aws4_request"
	emptySHA256   = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	unsignedBody  = "UNSIGNED-PAYLOAD"
	streamSigned  = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	streamSignedT = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	streamUnsignT = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	streamECDSA   = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"
)

// uriEncode encodes s as SigV4's UriEncode does: every byte but A-Z a-z 0-9 - _ . ~ becomes %XX
// (upper-case hex); '/' is kept when keepSlash is set.
func uriEncode(s string, keepSlash bool) string {
	const hexdigits = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) && !(keepSlash && s[i] == '/') {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || (keepSlash && c == '/') {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexdigits[c>>4])
		b.WriteByte(hexdigits[c&15])
	}
	return b.String()
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// wirePath is the request path exactly as the client sent it (still percent-encoded).
func wirePath(r *http.Request) string {
	p := r.RequestURI
	if p == "" || p == "*" {
		return r.URL.EscapedPath()
	}
	if i := strings.Index(p, "://"); i >= 0 { // absolute-form request target
		rest := p[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			p = rest[j:]
		} else {
			p = "/"
		}
	}
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if p == "" {
		p = "/"
	}
	return p
}

// canonicalURI builds the CanonicalURI from the wire path. S3 encodes each decoded segment once and
// never normalises (a key like a//b/../c must survive); every other service removes dot segments
// and empty segments and encodes the already-encoded path again.
func canonicalURI(path string, s3 bool) string {
	if s3 {
		segs := strings.Split(path, "/")
		for i, s := range segs {
			if dec, err := url.PathUnescape(s); err == nil {
				s = dec
			}
			segs[i] = uriEncode(s, false)
		}
		return strings.Join(segs, "/")
	}
	return uriEncode(normalizePath(path), true)
}

// normalizePath removes "." and ".." segments and empty segments, keeping a trailing slash.
func normalizePath(p string) string {
	if p == "" || p == "/" {
		return "/"
	}
	trailing := strings.HasSuffix(p, "/")
	var out []string
	for _, seg := range strings.Split(p, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	s := "/" + strings.Join(out, "/")
	if trailing && s != "/" {
		s += "/"
	}
	return s
}

// canonicalQuery re-encodes the raw query with UriEncode (space as %20, never '+'), sorts by name
// then value and keeps '=' on empty values. skip names parameters to leave out (X-Amz-Signature).
func canonicalQuery(raw string, skip ...string) string {
	if raw == "" {
		return ""
	}
	type kv struct{ k, v string }
	var pairs []kv
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, v = queryUnescape(k), queryUnescape(v)
		if contains(skip, k) {
			continue
		}
		pairs = append(pairs, kv{uriEncode(k, false), uriEncode(v, false)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

func queryUnescape(s string) string {
	if dec, err := url.PathUnescape(s); err == nil {
		return dec
	}
	return s
}

// appendHeaderValue appends the canonical value of one signed header: the values trimmed, inner
// runs of whitespace collapsed to one space, repeated headers joined with ','.
func appendHeaderValue(b []byte, r *http.Request, name string) ([]byte, bool) {
	switch name {
	case "host":
		return append(b, r.Host...), r.Host != ""
	case "content-length":
		if v := r.Header.Get("Content-Length"); v != "" {
			return append(b, v...), true
		}
		if r.ContentLength >= 0 {
			return strconv.AppendInt(b, r.ContentLength, 10), true
		}
		return b, false
	}
	vals, ok := lookupHeader(r.Header, name)
	if !ok {
		vals, ok = r.Header[name] // a header set with a non-canonical key
	}
	if !ok {
		return b, false
	}
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCollapsed(b, v)
	}
	return b, true
}

// lookupHeader finds a header by its lower-case signed name, as r.Header[http.CanonicalHeaderKey(name)]
// would, without allocating the canonical key: it is built in a stack buffer and the map lookup on
// string(buffer) does not copy it.
func lookupHeader(h http.Header, name string) ([]string, bool) {
	var buf [64]byte
	if len(name) > len(buf) {
		vals, ok := h[http.CanonicalHeaderKey(name)]
		return vals, ok
	}
	key := buf[:len(name)]
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !tokenByte(c) { // net/http keeps such a name as it came
			vals, ok := h[http.CanonicalHeaderKey(name)]
			return vals, ok
		}
		if upper && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		} else if !upper && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		key[i] = c
		upper = c == '-'
	}
	vals, ok := h[string(key)]
	return vals, ok
}

// tokenByte reports whether c may appear in a header name (RFC 9110 tchar).
func tokenByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// appendCollapsed appends v trimmed, with inner runs of whitespace collapsed to one space. The
// common value (printable ASCII, single inner spaces) is appended as it is.
func appendCollapsed(b []byte, v string) []byte {
	if plainValue(v) {
		return append(b, v...)
	}
	v = strings.TrimSpace(v)
	if !strings.ContainsAny(v, " \t\n\r") {
		return append(b, v...)
	}
	for i, f := range strings.Fields(v) {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, f...)
	}
	return b
}

// plainValue reports whether v is printable ASCII without leading, trailing or repeated spaces,
// which collapsing leaves unchanged.
func plainValue(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == ' ':
			if i == 0 || i == len(v)-1 || v[i-1] == ' ' {
				return false
			}
		case c < 0x21 || c > 0x7e:
			return false
		}
	}
	return true
}

// appendCanonicalRequest appends the canonical request to b; signed is the client's SignedHeaders
// list.
func appendCanonicalRequest(b []byte, r *http.Request, path, query string, signed []string, payloadHash string) ([]byte, bool) {
	b = append(b, r.Method...)
	b = append(b, '\n')
	b = append(b, path...)
	b = append(b, '\n')
	b = append(b, query...)
	b = append(b, '\n')
	for _, h := range signed {
		b = append(b, h...)
		b = append(b, ':')
		var ok bool
		if b, ok = appendHeaderValue(b, r, h); !ok {
			return b, false
		}
		b = append(b, '\n')
	}
	b = append(b, '\n')
	for i, h := range signed {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, h...)
	}
	b = append(b, '\n')
	return append(b, payloadHash...), true
}

// appendStringToSign appends the string to sign for a canonical request's hash.
func appendStringToSign(b []byte, amzDate, scope string, canonicalHash [sha256.Size]byte) []byte {
	b = append(b, algorithm+"\n"...)
	b = append(b, amzDate...)
	b = append(b, '\n')
	b = append(b, scope...)
	b = append(b, '\n')
	return hex.AppendEncode(b, canonicalHash[:])
}

func hashHex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// deriveSigningKey derives the SigV4 signing key for one day, region and service.
func deriveSigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, terminator)
}

func sign(key []byte, sts string) string { return hex.EncodeToString(hmacSHA256(key, sts)) }
