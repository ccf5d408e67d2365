// Package service describes an AWS service as gureum serves it: its wire protocol, how requests
// reach it, and its operation table (name → handler and IAM action). Each service package (sts,
// sqs, s3, …) builds one *Service; the router and codecs read it, and docs/compatibility.md is
// generated from the tables.
package service

import (
	"context"
	"fmt"
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
// segments (botocore's requestUri form, "/{Bucket}/{Key+}?uploads", is accepted: what follows
// the "?" adds query predicates, except botocore's "x-id", which is no predicate on the wire),
// query parameters that must be present (S3 sub-resources such as "uploads", or "key=value" when
// the value matters, as in "list-type=2"), and headers that must be present (S3's
// "x-amz-copy-source" tells CopyObject from PutObject).
//
// Precedence, as AWS applies it: at the first path segment where two matching routes differ, a
// literal segment beats a {Label}, which beats a {Label+}; among routes with the same segments,
// the one with the most query and header predicates wins.
type Route struct {
	Method  string
	Path    string
	Query   []string
	Headers []string
}

// Body limits an Operation may declare in MaxBody.
const (
	DefaultMaxBody int64 = 16 << 20 // a non-streaming body, unless the operation says otherwise
	Streams        int64 = -1       // the body streams to the handler and is not capped here (S3 objects)
)

// Check is one authorization question: may the caller perform Action on Resource?
type Check struct {
	Action   string // e.g. "s3:GetObject"
	Resource string // an ARN, or "*"
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
	// MaxBody caps the request body in bytes: 0 is DefaultMaxBody, Streams leaves a streamed body
	// uncapped (the handler reads it), and a larger value admits bigger documents (Lambda's
	// CreateFunction takes a 50 MB zip, 70 MB as base64 in JSON). REST-XML (S3) bodies always
	// stream to the handler, capped only where MaxBody is set above 0.
	MaxBody int64
	// Resource names the IAM resource of a call from its decoded input; nil means "*".
	Resource func(ctx context.Context, in any) string
	// Checks, when set, lists every authorization question the call raises (CopyObject reads its
	// source and writes its destination; CreateFunction also passes a role: iam:PassRole), in
	// place of the single {Action, Resource}.
	Checks func(ctx context.Context, in any) []Check
	// Conditions adds the service's own condition keys for a call (s3:prefix, lambda:Layer),
	// beside the request keys the router supplies (aws:SourceIp, aws:SecureTransport,
	// aws:CurrentTime). It is called only when the authorizer asks for one of them.
	Conditions func(ctx context.Context, in any) map[string][]string
}

// Conditions is the condition context of one call, as IAM policy conditions read it: the
// request's keys (aws:SourceIp, aws:SecureTransport, aws:CurrentTime, aws:PrincipalArn, …) and
// the service's own (s3:prefix). A key may have several values (aws:TagKeys). Values are
// computed when they are looked up: most calls are decided without reading any.
type Conditions interface {
	Lookup(key string) (values []string, ok bool)
}

// ResourcePolicyFunc returns the account that owns resource (an ARN from one of the service's
// checks) and the policy document attached to it; doc is "" when it has none, owner is "" when
// the resource does not exist or is not the service's (the ARN's own account then stands). It is
// called only for checks of a service that declares it, at most once a check.
type ResourcePolicyFunc func(ctx context.Context, resource string) (owner, doc string, err error)

// PolicySource is implemented by the Conditions the router hands an authorizer: the resource
// policies of the service being called (nil when it holds none).
type PolicySource interface {
	ResourcePolicies() ResourcePolicyFunc
}

// Implemented reports whether the operation has a handler.
func (o *Operation) Implemented() bool { return o.Handler != nil }

// BodyLimit is the operation's cap on a non-streaming body, in bytes; Streams when uncapped.
func (o *Operation) BodyLimit() int64 {
	if o.MaxBody == 0 {
		return DefaultMaxBody
	}
	return o.MaxBody
}

// AuthChecks lists the authorization questions of a call with input in.
func (o *Operation) AuthChecks(ctx context.Context, in any) []Check {
	if o.Checks != nil {
		return o.Checks(ctx, in)
	}
	resource := "*"
	if o.Resource != nil {
		resource = o.Resource(ctx, in)
	}
	return []Check{{Action: o.Action, Resource: resource}}
}

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
	// AlsoCBOR serves Smithy RPC v2 CBOR beside JSON (CloudWatch): a request with the header
	// Smithy-Protocol: rpc-v2-cbor to /service/<TargetPrefix>/operation/<Operation>.
	AlsoCBOR bool
	// PathPrefix tells REST services that share a signing name apart: API Gateway v2's routes
	// all start with "/v2/", v1's do not. Empty: the service takes the paths its siblings' prefixes
	// leave. A service's own routes must all start with its prefix.
	PathPrefix string
	// InvalidText is what the service answers, in a JSON protocol, for a body whose text is not
	// Unicode (bytes that are not UTF-8, an escaped lone surrogate), which a JSON decoder would
	// otherwise replace with U+FFFD and accept: SQS answers InvalidMessageContents as it does in the
	// query protocol. Nil: the protocol's SerializationException.
	InvalidText *awserr.Error
	// ResponseCRC32 sends x-amz-crc32, the CRC-32 (IEEE) of the response body, with every JSON
	// response (DynamoDB: its SDKs check it).
	ResponseCRC32 bool
	// Payload is the payload modes the verifier accepts beside a signed body hash (S3: unsigned
	// and streaming; zero for the rest).
	Payload PayloadModes

	Operations []Operation
	// Endpoints are the service's data plane (API Gateway invoke URLs, function URLs, S3
	// websites): traffic that is not an API call, which the router offers these before any service.
	Endpoints []Endpoint
	// ResourcePolicies, when set, finds the policy attached to a resource the service holds (a
	// queue's, a topic's, a bucket's, a function's) for the authorizer to weigh beside the
	// caller's own policies; see ResourcePolicyFunc.
	ResourcePolicies ResourcePolicyFunc

	byName    map[string]*Operation
	routes    *routeIndex
	indexErr  error
	anonymous bool
	maxBody   int64
}

