package router

import (
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/gureum/gureum/internal/service"
)

// DataPlanePrefix is the path under which data-plane endpoints may also be addressed without
// their host names (a client that cannot set a Host, or a machine without wildcard DNS for
// *.localhost): "/_gureum/execute-api/{api-id}/{stage}/…", "/_gureum/lambda-url/{url-id}/…",
// "/_gureum/s3-website/{bucket}/…". No AWS API path starts with it (an S3 bucket name cannot
// contain "_"), so it can never take an API call.
const DataPlanePrefix = "/_gureum/"

// Endpoint is a data-plane entry (service.Endpoint): the router offers every request to the
// endpoints, the services' own (service.Service.Endpoints) and the configuration's, before it
// looks for a service.
type Endpoint = service.Endpoint

// checkEndpoints refuses patterns the router could not tell apart or that would take API calls.
func checkEndpoints(eps []Endpoint) error {
	seen := map[string]string{}
	for _, ep := range eps {
		if ep.Handler == nil || ep.Name == "" || ep.Host == "" && ep.Prefix == "" && ep.Match == nil {
			return fmt.Errorf("router: endpoint %q needs a name, a handler and a host pattern, host matcher or path prefix", ep.Name)
		}
		if ep.Host != "" && (!strings.HasPrefix(ep.Host, "*.") || len(ep.Host) < 3 || strings.Contains(ep.Host[2:], "*")) {
			return fmt.Errorf("router: endpoint %s: host pattern %q is not of the form *.<suffix>", ep.Name, ep.Host)
		}
		if ep.Prefix != "" && (!strings.HasPrefix(ep.Prefix, DataPlanePrefix) || !strings.HasSuffix(ep.Prefix, "/") || len(ep.Prefix) <= len(DataPlanePrefix)) {
			return fmt.Errorf("router: endpoint %s: path prefix %q is not of the form %s<name>/", ep.Name, ep.Prefix, DataPlanePrefix)
		}
		for _, key := range []string{"host " + strings.ToLower(ep.Host), "prefix " + ep.Prefix} {
			if other, dup := seen[key]; dup && !strings.HasSuffix(key, " ") {
				return fmt.Errorf("router: endpoints %s and %s both claim %s", other, ep.Name, key)
			}
			seen[key] = ep.Name
		}
	}
	return nil
}

// endpoint finds the data-plane endpoint for a request: the longest matching host pattern, else
// the longest matching path prefix; nil for an API call.
func (rt *Router) endpoint(r *http.Request) *Endpoint {
	if len(rt.cfg.Endpoints) == 0 {
		return nil
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	var best *Endpoint
	for i := range rt.cfg.Endpoints {
		ep := &rt.cfg.Endpoints[i]
		if ep.Host != "" && hostMatches(ep.Host, host) && (best == nil || best.Host == "" || len(ep.Host) > len(best.Host)) {
			best = ep
		}
	}
	if best != nil {
		return best
	}
	if ep := rt.hostMatcher(r, host); ep != nil {
		return ep
	}
	if !strings.HasPrefix(r.URL.Path, DataPlanePrefix) {
		return nil
	}
	for i := range rt.cfg.Endpoints {
		ep := &rt.cfg.Endpoints[i]
		if ep.Prefix != "" && strings.HasPrefix(r.URL.Path, ep.Prefix) && (best == nil || len(ep.Prefix) > len(best.Prefix)) {
			best = ep
		}
	}
	return best
}

// hostMatcher is the first endpoint whose Match claims the host (custom domain names).
func (rt *Router) hostMatcher(r *http.Request, host string) *Endpoint {
	for i := range rt.cfg.Endpoints {
		if ep := &rt.cfg.Endpoints[i]; ep.Match != nil && ep.Match(r.Context(), host) {
			return ep
		}
	}
	return nil
}

// hostMatches matches "*.suffix" against a host, case-insensitively; "*" takes one or more labels.
func hostMatches(pattern, host string) bool {
	suffix := pattern[1:] // ".suffix"
	if len(host) <= len(suffix) {
		return false
	}
	return strings.EqualFold(host[len(host)-len(suffix):], suffix)
}
