package apigatewayv2

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gureum/gureum/internal/apigateway/domain"
	"github.com/gureum/gureum/internal/request"
)

// domainPathPrefix is the path form of custom domain names: /_gureum/execute-api-domain/<domain>/<path>
// reaches the API a mapping of <domain> names, as a request to https://<domain>/<path> does
// (serveDomainHost: the main listener answers a request whose Host is a domain name).
const domainPathPrefix = "/_gureum/execute-api-domain/"

// serveDomain answers the path form of a custom domain name.
func (s *Service) serveDomain(w http.ResponseWriter, r *http.Request) {
	name, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.EscapedPath(), domainPathPrefix), "/")
	d, _, err := domain.Load(r.Context(), s.store, "", name)
	if err != nil && err != domain.ErrNotFound {
		writeGatewayError(w, errInternal)
		return
	}
	s.serveMapped(w, r, d, "/"+rest)
}

// serveDomainHost answers a request whose Host is a custom domain name (the router asks
// domain.Cache.Match first).
func (s *Service) serveDomainHost(w http.ResponseWriter, r *http.Request) {
	s.serveMapped(w, r, s.domains.Lookup(r.Context(), hostOnly(r.Host)), r.URL.EscapedPath())
}

// serveMapped answers a request to a custom domain name: the mapping with the longest key that
// is a whole-segment prefix of the path picks the API and stage, and the key is cut from the
// path. An HTTP or WebSocket API is served here, a REST API by the REST APIs' data plane.
func (s *Service) serveMapped(w http.ResponseWriter, r *http.Request, d *domain.Doc, path string) {
	requestID := request.From(r.Context()).ID
	if requestID == "" {
		requestID = request.NewID()
	}
	if d == nil {
		w.Header().Set("Apigw-Requestid", requestID)
		writeGatewayError(w, errForbidden)
		return
	}
	m, path := domain.Match(d.Mappings, path)
	if m == nil {
		w.Header().Set("Apigw-Requestid", requestID)
		writeGatewayError(w, errForbidden)
		return
	}
	api, err := s.apis.get(r.Context(), s, m.APIID)
	switch {
	case err != nil:
		w.Header().Set("Apigw-Requestid", requestID)
		writeGatewayError(w, errInternal)
	case api == nil && s.restPlane != nil:
		s.restPlane.ServeHTTP(w, restRequest(r, m, path))
	case api == nil:
		w.Header().Set("Apigw-Requestid", requestID)
		writeGatewayError(w, errForbidden)
	case api.doc.API.ProtocolType == protocolWebSocket:
		w.Header().Set("Apigw-Requestid", requestID)
		s.serveWebSocket(w, r, api, "/"+m.Stage+strings.TrimSuffix(path, "/"), requestID)
	default:
		w.Header().Set("Apigw-Requestid", requestID)
		s.serveHTTP(w, r, api, m.Stage, path, false, requestID)
	}
}

// restRequest is a request to a REST API through a base path mapping, readdressed to the API's
// invoke path (/_gureum/execute-api/<api-id>/<stage>/<path>).
func restRequest(r *http.Request, m *domain.Mapping, path string) *http.Request {
	r2 := r.Clone(r.Context())
	u := *r.URL
	u.RawPath = sharedPrefix + m.APIID + "/" + url.PathEscape(m.Stage) + path
	u.Path = unescape(u.RawPath)
	r2.URL = &u
	r2.RequestURI = u.RequestURI()
	return r2
}
