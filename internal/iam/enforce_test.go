package iam

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/sqlite"
)

const (
	acctA = "111122223333"
	acctB = "444455556666"
	queue = "arn:aws:sqs:us-east-1:" + acctA + ":orders"
)

type enforceFixture struct {
	st  *sqlite.DB
	e   *Enforcer
	now time.Time
}

func newEnforceFixture(t testing.TB) *enforceFixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &enforceFixture{st: st, now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	f.e = NewEnforcer(st, func() time.Time { return f.now })
	for _, a := range []string{acctA, acctB} {
		st.CreateAccount(ctx, store.Account{ID: a, Name: a, Created: f.now})
	}
	return f
}

func (f *enforceFixture) user(t testing.TB, account, name string, docs ...string) *request.Principal {
	t.Helper()
	ctx := context.Background()
	arn := "arn:aws:iam::" + account + ":user/" + name
	if err := f.st.CreateEntity(ctx, store.Entity{Account: account, Kind: store.KindUser, Name: name, ID: "AIDA" + strings.ToUpper(name), Path: "/", ARN: arn,
		Tags: []store.Tag{{Key: "team", Value: "blue"}}}); err != nil {
		t.Fatal(err)
	}
	for i, d := range docs {
		if err := f.st.PutInlinePolicy(ctx, store.InlinePolicy{Account: account, Kind: store.KindUser, Entity: name, Name: fmt.Sprint("p", i), Document: d}); err != nil {
			t.Fatal(err)
		}
	}
	return &request.Principal{Account: account, ARN: arn, UserID: "AIDA" + strings.ToUpper(name), AccessKeyID: "AKIA" + name}
}

func allow(action, resource string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}]}`
}

func message(err error) string {
	var ae *awserr.Error
	if errors.As(err, &ae) && ae.Kind == awserr.AccessDenied {
		return ae.Message
	}
	return fmt.Sprintf("not AccessDenied: %v", err)
}

func TestEnforcerIdentityPolicies(t *testing.T) {
	f := newEnforceFixture(t)
	ctx := context.Background()
	alice := f.user(t, acctA, "alice", allow("sqs:SendMessage", queue),
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sqs:PurgeQueue","Resource":"*"},{"Effect":"Allow","Action":"sqs:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"red"}}}]}`)
	if err := f.e.Authorize(ctx, alice, []Demand{{Action: "sqs:SendMessage", Resource: queue}}, nil); err != nil {
		t.Errorf("SendMessage: %v", err)
	}
	err := f.e.Authorize(ctx, alice, []Demand{{Action: "sqs:SendMessage", Resource: queue}, {Action: "sqs:ReceiveMessage", Resource: queue}}, nil)
	want := "User: arn:aws:iam::" + acctA + ":user/alice is not authorized to perform: sqs:ReceiveMessage on resource: " + queue + " because no identity-based policy allows the sqs:ReceiveMessage action"
	if message(err) != want {
		t.Errorf("ReceiveMessage = %q; want %q", message(err), want)
	}
	err = f.e.Authorize(ctx, alice, []Demand{{Action: "sqs:PurgeQueue", Resource: queue}}, nil)
	if want := "with an explicit deny in an identity-based policy"; !strings.HasSuffix(message(err), want) {
		t.Errorf("PurgeQueue = %q; want … %s", message(err), want)
	}
	root := request.RootPrincipal(acctA, "AKIAROOT")
	if err := f.e.Authorize(ctx, root, []Demand{{Action: "sqs:DeleteQueue", Resource: queue}}, nil); err != nil {
		t.Errorf("root in its account: %v", err)
	}
	if err := f.e.Authorize(ctx, request.RootPrincipal(acctB, "AKIAB"), []Demand{{Action: "sqs:DeleteQueue", Resource: queue}}, nil); err == nil {
		t.Errorf("another account's root on the queue was allowed")
	}
}

func TestEnforcerCacheInvalidation(t *testing.T) {
	f := newEnforceFixture(t)
	ctx := context.Background()
	alice := f.user(t, acctA, "alice", allow("sqs:SendMessage", queue))
	send := []Demand{{Action: "sqs:SendMessage", Resource: queue}}
	if err := f.e.Authorize(ctx, alice, send, nil); err != nil {
		t.Fatal(err)
	}
	// Another node takes the permission away: this node learns of it at its next generation check.
	if err := f.st.DeleteInlinePolicy(ctx, acctA, store.KindUser, "alice", "p0"); err != nil {
		t.Fatal(err)
	}
	if err := f.e.Authorize(ctx, alice, send, nil); err != nil {
		t.Errorf("within the generation check the cached policy still applies; got %v", err)
	}
	f.now = f.now.Add(GenerationCheck)
	if err := f.e.Authorize(ctx, alice, send, nil); err == nil {
		t.Errorf("after the generation check the removed policy still allowed")
	}
	// A change through this node's IAM service drops the cache at once.
	f.st.PutInlinePolicy(ctx, store.InlinePolicy{Account: acctA, Kind: store.KindUser, Entity: "alice", Name: "p0", Document: allow("sqs:SendMessage", queue)})
	f.e.Invalidate()
	if err := f.e.Authorize(ctx, alice, send, nil); err != nil {
		t.Errorf("after Invalidate: %v", err)
	}
}

