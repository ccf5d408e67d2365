// Package query is the codec for the AWS query protocol: a form (POST body or GET query string)
// with Action and Version in, XML out, and errors as <ErrorResponse>. STS and IAM speak it, and SQS
// still accepts it from older clients.
package query

import (
	"bytes"
	"encoding/xml"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/service"
)

// MaxParameters caps the parameters of one request, query string and body together (net/url's
// own default cap, stated here so that it holds whatever GODEBUG says). SQS's largest request, a
// batch of ten messages with ten attributes each, has under 700.
const MaxParameters = 10000

// Codec implements the query protocol.
type Codec struct{}

// Form parses the request's parameters: the URL query, then a form body. The result is kept in
// r.Form, so routing and decoding (and the router's service lookup) parse a request once.
func Form(r *http.Request, body []byte) (url.Values, error) {
	if r.Form != nil {
		return r.Form, nil
	}
	if countParams(r.URL.RawQuery)+countParams(string(body)) > MaxParameters {
		return nil, awserr.New(awserr.Malformed, "The request has more than %d parameters.", MaxParameters)
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, awserr.New(awserr.Malformed, "The query string is malformed.")
	}
	if len(body) > 0 {
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "" && ct != "application/x-www-form-urlencoded" {
			return nil, awserr.New(awserr.Malformed, "Content-Type %q is not a form; expected application/x-www-form-urlencoded.", ct)
		}
		f, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, awserr.New(awserr.Malformed, "The request body is not a well-formed form.")
		}
		for k, v := range f {
			q[k] = append(q[k], v...)
		}
	}
	r.Form = q
	return q, nil
}

func countParams(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(s, "&") + 1
}

// Route finds the operation named by the Action parameter.
func (Codec) Route(r *http.Request, body []byte, svc *service.Service) (*service.Operation, map[string]string, error) {
	form, err := Form(r, body)
	if err != nil {
		return nil, nil, err
	}
	action := form.Get("Action")
	if action == "" {
		return nil, nil, awserr.New(awserr.UnknownOperation, "The request must contain the parameter Action.")
	}
	op := svc.Op(action)
	if op == nil {
		return nil, nil, awserr.New(awserr.UnknownOperation, "Could not find operation %s for version %s", action, svc.APIVersion)
	}
	if v := form.Get("Version"); v != "" && v != svc.APIVersion {
		return nil, nil, awserr.New(awserr.UnknownOperation, "Could not find operation %s for version %s", action, v)
	}
	return op, nil, nil
}

// Decode fills in from the form.
func (Codec) Decode(r *http.Request, body []byte, _ map[string]string, in any) error {
	form, err := Form(r, body)
	if err != nil {
		return err
	}
	return Unmarshal(form, in)
}

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

// Encode writes <{Op}Response><{Op}Result>…</{Op}Result><ResponseMetadata>…</{Op}Response>.
func (Codec) Encode(w http.ResponseWriter, svc *service.Service, op *service.Operation, out any, requestID string) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	root := xml.StartElement{Name: xml.Name{Local: op.Name + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: svc.XMLNamespace}}}
	err := enc.EncodeToken(root)
	if err == nil && out != nil {
		err = enc.EncodeElement(out, xml.StartElement{Name: xml.Name{Local: op.Name + "Result"}})
	}
	if err == nil {
		err = enc.EncodeElement(responseMetadata{requestID}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}})
	}
	if err == nil {
		err = enc.EncodeToken(root.End())
	}
	if err == nil {
		err = enc.Flush()
	}
	if err != nil {
		Codec{}.EncodeError(w, svc, err, requestID)
		return
	}
	write(w, http.StatusOK, requestID, buf.Bytes())
}

type errorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Namespace string   `xml:"xmlns,attr,omitempty"`
	Error     struct {
		Type    string
		Code    string
		Message string
		Detail  *struct{} `xml:"Detail,omitempty"`
	}
	RequestID string `xml:"RequestId"`
}

// EncodeError writes <ErrorResponse> with the query code, and returns the code it rendered.
func (Codec) EncodeError(w http.ResponseWriter, svc *service.Service, err error, requestID string) *awserr.Code {
	code, e := awserr.Resolve(awserr.Query, err)
	var resp errorResponse
	if svc != nil {
		resp.Namespace = svc.XMLNamespace
	}
	resp.Error.Type = code.Fault()
	resp.Error.Code = code.QueryCode()
	resp.Error.Message = e.Message
	resp.RequestID = requestID
	b, _ := xml.Marshal(resp)
	write(w, code.Status, requestID, append([]byte(xml.Header), b...))
	return code
}

func write(w http.ResponseWriter, status int, requestID string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("x-amzn-RequestId", requestID)
	w.WriteHeader(status)
	w.Write(body)
}
