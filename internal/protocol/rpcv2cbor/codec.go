package rpcv2cbor

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/service"
)

// Codec implements Smithy RPC v2 CBOR for a service whose TargetPrefix is its Smithy service
// name (CloudWatch: GraniteServiceVersion20100801).
type Codec struct{}

// Route finds the operation named in the path /service/<name>/operation/<Operation>.
func (Codec) Route(r *http.Request, _ []byte, svc *service.Service) (*service.Operation, map[string]string, error) {
	if r.Method != http.MethodPost {
		return nil, nil, awserr.New(awserr.UnknownOperation, "RPC v2 CBOR requests must use POST.")
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/service/"+svc.TargetPrefix+"/operation/")
	if !ok || rest == "" || strings.Contains(rest, "/") {
		return nil, nil, awserr.New(awserr.UnknownOperation, "The path %q does not name an operation of %s.", r.URL.Path, svc.Name)
	}
	op := svc.Op(rest)
	if op == nil {
		return nil, nil, awserr.New(awserr.UnknownOperation, "Operation %s is not part of %s.", rest, svc.Name)
	}
	return op, nil, nil
}

// MaxInflated caps a compressed body once inflated (PutMetricData's bodies are gzipped by the
// SDKs, and AWS caps its request at 1 MB).
const MaxInflated = 16 << 20

// Decode unmarshals the CBOR body into in, inflating it first when it came gzipped
// (Content-Encoding: gzip, which the SDKs use for operations with the requestCompression trait).
func (Codec) Decode(r *http.Request, body []byte, _ map[string]string, in any) error {
	if enc := r.Header.Get("Content-Encoding"); enc != "" {
		inflated, err := inflate(enc, body)
		if err != nil {
			return err
		}
		body = inflated
	}
	return Unmarshal(body, in)
}

// inflate undoes the Content-Encoding enc ("gzip"; "identity" changes nothing).
func inflate(enc string, body []byte) ([]byte, error) {
	for _, e := range strings.Split(enc, ",") {
		switch strings.TrimSpace(strings.ToLower(e)) {
		case "", "identity", "aws-chunked":
		case "gzip":
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				return nil, awserr.New(awserr.Malformed, "The request body is not valid gzip.")
			}
			out, err := io.ReadAll(io.LimitReader(zr, MaxInflated+1))
			if err != nil {
				return nil, awserr.New(awserr.Malformed, "The request body is not valid gzip.")
			}
			if len(out) > MaxInflated {
				return nil, awserr.New(awserr.TooLarge, "The request body inflates past %d bytes.", MaxInflated)
			}
			body = out
		default:
			return nil, awserr.New(awserr.Malformed, "The Content-Encoding %q is not supported.", e)
		}
	}
	return body, nil
}

// Encode writes out as CBOR; a nil output is an empty map.
func (Codec) Encode(w http.ResponseWriter, _ *service.Service, _ *service.Operation, out any, requestID string) {
	var body []byte
	if out == nil {
		body = cbor.Encode(cbor.Map{})
	} else {
		body = Marshal(out)
	}
	write(w, http.StatusOK, requestID, body)
}

// EncodeError writes {"__type", "message"} and returns the code it rendered.
func (Codec) EncodeError(w http.ResponseWriter, svc *service.Service, err error, requestID string) *awserr.Code {
	code, e := awserr.Resolve(awserr.JSON, err)
	typ := code.Name
	if svc != nil && svc.ErrorTypePrefix != "" {
		typ = svc.ErrorTypePrefix + typ
	}
	if svc != nil && svc.QueryCompatible {
		w.Header().Set("x-amzn-query-error", code.QueryCode()+";"+code.Fault())
	}
	m := cbor.Map{"__type": cbor.String(typ), "message": cbor.String(e.Message)}
	for k, v := range e.Members {
		if _, taken := m[k]; !taken {
			m[k] = value(reflectOf(v))
		}
	}
	write(w, code.Status, requestID, cbor.Encode(m))
	return code
}

func write(w http.ResponseWriter, status int, requestID string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/cbor")
	h.Set(ProtocolHeader, "rpc-v2-cbor")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(status)
	w.Write(body)
}

func reflectOf(v any) reflect.Value { return reflect.ValueOf(v) }
