package apigateway

import (
	"net/http"
	"strings"

	"github.com/gureum/gureum/internal/apigateway/domain"
	"github.com/gureum/gureum/internal/router"
)

// PrivateAddressing is the private listener's handler in front of next: as a VPC endpoint's own
// DNS name does, it reads the API a request addresses from the x-apigw-api-id header
// (https://vpce-….vpce.amazonaws.com/<stage>/<path>) and readdresses the request to the API's
// invoke path, which both generations serve. A request with the API's id in its Host
// (<api-id>-<vpce-id>.execute-api.…) or a path under /_gureum/ goes on as it came.
func PrivateAddressing(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := strings.ToLower(r.Header.Get(domain.PrivateAPIHeader))
		if id == "" || strings.HasPrefix(r.URL.Path, router.DataPlanePrefix) || !validAPIID(id) {
			next.ServeHTTP(w, r)
			return
		}
		r2 := r.Clone(r.Context())
		u := *r.URL
		u.Path = invokePrefix + id + r.URL.Path
		if r.URL.RawPath != "" {
			u.RawPath = invokePrefix + id + r.URL.RawPath
		}
		r2.URL, r2.RequestURI = &u, u.RequestURI()
		next.ServeHTTP(w, r2)
	})
}

// validAPIID reports whether s could be an API id (lowercase letters and digits).
func validAPIID(s string) bool {
	_, ok := domain.InvokeHost(s + ".execute-api.x")
	return ok && !strings.Contains(s, "-")
}
