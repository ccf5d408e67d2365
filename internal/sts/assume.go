package sts

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/iam"
	"github.com/gureum/gureum/internal/iam/managed"
	"github.com/gureum/gureum/internal/iam/policy"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/store"
)

var (
	sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	externalIDPattern  = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
)

// Duration limits of temporary credentials.
const (
	minDuration     = 900 * time.Second
	defaultDuration = time.Hour
	chainedMax      = time.Hour
)

// PolicyDescriptorType names a managed policy for a session.
type PolicyDescriptorType struct {
	Arn string `query:"arn"`
}

// Tag is a session tag.
type Tag struct {
	Key   string
	Value string
}

type AssumeRoleInput struct {
	RoleArn           string
	RoleSessionName   string
	DurationSeconds   int
	ExternalId        string
	Policy            string
	PolicyArns        []PolicyDescriptorType
	Tags              []Tag
	TransitiveTagKeys []string
	SourceIdentity    string
	SerialNumber      string
	TokenCode         string
}

// Credentials are temporary credentials.
type Credentials struct {
	AccessKeyId     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

type AssumedRoleUser struct {
	AssumedRoleId string
	Arn           string
}

type AssumeRoleOutput struct {
	Credentials      Credentials
	AssumedRoleUser  AssumedRoleUser
	PackedPolicySize int
	SourceIdentity   string `xml:",omitempty"`
}

func validation(format string, a ...any) error { return awserr.New(awserr.Validation, format, a...) }

func (in *AssumeRoleInput) check() error {
	if n := len(in.RoleArn); n < 20 || n > 2048 {
		return validation("1 validation error detected: Value '%s' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20", in.RoleArn)
	}
	if !sessionNamePattern.MatchString(in.RoleSessionName) {
		return validation("1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", in.RoleSessionName)
	}
	if in.ExternalId != "" && (len(in.ExternalId) < 2 || len(in.ExternalId) > 1224 || !externalIDPattern.MatchString(in.ExternalId)) {
		return validation("1 validation error detected: Value '%s' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*", in.ExternalId)
	}
	if in.SourceIdentity != "" && !sessionNamePattern.MatchString(in.SourceIdentity) {
		return validation("1 validation error detected: Value '%s' at 'sourceIdentity' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", in.SourceIdentity)
	}
	if len(in.PolicyArns) > 10 {
		return validation("1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10")
	}
	if len(in.Tags) > 50 {
		return validation("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50")
	}
	return nil
}

// AssumeRole returns temporary credentials for a role whose trust policy grants the caller
// sts:AssumeRole (with ExternalId and the other sts: keys in its conditions) and whose caller's
// own policies allow it.
func (s *Service) AssumeRole(ctx context.Context, in *AssumeRoleInput) (*AssumeRoleOutput, error) {
	p := request.From(ctx).Principal
	if p == nil {
		return nil, awserr.New(awserr.MissingAuth, "Request is missing Authentication Token")
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	idn, err := s.identity()
	if err != nil {
		return nil, err
	}
	caller, err := s.callerSession(ctx, idn, p)
	if err != nil {
		return nil, err
	}
	role, err := s.trustedRole(ctx, idn, p, in, caller)
	if err != nil {
		return nil, err
	}
	d, err := duration(in.DurationSeconds, role.MaxSession, caller != nil && caller.RoleARN != "")
	if err != nil {
		return nil, err
	}
	sess, packed, err := s.sessionPolicies(ctx, idn, in)
	if err != nil {
		return nil, err
	}
	sess.RoleARN, sess.SessionName, sess.SourceIdentity = role.ARN, in.RoleSessionName, in.SourceIdentity
	sess.Tags, sess.TransitiveKeys = sessionTags(in, caller)
	sess.Chained = caller != nil && caller.RoleARN != ""
	if sess.SourceIdentity == "" && caller != nil {
		sess.SourceIdentity = caller.SourceIdentity // a source identity stays with chained sessions
	}
	principal := "arn:aws:sts::" + role.Account + ":assumed-role/" + role.Name + "/" + in.RoleSessionName
	userID := role.ID + ":" + in.RoleSessionName
	creds, err := s.issue(ctx, idn, role.Account, principal, userID, d, sess)
	if err != nil {
		return nil, err
	}
	return &AssumeRoleOutput{Credentials: creds, AssumedRoleUser: AssumedRoleUser{AssumedRoleId: userID, Arn: principal},
		PackedPolicySize: packed, SourceIdentity: sess.SourceIdentity}, nil
}

// callerSession returns the caller's own session record when it uses temporary credentials.
func (s *Service) callerSession(ctx context.Context, idn store.Identity, p *request.Principal) (*store.Session, error) {
	if !strings.HasPrefix(p.AccessKeyID, "ASIA") {
		return nil, nil
	}
	ss, err := idn.Session(ctx, p.AccessKeyID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &ss, nil
}

// trustedRole loads the role and decides the call: the trust policy itself must grant it, and
// the evaluation of both sides (the caller's policies, the trust policy) must allow it.
func (s *Service) trustedRole(ctx context.Context, idn store.Identity, p *request.Principal, in *AssumeRoleInput, caller *store.Session) (store.Entity, error) {
	denied := awserr.New(awserr.AccessDenied, "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", p.ARN, in.RoleArn)
	account := policy.ARNAccount(in.RoleArn)
	parts := strings.Split(in.RoleArn, "/")
	if !strings.HasPrefix(in.RoleArn, "arn:aws:iam::") || !strings.Contains(in.RoleArn, ":role/") {
		return store.Entity{}, validation("%s is invalid", in.RoleArn)
	}
	role, err := idn.Entity(ctx, account, store.KindRole, parts[len(parts)-1])
	if errors.Is(err, store.ErrNotFound) || err == nil && role.ARN != in.RoleArn {
		return role, denied
	}
	if err != nil {
		return role, err
	}
	conds := assumeConditions(in)
	demands := []iam.Demand{{Action: "sts:AssumeRole", Resource: role.ARN, ResourcePolicy: role.TrustPolicy}}
	if len(in.Tags) > 0 {
		demands = append(demands, iam.Demand{Action: "sts:TagSession", Resource: role.ARN, ResourcePolicy: role.TrustPolicy})
	}
	if in.SourceIdentity != "" {
		demands = append(demands, iam.Demand{Action: "sts:SetSourceIdentity", Resource: role.ARN, ResourcePolicy: role.TrustPolicy})
	}
	if err := s.enforcer().Authorize(ctx, p, demands, conds); err != nil {
		return role, denied
	}
	if !s.trustGrants(ctx, idn, p, role, demands, conds) {
		return role, denied
	}
	return role, nil
}

// trustGrants checks that the trust policy itself grants every demand to the caller.
func (s *Service) trustGrants(ctx context.Context, idn store.Identity, p *request.Principal, role store.Entity, demands []iam.Demand, conds map[string][]string) bool {
	trust, err := policy.Parse(role.TrustPolicy, policy.Trust)
	if err != nil {
		return false
	}
	pr := policy.Principal{ARN: p.ARN, Account: p.Account, UserID: p.UserID, Type: "User"}
	switch {
	case p.Root:
		pr.Type = "Account"
	case strings.Contains(p.ARN, ":assumed-role/"):
		pr.Type = "AssumedRole"
		// A trust policy names the caller's role by its ARN, which has the role's path.
		segs := strings.Split(p.ARN, "/")
		pr.RoleARN = "arn:aws:iam::" + p.Account + ":role/" + segs[1]
		if caller, err := idn.Entity(ctx, p.Account, store.KindRole, segs[1]); err == nil {
			pr.RoleARN = caller.ARN
		}
	case strings.HasSuffix(p.ARN, ".amazonaws.com") && !strings.HasPrefix(p.ARN, "arn:"):
		pr = policy.Principal{Type: "Service", Service: p.ARN, ARN: p.ARN}
	}
	for _, d := range demands {
		r := &policy.Request{Principal: pr, Action: d.Action, Resource: d.Resource, Context: conds}
		if !policy.Grants(r, trust) {
			return false
		}
	}
	return true
}

func duration(secs, roleMax int, chained bool) (time.Duration, error) {
	d := time.Duration(secs) * time.Second
	if secs == 0 {
		d = defaultDuration
		if roleMax > 0 && time.Duration(roleMax)*time.Second < d {
			d = time.Duration(roleMax) * time.Second
		}
	}
	if d < minDuration {
		return 0, validation("1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900", secs)
	}
	if chained && d > chainedMax {
		return 0, validation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	if roleMax > 0 && d > time.Duration(roleMax)*time.Second {
		return 0, validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	return d, nil
}

// sessionPolicies validates the inline session policy and resolves the policy ARNs.
func (s *Service) sessionPolicies(ctx context.Context, idn store.Identity, in *AssumeRoleInput) (store.Session, int, error) {
	var sess store.Session
	size := 0
	if in.Policy != "" {
		if n := policy.Size(in.Policy); n > policy.MaxSessionPolicy {
			return sess, 0, ErrPackedPolicyTooLarge.Errorf("Packed size of consumed sessions policies and session tags exceeds the limit: %d%%", n*100/policy.MaxSessionPolicy)
		}
		if _, err := policy.Parse(in.Policy, policy.Identity); err != nil {
			return sess, 0, ErrMalformedPolicyDocument.Errorf("%s", err.Error())
		}
		sess.Policies = append(sess.Policies, in.Policy)
		size += policy.Size(in.Policy)
	}
	for _, pa := range in.PolicyArns {
		doc, err := managedDocument(ctx, idn, pa.Arn)
		if err != nil {
			return sess, 0, validation("Policy %s does not exist or is not attachable.", pa.Arn)
		}
		sess.Policies = append(sess.Policies, doc)
		size += len(pa.Arn)
	}
	sess.HasPolicies = in.Policy != "" || len(in.PolicyArns) > 0
	// PackedPolicySize is a percentage of the packed limit, as AWS reports it.
	return sess, size * 100 / (policy.MaxSessionPolicy + 1), nil
}

func managedDocument(ctx context.Context, idn store.Identity, arn string) (string, error) {
	if m, ok := managed.Get(arn); ok {
		return m.Document, nil
	}
	p, err := idn.Policy(ctx, arn)
	if err != nil {
		return "", err
	}
	vs, err := idn.PolicyVersions(ctx, arn)
	if err != nil {
		return "", err
	}
	for _, v := range vs {
		if v.VersionID == p.DefaultVersion {
			return v.Document, nil
		}
	}
	return "", store.ErrNotFound
}

// sessionTags combines the request's tags with the transitive tags of a chained caller.
func sessionTags(in *AssumeRoleInput, caller *store.Session) ([]store.Tag, []string) {
	var tags []store.Tag
	var transitive []string
	if caller != nil {
		for _, t := range caller.Tags {
			for _, k := range caller.TransitiveKeys {
				if strings.EqualFold(k, t.Key) {
					tags = append(tags, t)
					transitive = append(transitive, t.Key)
				}
			}
		}
	}
	for _, t := range in.Tags {
		tags = append(tags, store.Tag{Key: t.Key, Value: t.Value})
	}
	return tags, append(transitive, in.TransitiveTagKeys...)
}

// issue mints temporary credentials: an ASIA key, a secret, and a token sealing them.
func (s *Service) issue(ctx context.Context, idn store.Identity, account, principal, userID string, d time.Duration, sess store.Session) (Credentials, error) {
	if err := s.tokens.init(ctx, idn); err != nil {
		return Credentials{}, err
	}
	now := s.clock()
	expires := now.Add(d).UTC().Truncate(time.Second)
	id := iam.NewAccessKeyID("ASIA")
	secret := iam.NewSecret()
	token, err := s.tokens.seal("session", tokenRecord{AccessKeyID: id, Secret: secret, Principal: principal, Expires: expires})
	if err != nil {
		return Credentials{}, err
	}
	sess.AccessKeyID, sess.Account, sess.Expires = id, account, expires
	if err := idn.PutSession(ctx, sess, now); err != nil {
		return Credentials{}, err
	}
	k := store.AccessKey{ID: id, Secret: secret, SessionToken: token, Account: account, PrincipalARN: principal, UserID: userID, Expires: expires, Created: now.UTC()}
	if err := s.Accounts.PutAccessKey(ctx, k); err != nil {
		return Credentials{}, err
	}
	return Credentials{AccessKeyId: id, SecretAccessKey: secret, SessionToken: token, Expiration: expires}, nil
}

// assumeConditions are AssumeRole's condition keys (sts:ExternalId, sts:RoleSessionName, …), for
// the trust policy and the caller's policies.
func assumeConditions(in *AssumeRoleInput) map[string][]string {
	conds := map[string][]string{"sts:rolesessionname": {in.RoleSessionName}}
	if in.ExternalId != "" {
		conds["sts:externalid"] = []string{in.ExternalId}
	}
	if in.SourceIdentity != "" {
		conds["sts:sourceidentity"] = []string{in.SourceIdentity}
	}
	var keys []string
	for _, t := range in.Tags {
		conds["aws:requesttag/"+strings.ToLower(t.Key)] = []string{t.Value}
		keys = append(keys, t.Key)
	}
	if len(keys) > 0 {
		conds["aws:tagkeys"] = keys
		conds["sts:transitivetagkeys"] = in.TransitiveTagKeys
	}
	return conds
}

// roleTrust is STS's service.ResourcePolicyFunc: a role's trust policy is the resource policy of
// sts:AssumeRole on it, so the router's authorizer decides AssumeRole across accounts as AWS does
// (the caller's policies must allow it on the role's ARN, and the trust policy must grant it).
func (s *Service) roleTrust(ctx context.Context, resource string) (owner, doc string, err error) {
	if !strings.HasPrefix(resource, "arn:aws:iam::") || !strings.Contains(resource, ":role/") {
		return "", "", nil
	}
	idn, err := s.identity()
	if err != nil {
		return "", "", err
	}
	parts := strings.Split(resource, "/")
	role, err := idn.Entity(ctx, policy.ARNAccount(resource), store.KindRole, parts[len(parts)-1])
	if errors.Is(err, store.ErrNotFound) || err == nil && role.ARN != resource {
		return "", "", nil
	}
	if err != nil {
		return "", "", err
	}
	return role.Account, role.TrustPolicy, nil
}
