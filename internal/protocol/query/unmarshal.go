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
	return decodeStruct(form, "", rv.Elem())
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

func decodeStruct(form url.Values, prefix string, v reflect.Value) error {
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

func decodeValue(form url.Values, name string, tag fieldTag, v reflect.Value) error {
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
func present(form url.Values, name string) bool {
	if _, ok := form[name]; ok {
		return true
	}
	for k := range form {
		if strings.HasPrefix(k, name+".") {
			return true
		}
	}
	return false
}

// indices returns the sorted list indices N that appear as prefix.N or prefix.N.*.
func indices(form url.Values, prefix string) ([]int, error) {
	seen := map[int]bool{}
	for k := range form {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok {
			continue
		}
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

func decodeList(form url.Values, name string, tag fieldTag, v reflect.Value) error {
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

func decodeMap(form url.Values, name string, tag fieldTag, v reflect.Value) error {
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

func decodeScalar(form url.Values, name string, v reflect.Value) error {
	vals, ok := form[name]
	if !ok {
		return nil
	}
	if !scalar.Set(v, vals[0]) {
		return awserr.New(awserr.Validation, "Value %q for parameter %s is invalid.", vals[0], name)
	}
	return nil
}
