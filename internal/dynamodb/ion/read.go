package ion

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gureum/gureum/internal/dynamodb/attr"
)

// maxDepth bounds the nesting of containers, as DynamoDB bounds an item's (32 levels) with
// room to spare, so a hostile file cannot exhaust the stack.
const maxDepth = 100

// SyntaxError is a value the reader cannot take, with the line it begins on.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("ion: line %d: %s", e.Line, e.Msg) }

// Values calls fn with each top-level value of an Ion text stream, as an attribute value
// (a struct is an M), skipping the version marker and local symbol tables. A value it cannot
// read is reported to fn as an error, and reading goes on at the next line (DynamoDB writes
// one value a line). Values returns fn's first error.
func Values(data []byte, fn func(attr.Value, error) error) error {
	r := &reader{data: data, line: 1}
	for {
		if err := r.space(); err != nil {
			if err := fn(attr.Value{}, err); err != nil {
				return err
			}
			r.skipLine()
			continue
		}
		if r.pos >= len(r.data) {
			return nil
		}
		start := r.line
		v, skip, err := r.topValue()
		if err != nil {
			if err := fn(attr.Value{}, err); err != nil {
				return err
			}
			if r.line == start {
				r.skipLine()
			}
			continue
		}
		if skip {
			continue
		}
		if err := fn(v, nil); err != nil {
			return err
		}
	}
}

type reader struct {
	data  []byte
	pos   int
	line  int
	depth int
}

func (r *reader) errorf(format string, args ...any) error {
	return &SyntaxError{Line: r.line, Msg: fmt.Sprintf(format, args...)}
}

func (r *reader) skipLine() {
	for r.pos < len(r.data) {
		c := r.data[r.pos]
		r.pos++
		if c == '\n' {
			r.line++
			return
		}
	}
}

// space skips white space and comments.
func (r *reader) space() error {
	for r.pos < len(r.data) {
		c := r.data[r.pos]
		switch {
		case c == '\n':
			r.line++
			r.pos++
		case c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f':
			r.pos++
		case c == '/' && r.peek(1) == '/':
			for r.pos < len(r.data) && r.data[r.pos] != '\n' {
				r.pos++
			}
		case c == '/' && r.peek(1) == '*':
			end := bytes.Index(r.data[r.pos+2:], []byte("*/"))
			if end < 0 {
				r.pos = len(r.data)
				return r.errorf("unterminated comment")
			}
			r.line += bytes.Count(r.data[r.pos:r.pos+2+end], []byte("\n"))
			r.pos += end + 4
		default:
			return nil
		}
	}
	return nil
}

func (r *reader) peek(off int) byte {
	if r.pos+off < len(r.data) {
		return r.data[r.pos+off]
	}
	return 0
}

// topValue reads a top-level value; skip reports a system value (the version marker or a
// symbol table).
func (r *reader) topValue() (v attr.Value, skip bool, err error) {
	if r.identifierAhead() {
		save, line := r.pos, r.line
		sym := r.identifier()
		if sym == VersionMarker {
			return attr.Value{}, true, nil
		}
		r.pos, r.line = save, line
	}
	annots, err := r.annotations()
	if err != nil {
		return attr.Value{}, false, err
	}
	for _, a := range annots {
		if a == "$ion_symbol_table" {
			_, err := r.value(nil)
			return attr.Value{}, err == nil, err
		}
	}
	v, err = r.value(annots)
	return v, false, err
}

