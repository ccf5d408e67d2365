package sigv4

import (
	"context"
	"net/http"
)

// Precheck runs the checks of Verify that need no body: the structure of the Authorization header
// or of the presigned query, the credential scope (date, region, service), the request's time, and
// that the access key exists and its session token is the one issued. The router runs it before
// it reads a request body, so that a request that cannot authenticate costs no more than its
// headers. Verify repeats these checks and adds the signature, which covers the body's hash.
func (v *Verifier) Precheck(ctx context.Context, r *http.Request, opt Options) error {
	s, err := v.parse(r, opt)
	if err != nil {
		return err
	}
	if err := v.checkScope(s, opt); err != nil {
		return err
	}
	if err := v.checkTime(s); err != nil {
		return err
	}
	cred, err := v.Keys.Credential(ctx, s.scope.AccessKeyID)
	if err != nil {
		return err
	}
	return v.checkToken(cred, s)
}
