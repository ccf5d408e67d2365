package iam

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/iam/policy"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
)

// GenerationCheck is how often a node asks the store whether identity changed anywhere: a change
// made through another node reaches this node's cached policies within this time (AWS documents
// IAM as eventually consistent). Changes made through this node's IAM service drop the cache at once.
const GenerationCheck = time.Second

const maxCachedPrincipals = 10000

// Demand is one (action, resource) a request needs, with the resource's owner and policy when the
// service knows them.
type Demand struct {
	Action          string // "sqs:SendMessage"
	Resource        string // an ARN or "*"
	ResourceAccount string // the owner when the ARN has no account field (S3 buckets); "" otherwise
	ResourcePolicy  string // the resource's policy document, if it has one
}

// Enforcer authorizes requests with the principal's policies, its boundary and session policies,
// and the resource's policy. Principals' policies are cached; the IAM service drops the cache on
// every change it makes, and the store's generation counter tells other nodes.
type Enforcer struct {
	store Store
	now   func() time.Time

	mu        sync.Mutex
	cache     map[string]*cachedPrincipal
	gen       int64
	checkedAt time.Time

	resMu     sync.Mutex
	resources map[string]*policy.Policy // parsed resource policies by document
}

type cachedPrincipal struct {
	pols     *identityPolicies
	roleARN  string
	userType string
	sourceID string
}

// NewEnforcer returns an enforcer on a store; now may be nil for real time.
func NewEnforcer(st Store, now func() time.Time) *Enforcer {
	if now == nil {
		now = time.Now
	}
	return &Enforcer{store: st, now: now, cache: map[string]*cachedPrincipal{}, resources: map[string]*policy.Policy{}}
}

// Invalidate drops every cached principal; the IAM service calls it after each change.
func (e *Enforcer) Invalidate() {
	e.mu.Lock()
	clear(e.cache)
	e.mu.Unlock()
}

// Authorize decides every demand for p (nil: anonymous) with the request's condition keys, and
// returns AccessDenied with AWS's message for the first demand that is not allowed.
func (e *Enforcer) Authorize(ctx context.Context, p *request.Principal, demands []Demand, conditions map[string][]string) error {
	return e.authorize(ctx, p, demands, conditions, nil)
}

// authorize decides demands with the condition keys given, and those more asks for.
func (e *Enforcer) authorize(ctx context.Context, p *request.Principal, demands []Demand, conditions map[string][]string, more service.Conditions) error {
	r, err := e.request(ctx, p, conditions)
	if err != nil {
		return err
	}
	if more != nil {
		r.req.Lookup = more.Lookup
	}
	for _, d := range demands {
		res, err := e.decide(ctx, r.req, r.pols, d)
		if err != nil {
			return err
		}
		if res.Decision != policy.Allowed {
			return denial(r.req.Principal.ARN, d, res)
		}
	}
	return nil
}

func denial(who string, d Demand, res policy.Result) error {
	if who == "" {
		who = "anonymous"
	}
	return awserr.New(awserr.AccessDenied, "User: %s is not authorized to perform: %s on resource: %s %s", who, d.Action, d.Resource, res.Reason)
}

type prepared struct {
	req  *policy.Request
	pols *policy.Policies
}

// decide evaluates one demand.
func (e *Enforcer) decide(ctx context.Context, base *policy.Request, pols *policy.Policies, d Demand) (policy.Result, error) {
	r := *base
	r.Action, r.Resource, r.ResourceAccount = d.Action, d.Resource, d.ResourceAccount
	ps := *pols
	ps.Resource = nil
	if d.ResourcePolicy != "" {
		rp, err := e.resourcePolicy(d.ResourcePolicy)
		if err != nil {
			return policy.Result{}, err
		}
		ps.Resource = rp
	}
	return policy.Evaluate(&r, &ps), nil
}

// resourcePolicy parses a resource policy once; an unparsable one grants nothing.
func (e *Enforcer) resourcePolicy(doc string) (*policy.Policy, error) {
	e.resMu.Lock()
	defer e.resMu.Unlock()
	if p, ok := e.resources[doc]; ok {
		return p, nil
	}
	kind := policy.Resource
	if !strings.Contains(doc, `"Resource"`) && !strings.Contains(doc, `"NotResource"`) {
		kind = policy.Trust
	}
	p, err := policy.Parse(doc, kind)
	if err != nil {
		p = &policy.Policy{Name: policyName(sourceResource, "unparsable")}
	} else {
		p.Name = policyName(sourceResource, "resource")
	}
	if len(e.resources) >= maxCachedPrincipals {
		clear(e.resources)
	}
	e.resources[doc] = p
	return p, nil
}

