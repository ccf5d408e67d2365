package policy

import (
	"strings"
)

// Principal is who makes a request, as the evaluator sees them.
type Principal struct {
	ARN      string // arn:aws:iam::111122223333:user/alice, …:root, arn:aws:sts::…:assumed-role/R/s
	Account  string // "" for a service principal
	UserID   string // AIDA…, AROA…:session, or the account id for root
	Username string // users only: ${aws:username}
	Type     string // "Account" (root), "User", "AssumedRole", "FederatedUser", "Service", "Anonymous"
	RoleARN  string // the role of an assumed-role session: resource policies naming the role match it
	Service  string // a service principal: "s3.amazonaws.com"
	Tags     map[string]string
}

// Root reports whether p is an account's root principal.
func (p *Principal) Root() bool { return p.Type == "Account" }

// Request is one (principal, action, resource, context) to decide.
type Request struct {
	Principal Principal
	Action    string // "sqs:SendMessage"
	Resource  string // an ARN or "*"
	// ResourceAccount owns the resource; "" takes the ARN's account field, and a resource whose
	// ARN has none (S3 buckets) with no owner given is in the principal's account.
	ResourceAccount string
	// Context holds the condition keys the service supplies, by lower-cased name. Keys the
	// principal implies (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:userid,
	// aws:username, aws:PrincipalTag/…, aws:PrincipalServiceName) are derived when absent.
	Context map[string][]string
	// Lookup, when set, answers the keys that are neither in Context nor implied by the
	// principal, when a condition asks for them (the router's request context: aws:SourceIp,
	// aws:SecureTransport, the service's own keys). Keys are case-insensitive.
	Lookup func(key string) ([]string, bool)
}

// Set adds a condition key (any case) to the request's context.
func (r *Request) Set(key string, values ...string) {
	if r.Context == nil {
		r.Context = map[string][]string{}
	}
	r.Context[strings.ToLower(key)] = values
}

