package lambda

// A function's resource-based policy: AddPermission, RemovePermission and GetPolicy, one policy
// per qualifier (the unqualified function, a version, an alias), kept as a function setting of
// kind "policy" under the qualifier ("" for the function). ResourcePolicy reports it to the
// router's authorizer, and AuthorizeServiceInvoke to services that invoke on their own behalf.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/iam"
	"github.com/gureum/gureum/internal/store"
)

const (
	settingPolicy = "policy"
	// maxPolicySize is the largest function policy (Lambda's quota: 20 KB).
	maxPolicySize = 20480
)

// ErrPolicyLengthExceeded is AddPermission's answer when the policy would pass 20 KB.
var ErrPolicyLengthExceeded = &awserr.Code{Name: "PolicyLengthExceededException", Status: 400}

var (
	permActionRE   = regexp.MustCompile(`^(lambda:[*]|lambda:[a-zA-Z]+|[*])$`)
	sourceOwnerRE  = regexp.MustCompile(`^\d{12}$`)
	orgIDRE        = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	eventTokenRE   = regexp.MustCompile(`^[a-zA-Z0-9._\-]{0,256}$`)
	sourceARNRE    = regexp.MustCompile(`^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)$`)
	principalARNRE = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:(iam|sts)::\d{12}:.+$`)
)

// storedPolicy is a qualifier's policy as kept: its statements in order and its revision.
type storedPolicy struct {
	Revision   string            `json:"revision"`
	Statements []json.RawMessage `json:"statements"`
}

// Statement is one statement of a function policy as Lambda renders it.
type Statement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Principal any                          `json:"Principal"`
	Action    string                       `json:"Action"`
	Resource  string                       `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// AddPermissionInput is AddPermission's request.
type AddPermissionInput struct {
	FunctionName          string `rest:"uri=FunctionName" json:"-"`
	Qualifier             string `rest:"query=Qualifier" json:"-"`
	StatementId           string
	Action                string
	Principal             string
	SourceArn             string
	SourceAccount         string
	EventSourceToken      string
	RevisionId            string
	PrincipalOrgID        string
	FunctionUrlAuthType   string
	InvokedViaFunctionUrl *bool
}

// AddPermissionOutput is the statement added, as JSON text.
type AddPermissionOutput struct {
	Status    int `rest:"status" json:"-"`
	Statement string
}

// RemovePermissionInput is RemovePermission's request.
type RemovePermissionInput struct {
	FunctionName string `rest:"uri=FunctionName" json:"-"`
	StatementId  string `rest:"uri=StatementId" json:"-"`
	Qualifier    string `rest:"query=Qualifier" json:"-"`
	RevisionId   string `rest:"query=RevisionId" json:"-"`
}

// GetPolicyInput is GetPolicy's request.
type GetPolicyInput struct {
	FunctionName string `rest:"uri=FunctionName" json:"-"`
	Qualifier    string `rest:"query=Qualifier" json:"-"`
}

// GetPolicyOutput is a qualifier's policy document and revision.
type GetPolicyOutput struct {
	Policy     string
	RevisionId string
}

// BuildStatement turns AddPermission's input into the statement Lambda stores for resource, or
// AWS's error for input it refuses.
func BuildStatement(in *AddPermissionInput, resource string) (*Statement, error) {
	switch {
	case in.StatementId == "" || len(in.StatementId) > 100 || !statementIDRE.MatchString(in.StatementId):
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)", in.StatementId)
	case !permActionRE.MatchString(in.Action):
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])", in.Action)
	case in.Principal == "" || strings.ContainsAny(in.Principal, " \t\r\n"):
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'principal' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+", in.Principal)
	case in.SourceAccount != "" && !sourceOwnerRE.MatchString(in.SourceAccount):
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'sourceAccount' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{12}", in.SourceAccount)
	case in.SourceArn != "" && !sourceARNRE.MatchString(in.SourceArn):
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'sourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)", in.SourceArn)
	case in.PrincipalOrgID != "" && !orgIDRE.MatchString(in.PrincipalOrgID):
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'principalOrgID' failed to satisfy constraint: Member must satisfy regular expression pattern: o-[a-z0-9]{10,32}", in.PrincipalOrgID)
	case !eventTokenRE.MatchString(in.EventSourceToken):
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'eventSourceToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9._\\-]+", in.EventSourceToken)
	case in.FunctionUrlAuthType != "" && in.FunctionUrlAuthType != "NONE" && in.FunctionUrlAuthType != "AWS_IAM":
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'functionUrlAuthType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM]", in.FunctionUrlAuthType)
	}
	principal, service, err := statementPrincipal(in.Principal)
	if err != nil {
		return nil, err
	}
	if in.PrincipalOrgID != "" && service {
		return nil, invalid("PrincipalOrgID can not be specified with a service principal.")
	}
	if in.FunctionUrlAuthType != "" && in.Action != "lambda:InvokeFunctionUrl" && in.Action != "lambda:*" && in.Action != "*" {
		return nil, invalid("FunctionUrlAuthType is only supported for lambda:InvokeFunctionUrl action")
	}
	st := &Statement{Sid: in.StatementId, Effect: "Allow", Principal: principal, Action: in.Action, Resource: resource}
	cond := func(op, key, value string) {
		if st.Condition == nil {
			st.Condition = map[string]map[string]string{}
		}
		if st.Condition[op] == nil {
			st.Condition[op] = map[string]string{}
		}
		st.Condition[op][key] = value
	}
	if in.SourceAccount != "" {
		cond("StringEquals", "AWS:SourceAccount", in.SourceAccount)
	}
	if in.SourceArn != "" {
		cond("ArnLike", "AWS:SourceArn", in.SourceArn)
	}
	if in.PrincipalOrgID != "" {
		cond("StringEquals", "aws:PrincipalOrgID", in.PrincipalOrgID)
	}
	if in.EventSourceToken != "" {
		cond("StringEquals", "lambda:EventSourceToken", in.EventSourceToken)
	}
	if in.FunctionUrlAuthType != "" {
		cond("StringEquals", "lambda:FunctionUrlAuthType", in.FunctionUrlAuthType)
	}
	if in.InvokedViaFunctionUrl != nil && *in.InvokedViaFunctionUrl {
		cond("Bool", "lambda:InvokedViaFunctionUrl", "true")
	}
	return st, nil
}

