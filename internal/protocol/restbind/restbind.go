// Package restbind moves values between HTTP requests and responses and the input and output
// structs of REST operations (REST-XML and REST-JSON), following the rest tag on each field:
//
//	`rest:"uri=Bucket"`      a path label from the operation's route ({Bucket}, {Key+})
//	`rest:"header=X-Amz-Acl"` a header
//	`rest:"query=prefix"`     a query parameter (a []string field takes every value)
//	`rest:"payload"`          the whole body: io.Reader (streamed), []byte, or a struct for the body codec
//	`rest:"status"`           (output) the HTTP status code
//	`rest:"headers"`          an http.Header: every request header (input), or headers to add (output)
//	`rest:"querymap"`         a url.Values: every query parameter (input)
//
// Fields without a rest tag are members of the body document, which the protocol's codec reads and
// writes (they should carry `xml:"-"`/`json:"-"` when bound elsewhere).
package restbind

import (
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/protocol/scalar"
)

type binding struct {
	where, name string
}

func tagOf(f reflect.StructField) (binding, bool) {
	tag, ok := f.Tag.Lookup("rest")
	if !ok {
		return binding{}, false
	}
	where, name, _ := strings.Cut(tag, "=")
	return binding{where, name}, true
}

var readerType = reflect.TypeOf((*io.Reader)(nil)).Elem()

// Bind fills in from r. decodeBody decodes a body document into a struct pointer; it is called for
// a struct payload, or with in itself when in has untagged body members.
func Bind(r *http.Request, body io.Reader, labels map[string]string, in any, decodeBody func(io.Reader, any) error) error {
	v := reflect.ValueOf(in).Elem()
	t := v.Type()
	q := r.URL.Query()
	bodyMembers := false
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		b, ok := tagOf(f)
		if !ok {
			if !isIgnored(f) {
				bodyMembers = true
			}
			continue
		}
		fv := v.Field(i)
		switch b.where {
		case "uri":
			if s, ok := labels[b.name]; ok {
				if err := setScalar(fv, s, b.name); err != nil {
					return err
				}
			}
		case "header":
			if s := r.Header.Get(b.name); s != "" {
				if err := setScalar(fv, s, b.name); err != nil {
					return err
				}
			}
		case "query":
			if vals, ok := q[b.name]; ok && fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.String {
				fv.Set(reflect.ValueOf(append([]string(nil), vals...)).Convert(fv.Type()))
			} else if ok {
				if err := setScalar(fv, vals[0], b.name); err != nil {
					return err
				}
			}
		case "payload":
			if err := bindPayload(fv, body, decodeBody); err != nil {
				return err
			}
		case "headers":
			fv.Set(reflect.ValueOf(r.Header))
		case "querymap":
			fv.Set(reflect.ValueOf(q))
		}
	}
	if bodyMembers {
		return decodeBody(body, in)
	}
	return nil
}

func isIgnored(f reflect.StructField) bool {
	return f.Tag.Get("json") == "-" && f.Tag.Get("xml") == "-"
}

func bindPayload(fv reflect.Value, body io.Reader, decodeBody func(io.Reader, any) error) error {
	switch {
	case fv.Type() == readerType || fv.Type().Implements(readerType) && fv.Kind() == reflect.Interface:
		fv.Set(reflect.ValueOf(body))
	case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Uint8:
		b, err := io.ReadAll(body)
		if err != nil {
			return err
		}
		fv.SetBytes(b)
	case fv.Kind() == reflect.Pointer && fv.Type().Elem().Kind() == reflect.Struct:
		p := reflect.New(fv.Type().Elem())
		if err := decodeBody(body, p.Interface()); err != nil {
			return err
		}
		fv.Set(p)
	default:
		panic("restbind: unsupported payload type " + fv.Type().String())
	}
	return nil
}

func setScalar(v reflect.Value, s, name string) error {
	if !scalar.Set(v, s) {
		return awserr.New(awserr.Validation, "Invalid value %q for %s.", s, name)
	}
	return nil
}

// Response is what Split extracts from an output struct.
type Response struct {
	Status  int
	Header  http.Header
	Payload any  // io.Reader, []byte or a struct for the body codec; nil when Members is used
	Members bool // the output's untagged fields form the body document
}

// Split reads headers, status and payload out of an output struct.
func Split(out any) Response {
	resp := Response{Status: http.StatusOK, Header: http.Header{}}
	if out == nil {
		return resp
	}
	v := reflect.ValueOf(out)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return resp
		}
		v = v.Elem()
	}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		b, ok := tagOf(f)
		if !ok {
			if !isIgnored(f) {
				resp.Members = true
			}
			continue
		}
		fv := v.Field(i)
		switch b.where {
		case "header":
			if s, ok := format(fv); ok {
				resp.Header.Set(b.name, s)
			}
		case "headers":
			if h, ok := fv.Interface().(http.Header); ok {
				for k, v := range h {
					// User metadata keeps S3's lower-case spelling (x-amz-meta-<key>): SDKs take
					// the key after the prefix as it is written, so a canonical
					// X-Amz-Meta-Sha256 would hand boto3 "Sha256" for the "sha256" it stored.
					if lower := strings.ToLower(k); strings.HasPrefix(lower, "x-amz-meta-") {
						resp.Header[lower] = v
						continue
					}
					resp.Header[http.CanonicalHeaderKey(k)] = v
				}
			}
		case "status":
			if fv.Int() != 0 {
				resp.Status = int(fv.Int())
			}
		case "payload":
			if !fv.IsZero() {
				resp.Payload = fv.Interface()
			}
		}
	}
	return resp
}

func format(v reflect.Value) (string, bool) {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "", false
		}
		v = v.Elem()
	} else if v.IsZero() {
		return "", false
	}
	switch v.Kind() {
	case reflect.String:
		return v.String(), true
	case reflect.Bool:
		return strconv.FormatBool(v.Bool()), true
	case reflect.Int, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10), true
	}
	if t, ok := v.Interface().(time.Time); ok {
		return t.UTC().Format(http.TimeFormat), true
	}
	return "", false
}
