package router

import (
	"strconv"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/sigv4"
)

func (rt *Router) verifyOptions(x *exchange, op *service.Operation) sigv4.Options {
	opt := sigv4.Options{Service: x.svc.SigningName, S3: x.svc.Protocol == service.RESTXML, Body: x.body, Payload: x.svc.Payload}
	if op != nil {
		opt.AllowUnsignedTrailer = op.UnsignedTrailer
		opt.Checked = x.checked
	}
	return opt
}

// authenticate verifies the signature (every form goes through sigv4.Verify) or admits an
// anonymous caller where the operation allows it.
func (rt *Router) authenticate(x *exchange, op *service.Operation) error {
	if !x.signed {
		if op.Anonymous {
			return nil
		}
		return missingAuth()
	}
	res, err := rt.cfg.Verifier.Verify(x.r.Context(), x.r, rt.verifyOptions(x, op))
	if err != nil {
		return err
	}
	if res.Body != nil {
		x.r.Body = res.Body
	}
	x.info.Principal = res.Credential.Principal
	return nil
}

// conditions is a call's condition context, computed as the authorizer looks keys up.
type conditions struct {
	rt      *Router
	x       *exchange
	op      *service.Operation
	in      any
	now     time.Time
	service map[string][]string
	loaded  bool
}

// ResourcePolicies implements service.PolicySource: the called service's resource policies.
func (c *conditions) ResourcePolicies() service.ResourcePolicyFunc { return c.x.svc.ResourcePolicies }

// Lookup implements service.Conditions: the global request keys gureum knows, then the
// operation's own.
func (c *conditions) Lookup(key string) ([]string, bool) {
	r, p := c.x.r, c.x.info.Principal
	one := func(v string) ([]string, bool) { return []string{v}, true }
	switch strings.ToLower(key) { // condition keys are case-insensitive
	case "aws:sourceip":
		return one(remoteIP(r))
	case "aws:securetransport":
		return one(strconv.FormatBool(r.TLS != nil))
	case "aws:currenttime":
		return one(c.time().UTC().Format(time.RFC3339))
	case "aws:epochtime":
		return one(strconv.FormatInt(c.time().Unix(), 10))
	case "aws:requestedregion":
		return one(c.rt.cfg.Region)
	case "aws:useragent":
		if ua := r.UserAgent(); ua != "" {
			return one(ua)
		}
		return nil, false
	case "aws:referer":
		if ref := r.Referer(); ref != "" {
			return one(ref)
		}
		return nil, false
	case "aws:principalarn":
		if p != nil {
			return one(p.ARN)
		}
		return nil, false
	case "aws:principalaccount":
		if p != nil {
			return one(p.Account)
		}
		return nil, false
	case "aws:userid":
		if p != nil {
			return one(p.UserID)
		}
		return nil, false
	}
	if !c.loaded {
		c.loaded = true
		if c.op.Conditions != nil {
			c.service = c.op.Conditions(r.Context(), c.in)
		}
	}
	if v, ok := c.service[key]; ok {
		return v, true
	}
	for k, v := range c.service {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// time is the call's time, read once so that every time key agrees.
func (c *conditions) time() time.Time {
	if c.now.IsZero() {
		c.now = c.rt.cfg.Now()
	}
	return c.now
}
