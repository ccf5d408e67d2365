// Package service describes an AWS service as gureum serves it: its wire protocol, how requests
// reach it, and its operation table (name → handler and IAM action). Each service package (sts,
// sqs, s3, …) builds one *Service; the router and codecs read it, and docs/compatibility.md is
// generated from the tables.
package service

import (
	"context"
	"net/http"
	"strings"

	"github.com/gureum/gureum/internal/awserr"
)

// Protocol is an AWS wire-protocol family.
type Protocol int

const (
	Query    Protocol = iota // form in, XML out (STS, IAM, legacy SQS)
	JSON10                   // AWS JSON 1.0 (SQS, DynamoDB)
	JSON11                   // AWS JSON 1.1 (Step Functions, CloudWatch Logs)
	RESTXML                  // S3
	RESTJSON                 // Lambda, API Gateway
)

func (p Protocol) String() string {
	return [...]string{"query", "json-1.0", "json-1.1", "rest-xml", "rest-json"}[p]
}

// Handler runs one operation on a decoded input.
type Handler interface {
	NewInput() any
	Call(ctx context.Context, in any) (any, error)
}

type handlerFunc[In, Out any] func(ctx context.Context, in *In) (*Out, error)

func (f handlerFunc[In, Out]) NewInput() any { return new(In) }

