// Package awserr is gureum's catalog of AWS error codes.
//
// An error that reaches a client is an *Error. It names either a service-specific *Code (for example
// SQS's QueueDoesNotExist) or a cross-cutting Kind (a bad signature, an unknown operation, a malformed
// body) whose code name depends on the protocol family: the same bad signature is SignatureDoesNotMatch
// in the query protocol, InvalidSignatureException in JSON and SignatureDoesNotMatch in S3. The codecs
// call Resolve to turn any error into the code and message their family renders; an error that is not
// an *Error becomes an internal error whose text never reaches the client.
package awserr

import (
	"errors"
	"fmt"
	"net/http"
	"os"
)

// Code is one AWS error code: its name, HTTP status and fault, and for JSON services that keep query
// compatibility (SQS) the legacy query code sent in the x-amzn-query-error header and used by the
// query protocol.
type Code struct {
	Name     string // the code as the family renders it (JSON __type short name, XML <Code>)
	Status   int    // HTTP status
	Receiver bool   // the fault is the server's (Receiver) rather than the caller's (Sender)
	Query    string // the query-protocol code when it differs from Name (optional)
}

// Error makes a Code usable as an error by itself; its message is the code's name.
func (c *Code) Error() string { return c.Name }

// QueryCode is the code the query protocol renders (and the x-amzn-query-error header carries).
func (c *Code) QueryCode() string {
	if c.Query != "" {
		return c.Query
	}
	return c.Name
}

// Fault is "Sender" or "Receiver", as the query protocol's <Type> and x-amzn-query-error spell it.
func (c *Code) Fault() string {
	if c.Receiver {
		return "Receiver"
	}
	return "Sender"
}

// Errorf returns an *Error with this code and a formatted message.
func (c *Code) Errorf(format string, args ...any) *Error {
	return &Error{Code: c, Message: fmt.Sprintf(format, args...)}
}

// Kind is a cross-cutting error whose code name depends on the protocol family.
type Kind int

const (
	Internal              Kind = iota // an unexpected server fault; the message is withheld
	Validation                        // a parameter fails validation
	Malformed                         // the request body or query cannot be parsed
	UnknownOperation                  // no such operation (or service) at this endpoint
	NotImplemented                    // the operation exists in AWS but gureum does not serve it yet
	MissingAuth                       // no credentials where they are required
	IncompleteSignature               // the Authorization header or presign parameters are malformed
	UnknownAccessKey                  // the access key id is not known
	SignatureMismatch                 // the signature does not match
	RequestExpired                    // a presigned URL has expired
	RequestTimeTooSkewed              // the request time is too far from the server's clock
	InvalidToken                      // a session token is missing, unexpected or wrong
	ExpiredToken                      // temporary credentials have expired
	AccessDenied                      // authenticated, but not allowed
	ContentSHA256Mismatch             // the body does not match x-amz-content-sha256
	BadDigest                         // the body does not match an x-amz-checksum-* value
	IncompleteBody                    // the body ended early or its aws-chunked framing is broken
	InvalidRequest                    // a request-level rule is broken (e.g. a payload mode on the wrong operation)
	TooLarge                          // the body is larger than allowed
	Timeout                           // the client was too slow sending the request
	Throttled                         // a rate limit was hit
	InvalidText                       // a document's text is not Unicode (a service may name its own code: service.Service.InvalidText)
	numKinds
)

// Field is an extra element some families add to an error body (S3's <MaxAllowedSkewMilliseconds>).
type Field struct{ Name, Value string }

// Error is an error a client sees.
type Error struct {
	Code    *Code  // the service-specific code; nil means Kind decides
	Kind    Kind   // the cross-cutting kind, used when Code is nil
	Message string // what the client is told
	Fields  []Field
	// Members are further members of a JSON error body, beside __type and message (DynamoDB's
	// ConditionalCheckFailedException carries the Item, TransactionCanceledException its
	// CancellationReasons).
	Members map[string]any
	Err     error // the underlying cause, logged but never rendered
}

func (e *Error) Error() string {
	name := kindNames[e.Kind]
	if e.Code != nil {
		name = e.Code.Name
	}
	if e.Err != nil {
		return name + ": " + e.Message + ": " + e.Err.Error()
	}
	return name + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an *Error of the given kind.
func New(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// With adds an extra body field and returns e.
func (e *Error) With(name, value string) *Error {
	e.Fields = append(e.Fields, Field{name, value})
	return e
}

// As turns any error into an *Error: an *Error or *Code in the chain is kept, anything else becomes
// an internal error that keeps the cause for the log only.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var c *Code
	if errors.As(err, &c) {
		return &Error{Code: c, Message: c.Name}
	}
	return &Error{Kind: Internal, Message: "We encountered an internal error. Please try again.", Err: err}
}

// Family is a protocol family; each renders kinds under its own code names.
type Family int

const (
	Query Family = iota
	JSON
	RESTXML
	RESTJSON
)

// Resolve returns the code a family renders for err, and the message to send.
func Resolve(f Family, err error) (*Code, *Error) {
	e := As(err)
	if e.Code != nil {
		return e.Code, e
	}
	return families[f][e.Kind], e
}

var kindNames = [numKinds]string{
	"Internal", "Validation", "Malformed", "UnknownOperation", "NotImplemented", "MissingAuth",
	"IncompleteSignature", "UnknownAccessKey", "SignatureMismatch", "RequestExpired",
	"RequestTimeTooSkewed", "InvalidToken", "ExpiredToken", "AccessDenied", "ContentSHA256Mismatch",
	"BadDigest", "IncompleteBody", "InvalidRequest", "TooLarge", "Timeout", "Throttled", "InvalidText",
}

// FromRead maps a failure to read a request body: a deadline is a Timeout, a body over the cap is
// TooLarge, anything else (a connection that closed early) is IncompleteBody.
func FromRead(err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return &Error{Kind: Timeout, Message: "Your socket connection to the server was not read from or written to within the timeout period.", Err: err}
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &Error{Kind: TooLarge, Message: "The request body exceeds the maximum allowed size.", Err: err}
	}
	return &Error{Kind: IncompleteBody, Message: "The request body terminated unexpectedly", Err: err}
}
