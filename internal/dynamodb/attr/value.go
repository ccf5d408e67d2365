// Package attr holds DynamoDB's attribute values: the ten types, their JSON form on the wire,
// numbers with DynamoDB's 38-digit decimal semantics, equality and order, item sizes as DynamoDB
// counts them, and the byte encodings of key values whose order is DynamoDB's.
package attr

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"strings"
)

// Kind is an attribute value's type.
type Kind uint8

const (
	Invalid Kind = iota
	S
	N
	B
	BOOL
	NULL
	M
	L
	SS
	NS
	BS
)

var kindNames = [...]string{"", "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"}

func (k Kind) String() string { return kindNames[k] }

// KindOf returns the kind named s ("S", "NS", …), Invalid when none.
func KindOf(s string) Kind {
	for i, n := range kindNames {
		if i > 0 && n == s {
			return Kind(i)
		}
	}
	return Invalid
}

// Value is one attribute value. S holds the string of S and the canonical text of N; B the bytes
// of B; Set the elements of SS and NS (NS canonical); BSet those of BS.
type Value struct {
	Kind Kind
	S    string
	B    []byte
	Bool bool
	L    []Value
	M    map[string]Value
	Set  []string
	BSet [][]byte
	// bad holds why a decoded value is invalid (DynamoDB's ValidationException text); Check reports it.
	bad string
}

// Item is an item: attribute names to values.
type Item = map[string]Value

// Str, Num, Bin build values.
func Str(s string) Value { return Value{Kind: S, S: s} }
func Num(s string) Value { return Value{Kind: N, S: s} }
func Bin(b []byte) Value { return Value{Kind: B, B: b} }

// Number returns the value of an N (zero for anything else).
func (v Value) Number() Number {
	n, _ := ParseNumber(v.S)
	return n
}

// Validation texts.
const (
	msgEmpty    = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
	msgMultiple = "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
	msgNull     = "One or more parameter values were invalid: Null attribute value types must have the value of true"
	msgEmptySet = "One or more parameter values were invalid: An string set  may not be empty"
	msgDupes    = "Input collection contains duplicates"
)

// UnmarshalJSON reads DynamoDB JSON. A value DynamoDB refuses as invalid (rather than as
// malformed) decodes without error and is reported by Check, as a ValidationException.
func (v *Value) UnmarshalJSON(data []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	*v = Value{}
	if len(m) == 0 {
		v.bad = msgEmpty
		return nil
	}
	if len(m) > 1 {
		v.bad = msgMultiple
		return nil
	}
	for k, raw := range m {
		return v.decode(k, raw)
	}
	return nil
}

func (v *Value) decode(k string, raw json.RawMessage) error {
	switch k {
	case "S":
		v.Kind = S
		return json.Unmarshal(raw, &v.S)
	case "N":
		v.Kind = N
		if err := json.Unmarshal(raw, &v.S); err != nil {
			return err
		}
		n, err := ParseNumber(v.S)
		if err != nil {
			v.bad = err.Error()
		}
		v.S = n.String()
	case "B":
		v.Kind = B
		return json.Unmarshal(raw, &v.B)
	case "BOOL":
		v.Kind = BOOL
		return json.Unmarshal(raw, &v.Bool)
	case "NULL":
		v.Kind = NULL
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return err
		}
		if !b {
			v.bad = msgNull
		}
	case "M":
		v.Kind = M
		if err := json.Unmarshal(raw, &v.M); err != nil {
			return err
		}
		if v.M == nil {
			v.M = map[string]Value{}
		}
	case "L":
		v.Kind = L
		if err := json.Unmarshal(raw, &v.L); err != nil {
			return err
		}
		if v.L == nil {
			v.L = []Value{}
		}
	case "SS", "NS":
		v.Kind = KindOf(k)
		if err := json.Unmarshal(raw, &v.Set); err != nil {
			return err
		}
		return v.checkSet()
	case "BS":
		v.Kind = BS
		if err := json.Unmarshal(raw, &v.BSet); err != nil {
			return err
		}
		return v.checkSet()
	default:
		return errors.New("unknown attribute value type " + strconv.Quote(k))
	}
	return nil
}

