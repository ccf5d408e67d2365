package s3

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/store"
)

// corsHeaders are the CORS response headers for a request with an Origin, under the bucket's
// CORS configuration: the first rule that allows the origin and method answers, as on S3.
func corsHeaders(b store.Bucket, req http.Header, method string, into http.Header) {
	origin := req.Get("Origin")
	doc := b.Configs["cors"]
	if origin == "" || doc == "" {
		return
	}
	var c corsConfiguration
	if xml.Unmarshal([]byte(doc), &c) != nil {
		return
	}
	for _, r := range c.Rules {
		if !r.allows(origin, method) {
			continue
		}
		allowed := origin
		if len(r.AllowedOrigins) == 1 && r.AllowedOrigins[0] == "*" {
			allowed = "*"
		} else {
			into.Set("Access-Control-Allow-Credentials", "true")
		}
		into.Set("Access-Control-Allow-Origin", allowed)
		into.Set("Access-Control-Allow-Methods", strings.Join(r.AllowedMethods, ", "))
		if len(r.ExposeHeaders) > 0 {
			into.Set("Access-Control-Expose-Headers", strings.Join(r.ExposeHeaders, ", "))
		}
		if r.MaxAgeSeconds != nil {
			into.Set("Access-Control-Max-Age", strconv.Itoa(*r.MaxAgeSeconds))
		}
		into.Add("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
		return
	}
}

func (r corsRule) allows(origin, method string) bool {
	okMethod := false
	for _, m := range r.AllowedMethods {
		okMethod = okMethod || m == method
	}
	if !okMethod {
		return false
	}
	for _, o := range r.AllowedOrigins {
		if wildcardMatch(o, origin) {
			return true
		}
	}
	return false
}

// wildcardMatch matches a pattern with at most one '*' (S3's CORS origins).
func wildcardMatch(pattern, s string) bool {
	before, after, wild := strings.Cut(pattern, "*")
	if !wild {
		return pattern == s
	}
	return len(s) >= len(before)+len(after) && strings.HasPrefix(s, before) && strings.HasSuffix(s, after)
}
