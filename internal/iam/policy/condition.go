package policy

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// family is a condition operator's type.
type family int

const (
	famString family = iota
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famARN
	famNull
)

// cmp is the comparison within a family.
type cmp int

const (
	cmpEq cmp = iota
	cmpEqFold
	cmpLike
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

// setOp is a ForAnyValue / ForAllValues qualifier.
type setOp int

const (
	setNone setOp = iota
	setAny
	setAll
)

// Condition is one (operator, key, values) test.
type Condition struct {
	Operator string // as written, e.g. "ForAnyValue:StringLikeIfExists"
	Key      string // lower-cased
	Values   []string
	fam      family
	cmp      cmp
	negated  bool
	ifExists bool
	set      setOp
	vars     bool
	prefixes []netip.Prefix // IpAddress values, parsed once
}

type opInfo struct {
	fam     family
	cmp     cmp
	negated bool
}

var operators = map[string]opInfo{
	"StringEquals":              {famString, cmpEq, false},
	"StringNotEquals":           {famString, cmpEq, true},
	"StringEqualsIgnoreCase":    {famString, cmpEqFold, false},
	"StringNotEqualsIgnoreCase": {famString, cmpEqFold, true},
	"StringLike":                {famString, cmpLike, false},
	"StringNotLike":             {famString, cmpLike, true},
	"NumericEquals":             {famNumeric, cmpEq, false},
	"NumericNotEquals":          {famNumeric, cmpEq, true},
	"NumericLessThan":           {famNumeric, cmpLt, false},
	"NumericLessThanEquals":     {famNumeric, cmpLe, false},
	"NumericGreaterThan":        {famNumeric, cmpGt, false},
	"NumericGreaterThanEquals":  {famNumeric, cmpGe, false},
	"DateEquals":                {famDate, cmpEq, false},
	"DateNotEquals":             {famDate, cmpEq, true},
	"DateLessThan":              {famDate, cmpLt, false},
	"DateLessThanEquals":        {famDate, cmpLe, false},
	"DateGreaterThan":           {famDate, cmpGt, false},
	"DateGreaterThanEquals":     {famDate, cmpGe, false},
	"Bool":                      {famBool, cmpEq, false},
	"BinaryEquals":              {famBinary, cmpEq, false},
	"IpAddress":                 {famIP, cmpEq, false},
	"NotIpAddress":              {famIP, cmpEq, true},
	"ArnEquals":                 {famARN, cmpLike, false},
	"ArnLike":                   {famARN, cmpLike, false},
	"ArnNotEquals":              {famARN, cmpLike, true},
	"ArnNotLike":                {famARN, cmpLike, true},
	"Null":                      {famNull, cmpEq, false},
}

func parseConditions(v any) ([]Condition, error) {
	block, ok := v.(map[string]any)
	if !ok {
		return nil, errorf("Syntax errors in policy: Condition must be an object.")
	}
	var out []Condition
	for op, raw := range block {
		c, err := parseOperator(op)
		if err != nil {
			return nil, err
		}
		keys, ok := raw.(map[string]any)
		if !ok || len(keys) == 0 {
			return nil, errorf("Syntax errors in policy: the %s condition block must be a non-empty object.", op)
		}
		for key, vals := range keys {
			cc := c
			cc.Key = strings.ToLower(key)
			if cc.Values, err = conditionValues(vals, op, key); err != nil {
				return nil, err
			}
			if err := cc.check(); err != nil {
				return nil, err
			}
			for _, v := range cc.Values {
				if strings.Contains(v, "${") {
					cc.vars = true
				}
				if pfx, ok := parseCIDR(v); ok && cc.fam == famIP {
					cc.prefixes = append(cc.prefixes, pfx)
				}
			}
			out = append(out, cc)
		}
	}
	return out, nil
}

func parseOperator(op string) (Condition, error) {
	c := Condition{Operator: op}
	name := op
	if rest, ok := strings.CutPrefix(name, "ForAnyValue:"); ok {
		c.set, name = setAny, rest
	} else if rest, ok := strings.CutPrefix(name, "ForAllValues:"); ok {
		c.set, name = setAll, rest
	}
	if rest, ok := strings.CutSuffix(name, "IfExists"); ok && rest != "Null" {
		c.ifExists, name = true, rest
	}
	info, ok := operators[name]
	if !ok {
		return c, errorf("Invalid Condition type : %s", op)
	}
	if info.fam == famNull && (c.set != setNone) {
		return c, errorf("Invalid Condition type : %s", op)
	}
	c.fam, c.cmp, c.negated = info.fam, info.cmp, info.negated
	return c, nil
}

// conditionValues reads a condition's values: strings, numbers and booleans, alone or in a list.
func conditionValues(v any, op, key string) ([]string, error) {
	one := func(e any) (string, bool) {
		switch e := e.(type) {
		case string:
			return e, true
		case json.Number:
			return e.String(), true
		case bool:
			return strconv.FormatBool(e), true
		}
		return "", false
	}
	if list, ok := v.([]any); ok {
		if len(list) == 0 {
			return nil, errorf("Syntax errors in policy: condition %s on %s has no values.", op, key)
		}
		out := make([]string, 0, len(list))
		for _, e := range list {
			s, ok := one(e)
			if !ok {
				return nil, errorf("Syntax errors in policy: condition %s on %s has a value that is not a string, number or boolean.", op, key)
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, ok := one(v)
	if !ok {
		return nil, errorf("Syntax errors in policy: condition %s on %s has a value that is not a string, number or boolean.", op, key)
	}
	return []string{s}, nil
}

// check validates the values against the operator's type, as IAM does when a policy is saved.
func (c *Condition) check() error {
	for _, v := range c.Values {
		if strings.Contains(v, "${") {
			continue
		}
		ok := true
		switch c.fam {
		case famNumeric:
			_, err := strconv.ParseFloat(v, 64)
			ok = err == nil
		case famDate:
			_, ok = parseDate(v)
		case famBool, famNull:
			ok = strings.EqualFold(v, "true") || strings.EqualFold(v, "false")
		case famIP:
			_, ok = parseCIDR(v)
		case famBinary:
			_, err := base64.StdEncoding.DecodeString(v)
			ok = err == nil
		}
		if !ok {
			return errorf("Invalid value %q for condition %s on %s", v, c.Operator, c.Key)
		}
	}
	return nil
}

// eval decides a condition against the request.
func (c *Condition) eval(r *Request) bool {
	ctx, found := r.lookup(c.Key)
	if c.fam == famNull {
		absent := !found || len(ctx) == 0
		return strings.EqualFold(c.Values[0], "true") == absent
	}
	if !found || len(ctx) == 0 {
		switch {
		case c.ifExists:
			return true
		case c.set == setAll:
			return true // every one of no values matches
		case c.set == setAny:
			return false
		}
		return c.negated
	}
	if c.fam == famIP {
		return c.evalIP(ctx)
	}
	values := c.Values
	if c.vars {
		values = c.resolve(r)
	}
	switch c.set {
	case setAll:
		for _, v := range ctx {
			if c.matchOne(v, values) == c.negated {
				return false
			}
		}
		return true
	case setAny:
		for _, v := range ctx {
			if c.matchOne(v, values) != c.negated {
				return true
			}
		}
		return false
	}
	// A key without a set qualifier: positive operators match when any value does, negated
	// operators when none does.
	for _, v := range ctx {
		if c.matchOne(v, values) {
			return !c.negated
		}
	}
	return c.negated
}

// evalIP decides an IpAddress or NotIpAddress condition with the blocks parsed once.
func (c *Condition) evalIP(ctx []string) bool {
	in := func(v string) bool {
		addr, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		addr = addr.Unmap()
		for _, p := range c.prefixes {
			if p.Contains(addr) {
				return true
			}
		}
		return false
	}
	switch c.set {
	case setAll:
		for _, v := range ctx {
			if in(v) == c.negated {
				return false
			}
		}
		return true
	case setAny:
		for _, v := range ctx {
			if in(v) != c.negated {
				return true
			}
		}
		return false
	}
	for _, v := range ctx {
		if in(v) {
			return !c.negated
		}
	}
	return c.negated
}

// resolve substitutes policy variables in the values; values whose variables have no value drop out.
func (c *Condition) resolve(r *Request) []string {
	out := make([]string, 0, len(c.Values))
	pat := c.cmp == cmpLike
	for _, v := range c.Values {
		if s, ok := substitute(v, r, pat); ok {
			out = append(out, s)
		}
	}
	return out
}

// matchOne reports whether one request value matches any of the policy's values.
func (c *Condition) matchOne(v string, values []string) bool {
	for _, pv := range values {
		if c.compare(v, pv) {
			return true
		}
	}
	return false
}

func (c *Condition) compare(v, pv string) bool {
	switch c.fam {
	case famString:
		switch c.cmp {
		case cmpEqFold:
			return strings.EqualFold(v, pv)
		case cmpLike:
			return glob(pv, v)
		}
		return v == pv
	case famNumeric:
		a, err1 := strconv.ParseFloat(v, 64)
		b, err2 := strconv.ParseFloat(pv, 64)
		return err1 == nil && err2 == nil && ordered(c.cmp, a, b)
	case famDate:
		a, ok1 := parseDate(v)
		b, ok2 := parseDate(pv)
		return ok1 && ok2 && ordered(c.cmp, float64(a.UnixNano()), float64(b.UnixNano()))
	case famBool:
		return strings.EqualFold(v, pv)
	case famBinary:
		a, err1 := base64.StdEncoding.DecodeString(v)
		b, err2 := base64.StdEncoding.DecodeString(pv)
		return err1 == nil && err2 == nil && bytes.Equal(a, b)
	case famIP:
		addr, err := netip.ParseAddr(v)
		pfx, ok := parseCIDR(pv)
		return err == nil && ok && pfx.Contains(addr.Unmap())
	case famARN:
		return strings.Count(v, ":") >= 5 && matchResource(pv, v)
	}
	return false
}

func ordered(c cmp, a, b float64) bool {
	switch c {
	case cmpEq:
		return a == b
	case cmpLt:
		return a < b
	case cmpLe:
		return a <= b
	case cmpGt:
		return a > b
	case cmpGe:
		return a >= b
	}
	return false
}

// parseDate reads a date as IAM accepts it: ISO 8601 (with or without time and zone) or epoch seconds.
func parseDate(s string) (time.Time, bool) {
	if n, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "-:T") {
		if math.IsInf(n, 0) || math.IsNaN(n) || math.Abs(n) > 1e12 {
			return time.Time{}, false
		}
		sec, frac := math.Modf(n)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseCIDR reads an address or a CIDR block.
func parseCIDR(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), true
	}
	return netip.Prefix{}, false
}
