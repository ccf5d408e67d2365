package s3

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/request"
)

// maxFormFields caps the bytes of a form's fields before its file (AWS allows 20 KB of policy).
const maxFormFields = 64 << 10

// formFields are a form upload's fields, by lower-cased name (S3 compares names without case).
type formFields map[string]string

func (f formFields) get(name string) string { return f[name] }

// formFile is the form's file part, streamed.
type formFile struct {
	*multipart.Part
	name, contentType string
}

// readForm reads the fields up to the file and returns the file part to stream; fields after
// the file are ignored, as S3 ignores them.
func readForm(r *http.Request) (formFields, *formFile, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, malformedPOST()
	}
	f, budget := formFields{}, int64(maxFormFields)
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil, nil, invalidArgument("POST requires exactly one file upload per request.", "file", "0")
		}
		if err != nil {
			return nil, nil, malformedPOST()
		}
		name := strings.ToLower(p.FormName())
		if name == "file" {
			ct := p.Header.Get("Content-Type")
			return f, &formFile{Part: p, name: p.FileName(), contentType: ct}, nil
		}
		b, err := io.ReadAll(io.LimitReader(p, budget+1))
		budget -= int64(len(b))
		if err != nil || budget < 0 {
			return nil, nil, ErrMaxPostPreDataLength.Errorf("Your POST request fields preceeding the upload file was too large.")
		}
		if name != "" {
			f[name] = string(b)
		}
	}
}

func malformedPOST() error {
	return ErrMalformedPOSTRequest.Errorf("The body of your POST request is not well-formed multipart/form-data.")
}

// headers are the object headers a form sets (Content-Type and the rest, x-amz-meta-*, acl).
func (f formFields) headers(fileType string) http.Header {
	h := http.Header{}
	for name, v := range f {
		switch {
		case name == "acl":
			h.Set("X-Amz-Acl", v)
		case name == "content-type" || name == "cache-control" || name == "content-disposition" || name == "content-encoding" || name == "expires",
			strings.HasPrefix(name, "x-amz-meta-"), name == "x-amz-storage-class", name == "x-amz-server-side-encryption":
			h.Set(name, v)
		}
	}
	if h.Get("Content-Type") == "" && fileType != "" {
		h.Set("Content-Type", fileType)
	}
	return h
}

// postPolicy is what a checked POST policy allows.
type postPolicy struct {
	principal *request.Principal
	minSize   int64
	maxSize   int64
}

// checkPolicy verifies a form's policy: its signature (sigv4), its expiration, and that every
// condition holds and every field is covered by one.
func (s *Service) checkPolicy(ctx context.Context, form formFields, bucket, key string) (*postPolicy, error) {
	if alg := form.get("x-amz-algorithm"); alg != "AWS4-HMAC-SHA256" {
		return nil, invalidArgument("Only AWS4-HMAC-SHA256 is supported as the POST policy's x-amz-algorithm.", "x-amz-algorithm", alg)
	}
	if s.verifier == nil {
		return nil, accessDenied()
	}
	cred, err := s.verifier.VerifyPostPolicy(ctx, postPolicyOf(form), "s3")
	if err != nil {
		return nil, err
	}
	doc, err := parsePostPolicy(form.get("policy"))
	if err != nil {
		return nil, err
	}
	if !s.now().Before(doc.expires) {
		return nil, policyDenied("Policy expired.")
	}
	values := map[string]string{"bucket": bucket, "key": key}
	for k, v := range form {
		if k != "key" {
			values[k] = v
		}
	}
	p := &postPolicy{principal: cred.Principal, maxSize: int64(MaxPutSize)}
	covered := map[string]bool{}
	for _, c := range doc.conditions {
		if c.op == "content-length-range" {
			p.minSize, p.maxSize = c.min, c.max
			continue
		}
		covered[c.field] = true
		if !c.holds(values[c.field]) {
			return nil, policyDenied("Policy Condition failed: " + c.text)
		}
	}
	var extra []string
	for k := range form {
		switch {
		case k == "policy" || k == "x-amz-signature" || k == "file" || strings.HasPrefix(k, "x-ignore-") || covered[k]:
		default:
			extra = append(extra, k)
		}
	}
	if !covered["bucket"] {
		return nil, policyDenied("Policy Condition failed: [\"eq\", \"$bucket\", \"" + bucket + "\"]")
	}
	if len(extra) > 0 {
		return nil, policyDenied("Extra input fields: " + strings.Join(extra, ", "))
	}
	return p, nil
}

