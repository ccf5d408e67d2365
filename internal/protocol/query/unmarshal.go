package query

import (
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/protocol/scalar"
)

// Unmarshal fills the struct pointed to by v from query parameters, following the query
// protocol's serialisation:
//
//   - scalars: Name=value
//   - nested structures: Name.Member=value
//   - lists: Name.member.N (or Name.N when the field's tag says "flat")
//   - maps: Name.entry.N.key / Name.entry.N.value (or Name.N.<key>/<value> when "flat")
//
// Field tags: `query:"Name,flat,key=Name,value=Value"`; the name defaults to the Go field's.
// Indices start at 1. A value that does not parse for its field is a validation error.
func Unmarshal(form url.Values, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		panic("query.Unmarshal: want a pointer to a struct")
	}
	return decodeStruct(newParams(form), "", rv.Elem())
}

// params is a form with its names sorted, so that finding the parameters under a prefix is a
// binary search rather than a walk over the whole form for every field of every list entry (which
// made a form of many entries quadratic).
type params struct {
	url.Values
	keys []string
}

func newParams(form url.Values) *params {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return &params{form, keys}
}

// under returns the sorted names that start with prefix.
func (p *params) under(prefix string) []string {
	i := sort.SearchStrings(p.keys, prefix)
	j := i
	for j < len(p.keys) && strings.HasPrefix(p.keys[j], prefix) {
		j++
	}
	return p.keys[i:j]
}

type fieldTag struct {
	name       string
	flat       bool
	key, value string
}

func parseTag(f reflect.StructField) (fieldTag, bool) {
	t := fieldTag{name: f.Name, key: "key", value: "value"}
	tag, ok := f.Tag.Lookup("query")
	if tag == "-" {
		return t, false
	}
	if ok {
		parts := strings.Split(tag, ",")
		if parts[0] != "" {
			t.name = parts[0]
		}
		for _, p := range parts[1:] {
			switch {
			case p == "flat":
				t.flat = true
			case strings.HasPrefix(p, "key="):
				t.key = p[4:]
			case strings.HasPrefix(p, "value="):
				t.value = p[6:]
			}
		}
	}
	return t, true
}

func decodeStruct(form *params, prefix string, v reflect.Value) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag, ok := parseTag(f)
		if !ok {
			continue
		}
		if err := decodeValue(form, prefix+tag.name, tag, v.Field(i)); err != nil {
			return err
		}
	}
	return nil
}

func decodeValue(form *params, name string, tag fieldTag, v reflect.Value) error {
	switch v.Kind() {
	case reflect.Pointer:
		if !present(form, name) {
			return nil
		}
		elem := reflect.New(v.Type().Elem())
		if err := decodeValue(form, name, tag, elem.Elem()); err != nil {
			return err
		}
		v.Set(elem)
		return nil
	case reflect.Struct:
		return decodeStruct(form, name+".", v)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return decodeScalar(form, name, v)
		}
		return decodeList(form, name, tag, v)
	case reflect.Map:
		return decodeMap(form, name, tag, v)
	}
	return decodeScalar(form, name, v)
}

// present reports whether any parameter is name or starts with name + ".".
func present(form *params, name string) bool {
	if _, ok := form.Values[name]; ok {
		return true
	}
	return len(form.under(name+".")) > 0
}

// indices returns the sorted list indices N that appear as prefix.N or prefix.N.*.
func indices(form *params, prefix string) ([]int, error) {
	seen := map[int]bool{}
	for _, k := range form.under(prefix + ".") {
		rest := k[len(prefix)+1:]
		num, _, _ := strings.Cut(rest, ".")
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 {
			return nil, awserr.New(awserr.Validation, "%s%s is not a valid list index.", prefix+".", num)
		}
		seen[n] = true
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	return out, nil
}

func decodeList(form *params, name string, tag fieldTag, v reflect.Value) error {
	prefix := name + ".member"
	if tag.flat {
		prefix = name
	}
	idx, err := indices(form, prefix)
	if err != nil || len(idx) == 0 {
		return err
	}
	list := reflect.MakeSlice(v.Type(), len(idx), len(idx))
	for i, n := range idx {
		if err := decodeValue(form, prefix+"."+strconv.Itoa(n), fieldTag{key: "key", value: "value"}, list.Index(i)); err != nil {
			return err
		}
	}
	v.Set(list)
	return nil
}

func decodeMap(form *params, name string, tag fieldTag, v reflect.Value) error {
	prefix := name + ".entry"
	if tag.flat {
		prefix = name
	}
	idx, err := indices(form, prefix)
	if err != nil || len(idx) == 0 {
		return err
	}
	m := reflect.MakeMapWithSize(v.Type(), len(idx))
	for _, n := range idx {
		entry := prefix + "." + strconv.Itoa(n) + "."
		key := form.Get(entry + tag.key)
		if key == "" {
			return awserr.New(awserr.Validation, "%s%s is required.", entry, tag.key)
		}
		val := reflect.New(v.Type().Elem()).Elem()
		if err := decodeValue(form, entry+tag.value, fieldTag{key: "key", value: "value"}, val); err != nil {
			return err
		}
		m.SetMapIndex(reflect.ValueOf(key).Convert(v.Type().Key()), val)
	}
	v.Set(m)
	return nil
}

func decodeScalar(form *params, name string, v reflect.Value) error {
	vals, ok := form.Values[name]
	if !ok {
		return nil
	}
	if !scalar.Set(v, vals[0]) {
		return awserr.New(awserr.Validation, "Value %q for parameter %s is invalid.", vals[0], name)
	}
	return nil
}