// Index builds the operation indexes: by name, and for REST services by route. Call it once,
// when the service is described and before it is shared; afterwards the Service is read-only.
// A table that cannot be indexed (a bad pattern, two routes no request could tell apart) is
// reported by Err, and router.New refuses it.
func (s *Service) Index() *Service {
	s.byName = make(map[string]*Operation, len(s.Operations))
	s.anonymous, s.maxBody, s.indexErr = false, 0, nil
	for i := range s.Operations {
		op := &s.Operations[i]
		if _, dup := s.byName[op.Name]; dup && s.indexErr == nil {
			s.indexErr = fmt.Errorf("%s: operation %s is listed twice", s.Name, op.Name)
		}
		s.byName[op.Name] = op
		s.anonymous = s.anonymous || op.Anonymous
		if l := op.BodyLimit(); l > s.maxBody || l == Streams {
			s.maxBody = l
		}
		if op.Route.Method != "" && s.PathPrefix != "" && !strings.HasPrefix(op.Route.Path, s.PathPrefix) && s.indexErr == nil {
			s.indexErr = fmt.Errorf("%s: route %s of %s does not start with the service's path prefix %s", s.Name, op.Route.Path, op.Name, s.PathPrefix)
		}
	}
	if s.Protocol == RESTXML || s.Protocol == RESTJSON {
		routes, err := buildRoutes(s.Operations)
		if err != nil && s.indexErr == nil {
			s.indexErr = fmt.Errorf("%s: %w", s.Name, err)
		}
		s.routes = routes
	}
	return s
}

// Indexed reports whether Index has run.
func (s *Service) Indexed() bool { return s.byName != nil }

// Err reports why the table could not be indexed; nil when it was.
func (s *Service) Err() error {
	if !s.Indexed() {
		return fmt.Errorf("%s: the operation table was not indexed (call Index when describing the service)", s.Name)
	}
	return s.indexErr
}

// HasAnonymous reports whether any operation may be called without credentials.
func (s *Service) HasAnonymous() bool { return s.anonymous }

// MaxBody is the largest body any operation of the service accepts (Streams if one streams): the
// cap for a body that must be read before the operation is known (the query protocol's Action).
func (s *Service) MaxBody() int64 {
	if s.maxBody == 0 {
		return DefaultMaxBody
	}
	return s.maxBody
}

// Op finds an operation by name; nil when the service has no such operation. It reads the index
// built by Index and never builds one; an unindexed service is searched in order.
func (s *Service) Op(name string) *Operation {
	if s.byName != nil {
		return s.byName[name]
	}
	for i := range s.Operations {
		if s.Operations[i].Name == name {
			return &s.Operations[i]
		}
	}
	return nil
}

// MatchRoute finds the REST operation for a request's method, path, query and headers, and the
// values of the path's labels. It uses the index built by Index (nil without one).
func (s *Service) MatchRoute(r *http.Request) (*Operation, map[string]string) {
	if s.routes == nil {
		return nil, nil
	}
	return s.routes.find(r.Method, r.URL.Path, r.URL.RawQuery, r.Header)
}

// Endpoint is a data-plane entry: traffic that is not an AWS API call (API Gateway invoke URLs,
// Lambda function URLs, S3 website endpoints and browser POST uploads), chosen by Host pattern or
// by path prefix. Its handler gets the request as it came, unauthenticated, and decides itself
// who may call it. Anonymous requests are served only here and by operations marked Anonymous.
type Endpoint struct {
	Name string // for metrics and logs: "execute-api", "lambda-url", "s3-website"
	// Host is a pattern "*.<suffix>" ("*.execute-api.localhost", "*.lambda-url.us-east-1.localhost"):
	// the "*" stands for one or more labels. Empty: no host.
	Host string
	// Prefix is a path prefix under "/_gureum/" ("/_gureum/execute-api/"). Empty: no prefix.
	Prefix string
	// Match, when set, claims hosts no pattern names (API Gateway's custom domain names): it is
	// asked about a request's host (without its port) when no Host pattern matched, and must
	// answer from memory, since every request that is not a data-plane one asks it.
	Match   func(ctx context.Context, host string) bool
	Handler http.Handler
}