func (r *reader) identifierAhead() bool {
	if r.pos >= len(r.data) {
		return false
	}
	c := r.data[r.pos]
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func (r *reader) identifier() string {
	start := r.pos
	for r.pos < len(r.data) {
		c := r.data[r.pos]
		if !(c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			break
		}
		r.pos++
	}
	return string(r.data[start:r.pos])
}

// annotations reads any `name::` prefixes of a value.
func (r *reader) annotations() ([]string, error) {
	var out []string
	for {
		save, line := r.pos, r.line
		var sym string
		switch {
		case r.identifierAhead():
			sym = r.identifier()
		case r.peek(0) == '\'' && !r.longQuoteAhead():
			s, err := r.quoted('\'')
			if err != nil {
				return nil, err
			}
			sym = s
		default:
			return out, nil
		}
		if err := r.space(); err != nil {
			return nil, err
		}
		if r.peek(0) != ':' || r.peek(1) != ':' {
			r.pos, r.line = save, line
			return out, nil
		}
		r.pos += 2
		out = append(out, sym)
		if err := r.space(); err != nil {
			return nil, err
		}
	}
}

func (r *reader) longQuoteAhead() bool {
	return r.peek(0) == '\'' && r.peek(1) == '\'' && r.peek(2) == '\''
}

// value reads one value (after its annotations) as an attribute value.
func (r *reader) value(annots []string) (attr.Value, error) {
	if r.pos >= len(r.data) {
		return attr.Value{}, r.errorf("a value was expected")
	}
	set := attr.Invalid
	for _, a := range annots {
		switch a {
		case annotSS:
			set = attr.SS
		case annotNS:
			set = attr.NS
		case annotBS:
			set = attr.BS
		}
	}
	c := r.data[r.pos]
	switch {
	case c == '{' && r.peek(1) == '{':
		b, err := r.blob()
		return attr.Bin(b), err
	case c == '{':
		return r.structure()
	case c == '[':
		if set != attr.Invalid {
			return r.set(set)
		}
		l, err := r.list()
		return attr.Value{Kind: attr.L, L: l}, err
	case c == '(':
		return attr.Value{}, r.errorf("s-expressions have no DynamoDB type")
	case c == '"' || r.longQuoteAhead():
		s, err := r.str()
		return attr.Str(s), err
	case c == '\'':
		return attr.Value{}, r.errorf("symbols have no DynamoDB type")
	case c == '-' || c == '+' || c >= '0' && c <= '9':
		n, err := r.number()
		return attr.Num(n), err
	case r.identifierAhead():
		return r.keyword()
	}
	return attr.Value{}, r.errorf("unexpected character %q", c)
}

// keyword reads true, false, null, null.<type>; nan and other symbols are refused.
func (r *reader) keyword() (attr.Value, error) {
	w := r.identifier()
	switch w {
	case "true", "false":
		return attr.Value{Kind: attr.BOOL, Bool: w == "true"}, nil
	case "null":
		if r.peek(0) == '.' {
			r.pos++
			switch t := r.identifier(); t {
			case "null", "bool", "int", "float", "decimal", "timestamp", "symbol", "string", "clob", "blob", "list", "sexp", "struct":
			default:
				return attr.Value{}, r.errorf("unknown typed null null.%s", t)
			}
		}
		return attr.Value{Kind: attr.NULL, Bool: true}, nil
	case "nan":
		return attr.Value{}, r.errorf("nan is not a DynamoDB number")
	}
	return attr.Value{}, r.errorf("symbol %s has no DynamoDB type", w)
}

func (r *reader) enter() error {
	r.depth++
	if r.depth > maxDepth {
		return r.errorf("values are nested more than %d deep", maxDepth)
	}
	return nil
}

// structure reads a struct as an M.
func (r *reader) structure() (attr.Value, error) {
	if err := r.enter(); err != nil {
		return attr.Value{}, err
	}
	defer func() { r.depth-- }()
	r.pos++
	m := map[string]attr.Value{}
	for {
		if err := r.space(); err != nil {
			return attr.Value{}, err
		}
		if r.peek(0) == '}' {
			r.pos++
			return attr.Value{Kind: attr.M, M: m}, nil
		}
		name, err := r.fieldName()
		if err != nil {
			return attr.Value{}, err
		}
		if err := r.space(); err != nil {
			return attr.Value{}, err
		}
		if r.peek(0) != ':' || r.peek(1) == ':' {
			return attr.Value{}, r.errorf("':' was expected after field %q", name)
		}
		r.pos++
		v, err := r.element()
		if err != nil {
			return attr.Value{}, err
		}
		if _, dup := m[name]; dup {
			return attr.Value{}, r.errorf("field %q appears twice", name)
		}
		m[name] = v
		if err := r.separator('}'); err != nil {
			return attr.Value{}, err
		}
	}
}

// element reads a value with its annotations inside a container.
func (r *reader) element() (attr.Value, error) {
	if err := r.space(); err != nil {
		return attr.Value{}, err
	}
	annots, err := r.annotations()
	if err != nil {
		return attr.Value{}, err
	}
	return r.value(annots)
}

// separator reads the ',' after an element, or sees the container's end.
func (r *reader) separator(end byte) error {
	if err := r.space(); err != nil {
		return err
	}
	switch r.peek(0) {
	case ',':
		r.pos++
		return nil
	case end:
		return nil
	}
	if r.pos >= len(r.data) {
		return r.errorf("the value is not closed")
	}
	return r.errorf("',' or %q was expected, not %q", end, r.data[r.pos])
}

func (r *reader) fieldName() (string, error) {
	switch {
	case r.peek(0) == '"' || r.longQuoteAhead():
		return r.str()
	case r.peek(0) == '\'':
		return r.quoted('\'')
	case r.identifierAhead():
		return r.identifier(), nil
	}
	if r.pos >= len(r.data) {
		return "", r.errorf("the struct is not closed")
	}
	return "", r.errorf("a field name was expected, not %q", r.data[r.pos])
}

// list reads the elements of a list.
func (r *reader) list() ([]attr.Value, error) {
	if err := r.enter(); err != nil {
		return nil, err
	}
	defer func() { r.depth-- }()
	r.pos++
	out := []attr.Value{}
	for {
		if err := r.space(); err != nil {
			return nil, err
		}
		if r.peek(0) == ']' {
			r.pos++
			return out, nil
		}
		v, err := r.element()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		if err := r.separator(']'); err != nil {
			return nil, err
		}
	}
}

// set reads an annotated list as a DynamoDB set; its elements must all be of the set's type.
func (r *reader) set(k attr.Kind) (attr.Value, error) {
	line := r.line
	elems, err := r.list()
	if err != nil {
		return attr.Value{}, err
	}
	want := map[attr.Kind]attr.Kind{attr.SS: attr.S, attr.NS: attr.N, attr.BS: attr.B}[k]
	var strs []string
	var bins [][]byte
	for _, e := range elems {
		if e.Kind != want {
			return attr.Value{}, &SyntaxError{Line: line, Msg: fmt.Sprintf("a %s holds a %s", k, e.Kind)}
		}
		if k == attr.BS {
			bins = append(bins, e.B)
		} else {
			strs = append(strs, e.S)
		}
	}
	return attr.NewSet(k, strs, bins), nil
}

// blob reads {{ base64 }}; a clob ({{ "..." }}) is refused.
func (r *reader) blob() ([]byte, error) {
	r.pos += 2
	end := bytes.Index(r.data[r.pos:], []byte("}}"))
	if end < 0 {
		return nil, r.errorf("the blob is not closed")
	}
	body := r.data[r.pos : r.pos+end]
	r.line += bytes.Count(body, []byte("\n"))
	r.pos += end + 2
	var b64 []byte
	for _, c := range body {
		switch {
		case c == '"' || c == '\'':
			return nil, r.errorf("clobs have no DynamoDB type")
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
		default:
			b64 = append(b64, c)
		}
	}
	out, err := base64.StdEncoding.DecodeString(string(b64))
	if err != nil {
		return nil, r.errorf("the blob is not base64: %v", err)
	}
	return out, nil
}

// str reads a string: one in double quotes, or one or more long strings in triple quotes,
// which Ion joins.
func (r *reader) str() (string, error) {
	if r.peek(0) == '"' {
		return r.quoted('"')
	}
	var b strings.Builder
	for {
		r.pos += 3
		s, err := r.long()
		if err != nil {
			return "", err
		}
		b.WriteString(s)
		save, line := r.pos, r.line
		if err := r.space(); err != nil {
			return "", err
		}
		if !r.longQuoteAhead() {
			r.pos, r.line = save, line
			return b.String(), nil
		}
	}
}

// long reads the rest of a triple-quoted string.
func (r *reader) long() (string, error) {
	var b []byte
	for {
		if r.pos >= len(r.data) {
			return "", r.errorf("the long string is not closed")
		}
		c := r.data[r.pos]
		switch {
		case r.longQuoteAhead():
			r.pos += 3
			return r.text(b)
		case c == '\\':
			var err error
			if b, err = r.escape(b); err != nil {
				return "", err
			}
		default:
			if c == '\n' {
				r.line++
			}
			b = append(b, c)
			r.pos++
		}
	}
}

// quoted reads a string or symbol in q quotes, on one line.
func (r *reader) quoted(q byte) (string, error) {
	r.pos++
	var b []byte
	for {
		if r.pos >= len(r.data) || r.data[r.pos] == '\n' {
			return "", r.errorf("the quoted text is not closed")
		}
		c := r.data[r.pos]
		switch c {
		case q:
			r.pos++
			return r.text(b)
		case '\\':
			var err error
			if b, err = r.escape(b); err != nil {
				return "", err
			}
		default:
			b = append(b, c)
			r.pos++
		}
	}
}

func (r *reader) text(b []byte) (string, error) {
	if !utf8.Valid(b) {
		return "", r.errorf("the text is not UTF-8")
	}
	return string(b), nil
}

// escape reads one backslash escape and appends what it stands for.
func (r *reader) escape(b []byte) ([]byte, error) {
	r.pos++
	if r.pos >= len(r.data) {
		return nil, r.errorf("the escape is not complete")
	}
	c := r.data[r.pos]
	r.pos++
	simple := map[byte]byte{'a': 7, 'b': 8, 't': '\t', 'n': '\n', 'f': '\f', 'r': '\r', 'v': '\v',
		'?': '?', '0': 0, '\'': '\'', '"': '"', '/': '/', '\\': '\\'}
	if s, ok := simple[c]; ok {
		return append(b, s), nil
	}
	var digits int
	switch c {
	case '\n':
		r.line++
		return b, nil // a line continuation
	case 'x':
		digits = 2
	case 'u':
		digits = 4
	case 'U':
		digits = 8
	default:
		return nil, r.errorf("unknown escape \\%c", c)
	}
	if r.pos+digits > len(r.data) {
		return nil, r.errorf("the escape is not complete")
	}
	n, err := strconv.ParseUint(string(r.data[r.pos:r.pos+digits]), 16, 32)
	if err != nil {
		return nil, r.errorf("bad escape \\%c%s", c, r.data[r.pos:r.pos+digits])
	}
	r.pos += digits
	if !utf8.ValidRune(rune(n)) {
		return nil, r.errorf("the escape names no character")
	}
	return utf8.AppendRune(b, rune(n)), nil
}

// number reads an int, decimal or float as the text of a DynamoDB number.
func (r *reader) number() (string, error) {
	start := r.pos
	for r.pos < len(r.data) {
		c := r.data[r.pos]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' || c == '_' || c == '+' || c == '-') {
			break
		}
		r.pos++
	}
	tok := string(r.data[start:r.pos])
	s, err := numberText(tok)
	if err != nil {
		return "", r.errorf("%s: %v", tok, err)
	}
	n, err := attr.ParseNumber(s)
	if err != nil {
		return "", r.errorf("%s: %v", tok, err)
	}
	return n.String(), nil
}

