package sigv4

import (
	"context"
	"net/http"
)

// Precheck runs the checks of Verify that need no body: the structure of the Authorization header
// or of the presigned query, the credential scope (date, region, service), the request's time, and
// that the access key exists and its session token is the one issued. The router runs it before
// it reads a request body, so that a request that cannot authenticate costs no more than its
// headers. What it established goes to Verify in Options.Checked, which then parses nothing
// again and adds the signature, which covers the body's hash.
func (v *Verifier) Precheck(ctx context.Context, r *http.Request, opt Options) (*Checked, error) {
	s, err := v.parse(r, opt)
	if err != nil {
		return nil, err
	}
	if err := v.checkScope(s, opt); err != nil {
		return nil, err
	}
	if err := v.checkTime(s); err != nil {
		return nil, err
	}
	cred, err := v.Keys.Credential(ctx, s.scope.AccessKeyID)
	if err != nil {
		return nil, err
	}
	if err := v.checkToken(cred, s); err != nil {
		return nil, err
	}
	return &Checked{r: r, service: opt.Service, s3: opt.S3, s: s, cred: cred}, nil
}

// Checked is what Precheck found of a request: its signature material and its credential.
type Checked struct {
	r       *http.Request
	service string
	s3      bool
	s       *signed
	cred    *Credential
}

// of returns the checked material when it was found for this request under the same rules.
func (c *Checked) of(r *http.Request, opt Options) (*signed, *Credential, bool) {
	if c == nil || c.r != r || c.service != opt.Service || c.s3 != opt.S3 {
		return nil, nil, false
	}
	return c.s, c.cred, true
}
