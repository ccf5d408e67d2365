package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gureum/gureum/internal/store"
)

// functionTests are the store.Functions part of the suite.
var functionTests = []suiteTest{
	{"FunctionLifecycle", testFunctionLifecycle},
	{"FunctionVersionsAndAliases", testFunctionVersionsAndAliases},
	{"FunctionSettings", testFunctionSettings},
	{"EventSourceMappings", testEventSourceMappings},
}

func latest(name, ref string) (store.Function, store.FunctionVersion) {
	f := store.Function{Account: "123456789012", Name: name, Tags: map[string]string{"team": "core"}, ReservedConcurrency: -1, Created: epoch}
	v := store.FunctionVersion{Account: f.Account, Function: name, Version: "$LATEST", Config: []byte(`{"Runtime":"python3.12"}`),
		CodeRef: ref, CodeSha256: "sha-" + ref, CodeSize: 42, RevisionID: "rev-1", Modified: epoch}
	return f, v
}

func testFunctionLifecycle(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	f, v := latest("alpha", "ref-a")
	if err := s.CreateFunction(ctx, f, v); err != nil {
		t.Fatalf("CreateFunction: %v", err)
	}
	if err := s.CreateFunction(ctx, f, v); !errors.Is(err, store.ErrExists) {
		t.Errorf("CreateFunction(duplicate) = %v; want ErrExists", err)
	}
	fb, vb := latest("beta", "ref-b")
	if err := s.CreateFunction(ctx, fb, vb); err != nil {
		t.Fatal(err)
	}
	gotF, err := s.Function(ctx, f.Account, "alpha")
	if err != nil || !cmp.Equal(gotF, f) {
		t.Errorf("Function = %+v, %v; want %+v", gotF, err, f)
	}
	gotV, err := s.FunctionVersion(ctx, f.Account, "alpha", "$LATEST")
	if err != nil || !cmp.Equal(gotV, v) {
		t.Errorf("FunctionVersion = %+v, %v; want %+v", gotV, err, v)
	}
	f.ReservedConcurrency, f.Tags = 5, map[string]string{"a": "b"}
	if err := s.PutFunction(ctx, f); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Function(ctx, f.Account, "alpha"); got.ReservedConcurrency != 5 || got.Tags["a"] != "b" {
		t.Errorf("after PutFunction: %+v", got)
	}
	v.CodeRef, v.RevisionID, v.Config = "ref-a2", "rev-2", []byte(`{"Runtime":"nodejs22.x"}`)
	if err := s.PutFunctionVersion(ctx, v); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.FunctionVersion(ctx, f.Account, "alpha", "$LATEST"); got.CodeRef != "ref-a2" || got.RevisionID != "rev-2" {
		t.Errorf("after PutFunctionVersion: %+v", got)
	}
	page, err := s.ListFunctions(ctx, f.Account, "", 1)
	if err != nil || len(page) != 1 || page[0].Function != "alpha" {
		t.Errorf("ListFunctions(limit 1) = %v, %v", page, err)
	}
	if page, _ = s.ListFunctions(ctx, f.Account, "alpha", 10); len(page) != 1 || page[0].Function != "beta" {
		t.Errorf("ListFunctions(after alpha) = %v", page)
	}
	refs, err := s.DeleteFunction(ctx, f.Account, "alpha")
	if err != nil || len(refs) != 1 || refs[0] != "ref-a2" {
		t.Errorf("DeleteFunction = %v, %v; want [ref-a2]", refs, err)
	}
	if _, err := s.Function(ctx, f.Account, "alpha"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Function(deleted) = %v; want ErrNotFound", err)
	}
	if _, err := s.DeleteFunction(ctx, f.Account, "alpha"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteFunction(deleted) = %v; want ErrNotFound", err)
	}
	if err := s.PutFunctionVersion(ctx, v); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutFunctionVersion(deleted) = %v; want ErrNotFound", err)
	}
}

func testFunctionVersionsAndAliases(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	f, v := latest("fn", "ref-1")
	if err := s.CreateFunction(ctx, f, v); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"1", "2", "3"} {
		p, err := s.PublishFunctionVersion(ctx, v)
		if err != nil || p.Version != want {
			t.Fatalf("PublishFunctionVersion #%d = %q, %v; want %q", i, p.Version, err, want)
		}
	}
	vs, err := s.ListFunctionVersions(ctx, f.Account, "fn")
	if err != nil || len(vs) != 4 || vs[0].Version != "$LATEST" || vs[3].Version != "3" {
		t.Errorf("ListFunctionVersions = %v, %v", vs, err)
	}
	if freed, err := s.DeleteFunctionVersion(ctx, f.Account, "fn", "2"); err != nil || freed != "" {
		t.Errorf("DeleteFunctionVersion(2) = %q, %v; want a shared ref kept", freed, err)
	}
	if _, err := s.DeleteFunctionVersion(ctx, f.Account, "fn", "2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteFunctionVersion(2 again) = %v; want ErrNotFound", err)
	}
	if p, _ := s.PublishFunctionVersion(ctx, v); p.Version != "4" {
		t.Errorf("a deleted number was reused: %q", p.Version)
	}
	a := store.FunctionAlias{Account: f.Account, Function: "fn", Name: "live", Config: []byte(`{"FunctionVersion":"1"}`), RevisionID: "r1"}
	if err := s.PutFunctionAlias(ctx, a, true); err != nil {
		t.Fatal(err)
	}
	if err := s.PutFunctionAlias(ctx, a, true); !errors.Is(err, store.ErrExists) {
		t.Errorf("PutFunctionAlias(duplicate) = %v; want ErrExists", err)
	}
	a.Config, a.RevisionID = []byte(`{"FunctionVersion":"3"}`), "r2"
	if err := s.PutFunctionAlias(ctx, a, false); err != nil {
		t.Fatal(err)
	}
	if got, err := s.FunctionAlias(ctx, f.Account, "fn", "live"); err != nil || !cmp.Equal(got, a) {
		t.Errorf("FunctionAlias = %+v, %v; want %+v", got, err, a)
	}
	if list, _ := s.ListFunctionAliases(ctx, f.Account, "fn"); len(list) != 1 {
		t.Errorf("ListFunctionAliases = %v", list)
	}
	if err := s.DeleteFunctionAlias(ctx, f.Account, "fn", "live"); err != nil {
		t.Fatal(err)
	}
	if err := s.PutFunctionAlias(ctx, a, false); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutFunctionAlias(deleted) = %v; want ErrNotFound", err)
	}
}

