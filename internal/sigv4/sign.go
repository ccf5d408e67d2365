package sigv4

import (
	"crypto/sha256"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Sign signs r for service in region with a header signature over body, as an SDK would: for
// gureum's own command line, which calls the server without carrying an SDK. It sets
// X-Amz-Date, X-Amz-Content-Sha256, X-Amz-Security-Token (with a token) and Authorization, and
// signs those with Content-Type and every X-Amz-* header already set. Verify is its reader
// (TestSignVerifies).
func Sign(r *http.Request, body []byte, keyID, secret, token, region, service string, now time.Time) {
	amzDate := now.UTC().Format("20060102T150405Z")
	payload := hashHex(body)
	r.Header.Set("X-Amz-Date", amzDate)
	r.Header.Set("X-Amz-Content-Sha256", payload)
	if token != "" {
		r.Header.Set("X-Amz-Security-Token", token)
	}
	if r.Host == "" {
		r.Host = r.URL.Host
	}
	signed := []string{"host"}
	for name := range r.Header {
		if l := strings.ToLower(name); l == "content-type" || strings.HasPrefix(l, "x-amz-") {
			signed = append(signed, l)
		}
	}
	sort.Strings(signed)
	scope := amzDate[:8] + "/" + region + "/" + service + "/" + terminator
	canonical, _ := appendCanonicalRequest(nil, r, canonicalURI(wirePath(r), false), canonicalQuery(r.URL.RawQuery), signed, payload)
	sts := appendStringToSign(nil, amzDate, scope, sha256.Sum256(canonical))
	sig := sign(deriveSigningKey(secret, amzDate[:8], region, service), string(sts))
	r.Header.Set("Authorization", algorithm+" Credential="+keyID+"/"+scope+", SignedHeaders="+strings.Join(signed, ";")+", Signature="+sig)
}
