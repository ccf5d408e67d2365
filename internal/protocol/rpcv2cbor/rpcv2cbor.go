// Package rpcv2cbor is the codec for Smithy RPC v2 CBOR (the smithy-rpc-v2-cbor protocol that
// CloudWatch's newer SDKs and botocore speak): POST /service/<ServiceName>/operation/<Operation>
// with Smithy-Protocol: rpc-v2-cbor and a CBOR map body, a CBOR map out, and errors as a map of
// "__type" and "message" (with x-amzn-query-error for a service that keeps query compatibility).
//
// Inputs and outputs are the service's JSON wire types: members are named by their json tags and
// timestamps (scalar.Epoch, time.Time) travel as CBOR tag 1 epoch seconds.
package rpcv2cbor

import (
	"fmt"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/protocol/limit"
	"github.com/gureum/gureum/internal/protocol/scalar"
)

// ProtocolHeader is the request and response header that names the protocol.
const ProtocolHeader = "Smithy-Protocol"

// Is reports whether r is an RPC v2 CBOR request.
func Is(r *http.Request) bool { return r.Header.Get(ProtocolHeader) == "rpc-v2-cbor" }

var (
	epochType = reflect.TypeOf(scalar.Epoch{})
	timeType  = reflect.TypeOf(time.Time{})
)

// Unmarshal decodes a CBOR body into the struct v points to; an empty body is an empty map.
func Unmarshal(body []byte, v any) error {
	if len(body) == 0 {
		return nil
	}
	if len(body) > limit.MaxDocument {
		return awserr.New(awserr.TooLarge, "The request body exceeds the maximum allowed size of %d bytes.", limit.MaxDocument)
	}
	val, err := cbor.Decode(body)
	if err != nil {
		return awserr.New(awserr.Malformed, "The request body is not valid CBOR: %v.", err)
	}
	if _, ok := val.(cbor.Map); !ok {
		return awserr.New(awserr.Malformed, "The request body is not a CBOR map.")
	}
	return set(reflect.ValueOf(v).Elem(), val, "")
}

func wrongType(path string, want string) error {
	if path == "" {
		path = "the input"
	}
	return awserr.New(awserr.Malformed, "Value for field %q has the wrong type: expected %s.", path, want)
}

// set stores val in v, whose field path is path.
func set(v reflect.Value, val cbor.Value, path string) error {
	if _, isNil := val.(*cbor.Nil); isNil {
		return nil
	}
	if _, isUndef := val.(*cbor.Undefined); isUndef {
		return nil
	}
	if v.Type() == epochType || v.Type() == timeType {
		t, err := timeOf(val)
		if err != nil {
			return wrongType(path, "timestamp")
		}
		v.Set(reflect.ValueOf(t).Convert(v.Type()))
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		if err := set(p.Elem(), val, path); err != nil {
			return err
		}
		v.Set(p)
		return nil
	case reflect.Interface:
		v.Set(reflect.ValueOf(plain(val)))
		return nil
	case reflect.String:
		s, ok := val.(cbor.String)
		if !ok {
			return wrongType(path, "string")
		}
		v.SetString(string(s))
	case reflect.Bool:
		b, ok := val.(cbor.Bool)
		if !ok {
			return wrongType(path, "boolean")
		}
		v.SetBool(bool(b))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := intOf(val)
		if !ok || v.OverflowInt(n) {
			return wrongType(path, "integer")
		}
		v.SetInt(n)
	case reflect.Float32, reflect.Float64:
		f, ok := floatOf(val)
		if !ok {
			return wrongType(path, "number")
		}
		v.SetFloat(f)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			b, ok := val.(cbor.Slice)
			if !ok {
				return wrongType(path, "blob")
			}
			v.SetBytes(append([]byte(nil), b...))
			return nil
		}
		l, ok := val.(cbor.List)
		if !ok {
			return wrongType(path, "list")
		}
		out := reflect.MakeSlice(v.Type(), len(l), len(l))
		for i, item := range l {
			if err := set(out.Index(i), item, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		v.Set(out)
	case reflect.Map:
		m, ok := val.(cbor.Map)
		if !ok || v.Type().Key().Kind() != reflect.String {
			return wrongType(path, "map")
		}
		out := reflect.MakeMapWithSize(v.Type(), len(m))
		for k, item := range m {
			e := reflect.New(v.Type().Elem()).Elem()
			if err := set(e, item, path+"."+k); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), e)
		}
		v.Set(out)
	case reflect.Struct:
		m, ok := val.(cbor.Map)
		if !ok {
			return wrongType(path, "structure")
		}
		fields := fieldsOf(v.Type())
		for k, item := range m {
			i, ok := fields[k]
			if !ok {
				continue // unknown members are ignored, as the JSON protocols do
			}
			if err := set(v.FieldByIndex(i), item, strings.TrimPrefix(path+"."+k, ".")); err != nil {
				return err
			}
		}
	default:
		return wrongType(path, v.Kind().String())
	}
	return nil
}

