package attr

import (
	"math/big"
	"strings"
)

// Number is a DynamoDB number: up to 38 significant decimal digits, magnitude from 1E-130 to
// below 1E+126. Its value is 0.Digits × 10^Exp (Digits without leading or trailing zeros), or
// zero when Digits is empty.
type Number struct {
	Neg    bool
	Digits string
	Exp    int
}

// Number errors, with DynamoDB's texts.
const (
	msgNotNumeric = "The parameter cannot be converted to a numeric value"
	msgPrecision  = "Attempting to store more than 38 significant digits in a Number"
	msgOverflow   = "Number overflow. Attempting to store a number with magnitude larger than supported range"
	msgUnderflow  = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
)

// NumberError is a number DynamoDB refuses; its text is DynamoDB's.
type NumberError struct{ Msg string }

func (e *NumberError) Error() string { return e.Msg }

// ParseNumber reads a number as DynamoDB accepts it: an optional sign, digits with an optional
// point, an optional exponent.
func ParseNumber(s string) (Number, error) {
	if s == "" {
		return Number{}, &NumberError{msgNotNumeric}
	}
	bad := &NumberError{msgNotNumeric + ": " + s}
	var n Number
	t := s
	if t[0] == '+' || t[0] == '-' {
		n.Neg = t[0] == '-'
		t = t[1:]
	}
	mant, exps, hasExp := strings.Cut(strings.ReplaceAll(t, "E", "e"), "e")
	exp := 0
	if hasExp {
		e := exps
		neg := false
		if e != "" && (e[0] == '+' || e[0] == '-') {
			neg = e[0] == '-'
			e = e[1:]
		}
		if e == "" || len(e) > 6 {
			return Number{}, bad
		}
		for _, c := range e {
			if c < '0' || c > '9' {
				return Number{}, bad
			}
			exp = exp*10 + int(c-'0')
		}
		if neg {
			exp = -exp
		}
	}
	ip, fp, _ := strings.Cut(mant, ".")
	if ip == "" && fp == "" {
		return Number{}, bad
	}
	for _, c := range ip + fp {
		if c < '0' || c > '9' {
			return Number{}, bad
		}
	}
	digits := ip + fp
	point := len(ip) + exp
	i := 0
	for i < len(digits) && digits[i] == '0' {
		i++
	}
	digits, point = digits[i:], point-i
	digits = strings.TrimRight(digits, "0")
	if digits == "" {
		return Number{}, nil
	}
	if len(digits) > 38 {
		return Number{}, &NumberError{msgPrecision}
	}
	if point > 126 {
		return Number{}, &NumberError{msgOverflow}
	}
	if point < -129 {
		return Number{}, &NumberError{msgUnderflow}
	}
	n.Digits, n.Exp = digits, point
	return n, nil
}

// IsZero reports whether n is zero.
func (n Number) IsZero() bool { return n.Digits == "" }

// String is the canonical form DynamoDB answers: never an exponent.
func (n Number) String() string {
	if n.Digits == "" {
		return "0"
	}
	var b strings.Builder
	if n.Neg {
		b.WriteByte('-')
	}
	d, e := n.Digits, n.Exp
	switch {
	case e >= len(d):
		b.WriteString(d)
		b.WriteString(strings.Repeat("0", e-len(d)))
	case e > 0:
		b.WriteString(d[:e])
		b.WriteByte('.')
		b.WriteString(d[e:])
	default:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -e))
		b.WriteString(d)
	}
	return b.String()
}

// Key is an encoding of n whose byte order is numeric order.
func (n Number) Key() []byte {
	if n.Digits == "" {
		return []byte{0x02}
	}
	e := uint16(n.Exp + 1000)
	if !n.Neg {
		out := make([]byte, 0, 3+len(n.Digits))
		out = append(out, 0x03, byte(e>>8), byte(e))
		return append(out, n.Digits...)
	}
	e = ^e
	out := make([]byte, 0, 4+len(n.Digits))
	out = append(out, 0x01, byte(e>>8), byte(e))
	for i := 0; i < len(n.Digits); i++ {
		out = append(out, 0xff-n.Digits[i])
	}
	return append(out, 0xff)
}

// Compare orders two numbers: -1, 0 or 1.
func (n Number) Compare(m Number) int {
	a, b := n.Key(), m.Key()
	return strings.Compare(string(a), string(b))
}

// rat returns n as an integer mantissa and a power of ten.
func (n Number) rat() (*big.Int, int) {
	if n.Digits == "" {
		return new(big.Int), 0
	}
	i, _ := new(big.Int).SetString(n.Digits, 10)
	if n.Neg {
		i.Neg(i)
	}
	return i, n.Exp - len(n.Digits)
}

// Add returns n+m (m negated when sub), or the error DynamoDB gives when the result cannot be
// stored.
func (n Number) Add(m Number, sub bool) (Number, error) {
	a, ea := n.rat()
	b, eb := m.rat()
	if sub {
		b.Neg(b)
	}
	ten := big.NewInt(10)
	for ea > eb {
		a.Mul(a, ten)
		ea--
	}
	for eb > ea {
		b.Mul(b, ten)
		eb--
	}
	sum := a.Add(a, b)
	s := sum.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	digits := strings.TrimLeft(s, "0")
	trimmed := strings.TrimRight(digits, "0")
	if trimmed == "" {
		return Number{}, nil
	}
	point := len(digits) + ea
	if point > 126 {
		return Number{}, &NumberError{msgOverflow}
	}
	if len(trimmed) > 38 {
		return Number{}, &NumberError{"Number overflow. Attempting to store a number with magnitude larger than supported range"}
	}
	if point < -129 {
		return Number{}, &NumberError{msgUnderflow}
	}
	return Number{Neg: neg, Digits: trimmed, Exp: point}, nil
}

// size is the number's size as DynamoDB counts it.
func (n Number) size() int {
	if n.Digits == "" {
		return 1
	}
	s := 1 + (len(n.Digits)+1)/2
	if n.Neg {
		s++
	}
	return s
}
