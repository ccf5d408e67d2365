package router

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/protocol/query"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/sigv4"
)

// anonymousFormBody caps the body of an unsigned form request, read to find its Action before
// the service is known (STS's AssumeRoleWithSAML carries a SAML response of up to 100,000
// characters).
const anonymousFormBody = 256 << 10

// pickService finds the service a request is for: by the signing name of its credential scope,
// told apart by protocol and path prefix where services share one; by X-Amz-Target; by the
// Action parameter; else S3's addressing.
func (rt *Router) pickService(x *exchange) error {
	r := x.r
	if x.scoped {
		sc := x.scope
		svc, err := choose(rt.bySigning[sc.Service], r)
		if err != nil {
			return err
		}
		if x.svc = svc; x.svc == nil {
			return awserr.New(awserr.UnknownOperation, "The service %q is not served by this endpoint.", sc.Service)
		}
	} else if t := r.Header.Get("X-Amz-Target"); t != "" {
		prefix, _, _ := strings.Cut(t, ".")
		if x.svc = rt.byTarget[prefix]; x.svc == nil {
			return awserr.New(awserr.UnknownOperation, "X-Amz-Target %q names no service served by this endpoint.", t)
		}
	} else if isForm(r) {
		if !x.signed && !rt.anonForms {
			return missingAuth()
		}
		if err := rt.readBody(x, anonymousFormBody); err != nil {
			return err
		}
		form, err := query.Form(r, x.body)
		if err != nil {
			return err
		}
		if x.svc = rt.byAction[form.Get("Action")]; x.svc == nil {
			return awserr.New(awserr.UnknownOperation, "The action %q is not served by this endpoint.", form.Get("Action"))
		}
	} else if x.svc = rt.s3; x.svc == nil {
		return missingAuth()
	}
	x.info.Service = x.svc.Name
	return nil
}

func isForm(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") ||
		strings.Contains(r.URL.RawQuery, "Action=")
}

// choose picks among the services that share a signing name (API Gateway v1 and v2 both sign as
// apigateway) the one that claims the request: a JSON service by its X-Amz-Target prefix, a query
// service (or a JSON one that also speaks query) by a form, a REST service by the longest path
// prefix. nil when none does.
func choose(cands []*service.Service, r *http.Request) (*service.Service, error) {
	if len(cands) == 1 {
		return cands[0], nil
	}
	var best *service.Service
	bestScore, tie := -1, false
	for _, s := range cands {
		score := claim(s, r)
		switch {
		case score > bestScore:
			best, bestScore, tie = s, score, false
		case score == bestScore && score >= 0:
			tie = true
		}
	}
	if bestScore < 0 {
		return nil, nil
	}
	if tie {
		return nil, awserr.New(awserr.UnknownOperation, "The request matches more than one service signing as %q.", cands[0].SigningName)
	}
	return best, nil
}

// claim scores how specifically s claims r; -1 when it does not.
func claim(s *service.Service, r *http.Request) int {
	target := r.Header.Get("X-Amz-Target")
	switch s.Protocol {
	case service.JSON10, service.JSON11:
		if prefix, _, _ := strings.Cut(target, "."); target != "" && prefix == s.TargetPrefix {
			return 1 << 20
		}
		if s.AlsoQuery && target == "" && isForm(r) {
			return 1
		}
	case service.Query:
		if target == "" && isForm(r) {
			return 1
		}
	case service.RESTXML, service.RESTJSON:
		if target == "" && strings.HasPrefix(r.URL.Path, s.PathPrefix) {
			return 2 + len(s.PathPrefix)
		}
	}
	return -1
}

// checkClaims proves at start-up that each operation of each service is reached by its sample
// request, so that no two services (nor two routes) claim one request.
func (rt *Router) checkClaims() error {
	for _, s := range rt.cfg.Services {
		for i := range s.Operations {
			op := &s.Operations[i]
			if (s.Protocol == service.RESTXML || s.Protocol == service.RESTJSON) && op.Route.Method == "" {
				return fmt.Errorf("router: %s %s has no route", s.Name, op.Name)
			}
			gotSvc, gotOp, err := rt.Resolve(service.SampleRequest(s, op))
			switch {
			case err != nil:
				return fmt.Errorf("router: %s %s: its sample request fails: %w", s.Name, op.Name, err)
			case gotSvc != s:
				return fmt.Errorf("router: %s and %s both claim %s %s", s.Name, gotSvc.Name, s.Name, op.Name)
			case gotOp != op:
				return fmt.Errorf("router: %s %s: its sample request reaches %s", s.Name, op.Name, gotOp.Name)
			}
		}
	}
	return nil
}

// Resolve finds the service and operation a request is for, as ServeHTTP does, without
// authenticating or serving it. It reads a query-protocol request's body (to find its Action).
func (rt *Router) Resolve(r *http.Request) (*service.Service, *service.Operation, error) {
	x := &exchange{r: r, signed: sigv4.Signed(r), info: &request.Info{}}
	x.scope, x.scoped = sigv4.ParseScope(r)
	defer rt.release(x)
	if err := rt.pickService(x); err != nil {
		return nil, nil, err
	}
	x.codec = codecFor(x.svc, r)
	if _, isQuery := x.codec.(query.Codec); isQuery {
		if err := rt.readBody(x, x.svc.MaxBody()); err != nil {
			return nil, nil, err
		}
	}
	if x.svc.Protocol == service.RESTXML {
		virtualHost(r)
	}
	op, _, err := x.codec.Route(r, x.body, x.svc)
	return x.svc, op, err
}