// NewSet builds a set of kind SS, NS (elements in strs) or BS (in bins), its numbers made
// canonical; an empty set or duplicates are reported by Check, as for a set read from JSON.
func NewSet(k Kind, strs []string, bins [][]byte) Value {
	v := Value{Kind: k, Set: strs, BSet: bins}
	v.checkSet()
	return v
}

// checkSet normalises a set's numbers and notes an empty set or duplicates.
func (v *Value) checkSet() error {
	n := len(v.Set) + len(v.BSet)
	if n == 0 {
		v.bad = "One or more parameter values were invalid: An " + map[Kind]string{SS: "string", NS: "number", BS: "binary"}[v.Kind] + " set  may not be empty"
		return nil
	}
	if v.Kind == NS {
		for i, s := range v.Set {
			x, err := ParseNumber(s)
			if err != nil {
				v.bad = err.Error()
				return nil
			}
			v.Set[i] = x.String()
		}
	}
	seen := make(map[string]bool, n)
	for _, s := range v.Set {
		if seen[s] {
			v.bad = msgDupes
		}
		seen[s] = true
	}
	for _, b := range v.BSet {
		if seen[string(b)] {
			v.bad = msgDupes
		}
		seen[string(b)] = true
	}
	return nil
}

// Check reports the first invalid value within v, with DynamoDB's text ("" when valid).
func (v Value) Check() string {
	if v.Kind == Invalid && v.bad == "" {
		return msgEmpty
	}
	if v.bad != "" {
		return v.bad
	}
	for _, e := range v.L {
		if m := e.Check(); m != "" {
			return m
		}
	}
	for _, e := range v.M {
		if m := e.Check(); m != "" {
			return m
		}
	}
	return ""
}

// CheckItem reports the first invalid value of an item.
func CheckItem(it Item) string {
	for _, v := range it {
		if m := v.Check(); m != "" {
			return m
		}
	}
	return ""
}

// MarshalJSON writes DynamoDB JSON.
func (v Value) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	v.write(&b)
	return b.Bytes(), nil
}

func (v Value) write(b *bytes.Buffer) {
	b.WriteString(`{"`)
	b.WriteString(v.Kind.String())
	b.WriteString(`":`)
	switch v.Kind {
	case S, N:
		q, _ := json.Marshal(v.S)
		b.Write(q)
	case B:
		b.WriteByte('"')
		b.WriteString(base64.StdEncoding.EncodeToString(v.B))
		b.WriteByte('"')
	case BOOL, NULL:
		b.WriteString(strconv.FormatBool(v.Bool || v.Kind == NULL))
	case M:
		writeItem(b, v.M)
	case L:
		b.WriteByte('[')
		for i, e := range v.L {
			if i > 0 {
				b.WriteByte(',')
			}
			e.write(b)
		}
		b.WriteByte(']')
	case SS, NS:
		q, _ := json.Marshal(v.Set)
		b.Write(q)
	case BS:
		q, _ := json.Marshal(v.BSet)
		b.Write(q)
	default:
		b.WriteString("null")
	}
	b.WriteByte('}')
}

func writeItem(b *bytes.Buffer, it Item) {
	names := make([]string, 0, len(it))
	for k := range it {
		names = append(names, k)
	}
	sort.Strings(names)
	b.WriteByte('{')
	for i, k := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		q, _ := json.Marshal(k)
		b.Write(q)
		b.WriteByte(':')
		it[k].write(b)
	}
	b.WriteByte('}')
}

// EncodeItem is an item's DynamoDB JSON, attributes in name order.
func EncodeItem(it Item) []byte {
	var b bytes.Buffer
	writeItem(&b, it)
	return b.Bytes()
}

// Equal reports whether two values are equal as DynamoDB compares them: numbers by value, sets
// regardless of order.
func Equal(a, b Value) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case S:
		return a.S == b.S
	case N:
		return a.Number().Compare(b.Number()) == 0
	case B:
		return bytes.Equal(a.B, b.B)
	case BOOL:
		return a.Bool == b.Bool
	case NULL:
		return true
	case L:
		if len(a.L) != len(b.L) {
			return false
		}
		for i := range a.L {
			if !Equal(a.L[i], b.L[i]) {
				return false
			}
		}
		return true
	case M:
		if len(a.M) != len(b.M) {
			return false
		}
		for k, x := range a.M {
			y, ok := b.M[k]
			if !ok || !Equal(x, y) {
				return false
			}
		}
		return true
	case SS, NS, BS:
		as, bs := a.setKeys(), b.setKeys()
		if len(as) != len(bs) {
			return false
		}
		for k := range as {
			if !bs[k] {
				return false
			}
		}
		return true
	}
	return false
}

