package apigatewayv2

import (
	"net/url"
	"strings"
)

// routeKey is an HTTP API's route key parsed: "$default", or a method (or ANY) and a path of
// literal segments, {param} segments and a last greedy {param+}.
type routeKey struct {
	method string    // "" for $default
	segs   []segment // the path's segments; none for "/"
}

// segment is one segment of a route's path.
type segment struct {
	literal string // a literal segment
	param   string // a {param} or {param+} segment's name
	greedy  bool   // {param+}: one or more segments
}

var httpMethods = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "HEAD": true, "OPTIONS": true, "ANY": true}

// parseRouteKey parses an HTTP API route key with AWS's rules.
func parseRouteKey(key string) (routeKey, error) {
	if key == defaultRoute {
		return routeKey{}, nil
	}
	bad := func() (routeKey, error) {
		return routeKey{}, badRequest("Unable to create route %s. The route key must be $default or METHOD /path, where METHOD is ANY or an HTTP method and the path may end with a greedy {proxy+} variable.", key)
	}
	method, path, ok := strings.Cut(key, " ")
	if !ok || !httpMethods[method] || !strings.HasPrefix(path, "/") || len(key) > 512 {
		return bad()
	}
	rk := routeKey{method: method}
	if path == "/" {
		return rk, nil
	}
	names := map[string]bool{}
	parts := strings.Split(path[1:], "/")
	for i, p := range parts {
		if p == "" || strings.ContainsAny(p, " \t?#") {
			return bad()
		}
		if !strings.HasPrefix(p, "{") && !strings.HasSuffix(p, "}") {
			if strings.ContainsAny(p, "{}") {
				return bad()
			}
			rk.segs = append(rk.segs, segment{literal: p})
			continue
		}
		if !strings.HasPrefix(p, "{") || !strings.HasSuffix(p, "}") || len(p) < 3 {
			return bad()
		}
		name := p[1 : len(p)-1]
		greedy := strings.HasSuffix(name, "+")
		name = strings.TrimSuffix(name, "+")
		if name == "" || strings.ContainsAny(name, "{}+/") || names[name] || greedy && i != len(parts)-1 {
			return bad()
		}
		names[name] = true
		rk.segs = append(rk.segs, segment{param: name, greedy: greedy})
	}
	return rk, nil
}

// compiledRoute is a route ready for matching.
type compiledRoute struct {
	key   routeKey
	route *Route
}

// routeTable is an HTTP API's routes, matched with AWS's precedence.
type routeTable struct {
	routes []compiledRoute
	dflt   *Route
}

func newRouteTable(routes map[string]*Route) *routeTable {
	t := &routeTable{}
	for _, r := range routes {
		k, err := parseRouteKey(r.RouteKey)
		if err != nil {
			continue
		}
		if k.method == "" {
			t.dflt = r
			continue
		}
		t.routes = append(t.routes, compiledRoute{key: k, route: r})
	}
	return t
}

// match finds the route for a method and a path (its segments still escaped), with its path
// parameters decoded. AWS's rules: the most specific route wins, decided at the first segment
// where two routes differ (a literal before a {param}, both before a greedy {param+}); a method
// of its own before ANY; $default when nothing matches. A greedy variable takes one or more
// segments, so "/{proxy+}" does not match "/".
func (t *routeTable) match(method string, segs []string) (*Route, map[string]string) {
	var best *compiledRoute
	var bestParams map[string]string
	for i := range t.routes {
		c := &t.routes[i]
		if c.key.method != method && c.key.method != "ANY" {
			continue
		}
		params, ok := c.key.matches(segs)
		if !ok {
			continue
		}
		if best == nil || moreSpecific(c, best) {
			best, bestParams = c, params
		}
	}
	if best != nil {
		return best.route, bestParams
	}
	return t.dflt, nil
}

