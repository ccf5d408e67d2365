package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gureum/gureum/internal/store"
)

// identityTests are the store.Identity part of the suite.
var identityTests = []suiteTest{
	{"IdentityEntities", testIdentityEntities},
	{"IdentityPolicies", testIdentityPolicies},
	{"IdentityKeysAndSessions", testIdentityKeysAndSessions},
}

const idAcct = "333333333333"

func generation(t *testing.T, s store.Store) int64 {
	t.Helper()
	g, err := s.IdentityGeneration(context.Background())
	if err != nil {
		t.Fatalf("IdentityGeneration: %v", err)
	}
	return g
}

func testIdentityEntities(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	g0 := generation(t, s)
	u := store.Entity{Account: idAcct, Kind: store.KindUser, Name: "Alice", ID: "AIDAALICE", Path: "/", ARN: "arn:aws:iam::" + idAcct + ":user/Alice",
		Created: epoch, Tags: []store.Tag{{Key: "team", Value: "blue"}}}
	r := store.Entity{Account: idAcct, Kind: store.KindRole, Name: "Reader", ID: "AROAREADER", Path: "/svc/", ARN: "arn:aws:iam::" + idAcct + ":role/svc/Reader",
		Created: epoch, TrustPolicy: `{"Statement":[]}`, MaxSession: 3600, Description: "reads"}
	for _, e := range []store.Entity{u, r} {
		if err := s.CreateEntity(ctx, e); err != nil {
			t.Fatalf("CreateEntity(%s): %v", e.Name, err)
		}
	}
	if g := generation(t, s); g <= g0 {
		t.Errorf("generation %d after writes; want more than %d", g, g0)
	}
	dup := u
	dup.Name = "ALICE"
	if err := s.CreateEntity(ctx, dup); !errors.Is(err, store.ErrExists) {
		t.Errorf("CreateEntity(ALICE) = %v; want ErrExists (names are unique regardless of case)", err)
	}
	got, err := s.Entity(ctx, idAcct, store.KindUser, "alice")
	if err != nil || !cmp.Equal(got, u) {
		t.Errorf("Entity(alice) = %+v, %v; want %+v", got, err, u)
	}
	r.Boundary, r.MaxSession = "arn:aws:iam::aws:policy/ReadOnlyAccess", 7200
	if err := s.UpdateEntity(ctx, r); err != nil {
		t.Fatalf("UpdateEntity: %v", err)
	}
	if got, _ := s.Entity(ctx, idAcct, store.KindRole, "Reader"); !cmp.Equal(got, r) {
		t.Errorf("Entity(Reader) = %+v; want %+v", got, r)
	}
	if list, err := s.Entities(ctx, idAcct, store.KindUser); err != nil || len(list) != 1 {
		t.Errorf("Entities(user) = %v, %v; want Alice", list, err)
	}
	if err := s.AddMember(ctx, idAcct, "devs", "Alice"); err != nil {
		t.Fatalf("AddMember: %v", err)
	}
	if err := s.AddMember(ctx, idAcct, "devs", "Alice"); !errors.Is(err, store.ErrExists) {
		t.Errorf("AddMember(again) = %v; want ErrExists", err)
	}
	if gs, _ := s.GroupsOf(ctx, idAcct, "Alice"); !cmp.Equal(gs, []string{"devs"}) {
		t.Errorf("GroupsOf = %v; want [devs]", gs)
	}
	if ms, _ := s.Members(ctx, idAcct, "devs"); !cmp.Equal(ms, []string{"Alice"}) {
		t.Errorf("Members = %v; want [Alice]", ms)
	}
	if err := s.RemoveMember(ctx, idAcct, "devs", "Alice"); err != nil {
		t.Errorf("RemoveMember: %v", err)
	}
	if err := s.PutInlinePolicy(ctx, store.InlinePolicy{Account: idAcct, Kind: store.KindUser, Entity: "Alice", Name: "p", Document: "1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutInlinePolicy(ctx, store.InlinePolicy{Account: idAcct, Kind: store.KindUser, Entity: "Alice", Name: "p", Document: "2"}); err != nil {
		t.Fatal(err)
	}
	if ps, _ := s.InlinePolicies(ctx, idAcct, store.KindUser, "Alice"); len(ps) != 1 || ps[0].Document != "2" {
		t.Errorf("InlinePolicies = %v; want one replaced policy", ps)
	}
	if err := s.DeleteEntity(ctx, idAcct, store.KindUser, "Alice"); err != nil {
		t.Fatalf("DeleteEntity: %v", err)
	}
	if _, err := s.Entity(ctx, idAcct, store.KindUser, "Alice"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Entity(deleted) = %v; want ErrNotFound", err)
	}
	if ps, _ := s.InlinePolicies(ctx, idAcct, store.KindUser, "Alice"); len(ps) != 0 {
		t.Errorf("InlinePolicies(deleted user) = %v; want none", ps)
	}
	if err := s.DeleteEntity(ctx, idAcct, store.KindUser, "Alice"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteEntity(again) = %v; want ErrNotFound", err)
	}
}

func testIdentityPolicies(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	arn := "arn:aws:iam::" + idAcct + ":policy/p"
	p := store.ManagedPolicy{ARN: arn, Account: idAcct, Name: "p", ID: "ANPAP", Path: "/", DefaultVersion: "v1", NextVersion: 2, Created: epoch, Updated: epoch}
	if err := s.CreatePolicy(ctx, p, store.PolicyVersion{PolicyARN: arn, VersionID: "v1", Document: "d1", Created: epoch}); err != nil {
		t.Fatalf("CreatePolicy: %v", err)
	}
	if err := s.CreatePolicy(ctx, p, store.PolicyVersion{PolicyARN: arn, VersionID: "v1", Document: "d1", Created: epoch}); !errors.Is(err, store.ErrExists) {
		t.Errorf("CreatePolicy(again) = %v; want ErrExists", err)
	}
	for i := 2; i <= 5; i++ {
		id, err := s.CreatePolicyVersion(ctx, arn, "d", i == 5, 5, epoch.Add(time.Duration(i)*time.Second))
		if err != nil || id != "v"+string(rune('0'+i)) {
			t.Fatalf("CreatePolicyVersion = %q, %v; want v%d", id, err, i)
		}
	}
	if _, err := s.CreatePolicyVersion(ctx, arn, "d", false, 5, epoch); !errors.Is(err, store.ErrLimit) {
		t.Errorf("CreatePolicyVersion(sixth) = %v; want ErrLimit", err)
	}
	if got, _ := s.Policy(ctx, arn); got.DefaultVersion != "v5" || got.NextVersion != 6 {
		t.Errorf("Policy = %+v; want default v5, next 6", got)
	}
	if err := s.DeletePolicyVersion(ctx, arn, "v2"); err != nil {
		t.Fatal(err)
	}
	id, err := s.CreatePolicyVersion(ctx, arn, "d6", false, 5, epoch)
	if err != nil || id != "v6" {
		t.Errorf("CreatePolicyVersion after a delete = %q, %v; want v6 (versions are not reused)", id, err)
	}
	vs, _ := s.PolicyVersions(ctx, arn)
	if len(vs) != 5 || vs[0].VersionID != "v6" || vs[4].VersionID != "v1" {
		t.Errorf("PolicyVersions = %v; want v6 … v1 without v2", vs)
	}
	a := store.Attachment{Account: idAcct, Kind: store.KindRole, Entity: "R", PolicyARN: arn}
	for i := 0; i < 2; i++ {
		if err := s.Attach(ctx, a); err != nil {
			t.Fatalf("Attach: %v", err)
		}
	}
	if got, _ := s.Attached(ctx, idAcct, store.KindRole, "R"); !cmp.Equal(got, []string{arn}) {
		t.Errorf("Attached = %v", got)
	}
	if got, _ := s.AttachedTo(ctx, arn); !cmp.Equal(got, []store.Attachment{a}) {
		t.Errorf("AttachedTo = %v", got)
	}
	if err := s.Detach(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := s.Detach(ctx, a); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Detach(again) = %v; want ErrNotFound", err)
	}
	if err := s.DeletePolicy(ctx, arn); err != nil {
		t.Fatal(err)
	}
	if vs, _ := s.PolicyVersions(ctx, arn); len(vs) != 0 {
		t.Errorf("PolicyVersions(deleted) = %v", vs)
	}
}

func testIdentityKeysAndSessions(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	seedAccount(t, s, idAcct)
	k := store.AccessKey{ID: "AKIA0000000000000USR", Secret: "sec", Account: idAcct, PrincipalARN: "arn:aws:iam::" + idAcct + ":user/a", UserID: "AIDAA", Created: epoch}
	if err := s.PutAccessKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	if err := s.SetKeyActive(ctx, k.ID, false); err != nil {
		t.Fatalf("SetKeyActive(false): %v", err)
	}
	if _, err := s.AccessKey(ctx, k.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("AccessKey(inactive) = %v; want ErrNotFound", err)
	}
	if in, _ := s.InactiveKeys(ctx, idAcct); len(in) != 1 || !cmp.Equal(in[0], k) {
		t.Errorf("InactiveKeys = %v; want %v", in, k)
	}
	if err := s.SetKeyActive(ctx, k.ID, true); err != nil {
		t.Fatalf("SetKeyActive(true): %v", err)
	}
	if got, err := s.AccessKey(ctx, k.ID); err != nil || !cmp.Equal(got, k) {
		t.Errorf("AccessKey(reactivated) = %v, %v", got, err)
	}
	ss := store.Session{AccessKeyID: "ASIA0000000000000SES", Account: idAcct, RoleARN: "arn:aws:iam::" + idAcct + ":role/R", SessionName: "s",
		SourceIdentity: "me", Policies: []string{"{}"}, HasPolicies: true, Tags: []store.Tag{{Key: "k", Value: "v"}}, TransitiveKeys: []string{"k"},
		Chained: true, Expires: time.Now().Add(time.Hour).UTC().Truncate(time.Microsecond)}
	if err := s.PutSession(ctx, ss, time.Now()); err != nil {
		t.Fatalf("PutSession: %v", err)
	}
	if got, err := s.Session(ctx, ss.AccessKeyID); err != nil || !cmp.Equal(got, ss) {
		t.Errorf("Session = %+v, %v; want %+v", got, err, ss)
	}
	// A session that expired more than a day before a later PutSession is dropped with its key.
	old := store.Session{AccessKeyID: "ASIA0000000000000OLD", Account: idAcct, Expires: epoch}
	if err := s.PutAccessKey(ctx, store.AccessKey{ID: old.AccessKeyID, Secret: "x", SessionToken: "t", Account: idAcct, PrincipalARN: "p", UserID: "u", Expires: epoch, Created: epoch}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSession(ctx, old, epoch); err != nil {
		t.Fatal(err)
	}
	fresh := store.Session{AccessKeyID: "ASIA000000000000FRSH", Account: idAcct, Expires: epoch.Add(48 * time.Hour)}
	if err := s.PutSession(ctx, fresh, epoch.Add(25*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, old.AccessKeyID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Session(expired a day ago) = %v; want ErrNotFound", err)
	}
	if _, err := s.AccessKey(ctx, old.AccessKeyID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("AccessKey(expired a day ago) = %v; want ErrNotFound", err)
	}
	a, err := s.ServerSecret(ctx, "sts", []byte("first"))
	if err != nil || string(a) != "first" {
		t.Fatalf("ServerSecret = %q, %v", a, err)
	}
	if b, _ := s.ServerSecret(ctx, "sts", []byte("second")); string(b) != "first" {
		t.Errorf("ServerSecret(again) = %q; want the first", b)
	}
}
