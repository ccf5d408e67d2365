package apigatewayv2

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/store"
)

// domainPathPrefix is the path form of custom domain names: /_gureum/execute-api-domain/<domain>/<path>
// reaches the API a mapping of <domain> names, as a request to https://<domain>/<path> would.
// (Serving the domain's own Host needs the router to hand over hosts that match no pattern.)
const domainPathPrefix = "/_gureum/execute-api-domain/"

// serveDomain answers a request to a custom domain name: the mapping with the longest key that
// is a whole-segment prefix of the path picks the API and stage, and the key is cut from the path.
func (s *Service) serveDomain(w http.ResponseWriter, r *http.Request) {
	requestID := request.From(r.Context()).ID
	if requestID == "" {
		requestID = request.NewID()
	}
	w.Header().Set("Apigw-Requestid", requestID)
	domain, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.EscapedPath(), domainPathPrefix), "/")
	obj, err := s.store.APIObject(r.Context(), kindDomain, "", "", strings.ToLower(domain))
	if errors.Is(err, store.ErrNotFound) {
		writeGatewayError(w, errForbidden)
		return
	}
	var d domainDoc
	if err != nil || json.Unmarshal(obj.Doc, &d) != nil {
		writeGatewayError(w, errInternal)
		return
	}
	m, path := mappingFor(d.Mappings, "/"+rest)
	if m == nil {
		writeGatewayError(w, errForbidden)
		return
	}
	api, err := s.apis.get(r.Context(), s, m.APIID)
	if err != nil {
		writeGatewayError(w, errInternal)
		return
	}
	if api == nil || api.doc.API.ProtocolType != protocolHTTP {
		writeGatewayError(w, errForbidden)
		return
	}
	s.serveHTTP(w, r, api, m.Stage, path, false, requestID)
}

// mappingFor picks the mapping of a path: the longest key that is the path's first segments
// ("" maps the whole domain), and the path left after it.
func mappingFor(mappings map[string]*APIMapping, path string) (*APIMapping, string) {
	var best *APIMapping
	rest := path
	for _, m := range mappings {
		if best != nil && len(m.APIMappingKey) <= len(best.APIMappingKey) {
			continue
		}
		if m.APIMappingKey == "" {
			best, rest = m, path
			continue
		}
		key := "/" + m.APIMappingKey
		if path == key || strings.HasPrefix(path, key+"/") {
			best, rest = m, strings.TrimPrefix(path, key)
			if rest == "" {
				rest = "/"
			}
		}
	}
	return best, rest
}