var errNumber = errors.New("not an Ion number")

// numberText turns an Ion numeric literal into text attr.ParseNumber reads.
func numberText(tok string) (string, error) {
	switch tok {
	case "+inf", "-inf":
		return "", errors.New("infinity is not a DynamoDB number")
	}
	neg := strings.HasPrefix(tok, "-")
	body := strings.TrimPrefix(tok, "-")
	if body == "" || body[0] == '_' || body[len(body)-1] == '_' || strings.Contains(body, "__") {
		return "", errNumber
	}
	lower := strings.ToLower(body)
	if strings.HasPrefix(lower, "0x") || strings.HasPrefix(lower, "0b") {
		base := 16
		if lower[1] == 'b' {
			base = 2
		}
		digits := strings.ReplaceAll(body[2:], "_", "")
		n, ok := new(big.Int).SetString(digits, base)
		if !ok || digits == "" || digits[0] == '+' || digits[0] == '-' {
			return "", errNumber
		}
		if neg {
			n.Neg(n)
		}
		return n.String(), nil
	}
	body = strings.ReplaceAll(body, "_", "")
	mant, exp, hasExp := strings.Cut(strings.NewReplacer("d", "e", "D", "e", "E", "e").Replace(body), "e")
	intPart, _, _ := strings.Cut(mant, ".")
	if intPart == "" || len(intPart) > 1 && intPart[0] == '0' || strings.ContainsAny(mant, "+-") {
		return "", errNumber // Ion: no leading zeros, digits before the point
	}
	for _, c := range mant {
		if c != '.' && (c < '0' || c > '9') {
			return "", errNumber
		}
	}
	if hasExp && (exp == "" || strings.ContainsAny(exp[1:], "+-")) {
		return "", errNumber
	}
	out := mant
	if hasExp {
		out += "e" + exp
	}
	if neg {
		return "-" + out, nil
	}
	return out, nil
}
