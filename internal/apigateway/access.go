package apigateway

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/iam"
	"github.com/gureum/gureum/internal/iam/policy"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/sigv4"
)

// Who may invoke a method: PRIVATE APIs answer only on the private listener (a request that came
// through the operator's VPC endpoint); AWS_IAM methods need a SigV4 signature for execute-api,
// verified by the router's own verifier, and execute-api:Invoke granted by the caller's
// policies; a REST API's resource policy is weighed for every invoke, with aws:SourceVpce,
// aws:SourceIp and the rest in its conditions.

// Enforcer decides IAM demands with a request's condition keys (iam.Enforcer): the caller's
// identity policies, and the resource policy a demand carries.
type Enforcer interface {
	Authorize(ctx context.Context, p *request.Principal, demands []iam.Demand, conditions map[string][]string) error
}

type vpceKey struct{}

// WithVPCEndpoint marks a request's context as having come through the VPC endpoint id (the
// server's private listener): PRIVATE APIs answer such requests, and aws:SourceVpce is id.
func WithVPCEndpoint(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, vpceKey{}, id)
}

// vpcEndpoint is the VPC endpoint a request came through; "" for the public listener.
func vpcEndpoint(ctx context.Context) string {
	id, _ := ctx.Value(vpceKey{}).(string)
	return id
}

// invokeAction is the IAM action of calling a deployed method.
const invokeAction = "execute-api:Invoke"

var (
	errInvalidSignature = &gatewayError{403, "InvalidSignatureException", "", "INVALID_SIGNATURE", ""}
	errExpiredToken     = &gatewayError{403, "InvalidSignatureException", "", "EXPIRED_TOKEN", ""}
	errBadToken         = &gatewayError{403, "UnrecognizedClientException", "The security token included in the request is invalid.", "INVALID_SIGNATURE", ""}
)

// isPrivate reports whether an API's endpoint type is PRIVATE.
func isPrivate(api *RestAPI) bool {
	ec := api.EndpointConfiguration
	return ec != nil && len(ec.Types) > 0 && ec.Types[0] == "PRIVATE"
}

// reachable applies the endpoint rules: a PRIVATE API answers only through a VPC endpoint, and
// an API whose execute-api endpoint is disabled answers nowhere here.
func reachable(ctx context.Context, api *RestAPI) *gatewayError {
	if api.DisableExecuteAPIEndpoint || isPrivate(api) && vpcEndpoint(ctx) == "" {
		return errForbidden
	}
	return nil
}

// authenticate verifies an AWS_IAM method's SigV4 signature (service execute-api) with the
// router's verifier, and records the caller.
func (s *Service) authenticate(ctx context.Context, inv *invocation) *gatewayError {
	if !sigv4.Signed(inv.r) {
		return errMissingToken
	}
	if s.verifier == nil {
		return errInternal
	}
	res, err := s.verifier.Verify(ctx, inv.r, sigv4.Options{Service: "execute-api", Body: inv.body})
	if err != nil {
		return signatureError(err)
	}
	inv.caller = res.Credential.Principal
	return nil
}

// signatureError turns the verifier's refusal into API Gateway's gateway response.
func signatureError(err error) *gatewayError {
	var ae *awserr.Error
	if !errors.As(err, &ae) {
		return errInternal
	}
	switch ae.Kind {
	case awserr.MissingAuth:
		return errMissingToken
	case awserr.RequestExpired, awserr.RequestTimeTooSkewed, awserr.ExpiredToken:
		g := *errExpiredToken
		g.message = "Signature expired: " + ae.Message
		return &g
	case awserr.InvalidToken, awserr.UnknownAccessKey:
		return errBadToken
	case awserr.SignatureMismatch:
		g := *errInvalidSignature
		g.message = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
		return &g
	}
	g := *errInvalidSignature
	g.typ = "IncompleteSignatureException"
	g.message = ae.Message
	return &g
}

