package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/awserr"
)

// staticKeys is a fixed key table for tests.
type staticKeys map[string]*Credential

func (k staticKeys) Credential(_ context.Context, id string) (*Credential, error) {
	if c, ok := k[id]; ok {
		return c, nil
	}
	return nil, awserr.New(awserr.UnknownAccessKey, "The AWS Access Key Id you provided does not exist in our records.")
}

type vectorContext struct {
	Credentials struct {
		AccessKeyID     string `json:"access_key_id"`
		SecretAccessKey string `json:"secret_access_key"`
		Token           string `json:"token"`
	} `json:"credentials"`
	Normalize bool      `json:"normalize"`
	Region    string    `json:"region"`
	Service   string    `json:"service"`
	Timestamp time.Time `json:"timestamp"`
	// OmitSessionToken marks cases whose token was added after signing.
	OmitSessionToken bool `json:"omit_session_token"`
}

// parseVectorRequest reads a request in the suite's loose HTTP format (paths may hold raw spaces and
// header values may continue on indented lines).
func parseVectorRequest(t *testing.T, path string) (*http.Request, []byte) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	head, body, _ := strings.Cut(string(raw), "\n\n")
	lines := strings.Split(head, "\n")
	first := lines[0]
	method, rest, _ := strings.Cut(first, " ")
	target := rest[:strings.LastIndex(rest, " ")]
	r := &http.Request{Method: method, RequestURI: target, Header: http.Header{}, URL: &url.URL{}}
	p, q, _ := strings.Cut(target, "?")
	r.URL.Path, r.URL.RawQuery = p, q
	var last string
	for _, l := range lines[1:] {
		if l == "" {
			continue
		}
		if l[0] == ' ' || l[0] == '\t' {
			vals := r.Header[last]
			vals[len(vals)-1] += " " + strings.TrimSpace(l)
			continue
		}
		k, v, _ := strings.Cut(l, ":")
		last = http.CanonicalHeaderKey(k)
		if last == "Host" {
			r.Host = v
			continue
		}
		r.Header[last] = append(r.Header[last], v)
	}
	r.Body = io.NopCloser(strings.NewReader(body))
	r.ContentLength = int64(len(body))
	return r, []byte(body)
}

func readVector(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimRight(string(b), "\n")
}

func TestAWSVectors(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/sigv4-test-suite/*/context.json")
	if len(dirs) < 30 {
		t.Fatalf("found %d vectors; want the whole suite", len(dirs))
	}
	for _, ctxFile := range dirs {
		dir := filepath.Dir(ctxFile)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var vc vectorContext
			if err := json.Unmarshal([]byte(readVector(t, dir, "context.json")), &vc); err != nil {
				t.Fatal(err)
			}
			for _, form := range []string{"header", "query"} {
				checkVectorPieces(t, dir, form, vc)
				if vc.Normalize {
					verifyVector(t, dir, form, vc)
				}
			}
		})
	}
}

// checkVectorPieces rebuilds the canonical request, string to sign and signature from the signed
// request and compares each with the suite's expected text.
func checkVectorPieces(t *testing.T, dir, form string, vc vectorContext) {
	r, body := parseVectorRequest(t, filepath.Join(dir, form+"-signed-request.txt"))
	var s *signed
	var err error
	if form == "header" {
		s, err = parseHeader(r, r.Header.Get("Authorization"))
	} else {
		s, err = parsePresigned(r.URL.Query(), Options{})
	}
	if err != nil {
		t.Fatalf("%s: parse: %v", form, err)
	}
	payload := hashHex(body)
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" {
		payload = h
	}
	var skip []string
	if form == "query" {
		skip = append(skip, "X-Amz-Signature")
		if vc.OmitSessionToken {
			skip = append(skip, "X-Amz-Security-Token")
		}
	}
	canonical, ok := canonicalRequest(r, canonicalURI(wirePath(r), !vc.Normalize), canonicalQuery(r.URL.RawQuery, skip...), s.headers, payload)
	if !ok {
		t.Fatalf("%s: canonicalRequest: a signed header is missing", form)
	}
	if want := readVector(t, dir, form+"-canonical-request.txt"); canonical != want {
		t.Errorf("%s canonical request =\n%s\nwant\n%s", form, canonical, want)
	}
	sts := stringToSign(s.amzDate, s.scope.String(), canonical)
	if want := readVector(t, dir, form+"-string-to-sign.txt"); sts != want {
		t.Errorf("%s string to sign =\n%s\nwant\n%s", form, sts, want)
	}
	key := deriveSigningKey(vc.Credentials.SecretAccessKey, s.scope.Date, s.scope.Region, s.scope.Service)
	if got, want := sign(key, sts), readVector(t, dir, form+"-signature.txt"); got != want {
		t.Errorf("%s signature = %s; want %s", form, got, want)
	}
}

// verifyVector runs the whole verifier over the signed request.
func verifyVector(t *testing.T, dir, form string, vc vectorContext) {
	r, body := parseVectorRequest(t, filepath.Join(dir, form+"-signed-request.txt"))
	v := &Verifier{
		Keys: staticKeys{vc.Credentials.AccessKeyID: {
			AccessKeyID: vc.Credentials.AccessKeyID, SecretAccessKey: vc.Credentials.SecretAccessKey,
			SessionToken: vc.Credentials.Token,
		}},
		Region: vc.Region,
		Now:    func() time.Time { return vc.Timestamp.Add(time.Minute) },
	}
	if _, err := v.Verify(context.Background(), r, Options{Service: vc.Service, Body: body}); err != nil {
		t.Errorf("%s: Verify() = %v; want success", form, err)
	}
}

// canonicalRequest and stringToSign give the verifier's intermediate texts as strings, to compare
// with the suite's files; the verifier itself appends them to one buffer.
func canonicalRequest(r *http.Request, path, query string, signed []string, payloadHash string) (string, bool) {
	b, ok := appendCanonicalRequest(nil, r, path, query, signed, payloadHash)
	return string(b), ok
}

func stringToSign(amzDate, scope, canonical string) string {
	return string(appendStringToSign(nil, amzDate, scope, sha256.Sum256([]byte(canonical))))
}
