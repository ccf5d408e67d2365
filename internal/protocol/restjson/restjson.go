// Package restjson is the codec for REST-JSON (Lambda, API Gateway): operations addressed by method
// and path; members bound to the URI, headers and query; JSON documents; errors named in the
// x-amzn-ErrorType header with a JSON body.
package restjson

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/protocol/limit"
	"github.com/gureum/gureum/internal/protocol/restbind"
	"github.com/gureum/gureum/internal/service"
)

// Codec implements REST-JSON.
type Codec struct{}

// Route matches the request against the operations' routes.
func (Codec) Route(r *http.Request, _ []byte, svc *service.Service) (*service.Operation, map[string]string, error) {
	op, labels := svc.MatchRoute(r)
	if op == nil {
		return nil, nil, awserr.New(awserr.UnknownOperation, "No operation of %s matches %s %s.", svc.Name, r.Method, r.URL.Path)
	}
	return op, labels, nil
}

// Decode binds the request into in from the URI, headers, query and the (already read) body.
func (Codec) Decode(r *http.Request, body []byte, labels map[string]string, in any) error {
	return restbind.Bind(r, bytes.NewReader(body), labels, in, decodeJSON)
}

func decodeJSON(body io.Reader, v any) error {
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	if len(b) > limit.MaxDocument {
		return awserr.New(awserr.TooLarge, "The request body exceeds the maximum allowed size of %d bytes.", limit.MaxDocument)
	}
	switch limit.JSON(b, limit.MaxDepth) {
	case limit.ErrTooDeep:
		return awserr.New(awserr.Malformed, "The request body nests more than %d levels deep.", limit.MaxDepth)
	case limit.ErrInvalidText:
		return awserr.New(awserr.InvalidText, "The request body is not valid UTF-8 or escapes an unpaired surrogate.")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return awserr.New(awserr.Malformed, "The request body is not valid JSON for this operation.")
	}
	return nil
}

// Encode writes the output's headers, status and JSON document or payload.
func (c Codec) Encode(w http.ResponseWriter, svc *service.Service, _ *service.Operation, out any, requestID string) {
	resp := restbind.Split(out)
	h := w.Header()
	for k, v := range resp.Header {
		h[k] = v
	}
	h.Set("x-amzn-RequestId", requestID)
	payload := resp.Payload
	if payload == nil && resp.Members {
		payload = out
	}
	var body []byte
	switch p := payload.(type) {
	case io.Reader:
		w.WriteHeader(resp.Status)
		io.Copy(w, p)
		return
	case []byte:
		body = p
	case nil:
		body = []byte("{}")
	default:
		b, err := json.Marshal(p)
		if err != nil {
			c.EncodeError(w, svc, err, requestID)
			return
		}
		body = b
		h.Set("Content-Type", "application/json")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(resp.Status)
	w.Write(body)
}

// EncodeError writes the error type header and a JSON body with the message.
func (Codec) EncodeError(w http.ResponseWriter, svc *service.Service, err error, requestID string) *awserr.Code {
	if svc != nil && svc.InvalidText != nil && awserr.As(err).Kind == awserr.InvalidText && awserr.As(err).Code == nil {
		err = svc.InvalidText
	}
	code, e := awserr.Resolve(awserr.RESTJSON, err)
	typ := "User"
	if code.Receiver {
		typ = "Service"
	}
	body, _ := json.Marshal(struct {
		Type    string `json:"Type"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}{typ, code.Name, e.Message})
	h := w.Header()
	h.Set("x-amzn-ErrorType", code.Name)
	h.Set("x-amzn-RequestId", requestID)
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code.Status)
	w.Write(body)
	return code
}