// permit evaluates execute-api:Invoke on the method's ARN: with the caller's policies for an
// AWS_IAM method, and with the API's resource policy whenever it has one. Without an Authorizer
// (IAM enforcement off) everything is permitted.
func (s *Service) permit(ctx context.Context, inv *invocation) *gatewayError {
	iamAuth := inv.method.AuthorizationType == "AWS_IAM"
	if s.authz == nil || inv.d.api.Policy == "" && !iamAuth {
		return nil
	}
	arn := s.methodARN(inv)
	d := iam.Demand{Action: invokeAction, Resource: arn, ResourceAccount: inv.d.account, ResourcePolicy: inv.d.api.Policy}
	var who *request.Principal
	if iamAuth {
		who = inv.caller
	}
	err := s.authz.Authorize(ctx, who, []iam.Demand{d}, invokeConditions(ctx, inv.r))
	if err == nil {
		return nil
	}
	var ae *awserr.Error
	if !errors.As(err, &ae) || ae.Kind != awserr.AccessDenied {
		return errInternal
	}
	name := "anonymous"
	if who != nil {
		name = who.ARN
	}
	msg := "User: " + name + " is not authorized to perform: " + invokeAction + " on resource: " + maskAccount(arn)
	if strings.Contains(ae.Message, "explicit deny") {
		msg += " with an explicit deny"
	}
	return &gatewayError{status: 403, typ: "AccessDeniedException", message: msg, rtype: "ACCESS_DENIED", key: "Message"}
}

// maskAccount hides all but the last four digits of an ARN's account, as API Gateway's denials do.
func maskAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || len(parts[4]) < 4 {
		return arn
	}
	parts[4] = strings.Repeat("*", len(parts[4])-4) + parts[4][len(parts[4])-4:]
	return strings.Join(parts, ":")
}

// invokeConditions are the request's condition keys a resource policy may test.
func invokeConditions(ctx context.Context, r *http.Request) map[string][]string {
	ip := r.RemoteAddr
	if h, _, err := net.SplitHostPort(ip); err == nil {
		ip = h
	}
	c := map[string][]string{"aws:SourceIp": {ip}, "aws:SecureTransport": {strconv.FormatBool(r.TLS != nil)}}
	if v := vpcEndpoint(ctx); v != "" {
		c["aws:SourceVpce"] = []string{v}
	}
	if ua := r.UserAgent(); ua != "" {
		c["aws:UserAgent"] = []string{ua}
	}
	if ref := r.Referer(); ref != "" {
		c["aws:Referer"] = []string{ref}
	}
	return c
}

// normalizePolicy checks a REST API's resource policy and expands the shorthand resources AWS
// expands when it is saved: "execute-api:/stage/GET/pets" becomes
// "arn:aws:execute-api:region:account:api-id/stage/GET/pets".
func normalizePolicy(doc, region, account, apiID string) (string, error) {
	if doc == "" {
		return "", nil
	}
	invalid := badRequest("Invalid policy document. Please check the policy syntax and try again.")
	var v map[string]any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return "", invalid
	}
	prefix := "arn:aws:execute-api:" + region + ":" + account + ":" + apiID + "/"
	expand := func(x any) any {
		if s, ok := x.(string); ok {
			if rest, ok := strings.CutPrefix(s, "execute-api:/"); ok {
				return prefix + rest
			}
		}
		return x
	}
	stmts, _ := v["Statement"].([]any)
	if st, ok := v["Statement"].(map[string]any); ok {
		stmts = []any{st}
	}
	for _, raw := range stmts {
		st, ok := raw.(map[string]any)
		if !ok {
			continue
		}
		for _, field := range []string{"Resource", "NotResource"} {
			switch r := st[field].(type) {
			case string:
				st[field] = expand(r)
			case []any:
				for i := range r {
					r[i] = expand(r[i])
				}
			}
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", invalid
	}
	if _, err := policy.Parse(string(b), policy.Resource); err != nil {
		return "", badRequest("Invalid policy document. Please check the policy syntax and try again. %s", err.Error())
	}
	return string(b), nil
}
