package filter

import (
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// cmp is one comparison of a value with a pattern's operand: a number, a string that may hold *
// wildcards, or a regular expression.
type cmp struct {
	op    string // = != < <= > >=
	str   string
	num   float64
	isNum bool
	re    *regexp.Regexp
}

// operand reads the operand after op.
func (l *lexer) operand(op string) (cmp, error) {
	t, err := l.next()
	if err != nil {
		return cmp{}, err
	}
	c := cmp{op: op}
	switch t.kind {
	case tString:
		c.str = t.text
	case tRegex:
		rt, err := compileRegex(l, t)
		if err != nil {
			return cmp{}, err
		}
		c.re = rt.re
	case tWord:
		c.str = t.text
		if n, err := strconv.ParseFloat(t.text, 64); err == nil && !math.IsInf(n, 0) && !math.IsNaN(n) {
			c.num, c.isNum = n, true
		}
	default:
		return cmp{}, l.fail(t.pos, "a value is missing after "+op)
	}
	if op != "=" && op != "!=" && !c.isNum {
		return cmp{}, l.fail(t.pos, op+" compares numbers only")
	}
	return c, nil
}

// equal reports whether a string equals the operand (its wildcards, its expression).
func (c *cmp) equalString(s string) bool {
	if c.re != nil {
		return c.re.MatchString(s)
	}
	return glob(c.str, s)
}

// number applies a numeric comparison.
func (c *cmp) number(n float64) bool {
	switch c.op {
	case "=":
		return n == c.num
	case "!=":
		return n != c.num
	case "<":
		return n < c.num
	case "<=":
		return n <= c.num
	case ">":
		return n > c.num
	}
	return n >= c.num
}

// field compares a space-delimited field, read as a number where the operand is one.
func (c *cmp) field(s string) bool {
	if c.isNum {
		if n, err := strconv.ParseFloat(s, 64); err == nil {
			return c.number(n)
		}
		if c.op != "=" && c.op != "!=" {
			return false
		}
	}
	return c.equalString(s) == (c.op == "=")
}

// json compares a JSON value: numbers with numbers, strings with strings; a value of another
// type equals nothing.
func (c *cmp) json(v any) bool {
	switch x := v.(type) {
	case json.Number:
		if c.isNum {
			n, err := x.Float64()
			return err == nil && c.number(n)
		}
		if c.op == "=" || c.op == "!=" {
			return c.equalString(x.String()) == (c.op == "=")
		}
		return false
	case string:
		if c.op != "=" && c.op != "!=" {
			return false
		}
		return c.equalString(x) == (c.op == "=")
	}
	return c.op == "!="
}

// glob matches s against a pattern whose * match any run of characters.
func glob(pattern, s string) bool {
	if !strings.Contains(pattern, "*") {
		return pattern == s
	}
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}