// matches reports whether a path's segments fit a route key, and its parameters.
func (k routeKey) matches(segs []string) (map[string]string, bool) {
	var params map[string]string
	for i, s := range k.segs {
		if s.greedy {
			if i >= len(segs) {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			parts := make([]string, len(segs)-i)
			for j := range parts {
				parts[j] = unescape(segs[i+j])
			}
			params[s.param] = strings.Join(parts, "/")
			return params, true
		}
		if i >= len(segs) {
			return nil, false
		}
		if s.param != "" {
			if segs[i] == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[s.param] = unescape(segs[i])
			continue
		}
		if unescape(segs[i]) != s.literal {
			return nil, false
		}
	}
	return params, len(segs) == len(k.segs)
}

// moreSpecific reports whether route a beats route b for a request both match.
func moreSpecific(a, b *compiledRoute) bool {
	for i := 0; i < len(a.key.segs) && i < len(b.key.segs); i++ {
		ra, rb := rank(a.key.segs[i]), rank(b.key.segs[i])
		if ra != rb {
			return ra < rb
		}
	}
	if len(a.key.segs) != len(b.key.segs) {
		return len(a.key.segs) > len(b.key.segs)
	}
	return a.key.method != "ANY" && b.key.method == "ANY"
}

func rank(s segment) int {
	switch {
	case s.greedy:
		return 2
	case s.param != "":
		return 1
	}
	return 0
}

// splitPath cuts a path into its segments ("/" has none); a trailing slash makes an empty last
// segment.
func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

func unescape(s string) string {
	if !strings.ContainsRune(s, '%') {
		return s
	}
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// selection is a WebSocket API's route selection expression: $request.body.<path> (or the
// ${…} form), naming a member of the message's JSON body.
type selection struct {
	path []string
}

// parseSelection parses a route selection expression.
func parseSelection(expr string) (selection, error) {
	e := expr
	if strings.HasPrefix(e, "${") && strings.HasSuffix(e, "}") {
		e = "$" + e[2:len(e)-1]
	}
	rest, ok := strings.CutPrefix(e, "$request.body.")
	if !ok || rest == "" {
		return selection{}, badRequest("Unsupported route selection expression: %s. Use $request.body.{path_to_body_element}", expr)
	}
	parts := strings.Split(rest, ".")
	for _, p := range parts {
		if p == "" || strings.ContainsAny(p, " ${}[]") {
			return selection{}, badRequest("Unsupported route selection expression: %s. Use $request.body.{path_to_body_element}", expr)
		}
	}
	return selection{path: parts}, nil
}

// identitySource is a place a request's identity is read from: a header, a query parameter, a
// context or stage variable.
type identitySource struct {
	from string // "header", "querystring", "context", "stageVariables"
	name string
}

// parseIdentitySource parses "$request.header.Authorization", "$request.querystring.token",
// "$context.x", "$stageVariables.x" (or the ${…} form).
func parseIdentitySource(src string) (identitySource, error) {
	e := src
	if strings.HasPrefix(e, "${") && strings.HasSuffix(e, "}") {
		e = "$" + e[2:len(e)-1]
	}
	// WebSocket APIs write them route.request.header.Auth, route.request.querystring.token,
	// stageVariables.x, context.x.
	switch {
	case strings.HasPrefix(e, "route.request."):
		e = "$request." + strings.TrimPrefix(e, "route.request.")
	case strings.HasPrefix(e, "stageVariables."), strings.HasPrefix(e, "context."):
		e = "$" + e
	}
	for _, from := range []string{"$request.header.", "$request.querystring.", "$context.", "$stageVariables."} {
		if name, ok := strings.CutPrefix(e, from); ok && name != "" && !strings.ContainsAny(name, " ${}") {
			return identitySource{from: strings.TrimPrefix(strings.TrimSuffix(from, "."), "$request."), name: name}, nil
		}
	}
	return identitySource{}, badRequest("Invalid identity source specified: %s", src)
}