// fieldsOf maps a struct's member names (json tags) to field indexes; the members of an
// embedded struct without a tag are its own, as encoding/json promotes them.
func fieldsOf(t reflect.Type) map[string][]int {
	out := make(map[string][]int, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if embedded(f) {
			for k, idx := range fieldsOf(f.Type) {
				if _, taken := out[k]; !taken {
					out[k] = append([]int{i}, idx...)
				}
			}
			continue
		}
		if name, _ := fieldName(f); name != "" {
			out[name] = []int{i}
		}
	}
	return out
}

// embedded reports whether f is an embedded struct whose members are promoted.
func embedded(f reflect.StructField) bool {
	return f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("json") == ""
}

// fieldName is a field's member name and whether it is left out when empty; "" for none.
func fieldName(f reflect.StructField) (string, bool) {
	if !f.IsExported() {
		return "", false
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", false
	}
	name, opts, _ := strings.Cut(tag, ",")
	if name == "" {
		name = f.Name
	}
	return name, strings.Contains(opts, "omitempty")
}

func intOf(val cbor.Value) (int64, bool) {
	switch n := val.(type) {
	case cbor.Uint:
		if n > math.MaxInt64 {
			return 0, false
		}
		return int64(n), true
	case cbor.NegInt:
		if n > math.MaxInt64 {
			return 0, false
		}
		return -int64(n), true
	case cbor.Float64:
		if float64(n) == math.Trunc(float64(n)) && math.Abs(float64(n)) < 1<<53 {
			return int64(n), true
		}
	case cbor.Float32:
		if float64(n) == math.Trunc(float64(n)) && math.Abs(float64(n)) < 1<<24 {
			return int64(n), true
		}
	}
	return 0, false
}

func floatOf(val cbor.Value) (float64, bool) {
	switch n := val.(type) {
	case cbor.Float64:
		return float64(n), true
	case cbor.Float32:
		return float64(n), true
	}
	i, ok := intOf(val)
	return float64(i), ok
}

// timeOf reads a timestamp: tag 1 around epoch seconds (integer or float), or bare seconds.
func timeOf(val cbor.Value) (time.Time, error) {
	if t, ok := val.(*cbor.Tag); ok {
		if t.ID != 1 {
			return time.Time{}, fmt.Errorf("tag %d", t.ID)
		}
		val = t.Value
	}
	f, ok := floatOf(val)
	if !ok || math.IsNaN(f) || math.Abs(f) > 1e12 {
		return time.Time{}, fmt.Errorf("not a number of seconds")
	}
	return time.UnixMilli(int64(math.Round(f * 1000))).UTC(), nil
}

// plain turns a CBOR value into Go's plain values (for interface fields).
func plain(val cbor.Value) any {
	switch x := val.(type) {
	case cbor.String:
		return string(x)
	case cbor.Bool:
		return bool(x)
	case cbor.Map:
		m := make(map[string]any, len(x))
		for k, v := range x {
			m[k] = plain(v)
		}
		return m
	case cbor.List:
		l := make([]any, len(x))
		for i, v := range x {
			l[i] = plain(v)
		}
		return l
	case cbor.Slice:
		return []byte(x)
	case *cbor.Tag:
		return plain(x.Value)
	}
	if f, ok := floatOf(val); ok {
		return f
	}
	return nil
}

// Marshal encodes v (a struct, or a pointer to one) as CBOR.
func Marshal(v any) []byte {
	val := value(reflect.ValueOf(v))
	if val == nil {
		val = cbor.Map{}
	}
	return cbor.Encode(val)
}

// value converts a Go value to CBOR; nil for one left out (a nil pointer, slice or map).
func value(v reflect.Value) cbor.Value {
	if !v.IsValid() {
		return nil
	}
	if v.Type() == epochType || v.Type() == timeType {
		t := v.Convert(timeType).Interface().(time.Time)
		return &cbor.Tag{ID: 1, Value: cbor.Float64(float64(t.UnixMilli()) / 1000)}
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return value(v.Elem())
	case reflect.String:
		return cbor.String(v.String())
	case reflect.Bool:
		return cbor.Bool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n := v.Int(); n < 0 {
			return cbor.NegInt(uint64(-n))
		}
		return cbor.Uint(uint64(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return cbor.Uint(v.Uint())
	case reflect.Float32, reflect.Float64:
		return cbor.Float64(v.Float())
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return cbor.Slice(v.Bytes())
		}
		l := make(cbor.List, 0, v.Len())
		for i := 0; i < v.Len(); i++ {
			if item := value(v.Index(i)); item != nil {
				l = append(l, item)
			}
		}
		return l
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		m := make(cbor.Map, v.Len())
		for it := v.MapRange(); it.Next(); {
			if item := value(it.Value()); item != nil {
				m[it.Key().String()] = item
			}
		}
		return m
	case reflect.Struct:
		m := cbor.Map{}
		for i := 0; i < v.NumField(); i++ {
			if embedded(v.Type().Field(i)) {
				for k, item := range value(v.Field(i)).(cbor.Map) {
					if _, taken := m[k]; !taken {
						m[k] = item
					}
				}
				continue
			}
			name, omit := fieldName(v.Type().Field(i))
			if name == "" {
				continue
			}
			f := v.Field(i)
			if omit && f.IsZero() {
				continue
			}
			if item := value(f); item != nil {
				m[name] = item
			}
		}
		return m
	}
	return nil
}