func (f handlerFunc[In, Out]) Call(ctx context.Context, in any) (any, error) {
	out, err := f(ctx, in.(*In))
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Func adapts a typed function to a Handler; codecs decode into *In and encode *Out.
func Func[In, Out any](fn func(ctx context.Context, in *In) (*Out, error)) Handler {
	return handlerFunc[In, Out](fn)
}

// Route is how a REST operation is addressed: a method, a path pattern with {Label} and {Label+}
// segments, query parameters that must be present (S3 sub-resources such as "uploads", or
// "key=value" when the value matters, as in "list-type=2"), and headers that must be present
// (S3's "x-amz-copy-source" tells CopyObject from PutObject). Among the routes that match a
// request, the one with the most literal path segments wins, then the one with the most query
// and header predicates.
type Route struct {
	Method  string
	Path    string
	Query   []string
	Headers []string
}

// Operation is one row of a service's table.
type Operation struct {
	Name      string  // as in the AWS API reference, e.g. "GetCallerIdentity"
	Action    string  // the IAM action authorised for it, e.g. "sts:GetCallerIdentity"
	Handler   Handler // nil: part of the AWS API but not served yet (answers NotImplemented)
	Route     Route   // REST protocols only
	Anonymous bool    // may be called without credentials (a later issue must say so)
	// UnsignedTrailer permits STREAMING-UNSIGNED-PAYLOAD-TRAILER bodies (S3 PutObject, UploadPart).
	UnsignedTrailer bool
	// Resource names the IAM resource of a call from its decoded input; nil means "*".
	Resource func(ctx context.Context, in any) string
}

// Implemented reports whether the operation has a handler.
func (o *Operation) Implemented() bool { return o.Handler != nil }

// PayloadModes are the forms of x-amz-content-sha256 a service accepts besides the hex SHA-256 of
// the body, which every service accepts. The zero value accepts that alone, so the signature covers
// the body: a service that allowed UNSIGNED-PAYLOAD would let a signed request's body be replaced
// in flight (AWS allows it for S3 and a few streaming uploads, and for no JSON or query service).
type PayloadModes uint8

const (
	// PayloadUnsigned accepts UNSIGNED-PAYLOAD, the body left out of the signature (and presigned
	// URLs without X-Amz-Content-Sha256, which mean the same).
	PayloadUnsigned PayloadModes = 1 << iota
	// PayloadStreaming accepts aws-chunked bodies: STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER], and
	// STREAMING-UNSIGNED-PAYLOAD-TRAILER where the operation also allows it (Operation.UnsignedTrailer).
	PayloadStreaming
)

// Service is one AWS service.
type Service struct {
	Name        string   // gureum's name for it: "sts", "sqs", "s3"
	SigningName string   // the SigV4 credential-scope service
	Protocol    Protocol // the protocol family it speaks
	APIVersion  string   // e.g. "2011-06-15"

	XMLNamespace    string // query and REST-XML responses
	TargetPrefix    string // JSON: the X-Amz-Target prefix, e.g. "AmazonSQS"
	ErrorTypePrefix string // JSON: the __type namespace, e.g. "com.amazonaws.sqs#"
	QueryCompatible bool   // JSON errors also carry x-amzn-query-error (SQS)
	// AlsoQuery serves the query protocol on the same endpoint beside JSON (SQS).
	AlsoQuery bool
	// InvalidText is what the service answers, in a JSON protocol, for a body whose text is not
	// Unicode (bytes that are not UTF-8, an escaped lone surrogate), which a JSON decoder would
	// otherwise replace with U+FFFD and accept: SQS answers InvalidMessageContents as it does in the
	// query protocol. Nil: the protocol's SerializationException.
	InvalidText *awserr.Error
	// Payload is the payload modes the verifier accepts beside a signed body hash (S3: unsigned
	// and streaming; zero for the rest).
	Payload PayloadModes

	Operations []Operation

	byName map[string]*Operation
}

// Op finds an operation by name; nil when the service has no such operation.
func (s *Service) Op(name string) *Operation {
	if s.byName == nil {
		s.byName = make(map[string]*Operation, len(s.Operations))
		for i := range s.Operations {
			s.byName[s.Operations[i].Name] = &s.Operations[i]
		}
	}
	return s.byName[name]
}

// Index builds the name index; call it once before serving so that Op is read-only afterwards.
func (s *Service) Index() *Service {
	s.byName = nil
	s.Op("")
	return s
}

// MatchRoute finds the REST operation for a method, path and query, returning the path labels.
// Among matching routes the one that requires the most query parameters wins.
func (s *Service) MatchRoute(r *http.Request) (*Operation, map[string]string) {
	var best *Operation
	var bestLabels map[string]string
	q := r.URL.Query()
	for i := range s.Operations {
		op := &s.Operations[i]
		if op.Route.Method != r.Method {
			continue
		}
		labels, ok := matchPath(op.Route.Path, r.URL.Path)
		if !ok || !hasAll(q, op.Route.Query) || !hasHeaders(r.Header, op.Route.Headers) {
			continue
		}
		if best == nil || len(op.Route.Query)+len(op.Route.Headers) > len(best.Route.Query)+len(best.Route.Headers) {
			best, bestLabels = op, labels
		}
	}
	return best, bestLabels
}

func hasAll(q map[string][]string, names []string) bool {
	for _, n := range names {
		name, want, valued := strings.Cut(n, "=")
		v, ok := q[name]
		if !ok || valued && (len(v) == 0 || v[0] != want) {
			return false
		}
	}
	return true
}

func hasHeaders(h http.Header, names []string) bool {
	for _, n := range names {
		if _, ok := h[http.CanonicalHeaderKey(n)]; !ok {
			return false
		}
	}
	return true
}

// matchPath matches "/{Bucket}/{Key+}"-style patterns. A {Label+} takes the rest of the path.
func matchPath(pattern, path string) (map[string]string, bool) {
	labels := map[string]string{}
	pp := strings.Split(strings.TrimPrefix(pattern, "/"), "/")
	rest := strings.TrimPrefix(path, "/")
	for i, seg := range pp {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "+}") {
			if rest == "" {
				return nil, false
			}
			labels[seg[1:len(seg)-2]] = rest
			return labels, i == len(pp)-1
		}
		part, tail, found := strings.Cut(rest, "/")
		switch {
		case strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}"):
			if part == "" {
				return nil, false
			}
			labels[seg[1:len(seg)-1]] = part
		case seg != part:
			return nil, false
		}
		rest = tail
		if !found && i < len(pp)-1 {
			return nil, false
		}
		if found && i == len(pp)-1 && tail != "" {
			return nil, false
		}
	}
	return labels, true
}
