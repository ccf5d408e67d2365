package policy

import "strings"

// pattern is an Action or Resource value ready to match: literal when it has no wildcard, and
// flagged when it holds policy variables that must be substituted per request.
type pattern struct {
	s       string
	literal bool // no * or ?: compare for equality
	vars    bool // holds ${…}
	parts   [6]string
}

func compile(s string) pattern {
	return pattern{s: s, literal: !strings.ContainsAny(s, "*?") && !strings.Contains(s, "${"), vars: strings.Contains(s, "${"), parts: splitARN(s)}
}

// esc in a substituted pattern makes the next byte literal: ${*}, ${?} and the values of
// variables match themselves, not anything.
const esc = 0x01

// glob matches s against a pattern of * (any run) and ? (one character). Iterative with one
// backtrack point, so its cost is linear in practice and never exponential.
func glob(p, s string) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi+1 < len(p) && p[pi] == esc && p[pi+1] == s[si]:
			pi += 2
			si++
		case pi < len(p) && p[pi] != esc && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// matchAction matches a lower-cased action against a compiled (lower-cased) pattern.
func matchAction(p pattern, action string) bool {
	if p.s == "*" {
		return true
	}
	if p.literal {
		return p.s == action
	}
	return glob(p.s, action)
}

// matchResource matches an ARN against a pattern, case-sensitively. Wildcards apply within the
// ARN's first five fields one field at a time and anywhere in the resource part.
func matchResource(p string, arn string) bool {
	if p == "*" {
		return true
	}
	pp, ap := splitARN(p), splitARN(arn)
	return matchParts(p, &pp, arn, &ap)
}

func matchParts(p string, pp *[6]string, arn string, ap *[6]string) bool {
	if p == "*" {
		return true
	}
	if strings.Count(p, ":") < 5 {
		return glob(p, arn)
	}
	for i := 0; i < 5; i++ {
		if !glob(pp[i], ap[i]) {
			return false
		}
	}
	return glob(pp[5], ap[5])
}

// splitARN cuts an ARN into its six fields without allocating (the last holds the rest).
func splitARN(s string) [6]string {
	var out [6]string
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(s, ':')
		if j < 0 {
			out[i] = s
			return out
		}
		out[i], s = s[:j], s[j+1:]
	}
	out[5] = s
	return out
}

// ARNAccount returns the account field of an ARN ("" when it has none).
func ARNAccount(arn string) string { return splitARN(arn)[4] }

// substitute replaces the policy variables in s from the request: ${key} (with an optional
// default, ${key, 'default'}) and the escapes ${*}, ${?} and ${$}. ok is false when a variable
// has no value and no default: such a value matches nothing. When pat is true the result is a
// glob pattern and every substituted character is escaped, so it matches only itself.
func substitute(s string, r *Request, pat bool) (string, bool) {
	put := func(b *strings.Builder, v string) {
		if !pat {
			b.WriteString(v)
			return
		}
		for i := 0; i < len(v); i++ {
			if v[i] == '*' || v[i] == '?' {
				b.WriteByte(esc)
			}
			b.WriteByte(v[i])
		}
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		b.WriteString(s[:i])
		inner := s[i+2 : i+j]
		s = s[i+j+1:]
		switch inner {
		case "*", "?", "$":
			put(&b, inner)
			continue
		}
		key, def, hasDef := strings.Cut(inner, ",")
		key = strings.TrimSpace(key)
		vals, found := r.lookup(key)
		switch {
		case found && len(vals) == 1:
			put(&b, vals[0])
		case hasDef:
			put(&b, strings.Trim(strings.TrimSpace(def), "'"))
		default:
			return "", false
		}
	}
}