// request builds the evaluator's view of the caller.
func (e *Enforcer) request(ctx context.Context, p *request.Principal, conditions map[string][]string) (prepared, error) {
	r := &policy.Request{Context: map[string][]string{}}
	for k, v := range conditions {
		r.Context[strings.ToLower(k)] = v
	}
	now := e.now().UTC()
	if _, ok := r.Context["aws:currenttime"]; !ok {
		r.Context["aws:currenttime"] = []string{now.Format(time.RFC3339)}
		r.Context["aws:epochtime"] = []string{strconv.FormatInt(now.Unix(), 10)}
	}
	switch {
	case p == nil:
		r.Principal = policy.Principal{Type: "Anonymous"}
		return prepared{r, &policy.Policies{}}, nil
	case strings.HasSuffix(p.ARN, ".amazonaws.com") && !strings.HasPrefix(p.ARN, "arn:"):
		r.Principal = policy.Principal{Type: "Service", Service: p.ARN, ARN: p.ARN}
		return prepared{r, &policy.Policies{}}, nil
	case p.Root:
		r.Principal = policy.Principal{Type: "Account", ARN: p.ARN, Account: p.Account, UserID: p.UserID}
		return prepared{r, &policy.Policies{}}, nil
	}
	c, err := e.principal(ctx, p)
	if err != nil {
		return prepared{}, err
	}
	r.Principal = policy.Principal{Type: c.userType, ARN: p.ARN, Account: p.Account, UserID: p.UserID, Username: c.pols.username,
		RoleARN: c.roleARN, Tags: c.pols.tags}
	if c.sourceID != "" {
		r.Context["aws:sourceidentity"] = []string{c.sourceID}
	}
	return prepared{r, &c.pols.policies}, nil
}

// principal returns a principal's policies from the cache or the store.
func (e *Enforcer) principal(ctx context.Context, p *request.Principal) (*cachedPrincipal, error) {
	key := p.ARN + "|" + p.AccessKeyID
	if err := e.checkGeneration(ctx); err != nil {
		return nil, err
	}
	e.mu.Lock()
	c, ok := e.cache[key]
	e.mu.Unlock()
	if ok {
		return c, nil
	}
	c, err := e.loadPrincipal(ctx, p)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	if len(e.cache) >= maxCachedPrincipals {
		clear(e.cache)
	}
	e.cache[key] = c
	e.mu.Unlock()
	return c, nil
}

// checkGeneration drops the cache when the store's identity generation moved, asking at most
// once every GenerationCheck.
func (e *Enforcer) checkGeneration(ctx context.Context) error {
	now := e.now()
	e.mu.Lock()
	due := now.Sub(e.checkedAt) >= GenerationCheck || now.Before(e.checkedAt)
	e.mu.Unlock()
	if !due {
		return nil
	}
	g, err := e.store.IdentityGeneration(ctx)
	if err != nil {
		return err
	}
	e.mu.Lock()
	if g != e.gen {
		clear(e.cache)
		e.gen = g
	}
	e.checkedAt = now
	e.mu.Unlock()
	return nil
}

// loadPrincipal reads a user's or role session's policies; a principal whose entity is gone
// keeps no policies (so it is denied everything it is not granted by a resource policy).
func (e *Enforcer) loadPrincipal(ctx context.Context, p *request.Principal) (*cachedPrincipal, error) {
	account, kind, name, ok := entityOfARN(p.ARN)
	c := &cachedPrincipal{pols: &identityPolicies{tags: map[string]string{}}, userType: "User"}
	if !ok || account != p.Account {
		return c, nil
	}
	if kind == store.KindRole {
		c.userType = "AssumedRole"
	}
	ip, ent, err := loader{e.store}.load(ctx, account, kind, name)
	if errors.Is(err, store.ErrNotFound) {
		return c, nil
	}
	if err != nil {
		return nil, err
	}
	c.pols = ip
	if kind != store.KindRole {
		return c, nil
	}
	c.roleARN = ent.ARN
	if !strings.HasPrefix(p.AccessKeyID, "ASIA") {
		return c, nil
	}
	return c, e.addSession(ctx, c, p.AccessKeyID)
}

// addSession narrows a role session by its session policies and gives it its session tags.
func (e *Enforcer) addSession(ctx context.Context, c *cachedPrincipal, keyID string) error {
	ss, err := e.store.Session(ctx, keyID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	c.sourceID = ss.SourceIdentity
	tags := map[string]string{}
	for k, v := range c.pols.tags {
		tags[k] = v
	}
	for _, t := range ss.Tags {
		tags[t.Key] = t.Value
	}
	pols := *c.pols
	pols.tags = tags
	pols.policies.SessionPolicies = ss.HasPolicies
	pols.policies.Session = nil
	for i, doc := range ss.Policies {
		sp, err := parseNamed(doc, policy.Identity, policyName(sourceSession, strconv.Itoa(i)))
		if err != nil {
			continue // checked when the session was made
		}
		pols.policies.Session = append(pols.policies.Session, sp)
	}
	c.pols = &pols
	return nil
}
