package apigatewayv2

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// isPreflight reports whether a request is a CORS preflight, which an API with a CORS
// configuration answers itself, whatever its routes.
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != ""
}

// originAllowed matches an origin against the configuration's: "*", an exact origin, or a
// pattern with a wildcard subdomain (https://*.example.com).
func originAllowed(c *Cors, origin string) (string, bool) {
	for _, o := range c.AllowOrigins {
		switch {
		case o == "*":
			return "*", true
		case strings.EqualFold(o, origin):
			return origin, true
		case strings.Contains(o, "://*."):
			scheme, suffix, _ := strings.Cut(o, "://*")
			if strings.HasPrefix(origin, scheme+"://") && strings.HasSuffix(strings.ToLower(origin), strings.ToLower(suffix)) {
				return origin, true
			}
		}
	}
	return "", false
}

// answerPreflight answers a preflight with the configuration's headers when the origin, the
// method and the headers asked for are allowed; with 204 and no CORS headers otherwise.
func answerPreflight(w http.ResponseWriter, r *http.Request, c *Cors) {
	h := w.Header()
	origin := r.Header.Get("Origin")
	allowOrigin, ok := originAllowed(c, origin)
	method := strings.ToUpper(r.Header.Get("Access-Control-Request-Method"))
	if ok && !listAllows(c.AllowMethods, method) {
		ok = false
	}
	for _, rh := range strings.Split(r.Header.Get("Access-Control-Request-Headers"), ",") {
		if rh = strings.TrimSpace(rh); ok && rh != "" && !listAllows(c.AllowHeaders, rh) {
			ok = false
		}
	}
	if ok {
		h.Set("Access-Control-Allow-Origin", allowOrigin)
		if len(c.AllowMethods) > 0 {
			h.Set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ","))
		}
		if len(c.AllowHeaders) > 0 {
			h.Set("Access-Control-Allow-Headers", strings.Join(c.AllowHeaders, ","))
		}
		if c.MaxAge != nil && *c.MaxAge >= 0 {
			h.Set("Access-Control-Max-Age", strconv.Itoa(*c.MaxAge))
		}
		if c.AllowCredentials {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
		h.Add("Vary", "Origin")
	}
	w.WriteHeader(http.StatusNoContent)
}

// listAllows reports whether a list of methods or headers allows one ("*" allows all),
// case-insensitively.
func listAllows(list []string, v string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return x == "*" || strings.EqualFold(x, v) })
}

// addCORSHeaders adds the configuration's headers to an answer to an allowed origin; they
// replace what the integration sent, as API Gateway's do.
func addCORSHeaders(h http.Header, r *http.Request, c *Cors) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return
	}
	allowOrigin, ok := originAllowed(c, origin)
	if !ok {
		return
	}
	h.Set("Access-Control-Allow-Origin", allowOrigin)
	if len(c.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ","))
	}
	if c.AllowCredentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Add("Vary", "Origin")
}
