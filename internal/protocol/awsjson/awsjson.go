// Package awsjson is the codec for AWS JSON 1.0 and 1.1: POST / with X-Amz-Target
// "<prefix>.<Operation>" and a JSON body, JSON out, and errors as {"__type", "message"} with, for
// services that keep query compatibility (SQS), the legacy code in x-amzn-query-error.
package awsjson

import (
	"bytes"
	"errors"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"

	json "github.com/segmentio/encoding/json"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/protocol/limit"
	"github.com/gureum/gureum/internal/service"
)

// Codec implements AWS JSON; Version is "1.0" or "1.1".
type Codec struct{ Version string }

// Route finds the operation named in X-Amz-Target.
func (c Codec) Route(r *http.Request, _ []byte, svc *service.Service) (*service.Operation, map[string]string, error) {
	target := r.Header.Get("X-Amz-Target")
	prefix, name, ok := strings.Cut(target, ".")
	if !ok || prefix != svc.TargetPrefix {
		return nil, nil, awserr.New(awserr.UnknownOperation, "X-Amz-Target %q does not name an operation of %s.", target, svc.Name)
	}
	if r.Method != http.MethodPost {
		return nil, nil, awserr.New(awserr.UnknownOperation, "AWS JSON requests must use POST.")
	}
	op := svc.Op(name)
	if op == nil {
		return nil, nil, awserr.New(awserr.UnknownOperation, "Operation %s is not part of %s.", name, svc.Name)
	}
	return op, nil, nil
}

// Decode unmarshals the JSON body into in; an empty body is an empty object.
func (c Codec) Decode(_ *http.Request, body []byte, _ map[string]string, in any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := checkDocument(body); err != nil {
		return err
	}
	if err := json.Unmarshal(body, in); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return awserr.New(awserr.Malformed, "Value for field %q has the wrong type: expected %s.", typeErr.Field, typeErr.Type)
		}
		return awserr.New(awserr.Malformed, "The request body is not valid JSON.")
	}
	return nil
}

// checkDocument holds a body to the size and nesting limits before it is decoded: the decoder
// recurses per level, and two million '[' would overflow the stack.
func checkDocument(body []byte) error {
	if len(body) > limit.MaxDocument {
		return awserr.New(awserr.TooLarge, "The request body exceeds the maximum allowed size of %d bytes.", limit.MaxDocument)
	}
	switch limit.JSON(body, limit.MaxDepth) {
	case limit.ErrTooDeep:
		return awserr.New(awserr.Malformed, "The request body nests more than %d levels deep.", limit.MaxDepth)
	case limit.ErrInvalidText:
		return awserr.New(awserr.InvalidText, "The request body is not valid UTF-8 or escapes an unpaired surrogate.")
	}
	return nil
}

func (c Codec) contentType() string {
	switch c.Version {
	case "1.0":
		return "application/x-amz-json-1.0"
	case "1.1":
		return "application/x-amz-json-1.1"
	}
	return "application/x-amz-json-" + c.Version
}

// Encode writes out as JSON; a nil output is {}.
func (c Codec) Encode(w http.ResponseWriter, svc *service.Service, _ *service.Operation, out any, requestID string) {
	body := []byte("{}")
	if out != nil {
		b, err := json.Marshal(out)
		if err != nil {
			c.EncodeError(w, svc, err, requestID)
			return
		}
		body = b
	}
	crc32Header(w, svc, body)
	c.write(w, http.StatusOK, requestID, body)
}

// EncodeError writes {"__type":…,"message":…} and returns the code it rendered.
func (c Codec) EncodeError(w http.ResponseWriter, svc *service.Service, err error, requestID string) *awserr.Code {
	if svc != nil && svc.InvalidText != nil && awserr.As(err).Kind == awserr.InvalidText && awserr.As(err).Code == nil {
		err = svc.InvalidText
	}
	code, e := awserr.Resolve(awserr.JSON, err)
	typ := code.Name
	if svc != nil && svc.ErrorTypePrefix != "" {
		typ = svc.ErrorTypePrefix + typ
	}
	if svc != nil && svc.QueryCompatible {
		w.Header().Set("x-amzn-query-error", code.QueryCode()+";"+code.Fault())
	}
	var body []byte
	if len(e.Members) > 0 {
		m := make(map[string]any, len(e.Members)+2)
		for k, v := range e.Members {
			m[k] = v
		}
		m["__type"], m["message"] = typ, e.Message
		body, _ = json.Marshal(m)
	} else {
		body, _ = json.Marshal(struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}{typ, e.Message})
	}
	crc32Header(w, svc, body)
	c.write(w, code.Status, requestID, body)
	return code
}

// crc32Header sets x-amz-crc32 for a service that sends it.
func crc32Header(w http.ResponseWriter, svc *service.Service, body []byte) {
	if svc != nil && svc.ResponseCRC32 {
		w.Header()["X-Amz-Crc32"] = []string{strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10)}
	}
}

func (c Codec) write(w http.ResponseWriter, status int, requestID string, body []byte) {
	// The keys are written in canonical form (as Header.Set would write them) and the values share
	// one backing array: every response sets these three.
	h := w.Header()
	vals := [...]string{c.contentType(), strconv.Itoa(len(body)), requestID}
	shared := vals[:]
	h["Content-Type"], h["Content-Length"], h["X-Amzn-Requestid"] = shared[0:1:1], shared[1:2:2], shared[2:3:3]
	w.WriteHeader(status)
	w.Write(body)
}