func testFunctionSettings(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	f, v := latest("settings", "ref-s")
	if err := s.CreateFunction(ctx, f, v); err != nil {
		t.Fatal(err)
	}
	set := store.FunctionSetting{Account: f.Account, Function: f.Name, Kind: "event-invoke", Name: "$LATEST", Config: []byte(`{"a":1}`), Modified: epoch}
	if err := s.PutFunctionSetting(ctx, set, store.PutReplace); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutFunctionSetting(replace, none) = %v; want ErrNotFound", err)
	}
	if err := s.PutFunctionSetting(ctx, set, store.PutCreate); err != nil {
		t.Fatal(err)
	}
	if err := s.PutFunctionSetting(ctx, set, store.PutCreate); !errors.Is(err, store.ErrExists) {
		t.Errorf("PutFunctionSetting(create twice) = %v; want ErrExists", err)
	}
	set.Config = []byte(`{"a":2}`)
	if err := s.PutFunctionSetting(ctx, set, store.PutReplace); err != nil {
		t.Fatal(err)
	}
	other := set
	other.Name, other.Config = "live", []byte(`{"b":1}`)
	if err := s.PutFunctionSetting(ctx, other, store.PutUpsert); err != nil {
		t.Fatal(err)
	}
	if got, err := s.FunctionSetting(ctx, f.Account, f.Name, "event-invoke", "$LATEST"); err != nil || !cmp.Equal(got, set) {
		t.Errorf("FunctionSetting = %+v, %v; want %+v", got, err, set)
	}
	if list, err := s.ListFunctionSettings(ctx, f.Account, f.Name, "event-invoke"); err != nil || len(list) != 2 || list[0].Name != "$LATEST" || list[1].Name != "live" {
		t.Errorf("ListFunctionSettings = %+v, %v", list, err)
	}
	if err := s.DeleteFunctionSetting(ctx, f.Account, f.Name, "event-invoke", "live"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteFunctionSetting(ctx, f.Account, f.Name, "event-invoke", "live"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteFunctionSetting(gone) = %v; want ErrNotFound", err)
	}
	if _, err := s.DeleteFunction(ctx, f.Account, f.Name); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FunctionSetting(ctx, f.Account, f.Name, "event-invoke", "$LATEST"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FunctionSetting after DeleteFunction = %v; want ErrNotFound", err)
	}
}

func testEventSourceMappings(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	m := store.EventSourceMapping{UUID: "0001", Account: "123456789012", Function: "fn", SourceARN: "arn:aws:sqs:us-east-1:123456789012:q",
		Config: []byte(`{"BatchSize":10}`), Modified: epoch}
	if err := s.CreateEventSourceMapping(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateEventSourceMapping(ctx, m); !errors.Is(err, store.ErrExists) {
		t.Errorf("CreateEventSourceMapping(duplicate) = %v; want ErrExists", err)
	}
	m2 := m
	m2.UUID, m2.Account = "0002", "210987654321"
	if err := s.CreateEventSourceMapping(ctx, m2); err != nil {
		t.Fatal(err)
	}
	if got, err := s.EventSourceMapping(ctx, "0001"); err != nil || !cmp.Equal(got, m) {
		t.Errorf("EventSourceMapping = %+v, %v; want %+v", got, err, m)
	}
	m.Config, m.Function = []byte(`{"BatchSize":5}`), "fn2"
	if err := s.PutEventSourceMapping(ctx, m); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.EventSourceMapping(ctx, "0001"); got.Function != "fn2" || string(got.Config) != `{"BatchSize":5}` {
		t.Errorf("after PutEventSourceMapping: %+v", got)
	}
	if list, err := s.ListEventSourceMappings(ctx, m.Account, "", 10); err != nil || len(list) != 1 || list[0].UUID != "0001" {
		t.Errorf("ListEventSourceMappings(account) = %+v, %v", list, err)
	}
	if list, err := s.ListEventSourceMappings(ctx, "", "", 10); err != nil || len(list) != 2 {
		t.Errorf("ListEventSourceMappings(all) = %+v, %v", list, err)
	}
	if list, _ := s.ListEventSourceMappings(ctx, "", "0001", 10); len(list) != 1 || list[0].UUID != "0002" {
		t.Errorf("ListEventSourceMappings(after) = %+v", list)
	}
	if err := s.DeleteEventSourceMapping(ctx, "0001"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EventSourceMapping(ctx, "0001"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("EventSourceMapping(deleted) = %v; want ErrNotFound", err)
	}
	if err := s.PutEventSourceMapping(ctx, m); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutEventSourceMapping(deleted) = %v; want ErrNotFound", err)
	}
}
