package dynref_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/dynref"
	"github.com/gureum/gureum/internal/kms"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/secretsmanager"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/ssm"
	"github.com/gureum/gureum/internal/store/sqlite"
)

const account = "111122223333"

// fixture is the real Parameter Store and Secrets Manager over SQLite, with values put through
// their own operations as account's root.
func fixture(t *testing.T) (dynref.Resolver, *secretsmanager.Service, context.Context) {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	env := service.Env{Region: "us-east-1", Clock: background.NewFakeClock(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC))}
	keys := kms.New(kms.Deps{Env: env, Store: st, Master: kms.FileMasterKey(filepath.Join(dir, "master.key"))})
	params := ssm.New(ssm.Deps{Env: env, Store: st, Keys: keys})
	secrets := secretsmanager.New(secretsmanager.Deps{Env: env, Store: st, Keys: keys})
	ctx := request.With(context.Background(), &request.Info{Principal: request.RootPrincipal(account, "AKIA")})
	put := func(name, typ, value string) {
		t.Helper()
		if _, err := params.PutParameter(ctx, &ssm.PutParameterInput{Name: name, Type: typ, Value: &value, Overwrite: true}); err != nil {
			t.Fatalf("PutParameter(%s) = %v", name, err)
		}
	}
	put("/app/version", "String", "1")
	put("/app/version", "String", "2")
	put("/app/subnets", "StringList", "subnet-a,subnet-b")
	put("/app/db-password", "SecureString", "hunter2")
	s := `{"username":"admin","password":"pa:ss","port":5432}`
	if _, err := secrets.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: "db", SecretString: &s}); err != nil {
		t.Fatal(err)
	}
	next := `{"username":"admin","password":"new"}`
	if _, err := secrets.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: "db", SecretString: &next}); err != nil {
		t.Fatal(err)
	}
	return dynref.Resolver{Parameters: params, Secrets: secrets}, secrets, context.Background()
}

func TestParameterValue(t *testing.T) {
	r, _, ctx := fixture(t)
	v, err := r.ParameterValue(ctx, account, dynref.TypeString, "/app/version")
	if err != nil || v.Value != "2" || v.List != nil {
		t.Errorf("ParameterValue(String) = %+v, %v; want 2", v, err)
	}
	if v, err := r.ParameterValue(ctx, account, dynref.TypeString, "/app/version:1"); err != nil || v.Value != "1" {
		t.Errorf("ParameterValue(name:1) = %+v, %v; want 1", v, err)
	}
	for _, typ := range []string{dynref.TypeList, dynref.TypeCommaDelimitedList, "AWS::SSM::Parameter::Value<List<AWS::EC2::Subnet::Id>>"} {
		v, err := r.ParameterValue(ctx, account, typ, "/app/subnets")
		if err != nil || !slices.Equal(v.List, []string{"subnet-a", "subnet-b"}) {
			t.Errorf("ParameterValue(%s) = %+v, %v", typ, v, err)
		}
	}
	var de *dynref.Error
	if _, err := r.ParameterValue(ctx, account, dynref.TypeString, "/app/db-password"); !errors.As(err, &de) {
		t.Errorf("ParameterValue(SecureString) = %v; want a dynref.Error", err)
	}
	_, err = r.ParameterValue(ctx, account, dynref.TypeString, "/app/missing")
	var ae *awserr.Error
	if !errors.As(err, &ae) || ae.Code.Name != "ParameterNotFound" {
		t.Errorf("ParameterValue(missing) = %v; want ParameterNotFound underneath", err)
	}
	if _, err := r.ParameterValue(ctx, "999999999999", dynref.TypeString, "/app/version"); err == nil {
		t.Errorf("ParameterValue from another account found the parameter")
	}
}

func TestResolve(t *testing.T) {
	r, secrets, ctx := fixture(t)
	for _, c := range []struct{ in, want string }{
		{"v{{resolve:ssm:/app/version}}", "v2"},
		{"{{resolve:ssm:/app/version:1}}-{{resolve:ssm:/app/subnets}}", "1-subnet-a,subnet-b"},
		{"{{resolve:ssm-secure:/app/db-password}}", "hunter2"},
		{"{{resolve:ssm-secure:/app/db-password:1}}", "hunter2"},
		{"{{resolve:secretsmanager:db}}", `{"username":"admin","password":"new"}`},
		{"{{resolve:secretsmanager:db:SecretString:password}}", "new"},
		{"{{resolve:secretsmanager:db:SecretString:password:AWSPREVIOUS}}", "pa:ss"},
		{"{{resolve:secretsmanager:db::port:AWSPREVIOUS}}", "5432"},
		{"no references", "no references"},
	} {
		got, err := r.Resolve(ctx, account, c.in)
		if err != nil || got != c.want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	// By ARN and by version id.
	d, err := secrets.DescribeSecret(request.With(ctx, &request.Info{Principal: request.RootPrincipal(account, "AKIA")}), &secretsmanager.IDInput{SecretId: "db"})
	if err != nil {
		t.Fatal(err)
	}
	var previous string
	for id, stages := range d.VersionIdsToStages {
		if slices.Contains(stages, "AWSPREVIOUS") {
			previous = id
		}
	}
	ref := "{{resolve:secretsmanager:" + d.ARN + ":SecretString:password::" + previous + "}}"
	if got, err := r.Resolve(ctx, account, ref); err != nil || got != "pa:ss" {
		t.Errorf("Resolve(%q) = %q, %v; want pa:ss", ref, got, err)
	}
	for _, bad := range []string{
		"{{resolve:ssm:/app/db-password}}",    // a SecureString through ssm
		"{{resolve:ssm-secure:/app/version}}", // a String through ssm-secure
		"{{resolve:ssm:/app/missing}}",        // no such parameter
		"{{resolve:secretsmanager:nope}}",     // no such secret
		"{{resolve:secretsmanager:db:SecretString:missing-key}}",
		"{{resolve:secretsmanager:db:SecretBinary}}",
		"{{resolve:secretsmanager:db:SecretString:password:AWSCURRENT:" + previous + "}}",
		"{{resolve:s3:bucket}}",
		"{{resolve:ssm:/app/version",
		"{{resolve:ssm:}}",
	} {
		var de *dynref.Error
		if _, err := r.Resolve(ctx, account, bad); !errors.As(err, &de) || de.Msg == "" {
			t.Errorf("Resolve(%q) = %v; want a dynref.Error", bad, err)
		}
	}
}

// FuzzParse: any string either parses into a reference of a known service or is an Error;
// nothing panics.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"{{resolve:ssm:/a:1}}", "{{resolve:secretsmanager:arn:aws:secretsmanager:us-east-1:1:secret:x-abcdef:SecretString:k:AWSCURRENT}}", "{{resolve:}}", "{{resolve:secretsmanager:::::::}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := dynref.Parse(s)
		var de *dynref.Error
		if err != nil && !errors.As(err, &de) {
			t.Fatalf("Parse(%q) = %v; want a *dynref.Error", s, err)
		}
		if err == nil && (r.Name == "" || r.Service != "ssm" && r.Service != "ssm-secure" && r.Service != "secretsmanager") {
			t.Fatalf("Parse(%q) = %+v", s, r)
		}
	})
}