func TestEnforcerResourcePolicies(t *testing.T) {
	f := newEnforceFixture(t)
	ctx := context.Background()
	carol := f.user(t, acctB, "carol", allow("sqs:SendMessage", "*"))
	queuePolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acctB + `"},"Action":"sqs:SendMessage","Resource":"` + queue + `"},
		{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + queue + `","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::uploads"}}}]}`
	send := Demand{Action: "sqs:SendMessage", Resource: queue}
	if err := f.e.Authorize(ctx, carol, []Demand{send}, nil); err == nil {
		t.Errorf("cross-account send without a queue policy was allowed")
	}
	send.ResourcePolicy = queuePolicy
	if err := f.e.Authorize(ctx, carol, []Demand{send}, nil); err != nil {
		t.Errorf("cross-account send with the queue policy: %v", err)
	}
	dave := f.user(t, acctB, "dave")
	if err := f.e.Authorize(ctx, dave, []Demand{send}, nil); err == nil {
		t.Errorf("cross-account send without an identity policy was allowed")
	}
	s3 := &request.Principal{ARN: "s3.amazonaws.com"}
	if err := f.e.Authorize(ctx, s3, []Demand{send}, map[string][]string{"aws:SourceArn": {"arn:aws:s3:::uploads"}, "aws:SourceAccount": {acctA}}); err != nil {
		t.Errorf("S3 notification with the queue policy: %v", err)
	}
	if err := f.e.Authorize(ctx, s3, []Demand{send}, map[string][]string{"aws:SourceArn": {"arn:aws:s3:::other"}}); err == nil {
		t.Errorf("S3 notification from another bucket was allowed")
	}
	if err := f.e.Authorize(ctx, nil, []Demand{send}, nil); err == nil || !strings.HasPrefix(message(err), "User: anonymous") {
		t.Errorf("anonymous send = %v; want a denial", err)
	}
}

func TestEnforcerRoleSession(t *testing.T) {
	f := newEnforceFixture(t)
	ctx := context.Background()
	role := store.Entity{Account: acctA, Kind: store.KindRole, Name: "worker", ID: "AROAWORKER", Path: "/", ARN: "arn:aws:iam::" + acctA + ":role/worker",
		Boundary: "arn:aws:iam::aws:policy/AmazonSQSFullAccess"}
	f.st.CreateEntity(ctx, role)
	f.st.Attach(ctx, store.Attachment{Account: acctA, Kind: store.KindRole, Entity: "worker", PolicyARN: "arn:aws:iam::aws:policy/AdministratorAccess"})
	f.st.PutSession(ctx, store.Session{AccessKeyID: "ASIAWORKER", Account: acctA, RoleARN: role.ARN, SessionName: "s", HasPolicies: true,
		Policies: []string{allow("sqs:SendMessage", "*")}, Expires: f.now.Add(time.Hour)}, f.now)
	p := &request.Principal{Account: acctA, ARN: "arn:aws:sts::" + acctA + ":assumed-role/worker/s", UserID: "AROAWORKER:s", AccessKeyID: "ASIAWORKER"}
	for _, tt := range []struct {
		action, resource string
		ok               bool
	}{
		{"sqs:SendMessage", queue, true},
		{"sqs:ReceiveMessage", queue, false},                   // not in the session policy
		{"s3:GetObject", "arn:aws:s3:::b/k", false},            // not in the boundary
		{"lambda:InvokeFunction", "arn:aws:lambda:::f", false}, // neither
	} {
		err := f.e.Authorize(ctx, p, []Demand{{Action: tt.action, Resource: tt.resource}}, nil)
		if (err == nil) != tt.ok {
			t.Errorf("%s = %v; want allowed %v", tt.action, err, tt.ok)
		}
	}
}

