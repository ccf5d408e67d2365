// Package restxml is the codec for REST-XML (S3): operations addressed by method, path and query
// sub-resources; members bound to the URI, headers and query; XML documents; errors as S3's <Error>.
package restxml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/protocol/limit"
	"github.com/gureum/gureum/internal/protocol/restbind"
	"github.com/gureum/gureum/internal/service"
)

// MaxDocument caps an XML request document (policies and configurations; object bodies stream).
const MaxDocument = 4 << 20

// Codec implements REST-XML.
type Codec struct{}

// Route matches the request against the operations' routes.
func (Codec) Route(r *http.Request, _ []byte, svc *service.Service) (*service.Operation, map[string]string, error) {
	op, labels := svc.MatchRoute(r)
	if op == nil {
		return nil, nil, awserr.New(awserr.UnknownOperation, "The specified method is not allowed against this resource.").
			With("Method", r.Method).With("ResourceType", "OBJECT")
	}
	return op, labels, nil
}

// Decode binds the request into in; the body is r.Body (already verified by authentication).
func (Codec) Decode(r *http.Request, _ []byte, labels map[string]string, in any) error {
	return restbind.Bind(r, r.Body, labels, in, decodeXML)
}

func decodeXML(body io.Reader, v any) error {
	b, err := io.ReadAll(io.LimitReader(body, MaxDocument+1))
	if err != nil {
		return err
	}
	if len(b) > MaxDocument {
		return awserr.New(awserr.TooLarge, "Your XML document exceeds the maximum allowed size.")
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	if err := limit.XMLDepth(bytes.NewReader(b), limit.MaxDepth); err == limit.ErrTooDeep {
		return awserr.New(awserr.Malformed, "The XML you provided was not well-formed or did not validate against our published schema")
	}
	if err := xml.Unmarshal(b, v); err != nil {
		return awserr.New(awserr.Malformed, "The XML you provided was not well-formed or did not validate against our published schema")
	}
	return nil
}

// Encode writes the output's headers, status and XML document or streamed payload.
func (c Codec) Encode(w http.ResponseWriter, svc *service.Service, op *service.Operation, out any, requestID string) {
	resp := restbind.Split(out)
	h := w.Header()
	for k, v := range resp.Header {
		h[k] = v
	}
	setIDs(h, requestID)
	var doc any
	switch p := resp.Payload.(type) {
	case io.Reader:
		w.WriteHeader(resp.Status)
		io.Copy(w, p)
		if cl, ok := p.(io.Closer); ok {
			cl.Close()
		}
		return
	case []byte:
		h.Set("Content-Length", strconv.Itoa(len(p)))
		w.WriteHeader(resp.Status)
		w.Write(p)
		return
	case nil:
		if resp.Members {
			doc = out
		}
	default:
		doc = p
	}
	if doc == nil {
		if h.Get("Content-Length") == "" { // a HEAD answers the length of what a GET would send
			h.Set("Content-Length", "0")
		}
		w.WriteHeader(resp.Status)
		return
	}
	b, err := xml.Marshal(doc)
	if err != nil {
		c.EncodeError(w, svc, err, requestID)
		return
	}
	body := append([]byte(xml.Header), b...)
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(resp.Status)
	w.Write(body)
}

func setIDs(h http.Header, requestID string) {
	h.Set("x-amz-request-id", requestID)
	h.Set("x-amz-id-2", requestID)
}

// EncodeError writes S3's <Error> document. An error with a ResponseHeaders() http.Header method
// adds those headers (S3's x-amz-delete-marker on NoSuchKey); a 304 has no body.
func (Codec) EncodeError(w http.ResponseWriter, _ *service.Service, err error, requestID string) *awserr.Code {
	code, e := awserr.Resolve(awserr.RESTXML, err)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	start := xml.StartElement{Name: xml.Name{Local: "Error"}}
	werr := errors.Join(
		enc.EncodeToken(start),
		enc.EncodeElement(code.Name, xml.StartElement{Name: xml.Name{Local: "Code"}}),
		enc.EncodeElement(e.Message, xml.StartElement{Name: xml.Name{Local: "Message"}}),
	)
	for _, f := range e.Fields {
		werr = errors.Join(werr, enc.EncodeElement(f.Value, xml.StartElement{Name: xml.Name{Local: f.Name}}))
	}
	werr = errors.Join(werr,
		enc.EncodeElement(requestID, xml.StartElement{Name: xml.Name{Local: "RequestId"}}),
		enc.EncodeElement(requestID, xml.StartElement{Name: xml.Name{Local: "HostId"}}),
		enc.EncodeToken(start.End()), enc.Flush())
	_ = werr // encoding strings into a buffer cannot fail
	h := w.Header()
	var extra interface{ ResponseHeaders() http.Header }
	if errors.As(err, &extra) {
		for k, v := range extra.ResponseHeaders() {
			h[http.CanonicalHeaderKey(k)] = v
		}
	}
	setIDs(h, requestID)
	if code.Status == http.StatusNotModified {
		// A 304 carries no body (S3's NotModified has headers only).
		w.WriteHeader(code.Status)
		return code
	}
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(code.Status)
	w.Write(buf.Bytes())
	return code
}
