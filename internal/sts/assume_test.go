package sts

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/iam"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/sqlite"
)

const (
	acctA = "111122223333" // the caller's account
	acctB = "444455556666" // the partner's, with the role
)

type fixture struct {
	st    *sqlite.DB
	svc   *Service
	alice *request.Principal
	now   time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{st: st, now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	f.svc = &Service{Accounts: st, Now: func() time.Time { return f.now }}
	for _, a := range []string{acctA, acctB} {
		if err := st.CreateAccount(ctx, store.Account{ID: a, Name: a, Created: f.now}); err != nil {
			t.Fatal(err)
		}
	}
	f.entity(t, store.Entity{Account: acctA, Kind: store.KindUser, Name: "alice", ID: "AIDAALICE", Path: "/", ARN: "arn:aws:iam::" + acctA + ":user/alice"})
	f.entity(t, store.Entity{Account: acctA, Kind: store.KindUser, Name: "bob", ID: "AIDABOB", Path: "/", ARN: "arn:aws:iam::" + acctA + ":user/bob"})
	f.inline(t, acctA, store.KindUser, "alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/*"}]}`)
	f.entity(t, store.Entity{Account: acctB, Kind: store.KindRole, Name: "Partner", ID: "AROAPARTNER", Path: "/", ARN: "arn:aws:iam::" + acctB + ":role/Partner", MaxSession: 7200,
		TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acctA + `:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"ext-42"}}}]}`})
	f.inline(t, acctB, store.KindRole, "Partner", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	f.alice = &request.Principal{Account: acctA, ARN: "arn:aws:iam::" + acctA + ":user/alice", UserID: "AIDAALICE", AccessKeyID: "AKIAALICE"}
	return f
}

func (f *fixture) entity(t *testing.T, e store.Entity) {
	if err := f.st.CreateEntity(context.Background(), e); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) inline(t *testing.T, account, kind, name, doc string) {
	if err := f.st.PutInlinePolicy(context.Background(), store.InlinePolicy{Account: account, Kind: kind, Entity: name, Name: "p", Document: doc}); err != nil {
		t.Fatal(err)
	}
}

func as(p *request.Principal) context.Context {
	return request.With(context.Background(), &request.Info{Principal: p})
}

func code(err error) string {
	var ae *awserr.Error
	if errors.As(err, &ae) {
		if ae.Code != nil {
			return ae.Code.Name
		}
		return map[awserr.Kind]string{awserr.AccessDenied: "AccessDenied", awserr.Validation: "ValidationError"}[ae.Kind]
	}
	return ""
}

func TestAssumeRoleAcrossAccounts(t *testing.T) {
	f := newFixture(t)
	in := &AssumeRoleInput{RoleArn: "arn:aws:iam::" + acctB + ":role/Partner", RoleSessionName: "share", ExternalId: "ext-42"}
	out, err := f.svc.AssumeRole(as(f.alice), in)
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	c := out.Credentials
	if !strings.HasPrefix(c.AccessKeyId, "ASIA") || len(c.AccessKeyId) != 20 || len(c.SecretAccessKey) != 40 || !c.Expiration.Equal(f.now.Add(time.Hour)) {
		t.Errorf("Credentials = %+v; want an ASIA key expiring in an hour", c)
	}
	if want := "arn:aws:sts::" + acctB + ":assumed-role/Partner/share"; out.AssumedRoleUser.Arn != want || out.AssumedRoleUser.AssumedRoleId != "AROAPARTNER:share" {
		t.Errorf("AssumedRoleUser = %+v; want %s", out.AssumedRoleUser, want)
	}
	if strings.Contains(c.SessionToken, c.SecretAccessKey) {
		t.Errorf("the session token carries the secret in clear")
	}
	// The token opens only with the server's key, and names the key and its secret.
	var rec tokenRecord
	if err := f.svc.tokens.open("session", c.SessionToken, &rec); err != nil || rec.Secret != c.SecretAccessKey || rec.AccessKeyID != c.AccessKeyId {
		t.Errorf("open(token) = %+v, %v", rec, err)
	}
	tampered := []byte(c.SessionToken)
	tampered[10] ^= 1
	if err := f.svc.tokens.open("session", string(tampered), &rec); err == nil {
		t.Errorf("a tampered token opened")
	}
	key, err := f.st.AccessKey(context.Background(), c.AccessKeyId)
	if err != nil || key.Account != acctB || key.SessionToken != c.SessionToken || !key.Expires.Equal(c.Expiration) {
		t.Errorf("stored key = %+v, %v", key, err)
	}

	for _, tt := range []struct {
		name string
		p    *request.Principal
		edit func(*AssumeRoleInput)
		want string
	}{
		{"wrong external id", f.alice, func(i *AssumeRoleInput) { i.ExternalId = "guess" }, "AccessDenied"},
		{"no external id", f.alice, func(i *AssumeRoleInput) { i.ExternalId = "" }, "AccessDenied"},
		{"caller without permission", &request.Principal{Account: acctA, ARN: "arn:aws:iam::" + acctA + ":user/bob", AccessKeyID: "AKIABOB"}, nil, "AccessDenied"},
		{"other account", &request.Principal{Account: "999988887777", ARN: "arn:aws:iam::999988887777:root", Root: true, AccessKeyID: "AKIAX"}, nil, "AccessDenied"},
		{"no such role", f.alice, func(i *AssumeRoleInput) { i.RoleArn = "arn:aws:iam::" + acctB + ":role/Nope" }, "AccessDenied"},
		{"too short", f.alice, func(i *AssumeRoleInput) { i.DurationSeconds = 899 }, "ValidationError"},
		{"over the role's maximum", f.alice, func(i *AssumeRoleInput) { i.DurationSeconds = 7201 }, "ValidationError"},
		{"bad session name", f.alice, func(i *AssumeRoleInput) { i.RoleSessionName = "a b" }, "ValidationError"},
		{"malformed session policy", f.alice, func(i *AssumeRoleInput) { i.Policy = `{"Statement":[]}` }, "MalformedPolicyDocument"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := *in
			if tt.edit != nil {
				tt.edit(&in)
			}
			if _, err := f.svc.AssumeRole(as(tt.p), &in); code(err) != tt.want {
				t.Errorf("AssumeRole = %v; want %s", err, tt.want)
			}
		})
	}
	// The root of the trusted account needs no policy of its own; two hours is within the maximum.
	root := &request.Principal{Account: acctA, ARN: "arn:aws:iam::" + acctA + ":root", Root: true, AccessKeyID: "AKIAROOT"}
	in.DurationSeconds = 7200
	if _, err := f.svc.AssumeRole(as(root), in); err != nil {
		t.Errorf("AssumeRole as the trusted root: %v", err)
	}
}

func TestAssumeRoleChaining(t *testing.T) {
	f := newFixture(t)
	in := &AssumeRoleInput{RoleArn: "arn:aws:iam::" + acctB + ":role/Partner", RoleSessionName: "one", ExternalId: "ext-42",
		Tags: []Tag{{Key: "project", Value: "x"}}, TransitiveTagKeys: []string{"project"},
		Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`}
	// Tagging needs sts:TagSession in the trust policy: refused until it allows it.
	if _, err := f.svc.AssumeRole(as(f.alice), in); code(err) != "AccessDenied" {
		t.Fatalf("AssumeRole with tags, trust without TagSession = %v; want AccessDenied", err)
	}
	role, _ := f.st.Entity(context.Background(), acctB, store.KindRole, "Partner")
	role.TrustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["` + acctA + `","` + acctB + `"]},"Action":["sts:AssumeRole","sts:TagSession"]}]}`
	if err := f.st.UpdateEntity(context.Background(), role); err != nil {
		t.Fatal(err)
	}
	f.inline(t, acctA, store.KindUser, "alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"*"}]}`)
	f.inline(t, acctB, store.KindRole, "Partner", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"*"}]}`)
	f.svc.Enforcer = iam.NewEnforcer(f.st, func() time.Time { return f.now })
	out, err := f.svc.AssumeRole(as(f.alice), in)
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	session := &request.Principal{Account: acctB, ARN: out.AssumedRoleUser.Arn, UserID: out.AssumedRoleUser.AssumedRoleId, AccessKeyID: out.Credentials.AccessKeyId}
	next := &AssumeRoleInput{RoleArn: in.RoleArn, RoleSessionName: "two", DurationSeconds: 3601}
	if _, err := f.svc.AssumeRole(as(session), next); code(err) != "ValidationError" {
		t.Errorf("chained AssumeRole over an hour = %v; want ValidationError", err)
	}
	next.DurationSeconds = 3600
	out2, err := f.svc.AssumeRole(as(session), next)
	if err != nil {
		t.Fatalf("chained AssumeRole: %v", err)
	}
	ss, err := f.st.Session(context.Background(), out2.Credentials.AccessKeyId)
	if err != nil || !ss.Chained || len(ss.Tags) != 1 || ss.Tags[0].Value != "x" || ss.HasPolicies {
		t.Errorf("chained session = %+v, %v; want chained with the transitive tag and no session policy", ss, err)
	}
}

func TestGetSessionTokenAndMessages(t *testing.T) {
	f := newFixture(t)
	out, err := f.svc.GetSessionToken(as(f.alice), &GetSessionTokenInput{})
	if err != nil || !out.Credentials.Expiration.Equal(f.now.Add(12*time.Hour)) {
		t.Fatalf("GetSessionToken = %+v, %v; want 12 hours", out, err)
	}
	key, _ := f.st.AccessKey(context.Background(), out.Credentials.AccessKeyId)
	if key.PrincipalARN != f.alice.ARN {
		t.Errorf("session principal = %s; want alice", key.PrincipalARN)
	}
	sess := *f.alice
	sess.AccessKeyID = out.Credentials.AccessKeyId
	if _, err := f.svc.GetSessionToken(as(&sess), &GetSessionTokenInput{}); code(err) != "AccessDenied" {
		t.Errorf("GetSessionToken with session credentials = %v; want AccessDenied", err)
	}
	if _, err := f.svc.GetSessionToken(as(f.alice), &GetSessionTokenInput{DurationSeconds: 129601}); code(err) != "ValidationError" {
		t.Errorf("GetSessionToken(129601) = %v; want ValidationError", err)
	}
	msg, err := f.svc.EncodeAuthorizationMessage(context.Background(), AuthorizationMessage{Context: AuthorizationInfo{
		Principal: map[string]string{"account": acctA, "arn": f.alice.ARN}, Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:" + acctA + ":q"}})
	if err != nil {
		t.Fatal(err)
	}
	dec, err := f.svc.DecodeAuthorizationMessage(as(f.alice), &DecodeAuthorizationMessageInput{EncodedMessage: msg})
	if err != nil || !strings.Contains(dec.DecodedMessage, `"action":"sqs:SendMessage"`) {
		t.Errorf("DecodeAuthorizationMessage = %+v, %v", dec, err)
	}
	other := &request.Principal{Account: acctB, ARN: "arn:aws:iam::" + acctB + ":root", Root: true}
	if _, err := f.svc.DecodeAuthorizationMessage(as(other), &DecodeAuthorizationMessageInput{EncodedMessage: msg}); code(err) != "InvalidAuthorizationMessageException" {
		t.Errorf("DecodeAuthorizationMessage by another account = %v", err)
	}
}

// TestAssumeRoleAsAService is how gureum's functions get their execution role's credentials: the
// function service calls AssumeRole in process as lambda.amazonaws.com.
func TestAssumeRoleAsAService(t *testing.T) {
	f := newFixture(t)
	f.entity(t, store.Entity{Account: acctA, Kind: store.KindRole, Name: "exec", ID: "AROAEXEC", Path: "/service-role/", ARN: "arn:aws:iam::" + acctA + ":role/service-role/exec",
		TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`})
	in := &AssumeRoleInput{RoleArn: "arn:aws:iam::" + acctA + ":role/service-role/exec", RoleSessionName: "fn"}
	out, err := f.svc.AssumeRole(as(&request.Principal{ARN: "lambda.amazonaws.com"}), in)
	if err != nil {
		t.Fatalf("AssumeRole as lambda.amazonaws.com: %v", err)
	}
	if want := "arn:aws:sts::" + acctA + ":assumed-role/exec/fn"; out.AssumedRoleUser.Arn != want {
		t.Errorf("Arn = %s; want %s", out.AssumedRoleUser.Arn, want)
	}
	if _, err := f.svc.AssumeRole(as(&request.Principal{ARN: "states.amazonaws.com"}), in); code(err) != "AccessDenied" {
		t.Errorf("AssumeRole as an untrusted service = %v; want AccessDenied", err)
	}
	if _, err := f.svc.AssumeRole(as(f.alice), in); code(err) != "AccessDenied" {
		t.Errorf("AssumeRole of a service's role by a user = %v; want AccessDenied", err)
	}
}
