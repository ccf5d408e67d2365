// Package scalar parses the text form of a scalar member (a query parameter, a header, a URI label)
// into a Go value, the same way for every protocol codec.
package scalar

import (
	"encoding/base64"
	"net/http"
	"reflect"
	"strconv"
	"time"
)

var timeType = reflect.TypeOf(time.Time{})

// Set parses s into v (string, bool, integers, floats, []byte as base64, time.Time as an HTTP date
// or RFC 3339). It reports false when s does not parse for v's type. It panics on a type no AWS
// member has, which is a programming error in an input struct.
func Set(v reflect.Value, s string) bool {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return false
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, v.Type().Bits())
		if err != nil {
			return false
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, v.Type().Bits())
		if err != nil {
			return false
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, v.Type().Bits())
		if err != nil {
			return false
		}
		v.SetFloat(f)
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.Uint8 {
			panic("scalar: unsupported type " + v.Type().String())
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return false
		}
		v.SetBytes(b)
	case reflect.Struct:
		if v.Type() != timeType {
			panic("scalar: unsupported type " + v.Type().String())
		}
		t, err := http.ParseTime(s)
		if err != nil {
			if t, err = time.Parse(time.RFC3339, s); err != nil {
				return false
			}
		}
		v.Set(reflect.ValueOf(t))
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		if !Set(p.Elem(), s) {
			return false
		}
		v.Set(p)
	default:
		panic("scalar: unsupported type " + v.Type().String())
	}
	return true
}
