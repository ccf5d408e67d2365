package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/gureum/gureum/internal/iam"
	"github.com/gureum/gureum/internal/lambda"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/sigv4"
)

// functionURLAuth is how function URLs authenticate (the router's own SigV4 verifier, service
// "lambda") and authorize (the Enforcer with the function's policy; none without enforcement).
func functionURLAuth(v *sigv4.Verifier, e *iam.Enforcer, cfg Config) lambda.URLAuth {
	var a lambda.URLAuth
	if v != nil {
		a.Authenticate = func(ctx context.Context, r *http.Request, body []byte) (*request.Principal, error) {
			// A request without a body may be signed over UNSIGNED-PAYLOAD (CloudFront's origin
			// access control signs GETs so); one with a body must sign its SHA-256, since "Lambda
			// doesn't support unsigned payloads" (CloudFront's guide to OAC for function URLs).
			// aws-chunked bodies are refused.
			opt := sigv4.Options{Service: "lambda", Body: body}
			if len(body) == 0 {
				opt.Payload = service.PayloadUnsigned
			}
			res, err := v.Verify(ctx, r, opt)
			if err != nil {
				return nil, err
			}
			if res.Credential.Principal == nil {
				return nil, errors.New("no principal")
			}
			return res.Credential.Principal, nil
		}
	}
	if e != nil && !cfg.NoIAMEnforcement {
		a.Authorize = func(ctx context.Context, p *request.Principal, action, resource, doc string, conditions map[string][]string) error {
			return e.Authorize(ctx, p, []iam.Demand{{Action: action, Resource: resource, ResourcePolicy: doc}}, conditions)
		}
	}
	return a
}
