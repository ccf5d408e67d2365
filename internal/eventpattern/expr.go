package eventpattern

import (
	"net/netip"
	"strconv"
	"strings"
)

// expr compiles a match expression ({"prefix": …} and the others). exists sets the leaf's flags
// and returns no matcher.
func (c *compiler) expr(m *object, l *leaf) (*matcher, error) {
	if len(m.keys) == 0 {
		return nil, c.fail("Match expression name not found")
	}
	op := m.keys[0]
	out, err := c.expr1(op, m.vals[0], l)
	if err != nil || len(m.keys) == 1 {
		return out, err
	}
	// event-ruler reads the first entry, then expects the object's end.
	if op == "numeric" || op == "anything-but" {
		return nil, c.fail("Too many elements in numeric expression")
	}
	return nil, c.fail("Only one key allowed in match expression")
}

// expr1 compiles the match expression {op: v}.
func (c *compiler) expr1(op string, v any, l *leaf) (*matcher, error) {
	s, isString := v.(string)
	switch op {
	case "exact":
		if !isString {
			return nil, c.fail("exact match pattern must be a string")
		}
		return &matcher{kind: kString, s: s}, nil
	case "prefix", "suffix":
		return c.affix(op, v)
	case "equals-ignore-case":
		if !isString {
			return nil, c.fail("equals-ignore-case match pattern must be a string")
		}
		return &matcher{kind: kFold, s: s}, nil
	case "wildcard":
		if c.d.sns() {
			break
		}
		if !isString {
			return nil, c.fail("wildcard match pattern must be a string")
		}
		w, reason := parseWildcard(s)
		if reason != "" {
			return nil, c.fail(reason)
		}
		return &matcher{kind: kWildcard, wilds: []*wildcard{w}}, nil
	case "numeric":
		return c.numeric(v)
	case "anything-but":
		return c.anythingBut(v)
	case "exists":
		b, ok := v.(bool)
		if !ok {
			return nil, c.fail("exists match pattern must be either true or false.")
		}
		if b {
			l.existsTrue = true
		} else {
			l.existsFalse = true
		}
		return nil, nil
	case "cidr":
		if !isString {
			return nil, c.fail("prefix match pattern must be a string")
		}
		return c.cidr(s)
	}
	return nil, c.fail("Unrecognized match type " + op)
}

// affix compiles prefix and suffix, either a string or {"equals-ignore-case": string}.
func (c *compiler) affix(op string, v any) (*matcher, error) {
	kinds := map[string][2]kind{"prefix": {kPrefix, kPrefixFold}, "suffix": {kSuffix, kSuffixFold}}[op]
	if s, ok := v.(string); ok {
		return &matcher{kind: kinds[0], s: s}, nil
	}
	if m, ok := v.(*object); ok && len(m.keys) == 1 && m.keys[0] == "equals-ignore-case" && !c.d.sns() {
		if s, ok := m.vals[0].(string); ok {
			return &matcher{kind: kinds[1], s: s}, nil
		}
	}
	return nil, c.fail(op + " match pattern must be a string")
}

// tokenText is what Jackson's getText gives for a value, for error messages.
func tokenText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case number:
		return x.lit
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return "null"
	case []any:
		return "["
	case *object:
		return "{"
	}
	return ""
}

// numeric compiles {"numeric": [op, n (, op, n)]} with event-ruler's checks and messages.
func (c *compiler) numeric(v any) (*matcher, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, c.fail("Value of numeric must be an array.")
	}
	at := func(i int) any {
		if i < len(arr) {
			return arr[i]
		}
		return endArray{}
	}
	op, ok := at(0).(string)
	if !ok {
		return nil, c.fail("Invalid member in numeric match: " + endText(at(0)))
	}
	val, isNum := numberOf(at(1))
	r := numRange{}
	switch op {
	case "=":
		if !isNum {
			return nil, c.fail("Value of equals must be numeric")
		}
		if len(arr) > 2 {
			return nil, c.fail("Too many elements in numeric expression")
		}
		r = numRange{lo: val, hi: val, hasLo: true, hasHi: true}
	case "<", "<=":
		if !isNum {
			return nil, c.fail("Value of " + op + " must be numeric")
		}
		if len(arr) > 2 {
			return nil, c.fail("Too many elements in numeric expression")
		}
		r = numRange{hi: val, hasHi: true, hiOpen: op == "<"}
	case ">", ">=":
		if !isNum {
			return nil, c.fail("Value of " + op + " must be numeric")
		}
		r = numRange{lo: val, hasLo: true, loOpen: op == ">"}
		if len(arr) > 2 {
			if err := c.upper(arr, &r); err != nil {
				return nil, err
			}
		}
	default:
		return nil, c.fail("Unrecognized numeric range operator: " + op)
	}
	return &matcher{kind: kNumeric, rng: r}, nil
}

// upper completes a range's upper bound: [">", lo, "<", hi].
func (c *compiler) upper(arr []any, r *numRange) error {
	op, ok := arr[2].(string)
	if !ok {
		return c.fail("Bad value in numeric range: " + tokenText(arr[2]))
	}
	if op != "<" && op != "<=" {
		return c.fail("Bad numeric range operator: " + op)
	}
	var top any = endArray{}
	if len(arr) > 3 {
		top = arr[3]
	}
	val, isNum := numberOf(top)
	if !isNum {
		return c.fail("Value of " + op + " must be numeric")
	}
	if len(arr) > 4 {
		return c.fail("Too many terms in numeric range expression")
	}
	if r.lo >= val {
		return c.fail("Bottom must be less than top")
	}
	r.hi, r.hasHi, r.hiOpen = val, true, op == "<"
	return nil
}

// endArray stands for the end of a numeric array in messages ("Invalid member …: ]").
type endArray struct{}

func endText(v any) string {
	if _, ok := v.(endArray); ok {
		return "]"
	}
	return tokenText(v)
}

func numberOf(v any) (float64, bool) {
	n, ok := v.(number)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(n.lit, 64)
	if err != nil && !strings.Contains(err.Error(), "range") {
		return 0, false
	}
	return f, true
}

// cidr compiles {"cidr": "10.0.0.0/24"} for IPv4 and IPv6.
func (c *compiler) cidr(s string) (*matcher, error) {
	if strings.Count(s, "/") != 1 {
		return nil, c.fail("Malformed CIDR, one '/' required")
	}
	ipPart, bitsPart, _ := strings.Cut(s, "/")
	bits, err := strconv.Atoi(bitsPart) // AWS checks the mask before the address
	if err != nil {
		return nil, c.fail("Malformed CIDR, mask bits must be an integer")
	}
	a, err := netip.ParseAddr(ipPart)
	if err != nil || a.Zone() != "" {
		return nil, c.fail("Nonstandard IP address: " + ipPart)
	}
	a = a.Unmap()
	if bits < 0 || bits > a.BitLen() {
		return nil, c.fail("Malformed CIDR, mask bits must be between 0 and " + strconv.Itoa(a.BitLen()))
	}
	p, _ := a.Prefix(bits)
	return &matcher{kind: kCIDR, cidr: p}, nil
}