func policyDenied(why string) error {
	return ErrAccessDenied.Errorf("Invalid according to Policy: %s", why)
}

// policyDoc is a decoded POST policy.
type policyDoc struct {
	expires    time.Time
	conditions []policyCondition
}

// policyCondition is one condition: eq or starts-with on a field, or content-length-range.
type policyCondition struct {
	op, field, value string
	min, max         int64
	text             string // as written, for the error
}

func (c policyCondition) holds(v string) bool {
	if c.op == "starts-with" {
		if c.field == "content-type" { // each comma-separated type must start with the value
			for _, t := range strings.Split(v, ",") {
				if !strings.HasPrefix(strings.TrimSpace(t), c.value) {
					return false
				}
			}
			return true
		}
		return strings.HasPrefix(v, c.value)
	}
	return v == c.value
}

// parsePostPolicy decodes a base64 POST policy document.
func parsePostPolicy(b64 string) (*policyDoc, error) {
	bad := func(msg string) error { return ErrInvalidPolicyDocument.Errorf("Invalid Policy: %s", msg) }
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, bad("Invalid Base64 encoding.")
	}
	var doc struct {
		Expiration string            `json:"expiration"`
		Conditions []json.RawMessage `json:"conditions"`
	}
	if json.Unmarshal(raw, &doc) != nil {
		return nil, bad("Invalid JSON.")
	}
	exp, err := time.Parse(time.RFC3339, doc.Expiration)
	if err != nil {
		return nil, bad("Invalid 'expiration' value: '" + doc.Expiration + "'")
	}
	out := &policyDoc{expires: exp}
	for _, raw := range doc.Conditions {
		c, err := parseCondition(raw)
		if err != nil {
			return nil, bad(err.Error())
		}
		out.conditions = append(out.conditions, c...)
	}
	return out, nil
}

type policyError string

func (e policyError) Error() string { return string(e) }

// parseCondition reads {"field": "value"} (one condition per member) or a
// [op, "$field", value] / ["content-length-range", min, max] array.
func parseCondition(raw json.RawMessage) ([]policyCondition, error) {
	var obj map[string]any
	if json.Unmarshal(raw, &obj) == nil {
		var out []policyCondition
		for k, v := range obj {
			s, ok := v.(string)
			if !ok {
				return nil, policyError("Invalid condition value for " + k)
			}
			out = append(out, policyCondition{op: "eq", field: strings.ToLower(k), value: s, text: string(raw)})
		}
		return out, nil
	}
	var arr []any
	if json.Unmarshal(raw, &arr) != nil || len(arr) != 3 {
		return nil, policyError("Invalid Policy condition: " + string(raw))
	}
	op, _ := arr[0].(string)
	op = strings.ToLower(op)
	if op == "content-length-range" {
		lo, ok1 := number(arr[1])
		hi, ok2 := number(arr[2])
		if !ok1 || !ok2 || lo < 0 || hi < lo {
			return nil, policyError("Invalid content-length-range: " + string(raw))
		}
		return []policyCondition{{op: op, min: lo, max: hi, text: string(raw)}}, nil
	}
	field, _ := arr[1].(string)
	value, ok := arr[2].(string)
	if op != "eq" && op != "starts-with" || !strings.HasPrefix(field, "$") || !ok {
		return nil, policyError("Invalid Policy condition: " + string(raw))
	}
	return []policyCondition{{op: op, field: strings.ToLower(field[1:]), value: value, text: string(raw)}}, nil
}

func number(v any) (int64, bool) {
	switch n := v.(type) {
	case float64:
		return int64(n), n == float64(int64(n))
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		return i, err == nil
	}
	return 0, false
}