// setKeys returns a set's elements as comparable keys (numbers by value).
func (v Value) setKeys() map[string]bool {
	m := map[string]bool{}
	for _, s := range v.Set {
		if v.Kind == NS {
			n, _ := ParseNumber(s)
			s = string(n.Key())
		}
		m[s] = true
	}
	for _, b := range v.BSet {
		m[string(b)] = true
	}
	return m
}

// Compare orders two scalar values of one kind (S, N, B); ok is false for other kinds or
// mismatched ones.
func Compare(a, b Value) (int, bool) {
	if a.Kind != b.Kind {
		return 0, false
	}
	switch a.Kind {
	case S:
		return strings.Compare(a.S, b.S), true
	case N:
		return a.Number().Compare(b.Number()), true
	case B:
		return bytes.Compare(a.B, b.B), true
	}
	return 0, false
}

// KeyBytes is the encoding of a key value (S, N or B) whose byte order is DynamoDB's order.
func KeyBytes(v Value) []byte {
	switch v.Kind {
	case S:
		return []byte(v.S)
	case N:
		return v.Number().Key()
	case B:
		return v.B
	}
	return nil
}

// Size is a value's size as DynamoDB counts it toward the 400 KB item limit.
func (v Value) Size() int {
	switch v.Kind {
	case S:
		return len(v.S)
	case N:
		return v.Number().size()
	case B:
		return len(v.B)
	case BOOL, NULL:
		return 1
	case L:
		n := 3
		for _, e := range v.L {
			n += 1 + e.Size()
		}
		return n
	case M:
		n := 3
		for k, e := range v.M {
			n += 1 + len(k) + e.Size()
		}
		return n
	case SS:
		n := 0
		for _, s := range v.Set {
			n += len(s)
		}
		return n
	case NS:
		n := 0
		for _, s := range v.Set {
			x, _ := ParseNumber(s)
			n += x.size()
		}
		return n
	case BS:
		n := 0
		for _, b := range v.BSet {
			n += len(b)
		}
		return n
	}
	return 0
}

// ItemSize is an item's size: each attribute's name and value.
func ItemSize(it Item) int {
	n := 0
	for k, v := range it {
		n += len(k) + v.Size()
	}
	return n
}

// Clone returns a deep copy of v.
func (v Value) Clone() Value {
	c := v
	if v.L != nil {
		c.L = make([]Value, len(v.L))
		for i, e := range v.L {
			c.L[i] = e.Clone()
		}
	}
	if v.M != nil {
		c.M = CloneItem(v.M)
	}
	if v.Set != nil {
		c.Set = append([]string(nil), v.Set...)
	}
	if v.BSet != nil {
		c.BSet = append([][]byte(nil), v.BSet...)
	}
	return c
}

// CloneItem returns a deep copy of an item.
func CloneItem(it Item) Item {
	if it == nil {
		return nil
	}
	c := make(Item, len(it))
	for k, v := range it {
		c[k] = v.Clone()
	}
	return c
}

// Brief renders a value as DynamoDB's messages quote it: "{S:a}", "{N:1}".
func (v Value) Brief() string {
	switch v.Kind {
	case S, N:
		return "{" + v.Kind.String() + ":" + v.S + "}"
	case B:
		return "{B:" + base64.StdEncoding.EncodeToString(v.B) + "}"
	case BOOL:
		return "{BOOL:" + strconv.FormatBool(v.Bool) + "}"
	case NULL:
		return "{NULL:true}"
	}
	return "{" + v.Kind.String() + ":...}"
}

// Wire is an item as a response carries it: its DynamoDB JSON written in one pass, attributes
// in name order, rather than value by value through the response's encoder.
type Wire map[string]Value

// MarshalJSON writes the item's DynamoDB JSON.
func (w Wire) MarshalJSON() ([]byte, error) { return EncodeItem(Item(w)), nil }
