package apigatewayv2

import (
	"net/http"
	"strconv"
	"strings"
)

// Parameter mapping of HTTP APIs: an integration's requestParameters change what an HTTP_PROXY
// request carries ("overwrite:path", "append:header.x", "remove:querystring.y", …), its
// responseParameters change the answer per status code ("overwrite:statuscode",
// "append:header.x", …). A value is a reference ($request.header.x, $request.querystring.x,
// $request.path.x, $request.path, $context.x, $stageVariables.x, $response.header.x) or text.

// checkMappingKey holds a mapping key to what API Gateway accepts for its side.
func checkMappingKey(key string, response bool) error {
	action, target, ok := strings.Cut(key, ":")
	if !ok || action != "append" && action != "overwrite" && action != "remove" {
		return badRequest("Invalid mapping expression specified: %s", key)
	}
	switch {
	case target == "path" && !response && action == "overwrite":
	case target == "statuscode" && response && action == "overwrite":
	case strings.HasPrefix(target, "header.") && len(target) > len("header."):
	case strings.HasPrefix(target, "querystring.") && len(target) > len("querystring.") && !response:
	default:
		return badRequest("Invalid mapping expression specified: %s", key)
	}
	return nil
}

func checkMappings(it *Integration) error {
	for k := range it.RequestParameters {
		if err := checkMappingKey(k, false); err != nil {
			return err
		}
	}
	for status, m := range it.ResponseParameters {
		if n, err := strconv.Atoi(status); err != nil || n < 200 || n > 599 {
			return badRequest("Invalid status code specified for response parameters: %s", status)
		}
		for k := range m {
			if err := checkMappingKey(k, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// mapValue evaluates a mapping value for a call (and, on the response side, its answer): a
// whole reference, or text with references in ${…}.
func mapValue(v string, c *call, resp http.Header) string {
	if !strings.HasPrefix(v, "$") || strings.HasPrefix(v, "${") {
		var b strings.Builder
		for {
			i := strings.Index(v, "${")
			j := strings.IndexByte(v[max(i, 0):], '}')
			if i < 0 || j < 0 {
				b.WriteString(v)
				return b.String()
			}
			b.WriteString(v[:i])
			b.WriteString(refValue("$"+v[i+2:i+j], c, resp))
			v = v[i+j+1:]
		}
	}
	return refValue(v, c, resp)
}

// refValue is the value of one reference (text that is none stands for itself).
func refValue(v string, c *call, resp http.Header) string {
	switch {
	case strings.HasPrefix(v, "$request.header."):
		return c.r.Header.Get(strings.TrimPrefix(v, "$request.header."))
	case strings.HasPrefix(v, "$request.querystring."):
		return strings.Join(queryValues(c.r.URL.RawQuery)[strings.TrimPrefix(v, "$request.querystring.")], ",")
	case v == "$request.path":
		return c.path
	case strings.HasPrefix(v, "$request.path."):
		return c.pathParams[strings.TrimPrefix(v, "$request.path.")]
	case strings.HasPrefix(v, "$context."):
		return contextValue(c, strings.TrimPrefix(v, "$context."))
	case strings.HasPrefix(v, "$stageVariables."):
		return c.stageVars[strings.TrimPrefix(v, "$stageVariables.")]
	case strings.HasPrefix(v, "$response.header.") && resp != nil:
		return resp.Get(strings.TrimPrefix(v, "$response.header."))
	}
	return v
}

// mapRequest applies request parameter mappings to an outgoing HTTP_PROXY request.
func mapRequest(req *http.Request, params map[string]string, c *call) {
	q, queryMapped := req.URL.Query(), false
	for key, v := range params {
		action, target, _ := strings.Cut(key, ":")
		value := mapValue(v, c, nil)
		switch {
		case target == "path":
			req.URL.Path, req.URL.RawPath = value, ""
		case strings.HasPrefix(target, "header."):
			name := strings.TrimPrefix(target, "header.")
			switch action {
			case "append":
				req.Header.Add(name, value)
			case "overwrite":
				req.Header.Set(name, value)
			case "remove":
				req.Header.Del(name)
			}
		case strings.HasPrefix(target, "querystring."):
			name := strings.TrimPrefix(target, "querystring.")
			queryMapped = true
			switch action {
			case "append":
				q.Add(name, value)
			case "overwrite":
				q.Set(name, value)
			case "remove":
				q.Del(name)
			}
		}
	}
	if queryMapped {
		req.URL.RawQuery = q.Encode()
	}
}

// mapResponse applies the response parameter mappings of the answer's status code.
func mapResponse(rp *reply, params map[string]map[string]string, c *call) {
	m := params[strconv.Itoa(rp.status)]
	for key, v := range m {
		action, target, _ := strings.Cut(key, ":")
		value := mapValue(v, c, rp.header)
		switch {
		case target == "statuscode":
			if n, err := strconv.Atoi(value); err == nil && n >= 100 && n <= 599 {
				rp.status = n
			}
		case strings.HasPrefix(target, "header."):
			name := strings.TrimPrefix(target, "header.")
			switch action {
			case "append":
				rp.header.Add(name, value)
			case "overwrite":
				rp.header.Set(name, value)
			case "remove":
				rp.header.Del(name)
			}
		}
	}
}

// withStageVariables puts a stage's variables in a text's ${stageVariables.name} places.
func withStageVariables(s string, vars map[string]string) string {
	if !strings.Contains(s, "${stageVariables.") {
		return s
	}
	for k, v := range vars {
		s = strings.ReplaceAll(s, "${stageVariables."+k+"}", v)
	}
	return s
}
