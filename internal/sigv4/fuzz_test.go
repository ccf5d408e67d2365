package sigv4

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzVerify feeds arbitrary Authorization headers and query strings to the verifier: it must
// answer an error or success, never panic.
func FuzzVerify(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIAGUREUMTEST000001/20261122/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=00", "", "20261122T120000Z")
	f.Add("", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAGUREUMTEST000001%2F20261122%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261122T120000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00", "")
	f.Add("AWS4-HMAC-SHA256 Credential=/, SignedHeaders=, Signature=", "a=%zz&&=", "x")
	v := testVerifier()
	f.Fuzz(func(t *testing.T, auth, query, date string) {
		r, err := http.NewRequest("GET", "http://localhost/bucket/key", nil)
		if err != nil {
			return
		}
		r.URL.RawQuery = query
		r.Header.Set("Authorization", auth)
		r.Header.Set("X-Amz-Date", date)
		r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
		for _, s3 := range []bool{false, true} {
			if res, err := v.Verify(context.Background(), r, Options{S3: s3, Payload: s3Payload}); err == nil && res == nil {
				t.Fatal("nil result without error")
			}
		}
	})
}

// FuzzChunkedBody decodes arbitrary aws-chunked bodies in every streaming mode: the decoder must end
// in io.EOF or an error, never panic, loop or deliver more than the declared length.
func FuzzChunkedBody(f *testing.F) {
	f.Add([]byte("4\r\nabcd\r\n0\r\nx-amz-checksum-crc32:7YLNRQ==\r\n\r\n"), int64(4))
	f.Add([]byte("4;chunk-signature=0000000000000000000000000000000000000000000000000000000000000000\r\nabcd\r\n0;chunk-signature=00\r\n\r\n"), int64(4))
	f.Add([]byte("ffffffffffffffff\r\n"), int64(-1))
	f.Fuzz(func(t *testing.T, body []byte, declared int64) {
		for _, mode := range []string{streamSigned, streamSignedT, streamUnsignT} {
			b := &Body{src: io.NopCloser(bytes.NewReader(body)), mode: mode, declared: declared,
				chain: chain{key: make([]byte, 32), prev: "seed"}}
			b.br = newBufReader(b.src)
			if mode != streamSigned {
				r := &http.Request{Header: http.Header{"X-Amz-Trailer": {"x-amz-checksum-crc32"}}}
				b.mode = mode
				if err := b.setTrailers(r); err != nil {
					t.Fatal(err)
				}
			}
			out, err := io.ReadAll(io.LimitReader(b, int64(len(body))+1))
			if err == nil && declared >= 0 && int64(len(out)) != declared {
				t.Fatalf("%s: clean EOF after %d bytes; declared %d", mode, len(out), declared)
			}
			if int64(len(out)) > int64(len(body)) {
				t.Fatalf("%s: decoded more bytes than were sent", mode)
			}
		}
	})
}

// FuzzParseAmzDate checks the hand-written X-Amz-Date parser against time.Parse with the layout.
func FuzzParseAmzDate(f *testing.F) {
	for _, s := range []string{"20261122T120000Z", "20240229T235959Z", "20230229T000000Z", "20261131T000000Z",
		"20261122T240000Z", "20261122T126000Z", "20261122T120060Z", "2026112xT120000Z", "+0261122T120000Z", "20261122 120000Z", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseAmzDate(s)
		want, err := time.Parse(timeFormat, s)
		if ok != (err == nil) || ok && !got.Equal(want) {
			t.Fatalf("parseAmzDate(%q) = %v, %v; time.Parse gives %v, %v", s, got, ok, want, err)
		}
	})
}

// FuzzCollapse checks appendCollapsed, with its shortcut for plain values, against the rule it
// implements: trim, then collapse inner runs of whitespace to one space.
func FuzzCollapse(f *testing.F) {
	for _, s := range []string{"attempt=1; max=1", " a  b ", "a\tb", "a\u00a0b", "a \u00a0b", "", " ", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		want := strings.TrimSpace(v)
		if strings.ContainsAny(want, " \t\n\r") {
			want = strings.Join(strings.Fields(want), " ")
		}
		if got := string(appendCollapsed([]byte("k:"), v)); got != "k:"+want {
			t.Fatalf("appendCollapsed(%q) = %q, want %q", v, got, "k:"+want)
		}
	})
}

// FuzzAuthFields holds the Authorization header's one parse to the rule as a map of components:
// each of Credential, SignedHeaders and Signature exactly once and not empty, or an error.
func FuzzAuthFields(f *testing.F) {
	f.Add("Credential=a/b/c/d/aws4_request, SignedHeaders=host, Signature=00")
	f.Add("Credential=a, SignedHeaders=host, Signature=00, Signature=11")
	f.Add("Signature=, Signature=11, Credential=a, SignedHeaders=host")
	f.Add("Credential=a,SignedHeaders=host,Signature=00,Extra=1")
	f.Add(strings.Repeat("Credential=a, ", 100))
	f.Fuzz(func(t *testing.T, rest string) {
		got, err := parseAuthFields(rest)
		want := map[string][]string{}
		wellFormed := true
		for _, field := range strings.Split(rest, ",") {
			k, v, ok := strings.Cut(strings.TrimSpace(field), "=")
			wellFormed = wellFormed && ok
			want[k] = append(want[k], v)
		}
		ok := wellFormed
		for _, k := range []string{"Credential", "SignedHeaders", "Signature"} {
			ok = ok && len(want[k]) == 1 && want[k][0] != ""
		}
		if ok != (err == nil) {
			t.Fatalf("parseAuthFields(%q) = %+v, %v; want ok=%v", rest, got, err, ok)
		}
		if ok && (got.credential != want["Credential"][0] || got.signedHeaders != want["SignedHeaders"][0] || got.signature != want["Signature"][0]) {
			t.Fatalf("parseAuthFields(%q) = %+v", rest, got)
		}
	})
}