// statementPrincipal renders AddPermission's Principal as a policy's: "*", an account (its
// root), an IAM ARN, or a service principal; service reports the last.
func statementPrincipal(p string) (principal any, service bool, err error) {
	switch {
	case p == "*":
		return "*", false, nil
	case sourceOwnerRE.MatchString(p):
		return map[string]string{"AWS": "arn:aws:iam::" + p + ":root"}, false, nil
	case principalARNRE.MatchString(p):
		return map[string]string{"AWS": p}, false, nil
	case !strings.HasPrefix(p, "arn:") && strings.Contains(p, ".") && !strings.ContainsAny(p, ":/*"):
		return map[string]string{"Service": p}, true, nil
	}
	return nil, false, invalid("The provided principal was invalid. Please check the principal and try again.")
}

// policyRef resolves a policy call's function and qualifier: the function (and the version or
// alias) must exist, and $LATEST has no policy of its own.
func (s *Service) policyRef(ctx context.Context, fn, qualifier string) (ref, string, error) {
	r, err := s.parseRef(ctx, fn, qualifier)
	if err != nil {
		return r, "", err
	}
	if r.qualifier == latest {
		return r, "", invalid("We currently do not support adding policies for $LATEST.")
	}
	if _, _, err := s.version(ctx, r); err != nil {
		return r, "", err
	}
	arn := s.functionARN(r.account, r.name)
	if r.qualifier != "" {
		arn += ":" + r.qualifier
	}
	return r, arn, nil
}

func (s *Service) readPolicy(ctx context.Context, acct, fn, qualifier string) (*storedPolicy, error) {
	set, err := s.cfg.Store.FunctionSetting(ctx, acct, fn, settingPolicy, qualifier)
	if errors.Is(err, store.ErrNotFound) {
		return &storedPolicy{}, nil
	}
	if err != nil {
		return nil, err
	}
	p := &storedPolicy{}
	return p, json.Unmarshal(set.Config, p)
}