// lookup returns a condition key's values (key lower-cased).
func (r *Request) lookup(key string) ([]string, bool) {
	key = lowerASCII(key)
	if v, ok := r.Context[key]; ok {
		return v, true
	}
	p := &r.Principal
	one := func(s string) ([]string, bool) {
		if s == "" {
			return nil, false
		}
		return []string{s}, true
	}
	switch key {
	case "aws:principalarn":
		if p.RoleARN != "" {
			return one(p.RoleARN)
		}
		return one(p.ARN)
	case "aws:principalaccount":
		return one(p.Account)
	case "aws:principaltype":
		return one(p.Type)
	case "aws:userid":
		return one(p.UserID)
	case "aws:username":
		return one(p.Username)
	case "aws:principalservicename":
		return one(p.Service)
	case "aws:resourceaccount":
		// The owner of the resource: its ARN's account, or the owner the service gives for ARNs
		// that carry none (an S3 bucket's). CDK's bootstrap roles allow s3:* only where it matches.
		if r.ResourceAccount != "" {
			return one(r.ResourceAccount)
		}
		return one(ARNAccount(r.Resource))
	}
	if tag, ok := strings.CutPrefix(key, "aws:principaltag/"); ok {
		for k, v := range p.Tags {
			if strings.EqualFold(k, tag) {
				return []string{v}, true
			}
		}
	}
	if r.Lookup != nil {
		return r.Lookup(key)
	}
	return nil, false
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// Policies are the documents that bear on a request.
type Policies struct {
	Identity []*Policy // the user's, its groups' and managed policies, or the role's
	Boundary *Policy   // the principal's permissions boundary, if any
	Session  []*Policy // session policies (inline and ARNs) of a role session, if any
	// SessionPolicies is true when the session was given session policies; an empty Session with
	// it set allows nothing.
	SessionPolicies bool
	Resource        *Policy // the resource's own policy, if the service has one
}

// Decision is the outcome.
type Decision int

const (
	ImplicitDeny Decision = iota
	Allowed
	ExplicitDeny
)

func (d Decision) String() string {
	return [...]string{"implicitDeny", "allowed", "explicitDeny"}[d]
}

// Source is where a policy came from.
type Source string

const (
	FromIdentity Source = "identity-based policy"
	FromResource Source = "resource-based policy"
	FromBoundary Source = "permissions boundary"
	FromSession  Source = "session policy"
)

// Match is a statement that matched the request.
type Match struct {
	Source    Source
	Policy    string // the policy's Name
	Statement int    // index in the policy
	Sid       string
	Effect    Effect
	Start     Position
	End       Position
}

// Result is a decision with its reason.
type Result struct {
	Decision Decision
	Matched  []Match
	// Reason completes AWS's denial message: "because no identity-based policy allows the
	// sqs:SendMessage action" or "with an explicit deny in a resource-based policy".
	Reason string
}

// Evaluate decides a request with AWS's policy evaluation logic.
func Evaluate(r *Request, ps *Policies) Result {
	var res Result
	action := lowerASCII(r.Action)
	ev := evaluator{r: r, action: action, res: &res, parts: splitARN(r.Resource)}

	// 1. Any matching Deny, in any policy that applies, wins.
	idAllow := ev.scan(FromIdentity, ps.Identity)
	boundAllow := ps.Boundary == nil || ev.scan(FromBoundary, []*Policy{ps.Boundary})
	sessAllow := !ps.SessionPolicies || ev.scan(FromSession, ps.Session)
	grant := noMatch
	if ps.Resource != nil {
		grant = ev.scanResource(ps.Resource)
	}
	resAllow := grant != noMatch
	if ev.denied != "" {
		res.Decision = ExplicitDeny
		res.Reason = "with an explicit deny in " + article(ev.denied) + " " + string(ev.denied)
		return res
	}
	p := &r.Principal
	if p.Type == "Service" || p.Type == "Anonymous" {
		return finish(&res, resAllow, FromResource, r.Action)
	}
	owner := r.ResourceAccount
	if owner == "" {
		owner = ARNAccount(r.Resource)
	}
	// A resource with no owner is the caller's only where its service's ARNs carry no account (an
	// S3 bucket, which its service checks) or it names no one resource ("*"): an SQS ARN with its
	// account left out belongs to no one, not to every caller.
	sameAccount := owner == p.Account || owner == "" && !accountScoped(r.Resource)
	if p.Root() {
		idAllow, boundAllow, sessAllow = true, true, true
	}
	identity := idAllow && boundAllow && sessAllow
	if !sameAccount {
		// 2. Across accounts both sides must allow.
		if !identity {
			return finish(&res, false, missing(idAllow, boundAllow), r.Action)
		}
		return finish(&res, resAllow, FromResource, r.Action)
	}
	// 3. Within an account either side suffices. A resource policy that names the user or the
	// session itself is not narrowed by a boundary or session policies; one that names the role
	// of a session is; one that names the account delegates to the identity side.
	if grant == byIdentity || grant == byRole && boundAllow && sessAllow {
		return finish(&res, true, "", r.Action)
	}
	if identity {
		return finish(&res, true, "", r.Action)
	}
	return finish(&res, false, missing(idAllow, boundAllow, sessAllow), r.Action)
}

func article(s Source) string {
	if s == FromIdentity {
		return "an"
	}
	return "a"
}

func missing(ok ...bool) Source {
	for i, o := range ok {
		if !o {
			return [...]Source{FromIdentity, FromBoundary, FromSession}[i]
		}
	}
	return FromIdentity
}

func finish(res *Result, allowed bool, lacking Source, action string) Result {
	if allowed {
		res.Decision = Allowed
		return *res
	}
	res.Decision = ImplicitDeny
	res.Reason = "because no " + string(lacking) + " allows the " + action + " action"
	return *res
}

type evaluator struct {
	r      *Request
	parts  [6]string // the request's resource ARN, split once
	action string
	res    *Result
	denied Source
}

// scan matches identity-side policies; it reports whether one allows and records denies.
func (ev *evaluator) scan(src Source, pols []*Policy) bool {
	allowed := false
	for _, pol := range pols {
		if pol == nil {
			continue
		}
		for i := range pol.Statements {
			s := &pol.Statements[i]
			if !ev.matches(s) {
				continue
			}
			ev.res.Matched = append(ev.res.Matched, Match{Source: src, Policy: pol.Name, Statement: i, Sid: s.Sid, Effect: s.Effect, Start: s.Start, End: s.End})
			if s.Effect == Deny {
				if ev.denied == "" {
					ev.denied = src
				}
			} else {
				allowed = true
			}
		}
	}
	return allowed
}

// scanResource matches a resource policy and returns the strongest grant among its allowing
// statements.
func (ev *evaluator) scanResource(pol *Policy) principalHow {
	grant := noMatch
	for i := range pol.Statements {
		s := &pol.Statements[i]
		if !ev.matches(s) {
			continue
		}
		how := ev.principalMatch(s)
		if how == noMatch {
			continue
		}
		ev.res.Matched = append(ev.res.Matched, Match{Source: FromResource, Policy: pol.Name, Statement: i, Sid: s.Sid, Effect: s.Effect, Start: s.Start, End: s.End})
		if s.Effect == Deny {
			if ev.denied == "" {
				ev.denied = FromResource
			}
			continue
		}
		grant = max(grant, how)
	}
	return grant
}

// matches tests a statement's action, resource and conditions (not its principal).
func (ev *evaluator) matches(s *Statement) bool {
	hit := false
	for _, a := range s.Actions {
		if matchAction(a, ev.action) {
			hit = true
			break
		}
	}
	if hit == s.NotAction {
		return false
	}
	if s.hasRes {
		hit = false
		for _, p := range s.Resources {
			if ev.matchResource(p) {
				hit = true
				break
			}
		}
		if hit == s.NotRes {
			return false
		}
	}
	for i := range s.Conds {
		if !s.Conds[i].eval(ev.r) {
			return false
		}
	}
	return true
}

func (ev *evaluator) matchResource(p pattern) bool {
	if p.literal {
		return p.s == ev.r.Resource
	}
	if p.vars {
		pat, ok := substitute(p.s, ev.r, true)
		return ok && matchResource(pat, ev.r.Resource)
	}
	return matchParts(p.s, &p.parts, ev.r.Resource, &ev.parts)
}

type principalHow int

const (
	noMatch    principalHow = iota
	byAccount               // the account (root ARN or id): delegated to the identity side
	byRole                  // the role of a session: narrowed by its boundary and session policies
	byIdentity              // the user or session itself, or everyone
)

func (ev *evaluator) principalMatch(s *Statement) principalHow {
	if s.Principal == nil {
		return byAccount // a resource policy statement without Principal (trust policies are checked by kind)
	}
	if s.NotPrinc {
		// NotPrincipal excludes exactly the principals it names: naming an account excludes its
		// root, not its users, and naming a role does not exclude its sessions.
		if exactlyIn(s.Principal, &ev.r.Principal) {
			return noMatch
		}
		return byIdentity
	}
	return principalIn(s.Principal, &ev.r.Principal)
}

func exactlyIn(ps *Principals, p *Principal) bool {
	if ps.All {
		return true
	}
	for _, a := range ps.AWS {
		if a == p.ARN || p.Root() && a == p.Account {
			return true
		}
	}
	for _, s := range ps.Service {
		if p.Type == "Service" && s == p.Service {
			return true
		}
	}
	return false
}

func principalIn(ps *Principals, p *Principal) principalHow {
	if ps.All {
		return byIdentity
	}
	if p.Type == "Service" {
		for _, s := range ps.Service {
			if s == p.Service {
				return byIdentity
			}
		}
		return noMatch
	}
	best := noMatch
	for _, a := range ps.AWS {
		switch {
		case a == p.ARN:
			if p.Root() {
				return byAccount
			}
			return byIdentity
		case p.Account != "" && (a == p.Account || a == "arn:aws:iam::"+p.Account+":root"):
			best = max(best, byAccount)
		case p.RoleARN != "" && a == p.RoleARN:
			best = max(best, byRole)
		}
	}
	for _, f := range ps.Federated {
		if f == p.ARN {
			return byIdentity
		}
	}
	return best
}

// Grants reports whether a resource policy by itself grants the request to its principal: an
// Allow statement matches it and no Deny does. A role's trust policy must grant AssumeRole this
// way whatever the caller's own policies say.
func Grants(r *Request, pol *Policy) bool {
	var res Result
	ev := evaluator{r: r, action: lowerASCII(r.Action), res: &res, parts: splitARN(r.Resource)}
	grant := ev.scanResource(pol)
	return grant != noMatch && ev.denied == ""
}

// accountScoped reports whether resource is an ARN of a service whose ARNs carry the owning
// account (every service but S3 and API Gateway's management API).
func accountScoped(resource string) bool {
	parts := strings.SplitN(resource, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return false
	}
	switch parts[2] {
	case "s3", "apigateway":
		return false
	}
	return true
}