// BenchmarkEnforcer is the authorization a request pays: a cached user with 50 statements.
func BenchmarkEnforcer(b *testing.B) {
	f := newEnforceFixture(b)
	var st []string
	for i := 0; i < 50; i++ {
		st = append(st, fmt.Sprintf(`{"Effect":"Allow","Action":["sqs:Send*","sqs:Receive%d"],"Resource":"arn:aws:sqs:*:%s:queue-%d-*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}`, i, acctA, i))
	}
	alice := f.user(b, acctA, "alice", `{"Version":"2012-10-17","Statement":[`+strings.Join(st, ",")+`]}`)
	d := []Demand{{Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:" + acctA + ":queue-49-x"}}
	ctx := context.Background()
	if err := f.e.Authorize(ctx, alice, d, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := f.e.Authorize(ctx, alice, d, map[string][]string{"aws:SourceIp": {"10.0.0.1"}}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEmptyAccountIsNoOnes: an ARN of an account-scoped service with its account left out is no
// caller's, not every caller's (issue 20); an S3 bucket's ARN, which has no account field, is
// left to S3's own ownership check.
func TestEmptyAccountIsNoOnes(t *testing.T) {
	e := NewEnforcer(nil, nil)
	root := request.RootPrincipal("111111111111", "AKIAROOT")
	ctx := context.Background()
	if err := e.Authorize(ctx, root, []Demand{{Action: "sqs:DeleteQueue", Resource: "arn:aws:sqs:us-east-1::victim"}}, nil); err == nil {
		t.Error("root of 111111111111 may delete an SQS queue whose ARN has no account; want AccessDenied")
	}
	if err := e.Authorize(ctx, root, []Demand{{Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/key"}}, nil); err != nil {
		t.Errorf("root on an S3 object ARN = %v; want allowed (S3 checks the bucket's owner)", err)
	}
}

// TestRootFastPath: the router's authorizer allows an account's root on its own resources without
// the Enforcer, and still refuses it another account's, or an account-scoped ARN with no account.
func TestRootFastPath(t *testing.T) {
	a := RequestAuthorizer{Enforcer: NewEnforcer(nil, nil)}
	root := request.RootPrincipal("111111111111", "AKIAROOT")
	ctx := context.Background()
	for _, c := range []struct {
		resource string
		allowed  bool
	}{
		{"*", true},
		{"arn:aws:sqs:us-east-1:111111111111:q", true},
		{"arn:aws:s3:::bucket/key", true},
		{"arn:aws:sqs:us-east-1:222222222222:q", false},
		{"arn:aws:sqs:us-east-1::q", false},
	} {
		err := a.Authorize(ctx, root, []service.Check{{Action: "sqs:SendMessage", Resource: c.resource}}, nil)
		if (err == nil) != c.allowed {
			t.Errorf("root on %s = %v; want allowed %v", c.resource, err, c.allowed)
		}
	}
}

// policySource is the Conditions of a request to a service that holds resource policies.
type policySource map[string]string

func (policySource) Lookup(string) ([]string, bool) { return nil, false }

func (ps policySource) ResourcePolicies() service.ResourcePolicyFunc {
	return func(_ context.Context, resource string) (string, string, error) {
		return "111111111111", ps[resource], nil
	}
}

// TestResourcePolicyHook: the authorizer weighs the policy a service reports for a resource: it
// grants another account's callers, and its explicit deny binds even the owner's root.
func TestResourcePolicyHook(t *testing.T) {
	a := RequestAuthorizer{Enforcer: NewEnforcer(nil, nil)}
	ctx := context.Background()
	const q = "arn:aws:sqs:us-east-1:111111111111:q"
	grant := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"sqs:SendMessage","Resource":"` + q + `"}]}`
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sqs:SendMessage","Resource":"` + q + `"}]}`
	owner := request.RootPrincipal("111111111111", "AKIAOWNER")
	other := request.RootPrincipal("222222222222", "AKIAOTHER")
	for _, c := range []struct {
		name    string
		p       *request.Principal
		doc     string
		allowed bool
	}{
		{"owner, no policy", owner, "", true},
		{"other account, no policy", other, "", false},
		{"other account, granted", other, grant, true},
		{"owner, denied by the policy", owner, deny, false},
		{"other account, denied", other, deny, false},
	} {
		check := []service.Check{{Action: "sqs:SendMessage", Resource: q}}
		err := a.Authorize(ctx, c.p, check, policySource{q: c.doc})
		if (err == nil) != c.allowed {
			t.Errorf("%s: %v; want allowed %v", c.name, err, c.allowed)
		}
	}
	// An ARN without an account (S3's) is owned by whom the service says.
	const b = "arn:aws:s3:::bucket/key"
	if err := a.Authorize(ctx, other, []service.Check{{Action: "s3:GetObject", Resource: b}}, policySource{}); err == nil {
		t.Errorf("another account on a bucket of 111111111111 without a policy was allowed")
	}
}