func (s *Service) writePolicy(ctx context.Context, r ref, p *storedPolicy) error {
	if len(p.Statements) == 0 {
		err := s.cfg.Store.DeleteFunctionSetting(ctx, r.account, r.name, settingPolicy, r.qualifier)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return s.cfg.Store.PutFunctionSetting(ctx, store.FunctionSetting{Account: r.account, Function: r.name, Kind: settingPolicy,
		Name: r.qualifier, Config: b, Modified: s.cfg.Now()}, store.PutUpsert)
}

// document renders the stored statements as the policy GetPolicy returns.
func (p *storedPolicy) document() string {
	stmts := p.Statements
	if stmts == nil {
		stmts = []json.RawMessage{}
	}
	b, _ := json.Marshal(struct {
		Version   string            `json:"Version"`
		Id        string            `json:"Id"`
		Statement []json.RawMessage `json:"Statement"`
	}{"2012-10-17", "default", stmts})
	return string(b)
}

func sidOf(raw json.RawMessage) string {
	var x struct{ Sid string }
	json.Unmarshal(raw, &x)
	return x.Sid
}

func revisionMismatch() error {
	return ErrPreconditionFailed.Errorf("The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id")
}

// AddPermission adds a statement to the function's (or the qualifier's) policy.
func (s *Service) AddPermission(ctx context.Context, in *AddPermissionInput) (*AddPermissionOutput, error) {
	r, arn, err := s.policyRef(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	st, err := BuildStatement(in, arn)
	if err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(st)
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.readPolicy(ctx, r.account, r.name, r.qualifier)
	if err != nil {
		return nil, err
	}
	if in.RevisionId != "" && in.RevisionId != p.Revision {
		return nil, revisionMismatch()
	}
	for _, old := range p.Statements {
		if sidOf(old) == in.StatementId {
			return nil, ErrResourceConflict.Errorf("The statement id (%s) provided already exists. Please provide a new statement id, or remove the existing statement.", in.StatementId)
		}
	}
	p.Statements = append(p.Statements, raw)
	if n := len(p.document()); n > maxPolicySize {
		return nil, ErrPolicyLengthExceeded.Errorf("The final policy size (%d) is bigger than the limit (%d).", n, maxPolicySize)
	}
	p.Revision = newRevision()
	if err := s.writePolicy(ctx, r, p); err != nil {
		return nil, err
	}
	s.policyCache.Delete(arn)
	return &AddPermissionOutput{Status: http.StatusCreated, Statement: string(raw)}, nil
}

// RemovePermission removes a statement by its id.
func (s *Service) RemovePermission(ctx context.Context, in *RemovePermissionInput) (*EmptyOutput, error) {
	r, arn, err := s.policyRef(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.readPolicy(ctx, r.account, r.name, r.qualifier)
	if err != nil {
		return nil, err
	}
	if len(p.Statements) == 0 {
		return nil, ErrResourceNotFound.Errorf("No policy is associated with the given resource.")
	}
	if in.RevisionId != "" && in.RevisionId != p.Revision {
		return nil, revisionMismatch()
	}
	kept := p.Statements[:0:0]
	for _, st := range p.Statements {
		if sidOf(st) != in.StatementId {
			kept = append(kept, st)
		}
	}
	if len(kept) == len(p.Statements) {
		return nil, ErrResourceNotFound.Errorf("Statement %s is not found in resource policy.", in.StatementId)
	}
	p.Statements, p.Revision = kept, newRevision()
	if err := s.writePolicy(ctx, r, p); err != nil {
		return nil, err
	}
	s.policyCache.Delete(arn)
	return &EmptyOutput{Status: http.StatusNoContent}, nil
}

// GetPolicy returns the function's (or the qualifier's) policy.
func (s *Service) GetPolicy(ctx context.Context, in *GetPolicyInput) (*GetPolicyOutput, error) {
	r, _, err := s.policyRef(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	p, err := s.readPolicy(ctx, r.account, r.name, r.qualifier)
	if err != nil {
		return nil, err
	}
	if len(p.Statements) == 0 {
		return nil, ErrResourceNotFound.Errorf("The resource you requested does not exist.")
	}
	return &GetPolicyOutput{Policy: p.document(), RevisionId: p.Revision}, nil
}

// functionOfARN reads account, name and qualifier from a function ARN of this region.
func (s *Service) functionOfARN(arn string) (acct, name, qualifier string, ok bool) {
	parts := strings.Split(arn, ":")
	if len(parts) < 7 || len(parts) > 8 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function" || !nameRE.MatchString(parts[6]) {
		return "", "", "", false
	}
	if len(parts) == 8 {
		qualifier = parts[7]
	}
	return parts[4], parts[6], qualifier, true
}

// ResourcePolicy is the router's view of function policies (service.ResourcePolicyFunc): the
// owner of a function ARN and the policy of the function or of the qualifier the ARN names.
func (s *Service) ResourcePolicy(ctx context.Context, resource string) (owner, doc string, err error) {
	acct, name, qualifier, ok := s.functionOfARN(resource)
	if !ok || s.cfg.Store == nil {
		return "", "", nil
	}
	if c, ok := s.policyCache.Load(resource); ok {
		if e := c.(policyEntry); s.cfg.Now().Before(e.until) {
			return acct, e.doc, nil
		}
	}
	p, err := s.readPolicy(ctx, acct, name, qualifier)
	if err != nil {
		return "", "", err
	}
	if len(p.Statements) > 0 {
		doc = p.document()
	}
	s.policyCache.Store(resource, policyEntry{doc: doc, until: s.cfg.Now().Add(policyCacheTTL)})
	return acct, doc, nil
}

// policyCacheTTL bounds how long a node acts on a policy another node changed (this node's own
// changes drop its entry at once).
const policyCacheTTL = 2 * time.Second

type policyEntry struct {
	doc   string
	until time.Time
}

// AuthorizeServiceInvoke decides whether a service principal ("s3.amazonaws.com") may invoke a
// function (a full ARN, optionally qualified) on behalf of sourceARN of sourceAccount, with the
// function's policy, as Lambda does before an S3 notification, an SNS delivery or an
// EventBridge target runs it. The error is AWS's AccessDenied.
func (s *Service) AuthorizeServiceInvoke(ctx context.Context, functionARN, servicePrincipal, sourceARN, sourceAccount string) error {
	acct, _, _, ok := s.functionOfARN(functionARN)
	if !ok {
		return invalidName(functionARN)
	}
	_, doc, err := s.ResourcePolicy(ctx, functionARN)
	if err != nil {
		return err
	}
	return iam.AuthorizeServicePrincipal(iam.ServiceCall{Service: servicePrincipal, SourceARN: sourceARN, SourceAccount: sourceAccount,
		Action: "lambda:InvokeFunction", Resource: functionARN, ResourceAccount: acct, Now: s.cfg.Now()}, doc)
}
